"""Training conditions for the cadres' combined queries (orgportal.query), registered from
TrainingConfig.ready() so that cadres never imports training: hours against the requirement
(training.ledger, the same SQL as the 学时统计) and classes attended."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre
from orgportal import codes, query
from orgportal.query import Choices, DecimalValue, Integer, Param, Range

from . import ledger
from .models import Enrolment

GROUP = _("教育培训")
HOURS_STATES = [
    ("met", _("达标")),
    ("short", _("未达标")),
    ("grace", _("未达标但在提任后补足期内")),
    ("none", _("无适用的学时要求")),
]


def _hours(params, ctx):
    year = params["year"] or ctx.on.year
    cadres = ledger.with_hours(Cadre.objects.filter(pk=OuterRef("pk")), year=year)
    q = Q()
    for state in params["state"] or ():
        q |= {
            "met": Q(met=True),
            "short": Q(met=False, in_grace=False),
            "grace": Q(met=False, in_grace=True),
            "none": Q(required__isnull=True),
        }[state]
    total = params["total"] or {}
    if "min" in total:
        q &= Q(total__gte=total["min"])
    if "max" in total:
        q &= Q(total__lte=total["max"])
    return Q(Exists(cadres.filter(q)))


def _classes(params, ctx):
    enrolments = Enrolment.objects.filter(status__in=params["status"] or [codes.EnrolmentStatus.COMPLETED])
    if params["kind"]:
        enrolments = enrolments.filter(training_class__kind__in=params["kind"])
    if params["year"]:
        enrolments = enrolments.filter(training_class__start_date__year__lte=params["year"]).filter(
            training_class__end_date__year__gte=params["year"]
        )
    if params["within_years"]:
        enrolments = enrolments.filter(
            training_class__end_date__gte=query.years_back(ctx.on, params["within_years"])
        )
    return query.related(enrolments, "cadre", at_least=params["at_least"] or 1)


def register() -> None:
    for condition in (
        query.Condition(
            code="training_hours",
            label=_("学时达标情况"),
            group=GROUP,
            operators={
                "is": query.Fields(
                    {
                        "year": Param(Integer(2000, 2100), _("年度（默认查询日所在年度）")),
                        "state": Param(Choices(HOURS_STATES), _("达标情况")),
                        "total": Param(Range(DecimalValue()), _("本年度学时")),
                    }
                )
            },
            build=lambda op, value, ctx: _hours(value, ctx),
            help=_("按学时要求（学时统计）计算：本年度学时 = 结业班次学时 + 已认可的其他学时"),
        ),
        query.has_condition(
            code="training_class",
            label=_("参加培训班次"),
            group=GROUP,
            params={
                "kind": Param(Choices(codes.ClassKind.choices), _("班次类别")),
                "status": Param(Choices(codes.EnrolmentStatus.choices), _("调训状态（默认结业）")),
                "year": Param(Integer(2000, 2100), _("年度")),
                "within_years": Param(Integer(1, 60), _("近几年内结业")),
                "at_least": Param(Integer(1, 50), _("至少几期")),
            },
            matching=_classes,
        ),
    ):
        condition.app = "training"
        query.register(Cadre, condition)
