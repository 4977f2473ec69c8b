"""OrgPortal benchmarks: each figure a median of several runs (with min and max), each compared with a
baseline measured in the same run — this machine is shared: absolute seconds move, ratios hold.

    python bench/run.py [--repeat 5] [--out bench/results/latest.md] [--only rosters,web]

Runs against the database in DATABASE_URL, which must already hold demo data (`make bench` starts a
throwaway PostgreSQL and seeds it first). Benchmarks are not tests: nothing here runs in `make test`.
"""

import argparse
import importlib
from pathlib import Path

from common import ROOT, Report, setup_django

MODULES = ["rosters_bench", "web_bench", "reports_bench", "query_bench", "sync_bench"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "latest.md"))
    parser.add_argument("--only", default="", help="comma-separated module names")
    parser.add_argument(
        "--small-db", default="", help="web: URL of a 1 000-cadre database (default: DATABASE_URL + _small)"
    )
    args = parser.parse_args()
    setup_django()
    report = Report(repeat=args.repeat)
    wanted = [m for m in MODULES if not args.only or m.split("_")[0] in args.only.split(",")]
    for name in wanted:
        importlib.import_module(name).run(report, args)
    text = report.markdown("OrgPortal benchmarks")
    print(text)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
