"""What 培训办 shows on the admin home and the charts page (orgportal.dashboard)."""

from django.db import models
from django.db.models import Case, Count, ExpressionWrapper, F, Q, Value, When
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre
from orgportal import access, codes
from orgportal.charts import BARS, ChartData
from orgportal.dashboard import Chart, Figure, register
from orgportal.models import PATH_SEGMENT, Unit

from . import coverage as covering
from . import ledger
from .hours_views import LEDGER_PERMS
from .models import PLACED_STATUSES, PlanQuota, TrainingClass

COVERAGE_PERMS = ("cadres.view_cadre", "training.view_enrolment")


def unfilled_quotas(quotas: models.QuerySet) -> models.QuerySet:
    """名额未完成: quotas of classes not yet 结业 whose placed cadres (调训确认, 在训, 结业 of the quota's
    unit subtree, as training.coverage counts them) are fewer than the quota."""
    placed = sum((covering._placed_count(status) for status in PLACED_STATUSES), Value(0))
    return (
        quotas.exclude(training_class__status=codes.ClassStatus.FINISHED)
        .annotate(placed=placed)
        .filter(placed__lt=F("count"))
    )


def _short(rows, ctx):
    serving = rows.filter(status=codes.CadreStatus.SERVING)
    return ledger.short(ledger.with_hours(serving, year=ctx.today.year))


register(
    "培训办",
    figures=[
        Figure(
            "classes_in_session",
            _("在训班次"),
            TrainingClass,
            lambda rows, ctx: rows.filter(status=codes.ClassStatus.IN_SESSION),
            "status__exact=in_session",
            attention=False,
        ),
        Figure(
            "hours_short",
            _("本年度学时未达标的干部"),
            Cadre,
            _short,
            lambda ctx: f"year={ctx.today.year}&short=on",
            perms=LEDGER_PERMS,
            url="admin:training_hours",
        ),
        Figure(
            "quotas_unfilled",
            _("调训名额未完成"),
            PlanQuota,
            lambda rows, ctx: unfilled_quotas(rows),
            "unfilled=1",
            perms=("training.view_enrolment",),
        ),
    ],
)


# --- charts ----------------------------------------------------------------------------------------
def _serving(request):
    return access.scope(Cadre.objects.all(), request.user).filter(status=codes.CadreStatus.SERVING)


def coverage_by_level(request) -> ChartData:
    """调训覆盖 by 职务层次 this year (training.coverage)."""
    report = covering.coverage(_serving(request), year=timezone.localdate().year, limit=0)
    levels = report["levels"]
    window = report["filters"]["window_years"]
    return ChartData(
        BARS,
        str(_("职务层次")),
        [row["label"] for row in levels],
        [
            (str(_("在职干部")), [row["total"] for row in levels]),
            (str(_("本年度已调训")), [row["trained_year"] for row in levels]),
            (str(_("%(n)d年内已调训") % {"n": window}), [row["trained_window"] for row in levels]),
        ],
        total_column=False,
        extra=[
            str(_("本年度覆盖率 %(year)s%%，%(n)d年内覆盖率 %(window)s%%"))
            % {
                "year": report["trained_year_percent"],
                "n": window,
                "window": report["trained_window_percent"],
            }
        ],
    )


def coverage_by_unit(request) -> ChartData:
    """调训覆盖 by unit: the units one level below the user's top unit (each with its whole subtree)."""
    year = timezone.localdate().year
    paths = access.user_unit_paths(request.user)
    base = min((len(p) for p in paths), default=0) if paths else 0
    cut = base + PATH_SEGMENT
    groups = (
        _serving(request)
        .order_by()
        .annotate(row_path=Substr("unit__path", 1, cut), trained=covering._trained(year, year))
        .values("row_path")
        .annotate(total=Count("pk"), trained_year=Count("pk", filter=Q(trained=True)))
    )
    groups = sorted(groups, key=lambda g: g["row_path"])
    names = dict(Unit.objects.filter(path__in=[g["row_path"] for g in groups]).values_list("path", "name"))
    return ChartData(
        BARS,
        str(_("单位")),
        [names.get(g["row_path"], g["row_path"]) for g in groups],
        [
            (str(_("在职干部")), [g["total"] for g in groups]),
            (str(_("本年度已调训")), [g["trained_year"] for g in groups]),
        ],
        total_column=False,
    )


HOURS_BANDS = [
    ("none", _("无学时要求")),
    ("zero", _("尚无学时")),
    ("under_half", _("不足要求的一半")),
    ("under", _("达到一半但未达标")),
    ("met", _("达标")),
]


def hours_distribution(request) -> ChartData:
    """学时分布: serving cadres by how far their window total reaches the requirement (training.ledger),
    one grouped query."""
    year = timezone.localdate().year
    rows = ledger.with_hours(_serving(request), year=year)
    half = ExpressionWrapper(F("required") / 2, output_field=ledger.HOURS_FIELD)
    band = Case(
        When(required__isnull=True, then=Value("none")),
        When(met=True, then=Value("met")),
        When(window_total=0, then=Value("zero")),
        When(window_total__lt=half, then=Value("under_half")),
        default=Value("under"),
        output_field=models.CharField(),
    )
    counts = {
        row["band"]: row["n"]
        for row in rows.order_by().annotate(band=band).values("band").annotate(n=Count("pk"))
    }
    return ChartData(
        BARS,
        str(_("学时情况")),
        [str(label) for _code, label in HOURS_BANDS],
        [(str(_("干部人数")), [counts.get(code, 0) for code, _label in HOURS_BANDS])],
        note=str(_("%(year)d年度，周期内累计学时对照学时要求（不含宽限）")) % {"year": year},
    )


register(
    "培训办",
    charts=[
        Chart("coverage_levels", _("调训覆盖（按职务层次）"), coverage_by_level, COVERAGE_PERMS),
        Chart("coverage_units", _("调训覆盖（按单位）"), coverage_by_unit, COVERAGE_PERMS),
        Chart("hours_distribution", _("学时达标分布"), hours_distribution, LEDGER_PERMS),
    ],
)
