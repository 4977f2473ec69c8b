"""Reminders (提醒): rules as data, each a SQL filter with a readable reason, tested at their edges."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres.models import Cadre, retirement_month
from orgportal import codes
from orgportal.models import Rule
from orgportal.rules import active_rules, filter_by_rule
from tests import factories as f

D = datetime.date


@pytest.mark.parametrize(
    ("born", "gender", "retires"),
    [
        (D(1964, 12, 1), "1", D(2024, 12, 1)),  # reached 60 before 2025-01: unchanged
        (D(1965, 1, 1), "1", D(2025, 2, 1)),  # the first month of the reform: 60 years 1 month
        (D(1965, 4, 1), "1", D(2025, 5, 1)),  # last month of the first step
        (D(1965, 5, 1), "1", D(2025, 7, 1)),  # the second step: 2 months
        (D(1976, 8, 1), "1", D(2039, 7, 1)),  # the last step below the cap: 62 years 11 months
        (D(1976, 9, 1), "1", D(2039, 9, 1)),  # 63 from here on
        (D(1990, 1, 1), "1", D(2053, 1, 1)),
        (D(1969, 12, 1), "2", D(2024, 12, 1)),  # women cadres, base 55
        (D(1970, 1, 1), "2", D(2025, 2, 1)),
        (D(1981, 9, 1), "2", D(2039, 9, 1)),  # 58
    ],
)
def test_retirement_month_at_the_steps_edges(born, gender, retires):
    assert retirement_month(born, gender) == retires


@pytest.fixture
def rules(db):
    Rule.objects.filter(purpose="reminder").delete()
    return {
        "retire": f.RuleFactory(kind="retirement_due", name="到龄", params={"months": 6}),
        "post": f.RuleFactory(kind="long_in_post", name="任现职满5年", params={"years": 5}),
        "rank": f.RuleFactory(kind="rank_promotion_eligible", name="职级", params={"years": 2}),
        "probation": f.RuleFactory(kind="probation_ending", name="试用期", params={"days": 30}),
    }


def cadre(unit, **kwargs):
    defaults = {
        "birth_date": D(1980, 1, 1),
        "id_number": "",
        "gender": "1",
        "work_start_date": D(2002, 7, 1),
        "party_join_date": None,
        "post_since": D(2024, 1, 1),
        "rank": "",
        "rank_since": None,
    }
    return f.CadreFactory(unit=unit, **{**defaults, **kwargs})


def due(rule, on):
    return set(Cadre.objects.due_reminders([rule], on).values_list("pk", flat=True))


@pytest.mark.django_db
def test_retirement_reminder_starts_the_configured_months_ahead(county_a, rules):
    man = cadre(county_a, birth_date=D(1965, 5, 1))  # retires 2025-07
    assert man.pk not in due(rules["retire"], D(2024, 12, 31))
    assert man.pk in due(rules["retire"], D(2025, 1, 1))
    rules["retire"].params = {"months": 3}
    rules["retire"].save()
    assert man.pk not in due(rules["retire"], D(2025, 3, 31))
    assert man.pk in due(rules["retire"], D(2025, 4, 1))


@pytest.mark.django_db
def test_retirement_reminder_uses_the_womens_schedule_in_sql(county_a, rules):
    woman = cadre(county_a, birth_date=D(1981, 9, 1), gender="2")  # retires 2039-09 at 58
    assert woman.pk not in due(rules["retire"], D(2039, 2, 28))
    assert woman.pk in due(rules["retire"], D(2039, 3, 1))


@pytest.mark.django_db
def test_sql_retirement_month_matches_python_for_many_births(county_a, rules):
    births = [D(y, m, 1) for y in (1964, 1965, 1969, 1970, 1976, 1981) for m in (1, 4, 5, 8, 9, 12)]
    made = [cadre(county_a, birth_date=b, gender=g, work_start_date=None) for b in births for g in "12"]
    rows = Cadre.objects.with_reminders([rules["retire"]], D(2025, 1, 1)).filter(pk__in=[c.pk for c in made])
    for row in rows:
        expected = retirement_month(row.birth_date, row.gender)
        assert row.retirement_index == expected.year * 12 + expected.month - 1, row.birth_date


@pytest.mark.django_db
def test_long_in_post_from_the_anniversary(county_a, rules):
    person = cadre(county_a, post_since=D(2020, 3, 15))
    assert person.pk not in due(rules["post"], D(2025, 3, 14))
    assert person.pk in due(rules["post"], D(2025, 3, 15))


@pytest.mark.django_db
def test_rank_promotion_needs_the_years_and_good_assessments(county_a, rules):
    person = cadre(county_a, rank=codes.Rank.STAFF_1, rank_since=D(2023, 6, 1))
    on = D(2025, 6, 1)
    f.AnnualAssessmentFactory(cadre=person, year=2023, result=codes.AssessmentResult.COMPETENT)
    assert person.pk not in due(rules["rank"], on)  # one good year of two
    f.AnnualAssessmentFactory(cadre=person, year=2024, result=codes.AssessmentResult.EXCELLENT)
    assert person.pk in due(rules["rank"], on)
    assert person.pk not in due(rules["rank"], D(2025, 5, 31))  # two years in rank on 2025-06-01


@pytest.mark.django_db
def test_probation_ending_window(county_a, rules):
    person = cadre(county_a, probation_until=D(2025, 7, 31))
    assert person.pk not in due(rules["probation"], D(2025, 6, 30))
    assert person.pk in due(rules["probation"], D(2025, 7, 1))
    assert person.pk not in due(rules["probation"], D(2025, 8, 1))


@pytest.mark.django_db
def test_retired_cadres_get_no_reminders(county_a, rules):
    person = cadre(county_a, post_since=D(2010, 1, 1), status=codes.CadreStatus.RETIRED)
    assert person.pk not in due(rules["post"], D(2025, 1, 1))


@pytest.mark.django_db
def test_inactive_rules_are_not_applied(county_a, rules):
    rules["post"].active = False
    rules["post"].save()
    assert rules["post"] not in active_rules("reminder")


@pytest.mark.django_db
def test_api_lists_due_cadres_with_readable_reasons_in_constant_queries(county_a, rules, superuser, api):
    old_post = cadre(county_a, post_since=D(2015, 3, 1))
    cadre(county_a, post_since=D(2024, 1, 1))
    client = api.as_user(superuser)
    response = client.get(reverse("cadre-list"), {"reminder": "any"})
    assert [row["id"] for row in response.data["results"]] == [old_post.pk]
    assert "任现职已满5年（2015.03 起）" in response.data["results"][0]["reminders"]
    by_rule = client.get(reverse("cadre-list"), {"reminder": rules["post"].pk}).data["results"]
    assert [row["id"] for row in by_rule] == [old_post.pk]
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("cadre-list"), {"reminder": "any"})
    for _ in range(10):
        cadre(county_a, post_since=D(2015, 3, 1))
    with CaptureQueriesContext(connection) as eleven:
        assert len(client.get(reverse("cadre-list"), {"reminder": "any"}).data["results"]) == 11
    assert len(one.captured_queries) == len(eleven.captured_queries)


@pytest.mark.django_db
def test_admin_filter_and_column(county_a, rules, superuser, client):
    cadre(county_a, post_since=D(2015, 3, 1), name="老干部")
    cadre(county_a, post_since=D(2024, 1, 1), name="新干部")
    client.force_login(superuser)
    page = client.get(reverse("admin:cadres_cadre_changelist"), {"rule": "any"}).content.decode()
    assert "老干部" in page and "新干部" not in page
    assert "任现职已满5年" in page


@pytest.mark.django_db
def test_unknown_reminder_value_gives_an_empty_list(county_a, rules):
    cadre(county_a, post_since=D(2015, 3, 1))
    assert not filter_by_rule(Cadre.objects.all(), "999999", active_rules("reminder")).exists()
