"""The audit log: every view of unmasked sensitive fields (admin change form and list, API detail and
list: one row per record or per page, in one INSERT), logins and logouts, and the audit admin —
for auditors only, never editable there (nor the export log)."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgportal import access
from orgportal.models import AuditEvent
from tests.contract import ModelContract
from tests.factories import AuditEventFactory, CadreFactory, ExportLogFactory, UserFactory
from tests.testapp.factories import SpecimenFactory

pytestmark = pytest.mark.django_db

SPECIMEN = "testapp.specimen"
Kind = AuditEvent.Kind


def viewer(unit, *, sensitive=True):
    perms = ["testapp.view_specimen", "cadres.view_cadre"] + ([access.VIEW_SENSITIVE] if sensitive else [])
    return UserFactory(perms=perms, units=[unit])


def views():
    return list(AuditEvent.objects.filter(kind=Kind.SENSITIVE_VIEW).order_by("id"))


# --- views of sensitive fields --------------------------------------------------------------------
def test_an_admin_change_form_shown_unmasked_is_one_row(county_a, client):
    specimen = SpecimenFactory(unit=county_a)
    user = viewer(county_a)
    client.force_login(user)
    response = client.get(reverse("admin:testapp_specimen_change", args=[specimen.pk]))
    assert specimen.id_number in response.content.decode()
    [event] = views()
    assert (event.user, event.model, event.object_ids, event.channel) == (
        user,
        SPECIMEN,
        str(specimen.pk),
        "admin",
    )
    assert event.path == reverse("admin:testapp_specimen_change", args=[specimen.pk])


def test_a_user_who_sees_masked_values_is_not_logged(county_a, client, api):
    specimen = SpecimenFactory(unit=county_a)
    user = viewer(county_a, sensitive=False)
    client.force_login(user)
    client.get(reverse("admin:testapp_specimen_change", args=[specimen.pk]))
    client.get(reverse("admin:testapp_specimen_changelist"))
    api.as_user(user).get(reverse("specimen-detail", args=[specimen.pk]))
    api.as_user(user).get(reverse("specimen-list"))
    assert views() == []


def test_an_admin_list_page_is_one_row_with_every_id(county_a, client):
    shown = [SpecimenFactory(unit=county_a) for _ in range(3)]
    client.force_login(viewer(county_a))
    client.get(reverse("admin:testapp_specimen_changelist"))
    [event] = views()
    assert set(event.object_ids.split(",")) == {str(s.pk) for s in shown}


def test_an_api_detail_is_one_row(county_a, api):
    specimen = SpecimenFactory(unit=county_a)
    user = viewer(county_a)
    assert api.as_user(user).get(reverse("specimen-detail", args=[specimen.pk])).status_code == 200
    [event] = views()
    assert (event.user, event.object_ids, event.channel) == (user, str(specimen.pk), "api")


def test_an_api_list_page_is_one_row_with_that_page_s_ids(county_a, api):
    specimens = [SpecimenFactory(unit=county_a) for _ in range(3)]
    client = api.as_user(viewer(county_a))
    client.get(reverse("specimen-list"), {"page_size": 2, "ordering": "id"})
    client.get(reverse("specimen-list"), {"page_size": 2, "ordering": "id", "page": 2})
    first, second = views()
    assert first.object_ids == f"{specimens[0].pk},{specimens[1].pk}"
    assert second.object_ids == str(specimens[2].pk)


def test_a_list_without_its_sensitive_fields_is_not_logged(county_a, api):
    SpecimenFactory(unit=county_a)
    response = api.as_user(viewer(county_a)).get(reverse("specimen-list"), {"fields": "id,name"})
    assert response.status_code == 200
    assert views() == []


def test_an_empty_page_writes_nothing(county_a, api):
    api.as_user(viewer(county_a)).get(reverse("specimen-list"))
    assert views() == []


def count_queries(fetch) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert fetch().status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("way", ["api", "admin"])
def test_logging_a_page_costs_the_same_at_one_row_and_at_twenty(county_a, client, api, way):
    user = viewer(county_a)
    client.force_login(user)
    if way == "api":
        fetch = lambda: api.as_user(ModelContract.fresh(user)).get(reverse("specimen-list"))  # noqa: E731
    else:
        fetch = lambda: client.get(reverse("admin:testapp_specimen_changelist"))  # noqa: E731
    SpecimenFactory(unit=county_a)
    one = count_queries(fetch)
    SpecimenFactory.create_batch(19, unit=county_a)
    twenty = count_queries(fetch)
    assert one == twenty
    assert [len(e.object_ids.split(",")) for e in views()] == [1, 20]


def test_a_cadre_s_page_in_the_admin_and_the_api_is_logged(county_a, client, api):
    cadre = CadreFactory(unit=county_a)
    user = viewer(county_a)
    client.force_login(user)
    assert client.get(reverse("admin:cadres_cadre_change", args=[cadre.pk])).status_code == 200
    assert client.get(reverse("admin:cadres_cadre_changelist")).status_code == 200
    assert api.as_user(user).get(reverse("cadre-detail", args=[cadre.pk])).status_code == 200
    assert [(e.model, e.channel, e.object_ids) for e in views()] == [
        ("cadres.cadre", c, str(cadre.pk)) for c in ("admin", "admin", "api")
    ]


# --- logins and logouts ------------------------------------------------------------------------
def test_logout_is_logged(client):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("admin:logout"))
    assert AuditEvent.objects.filter(kind=Kind.LOGOUT, user=user).exists()


def test_a_failed_login_keeps_the_username_tried(client):
    client.post(reverse("admin:login"), {"username": "nobody", "password": "x"}, REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(kind=Kind.LOGIN_FAILED)
    assert (event.user, event.username, event.ip_address) == (None, "nobody", "10.1.2.3")


# --- who reads the log, and that nobody edits it -----------------------------------------------
def auditor():
    user = UserFactory()
    user.groups.add(Group.objects.get(name="审计"))
    return user


@pytest.mark.parametrize("model", ["auditevent", "exportlog"])
def test_auditors_browse_and_filter_the_logs(client, model):
    AuditEventFactory(kind=Kind.LOGIN, username="zhang")
    ExportLogFactory()
    client.force_login(auditor())
    url = reverse(f"admin:orgportal_{model}_changelist")
    assert client.get(url).status_code == 200
    if model == "auditevent":
        filtered = client.get(url, {"kind__exact": "login", "q": "zhang"})
        assert filtered.context["cl"].result_count == 1
        assert client.get(url, {"kind__exact": "lockout"}).context["cl"].result_count == 0
        assert client.get(url, {"created_at__year": "2000"}).context["cl"].result_count == 0


@pytest.mark.parametrize("model", ["auditevent", "exportlog"])
def test_staff_without_the_audit_permission_see_no_log(client, city, model):
    client.force_login(UserFactory(perms=["orgportal.view_unit", "orgportal.view_exportlog"], units=[city]))
    assert client.get(reverse(f"admin:orgportal_{model}_changelist")).status_code == 403


@pytest.mark.parametrize("model", ["auditevent", "exportlog"])
def test_not_even_a_superuser_adds_edits_or_deletes_a_log_row(client, model):
    row = AuditEventFactory() if model == "auditevent" else ExportLogFactory()
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(reverse(f"admin:orgportal_{model}_add")).status_code == 403
    assert client.get(reverse(f"admin:orgportal_{model}_delete", args=[row.pk])).status_code == 403
    change = client.post(reverse(f"admin:orgportal_{model}_change", args=[row.pk]), {"username": "x"})
    assert change.status_code == 403
    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", ["auditevent", "exportlog"])
def test_the_api_lists_the_logs_to_auditors_only(api, city, model):
    AuditEventFactory()
    ExportLogFactory()
    assert api.as_user(auditor()).get(reverse(f"{model}-list")).status_code == 200
    staff = UserFactory(perms=[f"orgportal.view_{model}"], units=[city])
    assert api.as_user(staff).get(reverse(f"{model}-list")).status_code == 403


class TestAuditEvent(ModelContract):
    """The kernel contract, for a log that is only read through the API."""

    factory = AuditEventFactory
    basename = "auditevent"
    updatable = False

    def staff(self, unit, *actions, sensitive=False, **kwargs):
        user = super().staff(unit, *actions, sensitive=sensitive, **kwargs)
        if "view" in (actions or ("view",)):
            user.groups.add(Group.objects.get(name="审计"))
        return user

    def create_payload(self, unit):
        return {"kind": "login", "username": "x"}

    def update_payload(self, obj):
        return {"username": "y"}

    def filter_cases(self, unit):
        yield {"kind": "login"}, AuditEventFactory(kind=Kind.LOGIN), AuditEventFactory(kind=Kind.LOGOUT)

    def test_api_list_requires_view_permission(self, county_a, api):
        AuditEventFactory()
        assert api.as_user(UserFactory(units=[county_a])).get(self.list_url()).status_code == 403

    def test_api_create_records_history_with_acting_user(self, county_a, api):
        response = api.as_user(self.staff(county_a, "view", "add")).post(self.list_url(), {})
        assert response.status_code == 405  # written by orgportal.audit only

    def test_api_create_requires_add_permission(self, county_a, api):
        assert api.as_user(self.staff(county_a, "view")).post(self.list_url(), {}).status_code == 403
        assert not AuditEvent.objects.filter(username="x").exists()

    def test_api_rejects_malformed_json(self, county_a, api):
        user = self.staff(county_a, "view", "add")
        response = api.as_user(user).post(self.list_url(), "{not json", content_type="application/json")
        assert response.status_code == 405

    def test_api_update_requires_change_permission(self, county_a, api):
        obj = self.make(county_a)
        response = api.as_user(self.staff(county_a, "view")).patch(self.detail_url(obj), {"username": "y"})
        assert response.status_code == 403
