import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgportal import codes
from orgportal.models import Unit
from tests.contract import ModelContract
from tests.factories import UnitAssignmentFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


class TestUnit(ModelContract):
    factory = UnitFactory
    basename = "unit"

    def create_payload(self, unit):
        return {"name": "新设单位", "kind": codes.UnitKind.DEPARTMENT, "parent": unit.pk}

    def update_payload(self, obj):
        return {"name": obj.name + "（更名）"}

    def filter_cases(self, unit):
        T = codes.UnitKind
        yield {"kind": T.TOWNSHIP}, self.make(unit, kind=T.TOWNSHIP), self.make(unit, kind=T.DEPARTMENT)
        yield {"parent": unit.pk}, self.make(unit), UnitFactory()
        yield {"search": "湄江"}, self.make(unit, name="湄江街道"), self.make(unit, name="兴隆镇")
        yield {"name": "街道"}, self.make(unit, name="老城街道"), self.make(unit, name="深溪镇")


def test_path_is_parent_path_plus_own_segment(county_a):
    child = UnitFactory(parent=county_a)
    assert child.path == county_a.path + f"{child.pk:08d}/"
    assert child.depth == county_a.depth + 1


def test_subtree_is_one_query_at_any_depth(city, county_a, county_b):
    deep = county_a
    for _ in range(6):
        deep = UnitFactory(parent=deep)
    with CaptureQueriesContext(connection) as ctx:
        found = set(county_a.subtree().values_list("pk", flat=True))
    assert len(ctx.captured_queries) == 1
    assert deep.pk in found and county_a.pk in found and county_b.pk not in found


def test_moving_a_unit_moves_its_whole_subtree(county_a, county_b):
    town = UnitFactory(parent=county_a)
    village = UnitFactory(parent=town)
    town.parent = county_b
    town.save()
    village.refresh_from_db()
    assert village.path.startswith(county_b.path + f"{town.pk:08d}/")
    assert set(county_b.subtree()) == {county_b, town, village}
    assert set(county_a.subtree()) == {county_a}


def test_unit_cannot_move_under_its_own_descendant(county_a):
    town = UnitFactory(parent=county_a)
    county_a.parent = town
    with pytest.raises(ValidationError) as error:
        county_a.full_clean()
    assert "parent" in error.value.message_dict


def test_api_rejects_move_under_own_descendant_in_chinese(county_a, superuser, api):
    town = UnitFactory(parent=county_a)
    response = api.as_user(superuser).patch(
        reverse("unit-detail", args=[county_a.pk]), {"parent": town.pk}, format="json"
    )
    assert response.status_code == 400
    assert "下级单位" in str(response.data["parent"])
    county_a.refresh_from_db()
    assert not county_a.path.startswith(town.path)


def test_api_rejects_bad_region_code_naming_the_field(superuser, api):
    response = api.as_user(superuser).post(
        reverse("unit-list"), {"name": "某县", "kind": "county", "region_code": "99x"}, format="json"
    )
    assert response.status_code == 400
    assert "region_code" in response.data
    assert not Unit.objects.filter(name="某县").exists()


def test_api_rejects_unknown_kind(superuser, api):
    response = api.as_user(superuser).post(
        reverse("unit-list"), {"name": "某单位", "kind": "xx"}, format="json"
    )
    assert response.status_code == 400
    assert "kind" in response.data


def test_api_shows_code_labels(county_a, superuser, api):
    data = api.as_user(superuser).get(reverse("unit-detail", args=[county_a.pk])).data
    assert data["kind"] == "county"
    assert data["kind_display"] == "县（市、区）"


def test_tree_nests_children_sorted_and_respects_jurisdiction(city, county_a, county_b, api):
    second = UnitFactory(parent=county_a, name="乙镇", sort_order=2)
    first = UnitFactory(parent=county_a, name="甲镇", sort_order=1)
    user = UserFactory(perms=["orgportal.view_unit"], units=[county_a])
    with CaptureQueriesContext(connection) as ctx:
        tree = api.as_user(user).get(reverse("unit-tree")).data
    assert [node["id"] for node in tree] == [county_a.pk]
    assert [c["id"] for c in tree[0]["children"]] == [first.pk, second.pk]
    assert len(ctx.captured_queries) <= 4  # user, permissions, jurisdiction, the units


def test_tree_from_a_root(city, county_a, county_b, superuser, api):
    tree = api.as_user(superuser).get(reverse("unit-tree"), {"root": county_b.pk}).data
    assert [node["id"] for node in tree] == [county_b.pk]


def test_admin_change_records_acting_user_in_history(county_a, superuser, client):
    client.force_login(superuser)
    url = reverse("admin:orgportal_unit_change", args=[county_a.pk])
    response = client.post(
        url, {"name": "甲县（新名）", "kind": "county", "sort_order": 0, "parent": county_a.parent_id}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    county_a.refresh_from_db()
    assert county_a.name == "甲县（新名）"
    assert county_a.history.latest().history_user == superuser


def test_admin_rejects_move_under_own_descendant(county_a, superuser, client):
    town = UnitFactory(parent=county_a)
    client.force_login(superuser)
    url = reverse("admin:orgportal_unit_change", args=[county_a.pk])
    response = client.post(url, {"name": "甲县", "kind": "county", "sort_order": 0, "parent": town.pk})
    assert response.status_code == 200
    assert "不能把单位移到它自己或它的下级单位之下" in response.content.decode()


def test_admin_county_user_cannot_create_unit_outside_jurisdiction(county_a, county_b, client):
    user = UserFactory(perms=["orgportal.view_unit", "orgportal.add_unit"], units=[county_a])
    client.force_login(user)
    response = client.post(
        reverse("admin:orgportal_unit_add"),
        {"name": "越权镇", "kind": "township", "sort_order": 0, "parent": county_b.pk},
    )
    assert response.status_code == 200
    assert not Unit.objects.filter(name="越权镇").exists()


def test_admin_unit_tree_changelist_indents_by_depth(county_a, superuser, client):
    UnitFactory(parent=county_a, name="深溪镇")
    client.force_login(superuser)
    page = client.get(reverse("admin:orgportal_unit_changelist")).content.decode()
    assert "　　深溪镇" in page


class TestUnitAssignment(ModelContract):
    factory = UnitAssignmentFactory
    basename = "unitassignment"

    def create_payload(self, unit):
        return {"user": UserFactory().pk, "unit": unit.pk}

    def update_payload(self, obj):
        return {"unit": obj.unit_id}

    def filter_cases(self, unit):
        mine = self.make(unit)
        yield {"user": mine.user_id}, mine, self.make(unit)
