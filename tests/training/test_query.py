"""Training conditions in the cadres' combined queries (registered by training.query from its
ready()): hours against the requirement (the ledger's SQL) and classes attended, combined with
cadre conditions in one query."""

import datetime
from decimal import Decimal

import pytest

from cadres.models import Cadre
from orgportal import query
from tests import factories as f

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 6, 15)


def found(document, among, on=ON) -> set:
    queryset = Cadre.objects.filter(pk__in=[c.pk for c in among])
    return set(query.apply(queryset, document, on=on).values_list("pk", flat=True))


def township(hours=None, year=2026):
    cadre = f.CadreFactory(level="township_chief", rank="", post_since=datetime.date(2015, 1, 1))
    if hours is not None:
        f.ExternalHoursFactory(
            cadre=cadre, year=year, kind="other_org", hours=Decimal(hours), status="approved"
        )
    return cadre


def hours(**value):
    return {"op": "and", "conditions": [{"field": "training_hours", "op": "is", "value": value}]}


def test_hours_against_the_yearly_requirement():
    met, short, last_year_only = township(90), township(89.5), township(120, year=2025)
    among = [met, short, last_year_only]
    assert found(hours(state=["met"]), among) == {met.pk}
    assert found(hours(state=["short"]), among) == {short.pk, last_year_only.pk}
    assert found(hours(state=["met"], year=2025), among) == {last_year_only.pk}
    assert found(hours(total={"min": 89.5}), among) == {met.pk, short.pk}


def test_classes_attended():
    def enrolled(status, kind="main", end=datetime.date(2025, 11, 20)):
        cadre = f.CadreFactory()
        training_class = f.TrainingClassFactory(
            kind=kind, start_date=end - datetime.timedelta(days=4), end_date=end
        )
        credited = Decimal(40) if status == "completed" else None
        f.EnrolmentFactory(
            cadre=cadre,
            training_class=training_class,
            status=status,
            hours_credited=credited,
            end_reason="" if status == "completed" else "工作原因",
        )
        return cadre

    completed, withdrawn, online, old = (
        enrolled("completed"),
        enrolled("withdrawn"),
        enrolled("completed", kind="online"),
        enrolled("completed", end=datetime.date(2020, 6, 1)),
    )
    among = [completed, withdrawn, online, old]
    classes = {"field": "training_class", "op": "has", "value": {"kind": ["main"], "within_years": 2}}
    assert found({"op": "and", "conditions": [classes]}, among) == {completed.pk}
    never = {
        "op": "and",
        "conditions": [{"field": "training_class", "op": "has_not", "value": {"year": 2026}}],
    }
    assert found(never, among) == {c.pk for c in among}


def test_training_talent_and_cadre_conditions_in_one_query():
    """选调生 short of hours this year, or a talent — and not under a sanction."""
    short_graduate = township(10)
    f.PoolMembershipFactory(cadre=short_graduate, source="selected_graduate")
    talent = township(200)
    f.TalentFactory(cadre=talent)
    sanctioned_talent = township(200)
    f.TalentFactory(cadre=sanctioned_talent)
    f.SanctionFactory(cadre=sanctioned_talent, decided_on=ON - datetime.timedelta(days=30))
    neither = township(200)
    document = {
        "op": "and",
        "conditions": [
            {
                "op": "or",
                "conditions": [
                    {
                        "op": "and",
                        "conditions": [
                            {"field": "pool", "op": "has", "value": {"source": ["selected_graduate"]}},
                            {"field": "training_hours", "op": "is", "value": {"state": ["short"]}},
                        ],
                    },
                    {"field": "talent", "op": "has", "value": {}},
                ],
            },
            {"op": "not", "conditions": [{"field": "sanction", "op": "has", "value": {}}]},
        ],
    }
    assert found(document, [short_graduate, talent, sanctioned_talent, neither]) == {
        short_graduate.pk,
        talent.pk,
    }
