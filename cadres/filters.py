"""The cadre list's filters, declared once: the admin's list filters and the API's filterset use
the same definitions (derived conditions are CadreQuerySet methods, computed in SQL)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from orgportal import codes
from orgportal.api import RuleFilter, SubtreeFilterSet

from .models import AGE_BANDS, NON_PARTY_CODES, AppointmentCase, AppointmentStepKind, Cadre

YES_NO = [("1", _("是")), ("0", _("否"))]
EDUCATION_LEVELS = [
    ("10", _("研究生")),
    ("20", _("大学本科")),
    ("30", _("大学专科")),
    ("40", _("中等职业教育")),
    ("60", _("高中")),
    ("70", _("初中")),
    ("80", _("小学")),
]
WARNING_LEVELS = [*codes.WarningLevel.choices, ("none", _("无预警"))]


def _yes(value) -> bool:
    return str(value).lower() in {"1", "true", "yes", "是"}


def by_non_party(qs, value):
    return qs.non_party() if _yes(value) else qs.exclude(political_status__in=NON_PARTY_CODES)


def by_minority(qs, value):
    return qs.minority() if _yes(value) else qs.filter(ethnicity=codes.Ethnicity.HAN)


def by_education_level(qs, value):
    return qs.highest_education_level(int(value))


def by_age_band(qs, value):
    low, high = AGE_BANDS[value]
    return qs.aged(low, high)


def by_warning_level(qs, value):
    if "warning_level" not in qs.query.annotations:
        qs = qs.with_warning_level()
    return qs.filter(warning_level__isnull=True) if value == "none" else qs.filter(warning_level=value)


def by_under_sanction(qs, value):
    under = qs.under_sanction()
    return under if _yes(value) else qs.exclude(pk__in=under.values("pk"))


def by_archive_status(qs, value):
    return qs.archive_status(value)


ARCHIVE_STATUS = [("never", _("从未审核")), ("open", _("有未处理问题")), ("complete", _("已审核无遗留问题"))]

# parameter → (title, choices, queryset function): used by the admin and the API alike
DERIVED_FILTERS = {
    "non_party": (_("党外干部"), YES_NO, by_non_party),
    "minority": (_("少数民族干部"), YES_NO, by_minority),
    "education_level": (_("最高学历"), EDUCATION_LEVELS, by_education_level),
    "age_band": (_("年龄段"), [(k, k) for k in AGE_BANDS], by_age_band),
    "warning_level": (_("当前预警"), WARNING_LEVELS, by_warning_level),
    "under_sanction": (_("处分影响期内"), YES_NO, by_under_sanction),
    "archive_status": (_("档案专审"), ARCHIVE_STATUS, by_archive_status),
}


def _derived_filter(parameter):
    title, choices, apply = DERIVED_FILTERS[parameter]
    return django_filters.ChoiceFilter(
        label=title, choices=choices, method=lambda qs, _name, value: apply(qs, value) if value else qs
    )


class CadreFilter(SubtreeFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("姓名"))
    birth_after = django_filters.DateFilter(
        field_name="birth_date", lookup_expr="gte", label=_("出生年月不早于")
    )
    birth_before = django_filters.DateFilter(
        field_name="birth_date", lookup_expr="lte", label=_("出生年月不晚于")
    )
    non_party = _derived_filter("non_party")
    minority = _derived_filter("minority")
    education_level = _derived_filter("education_level")
    age_band = _derived_filter("age_band")
    warning_level = _derived_filter("warning_level")
    under_sanction = _derived_filter("under_sanction")
    archive_status = _derived_filter("archive_status")
    reminder = RuleFilter("reminder", label=_("待提醒（any 或规则编号）"))

    class Meta:
        model = Cadre
        fields = [
            "gender",
            "ethnicity",
            "political_status",
            "level",
            "rank",
            "management_category",
            "status",
            "unit",
        ]


# --- 任免事项 -------------------------------------------------------------------------------------
def by_case_step(qs, value):
    return qs.with_step(value)


def by_in_publicity(qs, value):
    running = qs.in_publicity()
    return running if _yes(value) else qs.exclude(pk__in=running.values("pk"))


# parameter → (title, choices, queryset function), for the case list in the admin and the API
APPOINTMENT_FILTERS = {
    "step": (_("已进行步骤"), AppointmentStepKind.choices, by_case_step),
    "in_publicity": (_("公示中"), YES_NO, by_in_publicity),
}


class AppointmentCaseFilter(SubtreeFilterSet):
    step = django_filters.ChoiceFilter(
        label=_("已进行步骤"),
        choices=AppointmentStepKind.choices,
        method=lambda qs, _n, v: by_case_step(qs, v) if v else qs,
    )
    in_publicity = django_filters.ChoiceFilter(
        label=_("公示中"), choices=YES_NO, method=lambda qs, _n, v: by_in_publicity(qs, v) if v else qs
    )

    class Meta:
        model = AppointmentCase
        fields = ["cadre", "kind", "status", "proposed_unit", "submitting_unit"]
