import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.contract import ModelContract
from tests.factories import RuleFactory

pytestmark = pytest.mark.django_db


class TestRule(ModelContract):
    factory = RuleFactory
    basename = "rule"

    def create_payload(self, unit):
        return {"purpose": "reminder", "kind": "long_in_post", "name": "任现职满6年", "params": {"years": 6}}

    def update_payload(self, obj):
        return {"active": False}

    def filter_cases(self, unit):
        yield {"active": "false"}, self.make(unit, active=False), self.make(unit, active=True)


def test_rule_rejects_unknown_kind_and_parameters():
    with pytest.raises(ValidationError) as error:
        RuleFactory.build(kind="no_such_kind").full_clean()
    assert "kind" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        RuleFactory.build(params={"yaers": 5}).full_clean()
    assert "params" in error.value.message_dict
    with pytest.raises(ValidationError):
        RuleFactory.build(params={"years": "五"}).full_clean()


def test_rule_fills_missing_parameters_with_defaults():
    assert RuleFactory.build(params={}).effective_params() == {"years": 5}


@pytest.mark.parametrize(
    "changelist", ["admin:cadres_cadre_changelist", "admin:cadres_poolmembership_changelist"]
)
def test_the_rule_list_filter_names_全部_once(changelist, superuser, client):
    client.force_login(superuser)
    response = client.get(reverse(changelist))
    (spec,) = [s for s in response.context["cl"].filter_specs if getattr(s, "parameter_name", "") == "rule"]
    shown = [str(choice["display"]) for choice in spec.choices(response.context["cl"])]
    assert shown.count("全部") == 1 and "有任一提示" in shown, shown
