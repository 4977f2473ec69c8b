from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from orgportal import access, codes
from orgportal.api import ChangePermissions, OrgViewSet, ReviewActionMixin, action_data, register
from orgportal.bulk import BulkMixin

from . import models, services
from .filters import (
    CertificationFilter,
    PlanIndicatorFilter,
    PointEntryFilter,
    ServiceRequestFilter,
    SigningAgreementFilter,
    SigningEventFilter,
    StudioEvaluationFilter,
    StudioFilter,
    StudioMemberFilter,
    TalentCardFilter,
    TalentFilter,
    TargetedTraineeFilter,
    TraineeTrackingFilter,
)
from .serializers import (
    CardCancelSerializer,
    CardLostSerializer,
    CardRenewSerializer,
    CertificationSerializer,
    CertifyByPointsSerializer,
    CompleteServiceSerializer,
    DepartureSerializer,
    EndTraineeSerializer,
    PlaceTraineeSerializer,
    PlanIndicatorSerializer,
    RequestAdvanceSerializer,
    ServiceRequestSerializer,
    SigningEventSerializer,
    TalentCardSerializer,
    TalentSerializer,
    TargetedTraineeSerializer,
)


class TalentViewSet(OrgViewSet):
    """人才: created and edited directly; 流失 is recorded with POST …/departure/ (the record stays);
    a certification that approved 乡土人才积分 propose is confirmed with POST …/certify-by-points/."""

    def get_queryset(self):
        return super().get_queryset().with_points()

    @extend_schema(request=CertifyByPointsSerializer, responses=CertificationSerializer)
    @action(
        detail=True, methods=["post"], permission_classes=[ChangePermissions], url_path="certify-by-points"
    )
    def certify_by_points(self, request, pk=None):
        """按积分认定."""
        if not request.user.has_perm("talent.add_certification"):
            raise PermissionDenied
        certification = services.certify_by_points(
            self.get_object(), by=request.user, **action_data(CertifyByPointsSerializer, request)
        )
        return Response(CertificationSerializer(certification, context={"request": request}).data)

    @extend_schema(request=DepartureSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def departure(self, request, pk=None):
        """登记流失."""
        talent = services.record_departure(
            self.get_object(), by=request.user, **action_data(DepartureSerializer, request)
        )
        return Response(self.get_serializer(talent).data)


class PointEntryViewSet(ReviewActionMixin, OrgViewSet):
    """乡土人才积分: recorded (待审核) and corrected while pending; reviewed with POST …/review/."""


class TargetedTraineeViewSet(OrgViewSet):
    """定向培养学生: created and edited directly; 就业, 履约期满, 违约 and 退学 with POST …/place/,
    …/complete/, …/breach/, …/withdraw/."""

    def _changed(self, request, service, form):
        trainee = service(self.get_object(), by=request.user, **action_data(form, request))
        return Response(self.get_serializer(trainee).data)

    @extend_schema(request=PlaceTraineeSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def place(self, request, pk=None):
        """登记就业."""
        return self._changed(request, services.place_trainee, PlaceTraineeSerializer)

    @extend_schema(request=CompleteServiceSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def complete(self, request, pk=None):
        """登记履约期满."""
        return self._changed(request, services.complete_service, CompleteServiceSerializer)

    @extend_schema(request=EndTraineeSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def breach(self, request, pk=None):
        """登记违约."""
        return self._changed(request, services.record_breach, EndTraineeSerializer)

    @extend_schema(request=EndTraineeSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def withdraw(self, request, pk=None):
        """登记退学（终止培养）."""
        return self._changed(request, services.withdraw_trainee, EndTraineeSerializer)


class SigningEventViewSet(OrgViewSet):
    """引才签约活动, with what each signed: agreement_count, headcount_total, amount_total."""

    def get_queryset(self):
        return super().get_queryset().with_totals()


class CertificationViewSet(OrgViewSet):
    """高层次人才认定: recorded with POST (the certify service, which also sets the talent's level)."""

    read_only_after_create = True

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.certify(
            data["talent"],
            level=data["level"],
            on=data["certified_on"],
            number=data["certificate_number"],
            valid_until=data.get("valid_until"),
            basis=data.get("basis", ""),
            by=self.request.user,
        )


class TalentCardViewSet(OrgViewSet):
    """英才卡: issued with POST; renewed, reported lost and cancelled with POST …/renew/, …/report-lost/,
    …/cancel/."""

    read_only_after_create = True

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.issue_card(
            data["talent"],
            number=data["number"],
            tier=data["tier"],
            on=data["issued_on"],
            expires_on=data["expires_on"],
            commissioner=data["commissioner"],
            by=self.request.user,
        )

    @extend_schema(request=CardRenewSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def renew(self, request, pk=None):
        """续期."""
        card = services.renew_card(
            self.get_object(), by=request.user, **action_data(CardRenewSerializer, request)
        )
        return Response(self.get_serializer(card).data)

    @extend_schema(request=CardLostSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions], url_path="report-lost")
    def report_lost(self, request, pk=None):
        """挂失."""
        card = services.report_card_lost(
            self.get_object(), by=request.user, **action_data(CardLostSerializer, request)
        )
        return Response(self.get_serializer(card).data)

    @extend_schema(request=CardCancelSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def cancel(self, request, pk=None):
        """注销."""
        card = services.cancel_card(
            self.get_object(), by=request.user, **action_data(CardCancelSerializer, request)
        )
        return Response(self.get_serializer(card).data)


class ServiceRequestBulkItem(drf_serializers.Serializer):
    """One service request as the talent service platform reports it: matched by card number, kind
    and 受理日期; opened when new, moved on to `status` (through 办理中 when needed)."""

    card = drf_serializers.CharField(max_length=30, label="卡号")
    kind = drf_serializers.ChoiceField(codes.ServiceKind.choices, label="服务事项")
    opened_on = drf_serializers.DateField(label="受理日期")
    due_on = drf_serializers.DateField(required=False, label="办理时限（新受理时必填）")
    detail = drf_serializers.CharField(required=False, allow_blank=True, label="诉求内容")
    handled_by = drf_serializers.CharField(
        max_length=100, required=False, allow_blank=True, label="承办单位（人）"
    )
    status = drf_serializers.ChoiceField(codes.ServiceRequestStatus.choices, required=False, label="办理状态")
    reason = drf_serializers.CharField(required=False, allow_blank=True, label="不予办理理由")
    closed_on = drf_serializers.DateField(required=False, allow_null=True, label="办结日期（默认今天）")
    satisfaction = drf_serializers.ChoiceField(
        codes.Satisfaction.choices, required=False, allow_blank=True, label="满意度"
    )


class ServiceRequestViewSet(BulkMixin, OrgViewSet):
    """英才卡服务事项: opened with POST; moved on (办理中, 办结, 不予办理) with POST …/advance/; the
    service platform pushes requests and their progress with POST …/bulk/."""

    read_only_after_create = True
    bulk_item_serializer = ServiceRequestBulkItem
    bulk_key = {"card": "card__number", "kind": "kind", "opened_on": "opened_on"}
    bulk_example = {
        "card": "ZYYC000001",
        "kind": "housing",
        "opened_on": "2026-01-05",
        "due_on": "2026-02-04",
        "detail": "申请入住人才公寓",
        "status": "done",
        "closed_on": "2026-01-20",
        "satisfaction": "satisfied",
    }

    def bulk_write(self, key, fields, existing):
        """Open the request when new (talent.services.open_request), then move it on to the status
        sent, step by step through the services' transitions; what is fixed at 受理 is not changed."""
        form = ServiceRequestBulkItem(data={**key, **fields})
        form.is_valid(raise_exception=True)
        item, user = form.validated_data, self.request.user
        created = existing is None
        if created:
            card = access.scope(models.TalentCard.objects.all(), user).filter(number=item["card"]).first()
            if card is None:
                raise DjangoValidationError({"card": _("没有该卡号的英才卡，或不在您的管辖范围内")})
            if not item.get("due_on"):
                raise DjangoValidationError({"due_on": _("新受理的服务事项须填写办理时限")})
            existing = services.open_request(
                card,
                kind=item["kind"],
                on=item["opened_on"],
                due_on=item["due_on"],
                detail=item.get("detail", ""),
                handled_by=item.get("handled_by", ""),
                by=user,
            )
        else:
            fixed = [
                name
                for name in ("due_on", "detail")
                if name in item and item[name] != getattr(existing, name)
            ]
            if fixed:
                raise DjangoValidationError({name: _("服务事项受理后不能修改此项") for name in fixed})
        target = item.get("status")
        if not target or target == existing.status:
            return existing, "created" if created else "unchanged"
        for step in request_steps(existing.status, target):
            final = step == target
            existing = services.advance_request(
                existing,
                to=step,
                by=user,
                reason=item.get("reason", "") if final else "",
                on=item.get("closed_on") if final else None,
                satisfaction=item.get("satisfaction", "") if final else "",
                handled_by=item.get("handled_by", ""),
            )
        return existing, "created" if created else "updated"

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.open_request(
            data["card"],
            kind=data["kind"],
            on=data["opened_on"],
            due_on=data["due_on"],
            detail=data.get("detail", ""),
            handled_by=data.get("handled_by", ""),
            by=self.request.user,
        )

    @extend_schema(request=RequestAdvanceSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def advance(self, request, pk=None):
        """变更办理状态."""
        data = action_data(RequestAdvanceSerializer, request)
        service_request = services.advance_request(self.get_object(), by=request.user, **data)
        return Response(self.get_serializer(service_request).data)


def request_steps(current: str, target: str) -> list[str]:
    """The statuses from `current` to `target` along the services' transitions ([target] when there
    is no such path: the service then says why)."""
    paths = {current: []}
    queue = [current]
    while queue:
        status = queue.pop(0)
        for following in services.REQUEST_TRANSITIONS.get(status, ()):
            if following not in paths:
                paths[following] = [*paths[status], following]
                queue.append(following)
    return paths.get(target) or [target]


register(
    "talent-programmes",
    models.TalentProgramme,
    filterset_fields=["kind", "field", "year", "status"],
    search_fields=["name"],
    ordering_fields=["id", "year", "name"],
)
register(
    "talents",
    models.Talent,
    viewset=TalentViewSet,
    serializer=TalentSerializer,
    filterset_class=TalentFilter,
    search_fields=["name", "id_number", "employer", "specialty"],
    ordering_fields=["id", "name", "birth_date", "arrived_on", "updated_at", "unit__path"],
    ordering=["unit__path", "name", "id"],
)
register(
    "talent-selections",
    models.Selection,
    filterset_fields=["talent", "programme", "batch", "status"],
    search_fields=["talent__name", "programme__name"],
    ordering_fields=["id", "selected_on"],
)
register(
    "talent-certifications",
    models.Certification,
    viewset=CertificationViewSet,
    serializer=CertificationSerializer,
    filterset_class=CertificationFilter,
    search_fields=["talent__name", "certificate_number"],
    ordering_fields=["id", "certified_on", "valid_until"],
)
register(
    "talent-cards",
    models.TalentCard,
    viewset=TalentCardViewSet,
    serializer=TalentCardSerializer,
    filterset_class=TalentCardFilter,
    search_fields=["talent__name", "number"],
    ordering_fields=["id", "issued_on", "expires_on"],
)
register(
    "talent-service-requests",
    models.ServiceRequest,
    viewset=ServiceRequestViewSet,
    serializer=ServiceRequestSerializer,
    filterset_class=ServiceRequestFilter,
    search_fields=["card__talent__name", "card__number", "handled_by"],
    ordering_fields=["id", "opened_on", "due_on", "closed_on"],
)

register(
    "talent-points-levels",
    models.PointsLevel,
    filterset_fields=["level"],
    search_fields=["note"],
    ordering_fields=["id", "min_points"],
)
register(
    "talent-point-entries",
    models.PointEntry,
    viewset=PointEntryViewSet,
    filterset_class=PointEntryFilter,
    search_fields=["talent__name", "description", "evidence"],
    ordering_fields=["id", "earned_on", "points", "reviewed_on"],
)
register(
    "talent-studios",
    models.Studio,
    filterset_class=StudioFilter,
    search_fields=["name", "leader__name"],
    ordering_fields=["id", "name", "founded_on"],
)
register(
    "talent-studio-members",
    models.StudioMember,
    filterset_class=StudioMemberFilter,
    search_fields=["talent__name", "studio__name"],
    ordering_fields=["id", "joined_on"],
)
register(
    "talent-studio-evaluations",
    models.StudioEvaluation,
    filterset_class=StudioEvaluationFilter,
    search_fields=["studio__name"],
    ordering_fields=["id", "year", "score"],
)
register(
    "talent-targeted-trainees",
    models.TargetedTrainee,
    viewset=TargetedTraineeViewSet,
    serializer=TargetedTraineeSerializer,
    filterset_class=TargetedTraineeFilter,
    search_fields=["name", "id_number", "school", "specialty", "agreement_number"],
    ordering_fields=["id", "name", "enrolled_on", "expected_graduation", "placed_on"],
)
register(
    "talent-trainee-tracking",
    models.TraineeTracking,
    filterset_class=TraineeTrackingFilter,
    search_fields=["trainee__name"],
    ordering_fields=["id", "year", "contacted_on"],
)
register(
    "talent-signing-events",
    models.SigningEvent,
    viewset=SigningEventViewSet,
    serializer=SigningEventSerializer,
    filterset_class=SigningEventFilter,
    search_fields=["name", "place"],
    ordering_fields=["id", "held_on", "name"],
)
register(
    "talent-signing-agreements",
    models.SigningAgreement,
    filterset_class=SigningAgreementFilter,
    search_fields=["employer", "party", "talent__name", "project", "event__name"],
    ordering_fields=["id", "amount"],
    select_related=["talent", "event"],
)
register(
    "talent-plan-indicators",
    models.TalentPlanIndicator,
    serializer=PlanIndicatorSerializer,
    filterset_class=PlanIndicatorFilter,
    search_fields=["indicator", "unit__name"],
    ordering_fields=["id", "year", "target", "actual"],
)
