"""`?fields=a,b,c` on every list and detail (OrgViewSet): only those fields, masking kept, unknown
names a 400, and only the needed columns loaded."""

from importlib import import_module

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgportal import access
from orgportal.api import OrgViewSet, router
from tests.factories import CadreFactory, UserFactory, WarningFactory

PAYROLL = "id,name,gender,birth_date,id_number,unit,unit_name,post,level,rank,updated_at"


def reader(unit, sensitive=False):
    perms = ["cadres.view_cadre"] + ([access.VIEW_SENSITIVE] if sensitive else [])
    return UserFactory(perms=perms, units=[unit])


def test_list_returns_only_the_fields_asked_for(county_a, api):
    CadreFactory(unit=county_a)
    response = api.as_user(reader(county_a)).get(reverse("cadre-list"), {"fields": "id, name,unit_name"})
    assert response.status_code == 200
    assert set(response.data["results"][0]) == {"id", "name", "unit_name"}


def test_detail_returns_only_the_fields_asked_for(county_a, api):
    cadre = CadreFactory(unit=county_a)
    response = api.as_user(reader(county_a)).get(reverse("cadre-detail", args=[cadre.pk]), {"fields": "name"})
    assert response.data == {"name": cadre.name}


def test_a_selected_sensitive_field_stays_masked(county_a, api):
    cadre = CadreFactory(unit=county_a)
    masked = api.as_user(reader(county_a)).get(reverse("cadre-list"), {"fields": "id_number"})
    assert masked.data["results"][0]["id_number"] == access.mask(cadre.id_number)
    shown = api.as_user(reader(county_a, sensitive=True)).get(reverse("cadre-list"), {"fields": "id_number"})
    assert shown.data["results"][0]["id_number"] == cadre.id_number


def test_an_unknown_field_is_a_400_naming_it(county_a, api):
    response = api.as_user(reader(county_a)).get(reverse("cadre-list"), {"fields": "name,salary,bonus"})
    assert response.status_code == 400
    assert "salary" in str(response.data["fields"]) and "bonus" in str(response.data["fields"])


def test_restricted_list_loads_only_the_needed_columns(county_a, api):
    CadreFactory(unit=county_a)
    client = api.as_user(reader(county_a))
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("cadre-list"), {"fields": PAYROLL})
    main = [q["sql"] for q in captured if '"cadres_cadre"."birth_date"' in q["sql"] and "LIMIT" in q["sql"]]
    assert main, [q["sql"][:200] for q in captured]
    assert '"cadres_cadre"."form_text"' not in main[0]
    assert '"cadres_cadre"."expertise"' not in main[0]


@pytest.mark.parametrize("fields", [PAYROLL, "id,name,age,reminders"])
def test_restricted_list_has_constant_queries(county_a, api, fields):
    client = api.as_user(reader(county_a))

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("cadre-list"), {"fields": fields})
        assert response.status_code == 200, response.data
        return len(captured)

    CadreFactory(unit=county_a)
    count()
    one = count()
    for _ in range(20):
        CadreFactory(unit=county_a)
    assert count() == one


def model_viewsets():
    import_module(settings.ROOT_URLCONF)  # the apps register their routes when the URLconf loads
    return [
        (prefix, viewset)
        for prefix, viewset, _basename in router.registry
        if issubclass(viewset, OrgViewSet) and "(" not in prefix
    ]


@pytest.mark.parametrize("prefix,viewset", model_viewsets(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_resource_selects_fields(prefix, viewset, superuser, api):
    basename = router.get_default_basename(viewset)
    response = api.as_user(superuser).get(reverse(f"{basename}-list"), {"fields": "id,updated_at"})
    assert response.status_code == 200, response.data
    unknown = api.as_user(superuser).get(reverse(f"{basename}-list"), {"fields": "no_such_field"})
    assert unknown.status_code == 400


def test_restricted_list_still_filters_by_annotations(county_a, api):
    """Annotations are left out of the SELECT, not out of the query: a filter on one still works."""
    warned = CadreFactory(unit=county_a)
    WarningFactory(cadre=warned)
    CadreFactory(unit=county_a)
    response = api.as_user(reader(county_a)).get(
        reverse("cadre-list"), {"warning_level": "yellow", "fields": "id"}
    )
    assert response.status_code == 200, response.data
    assert [row["id"] for row in response.data["results"]] == [warned.pk]
