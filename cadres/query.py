"""The cadres' conditions for combined queries (组合查询, orgportal.query): every filterable field of
the 任免审批表, the list's derived filters, and "has / has not" conditions over the child records
with their own sub-conditions and time windows. Talent and training add theirs from their apps.

Time windows count back from the query's reference day D (today unless the document says `on`):
"within N years" of a dated record is date ≥ D − N years (the same day N years earlier, inclusive);
"last N years" of annual assessments is the years D.year − N … D.year − 1 (the completed years, as
the rank-promotion reminder counts them); a sanction is in force from its decision date through its
influence period's last day (Sanction.objects.in_force, the same rule as the list filter).
"""

import datetime

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orgportal import codes, query
from orgportal.access import scope
from orgportal.models import Unit
from orgportal.query import Boolean, Choices, Integer, Param, QueryError, Range, Text
from orgportal.rules import KINDS, active_rules, filter_by_rule

from .filters import DERIVED_FILTERS
from .models import (
    AnnualAssessment,
    Cadre,
    CadreWarning,
    Movement,
    PoolMembership,
    Posting,
    Programme,
    ResumeEntry,
    Sanction,
    birth_range_for_age,
    from_month_index,
    month_index,
    retirement_delay,
)
from .rules import retirement_policy, years_before

BASIC, EDUCATION, POST = _("基本信息"), _("学历学位"), _("现任职务")
CAREER, SUPERVISION, POOL, REMINDERS = _("经历"), _("考核与监督"), _("年轻干部库"), _("提醒")

FIELDS = {
    BASIC: [
        "name",
        "gender",
        "birth_date",
        "ethnicity",
        "native_place",
        "birthplace",
        "id_number",
        "political_status",
        "party_join_date",
        "work_start_date",
        "health",
        "professional_title",
        "expertise",
        "note",
    ],
    EDUCATION: ["ft_education", "ft_degree", "ft_school", "pt_education", "pt_degree", "pt_school"],
    POST: [
        "post",
        "post_since",
        "level",
        "rank",
        "rank_since",
        "probation_until",
        "management_category",
        "status",
    ],
}
SERVING = Q(status=codes.CadreStatus.SERVING)


def _register(condition):
    condition.app = "cadres"
    return query.register(Cadre, condition)


for group, names in FIELDS.items():
    for name in names:
        _register(query.field(Cadre, name, group=group))


# --- derived: 年龄, 所属单位, and the list's derived filters -------------------------------------------
def _age(op, value, ctx):
    low, high = value.get("min", 0), value.get("max", 150)
    start, end = birth_range_for_age(low, high, ctx.on)
    return Q(birth_date__range=(start, end))


_register(
    query.Condition(
        code="age",
        label=_("年龄（周岁）"),
        group=BASIC,
        operators={"between": Range(Integer(0, 150))},
        build=_age,
        help=_("查询日的周岁，两端都含；只知出生年月时按当月1日计"),
    )
)


def _units(op, value, ctx):
    units = Unit.objects.filter(pk__in=value)
    if ctx.user is not None:
        units = scope(units, ctx.user)
    paths = list(units.values_list("path", flat=True))
    if len(paths) != len(set(value)):
        raise QueryError("", _("所选单位不存在或不在您的管辖范围内"))
    q = Q()
    for path in paths:
        q |= Q(unit__path__startswith=path)
    return q if op == "in" else ~q


class UnitIds(Integer):
    """A list of unit ids."""

    kind = "units"

    def __init__(self):
        super().__init__(1, 2**62)

    def clean(self, value, path, ctx):
        values = value if isinstance(value, list) else [value]
        if not values:
            raise QueryError(path, _("请选择单位"))
        return [super(UnitIds, self).clean(v, f"{path}[{i}]", ctx) for i, v in enumerate(values)]


_register(
    query.Condition(
        code="unit",
        label=_("所属单位（含下级）"),
        group=POST,
        operators={"in": UnitIds(), "not_in": UnitIds()},
        build=_units,
    )
)


def _derived(parameter, group):
    title, choices, apply = DERIVED_FILTERS[parameter]

    def build(op, value, ctx):
        q = Q()
        for code in value:
            q |= Q(pk__in=apply(Cadre.objects.all(), code).values("pk"))
        return q if op == "in" else ~q

    spec = Choices(choices)
    return _register(
        query.Condition(
            code=parameter, label=title, group=group, operators={"in": spec, "not_in": spec}, build=build
        )
    )


for parameter, group in (
    ("non_party", BASIC),
    ("minority", BASIC),
    ("education_level", EDUCATION),
    ("warning_level", SUPERVISION),
    ("archive_status", SUPERVISION),
):
    _derived(parameter, group)


# --- child records: has / has not ----------------------------------------------------------------
def _since(ctx, years):
    return query.years_back(ctx.on, years) if years else None


def _resume(params, ctx):
    return query.related(ResumeEntry.objects.filter(text__contains=params["text"]), "cadre")


_register(
    query.has_condition(
        code="resume",
        label=_("简历"),
        group=CAREER,
        params={"text": Param(Text(), _("经历包含"), required=True)},
        matching=_resume,
        help=_("简历中有一条经历包含该文字"),
    )
)


def _movement(params, ctx):
    movements = Movement.objects.all()
    if params["kind"]:
        movements = movements.filter(kind__in=params["kind"])
    if params["level"]:
        movements = movements.filter(to_level__in=params["level"])
    if params["post"]:
        movements = movements.filter(to_post__contains=params["post"])
    if params["within_years"]:
        movements = movements.filter(date__gte=_since(ctx, params["within_years"]), date__lte=ctx.on)
    return query.related(movements, "cadre", at_least=params["at_least"] or 1)


_register(
    query.has_condition(
        code="movement",
        label=_("任免与进退留转"),
        group=CAREER,
        params={
            "kind": Param(Choices(codes.MovementKind.choices), _("类别")),
            "level": Param(Choices(codes.LeadershipLevel.choices), _("新职务层次")),
            "post": Param(Text(), _("新职务包含")),
            "within_years": Param(Integer(1, 60), _("近几年内")),
            "at_least": Param(Integer(1, 20), _("至少几次")),
        },
        matching=_movement,
        help=_("近N年内：日期不早于查询日N年前的同一天"),
    )
)


def _posting(params, ctx):
    postings = Posting.objects.all()
    if params["kind"]:
        postings = postings.filter(kind__in=params["kind"])
    if params["host_kind"]:
        postings = postings.filter(host_kind__in=params["host_kind"])
    if params["current"] is True:
        postings = postings.current(ctx.on)
    if params["within_years"]:  # ended (or still running) within the window
        since = _since(ctx, params["within_years"])
        postings = postings.filter(start__lte=ctx.on).filter(
            Q(actual_end__isnull=True) | Q(actual_end__gte=since)
        )
    return query.related(postings, "cadre")


_register(
    query.has_condition(
        code="posting",
        label=_("实践锻炼"),
        group=CAREER,
        params={
            "kind": Param(Choices(codes.PostingKind.choices), _("锻炼方式")),
            "host_kind": Param(Choices(codes.HostKind.choices), _("锻炼去向")),
            "current": Param(Boolean(), _("正在锻炼")),
            "within_years": Param(Integer(1, 60), _("近几年内")),
        },
        matching=_posting,
    )
)


def _assessment(params, ctx):
    assessments = AnnualAssessment.objects.filter(result__in=params["result"])
    if params["last_years"]:
        assessments = assessments.filter(year__gte=ctx.on.year - params["last_years"], year__lt=ctx.on.year)
    return query.related(assessments, "cadre", at_least=params["at_least"] or 1)


_register(
    query.has_condition(
        code="assessment",
        label=_("年度考核"),
        group=SUPERVISION,
        params={
            "result": Param(Choices(codes.AssessmentResult.choices), _("考核结果"), required=True),
            "last_years": Param(Integer(1, 60), _("近几年（不含本年度）")),
            "at_least": Param(Integer(1, 60), _("至少几次")),
        },
        matching=_assessment,
        help=_("近N年：查询日所在年度之前的N个年度"),
    )
)


def _sanction(params, ctx):
    sanctions = Sanction.objects.all()
    if params["in_force"] is not False:
        sanctions = sanctions.in_force(ctx.on)
    if params["kind"]:
        sanctions = sanctions.filter(kind__in=params["kind"])
    if params["sanction"]:
        sanctions = sanctions.filter(sanction__in=params["sanction"])
    if params["within_years"]:
        sanctions = sanctions.filter(decided_on__gte=_since(ctx, params["within_years"]))
    return query.related(sanctions, "cadre")


_register(
    query.has_condition(
        code="sanction",
        label=_("处分与组织处理"),
        group=SUPERVISION,
        params={
            "kind": Param(Choices(codes.SanctionKind.choices), _("类别")),
            "sanction": Param(Choices(codes.Sanction.choices, sensitive=True), _("处分（处理）")),
            "in_force": Param(Boolean(), _("影响期内（默认是）"), default=True),
            "within_years": Param(Integer(1, 60), _("近几年内决定")),
        },
        matching=_sanction,
        help=_("影响期内：从决定日期起至影响期截止日（含）；按具体处分查询需有查看敏感信息权限"),
    )
)


def _warning(params, ctx):
    warnings = CadreWarning.objects.filter(raised_on__lte=ctx.on)
    if params["open"] is not False:
        warnings = warnings.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=ctx.on))
    if params["level"]:
        warnings = warnings.filter(level__in=params["level"])
    if params["source"]:
        warnings = warnings.filter(source__in=params["source"])
    if params["within_years"]:
        warnings = warnings.filter(raised_on__gte=_since(ctx, params["within_years"]))
    return query.related(warnings, "cadre")


_register(
    query.has_condition(
        code="warning",
        label=_("预警"),
        group=SUPERVISION,
        params={
            "level": Param(Choices(codes.WarningLevel.choices), _("预警等级")),
            "source": Param(Choices(codes.WarningSource.choices), _("来源")),
            "open": Param(Boolean(), _("未解除（默认是）"), default=True),
            "within_years": Param(Integer(1, 60), _("近几年内")),
        },
        matching=_warning,
    )
)


def _pool(params, ctx):
    members = PoolMembership.objects.all()
    if params["open"] is not False:
        members = members.filter(status=codes.PoolStatus.IN)
    if params["programme"]:
        members = members.filter(programme__in=params["programme"])
    if params["source"]:
        members = members.filter(source__in=params["source"])
    if params["tier"]:
        members = members.filter(tier__in=params["tier"])
    return query.related(members, "cadre")


def _programmes():
    return [(p.pk, str(p)) for p in Programme.objects.all()]


_register(
    query.has_condition(
        code="pool",
        label=_("年轻干部库"),
        group=POOL,
        params={
            "open": Param(Boolean(), _("在库（默认是）"), default=True),
            "programme": Param(Choices(_programmes), _("培养计划")),
            "source": Param(Choices(codes.PoolSource.choices), _("入库来源")),
            "tier": Param(Choices(codes.LeadershipLevel.choices), _("培养层级")),
        },
        matching=_pool,
    )
)


# --- reminders (提醒) ------------------------------------------------------------------------------
def _retirement_policy() -> dict:
    """The statutory schedule as staff keep it (the first active 临近法定退休年龄 rule), else its defaults."""
    kind = KINDS["retirement_due"]
    rule = next((r for r in active_rules("reminder") if r.kind == kind.code), None)
    return retirement_policy(kind.with_defaults(rule.params if rule else {}))


def _born_before_retiring_by(last_month: int, base: int, step: int, cap: int) -> datetime.date:
    """The first birth month whose retirement month falls after `last_month` (a month index):
    retirement comes later for a later birth, so earlier births reach it by then."""
    birth = last_month - base * 12
    while True:
        reached = birth + base * 12
        if reached + retirement_delay(reached, step, cap) <= last_month:
            return from_month_index(birth + 1)
        birth -= 1


def _retirement(op, value, ctx):
    last_month = month_index(ctx.on) + value
    q = Q()
    for gender, (base, step, cap) in _retirement_policy().items():
        cutoff = _born_before_retiring_by(last_month, base, step, cap)
        same = Q(gender=gender) if gender == codes.Gender.FEMALE else ~Q(gender=codes.Gender.FEMALE)
        q |= same & Q(birth_date__lt=cutoff)
    return SERVING & q


_register(
    query.Condition(
        code="retirement_within",
        label=_("到龄（N个月内到法定退休年龄）"),
        group=REMINDERS,
        operators={"is": Integer(0, 600)},
        build=_retirement,
        help=_(
            "在职干部，法定退休年龄所在月不晚于查询日所在月之后第N个月（含已到龄），按“临近法定退休年龄”提醒规则的退休政策"
        ),
    )
)


def _years_in(field_name):
    def build(op, value, ctx):
        return SERVING & Q(**{f"{field_name}__lte": years_before(ctx.on, value)})

    return build


_register(
    query.Condition(
        code="years_in_post",
        label=_("任现职满（年）"),
        group=REMINDERS,
        operators={"is": Integer(0, 60)},
        build=_years_in("post_since"),
        help=_("在职干部，任现职时间不晚于查询日N年前的同一天"),
    )
)
_register(
    query.Condition(
        code="years_in_rank",
        label=_("任现职级满（年）"),
        group=REMINDERS,
        operators={"is": Integer(0, 60)},
        build=_years_in("rank_since"),
    )
)


def _reminder_choices():
    return [("any", _("任一提醒")), *((r.pk, r.name) for r in active_rules("reminder"))]


def _reminder(op, value, ctx):
    rules = active_rules("reminder")
    q = Q()
    for code in value:
        q |= Q(pk__in=filter_by_rule(Cadre.objects.all(), code, rules, ctx.on).values("pk"))
    return q if op == "in" else ~q


_register(
    query.Condition(
        code="reminder",
        label=_("待提醒"),
        group=REMINDERS,
        operators={"in": Choices(_reminder_choices), "not_in": Choices(_reminder_choices)},
        build=_reminder,
        help=_("启用中的干部提醒规则（任一或指定规则）"),
    )
)
