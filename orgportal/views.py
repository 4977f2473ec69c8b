from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from .api import ModelPermissions, OrgViewSet, register, router
from .filters import UnitAssignmentFilter, UnitFilter
from .models import ApiToken, AuditEvent, ExportLog, IdempotencyKey, Rule, Unit, UnitAssignment
from .serializers import UnitAssignmentSerializer, UnitSerializer, UnitTreeSerializer


class UnitViewSet(OrgViewSet):
    """Organisation units (单位); `unit_subtree=<id>` lists a unit and everything under it."""

    queryset = Unit.objects.all()
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    search_fields = ["name", "short_name", "region_code"]
    ordering_fields = ["path", "name", "sort_order", "region_code", "updated_at"]
    ordering = ["path"]

    @extend_schema(
        summary=_("单位树"),
        parameters=[
            OpenApiParameter("root", int, description=_("从该单位开始（默认：用户可见的全部顶层单位）"))
        ],
        responses=UnitTreeSerializer(many=True),
    )
    @action(detail=False, pagination_class=None, filterset_class=None)
    def tree(self, request):
        """The visible units as a nested tree, built from one query."""
        units = self.get_queryset().only(
            "id", "name", "short_name", "kind", "parent_id", "path", "sort_order"
        )
        root = request.query_params.get("root")
        if root and not (root.isascii() and root.isdigit()):
            raise ValidationError({"root": [_("应为单位编号（整数）")]})
        if root:
            path = units.filter(pk=root).values_list("path", flat=True).first()
            units = units.filter(path__startswith=path) if path else units.none()
        units = list(units)
        nodes = {}
        for unit in units:
            nodes[unit.pk] = {
                "id": unit.pk,
                "name": unit.name,
                "short_name": unit.short_name,
                "kind": unit.kind,
                "children": [],
                "_order": (unit.sort_order, unit.name),
            }
        roots = []
        for unit in units:
            parent = nodes.get(unit.parent_id)
            (parent["children"] if parent else roots).append(nodes[unit.pk])

        def finish(items):
            items.sort(key=lambda n: n.pop("_order"))
            for item in items:
                finish(item["children"])
            return items

        return Response(finish(roots))


class UnitAssignmentViewSet(OrgViewSet):
    """Which units (with their subtrees) each staff user works on."""

    queryset = UnitAssignment.objects.select_related("unit", "user")
    serializer_class = UnitAssignmentSerializer
    filterset_class = UnitAssignmentFilter
    search_fields = ["user__username", "unit__name"]
    ordering_fields = ["id", "updated_at"]


router.register("units", UnitViewSet)
router.register("unit-assignments", UnitAssignmentViewSet)
register("rules", Rule, filterset_fields=["purpose", "kind", "active"], search_fields=["name"])


class ReadOnlyViewSet(OrgViewSet):
    http_method_names = ["get", "head", "options"]


class AuditPermissions(ModelPermissions):
    """Reading the audit and export logs needs orgportal.view_audit (the 审计 group, superusers)."""

    perms_map = {
        **ModelPermissions.perms_map,
        "GET": ["orgportal.view_audit"],
        "HEAD": ["orgportal.view_audit"],
    }


register(
    "export-logs",
    ExportLog,
    viewset=ReadOnlyViewSet,
    permission_classes=[AuditPermissions],
    filterset_fields=["user", "roster", "channel"],
    search_fields=["roster", "filters"],
    ordering_fields=["id", "created_at"],
    select_related=["user"],
)


register(
    "audit-events",
    AuditEvent,
    viewset=ReadOnlyViewSet,
    permission_classes=[AuditPermissions],
    filterset_fields=["kind", "user", "username", "channel", "model"],
    search_fields=["username", "model", "object_ids"],
    ordering_fields=["id", "created_at"],
    select_related=["user"],
)
register(
    "api-tokens",
    ApiToken,
    viewset=ReadOnlyViewSet,  # created in the admin or by `manage.py create_api_token` (the key shown once)
    fields=["id", "user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"],
    filterset_fields=["user"],
    search_fields=["name", "prefix"],
    ordering_fields=["id", "created_at", "last_used_at"],
    select_related=["user"],
)
register(
    "idempotency-keys",
    IdempotencyKey,
    viewset=ReadOnlyViewSet,  # written by orgportal.bulk only
    filterset_fields=["user", "key", "status_code"],
    search_fields=["key", "endpoint"],
    ordering_fields=["id", "created_at"],
    select_related=["user"],
)
