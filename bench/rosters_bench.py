"""Roster export and import benchmarks (issue 7/8)."""

import io
import tempfile

import openpyxl
import xlsxwriter


def run(report, args):
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from cadres.models import Cadre
    from orgportal import rosters

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    roster = rosters.get("cadres.standard")
    count = Cadre.objects.count()

    def export_ours():
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            rosters.export(roster, Cadre.objects.all(), user, handle, channel="command")

    def export_bare():
        """The baseline: the same query's values, the same cells, bare XlsxWriter (constant memory)."""
        paths = roster.fetch_paths
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            workbook = xlsxwriter.Workbook(handle, {"constant_memory": True})
            sheet = workbook.add_worksheet()
            values = Cadre.objects.order_by("unit__path", "name", "id").values_list(*paths)
            for r, row in enumerate(values.iterator(chunk_size=rosters.CHUNK), start=2):
                for c, value in enumerate(row, start=1):
                    if value is not None:
                        sheet.write(r, c, value if isinstance(value, int | float | str) else str(value))
            workbook.close()

    ours = report.measure(f"export 干部花名册 ({count} rows × {len(roster.columns)} columns)", export_ours)
    bare = report.measure("baseline: bare XlsxWriter, same cells", export_bare)
    report.ratio("roster export / bare XlsxWriter", ours / bare, "≤ 1.2×", ours / bare <= 1.2)

    data = io.BytesIO()
    rosters.export(roster, Cadre.objects.all()[:10000], user, data, channel="command")

    def import_dry():
        data.seek(0)
        result = rosters.import_file(roster, data, user, dry_run=True)
        assert result.ok, result.as_text()[:500]

    def read_bare():
        data.seek(0)
        book = openpyxl.load_workbook(data, read_only=True)
        for _row in book.worksheets[0].iter_rows(values_only=True):
            pass
        book.close()

    dry = report.measure(
        "import 10 000-row roster: validate every row", import_dry, max(2, report.repeat // 2)
    )
    read = report.measure(
        "baseline: openpyxl read-only read of the same file", read_bare, max(2, report.repeat // 2)
    )
    report.ratio("roster import (validate) / bare openpyxl read", dry / read, "report")

    edited = edited_copy(data, roster.headers().index("现任职务") + 1)
    with transaction.atomic():  # every row changed, written, then rolled back
        seconds = report.measure(
            "import 10 000 rows that all change: validate and write (rolled back)",
            lambda: write_all(roster, edited, user),
            1,
        )
        transaction.set_rollback(True)
    return seconds


def write_all(roster, data, user):
    from orgportal import rosters

    data.seek(0)
    result = rosters.import_file(roster, data, user, dry_run=False)
    assert result.ok and result.written, result.as_text()[:500]


def edited_copy(data, column):
    """The roster with every row's 现任职务 changed, so an import updates all of them."""
    data.seek(0)
    book = openpyxl.load_workbook(data)
    for row in book.worksheets[0].iter_rows(min_row=3):
        row[column].value = f"{row[column].value or ''}（兼）"
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out
