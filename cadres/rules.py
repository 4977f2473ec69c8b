"""Reminder kinds (提醒) for cadres, registered with the kernel's rules engine (orgportal.rules).

Staff keep the rules as data (admin: 规则); a cadre's "待提醒" are the active reminder rules it
breaks on the day, each with its reason. Every condition is SQL.
"""

import datetime

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgportal import codes
from orgportal.rules import Param, RuleKind, active_rules, flagged, reasons, register
from orgportal.validators import age_on, format_date, format_year_month

from .models import (
    REFORM_START,
    AnnualAssessment,
    CadreWarning,
    Sanction,
    add_months,
    from_month_index,
    month_index,
)

GOOD_RESULTS = [
    codes.AssessmentResult.EXCELLENT,
    codes.AssessmentResult.COMPETENT,
    codes.AssessmentResult.QUALIFIED,
]


def retirement_policy(params) -> dict:
    return {
        "1": (params["male_base"], params["male_step"], params["male_cap"]),
        "2": (params["female_base"], params["female_step"], params["female_cap"]),
    }


def prepare_retirement(queryset, params, on):
    policy = retirement_policy(params)
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
        .order_by()  # no default ordering: it would drag joins into the subquery
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


# --- the young-cadre pool's review (调整出库的提示) ------------------------------------------------
TIER_LABELS = dict(codes.LeadershipLevel.choices)
DEFAULT_AGE_THRESHOLDS = {
    codes.LeadershipLevel.COUNTY_CHIEF: 45,
    codes.LeadershipLevel.COUNTY_DEPUTY: 40,
    codes.LeadershipLevel.TOWNSHIP_CHIEF: 35,
}


OPEN = Q(status=codes.PoolStatus.IN)  # only members still in the pool are reviewed


def over_age_condition(params, on):
    """A threshold T means T-year-olds still qualify (45岁及以下): flagged from the (T+1)th birthday."""
    condition = Q(pk__in=[])
    for tier, threshold in params["thresholds"].items():
        condition |= Q(tier=tier, cadre__birth_date__lte=years_before(on, int(threshold) + 1))
    return OPEN & condition


def over_age_reason(params, membership, on):
    born = membership.cadre.birth_date
    return _("超龄：%(born)s 生，%(on)s 满 %(age)s 周岁，%(tier)s门槛 %(threshold)s") % {
        "born": format_date(born),
        "on": format_date(on),
        "age": age_on(born, on),
        "tier": TIER_LABELS.get(membership.tier, membership.tier),
        "threshold": params["thresholds"][membership.tier],
    }


register(
    RuleKind(
        code="pool_over_age",
        label=_("超过培养层级的年龄门槛"),
        purpose="pool",
        params={"thresholds": Param(_("各层级年龄门槛（周岁，含）"), dict(DEFAULT_AGE_THRESHOLDS), dict)},
        condition=over_age_condition,
        reason=over_age_reason,
    )
)


def prepare_sanction(queryset, params, on):
    in_force = Sanction.objects.in_force(on).filter(cadre=OuterRef("cadre"))
    return queryset.annotate(sanction_in_force=Exists(in_force))


register(
    RuleKind(
        code="pool_sanction",
        label=_("处分或组织处理影响期内"),
        purpose="pool",
        prepare=prepare_sanction,
        condition=lambda params, on: OPEN & Q(sanction_in_force=True),
        reason=lambda params, membership, on: _("受到处分或组织处理，%s尚在影响期内") % format_date(on),
    )
)


def prepare_red_warning(queryset, params, on):
    red = CadreWarning.objects.filter(
        cadre=OuterRef("cadre"), level=codes.WarningLevel.RED, raised_on__lte=on
    ).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
    return queryset.annotate(red_warning_open=Exists(red))


register(
    RuleKind(
        code="pool_red_warning",
        label=_("有未解除的红色预警"),
        purpose="pool",
        prepare=prepare_red_warning,
        condition=lambda params, on: OPEN & Q(red_warning_open=True),
        reason=lambda params, membership, on: _("有未解除的红色预警"),
    )
)

register(
    RuleKind(
        code="pool_not_serving",
        label=_("已退休、调出、去世等"),
        purpose="pool",
        condition=lambda params, on: OPEN & ~Q(cadre__status=codes.CadreStatus.SERVING),
        reason=lambda params, membership, on: _("干部状态为「%s」") % membership.cadre.get_status_display(),
    )
)


def review_pool(on: datetime.date | None = None, *, queryset=None, rules: list | None = None):
    """Every open membership that breaks an active pool rule, with its reasons:
    [(membership, [reason, …]), …]. Two queries (the rules, the members) whatever the pool's size."""
    from .models import PoolMembership

    on = on or timezone.localdate()
    rules = active_rules("pool") if rules is None else rules
    members = PoolMembership.objects.all() if queryset is None else queryset
    members = members.filter(status=codes.PoolStatus.IN).select_related("cadre", "cadre__unit")
    flagged_members = flagged(members, rules, on)
    return [(m, [str(r) for r in reasons(m, rules, on)]) for m in flagged_members]
