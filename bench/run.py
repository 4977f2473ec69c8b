"""OrgPortal benchmarks: each figure is a median of several runs with min and max, and a ratio to a
baseline measured in the same run (this machine is shared: absolute seconds move, ratios hold).

    python bench/run.py [--repeat 5] [--out bench/results/latest.md]

Runs against the database in DATABASE_URL, which must already hold demo data
(`make bench` seeds a throwaway PostgreSQL first; see the Makefile).
"""

import argparse
import io
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgportal.settings")

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
import xlsxwriter  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from cadres.models import Cadre  # noqa: E402
from orgportal import rosters  # noqa: E402


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def superuser():
    User = get_user_model()
    user, _ = User.objects.get_or_create(username="bench", defaults={"is_superuser": True, "is_staff": True})
    return user


def export_ours(roster, user):
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        rosters.export(roster, Cadre.objects.all(), user, handle, channel="command")


def export_bare(roster, user):
    """The baseline: the same query's values, the same cells, written by XlsxWriter with nothing else."""
    paths = roster.fetch_paths
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        workbook = xlsxwriter.Workbook(handle, {"constant_memory": True})
        sheet = workbook.add_worksheet()
        for r, values in enumerate(
            Cadre.objects.order_by("unit__path", "name", "id")
            .values_list(*paths)
            .iterator(chunk_size=rosters.CHUNK),
            start=2,
        ):
            for c, value in enumerate(values, start=1):
                if value is not None:
                    sheet.write(r, c, value if isinstance(value, int | float | str) else str(value))
        workbook.close()


def import_dry(roster, user, data):
    data.seek(0)
    report = rosters.import_file(roster, data, user, dry_run=True)
    assert report.ok, report.as_text()[:500]


def read_bare(data):
    """Baseline for import: reading the same workbook's cells with openpyxl (read-only), nothing else."""
    data.seek(0)
    book = openpyxl.load_workbook(data, read_only=True)
    for _row in book.worksheets[0].iter_rows(values_only=True):
        pass
    book.close()


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


def bench(name, baseline_name, ours, baseline, repeat, rows):
    ours_times = [timed(ours) for _ in range(repeat)]
    base_times = [timed(baseline) for _ in range(repeat)]
    for label, times in ((name, ours_times), (baseline_name, base_times)):
        rows.append((label, statistics.median(times), min(times), max(times)))
    return statistics.median(ours_times) / statistics.median(base_times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "latest.md"))
    args = parser.parse_args()
    user = superuser()
    count = Cadre.objects.count()
    roster = rosters.get("cadres.standard")
    lines, ratios = [], {}

    ratios["roster export"] = bench(
        f"export 干部花名册 ({count} rows × {len(roster.columns)} columns)",
        "baseline: bare XlsxWriter, same cells",
        lambda: export_ours(roster, user),
        lambda: export_bare(roster, user),
        args.repeat,
        lines,
    )
    data = io.BytesIO()
    rosters.export(roster, Cadre.objects.all()[:10000], user, data, channel="command")
    ratios["roster import (dry run)"] = bench(
        "import 10 000-row roster, validate every row",
        "baseline: openpyxl read of the same file",
        lambda: import_dry(roster, user, data),
        lambda: read_bare(data),
        max(2, args.repeat // 2),
        lines,
    )
    edited = edited_copy(data, roster.headers().index("现任职务") + 1)
    with transaction.atomic():  # every row changed, written, then rolled back
        started = time.perf_counter()
        report = rosters.import_file(roster, edited, user, dry_run=False)
        write_time = time.perf_counter() - started
        transaction.set_rollback(True)
    lines.append(
        (
            f"import 10 000 rows and write (one transaction; {report.counts()})",
            write_time,
            write_time,
            write_time,
        )
    )

    header = (
        f"# OrgPortal benchmarks\n\n{time.strftime('%Y-%m-%d %H:%M')} · {platform.node()} · "
        f"{os.cpu_count()} cores · Python {platform.python_version()} · {connection.vendor} · "
        f"{count} cadres · {args.repeat} runs\n\n"
    )
    table = "| benchmark | median s | min s | max s |\n|---|---:|---:|---:|\n" + "\n".join(
        f"| {name} | {med:.2f} | {lo:.2f} | {hi:.2f} |" for name, med, lo, hi in lines
    )
    summary = "\n\n| ratio (median / its baseline) | value |\n|---|---:|\n" + "\n".join(
        f"| {name} | {ratio:.2f}× |" for name, ratio in ratios.items()
    )
    text = header + table + summary + "\n"
    print(text)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
