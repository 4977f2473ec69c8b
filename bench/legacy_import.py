"""The roster import as it was before the import pipeline (orgportal.imports), kept verbatim as the
baseline of `rosters_bench`: the pipeline must not slow an import (issue 22: an unchanged re-import
within 1.2× of this). Benchmark code only; nothing in the application imports it."""

import datetime
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgportal import access
from orgportal.imports import CellError, ImportReport, RowResult
from orgportal.rosters import (
    FormulaCell,
    MonthOnly,
    Roster,
    _changed_meanwhile,
    _find_header,
    _parse,
    _related_lookups,
    _same,
    normalize_header,
)


def import_rows(
    roster: Roster, rows: list[list], user, *, unit=None, dry_run: bool = True, allow_update: bool = True
) -> ImportReport:
    """Validate every row; unless `dry_run` and only if no row has an error, write them all in one
    transaction (with history rows by `user`)."""
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    report = ImportReport(roster=str(roster.title))
    if not roster.importable:
        report.file_errors.append(_("该花名册不支持导入"))
        return report
    known = {normalize_header(c.header): c for c in roster.columns if c.importable}
    known.update(
        {
            normalize_header(c.field.verbose_name): c
            for c in roster.columns
            if c.importable and c.field is not None and "__" not in c.path
        }
    )
    header_row, header, span = _find_header(
        rows, known | {normalize_header(c.header): c for c in roster.columns}
    )
    if header_row < 0:
        report.file_errors.append(_("找不到表头行（应含“%s”等列）") % "、".join(roster.headers()[:4]))
        return report
    columns = {i: known[h] for i, h in header.items() if h in known}
    report.ignored_columns = [
        h
        for i, h in header.items()
        if h not in known and h != "序号" and h not in {normalize_header(c.header) for c in roster.columns}
    ]
    key_col = next((c for c in roster.columns if c.path == roster.key), None)
    if key_col is None or key_col not in columns.values():
        report.file_errors.append(_("缺少关键列“%s”") % (key_col.header if key_col else roster.key))
        return report
    unit_path = access.unit_field(roster.model)
    has_unit_column = any(c.path.split("__")[0] == unit_path for c in columns.values())
    if not has_unit_column and unit is None:
        report.file_errors.append(_("文件没有单位列，请在导入时选择单位"))
        return report
    if unit is not None:
        try:
            probe = roster.model(**{unit_path: unit})
            access.check_writable(user, probe)
        except ValidationError:
            report.file_errors.append(_("所选单位不在您的管辖范围内"))
            return report

    lookups = _related_lookups(roster, user)
    names = {i: col.path.split("__")[0] for i, col in columns.items()}
    # Codes, dates, yes/no and related names repeat down a roster: each distinct cell is parsed once.
    repeating = {
        i
        for i, col in columns.items()
        if "__" in col.path
        or col.field.choices
        or isinstance(col.field, models.DateField | models.BooleanField)
    }
    parsed_cells: dict = {}
    parsed = []  # (row number, {field: value}, RowResult)
    for offset, row in enumerate(rows[header_row + span :], start=header_row + span + 1):
        values = {i: row[i] if i < len(row) else None for i in columns}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue  # empty or a note row (notes sit in unmapped columns)
        result, data = RowResult(row=offset, outcome="new"), {}
        for i, col in columns.items():
            raw = values[i]
            if isinstance(raw, FormulaCell):
                result.errors.append(
                    CellError(offset, str(col.header), str(raw.text), _("单元格是公式，请填写数值本身"))
                )
                continue
            cell = (i, raw.__class__, raw)  # the class too: 1 == True, and they parse differently
            try:
                if i not in repeating:
                    data[names[i]] = _parse(col, raw, lookups)
                elif cell in parsed_cells:
                    data[names[i]] = parsed_cells[cell]
                else:
                    data[names[i]] = parsed_cells[cell] = _parse(col, raw, lookups)
            except (ValueError, ValidationError) as error:
                message = "；".join(error.messages) if isinstance(error, ValidationError) else str(error)
                result.errors.append(
                    CellError(offset, str(col.header), "" if raw is None else str(raw), message)
                )
        parsed.append((offset, data, result))

    # Matching by key: one query per 500 keys, across every unit (a key outside the jurisdiction is an error).
    keys = [d.get(roster.key) for _o, d, _r in parsed if d.get(roster.key)]
    existing = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        related = [unit_path] if unit_path else []
        for obj in roster.model._default_manager.select_related(*related).filter(
            **{f"{roster.key}__in": chunk}
        ):
            existing[getattr(obj, roster.key)] = obj
    # Related objects named in the file were read by `_related_lookups` in this import: their fields'
    # own check (one query a row) would only find them again, unless it has limits of its own.
    looked_up = [
        names[i]
        for i, col in columns.items()
        if "__" in col.path
        and not (relation := roster.model._meta.get_field(names[i])).get_limit_choices_to()
        and not relation.validators
    ]
    seen: dict[str, int] = {}
    paths = access.user_unit_paths(user)
    masked_names = set(access.masked_fields(roster.model, user)) - {roster.key}
    to_create, to_update = [], defaultdict(list)  # updates grouped by the fields each row changes
    key_header = str(key_col.header)
    for offset, data, result in parsed:
        key = data.get(roster.key)
        if not key:
            if not any(e.column == key_header for e in result.errors):
                result.errors.append(CellError(offset, key_header, "", _("必须填写")))
        elif key in seen:
            result.errors.append(CellError(offset, key_header, key, _("与第%d行重复") % seen[key]))
        else:
            seen[key] = offset
        obj = existing.get(key)
        if obj is not None:
            anchor = access.anchor_unit_path(obj)
            if paths is not None and not any((anchor or "").startswith(p) for p in paths):
                result.errors.append(CellError(offset, key_header, key, _("该记录属于您管辖范围以外的单位")))
                obj = None
            elif not allow_update:
                result.errors.append(
                    CellError(offset, key_header, key, _("已有该记录，您没有修改已有记录的权限"))
                )
            else:
                result.outcome = "update"
        if result.errors:
            result.outcome = "error"
            report.rows.append(result)
            continue
        instance = obj if obj is not None else roster.model()
        if obj is None and unit is not None and unit_path and data.get(unit_path) is None:
            data[unit_path] = unit
        if obj is not None:  # values the user may not see are not compared (it would reveal them) nor written
            for name in masked_names:
                data.pop(name, None)
        changes = [name for name, value in data.items() if not _same(getattr(instance, name, None), value)]
        for name in changes:
            value = data[name]
            setattr(
                instance,
                name,
                datetime.date(value.year, value.month, value.day) if isinstance(value, MonthOnly) else value,
            )
        result.label = str(instance)
        if obj is not None and not changes:
            result.outcome = "unchanged"
            report.rows.append(result)
            continue
        try:
            instance.full_clean(
                exclude=[name for name in looked_up if data.get(name) is not None],
                validate_unique=False,
                validate_constraints=False,
            )
            access.check_writable(user, instance)
        except ValidationError as error:
            by_field = {c.path.split("__")[0]: c for c in columns.values()}
            for name, messages in error.message_dict.items():
                col = by_field.get(name)
                result.errors.append(
                    CellError(
                        offset,
                        str(col.header) if col else str(_("整行")),
                        "" if col is None else str(data.get(name, "")),
                        "；".join(messages),
                    )
                )
            result.outcome = "error"
        else:
            if obj is None:
                to_create.append(instance)
            else:  # each row writes only its own changes: another user's edit of other fields stands
                to_update[tuple(sorted(changes))].append(instance)
        report.rows.append(result)

    if report.ok and not dry_run:
        updated = [instance for instances in to_update.values() for instance in instances]
        try:
            with transaction.atomic():
                if _changed_meanwhile(roster.model, updated):
                    report.file_errors.append(
                        _("导入期间有记录被他人修改，未写入任何数据，请重新导入（预览将显示最新内容）")
                    )
                    return report
                if to_create:
                    bulk_create_with_history(to_create, roster.model, batch_size=500, default_user=user)
                now = timezone.now()
                for fields, instances in to_update.items():
                    for instance in instances:  # bulk_update leaves auto_now alone: the version moves on here
                        instance.updated_at = now
                    bulk_update_with_history(
                        instances, roster.model, [*fields, "updated_at"], batch_size=500, default_user=user
                    )
        except IntegrityError:  # someone saved a record with the same key meanwhile
            report.file_errors.append(
                _("写入时与他人同时保存的记录冲突（如公民身份号码重复），未写入任何数据，请重新导入")
            )
            return report
        report.written = True
    return report
