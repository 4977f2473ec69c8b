"""Report benchmarks at the database's size: the leadership-team report (issue 14) and the training
hours ledger (issue 10), each against a baseline that only fetches the rows the report is made of.

- 班子报表: GET /api/v1/team-reports/ as the city's 干部科 user (every team of the city: quotas,
  members, structure, rules, 到龄, latest 综合研判 and 平时考核) vs one `values()` query of the same
  quotas and serving team members → Python dicts. The ratio is what the report's grouping, rules and
  serialisation cost on top of reading its rows; its query count is printed beside it.
- 学时台账: GET /api/v1/training-hours/?page_size=100 (one page of the ledger: each serving cadre's
  hours this year against the requirement, computed in SQL) vs the cadre API list's same page size.
"""

from web_bench import USER, alternate, analyze, client, get, queries_of, record, timer

TEAM_URL = "/api/v1/team-reports/"
TEAM_XLSX_URL = "/api/v1/team-reports/xlsx/"
LEDGER_URL = "/api/v1/training-hours/?page_size=100"
CADRE_URL = "/api/v1/cadres/?page_size=100"


def team_rows() -> int:
    """The baseline: the city's quotas and the serving members of those units, as dicts."""
    from cadres.models import Cadre, PostQuota
    from orgportal import codes

    quotas = list(PostQuota.objects.values("unit_id", "level", "post_kind", "approved"))
    members = list(
        Cadre.objects.filter(status=codes.CadreStatus.SERVING, unit_id__in={q["unit_id"] for q in quotas})
        .exclude(level="")
        .values(
            "id",
            "name",
            "unit_id",
            "level",
            "gender",
            "birth_date",
            "ethnicity",
            "political_status",
            "ft_education",
            "post",
        )
    )
    return len(quotas) + len(members)


def run(report, args) -> None:
    from cadres.models import Cadre, PostQuota

    analyze()
    browser, _user = client()
    teams = PostQuota.objects.values("unit_id").distinct().count()
    members = sum(len(team["members"]) for team in get(browser, TEAM_URL).data["teams"])
    team_queries = len(queries_of(lambda: get(browser, TEAM_URL)))
    ledger_queries = len(queries_of(lambda: get(browser, LEDGER_URL)))
    size = f"{Cadre.objects.count()} cadres, {teams} teams, {members} members, as {USER}"

    times = alternate(
        {
            "report": timer(lambda: get(browser, TEAM_URL)),
            "baseline": timer(team_rows),
            "xlsx": timer(lambda: get(browser, TEAM_XLSX_URL)),
        },
        args.repeat,
    )
    report_s = record(report, "班子报表 API (whole city)", times["report"], f"{size}; {team_queries} queries")
    base_s = record(report, "班子报表 baseline: quotas + members values()", times["baseline"], "2 queries")
    xlsx_s = record(report, "班子报表 Excel", times["xlsx"], size)
    report.ratio("班子报表 API / its rows' values()", report_s / base_s, "report logic on top of reading")
    report.ratio("班子报表 Excel / API", xlsx_s / report_s)

    times = alternate(
        {"ledger": timer(lambda: get(browser, LEDGER_URL)), "cadres": timer(lambda: get(browser, CADRE_URL))},
        args.repeat,
    )
    ledger_s = record(report, "学时台账 API, a page of 100", times["ledger"], f"{ledger_queries} queries")
    cadres_s = record(report, "干部列表 API, a page of 100", times["cadres"])
    report.ratio(
        "学时台账 page / 干部列表 page",
        ledger_s / cadres_s,
        "≤ 3× (hours summed in SQL)",
        ledger_s <= 3 * cadres_s,
    )
