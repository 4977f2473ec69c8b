"""Idempotent bulk writes (orgportal.bulk) on the three resources other systems push: training
hours (ExternalHours), talent service requests, cadres' basic fields from HR."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from cadres.models import Cadre
from orgportal import access, codes
from orgportal.models import IdempotencyKey
from talent.models import ServiceRequest
from tests.factories import (
    CadreFactory,
    ExternalHoursFactory,
    IdempotencyKeyFactory,
    ServiceRequestFactory,
    TalentCardFactory,
    TalentFactory,
    UserFactory,
)
from training.models import ExternalHours

HOURS_URL = reverse("externalhours-bulk")
CADRES_URL = reverse("cadre-bulk")
REQUESTS_URL = reverse("servicerequest-bulk")
LAST_YEAR = datetime.date.today().year - 1


def platform(unit, app="training", model="externalhours", *actions, sensitive=False):
    perms = [f"{app}.{action}_{model}" for action in (actions or ("view", "add", "change"))]
    if sensitive:
        perms.append(access.VIEW_SENSITIVE)
    return UserFactory(perms=perms, units=[unit])


def hours_item(cadre, **overrides):
    return {
        "id_number": cadre.id_number,
        "year": LAST_YEAR,
        "provider": "干部网络学院",
        "kind": "online",
        "hours": "12.5",
        "evidence": "平台记录",
        **overrides,
    }


# --- training hours --------------------------------------------------------------------------------
def test_bulk_hours_creates_and_updates_by_natural_key(county_a, api):
    cadres = [CadreFactory(unit=county_a) for _ in range(2)]
    stored = ExternalHoursFactory(cadre=cadres[0], year=LAST_YEAR, provider="干部网络学院", hours=Decimal(3))
    user = platform(county_a)
    response = api.as_user(user).post(
        HOURS_URL, {"items": [hours_item(cadres[0]), hours_item(cadres[1])]}, format="json"
    )
    assert response.status_code == 200, response.data
    assert (response.data["created"], response.data["updated"]) == (1, 1)
    stored.refresh_from_db()
    assert stored.hours == Decimal("12.5")
    created = ExternalHours.objects.get(cadre=cadres[1])
    assert (created.status, created.year, created.provider) == (
        codes.ReviewResult.PENDING,
        LAST_YEAR,
        "干部网络学院",
    )
    assert created.history.latest().history_user == user
    assert [r["action"] for r in response.data["results"]] == ["updated", "created"]


def test_bulk_with_one_bad_item_writes_nothing_and_names_it(county_a, api):
    cadres = [CadreFactory(unit=county_a) for _ in range(3)]
    items = [hours_item(cadres[0]), hours_item(cadres[1], hours="0"), hours_item(cadres[2])]
    response = api.as_user(platform(county_a)).post(HOURS_URL, {"items": items}, format="json")
    assert response.status_code == 400
    assert ExternalHours.objects.count() == 0
    [error] = response.data["errors"]
    assert error["index"] == 1
    assert error["key"] == {"id_number": cadres[1].id_number, "year": LAST_YEAR, "provider": "干部网络学院"}
    assert "hours" in error["errors"]
    assert "第 2 项" in response.data["detail"]


def test_bulk_runs_the_model_rules_of_a_single_write(county_a, api):
    """A reviewed entry is not changed (ExternalHours.clean), as through PATCH."""
    cadre = CadreFactory(unit=county_a)
    ExternalHoursFactory(cadre=cadre, year=LAST_YEAR, provider="干部网络学院", status="approved")
    response = api.as_user(platform(county_a)).post(
        HOURS_URL, {"items": [hours_item(cadre, hours="40")]}, format="json"
    )
    assert response.status_code == 400
    assert "已审核" in str(response.data["errors"][0]["errors"])


def test_bulk_stays_in_the_jurisdiction(county_a, county_b, api):
    outsider = CadreFactory(unit=county_b)
    response = api.as_user(platform(county_a)).post(
        HOURS_URL, {"items": [hours_item(outsider)]}, format="json"
    )
    assert response.status_code == 400
    assert "id_number" in response.data["errors"][0]["errors"]
    assert not ExternalHours.objects.exists()


def test_bulk_reports_unknown_fields_and_duplicate_keys(county_a, api):
    cadre = CadreFactory(unit=county_a)
    items = [
        hours_item(cadre, colour="red"),
        hours_item(cadre, provider="甲"),
        hours_item(cadre, provider="甲"),
    ]
    response = api.as_user(platform(county_a)).post(HOURS_URL, {"items": items}, format="json")
    assert response.status_code == 400
    assert [e["index"] for e in response.data["errors"]] == [0, 2]
    assert "colour" in response.data["errors"][0]["errors"]


def test_bulk_item_with_nothing_new_is_unchanged_and_writes_no_history(county_a, api):
    cadre = CadreFactory(unit=county_a)
    stored = ExternalHoursFactory(cadre=cadre, year=LAST_YEAR, provider="干部网络学院", hours=Decimal("12.5"))
    before = stored.history.count()
    item = hours_item(cadre, kind=stored.kind, evidence=stored.evidence)
    response = api.as_user(platform(county_a)).post(HOURS_URL, {"items": [item]}, format="json")
    assert response.data["unchanged"] == 1
    assert stored.history.count() == before


@pytest.mark.parametrize("body", [{}, {"items": []}, {"items": "x"}, []])
def test_bulk_rejects_a_malformed_body(county_a, api, body):
    response = api.as_user(platform(county_a)).post(HOURS_URL, body, format="json")
    assert response.status_code == 400
    assert "items" in response.data


def test_bulk_limits_the_number_of_items(county_a, api, settings):
    settings.ORGPORTAL_BULK_MAX_ITEMS = 2
    cadre = CadreFactory(unit=county_a)
    items = [hours_item(cadre, provider=str(n)) for n in range(3)]
    response = api.as_user(platform(county_a)).post(HOURS_URL, {"items": items}, format="json")
    assert response.status_code == 400
    assert "至多 2 项" in response.data["detail"]


def test_bulk_requires_add_and_change(county_a, api):
    cadre = CadreFactory(unit=county_a)
    for actions in (("view", "add"), ("view", "change")):
        user = platform(county_a, "training", "externalhours", *actions)
        response = api.as_user(user).post(HOURS_URL, {"items": [hours_item(cadre)]}, format="json")
        assert response.status_code == 403
    assert not ExternalHours.objects.exists()


# --- idempotency -----------------------------------------------------------------------------------
def test_retry_with_the_same_idempotency_key_changes_nothing(county_a, api):
    cadre = CadreFactory(unit=county_a)
    client = api.as_user(platform(county_a))
    body = {"items": [hours_item(cadre)]}
    first = client.post(HOURS_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="sync-2026-01-31")
    assert first.status_code == 200
    entry = ExternalHours.objects.get()
    entry.hours = Decimal(1)  # changed meanwhile by staff: a replay must not overwrite it
    entry.save()
    history = entry.history.count()
    second = client.post(HOURS_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="sync-2026-01-31")
    assert second.status_code == 200
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert ExternalHours.objects.count() == 1
    entry.refresh_from_db()
    assert entry.hours == Decimal(1)
    assert entry.history.count() == history
    stored = IdempotencyKey.objects.get()
    assert (stored.key, stored.status_code) == ("sync-2026-01-31", 200)


def test_same_idempotency_key_with_another_body_is_refused(county_a, api):
    cadre = CadreFactory(unit=county_a)
    client = api.as_user(platform(county_a))
    client.post(HOURS_URL, {"items": [hours_item(cadre)]}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    response = client.post(
        HOURS_URL, {"items": [hours_item(cadre, hours="30")]}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert response.status_code == 422
    assert "k1" in response.data["detail"]
    assert ExternalHours.objects.get().hours == Decimal("12.5")


def test_a_failed_keyed_request_replays_its_errors(county_a, api):
    cadre = CadreFactory(unit=county_a)
    client = api.as_user(platform(county_a))
    body = {"items": [hours_item(cadre, hours="0")]}
    first = client.post(HOURS_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    second = client.post(HOURS_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    assert first.status_code == second.status_code == 400
    assert second.json() == first.json()


def test_idempotency_keys_are_per_user(county_a, api):
    cadre = CadreFactory(unit=county_a)
    body = {"items": [hours_item(cadre)]}
    api.as_user(platform(county_a)).post(HOURS_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    other = api.as_user(platform(county_a)).post(
        HOURS_URL, {"items": [hours_item(cadre, provider="乙")]}, format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    assert other.status_code == 200
    assert IdempotencyKey.objects.count() == 2


def test_an_overlong_idempotency_key_is_refused(county_a, api):
    cadre = CadreFactory(unit=county_a)
    response = api.as_user(platform(county_a)).post(
        HOURS_URL, {"items": [hours_item(cadre)]}, format="json", HTTP_IDEMPOTENCY_KEY="x" * 101
    )
    assert response.status_code == 400
    assert not ExternalHours.objects.exists()


def test_idempotency_keys_are_listed_to_administrators(api, superuser):
    stored = IdempotencyKeyFactory()
    response = api.as_user(superuser).get(reverse("idempotencykey-list"))
    assert response.status_code == 200
    assert [row["key"] for row in response.data["results"]] == [stored.key]
    assert api.as_user(UserFactory()).get(reverse("idempotencykey-list")).status_code == 403


# --- cadres' basic fields from HR ------------------------------------------------------------------
def test_hr_bulk_updates_basic_fields_of_existing_cadres_only(county_a, api):
    cadre = CadreFactory(unit=county_a)
    client = api.as_user(platform(county_a, "cadres", "cadre", "view", "change"))
    items = [
        {"id_number": cadre.id_number.lower(), "professional_title": "高级经济师"},
        {"id_number": "110105199003070017", "professional_title": "工程师"},
    ]
    response = client.post(CADRES_URL, {"items": items}, format="json")
    assert response.status_code == 400
    assert [e["index"] for e in response.data["errors"]] == [1]
    cadre.refresh_from_db()
    assert cadre.professional_title != "高级经济师"
    response = client.post(CADRES_URL, {"items": items[:1]}, format="json")
    assert response.status_code == 200, response.data
    cadre.refresh_from_db()
    assert cadre.professional_title == "高级经济师"


def test_hr_bulk_answers_the_cadre_rules(county_a, api):
    cadre = CadreFactory(unit=county_a)
    client = api.as_user(platform(county_a, "cadres", "cadre", "view", "change"))
    too_young = (cadre.birth_date.replace(day=1) + datetime.timedelta(days=366 * 10)).isoformat()
    response = client.post(
        CADRES_URL, {"items": [{"id_number": cadre.id_number, "work_start_date": too_young}]}, format="json"
    )
    assert response.status_code == 400
    assert "work_start_date" in response.data["errors"][0]["errors"]


def test_hr_bulk_does_not_set_what_movements_set(county_a, api):
    cadre = CadreFactory(unit=county_a)
    client = api.as_user(platform(county_a, "cadres", "cadre", "view", "change"))
    response = client.post(
        CADRES_URL, {"items": [{"id_number": cadre.id_number, "post": "局长"}]}, format="json"
    )
    assert response.status_code == 400
    assert "post" in response.data["errors"][0]["errors"]
    assert Cadre.objects.get(pk=cadre.pk).post == cadre.post


# --- talent service requests -----------------------------------------------------------------------
def request_item(card, **overrides):
    return {
        "card": card.number,
        "kind": codes.ServiceKind.HOUSING,
        "opened_on": card.issued_on.isoformat(),
        "due_on": (card.issued_on + datetime.timedelta(days=30)).isoformat(),
        "detail": "申请入住人才公寓",
        **overrides,
    }


def test_service_platform_opens_and_closes_requests(county_a, api):
    card = TalentCardFactory(talent=TalentFactory(unit=county_a))
    client = api.as_user(platform(county_a, "talent", "servicerequest"))
    response = client.post(REQUESTS_URL, {"items": [request_item(card)]}, format="json")
    assert response.status_code == 200, response.data
    request = ServiceRequest.objects.get()
    assert request.status == codes.ServiceRequestStatus.ACCEPTED
    done = request_item(
        card, status="done", closed_on=datetime.date.today().isoformat(), satisfaction="satisfied"
    )
    response = client.post(REQUESTS_URL, {"items": [done]}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["updated"] == 1
    request.refresh_from_db()
    assert (request.status, request.satisfaction) == (codes.ServiceRequestStatus.DONE, "satisfied")
    # through 办理中, each step a service call with history
    assert [h.status for h in request.history.order_by("history_id")] == ["accepted", "in_progress", "done"]
    again = client.post(REQUESTS_URL, {"items": [done]}, format="json")
    assert again.data["unchanged"] == 1


def test_service_platform_cannot_reopen_a_closed_request(county_a, api):
    card = TalentCardFactory(talent=TalentFactory(unit=county_a))
    ServiceRequestFactory(
        card=card,
        opened_on=card.issued_on,
        status=codes.ServiceRequestStatus.REFUSED,
        closed_on=card.issued_on,
        reason="不符合条件",
    )
    client = api.as_user(platform(county_a, "talent", "servicerequest"))
    response = client.post(REQUESTS_URL, {"items": [request_item(card, status="in_progress")]}, format="json")
    assert response.status_code == 400
    assert "status" in response.data["errors"][0]["errors"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_racing_retries_with_one_key_apply_once(county_a):
    """Two copies of one keyed request at the same moment: the unique key lets one write; the other
    is rolled back and answers the same."""
    cadre = CadreFactory(unit=county_a)
    user = platform(county_a)
    body = {"items": [hours_item(cadre)]}
    barrier, answers = threading.Barrier(2), []

    def send():
        try:
            client = APIClient()
            client.force_authenticate(user)
            barrier.wait(10)
            answers.append(client.post(HOURS_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="race"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert ExternalHours.objects.count() == 1


def test_a_keyed_malformed_request_is_stored_and_replayed(county_a, api):
    client = api.as_user(platform(county_a))
    first = client.post(HOURS_URL, {"items": []}, format="json", HTTP_IDEMPOTENCY_KEY="empty")
    second = client.post(HOURS_URL, {"items": []}, format="json", HTTP_IDEMPOTENCY_KEY="empty")
    assert first.status_code == second.status_code == 400
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
