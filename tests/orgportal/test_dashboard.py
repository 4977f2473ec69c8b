"""The admin home as a dashboard and the charts page (orgportal.dashboard, orgportal.charts, each
app's dashboard.py): figures counted in the jurisdiction with a constant number of queries, each
linking to a list showing exactly the rows counted; charts drawn as SVG with their table and Excel
export."""

import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orgportal import charts, codes
from orgportal.dashboard import CHARTS, load
from orgportal.models import ExportLog, Rule
from tests.factories import (
    CadreFactory,
    CertificationFactory,
    EnrolmentFactory,
    HoursRequirementFactory,
    PersonalMattersReportFactory,
    PlanQuotaFactory,
    PoolMembershipFactory,
    PostingFactory,
    ServiceRequestFactory,
    TalentCardFactory,
    TalentFactory,
    TrainingClassFactory,
    UserFactory,
    WarningFactory,
)
from training.models import HoursRequirement

TODAY = timezone.localdate


def populate(unit, n: int = 1) -> None:
    """n of everything the dashboard counts and the charts draw, in `unit`."""
    today = TODAY()
    Rule.objects.get_or_create(
        purpose="pool", kind="pool_red_warning", defaults={"name": "有未解除的红色预警", "params": {}}
    )
    if not HoursRequirement.objects.filter(name="每年90学时").exists():
        HoursRequirementFactory(name="每年90学时", levels=",".join(codes.LeadershipLevel.values), priority=1)
    for i in range(n):
        cadre = CadreFactory(unit=unit)
        WarningFactory(cadre=cadre, level=codes.WarningLevel.RED if i % 2 else codes.WarningLevel.YELLOW)
        WarningFactory(cadre=cadre, closed_on=today)  # closed: not counted
        PersonalMattersReportFactory(
            cadre=cadre, checked_on=None, consistent=None, discrepancy="", handling=""
        )
        PersonalMattersReportFactory(cadre=cadre)  # checked: not counted
        member = PoolMembershipFactory(cadre__unit=unit)
        WarningFactory(cadre=member.cadre, level=codes.WarningLevel.RED)  # flagged by the pool rule
        PostingFactory(
            cadre=member.cadre,
            start=today - datetime.timedelta(days=300),
            planned_end=today + datetime.timedelta(days=10),
        )
        PoolMembershipFactory(cadre__unit=unit, exited=True)
        PoolMembershipFactory(
            cadre__unit=unit,
            status=codes.PoolStatus.OUT,
            exited_on=today,
            exit_reason=codes.PoolExitReason.OVER_AGE,
            exit_note="超龄",
            source=codes.PoolSource.SELECTED_GRADUATE,
        )
        running = TrainingClassFactory(
            organiser=unit,
            status=codes.ClassStatus.IN_SESSION,
            start_date=today - datetime.timedelta(days=1),
            end_date=today + datetime.timedelta(days=3),
        )
        finished = TrainingClassFactory(
            organiser=unit,
            status=codes.ClassStatus.FINISHED,
            start_date=today.replace(month=1, day=2),
            end_date=today.replace(month=1, day=6),
        )
        EnrolmentFactory(
            cadre=cadre, training_class=finished, status=codes.EnrolmentStatus.COMPLETED, hours_credited=40
        )
        PlanQuotaFactory(unit=unit, training_class__organiser=unit, count=3)
        talent = TalentFactory(unit=unit)
        TalentFactory(unit=unit, departed=True)
        card = TalentCardFactory(talent=talent, expires_on=today + datetime.timedelta(days=30))
        ServiceRequestFactory(
            card=card,
            opened_on=today - datetime.timedelta(days=40),
            due_on=today - datetime.timedelta(days=1),
        )
        CertificationFactory(
            talent=talent,
            certified_on=today - datetime.timedelta(days=1000),
            valid_until=today + datetime.timedelta(days=20),
        )
        del running


def _tiles(response) -> dict:
    return {tile["key"]: tile for section in response.context["dashboard"] for tile in section["figures"]}


@pytest.fixture
def staff(city):
    return UserFactory(username="staff", is_superuser=True)


def test_the_home_counts_what_needs_attention(client, staff, city):
    populate(city, 2)
    client.force_login(staff)
    tiles = _tiles(client.get(reverse("admin:index")))
    assert tiles["pool_size"]["count"] == 2
    assert tiles["postings_ending"]["count"] == 2
    assert tiles["pool_flagged"]["count"] == 2
    assert tiles["open_warnings"]["count"] == 4
    assert {p["code"]: p["count"] for p in tiles["open_warnings"]["parts"]} == {
        "red": 3,
        "orange": 0,
        "yellow": 1,
        "blue": 0,
    }
    assert tiles["unchecked_reports"]["count"] == 2
    assert tiles["classes_in_session"]["count"] == 2
    assert tiles["hours_short"]["count"] > 0  # the cadres with a 职务层次 and under 90 hours
    assert tiles["quotas_unfilled"]["count"] == 2
    assert tiles["cards_expiring"]["count"] == 2
    assert tiles["certifications_expiring"]["count"] == 2
    assert tiles["requests_overdue"]["count"] == 2


def test_every_figure_links_to_a_list_of_exactly_the_rows_counted(client, staff, city):
    populate(city, 2)
    client.force_login(staff)
    tiles = _tiles(client.get(reverse("admin:index")))
    links = [(t["key"], t["url"], t["count"]) for t in tiles.values()]
    links += [(t["key"] + ":" + p["code"], p["url"], p["count"]) for t in tiles.values() for p in t["parts"]]
    for key, url, count in links:
        response = client.get(url)
        assert response.status_code == 200, key
        if "cl" in response.context:
            shown = response.context["cl"].result_count
        else:  # the 学时统计 page
            shown = response.context["page"].paginator.count
        assert shown == count, key


def _index_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("admin:index")).status_code == 200
    return len(queries)


def test_the_home_takes_as_many_queries_for_one_record_as_for_many(client, staff, city):
    populate(city, 1)
    client.force_login(staff)
    _index_queries(client)  # warm the session and content types
    few = _index_queries(client)
    populate(city, 6)
    assert _index_queries(client) == few


def test_a_county_user_counts_only_their_county(client, county_a, county_b):
    populate(county_a, 1)
    populate(county_b, 2)
    user = UserFactory(perms=["cadres.view_cadrewarning", "cadres.view_poolmembership"], units=[county_a])
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    tiles = _tiles(response)
    assert tiles["open_warnings"]["count"] == 2
    assert tiles["pool_size"]["count"] == 1
    assert "requests_overdue" not in tiles  # no permission on 人才办's records
    assert [s["title"] for s in response.context["dashboard"]] == ["综干科", "干监科"]


def test_a_user_without_permissions_sees_no_figures_nor_charts(client, city):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:index"))
    assert response.context["dashboard"] == []
    assert response.context["charts_url"] == ""
    assert client.get(reverse("admin:orgportal_charts")).status_code == 403


# --- charts ----------------------------------------------------------------------------------------
def test_the_charts_page_draws_every_chart_with_its_table(client, staff, city):
    populate(city, 2)
    client.force_login(staff)
    response = client.get(reverse("admin:orgportal_charts"))
    assert response.status_code == 200
    load()
    drawn = {chart["key"]: chart for chart in response.context["charts"]}
    assert set(drawn) == set(CHARTS)
    for key, chart in drawn.items():
        assert '<rect class="bar"' in chart["svg"], key
        assert chart["rows"], key
    pool = drawn["pool_ages"]
    assert pool["headers"] == ["年龄段", "男", "女", "合计"]
    assert pool["rows"][-1][-1] == 2  # the two open memberships
    exits = drawn["pool_exits"]
    assert exits["headers"][1] == "提拔使用"
    assert exits["rows"][-1][1] == 2 and exits["rows"][-1][2] == 2  # 提拔使用, then 超龄


def _charts_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("admin:orgportal_charts")).status_code == 200
    return len(queries)


def test_the_charts_take_as_many_queries_for_one_record_as_for_many(client, staff, city):
    populate(city, 1)
    client.force_login(staff)
    _charts_queries(client)
    few = _charts_queries(client)
    populate(city, 5)
    assert _charts_queries(client) == few


def test_a_chart_exports_its_table_to_excel_and_logs_it(client, staff, city):
    populate(city, 1)
    client.force_login(staff)
    response = client.get(reverse("admin:orgportal_chart_xlsx", args=["talent_flow"]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [[c for c in row if c is not None] for row in book.active.iter_rows(values_only=True)]
    assert ["序号", "年度", "引进", "流失"] in values
    assert ExportLog.objects.get().roster == "chart:talent_flow"


def test_a_chart_needs_its_permissions(client, city):
    client.force_login(UserFactory(perms=["talent.view_talent"]))
    assert client.get(reverse("admin:orgportal_chart", args=["talent_flow"])).status_code == 200
    assert client.get(reverse("admin:orgportal_chart", args=["pool_ages"])).status_code == 403
    assert client.get(reverse("admin:orgportal_chart_xlsx", args=["pool_ages"])).status_code == 403
    assert client.get(reverse("admin:orgportal_chart", args=["nothing"])).status_code == 404


def test_a_county_users_charts_count_their_county(client, county_a, county_b):
    populate(county_a, 1)
    populate(county_b, 2)
    client.force_login(UserFactory(perms=["talent.view_talent"], units=[county_a]))
    response = client.get(reverse("admin:orgportal_chart", args=["talent_levels"]))
    assert response.context["charts"][0]["rows"][-1][-1] == 1


def test_table_adds_totals_and_the_svg_escapes_labels():
    data = charts.ChartData(charts.STACKED, "年度", ["2024", "<b>"], [("甲", [1, 2]), ("乙", [3, 0])])
    headers, rows = charts.table(data)
    assert headers == ["年度", "甲", "乙", "合计"]
    assert rows == [["2024", 1, 3, 4], ["<b>", 2, 0, 2], ["合计", 3, 3, 6]]
    svg = charts.svg(data, "标题")
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert svg.count('<rect class="bar"') == 3  # zero values draw nothing


def test_an_empty_chart_says_so():
    data = charts.ChartData(charts.BARS, "年度", [], [("甲", [])])
    assert "无数据" in charts.svg(data, "标题")


# --- printable pages ---------------------------------------------------------------------------------
def test_every_admin_page_prints_on_a4_without_the_admin_frame(client, staff, city):
    client.force_login(staff)
    html = client.get(reverse("admin:index")).content.decode()
    assert 'orgportal/print.css" media="print"' in html
    from django.contrib.staticfiles import finders

    css = Path(finders.find("orgportal/print.css")).read_text(encoding="utf-8")
    assert "@page { size: A4" in css
    assert "#header" in css and ".breadcrumbs" in css


def test_a_class_prints_its_trainees_and_a_sign_in_sheet(client, staff, city, county_a):
    today = TODAY()
    training_class = TrainingClassFactory(
        organiser=city, start_date=today, end_date=today + datetime.timedelta(days=2)
    )
    listed = EnrolmentFactory(
        training_class=training_class, cadre__unit=county_a, status=codes.EnrolmentStatus.CONFIRMED
    )
    EnrolmentFactory(
        training_class=training_class,
        cadre__unit=county_a,
        status=codes.EnrolmentStatus.WITHDRAWN,
        end_reason="因公退训",
    )
    client.force_login(staff)
    change = client.get(reverse("admin:training_trainingclass_change", args=[training_class.pk]))
    assert (
        reverse("admin:training_trainingclass_sheet", args=[training_class.pk, "signin"])
        in change.content.decode()
    )
    roster = client.get(reverse("admin:training_trainingclass_sheet", args=[training_class.pk, "roster"]))
    assert list(roster.context["trainees"]) == [listed]
    signin = client.get(reverse("admin:training_trainingclass_sheet", args=[training_class.pk, "signin"]))
    assert len(signin.context["days"]) == 3
    assert "A4 landscape" in signin.content.decode()
    assert (
        client.get(
            reverse("admin:training_trainingclass_sheet", args=[training_class.pk, "other"])
        ).status_code
        == 404
    )


def test_a_class_sheet_writes_the_unit_once(client, county_a):
    training_class = TrainingClassFactory(organiser=county_a)
    EnrolmentFactory(
        training_class=training_class, cadre__unit=county_a, cadre__post=f"{county_a.name}财政局局长"
    )
    EnrolmentFactory(training_class=training_class, cadre__unit=county_a, cadre__post="副县长")
    client.force_login(
        UserFactory(perms=["training.view_trainingclass", "training.view_enrolment"], units=[county_a])
    )
    page = client.get(reverse("admin:training_trainingclass_sheet", args=[training_class.pk, "roster"]))
    text = page.content.decode()
    assert f"{county_a.name}财政局局长" in text and f"{county_a.name}{county_a.name}" not in text
    assert f"{county_a.name}副县长" in text


def test_a_class_sheet_lists_only_the_trainees_in_the_jurisdiction(client, county_a, county_b):
    training_class = TrainingClassFactory(organiser=county_a)
    mine = EnrolmentFactory(training_class=training_class, cadre__unit=county_a)
    theirs = EnrolmentFactory(training_class=training_class, cadre__unit=county_b)
    perms = ["training.view_trainingclass", "training.view_enrolment"]
    client.force_login(UserFactory(perms=perms, units=[county_a]))
    url = reverse("admin:training_trainingclass_sheet", args=[training_class.pk, "roster"])
    assert list(client.get(url).context["trainees"]) == [mine]
    client.force_login(UserFactory(perms=perms, units=[county_b]))
    assert list(client.get(url).context["trainees"]) == [theirs]  # the same class, their own cadres


def test_the_pool_entries_chart_has_every_year_from_the_first_entry(rf, staff, city):
    from cadres.dashboard import pool_entries

    PoolMembershipFactory(cadre__unit=city, entered_on=datetime.date(2019, 5, 1))
    PoolMembershipFactory(cadre__unit=city, entered_on=datetime.date(2016, 5, 1))
    request = rf.get("/")
    request.user = staff
    data = pool_entries(request)
    assert data.categories == ["2016", "2017", "2018", "2019"]
    assert [sum(values[i] for _name, values in data.series) for i in range(4)] == [1, 0, 0, 1]
