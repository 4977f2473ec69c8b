"""The training lists' filters, declared once for the admin's list filters and the API's filtersets."""

import django_filters
from django.utils.translation import gettext_lazy as _

from orgportal import codes
from orgportal.api import SubtreeFilterSet

from .models import (
    Attendance,
    ClassEvaluation,
    Course,
    CourseEvaluation,
    Enrolment,
    PlanQuota,
    TrainingClass,
    TrainingPlan,
)


def by_target_level(qs, value):
    return qs.for_level(value)


# parameter → (title, choices, queryset function): used by the admin and the API alike
DERIVED_FILTERS = {
    "target_level": (_("调训对象职务层次"), codes.LeadershipLevel.choices, by_target_level),
}


class TrainingPlanFilter(SubtreeFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("计划名称"))

    class Meta:
        model = TrainingPlan
        fields = ["year", "status", "organiser"]


class PlanQuotaFilter(SubtreeFilterSet):
    class Meta:
        model = PlanQuota
        fields = ["plan", "training_class", "unit"]


class TrainingClassFilter(SubtreeFilterSet):
    target_level = django_filters.ChoiceFilter(
        label=_("调训对象职务层次"),
        choices=codes.LeadershipLevel.choices,
        method=lambda qs, _name, value: by_target_level(qs, value) if value else qs,
    )
    year = django_filters.NumberFilter(field_name="start_date", lookup_expr="year", label=_("年度"))

    class Meta:
        model = TrainingClass
        fields = ["kind", "status", "plan", "organiser", "venue", "full_time"]


class CourseFilter(SubtreeFilterSet):
    class Meta:
        model = Course
        fields = {
            "training_class": ["exact"],
            "teacher": ["exact"],
            "mode": ["exact"],
            "date": ["gte", "lte"],
        }


class EnrolmentFilter(SubtreeFilterSet):
    year = django_filters.NumberFilter(
        field_name="training_class__start_date", lookup_expr="year", label=_("年度")
    )

    class Meta:
        model = Enrolment
        fields = ["cadre", "training_class", "status"]


class AttendanceFilter(SubtreeFilterSet):
    training_class = django_filters.NumberFilter(field_name="course__training_class", label=_("班次（编号）"))

    class Meta:
        model = Attendance
        fields = ["enrolment", "course", "status"]


# --- 质效评估 ----------------------------------------------------------------------------------------
class ClassEvaluationFilter(SubtreeFilterSet):
    training_class = django_filters.NumberFilter(
        field_name="enrolment__training_class", label=_("班次（编号）")
    )

    class Meta:
        model = ClassEvaluation
        fields = {"enrolment": ["exact"], "score": ["exact", "gte", "lte"], "submitted_on": ["gte", "lte"]}


class CourseEvaluationFilter(SubtreeFilterSet):
    training_class = django_filters.NumberFilter(field_name="course__training_class", label=_("班次（编号）"))
    teacher = django_filters.NumberFilter(field_name="course__teacher", label=_("授课教师（编号）"))

    class Meta:
        model = CourseEvaluation
        fields = {
            "enrolment": ["exact"],
            "course": ["exact"],
            "score": ["exact", "gte", "lte"],
            "submitted_on": ["gte", "lte"],
        }
