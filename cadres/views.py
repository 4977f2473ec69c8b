from urllib.parse import quote

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from orgportal import access
from orgportal.api import (
    ChangePermissions,
    OrgViewSet,
    RosterImportMixin,
    RuleFilter,
    RuleFlagsMixin,
    action_data,
    register,
    router,
)
from orgportal.bulk import BulkMixin
from orgportal.validators import normalize_id_number

from . import appointments, lrmx, models, services, succession, teams
from .filters import AppointmentCaseFilter, CadreFilter
from .query_api import CadreQueryMixin
from .serializers import (
    AppointmentCaseSerializer,
    AppointmentStepSerializer,
    CadreDetailSerializer,
    CadreSerializer,
    CaseCompleteSerializer,
    CaseWithdrawSerializer,
    PoolExitSerializer,
    PoolMembershipSerializer,
    StepRecordSerializer,
    WarningCloseSerializer,
)
from .structure import StructureViewSet
from .teams import TeamReportViewSet
from .timeline import TimelineEventSerializer, timeline

# --- 干部任免审批表 (.lrmx) ---------------------------------------------------------------------------
LRMX_MEDIA_TYPE = "application/xml"


def lrmx_response(cadre, case, user, channel: str) -> HttpResponse:
    """The .lrmx of a cadre (or case) as a download; needs orgportal.view_sensitive (403 otherwise)."""
    try:
        data = lrmx.export(cadre, user=user, case=case, channel=channel)
    except PermissionError as error:
        raise exceptions.PermissionDenied(str(error)) from error
    response = HttpResponse(data, content_type=f"{LRMX_MEDIA_TYPE}; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(lrmx.filename(cadre, case))}"
    return response


class LrmxMixin:
    """`GET …/<id>/lrmx/`: the record's 干部任免审批表 as an .lrmx exchange file (a case adds its 拟任,
    拟免 and 任免理由); needs the permission to view sensitive fields."""

    @extend_schema(
        summary="干部任免审批表（.lrmx）",
        responses={
            (200, LRMX_MEDIA_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="UTF-8 XML（带 BOM）")
        },
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def lrmx(self, request, pk=None):
        """The 干部任免审批表 as an .lrmx exchange file (needs the permission to view sensitive fields)."""
        obj = self.get_object()
        if isinstance(obj, models.AppointmentCase):
            return lrmx_response(obj.cadre, obj, request.user, "api")
        return lrmx_response(obj, None, request.user, "api")


# The basic fields the HR system keeps and pushes (POST /api/v1/cadres/bulk/); the post, unit, level
# and rank follow movements (cadres.services.record_movement), so HR does not set them here.
HR_FIELDS = [
    "name",
    "native_place",
    "birthplace",
    "health",
    "political_status",
    "party_join_date",
    "work_start_date",
    "professional_title",
    "expertise",
    "ft_education",
    "ft_degree",
    "ft_school",
    "pt_education",
    "pt_degree",
    "pt_school",
]


class CadreBulkItem(drf_serializers.ModelSerializer):
    """One cadre's basic fields from the HR system, matched by ID number (existing cadres only)."""

    id_number = drf_serializers.CharField(max_length=18, label="公民身份号码")

    class Meta:
        model = models.Cadre
        fields = ["id_number", *HR_FIELDS]
        extra_kwargs = {name: {"required": False} for name in HR_FIELDS}
        validators = []

    def validate_id_number(self, value):
        return normalize_id_number(value)


class CadreViewSet(BulkMixin, CadreQueryMixin, LrmxMixin, RuleFlagsMixin, RosterImportMixin, OrgViewSet):
    """干部: list with derived filters (党外, 少数民族, 最高学历, 年龄段, 预警, 处分影响期, 待提醒); detail with children.
    The HR system updates basic fields with POST …/bulk/ (matched by ID number)."""

    bulk_item_serializer = CadreBulkItem
    bulk_key = {"id_number": "id_number"}
    bulk_creates = False
    bulk_example = {
        "id_number": "110105199003070017",
        "professional_title": "高级经济师",
        "pt_education": "21",
    }

    rules_purpose = "reminder"
    roster = "cadres.standard"

    queryset = models.Cadre.objects.select_related("unit").with_warning_level()
    serializer_class = CadreSerializer
    filterset_class = CadreFilter
    search_fields = ["name", "id_number", "post"]
    ordering_fields = ["id", "name", "birth_date", "post_since", "updated_at", "unit__path"]
    ordering = ["unit__path", "name", "id"]

    def get_serializer_class(self):
        return CadreDetailSerializer if self.action == "retrieve" else CadreSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(*CadreDetailSerializer.CHILDREN)
        return queryset

    @extend_schema(responses=TimelineEventSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request, pk=None):
        """成长档案时间轴（一人一档）: everything recorded on the cadre, oldest first; sensitive text masked."""
        return Response(TimelineEventSerializer(timeline(self.get_object(), request.user), many=True).data)


class WarningViewSet(OrgViewSet):
    """预警: raised through the service (POST), closed with POST …/close/."""

    create_service = staticmethod(services.raise_warning)
    read_only_after_create = True

    @extend_schema(request=WarningCloseSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def close(self, request, pk=None):
        """解除预警."""
        data = action_data(WarningCloseSerializer, request)
        warning = services.close_warning(self.get_object(), by=request.user, **data)
        return Response(self.get_serializer(warning).data)


class PoolMembershipViewSet(RuleFlagsMixin, OrgViewSet):
    """年轻干部库成员: admitted with POST (the admit service), exited with POST …/exit/."""

    roster = "cadres.pool"

    read_only_after_create = True
    rules_purpose = "pool"

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.admit_to_pool(
            data["cadre"],
            source=data["source"],
            on=data["entered_on"],
            programme=data.get("programme"),
            tier=data.get("tier"),
            recommending_unit=data.get("recommending_unit"),
            by=self.request.user,
        )

    @extend_schema(request=PoolExitSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions], url_path="exit")
    def exit_pool(self, request, pk=None):
        """调整出库."""
        data = action_data(PoolExitSerializer, request)
        membership = services.exit_pool(self.get_object(), by=request.user, **data)
        return Response(self.get_serializer(membership).data)


class ServiceCreatedViewSet(OrgViewSet):
    read_only_after_create = True


router.register("cadres", CadreViewSet)
CHILD = {"filterset_fields": ["cadre"], "ordering_fields": ["id", "updated_at"]}
register("resume-entries", models.ResumeEntry, **CHILD)
register("family-members", models.FamilyMember, **CHILD, search_fields=["name"])
register("assessments", models.AnnualAssessment, filterset_fields=["cadre", "year", "result"])
register("rewards", models.Reward, **CHILD, search_fields=["name", "doc_number"])
register(
    "sanctions",
    models.Sanction,
    filterset_fields=["cadre", "kind", "sanction"],
    create_service=staticmethod(services.add_sanction),
)
register(
    "movements",
    models.Movement,
    viewset=ServiceCreatedViewSet,
    filterset_fields=["cadre", "kind", "to_unit", "from_unit"],
    read_only_fields=["from_unit", "from_post", "from_level", "from_rank"],
    create_service=staticmethod(services.record_movement),
)
register(
    "warnings",
    models.CadreWarning,
    viewset=WarningViewSet,
    filterset_fields=["cadre", "level", "source"],
    read_only_fields=["closed_on"],
)
register("supervision-measures", models.SupervisionMeasure, filterset_fields=["cadre", "kind"])
register("personal-reports", models.PersonalMattersReport, filterset_fields=["cadre", "year", "consistent"])
register(
    "promotion-checks",
    models.PromotionCheck,
    filterset_fields=["cadre", "result"],
    create_service=staticmethod(services.record_promotion_check),
)
register("archive-reviews", models.ArchiveReview, filterset_fields=["cadre", "status"])
register("archive-findings", models.ArchiveFinding, filterset_fields=["review", "item", "resolved"])
register("programmes", models.Programme, filterset_fields=["year", "tier", "status"], search_fields=["name"])
register(
    "pool-memberships",
    models.PoolMembership,
    viewset=PoolMembershipViewSet,
    serializer=PoolMembershipSerializer,
    filterset_fields=["cadre", "programme", "tier", "status", "source", "exit_reason"],
    search_fields=["cadre__name"],
    ordering_fields=["id", "entered_on", "exited_on"],
    select_related=["cadre", "cadre__unit"],
    extra_filters={"rule": RuleFilter("pool")},
)
register("development-plans", models.DevelopmentPlan, filterset_fields=["membership"])
register("plan-measures", models.PlanMeasure, filterset_fields=["plan", "done"])
register("plan-reviews", models.PlanReview, filterset_fields=["plan"])
register("dossier-entries", models.DossierEntry, filterset_fields=["cadre", "kind"], search_fields=["text"])
register("postings", models.Posting, filterset_fields=["cadre", "kind", "host_kind", "host_unit"])

# 梯次配备: GET /api/v1/structure/cadres/ and /api/v1/structure/pool/ (cadres.structure)

router.register("structure", StructureViewSet, basename="structure")


# --- 任免事项 (cadres.appointments) ---------------------------------------------------------------


class AppointmentCaseViewSet(LrmxMixin, OrgViewSet):
    """任免事项: opened with POST (动议), then POST …/steps/ (a step, in the configured order),
    …/complete/ (办结: records the movement) or …/withdraw/ (撤销, kept with its reason)."""

    queryset = models.AppointmentCase.objects.select_related("cadre", "cadre__unit").prefetch_related("steps")
    serializer_class = AppointmentCaseSerializer
    filterset_class = AppointmentCaseFilter
    search_fields = ["cadre__name", "proposed_post", "removed_post", "reason"]
    ordering_fields = ["id", "opened_on", "completed_on", "updated_at"]
    ordering = ["-opened_on", "-id"]
    create_service = staticmethod(appointments.open_case)
    read_only_after_create = True

    def _done(self, case):
        return Response(self.get_serializer(self.get_queryset().get(pk=case.pk)).data)

    @extend_schema(request=StepRecordSerializer, responses=AppointmentStepSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def steps(self, request, pk=None):
        """记录一个程序步骤（按配置的顺序）."""
        data = action_data(StepRecordSerializer, request)
        step = appointments.record_step(self.get_object(), by=request.user, **data)
        context = self.get_serializer_context()
        return Response(AppointmentStepSerializer(step, context=context).data, status=201)

    @extend_schema(request=CaseCompleteSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def complete(self, request, pk=None):
        """办结：记录任免（现职务、职务层次、职级随之更新）；不符合条件时列出全部原因."""
        data = action_data(CaseCompleteSerializer, request)
        return self._done(appointments.complete_case(self.get_object(), by=request.user, **data))

    @extend_schema(request=CaseWithdrawSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def withdraw(self, request, pk=None):
        """撤销（事项保留，记录原因）."""
        data = action_data(CaseWithdrawSerializer, request)
        return self._done(appointments.withdraw_case(self.get_object(), by=request.user, **data))


router.register("appointment-cases", AppointmentCaseViewSet)
register(
    "appointment-steps",
    models.AppointmentStep,
    viewset=ServiceCreatedViewSet,
    serializer=AppointmentStepSerializer,
    filterset_fields=["case", "step", "outcome"],
    select_related=["case", "case__cadre"],
    create_service=staticmethod(appointments.record_step),
)
register(
    "appointment-objections",
    models.PublicityObjection,
    filterset_fields=["step", "resolved"],
    select_related=["step", "step__case", "step__case__cadre"],
)
register(
    "appointment-step-requirements",
    models.StepRequirement,
    filterset_fields=["case_kind", "step"],
    ordering_fields=["id", "case_kind", "order"],
)


# --- 领导班子 (cadres.teams): 职数, 结构要求, 综合研判, 平时考核; GET /api/v1/team-reports/ -----------------

register(
    "post-quotas",
    models.PostQuota,
    filterset_fields=["unit", "level", "post_kind"],
    search_fields=["unit__name", "doc_number"],
    ordering_fields=["id", "unit__path", "level"],
    select_related=["unit"],
)
register(
    "team-rules",
    models.TeamRule,
    filterset_fields=["unit_kind", "kind", "active"],
    ordering_fields=["id", "unit_kind", "sort_order"],
)
register(
    "team-analyses",
    models.TeamAnalysis,
    filterset_fields=["unit", "year", "rating"],
    search_fields=["unit__name"],
    ordering_fields=["id", "year", "unit__path"],
    select_related=["unit"],
)
register(
    "member-assessments",
    models.MemberAssessment,
    filterset_fields=["analysis", "cadre"],
    search_fields=["cadre__name"],
    select_related=["analysis", "cadre"],
)
register(
    "regular-assessments",
    models.RegularAssessment,
    filterset_fields=["cadre", "year", "quarter", "rating"],
    search_fields=["cadre__name"],
    ordering_fields=["id", "year", "quarter"],
    select_related=["cadre"],
)
router.register("team-reports", TeamReportViewSet, basename="team-report")


# --- 换届 planning (cadres.succession): GET …/succession-plans/<id>/preview/ ---------------------------
class SuccessionPlanViewSet(OrgViewSet):
    """换届方案: CRUD, and `GET …/<id>/preview/` — the plan's teams today and after its proposals."""

    @extend_schema(
        summary="换届方案预览",
        description=(
            "方案涉及的每个班子现状与按方案调整后并列：各职务层次核定、实配、缺配、超配，结构要求是否达到及原因，"
            "班子结构和成员；每条建议的人选在年轻干部库的调整提示和干部记录（处分影响期、红色预警、非在职）。"
            "只读，不作任何修改。"
        ),
        responses=succession.PreviewSerializer,
    )
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        """换届方案预览（只读）."""
        if not request.user.has_perms(teams.REQUIRED_PERMS):
            raise exceptions.PermissionDenied()
        plan = self.get_object()
        cadres, quotas = (
            access.scope(m.objects.all(), request.user) for m in (models.Cadre, models.PostQuota)
        )
        return Response(succession.preview(plan, cadres=cadres, quotas=quotas))


class SuccessionProposalViewSet(OrgViewSet):
    """换届方案建议: CRUD; `POST …/<id>/open-case/` turns an accepted one into an appointment case."""

    @extend_schema(request=succession.OpenCaseSerializer, responses={201: AppointmentCaseSerializer})
    @action(detail=True, methods=["post"], url_path="open-case", permission_classes=[ChangePermissions])
    def open_case(self, request, pk=None):
        """启动任免事项（已采纳的建议，一次）."""
        if not request.user.has_perm("cadres.add_appointmentcase"):
            raise exceptions.PermissionDenied()
        data = action_data(succession.OpenCaseSerializer, request)
        case = succession.open_case(self.get_object(), by=request.user, **data)
        context = self.get_serializer_context()
        return Response(AppointmentCaseSerializer(case, context=context).data, status=201)


register(
    "succession-plans",
    models.SuccessionPlan,
    viewset=SuccessionPlanViewSet,
    filterset_fields=["unit", "status"],
    search_fields=["name"],
    ordering_fields=["id", "on_date", "name"],
    queryset=models.SuccessionPlan.objects.select_related("unit").prefetch_related("teams"),
)
register(
    "succession-proposals",
    models.SuccessionProposal,
    viewset=SuccessionProposalViewSet,
    filterset_fields=["plan", "kind", "status", "team", "cadre"],
    search_fields=["cadre__name", "post"],
    ordering_fields=["id", "kind", "status"],
    select_related=["plan", "plan__unit", "cadre", "team"],
)
