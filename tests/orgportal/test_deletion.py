"""Deletion: cadres, talents and enrolments end by a status change; ordinary staff — even with the
delete permission — cannot delete them in the admin or the API. Superusers (and holders of
orgportal.hard_delete) can, and a deleted record's history stays browsable."""

import pytest
from django.urls import reverse

from orgportal import access
from tests.contract import ModelContract
from tests.factories import CadreFactory, EnrolmentFactory, RewardFactory, TalentFactory, UserFactory

pytestmark = pytest.mark.django_db

KEPT = [  # (factory, API basename, how a record reaches its unit)
    (CadreFactory, "cadre", "unit"),
    (TalentFactory, "talent", "unit"),
    (EnrolmentFactory, "enrolment", "cadre__unit"),
]


def make(factory, placing, unit):
    return factory(**{placing: unit})


def staff(model, unit, *extra):
    meta = model._meta
    perms = [f"{meta.app_label}.{action}_{meta.model_name}" for action in ("view", "change", "delete")]
    return ModelContract.fresh(UserFactory(perms=[*perms, *extra], units=[unit]))


def admin_url(model, view, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def test_the_models_declare_it():
    assert [f._meta.model.hard_delete for f, _b, _p in KEPT] == [False, False, False]


@pytest.mark.parametrize(("factory", "basename", "placing"), KEPT, ids=lambda v: getattr(v, "__name__", v))
def test_staff_cannot_delete_through_the_api(factory, basename, placing, county_a, api):
    obj = make(factory, placing, county_a)
    response = api.as_user(staff(type(obj), county_a)).delete(reverse(f"{basename}-detail", args=[obj.pk]))
    assert response.status_code == 403
    assert "不能删除" in str(response.data["detail"])
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize(("factory", "basename", "placing"), KEPT, ids=lambda v: getattr(v, "__name__", v))
def test_staff_cannot_delete_in_the_admin(factory, basename, placing, county_a, client):
    obj = make(factory, placing, county_a)
    model = type(obj)
    client.force_login(staff(model, county_a))
    assert client.get(admin_url(model, "delete", obj.pk)).status_code == 403
    assert client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    changelist = client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.content.decode()  # no bulk delete either
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize(("factory", "basename", "placing"), KEPT, ids=lambda v: getattr(v, "__name__", v))
def test_a_superuser_deletes_and_the_history_stays_browsable(
    factory, basename, placing, county_a, api, client
):
    obj = make(factory, placing, county_a)
    model, pk = type(obj), obj.pk
    superuser = UserFactory(is_superuser=True)
    assert api.as_user(superuser).delete(reverse(f"{basename}-detail", args=[pk])).status_code == 204
    assert not model.objects.filter(pk=pk).exists()
    deletion = model.history.filter(id=pk).latest()
    assert deletion.history_type == "-" and deletion.history_user == superuser
    client.force_login(superuser)
    page = client.get(admin_url(model, "history", pk))
    assert page.status_code == 200
    assert "已删除" in page.content.decode() or "Deleted" in page.content.decode()
    version = client.get(admin_url(model, "simple_history", pk, deletion.history_id))
    assert version.status_code == 200  # the record as it was, read-only (revert is disabled)


def test_the_hard_delete_permission_allows_it_without_being_superuser(county_a, api):
    cadre = CadreFactory(unit=county_a)
    user = staff(type(cadre), county_a, access.HARD_DELETE)
    assert api.as_user(user).delete(reverse("cadre-detail", args=[cadre.pk])).status_code == 204


def test_records_without_the_declaration_are_deleted_as_before(county_a, api):
    reward = RewardFactory(cadre__unit=county_a)
    user = staff(type(reward), county_a)
    assert api.as_user(user).delete(reverse("reward-detail", args=[reward.pk])).status_code == 204
