"""Talent conditions in the cadres' combined queries (registered by talent.query from its ready())."""

import datetime

import pytest

from cadres.models import Cadre
from orgportal import query
from tests import factories as f

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 6, 15)


def found(document, among, on=ON) -> set:
    queryset = Cadre.objects.filter(pk__in=[c.pk for c in among])
    return set(query.apply(queryset, document, on=on).values_list("pk", flat=True))


def has(field, **value):
    return {"op": "and", "conditions": [{"field": field, "op": "has", "value": value}]}


def test_talent_category_and_level():
    expert, skilled, departed, plain = (f.CadreFactory() for _ in range(4))
    f.TalentFactory(cadre=expert, category="professional_technical", level="B")
    f.TalentFactory(cadre=skilled, category="high_skilled", level="D")
    f.TalentFactory(cadre=departed, category="professional_technical", level="B", departed=True)
    among = [expert, skilled, departed, plain]
    assert found(has("talent", category=["professional_technical"]), among) == {expert.pk}
    assert found(has("talent", level=["B", "D"]), among) == {expert.pk, skilled.pk}
    assert found(has("talent", level=["B"], active=False), among) == {expert.pk, departed.pk}
    assert found(has("talent"), among) == {expert.pk, skilled.pk}


def test_card_holder_on_the_reference_day():
    holder, expired, cancelled = (f.CadreFactory() for _ in range(3))
    f.TalentCardFactory(
        talent=f.TalentFactory(cadre=holder), issued_on=datetime.date(2025, 1, 1), expires_on=ON
    )
    f.TalentCardFactory(
        talent=f.TalentFactory(cadre=expired),
        issued_on=datetime.date(2023, 1, 1),
        expires_on=ON - datetime.timedelta(days=1),
    )
    f.TalentCardFactory(talent=f.TalentFactory(cadre=cancelled), cancelled=True)
    among = [holder, expired, cancelled]
    assert found(has("talent_card"), among) == {holder.pk}
    assert found(has("talent_card", tier=["A"]), among) == set()
    not_holders = {"op": "and", "conditions": [{"field": "talent_card", "op": "has_not", "value": {}}]}
    assert found(not_holders, among) == {expired.pk, cancelled.pk}
