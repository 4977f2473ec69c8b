"""Incremental sync by time: every list takes `updated_since` and every record reads `updated_at`."""

import datetime
from importlib import import_module

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cadres.models import Cadre
from orgportal.api import OrgViewSet, SubtreeFilterSet, router
from orgportal.models import Unit
from tests.factories import CadreFactory, UserFactory


def model_viewsets():
    import_module(settings.ROOT_URLCONF)  # the apps register their routes when the URLconf loads
    return [
        (prefix, viewset)
        for prefix, viewset, _basename in router.registry
        if issubclass(viewset, OrgViewSet) and "(" not in prefix
    ]


@pytest.mark.parametrize("prefix,viewset", model_viewsets(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_list_filters_by_updated_since(prefix, viewset):
    assert issubclass(viewset.filterset_class, SubtreeFilterSet), prefix
    assert "updated_since" in viewset.filterset_class.base_filters, prefix


def test_updated_since_returns_what_changed_from_then_on(county_a, api):
    old, changed = CadreFactory(unit=county_a), CadreFactory(unit=county_a)
    then = timezone.now() - datetime.timedelta(hours=1)
    Cadre.objects.filter(pk=old.pk).update(updated_at=then - datetime.timedelta(days=1))
    Cadre.objects.filter(pk=changed.pk).update(updated_at=then - datetime.timedelta(days=1))
    changed.post = "新职务"
    changed.save()
    client = api.as_user(UserFactory(perms=["cadres.view_cadre"], units=[county_a]))
    response = client.get(
        reverse("cadre-list"), {"updated_since": then.isoformat(), "fields": "id,updated_at"}
    )
    assert response.status_code == 200, response.data
    assert [row["id"] for row in response.data["results"]] == [changed.pk]
    assert response.data["results"][0]["updated_at"]


def test_updated_since_takes_the_boundary_itself(county_a, api):
    cadre = CadreFactory(unit=county_a)
    client = api.as_user(UserFactory(perms=["cadres.view_cadre"], units=[county_a]))
    response = client.get(reverse("cadre-list"), {"updated_since": cadre.updated_at.isoformat()})
    assert [row["id"] for row in response.data["results"]] == [cadre.pk]


def test_updated_since_must_be_a_datetime(county_a, api):
    client = api.as_user(UserFactory(perms=["cadres.view_cadre"], units=[county_a]))
    response = client.get(reverse("cadre-list"), {"updated_since": "yesterday"})
    assert response.status_code == 400
    assert "updated_since" in response.data


def test_moving_a_unit_moves_the_updated_at_of_its_subtree(city, county_a):
    """Unit paths are rewritten with one UPDATE for the subtree: updated_at moves with them."""
    child = Unit.objects.create(name="乙镇", kind=county_a.kind, parent=county_a)
    before = Unit.objects.get(pk=child.pk).updated_at
    other = Unit.objects.create(name="丙县", kind=county_a.kind, parent=city)
    county_a.parent = other
    county_a.save()
    assert Unit.objects.get(pk=child.pk).updated_at > before


def test_ids_reads_the_records_a_feed_page_names(county_a, county_b, api):
    mine = [CadreFactory(unit=county_a) for _ in range(3)]
    outside = CadreFactory(unit=county_b)
    client = api.as_user(UserFactory(perms=["cadres.view_cadre"], units=[county_a]))
    wanted = f"{mine[0].pk},{mine[2].pk},{outside.pk},999999"
    response = client.get(reverse("cadre-list"), {"ids": wanted, "fields": "id"})
    assert sorted(row["id"] for row in response.data["results"]) == sorted([mine[0].pk, mine[2].pk])
