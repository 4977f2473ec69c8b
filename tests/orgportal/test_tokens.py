"""API clients: tokens of system accounts (hashed, shown once, expiring, revocable, last use written
at most once a minute), what the account's permissions and units allow, and rate limits (429)."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from orgportal import tokens
from orgportal.models import ApiToken
from tests.contract import ModelContract, ids
from tests.factories import ApiTokenFactory, SystemUserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()  # throttle counters live in the cache
    yield
    cache.clear()


def system_client(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_authenticates_as_its_system_account_within_its_units(county_a, county_b):
    account = SystemUserFactory(perms=["orgportal.view_unit"], units=[county_a])
    _token, key = tokens.create_token(account, "人社系统")
    response = system_client(key).get(reverse("unit-list"))
    assert response.status_code == 200
    assert ids(response) == {county_a.pk}  # its unit assignments scope it, as for staff


def test_its_groups_and_permissions_decide_what_it_may_write(county_a):
    account = SystemUserFactory(perms=["orgportal.view_unit"], units=[county_a])
    _token, key = tokens.create_token(account, "人社系统")
    payload = {"name": "新单位", "kind": county_a.kind, "parent": county_a.pk}
    assert system_client(key).post(reverse("unit-list"), payload, format="json").status_code == 403
    account.groups.add(Group.objects.get(name="县区组织部"))  # add/change units
    assert system_client(key).post(reverse("unit-list"), payload, format="json").status_code == 201


def test_only_the_hash_is_stored_and_the_key_is_shown_once(county_a):
    token, key = tokens.create_token(SystemUserFactory(), "人社系统")
    stored = ApiToken.objects.get(pk=token.pk)
    assert key not in {stored.key_hash, stored.prefix, stored.name}
    assert stored.key_hash == tokens.hash_key(key) and stored.prefix == key[:8]
    assert len(key) == tokens.KEY_LENGTH


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"revoked_at": timezone.now()}, "吊销"),
        ({"expires_at": timezone.now() - datetime.timedelta(seconds=1)}, "过期"),
    ],
)
def test_a_revoked_or_expired_token_is_refused(change, message):
    token = ApiTokenFactory(**change)
    response = system_client(token.key).get(reverse("unit-list"))
    assert response.status_code == 403  # 403, not 401: session authentication comes first
    assert message in response.data["detail"]


def test_an_unknown_key_is_refused():
    ApiTokenFactory()
    assert system_client("x" * 40).get(reverse("unit-list")).status_code == 403


def test_a_token_of_an_inactive_account_is_refused():
    token = ApiTokenFactory()
    token.user.is_active = False
    token.user.save()
    assert system_client(token.key).get(reverse("unit-list")).status_code == 403


def test_a_token_belongs_only_to_a_system_account():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        tokens.create_token(UserFactory(), "某系统")


def test_last_use_is_written_at_most_once_a_minute(county_a):
    token = ApiTokenFactory(user=SystemUserFactory(perms=["orgportal.view_unit"], units=[county_a]))
    client = system_client(token.key)
    client.get(reverse("unit-list"))
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("unit-list"))
    assert not [q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(seconds=61))
    client.get(reverse("unit-list"))
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_revoking_in_the_admin(client):
    token = ApiTokenFactory()
    client.force_login(UserFactory(is_superuser=True))
    changelist = reverse("admin:orgportal_apitoken_changelist")
    page = client.get(changelist).content.decode()
    assert token.name in page and token.prefix in page
    client.post(changelist, {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert system_client(token.key).get(reverse("unit-list")).status_code == 403
    assert token.history.count() == 2  # created, revoked


def test_creating_in_the_admin_shows_the_key_once(client):
    account = SystemUserFactory()
    client.force_login(UserFactory(is_superuser=True))
    response = client.post(
        reverse("admin:orgportal_apitoken_add"), {"user": account.pk, "name": "组织系统"}, follow=True
    )
    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    key = next(part for m in shown for part in m.split("<code>")[1:]).split("</code>")[0]
    assert tokens.hash_key(key) == token.key_hash
    assert key not in client.get(reverse("admin:orgportal_apitoken_change", args=[token.pk])).content.decode()


def test_the_admin_offers_only_system_accounts(client):
    account, staff = SystemUserFactory(), UserFactory(username="staff_member")
    client.force_login(UserFactory(is_superuser=True))
    page = client.get(reverse("admin:orgportal_apitoken_add")).content.decode()
    assert account.username in page and staff.username not in page


def test_create_api_token_command_prints_the_key():
    account = SystemUserFactory(username="hr_sync")
    out = io.StringIO()
    call_command("create_api_token", "hr_sync", "人社系统", "--days", "30", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get(user=account)
    assert tokens.hash_key(key) == token.key_hash
    assert token.expires_at.date() == (timezone.now() + datetime.timedelta(days=30)).date()


def test_create_api_token_command_makes_a_system_account_only_when_asked():
    UserFactory(username="someone")
    with pytest.raises(CommandError, match="系统账号"):
        call_command("create_api_token", "someone", "x", stdout=io.StringIO())
    call_command("create_api_token", "new_system", "x", "--create", stdout=io.StringIO())
    assert tokens.is_system_account(ApiToken.objects.get().user)


# --- rate limits ---------------------------------------------------------------------------------
def test_a_token_over_its_rate_gets_429_with_retry_after(county_a):
    token = ApiTokenFactory(user=SystemUserFactory(perms=["orgportal.view_unit"], units=[county_a]))
    client = system_client(token.key)
    with override_settings(ORGPORTAL_API_RATES={"token": "3/min", "user": "1000/min"}):
        statuses = [client.get(reverse("unit-list")).status_code for _ in range(3)]
        refused = client.get(reverse("unit-list"))
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60


def test_each_token_has_its_own_count(county_a):
    account = SystemUserFactory(perms=["orgportal.view_unit"], units=[county_a])
    first, second = ApiTokenFactory(user=account), ApiTokenFactory(user=account)
    with override_settings(ORGPORTAL_API_RATES={"token": "2/min", "user": "1000/min"}):
        for _ in range(2):
            system_client(first.key).get(reverse("unit-list"))
        assert system_client(first.key).get(reverse("unit-list")).status_code == 429
        assert system_client(second.key).get(reverse("unit-list")).status_code == 200


def test_a_user_over_the_user_rate_gets_429(county_a, api):
    client = api.as_user(UserFactory(perms=["orgportal.view_unit"], units=[county_a]))
    with override_settings(ORGPORTAL_API_RATES={"token": "1000/min", "user": "2/min"}):
        assert [client.get(reverse("unit-list")).status_code for _ in range(3)] == [200, 200, 429]


def test_session_login_for_the_api_is_refused_to_system_accounts(client):
    account = SystemUserFactory(username="hr_sync")
    account.set_password("OrgPortal-2026")
    account.save()
    response = client.post(reverse("admin:login"), {"username": "hr_sync", "password": "OrgPortal-2026"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


# --- the contract every kernel model keeps (read-only API) ---------------------------------------
class TestApiToken(ModelContract):
    factory = ApiTokenFactory
    basename = "apitoken"
    updatable = False

    def create_payload(self, unit):
        return {"user": SystemUserFactory().pk, "name": "经 API 创建"}

    def update_payload(self, obj):
        return {"name": "改名"}

    def filter_cases(self, unit):
        one, other = ApiTokenFactory(), ApiTokenFactory()
        yield {"user": one.user_id}, one, other

    def test_api_create_records_history_with_acting_user(self, county_a, api):
        user = self.staff(county_a, "view", "add")
        assert api.as_user(user).post(self.list_url(), self.create_payload(county_a)).status_code == 405

    def test_api_create_requires_add_permission(self, county_a, api):
        assert api.as_user(self.staff(county_a, "view")).post(self.list_url(), {}).status_code == 403
        assert not ApiToken.objects.exists()

    def test_api_rejects_malformed_json(self, county_a, api):
        user = self.staff(county_a, "view", "add")
        response = api.as_user(user).post(self.list_url(), "{not json", content_type="application/json")
        assert response.status_code == 405  # tokens are created in the admin or by the command only

    def test_the_key_hash_is_never_listed(self, api):
        ApiTokenFactory()
        row = api.as_user(UserFactory(is_superuser=True)).get(self.list_url()).data["results"][0]
        assert "key_hash" not in row and "key" not in row
