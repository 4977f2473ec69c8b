"""领导班子: the models through the shared contract, 职数 counting (核定 / 实配 / 缺配 / 超配), the team
report with its structure rules at their boundaries and constant query counts, and the 超职数
refusal when completing an appointment case."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres import appointments, teams
from cadres.models import AppointmentStatus, Cadre, PostQuota, RegularAssessment, TeamAnalysis, TeamRule
from orgportal import codes
from orgportal.models import ExportLog
from tests import factories as f
from tests.cadres.contract import CadreChildContract
from tests.cadres.test_appointments import open_case, serving_cadre, walk
from tests.contract import ModelContract

pytestmark = pytest.mark.django_db
D = datetime.date
L = codes.LeadershipLevel
K = codes.TeamRuleKind
ON = D(2026, 6, 15)
REPORT_URL = "/api/v1/team-reports/"
XLSX_URL = "/api/v1/team-reports/xlsx/"
VIEW_TEAMS = ["cadres.view_cadre", "cadres.view_postquota"]


# --- the contract ------------------------------------------------------------------------------
class TestPostQuota(ModelContract):
    factory = f.PostQuotaFactory
    basename = "postquota"

    def create_payload(self, unit):
        return {"unit": unit.pk, "level": L.COUNTY_CHIEF, "post_kind": "party", "approved": 1}

    def update_payload(self, obj):
        return {"approved": obj.approved + 1}

    def filter_cases(self, unit):
        yield (
            {"level": L.COUNTY_CHIEF},
            self.make(unit, level=L.COUNTY_CHIEF),
            self.make(unit, level=L.TOWNSHIP_CHIEF),
        )


class TestTeamRule(ModelContract):
    factory = f.TeamRuleFactory
    basename = "teamrule"

    def create_payload(self, unit):
        return {"name": "乡镇至少1名党外干部", "unit_kind": "township", "kind": "non_party", "minimum": 1}

    def update_payload(self, obj):
        return {"minimum": 2}

    def filter_cases(self, unit):
        yield {"kind": "non_party"}, self.factory(kind="non_party"), self.factory(kind="woman")


class TestTeamAnalysis(ModelContract):
    factory = f.TeamAnalysisFactory
    basename = "teamanalysis"

    def create_payload(self, unit):
        return {"unit": unit.pk, "year": 2025, "rating": "good", "strengths": "班子团结"}

    def update_payload(self, obj):
        return {"rating": "average"}

    def filter_cases(self, unit):
        yield {"rating": "poor"}, self.make(unit, rating="poor"), self.make(unit, rating="good")


class TestMemberAssessment(ModelContract):
    factory = f.MemberAssessmentFactory
    basename = "memberassessment"

    def create_payload(self, unit):
        analysis = f.TeamAnalysisFactory(unit=unit)
        return {"analysis": analysis.pk, "cadre": f.CadreFactory(unit=unit).pk, "assessment": "敢于担当"}

    def update_payload(self, obj):
        return {"assessment": "统筹能力强"}

    def filter_cases(self, unit):
        mine = self.make(unit)
        yield {"analysis": mine.analysis_id}, mine, self.make(unit)


class TestRegularAssessment(CadreChildContract):
    factory = f.RegularAssessmentFactory
    basename = "regularassessment"

    def create_payload(self, unit):
        return {"cadre": self.cadre_in(unit), "year": 2026, "quarter": 2, "rating": "fairly_good"}

    def update_payload(self, obj):
        return {"rating": "average"}

    def filter_cases(self, unit):
        yield from super().filter_cases(unit)
        yield {"quarter": 3}, self.make(unit, quarter=3), self.make(unit, quarter=1)


def test_one_regular_assessment_per_cadre_and_quarter():
    first = f.RegularAssessmentFactory(year=2026, quarter=1)
    duplicate = f.RegularAssessmentFactory.build(cadre=first.cadre, year=2026, quarter=1)
    with pytest.raises(ValidationError, match="这一季度已有平时考核"):
        duplicate.full_clean()


def test_member_assessment_needs_a_member_of_the_team(county_a, county_b):
    analysis = f.TeamAnalysisFactory(unit=county_a)
    outsider = f.CadreFactory(unit=county_b)
    with pytest.raises(ValidationError, match="不是这个班子"):
        f.MemberAssessmentFactory.build(analysis=analysis, cadre=outsider).full_clean()


def test_young_and_background_rules_need_their_parameter():
    with pytest.raises(ValidationError, match="年龄上限"):
        f.TeamRuleFactory.build(kind=K.YOUNG, max_age=None).full_clean()
    with pytest.raises(ValidationError, match="关键词"):
        f.TeamRuleFactory.build(kind=K.BACKGROUND, keywords=" ， ").full_clean()


# --- shipped data ------------------------------------------------------------------------------
def test_default_structure_rules_are_shipped_for_counties_and_townships():
    county = {r.kind: r for r in TeamRule.objects.filter(unit_kind="county")}
    assert set(county) == {K.WOMAN, K.NON_PARTY, K.YOUNG, K.BACKGROUND}
    assert county[K.YOUNG].max_age == 40
    assert "金融" in county[K.BACKGROUND].keyword_list
    assert TeamRule.objects.filter(unit_kind="township", kind=K.YOUNG, max_age=35).exists()


def test_sections_get_team_permissions():
    cadre_section = set(Group.objects.get(name="干部科").permissions.values_list("codename", flat=True))
    county = set(Group.objects.get(name="县区组织部").permissions.values_list("codename", flat=True))
    readonly = set(Group.objects.get(name="只读").permissions.values_list("codename", flat=True))
    assert {"add_postquota", "change_teamrule", "add_teamanalysis", "add_regularassessment"} <= cadre_section
    assert {"change_postquota", "add_teamanalysis", "add_memberassessment"} <= county
    assert "change_teamrule" not in county
    assert {"view_postquota", "view_teamrule", "view_teamanalysis"} <= readonly
    assert "add_postquota" not in readonly


# --- counting ----------------------------------------------------------------------------------
def member(unit, level=L.COUNTY_DEPUTY, **kwargs):
    """A cadre of `unit` at `level`, with no professional background unless given."""
    for field in ("expertise", "professional_title", "ft_school", "pt_school"):
        kwargs.setdefault(field, "")
    return f.CadreFactory(unit=unit, level=level, **kwargs)


def test_staffing_counts_serving_cadres_of_the_unit_and_level(county_a, county_b):
    f.PostQuotaFactory(unit=county_a, level=L.COUNTY_DEPUTY, post_kind="party", approved=2)
    f.PostQuotaFactory(unit=county_a, level=L.COUNTY_DEPUTY, post_kind="government", approved=2)
    f.PostQuotaFactory(unit=county_a, level=L.COUNTY_CHIEF, approved=1)
    f.PostQuotaFactory(unit=county_b, level=L.COUNTY_DEPUTY, approved=1)
    for _n in range(3):
        member(county_a)
    member(county_a, status=codes.CadreStatus.RETIRED)  # not serving
    member(county_a, level=L.TOWNSHIP_CHIEF)  # a level without a quota
    member(f.UnitFactory(parent=county_a))  # a unit below: another team
    member(county_b)
    member(county_b)
    rows = {(r["unit"]["id"], r["level"]["code"]): r for r in teams.staffing(PostQuota.objects.all())}
    assert rows[(county_a.pk, L.COUNTY_DEPUTY)] == {
        "unit": {"id": county_a.pk, "name": county_a.name},
        "level": {"code": L.COUNTY_DEPUTY, "label": "县处级副职"},
        "approved": 4,  # 党委 2 + 政府 2: a post kind only subdivides the number
        "serving": 3,
        "vacant": 1,
        "over": 0,
    }
    assert rows[(county_a.pk, L.COUNTY_CHIEF)]["vacant"] == 1
    over = rows[(county_b.pk, L.COUNTY_DEPUTY)]
    assert (over["approved"], over["serving"], over["vacant"], over["over"]) == (1, 2, 0, 1)
    assert len(rows) == 3


def test_staffing_is_two_queries_for_one_or_many_units(city):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            teams.staffing(PostQuota.objects.all())
        return len(ctx.captured_queries)

    f.PostQuotaFactory(unit=city)
    member(city)
    one = count()
    for _n in range(8):
        unit = f.UnitFactory(parent=city)
        f.PostQuotaFactory(unit=unit)
        member(unit)
    assert one == count() == 2


# --- the team report ---------------------------------------------------------------------------
def report(unit=None, on=ON):
    scoped = {
        "units": None,
        "analyses": TeamAnalysis.objects.all(),
        "assessments": RegularAssessment.objects.all(),
    }
    return teams.team_report(
        Cadre.objects.all(), PostQuota.objects.all(), unit_subtree=unit and unit.pk, on=on, **scoped
    )


def born(age: int, month: int = 1) -> D:
    return D(ON.year - age, month, 1)


def county_team(county):
    f.PostQuotaFactory(unit=county, level=L.COUNTY_CHIEF, approved=1, doc_number="市编发〔2024〕1号")
    f.PostQuotaFactory(unit=county, level=L.COUNTY_DEPUTY, approved=3)
    chief = member(
        county, L.COUNTY_CHIEF, name="王书记", gender="1", birth_date=born(52), political_status="01"
    )
    deputy = member(county, name="李副县长", gender="2", birth_date=born(41), political_status="01")
    young = member(county, name="赵副县长", gender="1", birth_date=born(40, 6), political_status="12")
    return chief, deputy, young


def test_team_report_counts_each_team_with_its_members(county_a):
    chief, deputy, young = county_team(county_a)
    (team,) = report(county_a)["teams"]
    assert team["unit"]["name"] == county_a.name
    assert [
        (p["level"]["code"], p["approved"], p["serving"], p["vacant"], p["over"]) for p in team["posts"]
    ] == [
        (L.COUNTY_CHIEF, 1, 1, 0, 0),
        (L.COUNTY_DEPUTY, 3, 2, 1, 0),
    ]
    assert team["posts"][0]["quotas"][0]["doc_number"] == "市编发〔2024〕1号"
    assert (team["approved"], team["serving"], team["vacant"], team["over"]) == (4, 3, 1, 0)
    assert [m["name"] for m in team["members"]] == ["王书记", "李副县长", "赵副县长"]
    structure = team["structure"]
    assert structure["total"] == 3
    assert structure["average_age"] == round((52 + 41 + 40) / 3, 1)  # 赵 turns 40 on 06-01
    assert structure["youngest"] == {"id": young.pk, "name": "赵副县长", "age": 40}
    assert structure["women"] == {"count": 1, "percent": 33.3}
    assert structure["non_party"]["count"] == 1
    assert {row["label"]: row["count"] for row in structure["age_bands"]}["36-40岁"] == 1


def test_team_report_checks_the_rules_of_the_unit_kind_with_reasons(county_a):
    county_team(county_a)
    (team,) = report(county_a)["teams"]
    results = {r["kind"]["code"]: r for r in team["rules"]}
    assert set(results) == {K.WOMAN, K.NON_PARTY, K.YOUNG, K.BACKGROUND}  # the shipped county rules
    assert results[K.WOMAN]["met"] and "李副县长" in results[K.WOMAN]["reason"]
    assert results[K.YOUNG]["met"]  # 40 on the day: "40岁及以下" still counts
    assert not results[K.BACKGROUND]["met"]
    assert results[K.BACKGROUND]["reason"].startswith("不符合：")
    assert "应至少1名" in results[K.BACKGROUND]["reason"]


def test_young_rule_is_missed_the_day_after_the_threshold_birthday(county_a):
    county_team(county_a)
    TeamRule.objects.exclude(kind=K.YOUNG).delete()
    assert report(county_a, on=D(ON.year + 1, 5, 31))["teams"][0]["rules"][0]["met"]  # still 40
    missed = report(county_a, on=D(ON.year + 1, 6, 1))["teams"][0]["rules"][0]
    assert not missed["met"]
    assert missed["reason"] == "不符合：40岁及以下干部0名，应至少1名"


def test_background_rule_reads_expertise_and_school(county_a):
    county_team(county_a)
    member(county_a, expertise="熟悉财政金融工作")
    results = {r["kind"]["code"]: r for r in report(county_a)["teams"][0]["rules"]}
    assert results[K.BACKGROUND]["met"]


def test_inactive_rules_and_other_unit_kinds_are_not_checked(county_a):
    county_team(county_a)
    TeamRule.objects.filter(kind=K.WOMAN).update(active=False)
    f.TeamRuleFactory(unit_kind="township", kind=K.NON_PARTY)
    kinds = [r["kind"]["code"] for r in report(county_a)["teams"][0]["rules"]]
    assert K.WOMAN not in kinds and len(kinds) == 3


def test_team_report_lists_who_reaches_retirement_age_within_12_and_24_months(county_a):
    f.PostQuotaFactory(unit=county_a, level=L.COUNTY_DEPUTY, approved=5)
    # men born 1966-06: base month 2026-06, delay (17 // 4) + 1 = 5 months → 2026-11
    soon = member(county_a, name="甲", gender="1", birth_date=D(1966, 6, 1))
    later = member(county_a, name="乙", gender="1", birth_date=D(1967, 6, 1))  # 2027-06 + 8 → 2028-02
    member(county_a, name="丙", gender="1", birth_date=D(1980, 1, 1))
    (team,) = report(county_a)["teams"]
    assert [(m["name"], m["retirement_month"]) for m in team["leaving_12"]] == [("甲", "2026.11")]
    assert [m["id"] for m in team["leaving_24"]] == [soon.pk, later.pk]
    assert {m["name"]: m["retirement_month"] for m in team["members"]}["乙"] == "2028.02"


def test_team_report_shows_the_latest_analysis(county_a):
    county_team(county_a)
    f.TeamAnalysisFactory(unit=county_a, year=2024, rating="average")
    latest = f.TeamAnalysisFactory(unit=county_a, year=2025, rating="good")
    analysis = report(county_a)["teams"][0]["analysis"]
    assert analysis == {"id": latest.pk, "year": 2025, "rating": {"code": "good", "label": "好"}}


def test_team_report_is_narrowed_to_the_subtree(county_a, county_b):
    county_team(county_a)
    county_team(county_b)
    assert [t["unit"]["id"] for t in report(county_a)["teams"]] == [county_a.pk]
    assert report()["totals"]["teams"] == 2


def _queries(fetch) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fetch()
    return len(ctx.captured_queries)


def test_team_report_query_count_is_the_same_for_one_and_many_teams(city, county_a, api):
    user = f.UserFactory(
        perms=[*VIEW_TEAMS, "cadres.view_teamanalysis", "cadres.view_regularassessment"], units=[city]
    )
    chief, _deputy, _young = county_team(county_a)
    f.TeamAnalysisFactory(unit=county_a)
    f.RegularAssessmentFactory(cadre=chief, year=2026, quarter=1)

    def measure():
        fresh = get_user_model().objects.get(pk=user.pk)
        return (
            _queries(lambda: report(city)),
            _queries(lambda: api.as_user(fresh).get(REPORT_URL, {"unit_subtree": city.pk})),
        )

    one = measure()
    for n in range(6):
        county = f.UnitFactory(parent=city, kind=codes.UnitKind.COUNTY, name=f"丙县{n}")
        for cadre in county_team(county):
            f.RegularAssessmentFactory(cadre=cadre, year=2026, quarter=1)
            f.RegularAssessmentFactory(cadre=cadre, year=2026, quarter=2)
        f.TeamAnalysisFactory(unit=county)
    assert measure() == one
    assert one[0] == 7  # six, and one for the members' latest 平时考核


# --- API and admin -----------------------------------------------------------------------------
def test_api_team_report_counts_the_jurisdiction_only(county_a, county_b, api):
    county_team(county_a)
    county_team(county_b)
    user = f.UserFactory(perms=["cadres.view_cadre", "cadres.view_postquota"], units=[county_a])
    response = api.as_user(user).get(REPORT_URL)
    assert response.status_code == 200, response.data
    assert [t["unit"]["id"] for t in response.data["teams"]] == [county_a.pk]
    assert response.data["teams"][0]["analysis"] is None  # no view_teamanalysis: not told
    assert api.as_user(user).get(REPORT_URL, {"unit_subtree": county_b.pk}).data["teams"] == []


def test_api_team_report_requires_the_view_permissions(county_a, api):
    user = f.UserFactory(perms=["cadres.view_cadre"], units=[county_a])
    assert api.as_user(user).get(REPORT_URL).status_code == 403


def test_api_team_report_rejects_bad_bands(county_a, api):
    user = f.UserFactory(perms=["cadres.view_cadre", "cadres.view_postquota"], units=[county_a])
    response = api.as_user(user).get(REPORT_URL, {"bands": "40,35"})
    assert response.status_code == 400
    assert "bands" in response.data


def test_admin_team_report_page_is_linked_from_the_quota_list(county_a, client):
    county_team(county_a)
    user = f.UserFactory(perms=["cadres.view_cadre", "cadres.view_postquota"], units=[county_a])
    client.force_login(user)
    page_url = reverse("admin:cadres_team_report")
    assert page_url in client.get(reverse("admin:cadres_postquota_changelist")).content.decode()
    page = client.get(page_url, {"unit_subtree": county_a.pk})
    assert page.status_code == 200
    content = page.content.decode()
    assert "王书记" in content and "不符合" in content


def test_admin_team_report_page_needs_the_view_permissions(county_a, client):
    client.force_login(f.UserFactory(perms=["cadres.view_postquota"], units=[county_a]))
    assert client.get(reverse("admin:cadres_team_report")).status_code == 403


# --- 超职数 ------------------------------------------------------------------------------------
def full_quota(unit, level=L.COUNTY_DEPUTY, approved=1):
    f.PostQuotaFactory(unit=unit, level=level, approved=approved)
    for _n in range(approved):
        member(unit, level)


def test_completion_refuses_a_promotion_beyond_the_approved_number(county_a):
    full_quota(county_a)
    case = open_case(serving_cadre(county_a))
    walk(case)
    with pytest.raises(ValidationError) as error:
        appointments.complete_case(case, by=None)
    assert error.value.messages == [f"超职数配备：{county_a.name}县处级副职核定职数1名，已配备1名"]


def test_over_quota_is_listed_with_the_other_reasons(county_a):
    full_quota(county_a)
    case = open_case(serving_cadre(county_a))
    walk(case, until="publicity")
    with pytest.raises(ValidationError) as error:
        appointments.complete_case(case, by=None)
    assert len(error.value.messages) == 2
    assert error.value.messages[0].startswith("缺少必经程序")
    assert error.value.messages[1].startswith("超职数配备")


def test_completion_within_the_approved_number_succeeds(county_a):
    full_quota(county_a, approved=2)
    Cadre.objects.filter(unit=county_a, level=L.COUNTY_DEPUTY).first().delete()
    case = open_case(serving_cadre(county_a))
    walk(case)
    assert appointments.complete_case(case, by=None).status == AppointmentStatus.COMPLETED


def test_no_quota_no_check(county_a):
    member(county_a)
    case = open_case(serving_cadre(county_a))
    walk(case)
    assert appointments.complete_case(case, by=None).status == AppointmentStatus.COMPLETED


def test_a_move_within_the_same_unit_and_level_is_not_an_extra(county_a):
    full_quota(county_a)
    incumbent = Cadre.objects.get(unit=county_a, level=L.COUNTY_DEPUTY)
    case = open_case(incumbent, kind="lateral", proposed_level=L.COUNTY_DEPUTY, proposed_post="副县长")
    walk(case)
    assert appointments.complete_case(case, by=None).status == AppointmentStatus.COMPLETED


def test_retired_or_other_units_cadres_do_not_fill_the_quota(county_a, county_b):
    f.PostQuotaFactory(unit=county_a, level=L.COUNTY_DEPUTY, approved=1)
    member(county_a, status=codes.CadreStatus.RETIRED)
    member(county_b)
    case = open_case(serving_cadre(county_b), proposed_unit=county_a)
    walk(case)
    assert appointments.complete_case(case, by=None).status == AppointmentStatus.COMPLETED


def test_quota_changelist_shows_the_serving_count(county_a, client):
    f.PostQuotaFactory(unit=county_a, level=L.COUNTY_DEPUTY, approved=5)
    for _n in range(3):
        member(county_a)
    client.force_login(f.UserFactory(perms=["cadres.view_postquota"], units=[county_a]))
    content = client.get(reverse("admin:cadres_postquota_changelist")).content.decode()
    assert '<td class="field-serving">3</td>' in content


# --- 平时考核 with the report ------------------------------------------------------------------------
def test_team_report_shows_each_members_latest_regular_assessment(county_a):
    chief, deputy, _young = county_team(county_a)
    f.RegularAssessmentFactory(cadre=chief, year=2025, quarter=4, rating="good")
    f.RegularAssessmentFactory(cadre=chief, year=2026, quarter=1, rating="average")
    f.RegularAssessmentFactory(cadre=chief, year=2025, quarter=2, rating="poor")
    members = {m["id"]: m for m in report(county_a)["teams"][0]["members"]}
    assert members[chief.pk]["regular_assessment"] == {
        "year": 2026,
        "quarter": 1,
        "rating": {"code": "average", "label": "一般"},
    }
    assert members[deputy.pk]["regular_assessment"] is None


def test_api_team_report_shows_regular_assessments_only_with_their_permission(county_a, api):
    chief, _deputy, _young = county_team(county_a)
    f.RegularAssessmentFactory(cadre=chief, year=2026, quarter=2, rating="good")
    allowed = f.UserFactory(perms=[*VIEW_TEAMS, "cadres.view_regularassessment"], units=[county_a])
    members = api.as_user(allowed).get(REPORT_URL).data["teams"][0]["members"]
    assert members[0]["regular_assessment"]["rating"]["label"] == "好"
    without = f.UserFactory(perms=VIEW_TEAMS, units=[county_a])
    members = api.as_user(without).get(REPORT_URL).data["teams"][0]["members"]
    assert members[0]["regular_assessment"] is None


def test_admin_team_report_page_shows_regular_assessments(county_a, client):
    chief, _deputy, _young = county_team(county_a)
    f.RegularAssessmentFactory(cadre=chief, year=2026, quarter=2, rating="fairly_good")
    client.force_login(f.UserFactory(perms=[*VIEW_TEAMS, "cadres.view_regularassessment"], units=[county_a]))
    content = client.get(reverse("admin:cadres_team_report")).content.decode()
    assert "较好（2026年第2季度）" in content


# --- Excel ---------------------------------------------------------------------------------------
def test_team_report_posts_count_women_minority_non_party_and_age_per_level(county_a):
    county_team(county_a)
    Cadre.objects.update(ethnicity="01")
    chief, deputies = report(county_a)["teams"][0]["posts"]
    assert (chief["women"], chief["non_party"], chief["average_age"]) == (0, 0, 52.0)
    assert (deputies["women"], deputies["minority"], deputies["non_party"]) == (1, 0, 1)
    assert deputies["average_age"] == 40.5


def sheet_of(response):
    assert response.status_code == 200, getattr(response, "data", response)
    content = b"".join(response.streaming_content)
    return openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]


def test_api_team_report_xlsx_has_a_row_per_team_and_level(county_a, api):
    county_team(county_a)
    member(
        county_a, name="钱副县长", gender="1", birth_date=D(1966, 6, 1), political_status="01"
    )  # 到龄 2026.11
    Cadre.objects.update(ethnicity="01")
    user = f.UserFactory(perms=VIEW_TEAMS, units=[county_a])
    sheet = sheet_of(api.as_user(user).get(XLSX_URL, {"on": ON.isoformat()}))
    rows = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows[0] == [
        "序号",
        "单位",
        "职务层次",
        "核定",
        "实配",
        "缺配",
        "超配",
        "女干部",
        "少数民族",
        "党外",
        "平均年龄",
        "未达到的结构要求",
        "12个月内到龄",
    ]
    assert len(rows) == 3
    assert rows[1][:7] == [1, "甲县", "县处级正职", 1, 1, 0, 0]
    deputies = rows[2]
    assert deputies[:11] == [2, "甲县", "县处级副职", 3, 3, 0, 0, 1, 0, 1, round((41 + 40 + 60) / 3, 1)]
    assert deputies[11] == "不符合：具有经济、金融、财政等专业背景的干部0名，应至少1名"
    assert deputies[12] == "钱副县长（2026.11）"


def test_team_report_xlsx_writes_unit_names_as_text_never_formulas(city, api):
    county = f.UnitFactory(parent=city, kind=codes.UnitKind.COUNTY, name="=SUM(A1)")
    county_team(county)
    user = f.UserFactory(perms=VIEW_TEAMS, units=[county])
    sheet = sheet_of(api.as_user(user).get(XLSX_URL))
    assert sheet["B3"].value == "=SUM(A1)"
    assert sheet["B3"].data_type == "s"


def test_team_report_xlsx_has_the_users_teams_only(county_a, county_b, api):
    county_team(county_a)
    county_team(county_b)
    user = f.UserFactory(perms=VIEW_TEAMS, units=[county_a])
    sheet = sheet_of(api.as_user(user).get(XLSX_URL))
    assert {row[1] for row in sheet.iter_rows(min_row=3, values_only=True)} == {county_a.name}


def test_team_report_xlsx_is_logged(county_a, api):
    county_team(county_a)
    user = f.UserFactory(perms=VIEW_TEAMS, units=[county_a])
    sheet_of(api.as_user(user).get(XLSX_URL, {"unit_subtree": county_a.pk}))
    log = ExportLog.objects.get()
    assert (log.user, log.roster, log.row_count, log.channel) == (user, "cadres.team_report", 2, "api")
    assert log.filters == f"unit_subtree={county_a.pk}"


def test_team_report_xlsx_needs_the_view_permissions_and_valid_input(county_a, api):
    assert (
        api.as_user(f.UserFactory(perms=["cadres.view_cadre"], units=[county_a])).get(XLSX_URL).status_code
        == 403
    )
    user = f.UserFactory(perms=VIEW_TEAMS, units=[county_a])
    response = api.as_user(user).get(XLSX_URL, {"bands": "40,35"})
    assert response.status_code == 400
    assert "bands" in response.data
    assert not ExportLog.objects.exists()


def test_team_report_xlsx_query_count_is_the_same_for_one_and_many_teams(city, county_a, api):
    user = f.UserFactory(perms=VIEW_TEAMS, units=[city])
    county_team(county_a)

    def measure():
        client = api.as_user(get_user_model().objects.get(pk=user.pk))
        return _queries(lambda: sheet_of(client.get(XLSX_URL, {"unit_subtree": city.pk})))

    one = measure()
    for n in range(5):
        county_team(f.UnitFactory(parent=city, kind=codes.UnitKind.COUNTY, name=f"丁县{n}"))
    assert measure() == one


def test_admin_team_report_page_exports_with_its_filters(county_a, county_b, client):
    county_team(county_a)
    county_team(county_b)
    client.force_login(f.UserFactory(perms=VIEW_TEAMS, units=[county_a.parent]))
    page = client.get(reverse("admin:cadres_team_report"), {"unit_subtree": county_b.pk})
    assert "export=1" in page.content.decode() and "导出Excel" in page.content.decode()
    sheet = sheet_of(
        client.get(reverse("admin:cadres_team_report"), {"unit_subtree": county_b.pk, "export": "1"})
    )
    assert {row[1] for row in sheet.iter_rows(min_row=3, values_only=True)} == {county_b.name}
    assert ExportLog.objects.get().channel == "admin"
