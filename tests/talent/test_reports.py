"""人才办统计报表: each report's numbers on a known fixture and at its boundaries, within the user's
jurisdiction, in a constant number of queries; the API (permissions, bad input, schema) and the
admin page."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from orgportal import codes
from talent.models import CARD_STATES, ServiceRequest, Talent, TalentCard, TalentPlanIndicator
from talent.reports import (
    REQUIRED_PERMS,
    cards_and_services,
    indicator_completion,
    talent_counts,
    talent_flow,
)
from tests import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date
ON = D(2025, 6, 30)
Cat, Lvl, Src, Why = codes.TalentCategory, codes.TalentLevel, codes.TalentSource, codes.TalentDepartureReason
Card, Req, Sat = codes.TalentCardStatus, codes.ServiceRequestStatus, codes.Satisfaction
URL = "/api/v1/talent-reports/{}/"
KINDS = list(REQUIRED_PERMS)


def talent(unit, **kwargs):
    """A talent without an ID number (which would have to agree with the random birth date)."""
    return f.TalentFactory(unit=unit, id_number="", **kwargs)


def departed(unit, on, reason=Why.JOB_CHANGE, **kwargs):
    return talent(unit, status=codes.TalentStatus.DEPARTED, left_on=on, leave_reason=reason, **kwargs)


def counts(rows) -> dict:
    """{code: count} of the rows that count something."""
    return {row["code"]: row["count"] for row in rows if row["count"]}


def everything(model):
    return model.objects.all()


@pytest.fixture
def town_a(county_a):
    return f.UnitFactory(name="甲镇", kind=codes.UnitKind.TOWNSHIP, parent=county_a)


# --- 1. 人才统计 ---------------------------------------------------------------------------------
@pytest.fixture
def talents(city, county_a, county_b, town_a):
    """In post: 甲县 2 专技 C and 1 高技能 A; 甲镇 1 农村实用 (no level); 乙县 1 专技 B; the city
    itself 1 党政 D. 流失: one 专技 C in 甲县."""
    talent(county_a, category=Cat.PROFESSIONAL_TECHNICAL, level=Lvl.C)
    talent(county_a, category=Cat.PROFESSIONAL_TECHNICAL, level=Lvl.C)
    talent(county_a, category=Cat.HIGH_SKILLED, level=Lvl.A)
    talent(town_a, category=Cat.RURAL_PRACTICAL, level="", source=Src.LOCAL, arrived_on=None)
    talent(county_b, category=Cat.PROFESSIONAL_TECHNICAL, level=Lvl.B)
    talent(city, category=Cat.PARTY_GOVERNMENT, level=Lvl.D)
    departed(county_a, D(2025, 1, 1), category=Cat.PROFESSIONAL_TECHNICAL, level=Lvl.C)


def test_talent_counts_by_category_level_and_unit(talents, city, county_a, county_b):
    report = talent_counts(everything(Talent))
    assert report["total"] == 6
    assert report["base"] == {"id": city.pk, "name": "测试市"}
    assert counts(report["categories"]) == {
        Cat.PROFESSIONAL_TECHNICAL: 3, Cat.HIGH_SKILLED: 1, Cat.RURAL_PRACTICAL: 1, Cat.PARTY_GOVERNMENT: 1
    }  # fmt: skip
    assert counts(report["levels"]) == {"A": 1, "B": 1, "C": 2, "D": 1, "": 1}
    professional = next(row for row in report["categories"] if row["code"] == Cat.PROFESSIONAL_TECHNICAL)
    assert professional["percent"] == 50.0 and counts(professional["levels"]) == {"B": 1, "C": 2}
    rows = [(row["id"], row["name"], row["own"], row["count"]) for row in report["units"]]
    assert rows == [
        (city.pk, "测试市（本级）", True, 1),
        (county_a.pk, "甲县", False, 4),  # with 甲镇 under it
        (county_b.pk, "乙县", False, 1),
    ]
    county = report["units"][1]
    assert counts(county["categories"]) == {
        Cat.PROFESSIONAL_TECHNICAL: 2, Cat.HIGH_SKILLED: 1, Cat.RURAL_PRACTICAL: 1
    }  # fmt: skip
    assert counts(county["levels"]) == {"A": 1, "C": 2, "": 1}
    assert {(c["unit"], c["category"], c["level"]): c["count"] for c in report["cells"]} == {
        (city.pk, Cat.PARTY_GOVERNMENT, "D"): 1,
        (county_a.pk, Cat.PROFESSIONAL_TECHNICAL, "C"): 2,
        (county_a.pk, Cat.HIGH_SKILLED, "A"): 1,
        (county_a.pk, Cat.RURAL_PRACTICAL, ""): 1,
        (county_b.pk, Cat.PROFESSIONAL_TECHNICAL, "B"): 1,
    }
    labels = {row["code"]: row["label"] for row in report["levels"]}
    assert labels["A"] == "A类" and labels[""] == "未定层次"


def test_talent_counts_other_statuses_when_asked(talents):
    departed_only = talent_counts(everything(Talent), status=codes.TalentStatus.DEPARTED)
    assert departed_only["total"] == 1
    assert departed_only["filters"]["status"] == {"code": "departed", "label": "流失"}
    every = talent_counts(everything(Talent), status=None)
    assert every["total"] == 7 and every["filters"]["status"] is None


def test_unit_subtree_rows_are_the_units_below_it(talents, county_a, town_a):
    report = talent_counts(everything(Talent), unit_subtree=county_a.pk)
    assert report["base"] == {"id": county_a.pk, "name": "甲县"}
    assert [(row["name"], row["count"]) for row in report["units"]] == [("甲县（本级）", 3), ("甲镇", 1)]
    assert report["filters"]["unit"] == {"id": county_a.pk, "name": "甲县"}
    missing = talent_counts(everything(Talent), unit_subtree=999_999)
    assert missing["total"] == 0 and missing["units"] == [] and missing["base"] is None


def test_a_county_user_sees_their_county_by_its_units(talents, county_a, county_b, api):
    user = f.UserFactory(perms=REQUIRED_PERMS["talents"], units=[county_a])
    data = api.as_user(user).get(URL.format("talents")).data
    assert data["total"] == 4
    assert [(row["name"], row["count"]) for row in data["units"]] == [("甲县（本级）", 3), ("甲镇", 1)]
    # asking for another county's subtree does not widen the jurisdiction
    other = api.as_user(user).get(URL.format("talents"), {"unit_subtree": county_b.pk}).data
    assert other["total"] == 0
    assert other["filters"]["unit"] == {"id": county_b.pk, "name": ""}  # nor names the other county


def test_a_user_of_two_counties_sees_both_counties(talents, county_a, county_b, api):
    user = f.UserFactory(perms=REQUIRED_PERMS["talents"], units=[county_a, county_b])
    data = api.as_user(user).get(URL.format("talents")).data
    assert data["total"] == 5
    assert [(row["name"], row["own"]) for row in data["units"]] == [("甲县", False), ("乙县", False)]


def test_status_all_counts_every_talent_through_the_api(talents, api, superuser):
    data = api.as_user(superuser).get(URL.format("talents"), {"status": "all"}).data
    assert data["total"] == 7


# --- 2. 引进与流失 ---------------------------------------------------------------------------------
@pytest.fixture
def flow(county_a, county_b):
    """甲县: 引进 2023-03 and 2024-05 (left 2025-02, 薪酬), 乡情回引 2023-07 and 2025-01; 本土培育
    with an arrival date (not an arrival), left 2024-08 (家庭). 乙县: 引进 2024-01."""
    talent(county_a, source=Src.INTRODUCED, arrived_on=D(2023, 3, 1))
    talent(county_a, source=Src.RETURNEE, arrived_on=D(2023, 7, 1))
    departed(county_a, D(2025, 2, 1), Why.PAY, source=Src.INTRODUCED, arrived_on=D(2024, 5, 1))
    departed(county_a, D(2024, 8, 1), Why.FAMILY, source=Src.LOCAL, arrived_on=D(2023, 1, 1))
    talent(county_a, source=Src.RETURNEE, arrived_on=D(2025, 1, 10))
    talent(county_b, source=Src.INTRODUCED, arrived_on=D(2024, 1, 1))


def _flow_figures(period) -> tuple:
    return (
        counts(period["arrivals"]["by_source"]),
        counts(period["departures"]["by_reason"]),
        period["net_change"],
    )


def test_flow_per_year_arrivals_by_source_departures_by_reason(flow, county_a):
    report = talent_flow(everything(Talent), unit_subtree=county_a.pk)
    years = {period["year"]: _flow_figures(period) for period in report["years"]}
    assert years == {
        2023: ({Src.INTRODUCED: 1, Src.RETURNEE: 1}, {}, 2),  # 本土培育 is not an arrival
        2024: ({Src.INTRODUCED: 1}, {Why.FAMILY: 1}, 0),
        2025: ({Src.RETURNEE: 1}, {Why.PAY: 1}, 0),
    }
    total = report["total"]
    assert (total["arrivals"]["total"], total["departures"]["total"], total["net_change"]) == (4, 2, 2)
    assert [row["label"] for row in total["arrivals"]["by_source"]] == ["引进", "乡情回引"]


def test_flow_counts_the_whole_jurisdiction_without_a_unit(flow):
    report = talent_flow(everything(Talent))
    assert report["total"]["arrivals"]["total"] == 5


def test_flow_year_range_keeps_years_without_events(flow, county_a):
    one_year = talent_flow(everything(Talent), unit_subtree=county_a.pk, year_from=2024, year_to=2024)
    assert [_flow_figures(p) for p in one_year["years"]] == [({Src.INTRODUCED: 1}, {Why.FAMILY: 1}, 0)]
    assert one_year["total"]["net_change"] == 0
    assert one_year["filters"]["year_from"] == one_year["filters"]["year_to"] == 2024
    wide = talent_flow(everything(Talent), unit_subtree=county_a.pk, year_from=2022, year_to=2026)
    assert [p["year"] for p in wide["years"]] == [2022, 2023, 2024, 2025, 2026]
    assert wide["years"][0]["arrivals"]["total"] == 0 and wide["years"][-1]["net_change"] == 0


def test_flow_year_boundaries_are_the_first_and_last_day(county_a):
    talent(county_a, source=Src.INTRODUCED, arrived_on=D(2024, 1, 1))
    talent(county_a, source=Src.INTRODUCED, arrived_on=D(2024, 12, 31))
    talent(county_a, source=Src.INTRODUCED, arrived_on=D(2025, 1, 1))
    report = talent_flow(everything(Talent), year_from=2024, year_to=2024)
    assert report["total"]["arrivals"]["total"] == 2


def test_flow_api_takes_a_year(flow, county_a, api):
    user = f.UserFactory(perms=REQUIRED_PERMS["flow"], units=[county_a])
    data = api.as_user(user).get(URL.format("flow"), {"year": 2024}).data
    assert [p["year"] for p in data["years"]] == [2024]
    assert data["total"]["arrivals"]["total"] == 1  # 乙县's arrival of 2024 is outside the jurisdiction


# --- 3. 英才卡与服务 --------------------------------------------------------------------------------
def card(unit, issued, expires, tier=codes.TalentCardTier.B, **kwargs):
    return f.TalentCardFactory(talent=talent(unit), tier=tier, issued_on=issued, expires_on=expires, **kwargs)


def service_request(card, kind, opened, due, status=Req.ACCEPTED, closed=None, satisfaction=""):
    return f.ServiceRequestFactory(
        card=card,
        kind=kind,
        opened_on=opened,
        due_on=due,
        status=status,
        closed_on=closed,
        satisfaction=satisfaction,
    )


@pytest.fixture
def cards(county_a, county_b):
    """On ON: 甲县 A 2023 有效, B 2022 过期, B 2024 挂失, C 2024 注销, C 2025 expiring on ON (有效);
    乙县 A 2024 有效. Requests on 甲县's first card (see the test for what each one counts as)."""
    valid = card(county_a, D(2023, 5, 1), D(2026, 4, 30), codes.TalentCardTier.A)
    card(county_a, D(2022, 1, 1), D(2024, 12, 31))
    card(county_a, D(2024, 3, 1), D(2027, 2, 28), status=Card.LOST, lost_on=D(2025, 1, 1))
    card(
        county_a, D(2024, 6, 1), D(2027, 5, 31), codes.TalentCardTier.C,
        status=Card.CANCELLED, cancelled_on=D(2025, 3, 1), cancel_reason="人才流失",
    )  # fmt: skip
    card(county_a, D(2025, 1, 1), ON, codes.TalentCardTier.C)
    other = card(county_b, D(2024, 2, 1), D(2027, 1, 31), codes.TalentCardTier.A)
    housing, schooling, medical = (
        codes.ServiceKind.HOUSING,
        codes.ServiceKind.SCHOOLING,
        codes.ServiceKind.MEDICAL,
    )
    # 安居: 办结 on the due date (on time, 满意), 办结 a day late (not rated), open past due (超期)
    service_request(valid, housing, D(2025, 1, 5), D(2025, 2, 4), Req.DONE, D(2025, 2, 4), Sat.SATISFIED)
    service_request(valid, housing, D(2025, 1, 10), D(2025, 2, 9), Req.DONE, D(2025, 2, 10))
    service_request(valid, housing, D(2025, 3, 1), D(2025, 6, 29))
    # 子女入学: 办理中 due on ON (not yet overdue); 不予办理 in 2024, in time
    service_request(valid, schooling, D(2025, 5, 1), ON, Req.IN_PROGRESS)
    service_request(valid, schooling, D(2024, 9, 1), D(2024, 10, 1), Req.REFUSED, D(2024, 9, 20))
    # 医疗: 办结 in time, 不满意
    service_request(valid, medical, D(2025, 2, 1), D(2025, 3, 1), Req.DONE, D(2025, 2, 20), Sat.DISSATISFIED)
    service_request(other, housing, D(2025, 1, 1), D(2025, 1, 31))  # 乙县: open, overdue


def _request_figures(row) -> tuple:
    return (
        row["total"], row["open"], row["overdue"], row["closed"], row["on_time"], row["late"],
        row["refused"], counts(row["satisfaction"]), row["satisfied_percent"],
    )  # fmt: skip


def test_cards_issued_per_year_by_tier_and_by_state(cards, county_a):
    report = cards_and_services(
        everything(TalentCard), everything(ServiceRequest), unit_subtree=county_a.pk, on=ON
    )
    issued = {period["year"]: counts(period["by_tier"]) for period in report["issued"]["years"]}
    assert issued == {2022: {"B": 1}, 2023: {"A": 1}, 2024: {"B": 1, "C": 1}, 2025: {"C": 1}}
    assert report["issued"]["total"]["total"] == 5
    assert counts(report["cards"]["by_state"]) == {
        Card.VALID: 2,
        Card.LOST: 1,
        Card.CANCELLED: 1,
        "expired": 1,
    }
    assert report["cards"]["total"] == 5
    assert [row["label"] for row in report["cards"]["by_state"]] == ["有效", "挂失", "注销", "过期"]


def test_card_states_agree_with_the_card_querysets_in_state(cards):
    report = cards_and_services(everything(TalentCard), everything(ServiceRequest), on=ON)
    for row in report["cards"]["by_state"]:
        assert row["count"] == TalentCard.objects.in_state(row["code"], ON).count(), row
    assert {code for code, _label in CARD_STATES} == {row["code"] for row in report["cards"]["by_state"]}


def test_a_card_expiring_on_the_day_is_still_valid_and_expired_the_day_after(county_a):
    card(county_a, D(2025, 1, 1), ON)
    cards = everything(TalentCard)
    assert counts(cards_and_services(cards, everything(ServiceRequest), on=ON)["cards"]["by_state"]) == {
        Card.VALID: 1
    }
    after = cards_and_services(cards, everything(ServiceRequest), on=ON + datetime.timedelta(days=1))
    assert counts(after["cards"]["by_state"]) == {"expired": 1}


def test_service_requests_per_kind(cards, county_a):
    report = cards_and_services(
        everything(TalentCard), everything(ServiceRequest), unit_subtree=county_a.pk, on=ON
    )
    kinds = {row["code"]: row for row in report["requests"]["kinds"]}
    assert _request_figures(kinds["housing"]) == (3, 1, 1, 2, 1, 1, 0, {Sat.SATISFIED: 1, "": 1}, 100.0)
    assert _request_figures(kinds["schooling"]) == (2, 1, 0, 1, 1, 0, 1, {}, 0.0)
    assert _request_figures(kinds["medical"]) == (1, 0, 0, 1, 1, 0, 0, {Sat.DISSATISFIED: 1}, 0.0)
    assert kinds["housing"]["on_time_percent"] == 50.0 and kinds["schooling"]["on_time_percent"] == 100.0
    total = report["requests"]["total"]
    assert _request_figures(total) == (
        6,
        2,
        1,
        4,
        3,
        1,
        1,
        {Sat.SATISFIED: 1, Sat.DISSATISFIED: 1, "": 1},
        50.0,
    )
    assert total["on_time_percent"] == 75.0 and total["rated"] == 2 and total["done"] == 3
    assert [row["label"] for row in total["satisfaction"]] == ["满意", "基本满意", "不满意", "未评价"]


def test_overdue_agrees_with_the_request_querysets_overdue(cards):
    report = cards_and_services(everything(TalentCard), everything(ServiceRequest), on=ON)
    assert report["requests"]["total"]["overdue"] == ServiceRequest.objects.overdue(ON).count() == 2
    assert report["requests"]["total"]["open"] == ServiceRequest.objects.open().count()


def test_cards_year_narrows_issued_cards_and_requests_but_not_the_states(cards, county_a):
    report = cards_and_services(
        everything(TalentCard),
        everything(ServiceRequest),
        unit_subtree=county_a.pk,
        year_from=2024,
        year_to=2024,
        on=ON,
    )
    assert [(p["year"], counts(p["by_tier"])) for p in report["issued"]["years"]] == [
        (2024, {"B": 1, "C": 1})
    ]
    assert report["requests"]["total"]["total"] == 1  # the 不予办理 of 2024
    assert report["cards"]["total"] == 5


def test_a_county_user_sees_their_countys_cards(cards, county_a, api):
    user = f.UserFactory(perms=REQUIRED_PERMS["cards"], units=[county_a])
    data = api.as_user(user).get(URL.format("cards")).data
    assert data["cards"]["total"] == 5 and data["issued"]["total"]["total"] == 5
    assert data["requests"]["total"]["total"] == 6
    everyone = api.as_user(f.UserFactory(is_superuser=True)).get(URL.format("cards")).data
    assert everyone["cards"]["total"] == 6 and everyone["requests"]["total"]["total"] == 7


# --- 4. 规划指标完成情况 ----------------------------------------------------------------------------
@pytest.fixture
def indicators(county_a, county_b):
    """2024: 甲县 42/50 and 25/20, 乙县 10/10 (reached exactly); 2025: 甲县 30 not reported yet, and a
    target of 0 reached by 0."""

    def indicator(unit, year, name, target, actual):
        return f.TalentPlanIndicatorFactory(
            unit=unit,
            year=year,
            indicator=name,
            target=Decimal(target),
            actual=None if actual is None else Decimal(actual),
        )

    indicator(county_a, 2024, "新引进高层次人才", 50, 42)
    indicator(county_a, 2024, "乡情回引人才", 20, 25)
    indicator(county_b, 2024, "定向培养紧缺专业学生", 10, 10)
    indicator(county_a, 2025, "新建人才工作室", 30, None)
    indicator(county_a, 2025, "人才流失（超过即未完成）", 0, 0)


def test_indicators_per_year_and_unit(indicators, county_a, county_b):
    report = indicator_completion(everything(TalentPlanIndicator))
    assert report["summary"] == {
        "total": 5, "achieved": 3, "not_achieved": 2, "unreported": 1, "achieved_percent": 60.0
    }  # fmt: skip
    assert [year["year"] for year in report["years"]] == [2025, 2024]
    y2024 = report["years"][1]
    assert y2024["summary"]["total"] == 3 and y2024["summary"]["achieved"] == 2
    assert [(u["id"], u["total"], u["achieved"]) for u in y2024["units"]] == [
        (county_a.pk, 2, 1),
        (county_b.pk, 1, 1),
    ]
    rows = {i["indicator"]: (i["achieved"], i["completion"]) for u in y2024["units"] for i in u["indicators"]}
    assert rows == {
        "新引进高层次人才": (False, Decimal("84.0")),
        "乡情回引人才": (True, Decimal("125.0")),
        "定向培养紧缺专业学生": (True, Decimal("100.0")),
    }
    y2025 = {i["indicator"]: i for u in report["years"][0]["units"] for i in u["indicators"]}
    assert y2025["新建人才工作室"]["actual"] is None and y2025["新建人才工作室"]["completion"] is None
    assert y2025["人才流失（超过即未完成）"]["achieved"] is True


def test_indicator_summary_agrees_with_the_querysets_achieved(indicators):
    report = indicator_completion(everything(TalentPlanIndicator))
    assert report["summary"]["achieved"] == TalentPlanIndicator.objects.achieved().count()
    assert report["summary"]["not_achieved"] == TalentPlanIndicator.objects.not_achieved().count()
    listed = [i for year in report["years"] for u in year["units"] for i in u["indicators"]]
    assert sum(i["achieved"] for i in listed) == report["summary"]["achieved"]


def test_indicators_by_year_and_unit_subtree(indicators, county_a):
    report = indicator_completion(
        everything(TalentPlanIndicator), unit_subtree=county_a.pk, year_from=2024, year_to=2024
    )
    assert report["summary"]["total"] == 2 and report["summary"]["achieved"] == 1
    assert [year["year"] for year in report["years"]] == [2024]


def test_indicators_api_answers_decimals_as_strings_in_the_users_county(indicators, county_a, api):
    user = f.UserFactory(perms=REQUIRED_PERMS["indicators"], units=[county_a])
    data = api.as_user(user).get(URL.format("indicators"), {"year": 2024}).json()
    assert data["summary"]["total"] == 2
    row = next(i for i in data["years"][0]["units"][0]["indicators"] if i["indicator"] == "新引进高层次人才")
    assert (row["target"], row["actual"], row["completion"], row["achieved"]) == (
        "50.00",
        "42.00",
        "84.0",
        False,
    )


# --- query counts ------------------------------------------------------------------------------
def _queries(fetch) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fetch()
    return len(ctx.captured_queries)


def _fill(unit, how_many: int, start: int = 0) -> None:
    """`how_many` talents of every kind, with cards, requests, departures and indicators."""
    for n in range(start, start + how_many):
        who = talent(
            unit,
            category=Cat.values[n % 6],
            level=[*Lvl.values, ""][n % 6],
            source=Src.values[n % 3],
            arrived_on=D(2018 + n % 7, 1 + n % 12, 1),
        )
        if n % 4 == 0:
            Talent.objects.filter(pk=who.pk).update(
                status=codes.TalentStatus.DEPARTED, left_on=D(2025, 3, 1), leave_reason=Why.values[n % 8]
            )
        issued = D(2019 + n % 6, 1 + n % 12, 1)
        the_card = f.TalentCardFactory(
            talent=who, tier="ABC"[n % 3], issued_on=issued, expires_on=issued + datetime.timedelta(days=900)
        )
        closed = n % 3 == 0
        service_request(
            the_card,
            codes.ServiceKind.values[n % 6],
            issued,
            issued + datetime.timedelta(days=30),
            Req.DONE if closed else Req.ACCEPTED,
            issued + datetime.timedelta(days=20 + n % 20) if closed else None,
            Sat.values[n % 3] if closed else "",
        )
        f.TalentPlanIndicatorFactory(unit=unit, year=2020 + n % 6, target=Decimal(10), actual=Decimal(n % 15))


REPORTS = {
    "talents": lambda **kw: talent_counts(everything(Talent), **kw),
    "flow": lambda **kw: talent_flow(everything(Talent), **kw),
    "cards": lambda **kw: cards_and_services(everything(TalentCard), everything(ServiceRequest), **kw),
    "indicators": lambda **kw: indicator_completion(everything(TalentPlanIndicator), **kw),
}


def test_query_counts_are_the_same_for_1_and_40_rows(county_a, town_a, api, client):
    user = f.UserFactory(
        perms=[perm for perms in REQUIRED_PERMS.values() for perm in perms], units=[county_a]
    )

    def measure():
        fresh = get_user_model().objects.get(pk=user.pk)
        return (
            *(_queries(report) for report in REPORTS.values()),
            *(_queries(lambda kind=kind: REPORTS[kind](unit_subtree=county_a.pk)) for kind in REPORTS),
            *(
                _queries(lambda kind=kind: api.as_user(fresh).get(URL.format(kind), {"year_from": 2019}))
                for kind in KINDS
                if kind != "talents"
            ),
            _queries(lambda: api.as_user(fresh).get(URL.format("talents"), {"unit_subtree": county_a.pk})),
            _queries(lambda: client.get(reverse("admin:talent_reports"), {"year_from": 2019})),
        )

    client.force_login(user)
    _fill(county_a, 1)
    one = measure()
    _fill(county_a, 20, start=1)
    _fill(town_a, 19, start=21)
    assert Talent.objects.count() == 40 and ServiceRequest.objects.count() == 40
    assert measure() == one
    assert one[:8] == (3, 2, 3, 3, 4, 3, 4, 4)


def test_report_numbers_add_up_on_a_larger_data_set(county_a, town_a):
    _fill(county_a, 20)
    _fill(town_a, 20, start=20)
    counted = talent_counts(everything(Talent))
    assert counted["total"] == Talent.objects.filter(status=codes.TalentStatus.ACTIVE).count() == 30
    assert sum(row["count"] for row in counted["units"]) == counted["total"]
    assert sum(cell["count"] for cell in counted["cells"]) == counted["total"]
    flow = talent_flow(everything(Talent))
    assert flow["total"]["departures"]["total"] == 10
    assert sum(p["arrivals"]["total"] for p in flow["years"]) == flow["total"]["arrivals"]["total"]
    assert flow["total"]["arrivals"]["total"] == Talent.objects.exclude(source=Src.LOCAL).count()
    cards_report = cards_and_services(everything(TalentCard), everything(ServiceRequest))
    total = cards_report["requests"]["total"]
    assert total["total"] == 40 and total["closed"] + total["open"] == 40
    assert total["on_time"] + total["late"] == total["closed"]


# --- API ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_api_requires_the_reports_view_permissions(kind, county_a, api):
    nobody = f.UserFactory(perms=["talent.view_talentprogramme"], units=[county_a])
    assert api.as_user(nobody).get(URL.format(kind)).status_code == 403
    permitted = f.UserFactory(perms=REQUIRED_PERMS[kind], units=[county_a])
    assert api.as_user(permitted).get(URL.format(kind)).status_code == 200


def test_cards_need_the_service_request_permission_too(county_a, api):
    cards_only = f.UserFactory(perms=["talent.view_talentcard"], units=[county_a])
    assert api.as_user(cards_only).get(URL.format("cards")).status_code == 403


@pytest.mark.parametrize("kind", KINDS)
def test_api_requires_authentication(kind, db, api):
    assert api.get(URL.format(kind)).status_code in (401, 403)


def test_api_options_describes_the_endpoint(county_a, api):
    user = f.UserFactory(units=[county_a])
    assert api.as_user(user).options(URL.format("flow")).status_code == 200


@pytest.mark.parametrize(
    ("kind", "params", "fields"),
    [
        ("talents", {"unit_subtree": "甲县"}, {"unit_subtree"}),
        ("talents", {"unit_subtree": "0"}, {"unit_subtree"}),
        ("talents", {"status": "retired"}, {"status"}),
        ("flow", {"year": "2024年"}, {"year"}),
        ("flow", {"year_from": "1800"}, {"year_from"}),
        ("cards", {"year_from": "2025", "year_to": "2024"}, {"year_to"}),
        ("cards", {"year": "2024", "year_from": "2023"}, {"year"}),
        ("indicators", {"year_to": "99999999999999999999"}, {"year_to"}),
    ],
)
def test_api_rejects_bad_parameters_with_400(kind, params, fields, db, api, superuser):
    response = api.as_user(superuser).get(URL.format(kind), params)
    assert response.status_code == 400
    assert set(response.data) == fields


def test_schema_describes_the_reports_without_warnings(db):
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    mine = [m for m in (*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache) if "TalentReport" in m]
    assert mine == []
    for kind in KINDS:
        operation = schema["paths"][URL.format(kind)]["get"]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].startswith(
            "#/components/schemas/TalentReport"
        )
        assert "unit_subtree" in {parameter["name"] for parameter in operation["parameters"]}
    flow_parameters = {p["name"] for p in schema["paths"][URL.format("flow")]["get"]["parameters"]}
    assert flow_parameters == {"unit_subtree", "year", "year_from", "year_to"}


# --- admin page --------------------------------------------------------------------------------
ALL_PERMS = ["talent.view_talentprogramme", *{perm for perms in REQUIRED_PERMS.values() for perm in perms}]


def test_admin_page_is_linked_from_the_programme_list(county_a, client):
    client.force_login(f.UserFactory(perms=ALL_PERMS, units=[county_a]))
    page = client.get(reverse("admin:talent_talentprogramme_changelist")).content.decode()
    assert reverse("admin:talent_reports") in page and "人才工作统计" in page


def test_admin_page_shows_the_four_reports_for_the_users_county(
    talents, flow, cards, indicators, county_a, county_b, client
):
    client.force_login(f.UserFactory(perms=ALL_PERMS, units=[county_a]))
    response = client.get(reverse("admin:talent_reports"))
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "人才统计",
        "人才引进与流失",
        "英才卡与服务",
        "规划指标完成情况",
        "甲县（本级）",
        "专业技术人才",
        "乡情回引",
        "按时办结率",
        "新引进高层次人才",
    ):
        assert text in page, text
    assert "乙县" not in page and "定向培养紧缺专业学生" not in page
    reports = response.context["reports"]
    assert reports["talents"]["total"] == 4 + 3 + 5  # in post in 甲县: each fixture's talents
    assert reports["indicators"]["summary"]["total"] == 4
    assert f'value="{county_a.pk}"' in page and f'value="{county_b.pk}"' not in page


def test_admin_page_form_narrows_the_reports(talents, indicators, county_a, town_a, client):
    client.force_login(f.UserFactory(perms=ALL_PERMS, units=[county_a]))
    # 甲镇 lies below the form's list (the county and one level below) — the row link still works
    response = client.get(
        reverse("admin:talent_reports"), {"unit_subtree": town_a.pk, "status": "all", "year_from": 2025}
    )
    assert response.status_code == 200
    reports = response.context["reports"]
    assert reports["talents"]["total"] == 1
    assert reports["talents"]["filters"]["unit"] == {"id": town_a.pk, "name": "甲镇"}
    assert reports["flow"]["filters"]["year_from"] == 2025
    assert reports["indicators"]["summary"]["total"] == 0
    everything_in_county = client.get(reverse("admin:talent_reports"), {"status": "all", "year_from": 2025})
    assert everything_in_county.context["reports"]["talents"]["total"] == 5
    assert everything_in_county.context["reports"]["indicators"]["summary"]["total"] == 2


def test_admin_page_shows_bad_input_as_a_form_error(county_a, county_b, client):
    client.force_login(f.UserFactory(perms=ALL_PERMS, units=[county_a]))
    response = client.get(reverse("admin:talent_reports"), {"year_from": 2025, "year_to": 2024})
    assert response.status_code == 200 and response.context["reports"] is None
    assert "截止年度不能早于起始年度" in response.content.decode()
    outside = client.get(reverse("admin:talent_reports"), {"unit_subtree": county_b.pk})
    assert outside.status_code == 200 and outside.context["reports"] is None


def test_admin_page_shows_only_the_reports_the_user_may_see(indicators, county_a, client):
    client.force_login(f.UserFactory(perms=REQUIRED_PERMS["indicators"], units=[county_a]))
    response = client.get(reverse("admin:talent_reports"))
    assert response.status_code == 200
    assert set(response.context["reports"]) == {"indicators"}
    assert "按时办结率" not in response.content.decode()


def test_admin_page_requires_a_reports_view_permissions(county_a, client):
    client.force_login(f.UserFactory(perms=["talent.view_talentprogramme"], units=[county_a]))
    assert client.get(reverse("admin:talent_reports")).status_code == 403
    page = client.get(reverse("admin:talent_talentprogramme_changelist")).content.decode()
    assert reverse("admin:talent_reports") not in page
