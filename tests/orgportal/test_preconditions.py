"""Versions in the API: a read answers the record's ETag; a write or delete that sends it back as
If-Match is refused with 412 when the record changed since that read, and applies otherwise."""

import datetime

import pytest
from django.urls import reverse

from cadres.models import Cadre
from orgportal.api import etag_of
from tests.factories import CadreFactory, UserFactory

WRITER = ["cadres.view_cadre", "cadres.change_cadre", "cadres.delete_cadre"]


@pytest.fixture
def writer(county_a):
    return UserFactory(perms=WRITER, units=[county_a])


def detail(cadre):
    return reverse("cadre-detail", args=[cadre.pk])


def test_the_etag_is_the_version_in_microseconds():
    stamp = datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC)
    assert etag_of(stamp) == '"1767323045678901"'
    assert etag_of(stamp + datetime.timedelta(microseconds=1)) == '"1767323045678902"'
    assert etag_of(None) is None


def test_a_read_answers_the_etag_of_the_stored_version(county_a, writer, api):
    cadre = CadreFactory(unit=county_a)
    response = api.as_user(writer).get(detail(cadre))
    assert response.status_code == 200
    assert response["ETag"] == etag_of(Cadre.objects.get(pk=cadre.pk).updated_at)
    listed = api.get(reverse("cadre-list"))
    assert "ETag" not in listed  # a list has no one version


def test_a_write_with_a_stale_if_match_is_refused_and_nothing_changes(county_a, writer, api):
    cadre = CadreFactory(unit=county_a, post="科员")
    client = api.as_user(writer)
    read = client.get(detail(cadre))["ETag"]
    # someone else saves the record after this client read it
    cadre.post = "副科长"
    cadre.save()
    response = client.patch(detail(cadre), {"post": "科长"}, format="json", HTTP_IF_MATCH=read)
    assert response.status_code == 412, response.data
    assert "If-Match" in str(response.data["detail"])
    assert Cadre.objects.get(pk=cadre.pk).post == "副科长"
    # cadres are not hard-deleted by staff: that refusal comes before the version is compared
    assert client.delete(detail(cadre), HTTP_IF_MATCH=read).status_code == 403
    assert Cadre.objects.filter(pk=cadre.pk).exists()


def test_a_write_with_the_current_if_match_applies_and_answers_the_new_etag(county_a, writer, api):
    cadre = CadreFactory(unit=county_a, post="科员")
    client = api.as_user(writer)
    read = client.get(detail(cadre))["ETag"]
    response = client.patch(detail(cadre), {"post": "科长"}, format="json", HTTP_IF_MATCH=f'W/"0", {read}')
    assert response.status_code == 200, response.data
    stored = Cadre.objects.get(pk=cadre.pk)
    assert stored.post == "科长"
    assert response["ETag"] == etag_of(stored.updated_at) != read
    # the old tag is stale now; `*` and no header at all are no precondition
    assert client.patch(detail(cadre), {"post": "处长"}, format="json", HTTP_IF_MATCH=read).status_code == 412
    assert client.patch(detail(cadre), {"post": "处长"}, format="json", HTTP_IF_MATCH="*").status_code == 200
    assert client.patch(detail(cadre), {"post": "调研员"}, format="json").status_code == 200


def test_a_read_with_fields_answers_the_etag_without_another_query(county_a, writer, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cadre = CadreFactory(unit=county_a)
    client = api.as_user(writer)
    client.get(detail(cadre))  # warm the user's caches
    with CaptureQueriesContext(connection) as full:
        whole = client.get(detail(cadre))
    with CaptureQueriesContext(connection) as narrow:
        named = client.get(detail(cadre), {"fields": "name"})
    assert named.data == {"name": cadre.name}
    assert named["ETag"] == whole["ETag"] == etag_of(Cadre.objects.get(pk=cadre.pk).updated_at)
    assert len(narrow) <= len(full)
    loaded = [q["sql"] for q in narrow.captured_queries if '"cadres_cadre"."name"' in q["sql"]]
    assert len(loaded) == 1 and "updated_at" in loaded[0]  # the version came with the one read


def test_a_stale_if_match_is_412_before_the_body_is_validated(county_a, writer, api):
    cadre = CadreFactory(unit=county_a)
    client = api.as_user(writer)
    read = client.get(detail(cadre))["ETag"]
    cadre.post = "副科长"
    cadre.save()
    bad_body = {"gender": "不是性别代码"}
    assert client.patch(detail(cadre), bad_body, format="json", HTTP_IF_MATCH=read).status_code == 412
    assert client.patch(detail(cadre), bad_body, format="json").status_code == 400


def test_a_weak_tag_never_matches(county_a, writer, api):
    cadre = CadreFactory(unit=county_a)
    client = api.as_user(writer)
    read = client.get(detail(cadre))["ETag"]
    response = client.patch(detail(cadre), {"post": "科长"}, format="json", HTTP_IF_MATCH=f"W/{read}")
    assert response.status_code == 412


def test_a_delete_with_a_stale_if_match_is_refused(county_a, superuser, api):
    from tests.factories import ResumeEntryFactory

    entry = ResumeEntryFactory(cadre=CadreFactory(unit=county_a))
    url = reverse("resumeentry-detail", args=[entry.pk])
    client = api.as_user(superuser)
    read = client.get(url)["ETag"]
    entry.text = "改过"
    entry.save()
    assert client.delete(url, HTTP_IF_MATCH=read).status_code == 412
    assert type(entry).objects.filter(pk=entry.pk).exists()
    current = client.get(url)["ETag"]
    assert client.delete(url, HTTP_IF_MATCH=current).status_code == 204


def test_the_schema_documents_the_etag_and_if_match(api, superuser):
    schema = api.as_user(superuser).get("/api/schema/", {"format": "json"}).json()
    path = schema["paths"]["/api/v1/cadres/{id}/"]
    assert "ETag" in path["get"]["responses"]["200"]["headers"]
    assert "ETag" in path["patch"]["responses"]["200"]["headers"]
    for method in ("put", "patch", "delete"):
        assert any(p["name"] == "If-Match" and p["in"] == "header" for p in path[method]["parameters"])
        assert "412" in path[method]["responses"]
    assert "412" not in path["get"]["responses"]
