"""Concurrent staff on PostgreSQL: real sessions (a thread each, with its own database connection)
started together at a barrier, through the API as staff use it. No lost update; the loser gets a
clear error. The row-lock tests next to each service (tests/cadres/test_pool.py,
tests/training/test_services.py, tests/talent/test_services.py) hold a lock by hand and start one
rival; these race several whole requests, and an import against a staff edit."""

import datetime
import io
import threading

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from cadres.models import Cadre, PoolMembership
from orgportal import access, codes
from orgportal import rosters as roster_engine
from tests import factories as f
from tests.orgportal.test_jurisdiction_matrix import admin_form_data
from training.models import Enrolment, TrainingClass

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent sessions need PostgreSQL's row locks (SQLite locks the whole file)",
    ),
]

SESSIONS = 4


def concurrently(*calls):
    """Run each call in its own thread (its own connection), all released at once by a barrier;
    return what each returned (or raised)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=20)
            results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def session(user):
    """A logged-in API session of its own (one per thread: clients are not shared)."""
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(user, url, data=None):
    return lambda: session(user).post(url, data or {}, format="json")


def statuses(responses) -> list:
    return sorted(getattr(r, "status_code", repr(r)) for r in responses)


# --- the pool: several sessions exiting the same member -------------------------------------------
def test_sessions_exiting_the_same_pool_member_at_once_one_wins(county_a):
    membership = f.PoolMembershipFactory(cadre__unit=county_a)
    staff = f.UserFactory(
        perms=["cadres.view_poolmembership", "cadres.change_poolmembership"], units=[county_a]
    )
    url = reverse("poolmembership-exit-pool", args=[membership.pk])
    reasons = list(codes.PoolExitReason.values)[:SESSIONS]
    history_before = membership.history.count()
    today = str(datetime.date.today())
    responses = concurrently(*(post(staff, url, {"reason": r, "on": today}) for r in reasons))
    assert statuses(responses) == [200] + [400] * (SESSIONS - 1)
    winner = next(r for r in responses if r.status_code == 200)
    for loser in (r for r in responses if r.status_code == 400):
        assert "不能重复出库" in str(loser.data)
    membership.refresh_from_db()
    assert membership.status == codes.PoolStatus.OUT
    assert membership.exit_reason == winner.data["exit_reason"]
    assert membership.history.count() == history_before + 1  # one exit, recorded once


# --- training: the last place in a class ------------------------------------------------------------
def test_sessions_confirming_for_the_last_place_at_once_one_wins(county_a):
    training_class = f.TrainingClassFactory(capacity=1)
    enrolments = [
        f.EnrolmentFactory(training_class=training_class, cadre__unit=county_a) for _ in range(SESSIONS)
    ]
    staff = f.UserFactory(perms=["training.view_enrolment", "training.change_enrolment"], units=[county_a])
    responses = concurrently(*(post(staff, reverse("enrolment-confirm", args=[e.pk])) for e in enrolments))
    assert statuses(responses) == [200] + [400] * (SESSIONS - 1)
    for loser in (r for r in responses if r.status_code == 400):
        assert "已满" in str(loser.data)
    placed = Enrolment.objects.filter(training_class=training_class, status=codes.EnrolmentStatus.CONFIRMED)
    assert placed.count() == 1


def test_sessions_enrolling_the_same_cadre_at_once_make_one_enrolment(county_a):
    training_class = f.TrainingClassFactory(capacity=5)
    cadre = f.CadreFactory(unit=county_a)
    staff = f.UserFactory(perms=["training.view_enrolment", "training.add_enrolment"], units=[county_a])
    body = {"cadre": cadre.pk, "training_class": training_class.pk}
    responses = concurrently(*(post(staff, reverse("enrolment-list"), body) for _ in range(SESSIONS)))
    assert statuses(responses) == [201] + [400] * (SESSIONS - 1)
    for loser in (r for r in responses if r.status_code == 400):
        assert "已报名" in str(loser.data)
    assert TrainingClass.objects.get(pk=training_class.pk).enrolments.filter(cadre=cadre).count() == 1


# --- an import updating a cadre while staff edit it ------------------------------------------------
def roster_file(cadre, viewer, **changes) -> io.BytesIO:
    """The standard roster of `cadre` as `viewer` exports it, with `changes` ({header: value})."""
    buffer = io.BytesIO()
    roster_engine.export(
        roster_engine.get("cadres.standard"), Cadre.objects.filter(pk=cadre.pk), viewer, buffer
    )
    buffer.seek(0)
    rows = [list(r) for r in openpyxl.load_workbook(buffer).worksheets[0].iter_rows(values_only=True)]
    for header, value in changes.items():
        rows[2][rows[1].index(header)] = value
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "cadres.xlsx"
    return out


def import_file(user, upload):
    return session(user).post(
        reverse("cadre-import-roster"), {"file": upload, "dry_run": "false"}, format="multipart"
    )


class Pause:
    """Holds one thread at its first jurisdiction check (where a write has read what it will
    change and not yet saved) until another has finished: the interleaving of a lost update."""

    def __init__(self, monkeypatch):
        self.reached, self.go_on, self.thread = threading.Event(), threading.Event(), None
        real = access.check_writable

        def check(user, instance):
            if threading.current_thread() is self.thread and not self.reached.is_set():
                self.reached.set()
                assert self.go_on.wait(timeout=20)
            return real(user, instance)

        monkeypatch.setattr(access, "check_writable", check)

    def hold(self, call):
        def held():
            self.thread = threading.current_thread()
            return call()

        return held

    def after(self, call):
        def then():
            assert self.reached.wait(timeout=20)
            try:
                return call()
            finally:
                self.go_on.set()

        return then


@pytest.fixture
def cadre_staff(city):
    perms = ["cadres.view_cadre", "cadres.add_cadre", "cadres.change_cadre", access.VIEW_SENSITIVE]
    return f.UserFactory(perms=perms, units=[city])


def test_a_staff_edit_saved_while_an_import_runs_is_not_overwritten(county_a, cadre_staff, monkeypatch):
    cadre = f.CadreFactory(unit=county_a, post="科员")
    upload = roster_file(cadre, cadre_staff, 现任职务="副科长（导入）")
    pause = Pause(monkeypatch)  # the import has read the cadre and compared; the staff edit lands now
    edit = session(cadre_staff).patch
    imported, edited = concurrently(
        pause.hold(lambda: import_file(cadre_staff, upload)),
        pause.after(
            lambda: edit(reverse("cadre-detail", args=[cadre.pk]), {"post": "科长（手工）"}, format="json")
        ),
    )
    assert edited.status_code == 200, edited.data
    assert imported.status_code == 400
    assert not imported.data["written"]
    assert "被他人修改" in " ".join(imported.data["file_errors"])
    cadre.refresh_from_db()
    assert cadre.post == "科长（手工）"


def test_an_import_saved_while_staff_edit_is_not_overwritten(county_a, cadre_staff, monkeypatch):
    cadre = f.CadreFactory(unit=county_a, post="科员", note="")
    upload = roster_file(cadre, cadre_staff, 现任职务="副科长（导入）")
    pause = Pause(monkeypatch)  # the staff request has read the cadre; the import lands now
    edit = session(cadre_staff).patch
    edited, imported = concurrently(
        pause.hold(
            lambda: edit(reverse("cadre-detail", args=[cadre.pk]), {"note": "手工备注"}, format="json")
        ),
        pause.after(lambda: import_file(cadre_staff, upload)),
    )
    assert imported.status_code == 200, imported.data
    assert imported.data["written"]
    assert edited.status_code == 409
    assert "他人修改" in str(edited.data["detail"])
    cadre.refresh_from_db()
    assert cadre.post == "副科长（导入）"  # the staff save, read before the import, did not put 科员 back
    assert cadre.note == ""


def test_an_admin_form_opened_before_an_import_is_refused_on_save(county_a, cadre_staff, client):
    cadre = f.CadreFactory(unit=county_a, post="科员")
    client.force_login(cadre_staff)
    url = reverse("admin:cadres_cadre_change", args=[cadre.pk])
    page = client.get(url)
    form_url = page.context["form_url"]
    assert "_version=" in form_url
    imported = import_file(cadre_staff, roster_file(cadre, cadre_staff, 现任职务="副科长（导入）"))
    assert imported.status_code == 200, imported.data
    data = admin_form_data(page)
    data["note"] = "手工备注"
    response = client.post(url + form_url, data)
    assert response.status_code == 200  # the form again, with the error
    assert "被他人修改" in response.content.decode()
    cadre.refresh_from_db()
    assert cadre.post == "副科长（导入）"
    assert cadre.note != "手工备注"


def test_without_a_race_the_admin_form_saves(county_a, cadre_staff, client):
    """The version check refuses only a real conflict (the test above can fail)."""
    cadre = f.CadreFactory(unit=county_a, post="科员")
    client.force_login(cadre_staff)
    url = reverse("admin:cadres_cadre_change", args=[cadre.pk])
    page = client.get(url)
    data = admin_form_data(page)
    data["note"] = "手工备注"
    response = client.post(url + page.context["form_url"], data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    cadre.refresh_from_db()
    assert cadre.note == "手工备注"


def test_pool_member_admitted_twice_at_once_is_one_member(county_a):
    """Two sessions admitting the same cadre to the pool: one membership (the service locks the cadre)."""
    cadre = f.CadreFactory(unit=county_a, birth_date=datetime.date(1992, 5, 1))
    staff = f.UserFactory(perms=["cadres.view_poolmembership", "cadres.add_poolmembership"], units=[county_a])
    body = {
        "cadre": cadre.pk,
        "source": codes.PoolSource.values[0],
        "entered_on": str(datetime.date.today()),
        "tier": codes.LeadershipLevel.TOWNSHIP_DEPUTY,
    }
    responses = concurrently(*(post(staff, reverse("poolmembership-list"), body) for _ in range(SESSIONS)))
    assert statuses(responses) == [201] + [400] * (SESSIONS - 1), [getattr(r, "data", r) for r in responses]
    assert PoolMembership.objects.filter(cadre=cadre, status=codes.PoolStatus.IN).count() == 1
