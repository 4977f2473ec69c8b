from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from orgportal.api import ChangePermissions, OrgViewSet, register

from . import models, services
from .filters import CertificationFilter, ServiceRequestFilter, TalentCardFilter, TalentFilter
from .serializers import (
    CardCancelSerializer,
    CardLostSerializer,
    CardRenewSerializer,
    DepartureSerializer,
    RequestAdvanceSerializer,
    ServiceRequestSerializer,
    TalentCardSerializer,
)


def _form(serializer_class, request):
    form = serializer_class(data=request.data)
    form.is_valid(raise_exception=True)
    return form.validated_data


class TalentViewSet(OrgViewSet):
    """人才: created and edited directly; 流失 is recorded with POST …/departure/ (the record stays)."""

    @extend_schema(request=DepartureSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def departure(self, request, pk=None):
        """登记流失."""
        talent = services.record_departure(
            self.get_object(), by=request.user, **_form(DepartureSerializer, request)
        )
        return Response(self.get_serializer(talent).data)


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
        card = services.renew_card(self.get_object(), by=request.user, **_form(CardRenewSerializer, request))
        return Response(self.get_serializer(card).data)

    @extend_schema(request=CardLostSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions], url_path="report-lost")
    def report_lost(self, request, pk=None):
        """挂失."""
        card = services.report_card_lost(
            self.get_object(), by=request.user, **_form(CardLostSerializer, request)
        )
        return Response(self.get_serializer(card).data)

    @extend_schema(request=CardCancelSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def cancel(self, request, pk=None):
        """注销."""
        card = services.cancel_card(
            self.get_object(), by=request.user, **_form(CardCancelSerializer, request)
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
        data = _form(RequestAdvanceSerializer, request)
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
