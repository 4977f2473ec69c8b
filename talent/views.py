from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from orgportal.api import ChangePermissions, OrgViewSet, action_data, register

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
    PointsReviewSerializer,
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


class PointEntryViewSet(OrgViewSet):
    """乡土人才积分: recorded (待审核) and corrected while pending; reviewed with POST …/review/."""

    @extend_schema(request=PointsReviewSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def review(self, request, pk=None):
        """审核（认可 / 不予认可）."""
        entry = services.review_points(
            self.get_object(), by=request.user, **action_data(PointsReviewSerializer, request)
        )
        return Response(self.get_serializer(entry).data)


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


class ServiceRequestViewSet(OrgViewSet):
    """英才卡服务事项: opened with POST; moved on (办理中, 办结, 不予办理) with POST …/advance/."""

    read_only_after_create = True

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
