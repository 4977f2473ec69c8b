"""Roster export and import benchmarks (issues 7 and 8), each against baselines measured in the same run.

Export of the 干部花名册 (every cadre) — ours vs bare XlsxWriter writing the same cells from a list
built beforehand (untimed), and vs django-import-export exporting the same queryset and columns; our
peak memory in a fresh process at 1 000, 10 000 and all rows. Import of 10 000 rows that all change
(validate and write, rolled back) — ours vs openpyxl merely reading the file, and vs django-import-export
importing it for real in a transaction that is rolled back, as ours is.

    python bench/rosters_bench.py --rss N    # (used by the above) export N rows (0: all), print peak RSS
"""

import io
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import openpyxl
import xlsxwriter
from common import timed

ROSTER = "cadres.standard"
IMPORT_ROWS = 10_000
MB = 1024  # peak RSS is read in KiB


def run(report, args):
    from django.contrib.auth import get_user_model

    from cadres.models import Cadre
    from orgportal import access, rosters

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    assert access.can_view_sensitive(user), "the bench user sees every column unmasked"
    roster = rosters.get(ROSTER)
    count = Cadre.objects.count()
    slow = max(1, report.repeat // 2)  # runs of the slow competitors (tens of seconds each at 100 000)

    export_vs_baselines(report, roster, user, Cadre.objects.all(), count, slow)
    peak_memory(report, count)
    import_vs_baselines(report, roster, user, Cadre.objects.all()[:IMPORT_ROWS], slow)
    pipeline_vs_before(report, roster, user, Cadre.objects.all()[:IMPORT_ROWS], report.repeat)


def measure_in_turns(report, runs: int, *entries) -> list[float]:
    """Like `report.measure` for each (name, fn, note), but run in turns (A B A B …): a burst of load
    from other work on this shared machine then falls on a benchmark and its baseline alike."""
    times = [[] for _ in entries]
    for _ in range(runs):
        for (_name, fn, _note), series in zip(entries, times, strict=True):
            series.append(timed(fn))
    for (name, _fn, note), series in zip(entries, times, strict=True):
        report.rows.append((name, statistics.median(series), min(series), max(series), note))
    return [statistics.median(series) for series in times]


# --- export ------------------------------------------------------------------------------------------
def export_vs_baselines(report, roster, user, queryset, count, slow):
    from import_export_resources import export_xlsx

    from orgportal import rosters

    cells = prebuilt_cells(roster, queryset)
    check_same_cells(roster, queryset, user, cells[:1000])
    shape = f"{count} rows × {len(roster.columns)} columns"

    def ours():
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            rosters.export(roster, queryset, user, handle, channel="command")

    def bare(text_format: bool):
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            headers = [*roster.headers(), *([str(rosters.RECORD_KEY_HEADER)] if roster.importable else [])]
            write_bare(cells, headers, handle, text_format)

    def theirs():
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            export_xlsx(queryset, handle)

    ours_s, same_s, plain_s = measure_in_turns(
        report,
        report.repeat,
        (f"export 干部花名册, DB → .xlsx ({shape})", ours, ""),
        (
            "baseline: bare XlsxWriter, the same cells (values and text format) from a pre-built list",
            lambda: bare(True),
            "fetching and formatting not timed",
        ),
        ("baseline: bare XlsxWriter, the same values, no cell format", lambda: bare(False), ""),
    )
    theirs_s = report.measure(
        "django-import-export: same queryset and columns → .xlsx", theirs, slow, note=f"{slow} runs"
    )
    over_bare, faster = ours_s / same_s, theirs_s / ours_s
    report.ratio("roster export / bare XlsxWriter, same cells", over_bare, "≤ 1.2×", over_bare <= 1.2)
    report.ratio("roster export / bare XlsxWriter, values without cell format", ours_s / plain_s, "report")
    report.ratio("django-import-export export / ours", faster, "≥ 3× (we are faster)", faster >= 3)


def prebuilt_cells(roster, queryset) -> list[list]:
    """Every data cell the export writes (序号 first; None where it leaves a cell empty), fetched and
    formatted up front: the baseline's input. Unmasked, as the bench user sees it."""
    from orgportal import rosters

    paths = roster.fetch_paths
    labels = {
        c.path: {value: str(label) for value, label in c.field.choices}
        for c in roster.columns
        if not c.derived and c.fmt is None and c.field.choices
    }
    rows = []
    keyed = [*paths, "pk"] if roster.importable else paths  # the export's 系统记录号, last
    values_list = queryset.values_list(*keyed).iterator(chunk_size=rosters.CHUNK)
    for number, values in enumerate(values_list, 1):
        fetched = dict(zip(keyed, values, strict=True))
        row = [number]
        for col in roster.columns:
            value = col.compute(fetched) if col.derived else fetched[col.path]
            if value is not None and value != "":
                if col.fmt is not None:
                    value = col.fmt(value)
                elif col.path in labels:
                    value = labels[col.path].get(value)
            row.append(None if value == "" else value)
        if roster.importable:
            row.append(fetched["pk"])
        rows.append(row)
    return rows


def check_same_cells(roster, queryset, user, cells) -> None:
    """Our export of the first rows reads back exactly as the baseline's cells."""
    from orgportal import rosters

    buffer = io.BytesIO()
    rosters.export(roster, queryset[: len(cells)], user, buffer, channel="command")
    buffer.seek(0)
    book = openpyxl.load_workbook(buffer, read_only=True)
    written = [list(row) for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)]
    book.close()
    assert written == cells, "the baseline would not write the cells our export writes"


def write_bare(cells, headers, target, text_format: bool) -> None:
    """Bare XlsxWriter in constant-memory mode: title, header and the cells, strings as text."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True})
    sheet = workbook.add_worksheet()
    text = workbook.add_format({"num_format": "@"}) if text_format else None
    sheet.write_string(0, 0, "干部花名册")
    sheet.write_row(1, 0, ["序号", *headers])
    write_string, write_number = sheet.write_string, sheet.write_number
    for r, row in enumerate(cells, 2):
        for c, value in enumerate(row):
            if value.__class__ is str:
                write_string(r, c, value, text)
            elif value is not None:
                write_number(r, c, value)
    workbook.close()


# --- peak memory -------------------------------------------------------------------------------------
def peak_memory(report, count):
    """Our export's peak RSS, each size in a fresh process: it must not grow with the rows. Sizes are
    what the database has (1 000, 10 000 and all), never the same rows repeated."""
    sizes = sorted({n for n in (1000, 10_000, count) if n <= count})
    peaks = {}
    for n in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--rss", str(n)], capture_output=True, text=True, check=True
        ).stdout.split()
        rows, seconds, peak = int(out[-3]), float(out[-2]), int(out[-1]) / MB
        assert rows == n, (rows, n)
        peaks[n] = peak
        report.record(f"export {n} rows in a fresh process", seconds, note=f"peak RSS {peak:.1f} MB")
    if len(sizes) < 2:
        return
    big = sizes[-1]
    small = 10_000 if big > 10_000 else sizes[0]
    grown = peaks[big] - peaks[small]
    report.ratio(
        f"export peak RSS, {big} rows / {small} rows",
        peaks[big] / peaks[small],
        f"within 30 MB ({peaks[small]:.0f} → {peaks[big]:.0f} MB, {grown:+.1f})",
        grown <= 30,
    )


def export_rows_and_report_peak(n: int) -> None:
    """Run in a fresh process: export `n` rows (0: all) to a file; print rows, seconds, peak RSS (KiB)."""
    from common import setup_django

    setup_django()
    from django.contrib.auth import get_user_model

    from cadres.models import Cadre
    from orgportal import rosters

    user = get_user_model().objects.get(username="bench")
    queryset = Cadre.objects.all()
    if n:
        queryset = queryset[:n]
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        started = time.perf_counter()
        rows = rosters.export(rosters.get(ROSTER), queryset, user, handle, channel="command")
        seconds = time.perf_counter() - started
    print(rows, seconds, peak_rss_kib())


def peak_rss_kib() -> int:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over from
    the parent through fork and exec, so a child would report at least the benchmark's own size."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# --- import ------------------------------------------------------------------------------------------
def import_vs_baselines(report, roster, user, queryset, slow):
    from django.db import transaction
    from import_export_resources import import_xlsx

    from orgportal import rosters

    exported = io.BytesIO()
    rows = rosters.export(roster, queryset, user, exported, channel="command")
    edited = edited_copy(exported, roster.headers().index("现任职务") + 1).getvalue()
    runs = f"{slow} runs"

    def ours():
        with transaction.atomic():
            result = rosters.import_file(roster, io.BytesIO(edited), user, dry_run=False)
            assert result.ok and result.written and result.counts()["update"] == rows, result.as_text()[:500]
            transaction.set_rollback(True)

    def read_only():
        book = openpyxl.load_workbook(io.BytesIO(edited), read_only=True)
        for _row in book.worksheets[0].iter_rows(values_only=True):
            pass
        book.close()

    def theirs():
        with transaction.atomic():
            result = import_xlsx(edited)
            assert not result.has_errors() and not result.has_validation_errors()
            assert result.totals["update"] == rows, result.totals
            transaction.set_rollback(True)

    ours_s, read_s = measure_in_turns(
        report,
        slow,
        (f"import {rows} rows that all change: validate and write (rolled back)", ours, runs),
        ("baseline: openpyxl read-only, merely reading the same file", read_only, runs),
    )
    theirs_s = report.measure(
        "django-import-export: import the same file for real (rolled back)", theirs, slow, note=runs
    )
    faster = theirs_s / ours_s
    report.ratio("roster import (validate + write) / openpyxl read", ours_s / read_s, "report")
    report.ratio("django-import-export import / ours", faster, "≥ 2× (we are faster)", faster >= 2)


def pipeline_vs_before(report, roster, user, queryset, runs):
    """Issue 22: the import pipeline must not slow an import. The same 10 000-row files — unchanged,
    and with every row changed — imported through the pipeline and through the roster import as it
    was before it (bench/legacy_import.py, verbatim), in turns, each written and rolled back."""
    from django.db import transaction
    from legacy_import import import_rows as before

    from orgportal import rosters

    exported = io.BytesIO()
    count = rosters.export(roster, queryset, user, exported, channel="command")
    unchanged = rosters.read_workbook(io.BytesIO(exported.getvalue()))
    changed = rosters.read_workbook(edited_copy(exported, roster.headers().index("现任职务") + 1))

    def importing(function, rows, outcome):
        def run():
            with transaction.atomic():
                result = function(roster, rows, user, dry_run=False)
                assert result.ok and result.counts()[outcome] == count, result.as_text()[:500]
                transaction.set_rollback(True)

        return run

    # Unchanged first, on their own: the changing imports' rolled-back updates leave dead rows that the
    # next reader of the table pays to prune, which would fall on whichever import runs first after.
    new_same, old_same = measure_in_turns(
        report,
        runs,
        (
            f"unchanged re-import of {count} rows, import pipeline",
            importing(rosters.import_rows, unchanged, "unchanged"),
            "",
        ),
        (
            f"unchanged re-import of {count} rows, the import before the pipeline",
            importing(before, unchanged, "unchanged"),
            "",
        ),
    )
    new_changed, old_changed = measure_in_turns(
        report,
        runs,
        (
            f"import of {count} rows that all change, import pipeline",
            importing(rosters.import_rows, changed, "update"),
            "",
        ),
        (
            f"import of {count} rows that all change, the import before the pipeline",
            importing(before, changed, "update"),
            "",
        ),
    )
    report.ratio(
        "unchanged re-import: pipeline / before", new_same / old_same, "≤ 1.2×", new_same / old_same <= 1.2
    )
    report.ratio(
        "changing import: pipeline / before",
        new_changed / old_changed,
        "≤ 1.2×",
        new_changed / old_changed <= 1.2,
    )


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


if __name__ == "__main__" and sys.argv[1:2] == ["--rss"]:
    export_rows_and_report_peak(int(sys.argv[2]))
