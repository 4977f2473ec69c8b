"""调训全覆盖: the share of serving cadres trained, and each plan's quotas against the cadres sent —
counted in SQL by grouped queries and subqueries (orgportal.reports' machinery), so the number of
queries does not grow with the number of cadres.

What is counted:
- 覆盖率 (coverage): serving (在职) cadres of the unit subtree (and 职务层次, when asked) in the
  user's jurisdiction, by 职务层次; a cadre is trained this year when they completed (结业) a class
  that ended in the year, and in the window when the class ended in the year or the
  `window_years − 1` years before it (default 5, the 条例's cycle). The cadres not trained this
  year are listed by unit and name, at most `limit` of them (with their total count).
- 名额完成情况 (quotas): each PlanQuota of the plan (those of units in the jurisdiction): its
  count against the cadres of the quota's unit and every unit under it placed in the class —
  调训确认, 在训 and 结业 (PLACED_STATUSES), each counted, and their sum `sent`; `percent` = sent /
  quota.
"""

import datetime

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from orgportal import codes
from orgportal.reports import code_rows, in_subtree, percent, subtree_unit, unit_ref

from .candidates import last_trained
from .models import PLACED_STATUSES, Enrolment

DEFAULT_WINDOW = 5
DEFAULT_LIMIT = 100
NO_LEVEL = ("", "未定职务层次")


def _trained(first: int, last: int) -> Exists:
    return Exists(
        Enrolment.objects.filter(
            cadre=OuterRef("pk"),
            status=codes.EnrolmentStatus.COMPLETED,
            training_class__end_date__gte=datetime.date(first, 1, 1),
            training_class__end_date__lte=datetime.date(last, 12, 31),
        )
    )


def coverage(
    cadres: models.QuerySet,
    *,
    year: int,
    units: models.QuerySet | None = None,
    unit_subtree: int | None = None,
    level: str | None = None,
    window_years: int = DEFAULT_WINDOW,
    limit: int = DEFAULT_LIMIT,
) -> dict:
    """调训覆盖率 of `cadres` (scoped by the caller) in `year`: 3 queries (unit, groups, list)."""
    unit = subtree_unit(unit_subtree, units)
    cadres = in_subtree(cadres.filter(status=codes.CadreStatus.SERVING), "unit__path", unit)
    if level:
        cadres = cadres.filter(level=level)
    first = year - window_years + 1
    marked = cadres.annotate(trained_year=_trained(year, year), trained_window=_trained(first, year))
    groups = (
        marked.order_by()
        .values("level")
        .annotate(
            total=Count("pk"),
            year_count=Count("pk", filter=Q(trained_year=True)),
            window_count=Count("pk", filter=Q(trained_window=True)),
        )
    )
    by_level = {row["level"] or "": row for row in groups}

    def shares(row: dict | None) -> dict:
        total = row["total"] if row else 0
        trained = row["year_count"] if row else 0
        window = row["window_count"] if row else 0
        return {
            "total": total,
            "trained_year": trained,
            "trained_year_percent": percent(trained, total),
            "trained_window": window,
            "trained_window_percent": percent(window, total),
            "not_trained_year": total - trained,
        }

    levels = [
        {**row, **shares(by_level.get(row["code"]))}
        for row in code_rows(
            [*codes.LeadershipLevel.choices, NO_LEVEL], {code: r["total"] for code, r in by_level.items()}
        )
        if row["code"] in by_level
    ]
    overall = shares(
        {
            "total": sum(r["total"] for r in by_level.values()),
            "year_count": sum(r["year_count"] for r in by_level.values()),
            "window_count": sum(r["window_count"] for r in by_level.values()),
        }
    )
    missing = (
        marked.filter(trained_year=False)
        .annotate(last_trained=last_trained())
        .order_by("unit__path", "name", "id")
        .values("pk", "name", "unit_id", "unit__name", "level", "post", "last_trained")[:limit]
    )
    labels = dict(codes.LeadershipLevel.choices)
    return {
        "filters": {
            "unit": unit_ref(unit),
            "level": {"code": level, "label": str(labels[level])} if level else None,
            "year": year,
            "window_years": window_years,
        },
        "window": {"year_from": first, "year_to": year},
        **overall,
        "levels": levels,
        "not_trained": [
            {
                "id": row["pk"],
                "name": row["name"],
                "unit": {"id": row["unit_id"], "name": row["unit__name"]},
                "level": row["level"] or "",
                "level_display": str(labels.get(row["level"], "")) if row["level"] else "",
                "post": row["post"],
                "last_trained": row["last_trained"],
            }
            for row in missing
        ],
        "limit": limit,
    }


def _placed_count(status) -> Coalesce:
    placed = (
        Enrolment.objects.filter(
            training_class=OuterRef("training_class"),
            cadre__unit__path__startswith=OuterRef("unit__path"),
            status=status,
        )
        .order_by()
        .values("training_class")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(placed, output_field=models.IntegerField()), 0)


def quota_fulfilment(quotas: models.QuerySet, *, plan: int) -> dict:
    """名额完成情况 of the plan's quotas in `quotas` (scoped by the caller): one query."""
    rows = (
        quotas.filter(plan_id=plan)
        .annotate(**{status: _placed_count(status) for status in PLACED_STATUSES})
        .select_related("training_class", "unit")
        .order_by("training_class__start_date", "training_class_id", "unit__path", "id")
    )
    statuses = dict(codes.EnrolmentStatus.choices)
    out, quota_total, sent_total = [], 0, 0
    for quota in rows:
        by_status = {status: getattr(quota, status) for status in PLACED_STATUSES}
        sent = sum(by_status.values())
        quota_total, sent_total = quota_total + quota.count, sent_total + sent
        out.append(
            {
                "id": quota.pk,
                "training_class": {"id": quota.training_class_id, "name": str(quota.training_class)},
                "unit": {"id": quota.unit_id, "name": quota.unit.name},
                "quota": quota.count,
                "by_status": [
                    {"code": s, "label": str(statuses[s]), "count": n} for s, n in by_status.items()
                ],
                "sent": sent,
                "short": max(quota.count - sent, 0),
                "percent": percent(sent, quota.count),
            }
        )
    return {
        "plan": plan,
        "quotas": out,
        "quota": quota_total,
        "sent": sent_total,
        "percent": percent(sent_total, quota_total),
    }
