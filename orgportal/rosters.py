"""The Excel roster engine (花名册): declarative columns → streaming .xlsx out, validated .xlsx in.

Apps declare rosters in `<app>/rosters.py`:

    standard = register(Roster("cadres.standard", _("干部花名册"), Cadre, [
        "name", "gender", Col("birth_date", fmt=year_month), "unit__name", "id_number", ...], key="id_number"))

Export iterates `values_list()` in chunks (related columns joined in the one query, no model
instances) and writes with XlsxWriter in constant-memory mode: flat memory at any size. Jurisdiction
and masking come from `orgportal.access`; every export is logged (ExportLog). `export_table` writes
an aggregate table (a report's counted rows) with the same layout and logging.

Import reads with openpyxl (read-only), finds the header row among title and note rows, accepts
labels and aliases for codes and the department's date forms, validates every row through the
model's own `full_clean()` and jurisdiction, and writes all rows in one transaction, or none.
"""

import datetime
import operator
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import xlsxwriter
import xlsxwriter.utility
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import access, codes, imports, uploads
from .imports import OUTCOME_LABELS, CellError, ImportReport, RowResult  # noqa: F401 (the report, here too)
from .validators import (
    format_date,
    format_year_month,
    hide_id_digits,
    normalize_id_number,
    parse_partial_date,
)

CHUNK = 2000
# Excel/WPS would evaluate these as formulas (OWASP CSV injection); every string is written as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- formatters ----------------------------------------------------------------------------------
def year_month(value) -> str:
    return (
        format_year_month(value)
        if isinstance(value, datetime.date)
        else ("" if value is None else str(value))
    )


def full_date(value) -> str:
    return format_date(value) if isinstance(value, datetime.date) else ("" if value is None else str(value))


def yes_no(value) -> str:
    return "" if value is None else (_("是") if value else _("否"))


@dataclass
class Col:
    """One roster column: a field path (relations with __), its header (the field's verbose name
    unless given), a formatter, and for derived values the paths they `need` and how to `compute`
    them from the fetched row (a dict). `compute` depends on `needs` only: an export computes it once
    for each distinct set of their values."""

    path: str
    header: str | None = None
    fmt: Callable[[Any], Any] | None = None
    width: int | None = None
    needs: tuple[str, ...] = ()
    compute: Callable[[dict], Any] | None = None
    importable: bool = True
    # filled in by Roster
    field: models.Field | None = None
    model: type[models.Model] | None = None  # the model the field belongs to (its own sensitivity)
    sensitive: bool = False
    choices_cls: type | None = None

    @property
    def derived(self) -> bool:
        return self.compute is not None


def _choices_class(model_field) -> type | None:
    """The code table (orgportal.codes) whose choices a field uses, for reading labels and aliases."""
    values = [value for value, _label in model_field.choices]
    for table in vars(codes).values():
        is_table = (
            isinstance(table, type) and issubclass(table, models.Choices) and table is not models.Choices
        )
        if is_table and list(table.values) == values:
            return table
    return None


class Roster:
    """A declared roster of `model`: its columns in order, the key that matches rows on import."""

    def __init__(
        self,
        name: str,
        title,
        model,
        columns: Iterable,
        *,
        key: str | None = None,
        base: Callable[[models.QuerySet], models.QuerySet] | None = None,
        importable: bool = True,
    ):
        self.name, self.title, self.model, self.key = name, title, model, key
        self.base = base
        self.importable = importable and key is not None
        self.columns = [self._resolve(c if isinstance(c, Col) else Col(c)) for c in columns]

    def _resolve(self, col: Col) -> Col:
        if col.derived:
            col.importable = False
            col.header = col.header or col.path
            return col
        model, parts = self.model, col.path.split("__")
        for i, part in enumerate(parts):
            try:
                model_field = model._meta.get_field(part)
            except FieldDoesNotExist as error:
                raise ValueError(f"roster {self.name}: {col.path} is not a field path") from error
            if i < len(parts) - 1:
                model = model_field.related_model
        col.field, col.model = model_field, model
        col.sensitive = part in getattr(model, "sensitive_fields", ())
        if col.header is None:
            col.header = str(model_field.verbose_name)
            if len(parts) > 1 and parts[-1] == "name":  # unit__name → 工作单位 (the FK's name)
                col.header = str(self.model._meta.get_field(parts[0]).verbose_name)
        if model_field.choices:
            col.choices_cls = _choices_class(model_field)  # labels: resolved per export, in its language
        elif isinstance(model_field, models.BooleanField):
            col.fmt = col.fmt or yes_no
        elif isinstance(model_field, models.DateField):
            col.fmt = col.fmt or full_date
        if len(parts) > 1 and len(parts) != 2:
            col.importable = False
        if not self.model._meta.get_field(parts[0]).editable:  # a service-owned field or relation
            col.importable = False
        return col

    @property
    def fetch_paths(self) -> list[str]:
        paths = []
        for col in self.columns:
            for path in col.needs if col.derived else (col.path,):
                if path not in paths:
                    paths.append(path)
        return paths

    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]


ROSTERS: dict[str, Roster] = {}


def register(roster: Roster) -> Roster:
    ROSTERS[roster.name] = roster
    return roster


def get(name: str) -> Roster:
    try:
        return ROSTERS[name]
    except KeyError:
        raise KeyError(
            _("没有名为“%(name)s”的花名册，可用：%(names)s")
            % {"name": name, "names": "、".join(sorted(ROSTERS))}
        ) from None


def for_model(model) -> list[Roster]:
    return [r for r in ROSTERS.values() if r.model is model]


# --- export --------------------------------------------------------------------------------------
TEXT_FORMATTERS = (year_month, full_date, yes_no)  # always return text
# Within an export a column's results are remembered by the values they come from: 出生年月 are kept
# as the 1st of the month, so 100 000 cadres have a few thousand birth dates (and so ages). Cleared
# when full, so memory stays flat at any size.
REMEMBER = 20_000


def _remembering(function: Callable[[Any], Any], key: Callable[[Any], Any] | None = None) -> Callable:
    """`function`, remembering its result for each `key(argument)` (the argument itself by default)."""
    known: dict = {}

    def remembered(argument):
        by = argument if key is None else key(argument)
        try:
            return known[by]
        except KeyError:
            pass
        except TypeError:  # unhashable (a JSON value): nothing to remember it by
            return function(argument)
        if len(known) >= REMEMBER:
            known.clear()
        known[by] = result = function(argument)
        return result

    return remembered


def _masking(formatter: Callable[[Any], Any] | None) -> Callable[[Any], str]:
    if formatter is None:
        return access.mask
    return lambda value: access.mask(formatter(value))


def _computing(col: Col, paths: list[str]) -> Callable[[tuple], Any]:
    """A derived column's value from a fetched row, computed once per distinct values of its `needs`."""

    def compute(values: tuple):
        return col.compute(dict(zip(paths, values, strict=True)))

    if not col.needs:
        return compute
    return _remembering(compute, key=operator.itemgetter(*(paths.index(path) for path in col.needs)))


def _cell(worksheet, row: int, col: int, value, text_format) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        worksheet.write_string(row, col, yes_no(value), text_format)
    elif isinstance(value, int | float):
        worksheet.write_number(row, col, value)
    else:  # text: never a formula, never a number in scientific notation (ID numbers)
        worksheet.write_string(row, col, str(value), text_format)


@dataclass
class _Sheet:
    """An export's workbook and its one sheet, laid out the same way for every export: a title row
    (what, scope, date), a frozen bold header with 序号 first, column widths, every string as text
    (never a formula, a number or a link) and, on closing, an autofilter over the rows written."""

    workbook: Any
    sheet: Any
    text_format: Any
    columns: int

    @classmethod
    def open(cls, target, title, headers: list[str], widths: list[int], *, scope: str = "") -> "_Sheet":
        workbook = xlsxwriter.Workbook(
            target,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "in_memory": False,
                "tmpdir": tempfile.gettempdir(),
            },
        )
        sheet = workbook.add_worksheet(str(title)[:31])
        title_format = workbook.add_format({"bold": True, "font_size": 14})
        header_format = workbook.add_format(
            {
                "bold": True,
                "border": 1,
                "bg_color": "#DDEBF7",
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
            }
        )
        sheet.set_column(0, 0, 6)
        for i, width in enumerate(widths, 1):
            sheet.set_column(i, i, width)
        heading = f"{title}（{scope}）" if scope else str(title)
        sheet.write_string(
            0, 0, f"{heading}  {_('导出日期')}：{format_date(timezone.localdate())}", title_format
        )
        sheet.write_string(1, 0, _("序号"), header_format)
        for i, header in enumerate(headers, 1):
            sheet.write_string(1, i, str(header), header_format)
        sheet.freeze_panes(2, 0)
        text_format = workbook.add_format({"num_format": "@"})
        return cls(workbook, sheet, text_format, len(headers) + 1)

    def close(self, last_row: int) -> None:
        """Put the autofilter over the header and rows up to `last_row`, and write the file."""
        self.sheet.autofilter(1, 0, max(last_row, 2), self.columns - 1)
        self.workbook.close()


def export(
    roster: Roster,
    queryset: models.QuerySet,
    user,
    target,
    *,
    description: str = "",
    channel: str = "admin",
    scope_label: str = "",
) -> int:
    """Write the roster of `queryset` (scoped to the user's jurisdiction, sensitive columns masked
    unless the user may see them) to `target` (a path or a binary file); log it; return the row count."""
    from .models import ExportLog

    queryset = access.scope(queryset, user)
    if roster.base is not None:
        queryset = roster.base(queryset)
    masked = {
        model: not access.can_view_sensitive(user, model) for model in {c.model for c in roster.columns}
    }
    paths = roster.fetch_paths
    if roster.importable:  # the record key: an import matches the row by it, whatever is masked
        paths = [*paths, "pk"]
    widths = [
        col.width
        or min(
            40,
            max(
                8,
                len(str(col.header)) * 2 + 2,
                (col.field.max_length or 0) // 3
                if col.field is not None and getattr(col.field, "max_length", None)
                else 0,
            ),
        )
        for col in roster.columns
    ]
    headers = roster.headers()
    if roster.importable:
        headers.append(str(RECORD_KEY_HEADER))
        widths.append(14)
    book = _Sheet.open(target, roster.title, headers, widths, scope=scope_label or _("本级及下级单位"))
    sheet, text_format = book.sheet, book.text_format
    # Per column, once: where the value comes from and how it is shown (code labels translated now).
    # Columns whose cells are always text skip the per-cell type checks; that is most of them.
    plain, formatted, general = [], [], []
    for i, col in enumerate(roster.columns, 1):
        formatter, mask_it = col.fmt, col.sensitive and masked[col.model]
        text = formatter in TEXT_FORMATTERS
        if text:
            formatter = _remembering(formatter)
        elif formatter is None and col.field is not None:
            if col.field.choices:
                formatter, text = {value: str(label) for value, label in col.field.choices}.get, True
            else:  # the driver's own strings, unless the field converts them
                text = isinstance(col.field, models.CharField | models.TextField) and not hasattr(
                    col.field, "from_db_value"
                )
        if col.derived:
            general.append((i, _computing(col, paths), formatter, mask_it))
        elif not (text or mask_it):
            general.append((i, operator.itemgetter(paths.index(col.path)), formatter, mask_it))
        elif formatter is None and not mask_it:
            plain.append((i, paths.index(col.path)))
        else:
            formatted.append((i, paths.index(col.path), _masking(formatter) if mask_it else formatter))
    write_string, write_number = sheet.write_string, sheet.write_number
    row_number = 1
    for values in queryset.values_list(*paths).iterator(chunk_size=CHUNK):
        row_number += 1
        write_number(row_number, 0, row_number - 1)
        for i, index in plain:
            value = values[index]
            if value:
                write_string(row_number, i, value, text_format)
        for i, index, formatter in formatted:
            value = values[index]
            if value is not None and value != "":
                value = formatter(value)
                if value:
                    write_string(row_number, i, value, text_format)
        for i, value_of, formatter, mask_it in general:
            value = value_of(values)
            if formatter is not None and value is not None and value != "":
                value = formatter(value)
            if mask_it:
                value = access.mask(value)
            _cell(sheet, row_number, i, value, text_format)
        if roster.importable:
            write_number(row_number, len(roster.columns) + 1, values[-1])
    book.close(row_number)
    count = row_number - 1
    ExportLog.record(
        user,
        roster.name,
        rows=count,
        channel=channel,
        sensitive=any(c.sensitive and not masked[c.model] for c in roster.columns),
        filters=description,
    )
    return count


def export_table(
    title,
    headers: list[str],
    rows: Iterable[Iterable[Any]],
    user,
    target,
    *,
    what: str,
    description: str = "",
    channel: str = "admin",
    sensitive: bool = False,
) -> int:
    """Write an aggregate table (a report's rows, already counted and scoped by the caller) to `target`
    laid out like a roster: title row, frozen header, 序号, text never a formula; log it as `what`;
    return the row count. Numbers stay numbers, booleans become 是/否, None an empty cell."""
    from .models import ExportLog

    rows = [list(row) for row in rows]
    widths = [
        min(40, max(8, len(str(header)) * 2 + 2, *(len(str(row[i])) * 2 + 2 for row in rows if i < len(row))))
        for i, header in enumerate(headers)
    ]
    book = _Sheet.open(target, title, headers, widths)
    row_number = 1
    for values in rows:
        row_number += 1
        book.sheet.write_number(row_number, 0, row_number - 1)
        for i, value in enumerate(values, 1):
            _cell(book.sheet, row_number, i, value, book.text_format)
    book.close(row_number)
    count = row_number - 1
    ExportLog.record(user, what, rows=count, channel=channel, sensitive=sensitive, filters=description)
    return count


# --- import --------------------------------------------------------------------------------------
SPACES = re.compile(r"[\s\u3000]+")
HEADER_SCAN_ROWS = 15
# The last column of an importable roster's export: the record's key in the system. An import matches
# the row to its record by it, so a file exported with masked values (ID numbers) comes back whole.
RECORD_KEY_HEADER = gettext_lazy("系统记录号（勿改）")


def normalize_header(text) -> str:
    """`姓　名` → 姓名; `*出生年月` → 出生年月; full-width brackets → half-width."""
    if text is None:
        return ""
    text = SPACES.sub("", str(text)).strip("*＊")
    return text.replace("（", "(").replace("）", ")")


def _find_header(rows: list[list], known: dict[str, Col]) -> tuple[int, dict[int, str], int]:
    """The header row (0-based), {column index: header}, and how many rows the header spans.
    A two-row header (merged 全日制教育 over 学历/学位) is joined: 全日制教育 + 学历 → 全日制教育学历."""
    best, best_hits = None, 1
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        hits = sum(normalize_header(v) in known for v in row)
        if hits > best_hits:
            best, best_hits = index, hits
    if best is None:
        return -1, {}, 0
    header = {i: normalize_header(v) for i, v in enumerate(rows[best]) if normalize_header(v)}
    if best + 1 < len(rows):
        below, parent, joined = rows[best + 1], "", {}
        for i in range(max(len(rows[best]), len(below))):
            top = normalize_header(rows[best][i]) if i < len(rows[best]) else ""
            parent = top or parent
            sub = normalize_header(below[i]) if i < len(below) else ""
            if sub and parent + sub in known:
                joined[i] = parent + sub
        if joined:
            header.update(joined)
            return best, header, 2
    return best, header, 1


def _parse(col: Col, raw, lookups: dict):
    """A cell's value as the model field wants it; ValueError with a readable message otherwise."""
    model_field = col.field
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        empty_text = isinstance(model_field, models.CharField | models.TextField) and not model_field.null
        return "" if empty_text and "__" not in col.path else None
    if isinstance(raw, str):
        raw = raw.strip()
    if "__" in col.path:  # a related object by its name (e.g. 工作单位 → Unit), within jurisdiction
        found = lookups[col.path].get(normalize_header(raw))
        if found is None:
            attribute = col.path.split("__")[1]
            names = (getattr(obj, attribute) for obj in lookups[col.path].values())
            message = _("找不到“%s”，或不在您的管辖范围内") % raw
            raise ValueError(message + codes.did_you_mean(normalize_header(raw), names))
        return found
    if model_field.choices:
        if col.choices_cls is not None:
            return codes.parse_code(col.choices_cls, raw)
        for value, label in model_field.choices:
            if str(raw) in (str(value), str(label)):
                return value
        raise ValueError(_("“%s”不是有效的选项") % raw)
    if isinstance(model_field, models.DateField):
        value = parse_partial_date(raw)
        if (
            isinstance(raw, str | int)
            and not isinstance(raw, bool)
            and len(re.findall(r"\d+", str(raw))) < 3
            and len(re.sub(r"\D", "", str(raw))) <= 6
        ):
            return MonthOnly(value.year, value.month, value.day)  # 1985.03: the day is not given
        return value
    if isinstance(model_field, models.BooleanField):
        text = str(raw).strip().lower()
        if text in {"是", "true", "1", "yes", "y"}:
            return True
        if text in {"否", "false", "0", "no", "n"}:
            return False
        raise ValueError(_("应填写“是”或“否”"))
    if isinstance(model_field, models.IntegerField):
        try:
            return int(float(raw))
        except (TypeError, ValueError, OverflowError):  # OverflowError: inf, 1e400
            raise ValueError(_("应为整数")) from None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw)
    if col.path.endswith("id_number"):
        text = normalize_id_number(text)
    return text


def _related_lookups(roster: Roster, user) -> dict:
    """One query per related column: {normalized name: object} within the user's jurisdiction."""
    lookups = {}
    for col in roster.columns:
        if col.importable and "__" in col.path:
            relation, attribute = col.path.split("__")
            related = roster.model._meta.get_field(relation).related_model
            objects = access.scope(related._default_manager.all(), user)
            by_name = {}
            for obj in objects:
                by_name.setdefault(normalize_header(getattr(obj, attribute)), obj)
            lookups[col.path] = by_name
    return lookups


def read_workbook(file) -> list[list]:
    """Every row of the first sheet as values; a formula cell becomes a FormulaCell marker."""
    import openpyxl

    uploads.check_xlsx(file)  # size, zip bombs, DTDs: refused before openpyxl parses anything
    workbook = openpyxl.load_workbook(file, read_only=True, data_only=False)
    try:
        sheet = workbook.worksheets[0]
        uploads.check_sheet(sheet)  # its declared rows and columns
        if sheet.max_column is None:  # no <dimension>: each row as long as its last cell
            sheet.reset_dimensions()
        limit, rows = uploads.sheet_row_limit(), []
        for row in sheet.iter_rows():
            if len(rows) >= limit or len(row) > uploads.max_columns():  # checked before, and again
                uploads.check_sheet_size(len(rows) + 1, len(row))
            rows.append(
                [FormulaCell(c.value) if getattr(c, "data_type", None) == "f" else c.value for c in row]
            )
        return rows
    finally:
        workbook.close()


@dataclass(frozen=True)
class FormulaCell:
    text: str


class MonthOnly(datetime.date):
    """A date read from a month-only cell (1985.03): it equals a stored date of the same month."""


def _same(stored, new) -> bool:
    if isinstance(new, MonthOnly) and isinstance(stored, datetime.date):
        return (stored.year, stored.month) == (new.year, new.month)
    return stored == new


class RosterFormat(imports.Format):
    """A roster sheet on the import pipeline: its rows, matched by the export's record key
    (RECORD_KEY_HEADER) or by `roster.key`; each row's changes written in bulk with history.

    A cell the user sees masked is, on a record they update, either sent back as it was exported (or
    left empty): unchanged, never compared with the stored value; or anything else: refused."""

    def __init__(self, roster: Roster, rows: list[list]):
        self.roster, self.rows = roster, rows
        self.title = roster.title
        self.model = roster.model
        self.unit_path = access.unit_field(roster.model)
        self.manager = roster.model._default_manager.select_related(
            *([self.unit_path] if self.unit_path else [])
        )

    # --- read ---
    def items(self, file, ctx):
        roster, report = self.roster, ctx.report
        if not roster.importable:
            report.file_errors.append(_("该花名册不支持导入"))
            return []
        known = {normalize_header(c.header): c for c in roster.columns if c.importable}
        known.update(
            {
                normalize_header(c.field.verbose_name): c
                for c in roster.columns
                if c.importable and c.field is not None and "__" not in c.path
            }
        )
        record_key = normalize_header(str(RECORD_KEY_HEADER))
        every = {normalize_header(c.header) for c in roster.columns}
        header_row, header, span = _find_header(self.rows, known | dict.fromkeys(every))
        if header_row < 0:
            report.file_errors.append(_("找不到表头行（应含“%s”等列）") % "、".join(roster.headers()[:4]))
            return []
        report.header_row = header_row + 1
        self.columns = {i: known[h] for i, h in header.items() if h in known}
        self.names = {i: col.path.split("__")[0] for i, col in self.columns.items()}
        self.by_field = {name: (i, self.columns[i]) for i, name in self.names.items()}
        self.pk_index = next((i for i, h in header.items() if h == record_key), None)
        report.ignored_columns = [
            h for h in header.values() if h not in known and h not in ("序号", record_key) and h not in every
        ]
        key_col = next((c for c in roster.columns if c.path == roster.key), None)
        if key_col is None or key_col not in self.columns.values():
            report.file_errors.append(_("缺少关键列“%s”") % (key_col.header if key_col else roster.key))
            return []
        self.key_label = str(key_col.header)
        self.key_index = next(i for i, c in self.columns.items() if c is key_col)
        has_unit_column = any(name == self.unit_path for name in self.names.values())
        if not has_unit_column and ctx.unit is None:
            report.file_errors.append(_("文件没有单位列，请在导入时选择单位"))
            return []
        if ctx.unit is not None:
            try:
                access.check_writable(ctx.user, roster.model(**{self.unit_path: ctx.unit}))
            except ValidationError:
                report.file_errors.append(_("所选单位不在您的管辖范围内"))
                return []
        items = [
            imports.Item(number=number, raw=row, result=imports.RowResult(row=number, outcome="new"))
            for number, row in enumerate(self.rows[header_row + span :], start=header_row + span + 1)
            if not all(_blank(row[i] if i < len(row) else None) for i in self.columns)
        ]  # empty and note rows (notes sit in unmapped columns) are left out
        # The records the rows name by record key, inside the jurisdiction: one query per 500.
        wanted = {_record_key(item.raw, self.pk_index) for item in items} - {None}
        scoped = access.scope(self.manager, ctx.user)
        self.by_pk = {
            obj.pk: obj
            for chunk in imports.chunked(sorted(k for k in wanted if isinstance(k, int)))
            for obj in scoped.filter(pk__in=chunk)
        }
        self.lookups = _related_lookups(roster, ctx.user)
        self.masked = set(access.masked_fields(roster.model, ctx.user))
        # Codes, dates, yes/no and related names repeat down a roster: each distinct cell is parsed once.
        self.repeating = {
            i
            for i, col in self.columns.items()
            if "__" in col.path
            or col.field.choices
            or isinstance(col.field, models.DateField | models.BooleanField)
        }
        self.parsed_cells: dict = {}
        # Related objects named in the file were read by `_related_lookups`: their fields' own check
        # (one query a row) would only find them again, unless it has limits of its own.
        self.looked_up = [
            self.names[i]
            for i, col in self.columns.items()
            if "__" in col.path
            and not (relation := roster.model._meta.get_field(self.names[i])).get_limit_choices_to()
            and not relation.validators
        ]
        return items

    # --- parse ---
    def parse(self, item, ctx):
        row, data, failed = item.raw, item.data, set()
        item.plan = {"failed": failed, "masked_cells": {}}
        pk = _record_key(row, self.pk_index)
        if pk is not None:
            item.record = self.by_pk.get(pk)
            if item.record is None:
                message = _("没有该记录号的记录，或不在您的管辖范围内（请勿修改此列；新增的行此列留空）")
                ctx.error(item, RECORD_KEY_HEADER, pk, message, self.pk_index)
        for i, col in self.columns.items():
            raw, name = (row[i] if i < len(row) else None), self.names[i]
            if name in self.masked:
                item.plan["masked_cells"][name] = (i, raw)
                if item.record is not None:  # matched by record key: compared with the export's mask
                    if imports.masked_cell_unchanged(raw, _exported_text(col, getattr(item.record, name))):
                        if name == self.roster.key:  # the key as stored: the row is matched already
                            data[name] = getattr(item.record, name)
                        continue
                    failed.add(name)
                    ctx.error(item, col.header, raw, imports.MASKED, i)
                    continue
            if isinstance(raw, FormulaCell):
                failed.add(name)
                ctx.error(item, col.header, raw.text, _("单元格是公式，请填写数值本身"), i)
                continue
            cell = (i, raw.__class__, raw)  # the class too: 1 == True, and they parse differently
            try:
                if i not in self.repeating:
                    data[name] = _parse(col, raw, self.lookups)
                elif cell in self.parsed_cells:
                    data[name] = self.parsed_cells[cell]
                else:
                    data[name] = self.parsed_cells[cell] = _parse(col, raw, self.lookups)
            except (ValueError, ValidationError) as error:
                message = "；".join(error.messages) if isinstance(error, ValidationError) else str(error)
                failed.add(name)
                ctx.error(item, col.header, raw, message, i)
        item.key = data.get(self.roster.key)
        item.key_failed = self.roster.key in failed

    def find(self, keys, ctx):
        """Records by key across every unit (a key outside the jurisdiction is an error, not a new row);
        the records already read by record key are not read again."""
        key = self.roster.key
        self.found = {getattr(obj, key): obj for obj in self.by_pk.values()}
        missing = sorted((k for k in keys if k not in self.found), key=str)
        for chunk in imports.chunked(missing):
            self.found.update(
                (getattr(obj, key), obj) for obj in self.manager.filter(**{f"{key}__in": chunk})
            )
        return self.found

    # --- plan ---
    def plan(self, item, ctx):
        roster, data, result = self.roster, item.data, item.result
        failed, masked_cells = item.plan["failed"], item.plan["masked_cells"]
        obj = item.record
        holder = self.found.get(item.key) if item.key else None
        if obj is not None and holder is not None and holder.pk != obj.pk:  # another record's key
            ctx.error(item, self.key_label, item.key, _("与已有记录重复"), self.key_index)
        instance = obj if obj is not None else roster.model()
        if obj is None and ctx.unit is not None and self.unit_path and data.get(self.unit_path) is None:
            data[self.unit_path] = ctx.unit
        if obj is not None:  # a masked value is never compared with the stored one (it would reveal it)
            for name in self.masked - {roster.key}:
                data.pop(name, None)
                index, raw = masked_cells.get(name, (None, None))
                col = self.by_field[name][1] if name in self.by_field else None
                matched_by_key = _record_key(item.raw, self.pk_index) is None
                if (
                    matched_by_key
                    and col is not None
                    and not imports.masked_cell_unchanged(raw, _exported_text(col, getattr(obj, name)))
                ):
                    failed.add(name)
                    ctx.error(item, col.header, raw, imports.MASKED, index)
        changes = [name for name, value in data.items() if not _same(getattr(instance, name, None), value)]
        for name in changes:
            value = data[name]
            setattr(
                instance,
                name,
                datetime.date(value.year, value.month, value.day) if isinstance(value, MonthOnly) else value,
            )
        result.label = _row_label(instance, data)
        item.plan.update(instance=instance, changes=changes)
        if obj is not None and not changes and not result.errors:
            result.outcome = "unchanged"
            return
        try:  # the model's rules, on every row: all of a row's errors in one report
            instance.full_clean(
                exclude=[*failed, *(name for name in self.looked_up if data.get(name) is not None)],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            self._field_errors(item, error, ctx)
        if not result.errors:
            try:
                access.check_writable(ctx.user, instance)
            except ValidationError as error:
                self._field_errors(item, error, ctx)

    def _field_errors(self, item, error: ValidationError, ctx) -> None:
        for name, messages in error.message_dict.items():
            index, col = self.by_field.get(name, (None, None))
            value = "" if col is None else _written(item.raw, index)  # the cell as the clerk wrote it
            text = "；".join(messages)
            if self.masked:  # a rule comparing with a masked value must not tell its digits
                text = hide_id_digits(text)
            ctx.error(item, col.header if col else _("整行"), value, text, index)

    # --- write ---
    def write(self, items, ctx):
        from simple_history.utils import bulk_create_with_history, bulk_update_with_history

        model, user = self.roster.model, ctx.user
        to_create, to_update = [], defaultdict(list)  # updates grouped by the fields each row changes
        for item in items:
            if item.result.outcome == "unchanged":
                continue
            instance, changes = item.plan["instance"], item.plan["changes"]
            if item.record is None:
                to_create.append(instance)
            else:  # each row writes only its own changes: another user's edit of other fields stands
                to_update[tuple(sorted(changes))].append(instance)
        if _changed_meanwhile(model, [i for instances in to_update.values() for i in instances]):
            ctx.report.file_errors.append(
                _("导入期间有记录被他人修改，未写入任何数据，请重新导入（预览将显示最新内容）")
            )
            return
        if to_create:
            bulk_create_with_history(to_create, model, batch_size=500, default_user=user)
        now = timezone.now()
        for fields, instances in to_update.items():
            for instance in instances:  # bulk_update leaves auto_now alone: the version moves on here
                instance.updated_at = now
            bulk_update_with_history(
                instances, model, [*fields, "updated_at"], batch_size=500, default_user=user
            )


def import_rows(
    roster: Roster, rows: list[list], user, *, unit=None, dry_run: bool = True, allow_update: bool = True
) -> ImportReport:
    """Validate every row of a roster sheet completely (cells, the model's rules, keys across rows and
    records: every error in one report); unless `dry_run` and only if no row has an error, write them
    all in one transaction (with history rows by `user`). The import pipeline (orgportal.imports)."""
    return imports.run(
        RosterFormat(roster, rows), None, user, unit=unit, dry_run=dry_run, allow_update=allow_update
    )


def _blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _record_key(row: list, index: int | None):
    """The record key a row carries: an int, None when the cell is empty (a new row), or the text
    itself when it is not a whole number (an error: no record has it)."""
    if index is None or index >= len(row) or _blank(row[index]):
        return None
    raw = row[index]
    if isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, int) or (isinstance(raw, float) and raw.is_integer()):
        return int(raw)
    text = str(raw).strip()
    return int(text) if text.isdigit() else text


def _exported_text(col: Col, value) -> str:
    """What an export writes in a masked column for a stored value."""
    if value is None or value == "":
        return ""
    if col.fmt is not None:
        value = col.fmt(value)
    elif col.field is not None and col.field.choices:
        value = dict(col.field.choices).get(value, value)
    return access.mask(value)


def _written(row: list, index: int) -> str:
    """A cell as the clerk wrote it (1990.01 stays 1990.01; a real Excel date reads 1990.01.15)."""
    raw = row[index] if index < len(row) else None
    if raw is None:
        return ""
    if isinstance(raw, datetime.datetime | datetime.date):
        return format_date(raw if not isinstance(raw, datetime.datetime) else raw.date())
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _row_label(instance, data: dict) -> str:
    """The row's record as a clerk knows it (its name), even when the row has errors."""
    try:
        label = str(instance)
    except Exception:  # a row too broken for the model's __str__
        label = ""
    return label or str(data.get("name") or "")


def _changed_meanwhile(model, instances: list) -> bool:
    """Lock the rows an import updates (in the caller's transaction) and tell whether any was saved
    since the import read it — its `updated_at` moved on — so that no one's edit is silently lost."""
    read = {instance.pk: instance.updated_at for instance in instances}
    current: dict = {}
    pks = sorted(read)
    for start in range(0, len(pks), 500):
        locked = model._default_manager.select_for_update().filter(pk__in=pks[start : start + 500])
        current.update(locked.order_by("pk").values_list("pk", "updated_at"))
    return current != read


def import_file(
    roster: Roster, file, user, *, unit=None, dry_run: bool = True, allow_update: bool = True
) -> ImportReport:
    try:
        rows = read_workbook(file)
    except uploads.UploadRefused as error:  # too big, a zip bomb, too many rows …: nothing read
        report = ImportReport(roster=str(roster.title))
        report.file_errors.append(str(error))
        return report
    except Exception as error:  # a file that is not an .xlsx workbook
        report = ImportReport(roster=str(roster.title))
        report.file_errors.append(_("无法读取该文件（应为 .xlsx 格式）：%s") % type(error).__name__)
        return report
    return import_rows(roster, rows, user, unit=unit, dry_run=dry_run, allow_update=allow_update)


ERROR_COLUMN = gettext_lazy("错误说明")
ERROR_FILL = "FFC7CE"  # Excel's own "bad" red


def error_workbook(file, report: ImportReport, target) -> None:
    """The uploaded sheet again for the clerk to correct: a 错误说明 column after the last, holding each
    row's errors in words, each bad cell filled red; and a sheet 错误清单 listing every error (and the
    file's own errors) row by row. A file the import could not read gets the list alone."""
    import openpyxl
    from openpyxl.styles import Font, PatternFill

    workbook = None
    if report.header_row is not None:  # the file was read: it passed the upload checks
        file.seek(0)
        workbook = openpyxl.load_workbook(file)
        sheet = workbook.worksheets[0]
        column = sheet.max_column + 1
        header = sheet.cell(row=report.header_row, column=column, value=str(ERROR_COLUMN))
        header.font = Font(bold=True, color="9C0006")
        header.fill = PatternFill("solid", fgColor=ERROR_FILL)
        sheet.column_dimensions[openpyxl.utils.get_column_letter(column)].width = 60
        bad = PatternFill("solid", fgColor=ERROR_FILL)
        for row in report.rows:
            if not row.errors:
                continue
            sheet.cell(row=row.row, column=column).value = "；".join(
                f"〔{e.column}〕{e.message}" for e in row.errors
            )
            for error in row.errors:
                if error.index is not None:
                    sheet.cell(row=row.row, column=error.index + 1).fill = bad
        listing = workbook.create_sheet(str(_("错误清单")))
    else:
        workbook = openpyxl.Workbook()
        listing = workbook.active
        listing.title = str(_("错误清单"))
    listing.append([_("行号"), _("记录"), _("列"), _("填写内容"), _("错误说明")])
    for message in report.file_errors:
        listing.append(["", "", _("整个文件"), "", message])
    for row in report.rows:
        for error in row.errors:
            listing.append([row.row, row.label, error.column, error.value, error.message])
    for (
        cells
    ) in listing.iter_rows():  # what the clerk typed (a formula's text, a name) is text, never a formula
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                cell.data_type = "s"
    for cell in listing[1]:
        cell.font = Font(bold=True)
    workbook.save(target)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(handle, filename: str):
    """The workbook just written to `handle` (a temporary file) as an .xlsx attachment."""
    from django.http import FileResponse

    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def list_download(model, headers: list[str], rows, user, *, description: str = "", channel: str = "admin"):
    """A list without a roster (its own columns, rows as the list shows them) as an Excel download,
    logged as an export of `model` (sensitive when its values were shown unmasked)."""
    meta = model._meta
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
    unmasked = bool(access.sensitive_fields(model)) and not access.masked_fields(model, user)
    export_table(
        meta.verbose_name_plural,
        headers,
        rows,
        user,
        handle,
        what=meta.label_lower,
        description=description,
        channel=channel,
        sensitive=unmasked,
    )
    return download(handle, f"{meta.verbose_name_plural}_{timezone.localdate():%Y%m%d}.xlsx")


def error_workbook_response(file, report: ImportReport):
    """The error workbook of `file` as a download (the admin's and the API's “下载错误说明表”)."""
    target = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
    error_workbook(file, report, target)
    return download(target, f"{report.roster}_错误说明.xlsx")


def template(roster: Roster, target) -> None:
    """An empty roster to fill in: the header row, and for coded columns a drop-down of the allowed
    labels (kept on a hidden sheet, 选项)."""
    workbook = xlsxwriter.Workbook(target, {"strings_to_formulas": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(str(roster.title)[:31])
    options = workbook.add_worksheet("选项")
    header_format = workbook.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7", "align": "center"})
    text_format = workbook.add_format({"num_format": "@"})
    importable = [c for c in roster.columns if c.importable]
    for i, col in enumerate(importable):
        sheet.write_string(0, i, str(col.header), header_format)
        sheet.set_column(
            i,
            i,
            col.width or max(10, len(str(col.header)) * 2 + 2),
            text_format if not isinstance(col.field, models.DateField) else None,
        )
        if col.field is not None and col.field.choices and "__" not in col.path:
            labels = [str(label) for _value, label in col.field.choices]
            for j, label in enumerate(labels):
                options.write_string(j, i, label)
            column = xlsxwriter.utility.xl_col_to_name(i)
            sheet.data_validation(
                1,
                i,
                5000,
                i,
                {
                    "validate": "list",
                    "source": f"=选项!${column}$1:${column}${len(labels)}",
                    "error_title": str(col.header),
                    "error_message": _("请从下拉列表中选择"),
                },
            )
        elif isinstance(col.field, models.DateField):
            sheet.write_comment(0, i, _("写作 1985.03 或 1985.03.15"))
    sheet.freeze_panes(1, 0)
    options.hide()
    workbook.close()
