"""The reports kernel (orgportal.reports): percentages, code rows and refs, query validation, the
permission (OPTIONS answered, undeclared actions refused) and the unit a report is narrowed to,
looked up within the user's jurisdiction. Endpoints: 梯次配备 and 人才办统计报表."""

from types import SimpleNamespace

import pytest
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from orgportal import access, codes
from orgportal.models import Unit
from orgportal.reports import (
    ReportPermission,
    code_ref,
    code_rows,
    in_subtree,
    percent,
    subtree_unit,
    unit_ref,
    validated,
)
from tests.factories import UserFactory

REPORT_URLS = {  # a report endpoint of each app, and what it needs to be seen
    "/api/v1/structure/cadres/": ["cadres.view_cadre"],
    "/api/v1/talent-reports/talents/": ["talent.view_talent"],
}


# --- percent, code_rows, code_ref ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("count", "total", "expected"),
    [(1, 3, 33.3), (2, 3, 66.7), (1, 7, 14.3), (3, 3, 100.0), (0, 5, 0.0), (1, 200_000, 0.0)],
)
def test_percent_rounds_to_one_decimal_place(count, total, expected):
    assert percent(count, total) == expected


def test_percent_of_a_zero_total_is_zero():
    assert percent(0, 0) == 0.0


def test_code_rows_follow_the_table_order_with_zero_for_absent_codes():
    rows = code_rows([("1", "男"), ("2", "女")], {"2": 3})
    assert rows == [{"code": "1", "label": "男", "count": 0}, {"code": "2", "label": "女", "count": 3}]


def test_code_rows_put_unknown_codes_after_the_table_labelled_by_their_code():
    rows = code_rows([("1", "男"), ("2", "女")], {"x": 1, "1": 2})
    assert [(row["code"], row["label"], row["count"]) for row in rows] == [
        ("1", "男", 2),
        ("2", "女", 0),
        ("x", "x", 1),
    ]


def test_code_rows_give_a_percent_of_the_total_when_given():
    rows = code_rows([("a", "甲"), ("b", "乙")], {"a": 1, "b": 2}, total=3)
    assert [row["percent"] for row in rows] == [33.3, 66.7]
    assert code_rows([("a", "甲")], {}, total=0)[0]["percent"] == 0.0


def test_code_ref_labels_a_code_and_is_none_without_one():
    assert code_ref(codes.Gender, "2") == {"code": "2", "label": "女"}
    assert code_ref(codes.Gender, "") is None
    assert code_ref(codes.Gender, None) is None


# --- validated ------------------------------------------------------------------------------------
class YearQuery(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=1900)


def test_validated_gives_a_plain_dict():
    assert validated(YearQuery, {"year": "2025"}) == {"year": 2025}
    assert validated(YearQuery, {}) == {}


def test_validated_raises_a_400_with_the_field_name():
    with pytest.raises(ValidationError) as error:
        validated(YearQuery, {"year": "1800"})
    assert set(error.value.detail) == {"year"}


# --- the permission ---------------------------------------------------------------------------------
def _allowed(user, action) -> bool:
    view = SimpleNamespace(action=action, required_perms={"cadres": ("cadres.view_cadre",)})
    return ReportPermission().has_permission(SimpleNamespace(user=user), view)


def test_permission_needs_the_actions_declared_permissions(db):
    assert _allowed(UserFactory(perms=["cadres.view_cadre"]), "cadres")
    assert not _allowed(UserFactory(), "cadres")


def test_permission_refuses_an_action_without_declared_permissions(db):
    assert not _allowed(UserFactory(is_superuser=True), "undeclared")
    assert not _allowed(UserFactory(is_superuser=True), None)


@pytest.mark.parametrize("url", REPORT_URLS)
def test_options_on_a_report_endpoint_answers_200_not_500(url, county_a, api):
    assert api.as_user(UserFactory(units=[county_a])).options(url).status_code == 200
    assert api.as_user(UserFactory(perms=REPORT_URLS[url], units=[county_a])).options(url).status_code == 200


@pytest.mark.parametrize("url", REPORT_URLS)
def test_options_on_a_report_endpoint_still_needs_a_signed_in_user(url, db, api):
    assert api.options(url).status_code in (401, 403)


@pytest.mark.parametrize("url", REPORT_URLS)
def test_a_method_the_report_does_not_take_is_not_a_500(url, superuser, api):
    assert api.as_user(superuser).post(url).status_code in (403, 405)


# --- the unit a report is narrowed to -------------------------------------------------------------
def test_subtree_unit_within_the_jurisdiction(county_a, county_b):
    user = UserFactory(units=[county_a])
    units = access.scope(Unit.objects.all(), user)
    assert subtree_unit(county_a.pk, units) == {"id": county_a.pk, "name": "甲县", "path": county_a.path}
    assert subtree_unit(None, units) is None


def test_subtree_unit_outside_the_jurisdiction_is_told_like_a_missing_unit(county_a, county_b):
    units = access.scope(Unit.objects.all(), UserFactory(units=[county_a]))
    outside, missing = subtree_unit(county_b.pk, units), subtree_unit(999_999, units)
    assert outside == {"id": county_b.pk, "name": "", "path": None}
    assert missing == {"id": 999_999, "name": "", "path": None}
    assert not in_subtree(Unit.objects.all(), "path", outside).exists()
    assert unit_ref(outside) == {"id": county_b.pk, "name": ""}


def test_subtree_unit_without_units_looks_among_every_unit(county_b):
    assert subtree_unit(county_b.pk)["name"] == "乙县"


@pytest.mark.parametrize("url", REPORT_URLS)
def test_a_report_does_not_name_a_unit_outside_the_jurisdiction(url, county_a, county_b, api):
    user = UserFactory(perms=REPORT_URLS[url], units=[county_a])
    response = api.as_user(user).get(url, {"unit_subtree": county_b.pk})
    assert response.status_code == 200
    assert response.data["filters"]["unit"] == {"id": county_b.pk, "name": ""}
    assert response.data["total"] == 0
    mine = api.as_user(user).get(url, {"unit_subtree": county_a.pk}).data
    assert mine["filters"]["unit"] == {"id": county_a.pk, "name": "甲县"}


@pytest.mark.parametrize("url", REPORT_URLS)
def test_a_report_names_any_unit_for_a_user_who_sees_every_unit(url, county_b, superuser, api):
    data = api.as_user(superuser).get(url, {"unit_subtree": county_b.pk}).data
    assert data["filters"]["unit"] == {"id": county_b.pk, "name": "乙县"}
