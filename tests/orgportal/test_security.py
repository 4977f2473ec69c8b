"""Logins: lockout per username and per address (django-axes), unlocking from the admin, password
validators, session expiry, system accounts never logging in with a password, the admin's URL."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from orgportal.demo import DEMO_PASSWORD
from orgportal.models import AuditEvent
from tests.factories import SystemUserFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("limit_three")]


@pytest.fixture
def limit_three():
    with override_settings(AXES_FAILURE_LIMIT=3):
        yield


def login(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and response.url == reverse("admin:index")


def test_a_correct_login_succeeds_and_is_audited(client):
    user = UserFactory(username="zhang")
    assert logged_in(login(client, "zhang", DEMO_PASSWORD))
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN)
    assert (event.user, event.ip_address, event.channel) == (user, "10.0.0.1", "admin")


def test_a_user_added_in_the_admin_logs_in_at_once(client):
    """Adding a staff user is all it takes: no 工作人员状态 to tick by hand afterwards."""
    client.force_login(UserFactory(username="root", is_superuser=True))
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "li",
            "password1": DEMO_PASSWORD,
            "password2": DEMO_PASSWORD,
            "usable_password": "true",
            "unit_assignments-TOTAL_FORMS": "0",
            "unit_assignments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    assert logged_in(login(client, "li", DEMO_PASSWORD))


def test_repeated_failures_lock_the_username_even_with_the_right_password(client):
    UserFactory(username="zhang")
    for _ in range(2):
        assert login(client, "zhang", "wrong").status_code == 200  # the form again, with its error
    assert login(client, "zhang", "wrong").status_code == 429  # the third failure locks
    response = login(client, "zhang", DEMO_PASSWORD)
    assert response.status_code == 429
    assert "已被锁定" in response.content.decode()
    kinds = list(AuditEvent.objects.values_list("kind", flat=True))
    assert kinds.count(AuditEvent.Kind.LOGIN_FAILED) >= 3
    assert AuditEvent.Kind.LOCKOUT in kinds
    assert AuditEvent.Kind.LOGIN not in kinds


def test_the_username_is_locked_from_any_address(client):
    UserFactory(username="zhang")
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        login(client, "zhang", "wrong", ip=ip)
    assert login(client, "zhang", DEMO_PASSWORD, ip="10.0.0.9").status_code == 429


def test_an_address_is_locked_for_any_username(client):
    UserFactory(username="li")
    for name in ("a", "b", "c"):
        login(client, name, "wrong", ip="10.0.0.7")
    assert login(client, "li", DEMO_PASSWORD, ip="10.0.0.7").status_code == 429
    assert logged_in(login(client, "li", DEMO_PASSWORD, ip="10.0.0.8"))


def test_fewer_failures_than_the_limit_do_not_lock(client):
    UserFactory(username="zhang")
    for _ in range(2):
        login(client, "zhang", "wrong")
    assert logged_in(login(client, "zhang", DEMO_PASSWORD))


def test_an_administrator_unlocks_from_the_admin(client):
    UserFactory(username="zhang")
    for _ in range(3):
        login(client, "zhang", "wrong")
    assert AccessAttempt.objects.exists()
    admin_client = type(client)()
    admin_client.force_login(UserFactory(username="root", is_superuser=True))
    changelist = reverse("admin:axes_accessattempt_changelist")
    page = admin_client.get(changelist)
    assert page.status_code == 200 and "登录失败记录" in page.content.decode()
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    admin_client.post(changelist, {"action": "unlock", "_selected_action": ids})
    assert not AccessAttempt.objects.exists()
    assert logged_in(login(client, "zhang", DEMO_PASSWORD))


def test_failed_attempts_are_not_editable_in_the_admin(client):
    staff = UserFactory(perms=["axes.view_accessattempt"])
    client.force_login(staff)
    assert client.get(reverse("admin:axes_accessattempt_add")).status_code == 403


def test_a_system_account_cannot_log_in_with_a_password(client):
    account = SystemUserFactory(username="hr_sync")
    account.set_password(DEMO_PASSWORD)  # even if someone gave it one
    account.is_staff = True
    account.save()
    assert not logged_in(login(client, "hr_sync", DEMO_PASSWORD))


def test_password_validators_accept_the_demo_password_and_refuse_weak_ones():
    user = UserFactory.build(username="city_cadre")
    validate_password(DEMO_PASSWORD, user)
    for weak in ("12345678", "password", "city_cadre1", "Ab1-"):
        with pytest.raises(ValidationError):
            validate_password(weak, user)


def test_sessions_end_after_eight_hours_or_when_the_browser_closes(client):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    UserFactory(username="zhang")
    response = login(client, "zhang", DEMO_PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie
    assert client.session.get_expire_at_browser_close()


def test_the_root_redirects_to_the_admin(client):
    response = client.get("/")
    assert response.status_code == 302 and response.url == reverse("admin:index")


def test_the_admin_url_comes_from_the_environment():
    code = (
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('admin:index'), reverse('admin:login'))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "orgportal.settings",
        "ORGPORTAL_ADMIN_URL": "/houtai-7f3a/",
    }
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["/houtai-7f3a/", "/houtai-7f3a/login/"]
