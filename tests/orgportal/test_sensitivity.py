"""Who sees sensitive values, section by section (README “Who sees sensitive values”): the table as
the groups' migrations set it, and a model's own `sensitive_permission` unmasking that model alone."""

import pytest
from django.contrib.auth.models import Group

from cadres.models import Cadre, Sanction
from orgportal import access
from orgportal.sections import ALL_SECTIONS
from talent.models import Talent, TargetedTrainee
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Section → the models whose sensitive values it sees unmasked (of those it may read at all).
SEES = {
    "干部科": {Cadre, Sanction, Talent, TargetedTrainee},
    "干监科": {Cadre, Sanction, Talent, TargetedTrainee},
    "干档科": {Cadre, Sanction, Talent, TargetedTrainee},
    "县区组织部": {Cadre, Sanction, Talent, TargetedTrainee},
    "人才办": {Talent, TargetedTrainee},
    "综干科": set(),
    "培训办": set(),
    "只读": set(),
}


def test_the_table_names_every_section():
    assert set(SEES) == set(ALL_SECTIONS)


@pytest.mark.parametrize("section", ALL_SECTIONS)
def test_each_section_sees_the_sensitive_values_the_table_gives_it(section, city):
    user = UserFactory(units=[city])
    user.groups.add(Group.objects.get(name=section))
    for model in (Cadre, Sanction, Talent, TargetedTrainee):
        shown = not access.masked_fields(model, user)
        assert shown == (model in SEES[section]), (section, model.__name__)


def test_a_model_permission_unmasks_that_model_only(city):
    user = UserFactory(
        perms=["talent.view_talent", "cadres.view_cadre", Talent.sensitive_permission], units=[city]
    )
    assert access.masked_fields(Talent, user) == ()
    assert access.masked_fields(Cadre, user) == Cadre.sensitive_fields
    assert access.masked_fields(TargetedTrainee, user) == TargetedTrainee.sensitive_fields
