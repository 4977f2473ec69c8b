"""Web benchmarks (issue 8): the cadre API list and admin changelist at the database's size and at
1 000 cadres, against a raw `values()` → JSON baseline; the pool review and structure stats.

The 1 000-cadre figures come from a second database (`--small-db`, by default the DATABASE_URL's
database name + `_small`, which `make bench` creates and seeds), served by a subprocess so that
Django keeps one default database; its requests take turns with ours, so that the shared machine's
noise falls on both sides of each ratio alike. Requests go through Django's test Client, logged in
as the city-level staff user `city_cadre` (干部科: the whole city in its jurisdiction, sensitive
fields masked), so scoping, masking and the reminder rules are paid for as by a real user.

    python bench/web_bench.py --serve    # the subprocess: reads `info`, `api`, `admin` lines, answers JSON
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, setup_django

USER = "city_cadre"
API_URL = "/api/v1/cadres/?page_size=100&gender=2&political_status=01&ordering=-birth_date"
API_FILTERS = {"gender": "2", "political_status": "01"}
API_ORDERING = "-birth_date"
ADMIN_URL = "/admin/cadres/cadre/?gender__exact=2"
URLS = {"api": API_URL, "admin": ADMIN_URL}
WARM_UP = 3


def analyze() -> None:
    """Planner statistics as autovacuum would leave them: seed_demo bulk-loads and a bench run starts
    seconds later, before autovacuum's first pass, when PostgreSQL would still plan with guesses."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def client():
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user = get_user_model().objects.get(username=USER)
    browser = Client()
    browser.force_login(user)
    return browser, user


def get(browser, url: str):
    response = browser.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response


def queries_of(fn) -> list[dict]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # a full query log (9 000, e.g. after the roster benchmarks) would capture nothing
    with CaptureQueriesContext(connection) as captured:
        fn()
    return captured.captured_queries


def count_ms(queries: list[dict]) -> float:
    """Milliseconds the page's COUNT(*) took (as logged by Django; resolution 1 ms)."""
    return sum(1000 * float(q["time"]) for q in queries if q["sql"].startswith("SELECT COUNT(*)"))


def site_info(browser) -> dict:
    """This database's size and each request's query count and COUNT(*) time."""
    from cadres.models import Cadre

    info = {"cadres": Cadre.objects.count()}
    for name, url in URLS.items():
        queries = queries_of(lambda url=url: get(browser, url))
        info[f"{name}_queries"] = len(queries)
        info[f"{name}_count_ms"] = count_ms(queries)
    return info


def timer(fn):
    def run() -> float:
        started = time.perf_counter()
        fn()
        return time.perf_counter() - started

    return run


def alternate(runs: dict, repeat: int) -> dict[str, list[float]]:
    """Each run returns its seconds; they take turns, so that the machine's noise falls on all alike."""
    for run in runs.values():
        for _ in range(WARM_UP):
            run()
    times = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            times[name].append(run())
    return times


def record(report, name: str, times: list[float], note: str = "") -> float:
    """A row for figures measured by alternate(); returns the median."""
    import statistics

    median = statistics.median(times)
    report.rows.append((name, median, min(times), max(times), note))
    return median


class SmallSite:
    """The same requests on the 1 000-cadre database, served by `web_bench.py --serve`."""

    def __init__(self, url: str):
        self.url = url
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__)), "--serve"],
            env={**os.environ, "DATABASE_URL": url},
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.info = self.ask("info")

    def ask(self, what: str) -> dict:
        self.process.stdin.write(what + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the small site ({self.url}) stopped; see its error above")
        return json.loads(line)

    def timed(self, what: str):
        return lambda: self.ask(what)["seconds"]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


def serve() -> None:
    setup_django()
    analyze()
    browser, _user = client()
    for line in sys.stdin:
        what = line.strip()
        if what == "info":
            reply = site_info(browser)
        else:
            started = time.perf_counter()
            get(browser, URLS[what])
            reply = {"seconds": time.perf_counter() - started}
        print(json.dumps(reply), flush=True)


def small_database_url(explicit: str = "") -> str:
    """The 1 000-cadre database: `--small-db`, else this database's URL with `_small` appended."""
    if explicit:
        return explicit
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return ""
    head, _slash, name = url.rpartition("/")
    name, question, options = name.partition("?")
    return f"{head}/{name}_small{question}{options}"


def start_small_site(url: str) -> SmallSite | None:
    if not url:
        print("web_bench: no small database (PostgreSQL only); the size ratios are left out")
        return None
    try:
        return SmallSite(url)
    except (RuntimeError, OSError) as error:
        print(f"web_bench: {error}; the size ratios are left out")
        return None


def raw_page(user) -> bytes:
    """The baseline: the same page (jurisdiction, filters, ordering, 100 rows and the count) as one
    `values()` query and one COUNT, straight to JSON — no DRF, no serializer, no masking or rules."""
    from cadres.models import Cadre
    from orgportal import access

    fields = [f.attname for f in Cadre._meta.concrete_fields if f.name != "photo"]
    rows = access.scope(Cadre.objects.all(), user).filter(**API_FILTERS)
    page = list(rows.order_by(API_ORDERING).values(*fields, "unit__name")[:100])
    data = {"count": rows.count(), "results": page}
    return json.dumps(data, ensure_ascii=False, default=str).encode()


def note(info: dict, what: str) -> str:
    return f"{info[f'{what}_queries']} queries; COUNT(*) {info[f'{what}_count_ms']:.0f} ms"


def run(report, args):
    from django.db import connection

    from cadres import rules, structure
    from cadres.models import Cadre
    from orgportal import access

    repeat = max(3, report.repeat * 3)  # requests take tens of milliseconds: more runs, steadier medians
    analyze()
    browser, user = client()
    large = site_info(browser)
    count = large["cadres"]
    small = start_small_site(small_database_url(getattr(args, "small_db", "")))

    # 1. API list: ours, the raw values() → JSON of the same page, ours at 1 000 cadres.
    ours, raw = get(browser, API_URL).json(), json.loads(raw_page(user))
    assert ours["count"] == raw["count"] and len(ours["results"]) == len(raw["results"]) == 100
    dates = [[row["birth_date"] for row in page["results"]] for page in (ours, raw)]
    assert dates[0] == dates[1], "the baseline's page is not the API's page"
    runs = {"ours": timer(lambda: get(browser, API_URL)), "raw": timer(lambda: raw_page(user))}
    if small:
        runs["small"] = small.timed("api")
    times = alternate(runs, repeat)
    api = record(
        report,
        f"API /cadres/ page of 100, 2 filters, -birth_date ({count} cadres, as {USER})",
        times["ours"],
        note(large, "api"),
    )
    raw_median = record(
        report, "baseline: the same page (and count) as raw values() → JSON", times["raw"], "2 queries"
    )
    report.ratio("API list / raw values() → JSON", api / raw_median, "≤ 2×", api / raw_median <= 2)

    # 2. Admin changelist with a list filter.
    runs = {"ours": timer(lambda: get(browser, ADMIN_URL))}
    if small:
        runs["small"] = small.timed("admin")
    admin_times = alternate(runs, repeat)
    admin = record(
        report,
        f"admin changelist 干部 ?gender__exact=2 ({count} cadres, as {USER})",
        admin_times["ours"],
        note(large, "admin"),
    )
    if small:
        info = small.info
        small.close()
        small_api = record(
            report, f"API list, same request ({info['cadres']} cadres)", times["small"], note(info, "api")
        )
        small_admin = record(
            report,
            f"admin changelist, same request ({info['cadres']} cadres)",
            admin_times["small"],
            note(info, "admin"),
        )
        for what, seconds, small_seconds, goal in (
            ("API list", api, small_api, 1.3),
            ("admin changelist", admin, small_admin, 1.5),
        ):
            value = seconds / small_seconds
            report.ratio(
                f"{what} at {count} / at {info['cadres']} cadres", value, f"≤ {goal}×", value <= goal
            )
        for what, key in (("API list", "api"), ("admin changelist", "admin")):
            mine, theirs = large[f"{key}_queries"], info[f"{key}_queries"]
            report.ratio(
                f"{what} queries at {count} / at {info['cadres']} cadres",
                mine / theirs,
                f"constant ({mine} and {theirs})",
                mine == theirs,
            )

    # 3. Pool review and structure stats at this size.
    scoped = access.scope(Cadre.objects.all(), user)
    review_queries = queries_of(rules.review_pool)
    report.measure(
        f"review_pool() ({count} cadres, {len(rules.review_pool())} members flagged)",
        rules.review_pool,
        note=f"{len(review_queries)} queries",
    )
    for name, fn in (
        ("cadres_structure", lambda: structure.cadres_structure(scoped)),
        ("pool_structure", lambda: structure.pool_structure(scoped)),
    ):
        queries = queries_of(fn)
        report.measure(f"{name}() ({count} cadres, as {USER})", fn, note=f"{len(queries)} queries")
    print(f"web_bench: {connection.vendor}, {count} cadres; small site: {small.url if small else 'none'}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", action="store_true", help="serve timed requests on this database")
    args = parser.parse_args()
    if not args.serve:
        parser.error("run the benchmarks with bench/run.py; --serve is its subprocess")
    serve()


if __name__ == "__main__":
    main()
