"""The one import pipeline: every import path (roster sheets, .lrmx files and zips, 调训名单) runs it.

    read → parse every item completely → match by key → plan → write all or nothing

An import path declares a `Format`: how to read its items (a sheet's rows, an upload's files), parse
one (cells or elements into values and the key that matches it), find the records its keys name, plan
one (values set on the record, the model's rules, field-level old → new) and write the planned ones.
The pipeline does the rest, once for every path:

- every item is parsed and planned even when it already has errors, so the first report holds every
  error of every item (`Format.plan` validates what parsed);
- the rules of matching (`_match`): a key is required, a key twice in the upload is an error on the
  later item, a record outside the user's jurisdiction is an error (and nothing of it is compared or
  shown), updating a record needs the change permission, a record that must exist and does not is an
  error;
- a value the user sees masked is never compared with the stored one (`masked_cell_unchanged`);
- all or nothing: the items are written in one transaction only if no item has an error and it is not
  a dry run — or, for a path whose plan is a service call (`Format.rehearse`), written on every run
  and rolled back on a dry run or any refusal, so its preview is exactly what the real import does.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import access

OUTSIDE = gettext_lazy("该记录属于您管辖范围以外的单位")
NO_UPDATE = gettext_lazy("已有该记录，您没有修改已有记录的权限")
REQUIRED = gettext_lazy("必须填写")
MASKED = gettext_lazy("该项对您隐去，不能修改：请保留导出时的内容，或留空")
CONFLICT = gettext_lazy("写入时与他人同时保存的记录冲突（如公民身份号码重复），未写入任何数据，请重新导入")


# --- the report -----------------------------------------------------------------------------------
@dataclass
class CellError:
    row: int
    column: str
    value: str
    message: str
    index: int | None = None  # the sheet column (0-based) the value came from, when known


@dataclass
class RowResult:
    row: int
    outcome: str  # new / update / unchanged / error
    label: str = ""
    errors: list[CellError] = field(default_factory=list)


OUTCOME_LABELS = {
    "new": gettext_lazy("新增"),
    "update": gettext_lazy("更新"),
    "unchanged": gettext_lazy("无变化"),
    "error": gettext_lazy("错误"),
}


@dataclass
class ImportReport:
    roster: str
    rows: list[RowResult] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    written: bool = False
    header_row: int | None = None  # the sheet row (1-based) of the file's header, once found

    @property
    def errors(self) -> list[CellError]:
        return [e for r in self.rows for e in r.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.errors

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOME_LABELS, 0)
        for row in self.rows:
            counts[row.outcome] += 1
        return counts

    def as_dict(self) -> dict:
        return {
            "roster": self.roster,
            "ok": self.ok,
            "written": self.written,
            "counts": self.counts(),
            "file_errors": self.file_errors,
            "ignored_columns": self.ignored_columns,
            "rows": [
                {
                    "row": r.row,
                    "outcome": r.outcome,
                    "label": r.label,
                    "errors": [
                        {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
                        for e in r.errors
                    ],
                }
                for r in self.rows
            ],
        }

    def as_text(self) -> str:
        counts = self.counts()
        lines = [
            _("%(roster)s：新增 %(new)d，更新 %(update)d，无变化 %(unchanged)d，错误 %(error)d")
            % {"roster": self.roster, **counts}
        ]
        lines += [_("文件：%s") % e for e in self.file_errors]
        if self.ignored_columns:
            lines.append(_("未识别的列（已忽略）：%s") % "、".join(self.ignored_columns))
        lines += [_("第%(row)d行 〔%(column)s〕“%(value)s”：%(message)s") % e.__dict__ for e in self.errors]
        lines.append(_("已写入") if self.written else _("未写入任何数据"))
        return "\n".join(lines)


# --- the pipeline ---------------------------------------------------------------------------------
@dataclass
class Item:
    """One item of an upload: a sheet's row or an upload's file; `number` is how the clerk finds it."""

    number: int
    raw: Any
    result: RowResult
    data: dict = field(default_factory=dict)  # the parsed values
    key: Any = None  # what matches it to a record (None: no key given)
    key_failed: bool = False  # the key's own cell did not parse (its error is already reported)
    record: Any = None  # the record it updates (matched by the format itself, or by key)
    foreign: bool = False  # it named a record outside the jurisdiction: nothing of it is shown
    plan: Any = None  # what `Format.write` needs


@dataclass
class Context:
    user: Any
    report: ImportReport
    unit: Any = None
    dry_run: bool = True
    allow_update: bool = True

    def error(self, item: Item, column, value, message, index: int | None = None) -> None:
        item.result.errors.append(
            CellError(item.number, str(column), "" if value is None else str(value), str(message), index)
        )


class Format:
    """What an import path declares (see the module docstring)."""

    title = ""
    key_label = ""  # the column (or element) holding the key, named in the rules' errors
    key_index: int | None = None  # its sheet column, when there is one
    must_exist = False  # an item names a record on file (调训名单: a cadre) and never creates one
    not_found_message = gettext_lazy("找不到该记录，或不在您的管辖范围内")
    rehearse = False  # `write` runs on a dry run too, rolled back (a plan that is a service call)
    item_noun = gettext_lazy("行")  # 与第3行重复 / 与第3个文件重复

    def items(self, file, ctx: Context) -> list[Item]:
        """The upload's items; a problem with the whole file goes to ctx.report.file_errors."""
        raise NotImplementedError

    def parse(self, item: Item, ctx: Context) -> None:
        """item.data and item.key from item.raw; every cell's problem to item.result.errors."""
        raise NotImplementedError

    def find(self, keys: set, ctx: Context) -> dict:
        """The records the keys name, in any unit (the pipeline checks the jurisdiction)."""
        return {}

    def needs_key(self, item: Item) -> bool:
        """Whether an item without a key is an error (an .lrmx without 身份证号 is matched otherwise)."""
        return True

    def shown_key(self, item: Item) -> str:
        return "" if item.key is None else str(item.key)

    def plan(self, item: Item, ctx: Context) -> None:
        """The item's values on its record (or a new one), the model's rules, its changes."""

    def write(self, items: list[Item], ctx: Context) -> None:
        """Write the valid items (inside the pipeline's transaction)."""
        raise NotImplementedError


def masked_cell_unchanged(sent, exported: str) -> bool:
    """Whether a cell the user sees masked came back as it went out (the export's masked text) or
    empty: unchanged. Anything else would overwrite a value the user cannot see (MASKED)."""
    if sent is None or (isinstance(sent, str) and not sent.strip()):
        return True
    return str(sent).strip() == exported


def run(
    fmt: Format, file, user, *, unit=None, dry_run: bool = True, allow_update: bool = True
) -> ImportReport:
    """Import `file` as `fmt` declares for `user`: the report of every item; written only if all are
    valid (and it is not a dry run)."""
    report = ImportReport(roster=str(fmt.title))
    ctx = Context(user=user, report=report, unit=unit, dry_run=dry_run, allow_update=allow_update)
    items = fmt.items(file, ctx)
    if report.file_errors:
        return report
    for item in items:
        fmt.parse(item, ctx)
    found = fmt.find({item.key for item in items if item.key not in (None, "")}, ctx)
    seen: dict = {}
    for item in items:
        _match(fmt, item, found, seen, ctx)
        if not item.foreign:
            fmt.plan(item, ctx)
        if item.result.errors:
            item.result.outcome = "error"
        report.rows.append(item.result)
    if not fmt.rehearse and (dry_run or not report.ok):
        return report  # a rehearsed path runs its valid items anyway: their refusals are reported too
    try:
        with transaction.atomic():
            fmt.write([item for item in items if not item.result.errors], ctx)
            if not report.ok or dry_run:  # a refusal while writing, or a rehearsal: undo it all
                raise _RolledBack
    except _RolledBack:
        for item in items:
            if item.result.errors:
                item.result.outcome = "error"
        return report
    except IntegrityError:  # someone saved a record with the same key meanwhile
        report.file_errors.append(str(CONFLICT))
        return report
    report.written = True
    return report


class _RolledBack(Exception):
    pass


def _match(fmt: Format, item: Item, found: dict, seen: dict, ctx: Context) -> None:
    """The rules of matching, the same for every import path."""
    key, label, index = item.key, fmt.key_label, fmt.key_index
    given = key not in (None, "")
    if not given:
        if not item.key_failed and fmt.needs_key(item):
            ctx.error(item, label, "", REQUIRED, index)
    elif key in seen:
        message = _("与第%(number)d%(noun)s重复") % {"number": seen[key], "noun": fmt.item_noun}
        ctx.error(item, label, fmt.shown_key(item), message, index)
    else:
        seen[key] = item.number
    record = item.record if item.record is not None else (found.get(key) if given else None)
    if record is not None and item.record is not None:  # named by its own key (系统记录号): once
        first = seen.setdefault(("record", record.pk), item.number)
        if first != item.number:
            message = _("与第%(number)d%(noun)s是同一条记录") % {"number": first, "noun": fmt.item_noun}
            ctx.error(item, label, fmt.shown_key(item), message, index)
    if record is None:
        if fmt.must_exist and given and not item.key_failed:
            ctx.error(item, label, fmt.shown_key(item), fmt.not_found_message, index)
        return
    if not access.in_jurisdiction(ctx.user, record):
        ctx.error(item, label, fmt.shown_key(item), OUTSIDE, index)
        item.record, item.foreign = None, True
        return
    item.record = record
    if fmt.must_exist:  # it names the record, it does not update it
        return
    if not ctx.allow_update:
        ctx.error(item, label, fmt.shown_key(item), NO_UPDATE, index)
    else:
        item.result.outcome = "update"


def chunked(values: Iterable, size: int = 500):
    """`values` in lists of `size` (one query each)."""
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]
