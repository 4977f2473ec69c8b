"""人才办的统计报表: talents by category × level × unit, arrivals and departures per year, talent
cards and their service requests, and the talent plan's indicators — counted in SQL.

Each report is a function of querysets the caller has already scoped to the user's jurisdiction
(`orgportal.access.scope`); every figure comes from an aggregate or a grouped query
(`values().annotate(Count())`, Case/When, ExtractYear), so the number of queries is the same for
ten records or a hundred thousand. Python only labels and adds up the grouped rows.

What is counted:
- 人才统计: talents 在岗 (another status, or every status, when asked), by 人才类别 × 人才层次 ×
  unit. The unit is the level just below the narrowest unit covering the user's jurisdiction (or
  the `unit_subtree` asked for): a city office sees its counties and departments, a county office
  its townships and departments; talents placed at that unit itself make its 本级 row.
- 引进与流失: talents arrived (引进 and 乡情回引, by the year of `arrived_on`, by source) against
  talents departed (流失, by the year of `left_on`, by reason, whatever their source); every
  talent counts whatever their status now. 净流入 = arrivals − departures.
- 英才卡与服务: cards issued per year (by tier); every card by its state on `on` (有效, 挂失, 注销, and
  过期 — a 有效 card past its expiry date, as TalentCardQuerySet.in_state); service requests by
  kind: closed (办结 or 不予办理) on time (closed_on ≤ due_on) or late, open, overdue on `on` (open
  and past due, as ServiceRequestQuerySet.overdue), and the satisfaction recorded when 办结.
- 规划指标完成情况: each indicator per year and unit with its target, actual, whether achieved
  (PlanIndicatorQuerySet.achieved: an actual reaching the target) and completion rate; achieved /
  total per year (grouped queries) and over all years.
The year range narrows the flow (by the year of each event), the cards issued, the requests (by the
year opened) and the indicators; not the current counts of talents or of cards by state.
"""

import datetime
from collections.abc import Iterable, Mapping

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, F, Max, Min, Q
from django.db.models.functions import ExtractYear, Substr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from orgportal import access, codes
from orgportal.api import router
from orgportal.models import PATH_SEGMENT, Unit
from orgportal.reports import (
    ReportForm,
    ReportQuerySerializer,
    ReportViewSet,
    code_ref,
    code_rows,
    in_subtree,
    percent,
    report_form,
    report_page,
    subtree_unit,
    unit_ref,
    validated,
)

from .models import (
    CARD_STATES,
    CLOSED_REQUEST_STATUSES,
    EXPIRED,
    OPEN_REQUEST_STATUSES,
    ServiceRequest,
    Talent,
    TalentCard,
    TalentPlanIndicator,
)

REQUIRED_PERMS = {  # what each report counts decides what it needs to be seen
    "talents": ("talent.view_talent",),
    "flow": ("talent.view_talent",),
    "cards": ("talent.view_talentcard", "talent.view_servicerequest"),
    "indicators": ("talent.view_talentplanindicator",),
}
TITLE = _("人才工作统计")
TITLES = {
    "talents": _("人才统计"),
    "flow": _("人才引进与流失"),
    "cards": _("英才卡与服务"),
    "indicators": _("规划指标完成情况"),
}
ALL = "all"  # status=all: every talent, whatever their status
STATUS_CHOICES = [*codes.TalentStatus.choices, (ALL, _("全部"))]
NO_LEVEL = ("", _("未定层次"))
ARRIVAL_SOURCES = [
    (code, label) for code, label in codes.TalentSource.choices if code != codes.TalentSource.LOCAL
]
UNRATED = ("", _("未评价"))
SATISFIED = (codes.Satisfaction.SATISFIED, codes.Satisfaction.FAIRLY_SATISFIED)
Status = codes.ServiceRequestStatus


# --- shared ----------------------------------------------------------------------------------------
def _add(counts: dict, key, n: int) -> None:
    counts[key] = counts.get(key, 0) + n


def _in_years(queryset: models.QuerySet, field: str, year_from: int | None, year_to: int | None):
    """Records whose date `field` falls in the years (date bounds, so an index on it serves)."""
    if year_from:
        queryset = queryset.filter(**{f"{field}__gte": datetime.date(year_from, 1, 1)})
    if year_to:
        queryset = queryset.filter(**{f"{field}__lte": datetime.date(year_to, 12, 31)})
    return queryset


def _year_span(found: Iterable[int], year_from: int | None, year_to: int | None) -> list[int]:
    """Every year from the first to the last (the range asked for, else the years found), so a
    year without any event still has its row."""
    found = [year for year in found if year is not None]
    low = year_from or min(found, default=None)
    high = year_to or max(found, default=low)
    if low is None:
        return []
    return list(range(low, max(low, high) + 1))


def _filters(unit: dict | None, year_from: int | None = None, year_to: int | None = None) -> dict:
    return {"unit": unit_ref(unit), "year_from": year_from, "year_to": year_to}


# --- 1. 人才统计: category × level × unit --------------------------------------------------------
def _common_path(low: str | None, high: str | None) -> str:
    """The longest path, in whole segments, that both paths (and so every path between them) start
    with: the unit covering them all ('' when they lie under different top units)."""
    if not low or not high:
        return ""
    length = 0
    for a, b in zip(low, high, strict=False):
        if a != b:
            break
        length += 1
    return low[: length - length % PATH_SEGMENT]


def talent_counts(
    talents: models.QuerySet,
    *,
    units: models.QuerySet | None = None,
    unit_subtree: int | None = None,
    status: str | None = codes.TalentStatus.ACTIVE,
) -> dict:
    """人才统计 of `talents` (scoped by the caller) by 人才类别 × 人才层次 × unit.

    `units` are the units of the user's jurisdiction (every unit by default): the rows are the
    units one level below the narrowest unit covering them (or `unit_subtree`, one of them), each
    counting its whole subtree, and that unit's own talents (本级). `status`: 在岗 by default, None
    for every status. Three queries (the covering unit, the grouped counts, the row units' names), and one
    for `unit_subtree`.
    """
    units = Unit.objects.all() if units is None else units
    unit = subtree_unit(unit_subtree, units)
    talents = in_subtree(talents, "unit__path", unit).order_by()
    units = in_subtree(units, "path", unit).order_by()
    if status:
        talents = talents.filter(status=status)
    bounds = units.aggregate(low=Min("path"), high=Max("path"))
    base = _common_path(bounds["low"], bounds["high"])
    cells = list(
        talents.annotate(row_path=Substr("unit__path", 1, len(base) + PATH_SEGMENT))
        .values("row_path", "category", "level")
        .annotate(n=Count("pk"))
    )
    names = {
        row["path"]: row
        for row in Unit.objects.filter(path__in={base, *(cell["row_path"] for cell in cells)}).values(
            "pk", "name", "path"
        )
    }
    total = sum(cell["n"] for cell in cells)
    by_category: dict[str, int] = {}
    by_level: dict[str, int] = {}
    by_category_level: dict[str, dict[str, int]] = {}
    by_unit: dict[str, tuple[dict, dict]] = {}
    for cell in cells:
        category, level, n = cell["category"], cell["level"], cell["n"]
        _add(by_category, category, n)
        _add(by_level, level, n)
        _add(by_category_level.setdefault(category, {}), level, n)
        unit_categories, unit_levels = by_unit.setdefault(cell["row_path"], ({}, {}))
        _add(unit_categories, category, n)
        _add(unit_levels, level, n)
    level_choices = [*codes.TalentLevel.choices, NO_LEVEL]
    unit_rows = []
    for row_path in sorted(by_unit):
        unit_categories, unit_levels = by_unit[row_path]
        named = names.get(row_path, {"pk": None, "name": row_path})
        own = row_path == base
        unit_rows.append(
            {
                "id": named["pk"],
                "name": f"{named['name']}（本级）" if own else named["name"],
                "own": own,
                "count": sum(unit_categories.values()),
                "categories": code_rows(codes.TalentCategory.choices, unit_categories),
                "levels": code_rows(level_choices, unit_levels),
            }
        )
    categories = code_rows(codes.TalentCategory.choices, by_category, total)
    for row in categories:
        row["levels"] = code_rows(level_choices, by_category_level.get(row["code"], {}))
    base_unit = names.get(base)
    return {
        "filters": {"unit": unit_ref(unit), "status": code_ref(codes.TalentStatus, status)},
        "base": None if base_unit is None else {"id": base_unit["pk"], "name": base_unit["name"]},
        "total": total,
        "categories": categories,
        "levels": code_rows(level_choices, by_level, total),
        "units": unit_rows,
        "cells": [
            {
                "unit": names.get(cell["row_path"], {}).get("pk"),
                "category": cell["category"],
                "level": cell["level"],
                "count": cell["n"],
            }
            for cell in sorted(cells, key=lambda c: (c["row_path"], c["category"], c["level"]))
        ],
    }


# --- 2. 引进与流失 ----------------------------------------------------------------------------------
def _flow_period(arrivals: Mapping[str, int], departures: Mapping[str, int]) -> dict:
    arrived, departed = sum(arrivals.values()), sum(departures.values())
    return {
        "arrivals": {"total": arrived, "by_source": code_rows(ARRIVAL_SOURCES, arrivals)},
        "departures": {
            "total": departed,
            "by_reason": code_rows(codes.TalentDepartureReason.choices, departures),
        },
        "net_change": arrived - departed,
    }


def talent_flow(
    talents: models.QuerySet,
    *,
    units: models.QuerySet | None = None,
    unit_subtree: int | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> dict:
    """引进与流失 of `talents` (scoped by the caller) per year: arrivals (引进, 乡情回引) by source in
    the year of arrival, departures (流失) by reason in the year they left, and the net; the same
    over all the years. `unit_subtree` is looked up among `units` (the jurisdiction, scoped by the
    caller). Two queries, and one for `unit_subtree`."""
    unit = subtree_unit(unit_subtree, units)
    talents = in_subtree(talents, "unit__path", unit).order_by()
    arrivals = (
        _in_years(talents, "arrived_on", year_from, year_to)
        .filter(source__in=[code for code, _label in ARRIVAL_SOURCES], arrived_on__isnull=False)
        .annotate(year=ExtractYear("arrived_on"))
        .values("year", "source")
        .annotate(n=Count("pk"))
    )
    departures = (
        _in_years(talents, "left_on", year_from, year_to)
        .filter(status=codes.TalentStatus.DEPARTED, left_on__isnull=False)
        .annotate(year=ExtractYear("left_on"))
        .values("year", "leave_reason")
        .annotate(n=Count("pk"))
    )
    by_year: dict[int, tuple[dict, dict]] = {}
    totals: tuple[dict, dict] = ({}, {})
    for rows, key, side in ((arrivals, "source", 0), (departures, "leave_reason", 1)):
        for row in rows:
            for counts in (by_year.setdefault(row["year"], ({}, {}))[side], totals[side]):
                _add(counts, row[key], row["n"])
    years = _year_span(by_year, year_from, year_to)
    return {
        "filters": _filters(unit, year_from, year_to),
        "years": [{"year": year, **_flow_period(*by_year.get(year, ({}, {})))} for year in years],
        "total": _flow_period(*totals),
    }


# --- 3. 英才卡与服务 --------------------------------------------------------------------------------
def card_state_q(state: str, on: datetime.date) -> Q:
    """The cards in `state` on `on`, as TalentCardQuerySet.in_state, as a condition for Count()."""
    if state == EXPIRED:
        return Q(status=codes.TalentCardStatus.VALID, expires_on__lt=on)
    if state == codes.TalentCardStatus.VALID:
        return Q(status=state, expires_on__gte=on)
    return Q(status=state)


SATISFACTION_ROWS = [*codes.Satisfaction.choices, UNRATED]
REQUEST_FIGURES = ("total", "open", "overdue", "done", "refused", "on_time", "late")


def _request_counts(on: datetime.date) -> dict:
    """Count() per service-request figure; satisfaction as `satisfaction_<n>` in choice order."""
    is_open = Q(status__in=OPEN_REQUEST_STATUSES)
    closed = Q(status__in=CLOSED_REQUEST_STATUSES)
    return {
        "total": Count("pk"),
        "open": Count("pk", filter=is_open),
        "overdue": Count("pk", filter=is_open & Q(due_on__lt=on)),  # as ServiceRequestQuerySet.overdue
        "done": Count("pk", filter=Q(status=Status.DONE)),
        "refused": Count("pk", filter=Q(status=Status.REFUSED)),
        "on_time": Count("pk", filter=closed & Q(closed_on__lte=F("due_on"))),
        "late": Count("pk", filter=closed & Q(closed_on__gt=F("due_on"))),
        **{
            f"satisfaction_{n}": Count("pk", filter=Q(status=Status.DONE, satisfaction=code))
            for n, (code, _label) in enumerate(SATISFACTION_ROWS)
        },
    }


def _request_row(code: str, label: str, counts: Mapping[str, int]) -> dict:
    closed = counts.get("on_time", 0) + counts.get("late", 0)
    satisfaction = [
        {"code": sat_code, "label": str(sat_label), "count": counts.get(f"satisfaction_{n}", 0)}
        for n, (sat_code, sat_label) in enumerate(SATISFACTION_ROWS)
    ]
    rated = sum(row["count"] for row in satisfaction if row["code"])
    satisfied = sum(row["count"] for row in satisfaction if row["code"] in SATISFIED)
    return {
        "code": code,
        "label": label,
        **{figure: counts.get(figure, 0) for figure in REQUEST_FIGURES},
        "closed": closed,
        "on_time_percent": percent(counts.get("on_time", 0), closed),
        "satisfaction": satisfaction,
        "rated": rated,
        "satisfied_percent": percent(satisfied, rated),
    }


def cards_and_services(
    cards: models.QuerySet,
    requests: models.QuerySet,
    *,
    units: models.QuerySet | None = None,
    unit_subtree: int | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    on: datetime.date | None = None,
) -> dict:
    """英才卡与服务 of `cards` and `requests` (scoped by the caller): cards issued per year by tier
    (in the years asked for), every card by its state on `on` (today by default), and the service
    requests opened in the years by kind; `unit_subtree` is one of `units` (the jurisdiction). Three
    queries, and one for `unit_subtree`."""
    on = on or timezone.localdate()
    unit = subtree_unit(unit_subtree, units)
    cards = in_subtree(cards, "talent__unit__path", unit).order_by()
    requests = _in_years(
        in_subtree(requests, "card__talent__unit__path", unit).order_by(), "opened_on", year_from, year_to
    )
    issued = (
        _in_years(cards, "issued_on", year_from, year_to)
        .annotate(year=ExtractYear("issued_on"))
        .values("year", "tier")
        .annotate(n=Count("pk"))
    )
    by_year: dict[int, dict] = {}
    issued_total: dict[str, int] = {}
    for row in issued:
        _add(by_year.setdefault(row["year"], {}), row["tier"], row["n"])
        _add(issued_total, row["tier"], row["n"])
    states = cards.aggregate(
        total=Count("pk"),
        **{f"state_{code}": Count("pk", filter=card_state_q(code, on)) for code, _l in CARD_STATES},
    )
    by_kind = {row["kind"]: row for row in requests.values("kind").annotate(**_request_counts(on))}
    kinds = [
        _request_row(code, str(label), by_kind.get(code, {}))
        for code, label in [
            *codes.ServiceKind.choices,
            *((kind, kind) for kind in by_kind if kind not in codes.ServiceKind.values),
        ]
    ]
    totals = {
        key: sum(row.get(key, 0) for row in by_kind.values())
        for key in [*REQUEST_FIGURES, *(f"satisfaction_{n}" for n in range(len(SATISFACTION_ROWS)))]
    }

    def issued_period(counts: Mapping[str, int]) -> dict:
        return {"total": sum(counts.values()), "by_tier": code_rows(codes.TalentCardTier.choices, counts)}

    return {
        "filters": _filters(unit, year_from, year_to),
        "on": on,
        "issued": {
            "years": [
                {"year": year, **issued_period(by_year.get(year, {}))}
                for year in _year_span(by_year, year_from, year_to)
            ],
            "total": issued_period(issued_total),
        },
        "cards": {
            "total": states["total"],
            "by_state": code_rows(
                CARD_STATES, {code: states[f"state_{code}"] for code, _l in CARD_STATES}, states["total"]
            ),
        },
        "requests": {"kinds": kinds, "total": _request_row("", str(_("合计")), totals)},
    }


# --- 4. 规划指标完成情况 ----------------------------------------------------------------------------
def _summary(total: int, achieved: int, unreported: int) -> dict:
    return {
        "total": total,
        "achieved": achieved,
        "not_achieved": total - achieved,
        "unreported": unreported,
        "achieved_percent": percent(achieved, total),
    }


def indicator_completion(
    indicators: models.QuerySet,
    *,
    units: models.QuerySet | None = None,
    unit_subtree: int | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> dict:
    """规划指标完成情况 of `indicators` (scoped by the caller): per year (latest first) and unit, each
    indicator's target, actual, achieved and completion rate (TalentPlanIndicator's own); achieved /
    total per year by grouped queries (PlanIndicatorQuerySet.achieved) and over all years;
    `unit_subtree` is one of `units` (the jurisdiction). Three queries, and one for `unit_subtree`."""
    unit = subtree_unit(unit_subtree, units)
    indicators = in_subtree(indicators, "unit__path", unit).order_by()
    if year_from:
        indicators = indicators.filter(year__gte=year_from)
    if year_to:
        indicators = indicators.filter(year__lte=year_to)
    per_year = {
        row["year"]: row
        for row in indicators.values("year").annotate(total=Count("pk"), reported=Count("actual"))
    }
    achieved = dict(indicators.achieved().values("year").annotate(n=Count("pk")).values_list("year", "n"))
    listed = indicators.select_related("unit").only(
        "year", "indicator", "measure", "target", "actual", "unit__name", "unit__path"
    )
    years: dict[int, dict[int, dict]] = {}
    for item in listed.order_by("-year", "unit__path", "indicator", "pk"):
        units = years.setdefault(item.year, {})
        row = units.setdefault(
            item.unit_id, {"id": item.unit_id, "name": item.unit.name, "achieved": 0, "indicators": []}
        )
        row["achieved"] += item.achieved
        row["indicators"].append(
            {
                "id": item.pk,
                "indicator": item.indicator,
                "measure": item.measure,
                "target": item.target,
                "actual": item.actual,
                "achieved": item.achieved,
                "completion": item.completion,
            }
        )
    for units in years.values():
        for row in units.values():
            row["total"] = len(row["indicators"])
    summaries = {
        year: _summary(row["total"], achieved.get(year, 0), row["total"] - row["reported"])
        for year, row in per_year.items()
    }
    return {
        "filters": _filters(unit, year_from, year_to),
        "summary": _summary(
            sum(s["total"] for s in summaries.values()),
            sum(s["achieved"] for s in summaries.values()),
            sum(s["unreported"] for s in summaries.values()),
        ),
        "years": [
            {"year": year, "summary": summaries[year], "units": list(years.get(year, {}).values())}
            for year in sorted(summaries, reverse=True)
        ],
    }


# --- API: GET /api/v1/talent-reports/{talents,flow,cards,indicators}/ ------------------------------
class TalentReportCountsQuerySerializer(ReportQuerySerializer):
    status = serializers.ChoiceField(
        STATUS_CHOICES,
        default=codes.TalentStatus.ACTIVE,
        label=_("人才状态"),
        help_text=_("默认只统计在岗人才；all 统计全部人才"),
    )

    def validate_status(self, value: str) -> str | None:
        return None if value == ALL else value


class TalentReportYearsQuerySerializer(ReportQuerySerializer):
    year = serializers.IntegerField(
        required=False,
        min_value=1900,
        max_value=2100,
        label=_("年度"),
        help_text=_("只统计这一年度（不与 year_from、year_to 同用）"),
    )
    year_from = serializers.IntegerField(required=False, min_value=1900, max_value=2100, label=_("起始年度"))
    year_to = serializers.IntegerField(required=False, min_value=1900, max_value=2100, label=_("截止年度"))

    def validate(self, attrs: dict) -> dict:
        year = attrs.pop("year", None)
        if year is not None:
            if "year_from" in attrs or "year_to" in attrs:
                raise serializers.ValidationError({"year": _("年度与起止年度不能同时指定")})
            attrs["year_from"] = attrs["year_to"] = year
        if attrs.get("year_from") and attrs.get("year_to") and attrs["year_from"] > attrs["year_to"]:
            raise serializers.ValidationError({"year_to": _("截止年度不能早于起始年度")})
        return attrs


class TalentReportCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class TalentReportCountSerializer(TalentReportCodeSerializer):
    count = serializers.IntegerField()


class TalentReportShareSerializer(TalentReportCountSerializer):
    percent = serializers.FloatField(help_text=_("占合计的百分比，保留一位小数"))


class TalentReportUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TalentReportCountsFiltersSerializer(serializers.Serializer):
    unit = TalentReportUnitSerializer(allow_null=True, help_text=_("所属单位（含下级）"))
    status = TalentReportCodeSerializer(allow_null=True, help_text=_("人才状态，全部时为空"))


class TalentReportFiltersSerializer(serializers.Serializer):
    unit = TalentReportUnitSerializer(allow_null=True, help_text=_("所属单位（含下级）"))
    year_from = serializers.IntegerField(allow_null=True, help_text=_("起始年度，未指定时为空"))
    year_to = serializers.IntegerField(allow_null=True, help_text=_("截止年度，未指定时为空"))


class TalentReportCountsCategorySerializer(TalentReportShareSerializer):
    levels = TalentReportCountSerializer(many=True, help_text=_("该类别按人才层次"))


class TalentReportCountsUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    own = serializers.BooleanField(help_text=_("本级：统计单位自身的人才（不含下级）"))
    count = serializers.IntegerField(help_text=_("人数（含下级单位）"))
    categories = TalentReportCountSerializer(many=True, help_text=_("按人才类别"))
    levels = TalentReportCountSerializer(many=True, help_text=_("按人才层次"))


class TalentReportCountsCellSerializer(serializers.Serializer):
    unit = serializers.IntegerField(allow_null=True, help_text=_("units 中的单位编号"))
    category = serializers.CharField(help_text=_("人才类别代码"))
    level = serializers.CharField(help_text=_("人才层次代码，空为未定层次"))
    count = serializers.IntegerField()


class TalentReportCountsSerializer(serializers.Serializer):
    filters = TalentReportCountsFiltersSerializer()
    base = TalentReportUnitSerializer(allow_null=True, help_text=_("分列其下一级单位的单位"))
    total = serializers.IntegerField(help_text=_("总人数"))
    categories = TalentReportCountsCategorySerializer(many=True, help_text=_("按人才类别（含类别×层次）"))
    levels = TalentReportShareSerializer(many=True, help_text=_("按人才层次"))
    units = TalentReportCountsUnitSerializer(many=True, help_text=_("按单位：统计单位的下一级单位及本级"))
    cells = TalentReportCountsCellSerializer(many=True, help_text=_("单位×类别×层次的全部非零人数"))


class TalentReportFlowArrivalsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_source = TalentReportCountSerializer(many=True, help_text=_("按人才来源（引进、乡情回引）"))


class TalentReportFlowDeparturesSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_reason = TalentReportCountSerializer(many=True, help_text=_("按流失原因"))


class TalentReportFlowPeriodSerializer(serializers.Serializer):
    arrivals = TalentReportFlowArrivalsSerializer(help_text=_("引进（回引），按引进（回引）时间所在年度"))
    departures = TalentReportFlowDeparturesSerializer(help_text=_("流失，按流失日期所在年度"))
    net_change = serializers.IntegerField(help_text=_("净流入：引进（回引）减流失"))


class TalentReportFlowYearSerializer(TalentReportFlowPeriodSerializer):
    year = serializers.IntegerField()


class TalentReportFlowSerializer(serializers.Serializer):
    filters = TalentReportFiltersSerializer()
    years = TalentReportFlowYearSerializer(many=True, help_text=_("按年度，无记录的年度也列出"))
    total = TalentReportFlowPeriodSerializer(help_text=_("全部年度合计"))


class TalentReportIssuedPeriodSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_tier = TalentReportCountSerializer(many=True, help_text=_("按卡类别"))


class TalentReportIssuedYearSerializer(TalentReportIssuedPeriodSerializer):
    year = serializers.IntegerField()


class TalentReportIssuedSerializer(serializers.Serializer):
    years = TalentReportIssuedYearSerializer(many=True, help_text=_("按发卡日期所在年度"))
    total = TalentReportIssuedPeriodSerializer()


class TalentReportCardStatesSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_state = TalentReportShareSerializer(
        many=True, help_text=_("有效、挂失、注销、过期（有效卡已过有效期）")
    )


class TalentReportServiceKindSerializer(TalentReportCodeSerializer):
    total = serializers.IntegerField(help_text=_("受理总数"))
    open = serializers.IntegerField(help_text=_("在办（受理、办理中）"))
    overdue = serializers.IntegerField(help_text=_("在办且已超过办理时限"))
    done = serializers.IntegerField(help_text=_("办结"))
    refused = serializers.IntegerField(help_text=_("不予办理"))
    closed = serializers.IntegerField(help_text=_("已办结（办结与不予办理）"))
    on_time = serializers.IntegerField(help_text=_("按时办结：办结日期不晚于办理时限"))
    late = serializers.IntegerField(help_text=_("超时办结"))
    on_time_percent = serializers.FloatField(help_text=_("按时办结率：按时办结占已办结的百分比"))
    satisfaction = TalentReportCountSerializer(many=True, help_text=_("办结事项的满意度，含未评价"))
    rated = serializers.IntegerField(help_text=_("已评价满意度的办结事项"))
    satisfied_percent = serializers.FloatField(help_text=_("满意率：满意与基本满意占已评价事项的百分比"))


class TalentReportServiceRequestsSerializer(serializers.Serializer):
    kinds = TalentReportServiceKindSerializer(many=True, help_text=_("按服务事项"))
    total = TalentReportServiceKindSerializer(help_text=_("合计"))


class TalentReportCardsSerializer(serializers.Serializer):
    filters = TalentReportFiltersSerializer()
    on = serializers.DateField(help_text=_("卡状态与超期的统计日期（今天）"))
    issued = TalentReportIssuedSerializer(help_text=_("发卡数，按年度与卡类别"))
    cards = TalentReportCardStatesSerializer(help_text=_("全部英才卡按当前状态"))
    requests = TalentReportServiceRequestsSerializer(help_text=_("服务事项，按受理日期所在年度筛选"))


class TalentReportIndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    indicator = serializers.CharField(help_text=_("指标"))
    measure = serializers.CharField(help_text=_("计量单位"))
    target = serializers.DecimalField(max_digits=12, decimal_places=2, help_text=_("目标值"))
    actual = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, help_text=_("完成值，未填报时为空")
    )
    achieved = serializers.BooleanField(help_text=_("完成值达到目标值"))
    completion = serializers.DecimalField(
        max_digits=None,
        decimal_places=1,
        allow_null=True,
        help_text=_("完成率（%），未填报或目标值为0时为空"),
    )


class TalentReportIndicatorUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    total = serializers.IntegerField()
    achieved = serializers.IntegerField()
    indicators = TalentReportIndicatorSerializer(many=True)


class TalentReportIndicatorSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text=_("指标数"))
    achieved = serializers.IntegerField(help_text=_("已完成"))
    not_achieved = serializers.IntegerField(help_text=_("未完成（含未填报）"))
    unreported = serializers.IntegerField(help_text=_("未填报完成值"))
    achieved_percent = serializers.FloatField(help_text=_("完成指标占指标数的百分比"))


class TalentReportIndicatorYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    summary = TalentReportIndicatorSummarySerializer()
    units = TalentReportIndicatorUnitSerializer(many=True, help_text=_("按责任单位"))


class TalentReportIndicatorsSerializer(serializers.Serializer):
    filters = TalentReportFiltersSerializer()
    summary = TalentReportIndicatorSummarySerializer(help_text=_("全部年度合计"))
    years = TalentReportIndicatorYearSerializer(many=True, help_text=_("按年度，近年在前"))


class TalentReportViewSet(ReportViewSet):
    """人才办统计报表: talents, their flow, talent cards and services, plan indicators, in the user's
    jurisdiction (talent.reports)."""

    queryset = Talent.objects.all()
    required_perms = REQUIRED_PERMS

    def _respond(self, serializer_class, report: dict) -> Response:
        return Response(serializer_class(report).data)

    @extend_schema(
        summary=_("人才统计"),
        description=_(
            "管辖范围内的人才按人才类别×人才层次×单位统计：单位为管辖范围（或 unit_subtree）的下一级单位"
            "（含其下级），统计单位自身的人才列为本级。默认只统计在岗人才。"
        ),
        parameters=[TalentReportCountsQuerySerializer],
        responses=TalentReportCountsSerializer,
    )
    @action(detail=False, url_path="talents")
    def talents(self, request):
        query = validated(TalentReportCountsQuerySerializer, request.query_params)
        report = talent_counts(self.scoped(Talent), units=self.scoped(Unit), **query)
        return self._respond(TalentReportCountsSerializer, report)

    @extend_schema(
        summary=_("人才引进与流失"),
        description=_(
            "按年度：引进、乡情回引人才（按引进（回引）时间，分来源）与流失人才（按流失日期，分原因），及净流入。"
        ),
        parameters=[TalentReportYearsQuerySerializer],
        responses=TalentReportFlowSerializer,
    )
    @action(detail=False, url_path="flow")
    def flow(self, request):
        query = validated(TalentReportYearsQuerySerializer, request.query_params)
        report = talent_flow(self.scoped(Talent), units=self.scoped(Unit), **query)
        return self._respond(TalentReportFlowSerializer, report)

    @extend_schema(
        summary=_("英才卡与服务"),
        description=_(
            "按年度的发卡数（分卡类别）；全部英才卡按当前状态（有效、挂失、注销、过期）；服务事项按类别："
            "受理、在办、超期、按时办结与超时办结（办结日期与办理时限比较）、满意度。年度筛选发卡日期与受理日期。"
        ),
        parameters=[TalentReportYearsQuerySerializer],
        responses=TalentReportCardsSerializer,
    )
    @action(detail=False, url_path="cards")
    def cards(self, request):
        query = validated(TalentReportYearsQuerySerializer, request.query_params)
        report = cards_and_services(
            self.scoped(TalentCard), self.scoped(ServiceRequest), units=self.scoped(Unit), **query
        )
        return self._respond(TalentReportCardsSerializer, report)

    @extend_schema(
        summary=_("规划指标完成情况"),
        description=_(
            "人才发展规划指标按年度、责任单位：目标值、完成值、是否完成、完成率；各年度及合计的完成数/指标数。"
        ),
        parameters=[TalentReportYearsQuerySerializer],
        responses=TalentReportIndicatorsSerializer,
    )
    @action(detail=False, url_path="indicators")
    def indicators(self, request):
        query = validated(TalentReportYearsQuerySerializer, request.query_params)
        report = indicator_completion(self.scoped(TalentPlanIndicator), units=self.scoped(Unit), **query)
        return self._respond(TalentReportIndicatorsSerializer, report)


router.register("talent-reports", TalentReportViewSet, basename="talent-reports")


# --- admin page (TalentProgrammeAdmin.get_urls) ------------------------------------------------
class TalentReportForm(ReportForm):
    status = forms.ChoiceField(
        label=_("人才状态"), choices=STATUS_CHOICES, required=False, initial=codes.TalentStatus.ACTIVE
    )
    year_from = forms.IntegerField(label=_("起始年度"), min_value=1900, max_value=2100, required=False)
    year_to = forms.IntegerField(label=_("截止年度"), min_value=1900, max_value=2100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year_from"].widget.attrs["style"] = self.fields["year_to"].widget.attrs["style"] = (
            "width: 6em"
        )

    def clean(self):
        data = super().clean()
        if data.get("year_from") and data.get("year_to") and data["year_from"] > data["year_to"]:
            self.add_error("year_to", _("截止年度不能早于起始年度"))
        return data


def admin_reports(request, options: Mapping, kinds: Iterable[str]) -> dict:
    """The reports `kinds` for the user, with the form's options."""
    user = request.user
    unit_subtree = options.get("unit_subtree")
    years = {"year_from": options.get("year_from"), "year_to": options.get("year_to")}
    status = options.get("status") or codes.TalentStatus.ACTIVE

    def scoped(model):
        return access.scope(model.objects.all(), user)

    units = scoped(Unit)
    build = {
        "talents": lambda: talent_counts(
            scoped(Talent),
            units=units,
            unit_subtree=unit_subtree,
            status=None if status == ALL else status,
        ),
        "flow": lambda: talent_flow(scoped(Talent), units=units, unit_subtree=unit_subtree, **years),
        "cards": lambda: cards_and_services(
            scoped(TalentCard), scoped(ServiceRequest), units=units, unit_subtree=unit_subtree, **years
        ),
        "indicators": lambda: indicator_completion(
            scoped(TalentPlanIndicator), units=units, unit_subtree=unit_subtree, **years
        ),
    }
    return {kind: build[kind]() for kind in kinds}


def admin_page(request, *, model_admin) -> TemplateResponse:
    """人才工作统计: the four reports the user may see as HTML tables, with a unit, status and years
    form; 403 when the user may see none of them."""
    kinds = [kind for kind, perms in REQUIRED_PERMS.items() if request.user.has_perms(perms)]
    if not kinds:
        raise PermissionDenied
    form, options = report_form(request, model_admin, TalentReportForm)
    return report_page(
        request,
        model_admin,
        "admin/talent/reports.html",
        title=TITLE,
        titles={kind: TITLES[kind] for kind in kinds},
        form=form,
        reports=None if options is None else admin_reports(request, options, kinds),
        level_headers=[str(label) for _code, label in [*codes.TalentLevel.choices, NO_LEVEL]],
    )


def admin_urls(model_admin) -> list:
    """The report page's URL, to put before the model admin's own (whose last one catches all)."""

    def view(request):
        return admin_page(request, model_admin=model_admin)

    return [path("reports/", model_admin.admin_site.admin_view(view), name="talent_reports")]


def admin_links(request, admin_site) -> list[dict]:
    """The report page, if the user may see any report on it: title and URL."""
    if not any(request.user.has_perms(perms) for perms in REQUIRED_PERMS.values()):
        return []
    return [{"title": TITLE, "url": reverse("admin:talent_reports", current_app=admin_site.name)}]
