from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from orgportal.api import ChangePermissions, OrgViewSet, action_data, register
from orgportal.codes import AttendanceStatus

from . import models, services
from .filters import (
    AttendanceFilter,
    ClassEvaluationFilter,
    CourseEvaluationFilter,
    CourseFilter,
    EnrolmentFilter,
    PlanQuotaFilter,
    TrainingClassFilter,
    TrainingPlanFilter,
)
from .serializers import CompleteClassSerializer, EndEnrolmentSerializer


class TrainingClassViewSet(OrgViewSet):
    """培训班次: created and edited directly; 开班 with POST …/start/, 结业 (hours credited,
    certificates issued) with POST …/complete/."""

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def start(self, request, pk=None):
        """开班."""
        training_class = services.start_class(self.get_object(), by=request.user)
        return Response(self.get_serializer(training_class).data)

    @extend_schema(request=CompleteClassSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def complete(self, request, pk=None):
        """班次结业."""
        training_class = services.complete_class(
            self.get_object(), by=request.user, **action_data(CompleteClassSerializer, request)
        )
        return Response(self.get_serializer(training_class).data)


class EnrolmentViewSet(OrgViewSet):
    """调训: created with POST (the enrol service: 报名); 调训确认, 退训 and 缺训 with POST …/confirm/,
    …/withdraw/, …/absent/. The result (结业鉴定) and note are edited directly. `?format=xlsx` is
    the 学员花名册 (`&roster=training.graduates`: the 结业名单)."""

    roster = "training.trainees"

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.enrol(data["cadre"], data["training_class"], by=self.request.user)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def confirm(self, request, pk=None):
        """调训确认."""
        enrolment = services.confirm_enrolment(self.get_object(), by=request.user)
        return Response(self.get_serializer(enrolment).data)

    @extend_schema(request=EndEnrolmentSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def withdraw(self, request, pk=None):
        """退训."""
        enrolment = services.withdraw(
            self.get_object(), by=request.user, **action_data(EndEnrolmentSerializer, request)
        )
        return Response(self.get_serializer(enrolment).data)

    @extend_schema(request=EndEnrolmentSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def absent(self, request, pk=None):
        """缺训."""
        enrolment = services.mark_absent(
            self.get_object(), by=request.user, **action_data(EndEnrolmentSerializer, request)
        )
        return Response(self.get_serializer(enrolment).data)


class AttendanceViewSet(OrgViewSet):
    """考勤: recorded with POST (the record_attendance service); recording the same course again
    corrects the earlier record."""

    read_only_after_create = True

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.record_attendance(
            data["enrolment"],
            data["course"],
            status=data.get("status", AttendanceStatus.PRESENT),
            by=self.request.user,
        )


register(
    "training-plans",
    models.TrainingPlan,
    filterset_class=TrainingPlanFilter,
    search_fields=["name"],
    ordering_fields=["id", "year", "name"],
)
register(
    "training-plan-quotas",
    models.PlanQuota,
    filterset_class=PlanQuotaFilter,
    search_fields=["unit__name", "training_class__name"],
    ordering_fields=["id", "count"],
)
register(
    "training-venues",
    models.Venue,
    filterset_fields=["kind"],
    search_fields=["name", "address"],
    ordering_fields=["id", "name"],
)
register(
    "training-teachers",
    models.Teacher,
    filterset_fields=["kind"],
    search_fields=["name", "employer", "field"],
    ordering_fields=["id", "name"],
)
register(
    "training-classes",
    models.TrainingClass,
    viewset=TrainingClassViewSet,
    filterset_class=TrainingClassFilter,
    search_fields=["name"],
    ordering_fields=["id", "start_date", "end_date", "name"],
)
register(
    "training-courses",
    models.Course,
    filterset_class=CourseFilter,
    search_fields=["title", "teacher__name"],
    ordering_fields=["id", "date", "hours"],
)
register(
    "training-enrolments",
    models.Enrolment,
    viewset=EnrolmentViewSet,
    filterset_class=EnrolmentFilter,
    search_fields=["cadre__name", "training_class__name", "certificate_number"],
    ordering_fields=["id", "hours_credited", "ended_on"],
)
register(
    "training-attendance",
    models.Attendance,
    viewset=AttendanceViewSet,
    filterset_class=AttendanceFilter,
    search_fields=["enrolment__cadre__name", "course__title"],
    ordering_fields=["id"],
)


# --- 质效评估 (training.models.evaluation) -----------------------------------------------------------
class ClassEvaluationViewSet(OrgViewSet):
    """班次评估: submitted with POST (the evaluate_class service: once per enrolment, by a trainee 在训
    or 结业, within the class's scale); not edited afterwards."""

    read_only_after_create = True

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.evaluate_class(
            data["enrolment"],
            score=data["score"],
            comment=data.get("comment", ""),
            submitted_on=data.get("submitted_on"),
            by=self.request.user,
        )


class CourseEvaluationViewSet(OrgViewSet):
    """课程评估: submitted with POST (the evaluate_course service: once per enrolment and course, for a
    course of the class the trainee attended — an 出勤 record); not edited afterwards."""

    read_only_after_create = True

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.evaluate_course(
            data["enrolment"],
            data["course"],
            score=data["score"],
            comment=data.get("comment", ""),
            submitted_on=data.get("submitted_on"),
            by=self.request.user,
        )


register(
    "training-evaluation-settings",
    models.EvaluationSetting,
    filterset_fields=["training_class", "scale"],
    search_fields=["training_class__name"],
    ordering_fields=["id"],
)
register(
    "training-class-evaluations",
    models.ClassEvaluation,
    viewset=ClassEvaluationViewSet,
    filterset_class=ClassEvaluationFilter,
    search_fields=["enrolment__cadre__name", "enrolment__training_class__name"],
    ordering_fields=["id", "score", "submitted_on"],
)
register(
    "training-course-evaluations",
    models.CourseEvaluation,
    viewset=CourseEvaluationViewSet,
    filterset_class=CourseEvaluationFilter,
    search_fields=["enrolment__cadre__name", "course__title", "course__teacher__name"],
    ordering_fields=["id", "score", "submitted_on"],
)

from . import hours_views  # noqa: E402, F401  (学时: requirements, external hours, ledger, candidates, reports)
