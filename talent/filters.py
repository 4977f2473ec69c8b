"""The talent lists' filters, declared once: the admin's list filters and the API's filtersets use the
same queryset functions (derived conditions are queryset methods, computed in SQL)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from orgportal.api import SubtreeFilterSet

from .models import (
    CARD_STATES,
    Certification,
    PointEntry,
    ServiceRequest,
    SigningAgreement,
    SigningEvent,
    Studio,
    StudioEvaluation,
    StudioMember,
    Talent,
    TalentCard,
    TalentPlanIndicator,
    TargetedTrainee,
    TraineeTracking,
)

YES_NO = [("1", _("是")), ("0", _("否"))]
CERTIFICATION_VALIDITY = [("valid", _("有效期内")), ("expiring", _("90天内到期")), ("expired", _("已过期"))]


def _yes(value) -> bool:
    return str(value).lower() in {"1", "true", "yes", "是"}


def by_card_state(qs, value):
    return qs.in_state(value)


def by_overdue(qs, value):
    overdue = qs.overdue()
    return overdue if _yes(value) else qs.exclude(pk__in=overdue.values("pk"))


def by_validity(qs, value):
    if value == "expiring":
        return qs.expiring_within(90)
    if value == "expired":
        return qs.expired()
    return qs.valid()


def _split(subset):
    """A yes/no filter from a queryset method giving the "yes" rows (`subset(qs)`)."""

    def apply(qs, value):
        rows = subset(qs)
        return rows if _yes(value) else qs.exclude(pk__in=rows.values("pk"))

    return apply


# parameter → (title, choices, queryset function): used by the admin and the API alike
DERIVED_FILTERS = {
    "card_state": (_("卡状态"), CARD_STATES, by_card_state),
    "overdue": (_("逾期未办结"), YES_NO, by_overdue),
    "validity": (_("认定有效期"), CERTIFICATION_VALIDITY, by_validity),
    "points_proposed": (_("积分达标待认定"), YES_NO, _split(lambda qs: qs.points_proposed())),
    "service_due": (_("服务期满待登记"), YES_NO, _split(lambda qs: qs.service_due())),
    "achieved": (_("指标完成"), YES_NO, _split(lambda qs: qs.achieved())),
    "current": (_("在室成员"), YES_NO, _split(lambda qs: qs.filter(left_on__isnull=True))),
}


def _derived_filter(parameter):
    title, choices, apply = DERIVED_FILTERS[parameter]
    return django_filters.ChoiceFilter(
        label=title, choices=choices, method=lambda qs, _name, value: apply(qs, value) if value else qs
    )


class TalentFilter(SubtreeFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("姓名"))
    points_proposed = _derived_filter("points_proposed")
    programme = django_filters.NumberFilter(method="filter_programme", label=_("入选人才计划（编号）"))

    class Meta:
        model = Talent
        fields = ["gender", "education", "category", "level", "field", "source", "status", "unit", "cadre"]

    def filter_programme(self, queryset, name, value):
        return queryset.in_programme(value)


class CertificationFilter(SubtreeFilterSet):
    validity = _derived_filter("validity")

    class Meta:
        model = Certification
        fields = ["talent", "level"]


class TalentCardFilter(SubtreeFilterSet):
    card_state = _derived_filter("card_state")

    class Meta:
        model = TalentCard
        fields = ["talent", "tier", "status", "commissioner"]


class ServiceRequestFilter(SubtreeFilterSet):
    overdue = _derived_filter("overdue")
    talent = django_filters.NumberFilter(field_name="card__talent", label=_("人才（编号）"))

    class Meta:
        model = ServiceRequest
        fields = ["card", "kind", "status", "satisfaction"]


class PointEntryFilter(SubtreeFilterSet):
    class Meta:
        model = PointEntry
        fields = {"talent": ["exact"], "item": ["exact"], "status": ["exact"], "earned_on": ["gte", "lte"]}


class StudioFilter(SubtreeFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("工作室名称"))

    class Meta:
        model = Studio
        fields = ["kind", "field", "status", "leader", "unit"]


class StudioMemberFilter(SubtreeFilterSet):
    current = _derived_filter("current")

    class Meta:
        model = StudioMember
        fields = ["studio", "talent", "role"]


class StudioEvaluationFilter(SubtreeFilterSet):
    class Meta:
        model = StudioEvaluation
        fields = ["studio", "year", "grade"]


class TargetedTraineeFilter(SubtreeFilterSet):
    service_due = _derived_filter("service_due")
    graduation_year = django_filters.NumberFilter(
        field_name="expected_graduation", lookup_expr="year", label=_("预计毕业年份")
    )

    class Meta:
        model = TargetedTrainee
        fields = ["status", "field", "school", "unit", "placement_unit"]


class TraineeTrackingFilter(SubtreeFilterSet):
    class Meta:
        model = TraineeTracking
        fields = ["trainee", "year", "performance"]


class SigningEventFilter(SubtreeFilterSet):
    year = django_filters.NumberFilter(field_name="held_on", lookup_expr="year", label=_("年度"))

    class Meta:
        model = SigningEvent
        fields = ["kind", "unit"]


class SigningAgreementFilter(SubtreeFilterSet):
    class Meta:
        model = SigningAgreement
        fields = ["event", "kind", "talent"]


class PlanIndicatorFilter(SubtreeFilterSet):
    achieved = _derived_filter("achieved")

    class Meta:
        model = TalentPlanIndicator
        fields = ["unit", "year", "indicator"]
