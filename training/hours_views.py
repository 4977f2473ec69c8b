"""The API of 学时: requirements and external hours (records), the hours ledger, the candidates for
a class (科学调训) and the coverage reports (training-reports). Imported by training.views."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cadres.models import Cadre
from orgportal import access, codes
from orgportal.api import OrgViewSet, Pagination, ReviewActionMixin, register, router
from orgportal.bulk import BulkMixin
from orgportal.models import Unit
from orgportal.reports import (
    ReportPermission,
    ReportQuerySerializer,
    ReportViewSet,
    in_subtree,
    subtree_unit,
    validated,
)
from orgportal.validators import normalize_id_number

from . import candidates as proposing
from . import coverage as covering
from . import ledger
from .models import ExternalHours, HoursRequirement, PlanQuota, TrainingClass

LEDGER_PERMS = ("cadres.view_cadre", "training.view_enrolment", "training.view_externalhours")


# --- records ---------------------------------------------------------------------------------------
class ExternalHoursBulkItem(serializers.Serializer):
    """One entry the online training platform pushes: a cadre's hours of a year from a provider."""

    id_number = serializers.CharField(max_length=18, label=_("公民身份号码"))
    year = serializers.IntegerField(min_value=2000, max_value=2100, label=_("年度"))
    provider = serializers.CharField(max_length=100, label=_("举办单位（平台）"))
    kind = serializers.ChoiceField(codes.ExternalHoursKind.choices, required=False, label=_("类别"))
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, required=False, label=_("学时"))
    evidence = serializers.CharField(max_length=200, required=False, allow_blank=True, label=_("证明材料"))

    def validate_id_number(self, value):
        return normalize_id_number(value)


class ExternalHoursViewSet(ReviewActionMixin, BulkMixin, OrgViewSet):
    """其他学时: recorded (待审核) and corrected while pending; reviewed with POST …/review/;
    pushed by the online platform with POST …/bulk/ (matched by ID number, year and provider: a
    pending entry is corrected, a reviewed one refuses a change)."""

    bulk_item_serializer = ExternalHoursBulkItem
    bulk_key = {"id_number": "cadre__id_number", "year": "year", "provider": "provider"}
    bulk_example = {
        "id_number": "110105199003070017",
        "year": 2026,
        "provider": "干部网络学院",
        "kind": "online",
        "hours": "12.5",
        "evidence": "平台学习记录 2026-0001",
    }

    def bulk_payload(self, key, fields, existing):
        if existing is not None:
            return fields
        cadre = (
            access.scope(Cadre.objects.all(), self.request.user)
            .filter(id_number=key["id_number"])
            .values_list("pk", flat=True)
            .first()
        )
        if cadre is None:
            raise serializers.ValidationError(
                {"id_number": [_("没有该公民身份号码的干部，或不在您的管辖范围内")]}
            )
        return {**fields, "cadre": cadre, "year": key["year"], "provider": key["provider"]}


register(
    "training-hours-requirements",
    HoursRequirement,
    filterset_fields=["counting", "window_years", "active"],
    search_fields=["name", "basis"],
    ordering_fields=["id", "priority", "hours"],
)
register(
    "training-external-hours",
    ExternalHours,
    viewset=ExternalHoursViewSet,
    filterset_fields=["cadre", "year", "kind", "status"],
    search_fields=["cadre__name", "provider", "evidence"],
    ordering_fields=["id", "year", "hours"],
    select_related=["cadre", "reviewed_by"],
)


# --- the hours ledger ------------------------------------------------------------------------------
class LedgerQuerySerializer(ReportQuerySerializer):
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, label=_("年度"), help_text=_("默认今年")
    )
    level = serializers.ChoiceField(codes.LeadershipLevel.choices, required=False, label=_("职务层次"))
    short = serializers.BooleanField(
        required=False, default=False, label=_("未达标"), help_text=_("1：只列出未达到学时要求的干部")
    )
    search = serializers.CharField(required=False, label=_("姓名"))


def _hours(**kwargs):
    return serializers.DecimalField(max_digits=8, decimal_places=1, read_only=True, **kwargs)


class LedgerSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    rank_display = serializers.CharField(source="get_rank_display", read_only=True)
    class_hours = _hours(help_text=_("结业班次认定学时（班次结业日期在该年度）"))
    external_hours = _hours(help_text=_("已认可的其他学时（网络培训、外单位培训、自学）"))
    online_hours = _hours(help_text=_("网络学习学时：已认可的网络培训学时与网络培训班次学时"))
    total = _hours(help_text=_("年度合计：班次学时＋其他学时"))
    required = _hours(allow_null=True, help_text=_("适用学时要求的学时数；无适用要求时为空"))
    window_years = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("要求的周期（年）"))
    window_total = _hours(allow_null=True, help_text=_("周期内累计计入学时"))
    shortfall = _hours(allow_null=True, help_text=_("尚差学时"))
    met = serializers.BooleanField(read_only=True, allow_null=True, help_text=_("是否达标"))
    in_grace = serializers.BooleanField(read_only=True, help_text=_("未达标但在提任后补足期限内"))
    online_required = _hours(allow_null=True, help_text=_("网络学习要求"))
    online_window_total = _hours(allow_null=True, help_text=_("网络学习周期内累计"))
    online_met = serializers.BooleanField(read_only=True, allow_null=True, help_text=_("网络学习是否达标"))

    class Meta:
        model = Cadre
        fields = [
            "id",
            "name",
            "unit",
            "unit_name",
            "post",
            "level",
            "level_display",
            "rank",
            "rank_display",
            "class_hours",
            "external_hours",
            "online_hours",
            "total",
            "required",
            "window_years",
            "window_total",
            "shortfall",
            "met",
            "in_grace",
            "online_required",
            "online_window_total",
            "online_met",
        ]
        read_only_fields = fields


def ledger_queryset(user, query: dict):
    """The ledger rows the query asks for, among the cadres `user` may see (serving ones)."""
    cadres = access.scope(Cadre.objects.all(), user).filter(status=codes.CadreStatus.SERVING)
    if query.get("unit_subtree"):
        unit = subtree_unit(query["unit_subtree"], access.scope(Unit.objects.all(), user))
        cadres = in_subtree(cadres, "unit__path", unit)
    if query.get("level"):
        cadres = cadres.filter(level=query["level"])
    if query.get("search"):
        cadres = cadres.filter(Q(name__contains=query["search"]))
    rows = ledger.with_hours(cadres, year=query.get("year") or timezone.localdate().year)
    if query.get("short"):
        rows = ledger.short(rows)
    return rows.select_related("unit").order_by("unit__path", "name", "id")


class HoursLedgerViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """学时统计: serving cadres in the user's jurisdiction with their hours of the year against the
    requirement (training.ledger), paginated."""

    permission_classes = [ReportPermission]
    required_perms = {"list": LEDGER_PERMS}
    serializer_class = LedgerSerializer
    pagination_class = Pagination
    filter_backends = []
    queryset = Cadre.objects.none()

    def get_queryset(self):
        return ledger_queryset(self.request.user, validated(LedgerQuerySerializer, self.request.query_params))

    @extend_schema(
        summary=_("学时统计"),
        description=_(
            "管辖范围内在职干部的年度学时：结业班次认定学时（按班次结业日期所在年度）、已认可的其他学时、网络学习学时，"
            "与适用的学时要求（周期内累计）比较。short=1 只列未达标者。"
        ),
        parameters=[LedgerQuerySerializer],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


router.register("training-hours", HoursLedgerViewSet, basename="training-hours")


# --- 科学调训: candidates for a class ----------------------------------------------------------------
class CandidatesQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, default=50, min_value=1, max_value=500, label=_("人数"))


class CandidateSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    owed = _hours(help_text=_("尚欠学时（按班次开班年度的学时要求）"))
    required = _hours(allow_null=True)
    window_total = _hours(allow_null=True)
    last_trained = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("最近一次结业班次的结业日期")
    )

    class Meta:
        model = Cadre
        fields = [
            "id",
            "name",
            "unit",
            "unit_name",
            "post",
            "level",
            "level_display",
            "owed",
            "required",
            "window_total",
            "last_trained",
        ]
        read_only_fields = fields


class CandidatesViewSet(viewsets.GenericViewSet):
    """科学调训: the cadres proposed for a class (training.candidates), most in need first."""

    permission_classes = [ReportPermission]
    required_perms = {"list": ("cadres.view_cadre", "training.view_trainingclass", "training.view_enrolment")}
    serializer_class = CandidateSerializer
    filter_backends = []
    pagination_class = None
    queryset = Cadre.objects.none()

    @extend_schema(
        summary=_("科学调训：推荐人选"),
        description=_(
            "班次调训对象职务层次内、管辖范围内的在职干部，排除已报名该班次者和班次期间正在挂职锻炼者；"
            "按尚欠学时从多到少、距上次结业时间从长到短（从未参训者在前）排序。"
        ),
        parameters=[CandidatesQuerySerializer],
        responses=CandidateSerializer(many=True),
    )
    def list(self, request, class_pk=None):
        training_class = get_object_or_404(TrainingClass.objects.all(), pk=class_pk)
        limit = validated(CandidatesQuerySerializer, request.query_params)["limit"]
        rows = proposing.candidates(training_class, request.user)[:limit]
        return Response(self.get_serializer(rows, many=True).data)


router.register(
    r"training-classes/(?P<class_pk>[0-9]+)/candidates",
    CandidatesViewSet,
    basename="training-class-candidates",
)


# --- 调训覆盖 reports --------------------------------------------------------------------------------
class CoverageQuerySerializer(ReportQuerySerializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, label=_("年度"))
    level = serializers.ChoiceField(codes.LeadershipLevel.choices, required=False, label=_("职务层次"))
    window_years = serializers.IntegerField(
        required=False, default=covering.DEFAULT_WINDOW, min_value=1, max_value=10, label=_("周期（年）")
    )
    limit = serializers.IntegerField(
        required=False,
        default=covering.DEFAULT_LIMIT,
        min_value=0,
        max_value=1000,
        label=_("未参训名单人数上限"),
    )


class QuotaQuerySerializer(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1, label=_("年度调训计划（编号）"))


class _Ref(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _Code(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class _Shares(serializers.Serializer):
    total = serializers.IntegerField(help_text=_("在职干部数"))
    trained_year = serializers.IntegerField(help_text=_("本年度参训（结业）人数"))
    trained_year_percent = serializers.FloatField()
    trained_window = serializers.IntegerField(help_text=_("周期内参训（结业）人数"))
    trained_window_percent = serializers.FloatField()
    not_trained_year = serializers.IntegerField(help_text=_("本年度未参训人数"))


class _LevelShares(_Shares, _Code):
    count = serializers.IntegerField()


class _NotTrained(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = _Ref()
    level = serializers.CharField()
    level_display = serializers.CharField()
    post = serializers.CharField()
    last_trained = serializers.DateField(allow_null=True)


class _CoverageFilters(serializers.Serializer):
    unit = _Ref(allow_null=True)
    level = _Code(allow_null=True)
    year = serializers.IntegerField()
    window_years = serializers.IntegerField()


class _Window(serializers.Serializer):
    year_from = serializers.IntegerField()
    year_to = serializers.IntegerField()


class CoverageSerializer(_Shares):
    filters = _CoverageFilters()
    window = _Window()
    levels = _LevelShares(many=True, help_text=_("按职务层次"))
    not_trained = _NotTrained(many=True, help_text=_("本年度未参训的干部（按单位、姓名，至多 limit 人）"))
    limit = serializers.IntegerField()


class _StatusCount(_Code):
    count = serializers.IntegerField()


class _QuotaRow(serializers.Serializer):
    id = serializers.IntegerField()
    training_class = _Ref()
    unit = _Ref()
    quota = serializers.IntegerField(help_text=_("名额"))
    by_status = _StatusCount(many=True, help_text=_("调训确认、在训、结业人数"))
    sent = serializers.IntegerField(help_text=_("已调训人数（含下级单位）"))
    short = serializers.IntegerField(help_text=_("尚缺人数"))
    percent = serializers.FloatField()


class QuotaReportSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    quotas = _QuotaRow(many=True)
    quota = serializers.IntegerField()
    sent = serializers.IntegerField()
    percent = serializers.FloatField()


class TrainingReportViewSet(ReportViewSet):
    """调训覆盖与名额完成情况 (training.coverage), in the user's jurisdiction."""

    queryset = Cadre.objects.all()
    required_perms = {
        "coverage": ("cadres.view_cadre", "training.view_enrolment"),
        "quotas": ("training.view_planquota", "training.view_enrolment"),
    }

    @extend_schema(
        summary=_("调训覆盖率"),
        description=_(
            "在职干部按职务层次：本年度与近 window_years 年内参训（有结业班次）的人数与比例，及本年度未参训者名单。"
        ),
        parameters=[CoverageQuerySerializer],
        responses=CoverageSerializer,
    )
    @action(detail=False)
    def coverage(self, request):
        query = validated(CoverageQuerySerializer, request.query_params)
        query["year"] = query.get("year") or timezone.localdate().year
        report = covering.coverage(self.scoped(Cadre), units=self.scoped(Unit), **query)
        return Response(CoverageSerializer(report).data)

    @extend_schema(
        summary=_("调训名额完成情况"),
        description=_("年度调训计划各班次、各单位的名额与已调训人数（调训确认、在训、结业，含下级单位）。"),
        parameters=[QuotaQuerySerializer],
        responses=QuotaReportSerializer,
    )
    @action(detail=False)
    def quotas(self, request):
        query = validated(QuotaQuerySerializer, request.query_params)
        report = covering.quota_fulfilment(self.scoped(PlanQuota), plan=query["plan"])
        return Response(QuotaReportSerializer(report).data)


router.register("training-reports", TrainingReportViewSet, basename="training-reports")
