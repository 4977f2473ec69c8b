"""Reminder kinds (提醒) for cadres, registered with the kernel's rules engine (orgportal.rules).

Staff keep the rules as data (admin: 规则); a cadre's "待提醒" are the active reminder rules it
breaks on the day, each with its reason. Every condition is SQL.
"""

import datetime

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgportal import codes
from orgportal.rules import Param, RuleKind, active_rules, annotate_flags, reasons, register
from orgportal.validators import format_date, format_year_month

from .models import REFORM_START, AnnualAssessment, add_months, from_month_index, month_index

GOOD_RESULTS = [
    codes.AssessmentResult.EXCELLENT,
    codes.AssessmentResult.COMPETENT,
    codes.AssessmentResult.QUALIFIED,
]


def _policy(params) -> dict:
    return {
        "1": (params["male_base"], params["male_step"], params["male_cap"]),
        "2": (params["female_base"], params["female_step"], params["female_cap"]),
    }


def prepare_retirement(queryset, params, on):
    policy = _policy(params)
    male_base, female_base = policy["1"][0], policy["2"][0]
    birth = ExtractYear("birth_date") * 12 + ExtractMonth("birth_date") - 1
    queryset = queryset.annotate(
        reached=birth
        + Case(
            When(gender="2", then=Value(female_base * 12)),
            default=Value(male_base * 12),
            output_field=IntegerField(),
        )
    )
    (_b, m_step, m_cap), (_f, f_step, f_cap) = policy["1"], policy["2"]
    delay = Case(
        When(reached__lt=REFORM_START, then=Value(0)),
        When(gender="2", then=Least((F("reached") - REFORM_START) / f_step + 1, Value(f_cap))),
        default=Least((F("reached") - REFORM_START) / m_step + 1, Value(m_cap)),
        output_field=IntegerField(),
    )
    return queryset.annotate(retirement_index=F("reached") + delay)


def retirement_reason(params, cadre, on):
    month = from_month_index(cadre.retirement_index)
    return _("到龄提醒：%(born)s 生，%(month)s 到法定退休年龄") % {
        "born": format_year_month(cadre.birth_date),
        "month": format_year_month(month),
    }


SERVING = Q(status=codes.CadreStatus.SERVING)

register(
    RuleKind(
        code="retirement_due",
        label=_("临近法定退休年龄"),
        purpose="reminder",
        params={
            "months": Param(_("提前月数"), 6),
            "male_base": Param(_("男性原退休年龄"), 60),
            "male_step": Param(_("男性每延迟1个月所需月数"), 4),
            "male_cap": Param(_("男性最多延迟月数"), 36),
            "female_base": Param(_("女干部原退休年龄"), 55),
            "female_step": Param(_("女干部每延迟1个月所需月数"), 4),
            "female_cap": Param(_("女干部最多延迟月数"), 36),
        },
        prepare=prepare_retirement,
        condition=lambda params, on: SERVING & Q(retirement_index__lte=month_index(on) + params["months"]),
        reason=retirement_reason,
    )
)


def years_before(on: datetime.date, years: int) -> datetime.date:
    return add_months(on, -12 * years)


register(
    RuleKind(
        code="long_in_post",
        label=_("任现职年限（交流轮岗）"),
        purpose="reminder",
        params={"years": Param(_("任现职满（年）"), 5)},
        condition=lambda params, on: SERVING & Q(post_since__lte=years_before(on, params["years"])),
        reason=lambda params, cadre, on: (
            _("任现职已满%(years)s年（%(since)s 起）")
            % {"years": params["years"], "since": format_year_month(cadre.post_since)}
        ),
    )
)


def prepare_rank(queryset, params, on):
    good = (
        AnnualAssessment.objects.filter(
            cadre=OuterRef("pk"),
            year__gte=on.year - params["years"],
            year__lt=on.year,
            result__in=GOOD_RESULTS,
        )
        .values("cadre")
        .annotate(n=Count("id"))
        .values("n")
    )
    return queryset.annotate(good_years=Coalesce(Subquery(good), 0))


register(
    RuleKind(
        code="rank_promotion_eligible",
        label=_("符合职级晋升年限"),
        purpose="reminder",
        params={"years": Param(_("任现职级满（年）"), 2)},
        prepare=prepare_rank,
        condition=lambda params, on: (
            SERVING
            & ~Q(rank="")
            & ~Q(rank=codes.Rank.INSPECTOR_1)
            & Q(rank_since__lte=years_before(on, params["years"]), good_years__gte=params["years"])
        ),
        reason=lambda params, cadre, on: (
            _("任现职级已满%(years)s年（%(since)s 起），近%(years)s年考核均为称职（合格）以上")
            % {"years": params["years"], "since": format_year_month(cadre.rank_since)}
        ),
    )
)

register(
    RuleKind(
        code="probation_ending",
        label=_("试用期将满"),
        purpose="reminder",
        params={"days": Param(_("提前天数"), 30)},
        condition=lambda params, on: (
            SERVING
            & Q(probation_until__gte=on, probation_until__lte=on + datetime.timedelta(days=params["days"]))
        ),
        reason=lambda params, cadre, on: _("任职试用期将于%s届满") % format_date(cadre.probation_until),
    )
)


def reminder_rules_for(request) -> list:
    """The active reminder rules, read once per request (the admin and the API share them)."""
    if not hasattr(request, "_reminder_rules"):
        request._reminder_rules = active_rules("reminder")
    return request._reminder_rules


def by_reminder(queryset, value: str, rules: list, on: datetime.date | None = None):
    """待提醒: cadres breaking any active reminder rule (`value` "any") or the rule with that id."""
    chosen = rules if value == "any" else [r for r in rules if str(r.pk) == str(value)]
    if not chosen:
        return queryset.none()
    on = on or timezone.localdate()
    missing = [r for r in chosen if f"rule_{r.pk}" not in queryset.query.annotations]
    queryset = annotate_flags(queryset, missing, on)
    condition = Q()
    for rule in chosen:
        condition |= Q(**{f"rule_{rule.pk}": True})
    return queryset.filter(condition)


def reminder_reasons(cadre, rules: list, on: datetime.date | None = None) -> list[str]:
    return [str(r) for r in reasons(cadre, rules, on or timezone.localdate())]
