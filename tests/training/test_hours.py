"""学时: the requirements and external hours through the shared contract; the ledger's counting at
its boundaries (exactly the requirement, an hour short, the 5-year window, pending vs approved);
the review service; the leave rule at completion; the candidates' ranking; the coverage reports;
the API and admin pages, with constant query counts."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres.models import Cadre
from orgportal import codes
from orgportal.review import review
from tests import factories as f
from tests.contract import ModelContract
from training import candidates as proposing
from training import coverage, ledger, services
from training.models import ExternalHours, HoursCounting, HoursRequirement

pytestmark = pytest.mark.django_db
D = datetime.date
Status = codes.EnrolmentStatus
LEDGER_PERMS = ["cadres.view_cadre", "training.view_enrolment", "training.view_externalhours"]


class TestHoursRequirement(ModelContract):
    factory = f.HoursRequirementFactory
    basename = "hoursrequirement"

    def create_payload(self, unit):
        return {
            "name": "专业化能力培训：每年24学时",
            "levels": "township_chief",
            "ranks": "principal_staff_1",
            "hours": "24.0",
            "window_years": 1,
            "counting": "classes",
            "priority": 50,
        }

    def update_payload(self, obj):
        return {"hours": "100.0"}

    def filter_cases(self, unit):
        yield {"counting": "online"}, self.make(unit, counting="online"), self.make(unit)
        yield {"active": "false"}, self.make(unit, active=False), self.make(unit)


class TestExternalHours(ModelContract):
    factory = f.ExternalHoursFactory
    basename = "externalhours"

    def create_payload(self, unit):
        return {
            "cadre": f.CadreFactory(unit=unit).pk,
            "year": 2025,
            "kind": "other_org",
            "provider": "浙江大学",
            "hours": "32.0",
            "evidence": "结业证书",
        }

    def update_payload(self, obj):
        return {"hours": "24.0"}

    def filter_cases(self, unit):
        yield {"kind": "self_study"}, self.make(unit, kind="self_study"), self.make(unit)
        yield {"status": "approved"}, self.make(unit, status="approved"), self.make(unit)
        yield {"year": 2024}, self.make(unit, year=2024), self.make(unit, year=2025)


# --- helpers ---------------------------------------------------------------------------------------
@pytest.fixture
def staff(city):
    return f.UserFactory(units=[city])


def cadre(unit, level="county_deputy", rank="", **kwargs):
    return f.CadreFactory(unit=unit, level=level, rank=rank, **kwargs)


def completed(person, hours, end: datetime.date, **class_kwargs):
    start = end - datetime.timedelta(days=4)
    training_class = f.TrainingClassFactory(
        start_date=start,
        end_date=end,
        hours=max(Decimal(hours), Decimal(1)),
        status="finished",
        **class_kwargs,
    )
    return f.EnrolmentFactory(
        cadre=person,
        training_class=training_class,
        status=Status.COMPLETED,
        hours_credited=Decimal(hours),
        ended_on=end,
    )


def external(person, hours, year, status="approved", kind="other_org"):
    return f.ExternalHoursFactory(cadre=person, hours=Decimal(hours), year=year, status=status, kind=kind)


def row(person, year):
    return ledger.with_hours(Cadre.objects.filter(pk=person.pk), year=year).get()


# --- the shipped requirements -----------------------------------------------------------------------
def test_shipped_requirements_follow_the_regulation():
    rules = {(r.counting, r.window_years, r.hours) for r in HoursRequirement.objects.all()}
    assert {
        (HoursCounting.ALL, 5, Decimal(550)),
        (HoursCounting.ALL, 1, Decimal(90)),
        (HoursCounting.ONLINE, 1, Decimal(50)),
    } <= rules
    county = HoursRequirement.objects.get(window_years=5)
    assert "county_deputy" in county.levels and "researcher_4" in county.ranks and county.catch_up_years == 1


def test_training_office_edits_requirements_and_county_records_external_hours():
    office, county = Group.objects.get(name="培训办"), Group.objects.get(name="县区组织部")
    assert office.permissions.filter(codename="change_hoursrequirement").exists()
    assert set(
        county.permissions.filter(codename__endswith="externalhours").values_list("codename", flat=True)
    ) == {
        "view_externalhours",
        "add_externalhours",
        "change_externalhours",
    }
    assert Group.objects.get(name="只读").permissions.filter(codename="view_hoursrequirement").exists()


def test_requirement_rejects_unknown_rank_code():
    rule = f.HoursRequirementFactory.build(ranks="staff_1,colonel")
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "colonel" in str(error.value.message_dict["ranks"])


# --- the ledger at its boundaries ---------------------------------------------------------------------
def test_township_cadre_at_exactly_90_hours_meets_the_yearly_requirement(county_a):
    person = cadre(county_a, level="township_chief")
    completed(person, 60, D(2025, 6, 5))
    external(person, 30, 2025)
    got = row(person, 2025)
    assert (got.class_hours, got.external_hours, got.total) == (60, 30, 90)
    assert (got.required, got.window_years, got.window_total, got.shortfall, got.met) == (90, 1, 90, 0, True)


def test_township_cadre_one_hour_short_does_not_meet_it(county_a):
    person = cadre(county_a, level="township_chief")
    completed(person, 59, D(2025, 6, 5))
    external(person, 30, 2025)
    got = row(person, 2025)
    assert (got.total, got.shortfall, got.met) == (89, 1, False)
    assert list(ledger.short(ledger.with_hours(Cadre.objects.all(), year=2025))) == [person]


def test_class_counts_in_the_year_it_ended(county_a):
    person = cadre(county_a, level="township_chief")
    completed(person, 90, D(2024, 12, 31))
    assert row(person, 2024).met is True
    assert (row(person, 2025).class_hours, row(person, 2025).met) == (0, False)


def test_five_year_window_includes_its_first_year_and_not_the_year_before(county_a):
    person = cadre(county_a, level="county_deputy")
    completed(person, 50, D(2020, 12, 31))  # outside 2021–2025
    completed(person, 500, D(2021, 1, 1))  # the window's first day
    got = row(person, 2025)
    assert (got.required, got.window_years, got.window_total, got.shortfall, got.met) == (
        550,
        5,
        500,
        50,
        False,
    )
    assert row(person, 2024).window_total == 550  # 2020–2024
    assert row(person, 2024).met is True


def test_rank_alone_brings_the_five_year_requirement(county_a):
    person = cadre(county_a, level="", rank="researcher_4")
    completed(person, 550, D(2023, 3, 1))
    got = row(person, 2025)
    assert (got.required, got.met) == (550, True)


def test_cadre_no_requirement_applies_to_has_none(county_a):
    HoursRequirement.objects.filter(counting=HoursCounting.ONLINE).update(active=False)
    got = row(cadre(county_a, level="", rank=""), 2025)
    assert (got.required, got.shortfall, got.met, got.online_met) == (None, None, None, None)


def test_pending_and_rejected_external_hours_do_not_count(county_a, staff):
    person = cadre(county_a, level="township_chief")
    completed(person, 80, D(2025, 6, 5))
    pending = external(person, 10, 2025, status="pending")
    external(person, 10, 2025, status="rejected")
    assert (row(person, 2025).external_hours, row(person, 2025).met) == (0, False)
    review(pending, approve=True, by=staff)
    assert (row(person, 2025).external_hours, row(person, 2025).met) == (10, True)


def test_online_hours_counted_against_the_online_requirement(county_a):
    person = cadre(county_a, level="township_chief")
    external(person, 30, 2025, kind="online")
    completed(person, 20, D(2025, 3, 3), kind="online")
    external(person, 40, 2025, kind="self_study")
    got = row(person, 2025)
    assert (got.online_hours, got.online_required, got.online_met) == (50, 50, True)
    assert got.total == 90  # online hours are part of the class and external hours, not added again


def test_promoted_within_the_catch_up_year_is_in_grace(county_a):
    recent = cadre(county_a, level="county_deputy", post_since=D(2025, 3, 1))
    settled = cadre(county_a, level="county_deputy", post_since=D(2023, 3, 1))
    assert (row(recent, 2025).met, row(recent, 2025).in_grace) == (False, True)
    assert (row(settled, 2025).met, row(settled, 2025).in_grace) == (False, False)


# --- review -------------------------------------------------------------------------------------------
def test_reject_needs_a_note_and_review_happens_once(county_a, staff):
    entry = external(cadre(county_a), 10, 2025, status="pending")
    with pytest.raises(ValidationError):
        review(entry, approve=False, by=staff)
    review(entry, approve=False, note="无学时证明", by=staff, on=D(2026, 1, 5))
    entry.refresh_from_db()
    assert (entry.status, entry.reviewed_by, entry.reviewed_on) == ("rejected", staff, D(2026, 1, 5))
    with pytest.raises(ValidationError):
        review(entry, approve=True, by=staff)


def test_reviewed_entry_is_not_edited(county_a, staff, api):
    entry = external(cadre(county_a), 10, 2025, status="pending")
    review(entry, approve=True, by=staff)
    user = f.UserFactory(
        perms=["training.view_externalhours", "training.change_externalhours"], units=[county_a]
    )
    url = reverse("externalhours-detail", args=[entry.pk])
    response = api.as_user(user).patch(url, {"hours": "99.0"}, format="json")
    assert response.status_code == 400
    assert ExternalHours.objects.get(pk=entry.pk).hours == 10


def test_review_through_the_api(county_a, api):
    entry = external(cadre(county_a), 10, 2025, status="pending")
    user = f.UserFactory(
        perms=["training.view_externalhours", "training.change_externalhours"], units=[county_a]
    )
    url = reverse("externalhours-review", args=[entry.pk])
    response = api.as_user(user).post(url, {"approve": True}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["status"] == "approved"


# --- the leave rule -------------------------------------------------------------------------------------
def _leave_class(county_a, staff, leave_hours, full_time=True):
    training_class = f.TrainingClassFactory(
        start_date=D(2026, 5, 11), end_date=D(2026, 5, 15), hours=Decimal(35), full_time=full_time
    )
    enrolment = f.EnrolmentFactory(
        cadre__unit=county_a, training_class=training_class, status=Status.IN_TRAINING
    )
    course = f.CourseFactory(training_class=training_class, hours=Decimal(leave_hours))
    services.record_attendance(enrolment, course, status="leave", by=staff)
    services.complete_class(training_class, on=D(2026, 5, 15), by=staff)
    enrolment.refresh_from_db()
    return enrolment


def test_leave_of_exactly_a_seventh_still_completes(county_a, staff):
    enrolment = _leave_class(county_a, staff, 5)  # 5 of 35 hours
    assert (enrolment.status, enrolment.hours_credited) == (Status.COMPLETED, Decimal(30))


def test_leave_above_a_seventh_of_a_full_time_class_means_withdrawal(county_a, staff):
    enrolment = _leave_class(county_a, staff, "5.5")
    assert (enrolment.status, enrolment.hours_credited, enrolment.certificate_number) == (
        Status.WITHDRAWN,
        None,
        "",
    )
    assert "1/7" in enrolment.end_reason and enrolment.ended_on == D(2026, 5, 15)


def test_leave_rule_is_for_full_time_classes_only(county_a, staff):
    enrolment = _leave_class(county_a, staff, "5.5", full_time=False)
    assert enrolment.status == Status.COMPLETED


# --- the ledger's API and admin page -------------------------------------------------------------------
def test_ledger_api_lists_the_jurisdiction_with_short_filter(county_a, county_b, api):
    met, short = cadre(county_a, level="township_chief"), cadre(county_a, level="township_chief")
    completed(met, 90, D(2025, 6, 1))
    completed(short, 89, D(2025, 6, 1))
    cadre(county_b, level="township_chief")
    client = api.as_user(f.UserFactory(perms=LEDGER_PERMS, units=[county_a]))
    response = client.get(reverse("training-hours-list"), {"year": 2025})
    assert response.status_code == 200, response.data
    assert {r["id"] for r in response.data["results"]} == {met.pk, short.pk}
    response = client.get(reverse("training-hours-list"), {"year": 2025, "short": 1})
    [only] = response.data["results"]
    assert (only["id"], only["total"], only["required"], only["shortfall"], only["met"]) == (
        short.pk,
        "89.0",
        "90.0",
        "1.0",
        False,
    )


def test_ledger_api_needs_the_view_permissions(county_a, api):
    client = api.as_user(f.UserFactory(perms=["cadres.view_cadre"], units=[county_a]))
    assert client.get(reverse("training-hours-list")).status_code == 403


def test_ledger_api_bad_year_is_a_400(county_a, api):
    client = api.as_user(f.UserFactory(perms=LEDGER_PERMS, units=[county_a]))
    assert client.get(reverse("training-hours-list"), {"year": "x"}).status_code == 400


def fresh(user):
    """The user as a new request sees it (no permission or jurisdiction caches)."""
    return get_user_model().objects.get(pk=user.pk)


def _queries(fetch) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _trained_cadres(unit, n):
    for _ in range(n):
        person = cadre(unit, level="township_chief")
        completed(person, 40, D(2025, 6, 1))
        external(person, 10, 2025)


def test_ledger_api_query_count_is_constant(county_a, api):
    user = f.UserFactory(perms=LEDGER_PERMS, units=[county_a])
    _trained_cadres(county_a, 1)
    one = _queries(lambda: api.as_user(fresh(user)).get(reverse("training-hours-list"), {"year": 2025}))
    _trained_cadres(county_a, 19)
    twenty = _queries(lambda: api.as_user(fresh(user)).get(reverse("training-hours-list"), {"year": 2025}))
    assert one == twenty


def test_ledger_admin_page_and_export_query_counts_are_constant(county_a, client):
    user = f.UserFactory(perms=LEDGER_PERMS, units=[county_a])
    client.force_login(user)
    url = reverse("admin:training_hours")
    _trained_cadres(county_a, 1)
    one = _queries(lambda: client.get(url, {"year": 2025, "short": "on"}))
    _trained_cadres(county_a, 19)
    response = client.get(url, {"year": 2025, "short": "on"})
    assert "共 20 人" in response.content.decode()
    assert _queries(lambda: client.get(url, {"year": 2025, "short": "on"})) == one
    exported = client.get(url, {"year": 2025, "export": 1})
    assert exported.status_code == 200
    assert exported["Content-Disposition"].endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(exported.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "尚差学时" in rows[1] and len(rows) == 2 + 20
    assert rows[2][rows[1].index("年度合计")] == 50 and rows[2][rows[1].index("是否达标")] == "否"


# --- 科学调训 ---------------------------------------------------------------------------------------------
def test_candidates_ranked_by_hours_owed_then_time_since_training(county_a, staff):
    training_class = f.TrainingClassFactory(
        start_date=D(2026, 9, 7), end_date=D(2026, 9, 11), target_levels="township_chief"
    )
    owes_90_never = cadre(county_a, level="township_chief", name="甲")
    owes_90_long_ago = cadre(county_a, level="township_chief", name="乙")
    completed(owes_90_long_ago, 40, D(2024, 5, 1))
    owes_50 = cadre(county_a, level="township_chief", name="丙")
    completed(owes_50, 40, D(2026, 3, 1))
    owes_0_recent = cadre(county_a, level="township_chief", name="丁")
    completed(owes_0_recent, 90, D(2026, 6, 1))
    owes_0_earlier = cadre(county_a, level="township_chief", name="戊")
    completed(owes_0_earlier, 90, D(2026, 2, 1))
    # not proposed: another level, retired, already enrolled, on a 挂职锻炼 over the class's dates
    cadre(county_a, level="county_deputy")
    cadre(county_a, level="township_chief", status="retired")
    f.EnrolmentFactory(cadre=cadre(county_a, level="township_chief"), training_class=training_class)
    f.PostingFactory(
        cadre=cadre(county_a, level="township_chief"), start=D(2026, 3, 1), planned_end=D(2027, 2, 28)
    )
    # proposed: a posting that ended before the class
    back = cadre(county_a, level="township_chief", name="己")
    completed(back, 90, D(2026, 1, 10))
    f.PostingFactory(cadre=back, start=D(2025, 3, 1), planned_end=D(2026, 2, 28), actual_end=D(2026, 2, 28))

    ranked = list(proposing.candidates(training_class, staff))
    assert ranked == [owes_90_never, owes_90_long_ago, owes_50, back, owes_0_earlier, owes_0_recent]
    assert [c.owed for c in ranked[:3]] == [90, 90, 50]


def test_candidates_api_is_constant_in_queries_and_scoped(county_a, county_b, api):
    training_class = f.TrainingClassFactory(target_levels="township_chief")
    user = f.UserFactory(
        perms=["cadres.view_cadre", "training.view_trainingclass", "training.view_enrolment"],
        units=[county_a],
    )
    url = reverse("training-class-candidates-list", args=[training_class.pk])
    _trained_cadres(county_a, 1)
    cadre(county_b, level="township_chief")
    one = _queries(lambda: api.as_user(fresh(user)).get(url))
    assert len(api.as_user(fresh(user)).get(url).data) == 1
    _trained_cadres(county_a, 19)
    assert _queries(lambda: api.as_user(fresh(user)).get(url, {"limit": 500})) == one
    assert len(api.as_user(fresh(user)).get(url, {"limit": 5}).data) == 5
    assert (
        api.as_user(fresh(user)).get(reverse("training-class-candidates-list", args=[999999])).status_code
        == 404
    )


def test_candidates_admin_page_enrols_the_chosen_and_reports_refusals(county_a, client):
    training_class = f.TrainingClassFactory(target_levels="township_chief")
    first, second = cadre(county_a, level="township_chief"), cadre(county_a, level="township_chief")
    user = f.UserFactory(
        perms=[
            "cadres.view_cadre",
            "training.view_trainingclass",
            "training.view_enrolment",
            "training.add_enrolment",
        ],
        units=[county_a],
    )
    client.force_login(user)
    url = reverse("admin:training_candidates", args=[training_class.pk])
    page = client.get(url)
    assert page.status_code == 200 and first.name in page.content.decode()
    # the figure is the requirement window's shortfall, and its heading says so (was “年度学时要求”)
    assert "尚欠学时（考核期累计）" in page.content.decode() and "年度学时要求" not in page.content.decode()
    Cadre.objects.filter(pk=second.pk).update(status="retired")  # retired since the page was shown
    response = client.post(url, {"cadre": [first.pk, second.pk]}, follow=True)
    assert training_class.enrolments.filter(cadre=first).exists()
    assert not training_class.enrolments.filter(cadre=second).exists()
    assert "已报名 1 人" in response.content.decode()


# --- 调训覆盖 ---------------------------------------------------------------------------------------------
def test_coverage_by_level_with_the_untrained_listed(county_a, county_b):
    this_year = cadre(county_a, level="county_deputy")
    completed(this_year, 40, D(2025, 4, 1))
    in_window = cadre(county_a, level="county_deputy")
    completed(in_window, 40, D(2021, 4, 1))
    never = cadre(county_a, level="township_chief", name="未训")
    cadre(county_a, level="township_chief", status="retired")
    cadre(county_b, level="township_chief")
    report = coverage.coverage(Cadre.objects.all(), year=2025, unit_subtree=county_a.pk)
    assert (report["total"], report["trained_year"], report["trained_window"]) == (3, 1, 2)
    assert report["trained_year_percent"] == 33.3
    county = next(r for r in report["levels"] if r["code"] == "county_deputy")
    assert (county["total"], county["trained_year"], county["trained_window_percent"]) == (2, 1, 100.0)
    assert [r["count"] for r in report["levels"]] == [r["total"] for r in report["levels"]]  # was always 0
    assert {r["id"] for r in report["not_trained"]} == {in_window.pk, never.pk}


def test_coverage_api_query_count_is_constant(county_a, api):
    user = f.UserFactory(perms=["cadres.view_cadre", "training.view_enrolment"], units=[county_a])
    url = reverse("training-reports-coverage")
    _trained_cadres(county_a, 1)
    cadre(county_a, level="county_chief")
    one = _queries(lambda: api.as_user(fresh(user)).get(url, {"year": 2025}))
    _trained_cadres(county_a, 19)
    response = api.as_user(fresh(user)).get(url, {"year": 2025})
    assert response.data["total"] == 21 and response.data["trained_year"] == 20
    assert _queries(lambda: api.as_user(fresh(user)).get(url, {"year": 2025})) == one


def test_quota_report_counts_placed_cadres_of_the_unit_subtree(city, county_a, county_b, api):
    quota = f.PlanQuotaFactory(unit=county_a, count=3)
    training_class = quota.training_class
    township = f.UnitFactory(parent=county_a)
    for status, unit in [
        ("confirmed", county_a),
        ("completed", township),
        ("applied", county_a),
        ("confirmed", county_b),
    ]:
        kwargs = {"hours_credited": Decimal(40)} if status == "completed" else {}
        f.EnrolmentFactory(cadre=cadre(unit), training_class=training_class, status=status, **kwargs)
    user = f.UserFactory(perms=["training.view_planquota", "training.view_enrolment"], units=[city])
    response = api.as_user(fresh(user)).get(reverse("training-reports-quotas"), {"plan": quota.plan_id})
    assert response.status_code == 200, response.data
    [row_] = response.data["quotas"]
    assert (row_["quota"], row_["sent"], row_["short"], row_["percent"]) == (3, 2, 1, 66.7)
    assert api.as_user(fresh(user)).get(reverse("training-reports-quotas")).status_code == 400


def test_coverage_admin_page_is_linked_from_the_class_list(county_a, client):
    user = f.UserFactory(
        perms=[
            "cadres.view_cadre",
            "training.view_enrolment",
            "training.view_trainingclass",
            "training.view_planquota",
        ],
        units=[county_a],
    )
    client.force_login(user)
    listing = client.get(reverse("admin:training_trainingclass_changelist")).content.decode()
    url = reverse("admin:training_coverage")
    assert url in listing
    plan = f.PlanQuotaFactory(unit=county_a).plan
    response = client.get(url, {"year": 2025, "plan": plan.pk})
    assert response.status_code == 200
    assert "名额完成情况" in response.content.decode()


def test_requirement_admin_form_stores_checked_levels_and_ranks_in_table_order(client, superuser):
    client.force_login(superuser)
    data = {
        "name": "测试要求",
        "levels": ["township_deputy", "township_chief"],
        "ranks": ["staff_1", "principal_staff_1"],
        "hours": "24",
        "window_years": 1,
        "counting": "classes",
        "catch_up_years": 0,
        "priority": 5,
        "active": "on",
        "basis": "",
    }
    response = client.post(reverse("admin:training_hoursrequirement_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = HoursRequirement.objects.get(name="测试要求")
    assert (rule.levels, rule.ranks) == ("township_chief,township_deputy", "principal_staff_1,staff_1")


def test_options_on_the_new_endpoints_is_not_a_500(county_a, api):
    client = api.as_user(f.UserFactory(perms=LEDGER_PERMS, units=[county_a]))
    training_class = f.TrainingClassFactory()
    for url in (
        reverse("training-hours-list"),
        reverse("training-class-candidates-list", args=[training_class.pk]),
        reverse("training-reports-coverage"),
    ):
        assert client.options(url).status_code == 200, url
