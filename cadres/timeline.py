"""The growth dossier timeline (一人一档): everything the system knows of one cadre, in date order.

Each source is a function `fetch(cadre, user) -> Iterable[Event]` registered under a name. The
built-in sources below read the cadres app's records, one query each; the training and talent apps
add theirs with `register_source()` in their AppConfig.ready(), so this app never imports them.

Callers pass a cadre they fetched through the user's scoped queryset (the admin's or the API's
get_object), so jurisdiction is not checked again here; sensitive text is masked per source with
`orgportal.access`.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import models as db_models
from django.utils.text import Truncator
from rest_framework import serializers

from orgportal import access
from orgportal.validators import format_date

from . import models

__all__ = [
    "Event",
    "TimelineEventSerializer",
    "register_source",
    "registered_source",
    "sources",
    "timeline",
    "unregister_source",
]


@dataclass(frozen=True)
class Event:
    """One dated line of the timeline. `kind` is a short Chinese category (任免, 考核 …), `source`
    the label of the model it comes from, `sensitive` marks discipline and supervision records."""

    date: datetime.date
    kind: str
    title: str
    detail: str = ""
    source: str = ""
    sensitive: bool = False


Fetch = Callable[[models.Cadre, object], Iterable[Event]]
_sources: dict[str, Fetch] = {}


def register_source(name: str, fetch: Fetch) -> None:
    """Add a source of events; registering a name again replaces it (in its original place)."""
    _sources[name] = fetch


def unregister_source(name: str) -> Fetch | None:
    """Remove a source; returns it (None if it was not registered)."""
    return _sources.pop(name, None)


@contextmanager
def registered_source(name: str, fetch: Fetch) -> Iterator[None]:
    """Register a source for the duration of a block (tests), restoring what was there before."""
    previous = _sources.get(name)
    register_source(name, fetch)
    try:
        yield
    finally:
        if previous is None:
            unregister_source(name)
        else:
            register_source(name, previous)


def sources() -> list[str]:
    return list(_sources)


def _day(event: Event) -> datetime.date:
    value = event.date
    return value.date() if isinstance(value, datetime.datetime) else value


def timeline(cadre: models.Cadre, user) -> list[Event]:
    """Every source's events for the cadre, oldest first. On the same day the sources keep their
    registration order and each source its own order, so the result is stable."""
    events = [event for fetch in _sources.values() for event in fetch(cadre, user)]
    return sorted(events, key=_day)


# --- API representation ---------------------------------------------------------------------------
class TimelineEventSerializer(serializers.Serializer):
    """A timeline event as the API returns it (GET /api/v1/cadres/{id}/timeline/)."""

    date = serializers.DateField(label="日期")
    kind = serializers.CharField(label="类别")
    title = serializers.CharField(label="事项")
    detail = serializers.CharField(label="说明")
    source = serializers.CharField(label="来源")


# --- the built-in sources -------------------------------------------------------------------------
def _labels(model: type[db_models.Model], field: str) -> dict[str, str]:
    return {code: str(label) for code, label in model._meta.get_field(field).flatchoices}


def _joined(*parts: tuple[str, object]) -> str:
    """ "label：value；label：value", leaving out empty values; a part with an empty label is bare."""
    return "；".join(f"{label}：{value}" if label else str(value) for label, value in parts if value)


def _masker(model: type[db_models.Model], user) -> Callable[[str, object], object]:
    masked = set(access.masked_fields(model, user))
    return lambda name, value: access.mask(value) if name in masked else value


def cadre_events(cadre, user):
    """参加工作 and 入党, from the record itself (no query)."""
    source = models.Cadre._meta.label
    if cadre.work_start_date:
        yield Event(cadre.work_start_date, "基本信息", "参加工作", source=source)
    if cadre.party_join_date:
        yield Event(cadre.party_join_date, "基本信息", "加入中国共产党", source=source)


def pool_events(cadre, user):
    """入库 and 出库 (调整出库, with the reason) of each membership."""
    model, source = models.PoolMembership, models.PoolMembership._meta.label
    sources_, tiers, reasons = _labels(model, "source"), _labels(model, "tier"), _labels(model, "exit_reason")
    rows = (
        model.objects.filter(cadre=cadre.pk)
        .order_by("entered_on", "id")
        .values(
            "entered_on",
            "source",
            "tier",
            "programme__name",
            "programme__year",
            "recommending_unit__name",
            "exited_on",
            "exit_reason",
            "exit_note",
        )
    )
    for row in rows:
        programme = f"（{row['programme__name']}）" if row["programme__name"] else ""
        yield Event(
            row["entered_on"],
            "年轻干部库",
            f"纳入优秀年轻干部库{programme}",
            _joined(
                ("入库来源", sources_.get(row["source"], row["source"])),
                ("培养层级", tiers.get(row["tier"], row["tier"])),
                ("推荐单位", row["recommending_unit__name"]),
            ),
            source,
        )
        if row["exited_on"]:
            yield Event(
                row["exited_on"],
                "年轻干部库",
                f"调整出库：{reasons.get(row['exit_reason'], row['exit_reason'])}",
                _joined(("入库日期", format_date(row["entered_on"])), ("出库说明", row["exit_note"])),
                source,
            )


def movement_events(cadre, user):
    model, source = models.Movement, models.Movement._meta.label
    kinds, levels, ranks = _labels(model, "kind"), _labels(model, "to_level"), _labels(model, "to_rank")
    rows = (
        model.objects.filter(cadre=cadre.pk)
        .order_by("date", "id")
        .values(
            "kind",
            "date",
            "doc_number",
            "from_post",
            "to_unit__name",
            "to_post",
            "to_level",
            "to_rank",
            "note",
        )
    )
    for row in rows:
        kind = kinds.get(row["kind"], row["kind"])
        yield Event(
            row["date"],
            "任免",
            f"{kind}：{row['to_post']}" if row["to_post"] else kind,
            _joined(
                ("单位", row["to_unit__name"]),
                ("职务层次", levels.get(row["to_level"], row["to_level"])),
                ("职级", ranks.get(row["to_rank"], row["to_rank"])),
                ("原职务", row["from_post"]),
                ("文号", row["doc_number"]),
                ("备注", row["note"]),
            ),
            source,
        )


def assessment_events(cadre, user):
    """年度考核, dated the year's last day (the result covers the whole year)."""
    model, source = models.AnnualAssessment, models.AnnualAssessment._meta.label
    results = _labels(model, "result")
    for year, result in model.objects.filter(cadre=cadre.pk).order_by("year").values_list("year", "result"):
        yield Event(
            datetime.date(year, 12, 31),
            "考核",
            f"{year}年度考核：{results.get(result, result)}",
            source=source,
        )


def reward_events(cadre, user):
    model, source = models.Reward, models.Reward._meta.label
    rows = (
        model.objects.filter(cadre=cadre.pk)
        .order_by("date", "id")
        .values("date", "name", "issuer", "doc_number")
    )
    for row in rows:
        yield Event(
            row["date"],
            "奖励",
            row["name"],
            _joined(("批准机关", row["issuer"]), ("文号", row["doc_number"])),
            source,
        )


def sanction_events(cadre, user):
    """处分与组织处理; without orgportal.view_sensitive the sanction itself, its reason and document
    number are masked (the title then names only the record type)."""
    model, source = models.Sanction, models.Sanction._meta.label
    shown = _masker(model, user)
    masked_title = "sanction" in access.masked_fields(model, user)
    sanctions = _labels(model, "sanction")
    rows = (
        model.objects.filter(cadre=cadre.pk)
        .order_by("decided_on", "id")
        .values(
            "sanction", "decided_on", "issuer", "doc_number", "reason", "influence_months", "influence_until"
        )
    )
    for row in rows:
        influence = format_date(row["influence_until"]) if row["influence_months"] is not None else "永久"
        yield Event(
            row["decided_on"],
            "处分",
            str(model._meta.verbose_name)
            if masked_title
            else sanctions.get(row["sanction"], row["sanction"]),
            _joined(
                ("决定机关", row["issuer"]),
                ("文号", shown("doc_number", row["doc_number"])),
                ("事由", shown("reason", row["reason"])),
                ("影响期至", influence),
            ),
            source,
            sensitive=True,
        )


def warning_events(cadre, user):
    """预警: raised, and closed (解除) when it was."""
    model, source = models.CadreWarning, models.CadreWarning._meta.label
    levels, origins = _labels(model, "level"), _labels(model, "source")
    rows = (
        model.objects.filter(cadre=cadre.pk)
        .order_by("raised_on", "id")
        .values("level", "source", "raised_on", "closed_on", "note")
    )
    for row in rows:
        level = f"{levels.get(row['level'], row['level'])}色预警"
        yield Event(
            row["raised_on"],
            "预警",
            f"{level}（{origins.get(row['source'], row['source'])}）",
            row["note"],
            source,
        )
        if row["closed_on"]:
            yield Event(
                row["closed_on"],
                "预警",
                f"解除{level}",
                _joined(("预警日期", format_date(row["raised_on"]))),
                source,
            )


def measure_events(cadre, user):
    """提醒·函询·诫勉·谈话; the reason and outcome are masked without orgportal.view_sensitive."""
    model, source = models.SupervisionMeasure, models.SupervisionMeasure._meta.label
    shown = _masker(model, user)
    kinds = _labels(model, "kind")
    rows = (
        model.objects.filter(cadre=cadre.pk)
        .order_by("date", "id")
        .values("kind", "date", "reason", "handled_by", "outcome")
    )
    for row in rows:
        yield Event(
            row["date"],
            "监督",
            kinds.get(row["kind"], row["kind"]),
            _joined(
                ("事由", shown("reason", row["reason"])),
                ("承办人", row["handled_by"]),
                ("结果", shown("outcome", row["outcome"])),
            ),
            source,
            sensitive=True,
        )


def posting_events(cadre, user):
    """实践锻炼: its start and, once over, its end with the evaluation."""
    model, source = models.Posting, models.Posting._meta.label
    kinds, hosts = _labels(model, "kind"), _labels(model, "host_kind")
    rows = (
        model.objects.filter(cadre=cadre.pk)
        .order_by("start", "id")
        .values(
            "kind",
            "host_kind",
            "host_unit__name",
            "host_name",
            "post",
            "start",
            "planned_end",
            "actual_end",
            "evaluation",
            "doc_number",
        )
    )
    for row in rows:
        kind = kinds.get(row["kind"], row["kind"])
        host = row["host_unit__name"] or row["host_name"]
        post = f"（{row['post']}）" if row["post"] else ""
        yield Event(
            row["start"],
            "实践锻炼",
            f"{kind}：{host}{post}",
            _joined(
                ("锻炼去向", hosts.get(row["host_kind"], row["host_kind"])),
                ("计划结束", format_date(row["planned_end"])),
                ("文号", row["doc_number"]),
            ),
            source,
        )
        if row["actual_end"]:
            yield Event(
                row["actual_end"],
                "实践锻炼",
                f"{kind}结束：{host}",
                _joined(("开始日期", format_date(row["start"])), ("鉴定评价", row["evaluation"])),
                source,
            )


def archive_events(cadre, user):
    """档案专项审核: each finding on its review's date; a review that found nothing, once."""
    source = models.ArchiveFinding._meta.label
    items = _labels(models.ArchiveFinding, "item")
    statuses = _labels(models.ArchiveReview, "status")
    rows = (  # reviews LEFT JOIN findings: one row per finding, or one with no finding
        models.ArchiveReview.objects.filter(cadre=cadre.pk)
        .order_by("reviewed_on", "id", "findings__id")
        .values(
            "reviewed_on",
            "status",
            "conclusion",
            "findings__id",
            "findings__item",
            "findings__recorded_value",
            "findings__archive_value",
            "findings__resolved",
            "findings__note",
        )
    )
    for row in rows:
        if row["findings__id"] is None:
            yield Event(
                row["reviewed_on"],
                "档案",
                "档案专项审核",
                _joined(
                    ("状态", statuses.get(row["status"], row["status"])), ("审核结论", row["conclusion"])
                ),
                models.ArchiveReview._meta.label,
            )
            continue
        item = row["findings__item"]
        yield Event(
            row["reviewed_on"],
            "档案",
            f"档案审核问题：{items.get(item, item)}",
            _joined(
                ("信息系统记载", row["findings__recorded_value"]),
                ("档案认定", row["findings__archive_value"]),
                ("", "已处理" if row["findings__resolved"] else "未处理"),
                ("处理说明", row["findings__note"]),
            ),
            source,
        )


def dossier_events(cadre, user):
    """成长档案记录 (考察, 谈话, 实绩 …): the first line as the title, the full text as the detail."""
    model, source = models.DossierEntry, models.DossierEntry._meta.label
    kinds = _labels(model, "kind")
    rows = (
        model.objects.filter(cadre=cadre.pk)
        .order_by("date", "id")
        .values("date", "kind", "text", "attachment")
    )
    for row in rows:
        text = row["text"].strip()
        title = Truncator(text.splitlines()[0] if text else "").chars(60)
        attachment = row["attachment"].rsplit("/", 1)[-1] if row["attachment"] else ""
        yield Event(
            row["date"],
            kinds.get(row["kind"], row["kind"]),
            title,
            _joined(("", text if text != title else ""), ("附件", attachment)),
            source,
        )


BUILT_IN = {
    models.Cadre._meta.label: cadre_events,
    models.PoolMembership._meta.label: pool_events,
    models.Movement._meta.label: movement_events,
    models.AnnualAssessment._meta.label: assessment_events,
    models.Reward._meta.label: reward_events,
    models.Sanction._meta.label: sanction_events,
    models.CadreWarning._meta.label: warning_events,
    models.SupervisionMeasure._meta.label: measure_events,
    models.Posting._meta.label: posting_events,
    models.ArchiveFinding._meta.label: archive_events,
    models.DossierEntry._meta.label: dossier_events,
}
for _name, _fetch in BUILT_IN.items():
    register_source(_name, _fetch)
