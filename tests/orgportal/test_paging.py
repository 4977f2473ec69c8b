"""Deep pages read keys first (orgportal.paging): the same rows in the same order as a plain
slice, one query for the keys selecting nothing else, the page's rows by those keys."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadres.models import Cadre
from orgportal.paging import KeysFirstPaginator, page_slice
from tests.factories import CadreFactory, UserFactory

pytestmark = pytest.mark.django_db
NAMES = ["王五", "李四", "张三", "王五", "赵六", "李四", "钱七"]  # ties broken by id


@pytest.fixture
def cadres(county_a):
    return [CadreFactory(unit=county_a, name=name) for name in NAMES]


def test_every_page_holds_the_rows_a_plain_slice_holds(cadres):
    ordered = Cadre.objects.with_warning_level().order_by("name", "id")
    expected = [c.pk for c in ordered]
    paginator = KeysFirstPaginator(ordered, 3)
    pages = [[c.pk for c in paginator.page(n).object_list] for n in paginator.page_range]
    assert pages == [expected[0:3], expected[3:6], expected[6:7]]
    assert [c.pk for c in page_slice(ordered, 2, 5)] == expected[2:5]


def test_past_the_first_page_the_offset_query_selects_only_the_keys(cadres):
    ordered = Cadre.objects.with_warning_level().order_by("name", "id")
    with CaptureQueriesContext(connection) as first:
        list(page_slice(ordered, 0, 3))
    with CaptureQueriesContext(connection) as later:
        rows = list(page_slice(ordered, 3, 6))
    assert len(first) == 1 and len(later) == 2
    keys_sql, rows_sql = (q["sql"] for q in later.captured_queries)
    assert (
        "OFFSET" in keys_sql
        and "warning" not in keys_sql.lower()
        and '"name"' not in keys_sql.split("FROM")[0]
    )
    assert "OFFSET" not in rows_sql and "IN (" in rows_sql
    assert all(hasattr(row, "warning_level") for row in rows)  # the annotations still come with the rows


def test_values_and_grouped_querysets_are_sliced_as_they_are(cadres):
    from django.db.models import Count

    rows = Cadre.objects.values("name").annotate(n=Count("id")).order_by("name")
    assert list(page_slice(rows, 1, 3)) == list(rows)[1:3]
    names = Cadre.objects.order_by("name", "id").values_list("name", flat=True)
    with CaptureQueriesContext(connection) as queries:
        assert list(page_slice(names, 2, 4)) == list(names)[2:4]
    assert len(queries) == 2  # the slice, and the whole list it is compared with


def test_the_api_and_the_admin_page_the_same_way(county_a, cadres, api, client, monkeypatch):
    user = UserFactory(perms=["cadres.view_cadre"], units=[county_a], is_staff=True)
    expected = list(Cadre.objects.order_by("unit__path", "name", "id").values_list("pk", flat=True))
    seen = []
    for page in (1, 2, 3, 4):
        response = api.as_user(user).get(reverse("cadre-list"), {"page_size": 2, "page": page})
        assert response.status_code == 200
        seen += [row["id"] for row in response.data["results"]]
    assert seen == expected
    client.force_login(user)
    changelist = reverse("admin:cadres_cadre_changelist")
    one_page = [obj.pk for obj in client.get(changelist).context["cl"].result_list]
    monkeypatch.setattr(admin.site._registry[Cadre], "list_per_page", 2)
    admin_seen = []
    for p in range(1, 5):
        admin_seen += [obj.pk for obj in client.get(changelist, {"p": p}).context["cl"].result_list]
    assert admin_seen == one_page and sorted(one_page) == sorted(expected)
