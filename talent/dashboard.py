"""What 人才办 shows on the admin home and the charts page (orgportal.dashboard)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgportal import access, codes
from orgportal.charts import BARS, STACKED, ChartData
from orgportal.dashboard import Chart, Figure, register
from orgportal.models import Unit

from .models import Certification, ServiceRequest, Talent, TalentCard
from .reports import NO_LEVEL, REQUIRED_PERMS, talent_counts, talent_flow

EXPIRING_DAYS = 90


def expiring_cards(cards, on: datetime.date | None = None):
    """有效 cards whose expiry falls within EXPIRING_DAYS (the admin's 即将到期 filter too)."""
    on = on or timezone.localdate()
    return cards.in_state(codes.TalentCardStatus.VALID, on).filter(
        expires_on__lte=on + datetime.timedelta(days=EXPIRING_DAYS)
    )


register(
    "人才办",
    figures=[
        Figure(
            "cards_expiring",
            _("90天内到期的英才卡"),
            TalentCard,
            lambda rows, ctx: expiring_cards(rows, ctx.today),
            "expiring=1",
        ),
        Figure(
            "certifications_expiring",
            _("90天内到期的人才认定"),
            Certification,
            lambda rows, ctx: rows.expiring_within(EXPIRING_DAYS, ctx.today),
            "validity=expiring",
        ),
        Figure(
            "requests_overdue",
            _("逾期未办结的服务事项"),
            ServiceRequest,
            lambda rows, ctx: rows.overdue(ctx.today),
            "overdue=1",
        ),
    ],
)


# --- charts ----------------------------------------------------------------------------------------
def _scoped(request, model):
    return access.scope(model.objects.all(), request.user)


def by_category_level(request) -> ChartData:
    """在岗人才 by 人才类别 × 人才层次 (talent.reports.talent_counts)."""
    report = talent_counts(_scoped(request, Talent), units=_scoped(request, Unit))
    categories = report["categories"]
    levels = [*codes.TalentLevel.choices, NO_LEVEL]
    return ChartData(
        STACKED,
        str(_("人才类别")),
        [row["label"] for row in categories],
        [
            (
                str(label),
                [
                    next(level["count"] for level in row["levels"] if level["code"] == code)
                    for row in categories
                ],
            )
            for code, label in levels
        ],
    )


def arrivals_departures(request) -> ChartData:
    """引进 vs 流失 per year (talent.reports.talent_flow)."""
    flow = talent_flow(_scoped(request, Talent), units=_scoped(request, Unit))
    years = flow["years"]
    return ChartData(
        BARS,
        str(_("年度")),
        [str(year["year"]) for year in years],
        [
            (str(_("引进")), [year["arrivals"]["total"] for year in years]),
            (str(_("流失")), [year["departures"]["total"] for year in years]),
        ],
        total_column=False,
        extra=[str(_("净增 %(n)d 人")) % {"n": flow["total"]["net_change"]}],
    )


register(
    "人才办",
    charts=[
        Chart("talent_levels", _("人才类别与层次"), by_category_level, REQUIRED_PERMS["talents"]),
        Chart("talent_flow", _("人才引进与流失"), arrivals_departures, REQUIRED_PERMS["flow"]),
    ],
)
