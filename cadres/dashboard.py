"""What the cadre sections show on the admin home and the charts page (orgportal.dashboard)."""

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgportal import access, codes, rules
from orgportal.charts import PYRAMID, STACKED, ChartData
from orgportal.dashboard import Chart, Figure, register

from .models import (
    AGE_BANDS,
    Cadre,
    CadreWarning,
    PersonalMattersReport,
    PoolMembership,
    Posting,
)
from .structure import PROMOTED, REQUIRED_PERMS, band_expression, pool_flow

IN = codes.PoolStatus.IN


def _in_pool(rows, ctx):
    return rows.filter(status=IN)


def _flagged(rows, ctx):
    return rules.filter_by_rule(_in_pool(rows, ctx), "any", rules.rules_for(ctx.request, "pool"), ctx.today)


register(
    "综干科",
    figures=[
        Figure(
            "pool_size",
            _("年轻干部库在库人数"),
            PoolMembership,
            _in_pool,
            "status__exact=in",
            attention=False,
        ),
        Figure(
            "pool_flagged",
            _("在库成员待研判（规则提示）"),
            PoolMembership,
            _flagged,
            "status__exact=in&rule=any",
        ),
        Figure(
            "postings_ending",
            _("30天内期满的实践锻炼"),
            Posting,
            lambda rows, ctx: rows.ending_within(30, ctx.today),
            "posting_state=ending",
        ),
    ],
)
register(
    "干监科",
    figures=[
        Figure(
            "open_warnings",
            _("未解除的预警"),
            CadreWarning,
            lambda rows, ctx: rows.filter(closed_on__isnull=True),
            "closed_on__isempty=1",
            by="level",
        ),
        Figure(
            "unchecked_reports",
            _("个人有关事项报告未核查"),
            PersonalMattersReport,
            lambda rows, ctx: rows.filter(checked_on__isnull=True),
            "checked_on__isempty=1",
        ),
    ],
)
register(
    "干档科",
    figures=[
        Figure(
            "archive_open",
            _("档案专审有未整改问题的干部"),
            Cadre,
            lambda rows, ctx: rows.archive_status("open"),
            "archive_status=open",
            perms=("cadres.view_archivereview",),
        ),
    ],
)


# --- charts ----------------------------------------------------------------------------------------
def ages_by_gender(cadres, on) -> ChartData:
    """梯次配备: age bands (周岁 on `on`, as cadres.structure counts them) × 男/女, one grouped query."""
    rows = (
        cadres.order_by()
        .annotate(band=band_expression(AGE_BANDS, on))
        .values("band", "gender")
        .annotate(n=Count("pk"))
    )
    counts = {(row["band"], row["gender"]): row["n"] for row in rows}
    bands = list(AGE_BANDS)
    return ChartData(
        PYRAMID,
        str(_("年龄段")),
        bands,
        [
            (str(codes.Gender.MALE.label), [counts.get((b, codes.Gender.MALE), 0) for b in bands]),
            (str(codes.Gender.FEMALE.label), [counts.get((b, codes.Gender.FEMALE), 0) for b in bands]),
        ],
        note=str(_("年龄按今天的周岁计；只知出生年月的按当月1日计")),
    )


def _cadres(request):
    return access.scope(Cadre.objects.all(), request.user)


def pool_ages(request) -> ChartData:
    return ages_by_gender(_cadres(request).filter(memberships__status=IN), timezone.localdate())


def cadre_ages(request) -> ChartData:
    return ages_by_gender(_cadres(request).filter(status=codes.CadreStatus.SERVING), timezone.localdate())


def _memberships(request):
    return PoolMembership.objects.filter(cadre__in=_cadres(request).values("pk"))


def _span(years: list[dict]) -> list[tuple[int, dict | None]]:
    """Every year from the first to the last of `years` (a year without a row as None)."""
    by_year = {y["year"]: y for y in years}
    return [(year, by_year.get(year)) for year in range(min(by_year), max(by_year) + 1)] if by_year else []


def _count(rows: list[dict], code: str) -> int:
    return next((r["count"] for r in rows if r["code"] == code), 0)


def pool_entries(request) -> ChartData:
    """入库 per year by source (cadres.structure.pool_flow), every year from the first entry."""
    years = _span([y for y in pool_flow(_memberships(request))["years"] if y["entries"]["total"]])
    return ChartData(
        STACKED,
        str(_("年度")),
        [str(year) for year, _row in years],
        [
            (str(label), [_count(row["entries"]["by_source"], code) if row else 0 for _year, row in years])
            for code, label in codes.PoolSource.choices
        ],
    )


def pool_exits(request) -> ChartData:
    """出库 per year: 提拔使用 (the pool's output) apart, then the other reasons."""
    flow = pool_flow(_memberships(request))
    years = _span([y for y in flow["years"] if y["output"]["count"] or y["other_exits"]["total"]])
    others = [c for c in codes.PoolExitReason.choices if c[0] != PROMOTED]
    return ChartData(
        STACKED,
        str(_("年度")),
        [str(year) for year, _row in years],
        [
            (
                str(codes.PoolExitReason(PROMOTED).label),
                [row["output"]["count"] if row else 0 for _y, row in years],
            ),
            *[
                (
                    str(label),
                    [_count(row["other_exits"]["by_reason"], code) if row else 0 for _y, row in years],
                )
                for code, label in others
            ],
        ],
        note=str(_("提拔使用是库的产出，单列在最下；其余为调整出库")),
    )


register(
    "综干科",
    charts=[
        Chart("pool_ages", _("年轻干部库年龄结构（梯次配备）"), pool_ages, REQUIRED_PERMS["pool"]),
        Chart("pool_entries", _("年轻干部库入库（按来源）"), pool_entries, REQUIRED_PERMS["pool"]),
        Chart("pool_exits", _("年轻干部库出库（提拔使用单列）"), pool_exits, REQUIRED_PERMS["pool"]),
    ],
)
register(
    "干部科",
    charts=[Chart("cadre_ages", _("干部队伍年龄结构（梯次配备）"), cadre_ages, REQUIRED_PERMS["cadres"])],
)
