"""Combined queries in the API: `POST /api/v1/cadres/query/` (the JSON document in the body; the
cadre list's page, fields, filters and `?format=xlsx`), `/api/v1/saved-queries/` and
`GET /api/v1/saved-queries/<id>/results/`. A document the registry refuses answers 400 with
{"query": {"<path>": ["<why>"]}}."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from orgportal import query
from orgportal.api import ModelPermissions, OrgSerializer, OrgViewSet, XlsxRenderer, register

from . import models
from .serializers import CadreSerializer


class CanViewCadres(BasePermission):
    """Running a query reads cadres: the view permission, whatever the method."""

    def has_permission(self, request, view):
        return bool(
            request.user and request.user.is_authenticated and request.user.has_perm("cadres.view_cadre")
        )


class QueryError(exceptions.ValidationError):
    def __init__(self, error: query.QueryError):
        super().__init__(query.error_detail(error))


class CadreQueryPage(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CadreSerializer(many=True)


QUERY_EXAMPLE = {
    "op": "and",
    "conditions": [
        {"field": "gender", "op": "in", "value": ["2"]},
        {"field": "age", "op": "between", "value": {"max": 40}},
        {"field": "assessment", "op": "has", "value": {"result": ["excellent"], "last_years": 3}},
        {"op": "not", "conditions": [{"field": "sanction", "op": "has", "value": {}}]},
    ],
}


class CadreQueryMixin:
    """The cadre viewset's `query` action: the list filtered by a combined query (and by any list
    filter in the URL), paginated as the list, or the roster with `?format=xlsx`."""

    _query_q = None
    saved = None  # set by SavedQueryViewSet.results, which runs a saved query through this viewset
    field_actions = ("list", "retrieve", "run_combined_query", "saved_results")  # pages of the list
    xlsx_actions = ("list", "run_combined_query", "saved_results")  # …and their rosters

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return queryset.filter(self._query_q) if self._query_q is not None else queryset

    def run_query(self, request, compile_q):
        try:
            self._query_q = compile_q()
        except query.QueryError as error:
            raise QueryError(error) from None
        if getattr(request.accepted_renderer, "format", None) == "xlsx":
            return self.export_roster(request)
        return super().list(request)

    @extend_schema(
        summary="组合查询",
        description="请求体为组合查询的 JSON 文档（条件见 docs/query.md 或 GET /api/v1/saved-queries/conditions/）；"
        "结果与干部列表相同（分页、字段、列表筛选参数、?format=xlsx 导出花名册），限于管辖范围，敏感字段脱敏。",
        request={"application/json": OpenApiTypes.OBJECT},
        examples=[
            OpenApiExample(
                "近三年有优秀、不在处分影响期内的40岁以下女干部", value=QUERY_EXAMPLE, request_only=True
            )
        ],
        responses={
            200: CadreQueryPage,
            400: OpenApiResponse(description='{"query": {"conditions[0].field": ["未知的查询条件「x」"]}}'),
        },
    )
    @action(detail=False, methods=["post"], url_path="query", permission_classes=[CanViewCadres])
    def run_combined_query(self, request):
        """组合查询：按 JSON 文档查找干部."""
        return self.run_query(
            request, lambda: query.compile_document(models.Cadre, request.data, user=request.user)
        )

    def saved_results(self, request):
        """GET …/saved-queries/<id>/results/ (not routed here: SavedQueryViewSet.results delegates)."""
        return self.run_query(request, lambda: self.saved.compiled(request.user))


class SavedQuerySerializer(OrgSerializer):
    owner_name = serializers.CharField(source="owner.username", read_only=True, default="", label="创建人")
    document = serializers.JSONField(label="查询条件")

    class Meta:
        model = models.SavedQuery
        fields = "__all__"
        read_only_fields = ["owner"]

    def validate(self, attrs):
        if self.instance is None:  # the document is validated for (and kept by) its owner
            attrs["owner"] = self._user()
        return super().validate(attrs)


class ConditionSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    group = serializers.CharField()
    help = serializers.CharField()
    operators = serializers.DictField(child=serializers.DictField())


class SavedQueryViewSet(OrgViewSet):
    """保存的组合查询: the user's own, those shared with one of the user's groups and those shared
    with all; `GET …/<id>/results/` runs one (as the cadre list); `GET …/conditions/` lists the conditions."""

    renderer_classes = [*OrgViewSet.renderer_classes, XlsxRenderer]

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    @extend_schema(summary="可用的查询条件", responses=ConditionSerializer(many=True), filters=False)
    @action(
        detail=False,
        methods=["get"],
        pagination_class=None,
        filter_backends=[],
        permission_classes=[CanViewCadres],
    )
    def conditions(self, request):
        """组合查询可用的条件（字段、运算符、值的格式与可选代码）."""
        return Response(query.catalogue(models.Cadre))

    @extend_schema(summary="运行保存的组合查询", responses={200: CadreQueryPage}, filters=False)
    @action(
        detail=True, methods=["get"], permission_classes=[ModelPermissions, CanViewCadres], filter_backends=[]
    )
    def results(self, request, pk=None):
        """运行保存的组合查询：结果与干部列表相同（分页、?format=xlsx）."""
        saved = self.get_object()
        from .views import CadreViewSet

        view = CadreViewSet.as_view({"get": "saved_results"}, saved=saved)
        return view(request._request)


register(
    "saved-queries",
    models.SavedQuery,
    viewset=SavedQueryViewSet,
    serializer=SavedQuerySerializer,
    filterset_fields=["sharing", "group", "owner"],
    search_fields=["name", "description"],
    ordering_fields=["id", "name", "updated_at"],
    select_related=["owner", "group"],
)
