"""The leadership-team part of `seed_demo`: valid rows, a report with something to act on, nothing
added on a second run, and the team report's query count independent of the demo's size."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cadres import teams
from cadres.models import Cadre, MemberAssessment, PostQuota, RegularAssessment, TeamAnalysis
from orgportal.models import Unit

pytestmark = pytest.mark.django_db
TEAM_MODELS = [PostQuota, TeamAnalysis, MemberAssessment, RegularAssessment]


def seed(cadres: int) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--cadres", str(cadres), stdout=out)
    return out.getvalue()


def city_report() -> dict:
    root = Unit.objects.get(parent=None)
    return teams.team_report(
        Cadre.objects.all(),
        PostQuota.objects.all(),
        units=Unit.objects.all(),
        analyses=TeamAnalysis.objects.all(),
        unit_subtree=root.pk,
    )


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TEAM_MODELS}


def test_seeded_team_rows_pass_full_clean_each_with_its_created_history_row():
    output = seed(300)
    assert "领导班子" in output
    for model in TEAM_MODELS:
        rows = list(model.objects.all())
        assert rows, model.__name__
        for obj in rows:
            obj.full_clean()
        created = model.history.filter(history_type="+", history_user=None)
        assert created.count() == len(rows) == model.history.count(), model.__name__


def test_seeded_teams_show_a_vacancy_an_over_quota_team_and_a_missed_rule():
    seed(300)
    report = city_report()
    assert report["totals"]["teams"] >= 10
    assert any(team["vacant"] for team in report["teams"])
    assert [team["over"] for team in report["teams"] if team["over"]] == [1]
    assert any(not rule["met"] for team in report["teams"] for rule in team["rules"])
    assert any(team["analysis"] for team in report["teams"])


def test_seeded_quotas_follow_the_serving_leaders():
    seed(300)
    for team in city_report()["teams"]:
        for post in team["posts"]:
            assert post["approved"] >= post["serving"] - 1
            assert post["approved"] <= post["serving"] + 1 or post["serving"] == 0


def test_seed_demo_again_adds_no_team_rows():
    seed(300)
    before = counts()
    seed(300)
    assert counts() == before
    seed(320)  # a top-up: the teams already have their quotas
    assert counts() == before


def _queries(fetch) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fetch()
    return len(ctx.captured_queries)


def test_city_team_report_query_count_does_not_grow_with_the_demo():
    seed(300)
    small = _queries(city_report)
    seed(1500)
    assert Cadre.objects.count() == 1500
    assert _queries(city_report) == small


def test_a_database_seeded_before_teams_gets_them_on_the_next_run():
    seed(300)
    for model in (MemberAssessment, TeamAnalysis, RegularAssessment, PostQuota):  # as before teams existed
        model.objects.all().delete()
    seed(300)  # no new cadres, but the teams
    assert PostQuota.objects.exists()
