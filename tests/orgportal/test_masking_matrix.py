"""The masking matrix: every model with sensitive fields × every way in, for a user of the record's
own county without orgportal.view_sensitive — the stored values never appear (API list, detail and
its actions, admin list, change form, history and views of the record, roster exports, the
growth-dossier timeline and forms of the record's cadre, autocomplete), and searching for part of
a value finds nothing. The same user with view_sensitive sees them (the test can fail).

Models, ways in and factories are discovered as in test_jurisdiction_matrix.py.
"""

import pytest
from django.contrib.auth.models import Group
from django.db import models
from django.urls import reverse

from cadres.models import Cadre
from orgportal import access
from orgportal import rosters as roster_engine
from tests.contract import ModelContract, ids
from tests.factories import UserFactory
from tests.orgportal.test_jurisdiction_matrix import (
    admin_object_views,
    autocomplete_pairs,
    contract,
    detail_actions,
    label,
    model_admin,
    perm_objects,
    text_of,
    viewset_of,
)

pytestmark = pytest.mark.django_db

SENSITIVE = [m for m in access.domain_models() if getattr(m, "sensitive_fields", ())]


@pytest.fixture
def readers(county_a):
    """Two broad users of county A: without and with orgportal.view_sensitive."""
    users = {}
    for sensitive in (False, True):
        group = Group.objects.create(name=f"masking-{sensitive}")
        group.permissions.set(perm_objects(sensitive=sensitive))
        users[sensitive] = UserFactory(units=[county_a])
        users[sensitive].groups.add(group)
    return users


def with_secrets(model, unit):
    """A record of `model` in `unit` with every sensitive field filled with a value found nowhere
    else; returns it and the texts that must not be shown (a coded field: its label)."""
    obj = contract(model).make(unit)
    for name in model.sensitive_fields:
        field = model._meta.get_field(name)
        if (
            not field.choices
            and isinstance(field, models.CharField | models.TextField)
            and name != "id_number"
        ):
            setattr(obj, name, f"机密{name}内容{obj.pk}号"[: field.max_length or 100])
    obj.save()
    secrets = []
    for name in model.sensitive_fields:
        value = getattr(obj, name)
        assert value not in (None, ""), f"{label(model)}.{name}: the factory leaves it empty"
        field = model._meta.get_field(name)
        secrets.append(str(getattr(obj, f"get_{name}_display")()) if field.choices else str(value))
    return obj, secrets


def cadre_of(obj):
    """The cadre a record belongs to (along its jurisdiction path), if any."""
    if isinstance(obj, Cadre):
        return obj
    for part in (type(obj).jurisdiction or "").split("__")[:-1]:
        obj = getattr(obj, part, None)
        if isinstance(obj, Cadre):
            return obj
    return None


def ways_in(obj, user, api, client) -> dict[str, object]:
    """Every response showing `obj` to `user`: name → response."""
    model = type(obj)
    kit = contract(model)
    api.as_user(user)
    client.force_login(user)
    shown = {
        "api list": api.get(kit.list_url(), {"page_size": 500}),
        "api detail": api.get(kit.detail_url(obj)),
        "admin list": client.get(kit.admin_url("changelist")),
        "admin change": client.get(kit.admin_url("change", obj.pk)),
        "admin history": client.get(kit.admin_url("history", obj.pk)),
    }
    for roster in roster_engine.for_model(model):
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_roster_export", args=[roster.name])
        shown[f"admin export {roster.name}"] = client.get(url)
        found = viewset_of(model)
        if found and getattr(found[1], "roster", None):
            shown[f"api export {roster.name}"] = api.get(
                kit.list_url(), {"format": "xlsx", "roster": roster.name}
            )
    records = [obj] + ([cadre_of(obj)] if cadre_of(obj) not in (None, obj) else [])
    for record in records:
        for name, method, _action in detail_actions(type(record)):
            if method == "get":
                shown[f"api {name}"] = api.get(reverse(name, args=[record.pk]))
        for name in admin_object_views(type(record)):
            shown[f"admin {name}"] = client.get(reverse(f"admin:{name}", args=[record.pk]))
    for source, field in autocomplete_pairs():
        if source._meta.get_field(field).remote_field.model is model:
            params = {"app_label": source._meta.app_label, "model_name": source._meta.model_name}
            shown[f"autocomplete {label(source)}.{field}"] = client.get(
                reverse("admin:autocomplete"), {**params, "field_name": field}
            )
            break
    return shown


@pytest.mark.parametrize("model", SENSITIVE, ids=label)
def test_sensitive_values_never_appear_without_the_permission(model, county_a, readers, api, client):
    obj, secrets = with_secrets(model, county_a)
    checked = 0
    for way, response in ways_in(obj, ModelContract.fresh(readers[False]), api, client).items():
        if response.status_code != 200:  # refused to this user (e.g. the .lrmx needs view_sensitive)
            continue
        text = text_of(response)
        for secret in secrets:
            assert secret not in text, f"{label(model)}: {way} shows {secret}"
        checked += 1
    assert checked >= 5
    full = api.as_user(ModelContract.fresh(readers[True])).get(contract(model).detail_url(obj))
    assert all(secret in text_of(full) for secret in secrets)


def probes(secret: str) -> list[str]:
    """Parts of a value someone might search for to guess it."""
    middle = secret[len(secret) // 4 : -(len(secret) // 4) or None]
    return [p for p in {secret[:6], middle, secret[-4:]} if len(p) >= 2]


@pytest.mark.parametrize("model", SENSITIVE, ids=label)
def test_searching_for_part_of_a_masked_value_finds_nothing(model, county_a, readers, api, client):
    obj, _secrets = with_secrets(model, county_a)
    kit = contract(model)
    site_admin = model_admin(model)
    searchable = [
        n for n in model.sensitive_fields if n in {f.lstrip("^=@") for f in site_admin.search_fields}
    ]
    if not searchable:
        pytest.skip(f"{label(model)}: no sensitive field is searched")
    plain = ModelContract.fresh(readers[False])
    client.force_login(plain)
    for name in searchable:
        for probe in probes(str(getattr(obj, name))):
            assert obj.pk not in ids(api.as_user(plain).get(kit.list_url(), {"search": probe})), (name, probe)
            page = client.get(kit.admin_url("changelist"), {"q": probe}).content.decode()
            assert kit.admin_url("change", obj.pk) not in page, (name, probe)
    # with the permission, part of the value finds the record (the probes are real searches)
    full = ModelContract.fresh(readers[True])
    found = ids(api.as_user(full).get(kit.list_url(), {"search": str(getattr(obj, searchable[0]))[-6:]}))
    assert obj.pk in found


def test_every_model_with_sensitive_fields_is_in_the_matrix():
    assert {label(m) for m in SENSITIVE} >= {"cadres.Cadre", "cadres.Sanction", "talent.Talent"}
    print(
        f"masking matrix: {len(SENSITIVE)} models, {sum(len(m.sensitive_fields) for m in SENSITIVE)} fields"
    )
