"""The talent services and the rules they rest on, at their boundaries: certification, talent cards
(issue, renew, lost, cancel, the derived 过期), service requests and their transitions, departures;
through the services, the API actions and the admin."""

import datetime
import threading
import time

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from orgportal import codes
from talent import services
from talent.models import EXPIRED, ServiceRequest, Talent, TalentCard
from tests import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date
DAY = datetime.timedelta(days=1)
TODAY = timezone.localdate()
Card, Req = codes.TalentCardStatus, codes.ServiceRequestStatus


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict


def a_card(unit, **kwargs):
    return f.TalentCardFactory(talent__unit=unit, **kwargs)


def issue(talent, by, **kwargs):
    values = {
        "number": "ZYYC800001",
        "tier": "A",
        "on": D(2025, 1, 1),
        "expires_on": D(2027, 12, 31),
        "commissioner": f.UserFactory(),
    }
    return services.issue_card(talent, by=by, **{**values, **kwargs})


# --- the talent record -----------------------------------------------------------------------------
def test_wrong_id_checksum_is_an_error_on_the_id_field(county_a):
    talent = f.TalentFactory.build(unit=county_a, id_number="520302198503150018")
    assert "校验码" in errors_of(talent.full_clean)["id_number"][0]


def test_id_number_must_agree_with_gender_and_birth(county_a):
    talent = f.TalentFactory.build(
        unit=county_a, id_number="520302198503150017", gender="2", birth_date=D(1985, 4, 1)
    )
    assert {"gender", "birth_date"} <= set(errors_of(talent.full_clean))


def test_lower_case_x_is_normalised(county_a):
    talent = f.TalentFactory(
        unit=county_a, gender="2", birth_date=D(1949, 12, 1), id_number="11010519491231002x"
    )
    talent.full_clean()
    assert talent.id_number == "11010519491231002X"


def test_id_number_is_unique_among_talents_but_may_be_empty(county_a, superuser, api):
    existing = f.TalentFactory(unit=county_a)
    payload = {
        "name": "重号",
        "gender": existing.gender,
        "birth_date": str(existing.birth_date),
        "id_number": existing.id_number,
        "unit": county_a.pk,
        "category": codes.TalentCategory.HIGH_SKILLED,
        "source": codes.TalentSource.LOCAL,
    }
    response = api.as_user(superuser).post(reverse("talent-list"), payload, format="json")
    assert response.status_code == 400
    assert "已存在" in str(response.data["id_number"])
    f.TalentFactory(unit=county_a, id_number="")
    f.TalentFactory(unit=county_a, id_number="")  # several without a number


def test_a_linked_cadre_must_have_the_same_id_number(county_a):
    cadre = f.CadreFactory(
        unit=county_a, gender="1", birth_date=D(1985, 3, 1), id_number="520302198503150017"
    )
    talent = f.TalentFactory.build(
        unit=county_a, cadre=cadre, gender="1", birth_date=D(1985, 3, 1), id_number="520302198503150033"
    )
    assert "cadre" in errors_of(talent.full_clean)
    talent.id_number = cadre.id_number
    talent.full_clean()


def test_introduced_talent_needs_an_arrival_date_not_before_birth(county_a):
    talent = f.TalentFactory.build(unit=county_a, source=codes.TalentSource.INTRODUCED, arrived_on=None)
    assert "arrived_on" in errors_of(talent.full_clean)
    talent.arrived_on = talent.birth_date - DAY
    assert "arrived_on" in errors_of(talent.full_clean)
    talent.arrived_on = talent.birth_date
    talent.full_clean()
    local = f.TalentFactory.build(unit=county_a, source=codes.TalentSource.LOCAL, arrived_on=None)
    local.full_clean()


def test_selection_respects_the_programme_quota_revoked_ones_not_counted(county_a):
    programme = f.TalentProgrammeFactory(quota=1)
    first = f.SelectionFactory(talent__unit=county_a, programme=programme)
    second = f.SelectionFactory.build(talent=f.TalentFactory(unit=county_a), programme=programme)
    assert "名额" in errors_of(second.full_clean)["programme"][0]
    first.status = codes.SelectionStatus.REVOKED
    first.save()
    second.full_clean()


def test_the_database_refuses_departure_fields_without_the_status(county_a):
    talent = f.TalentFactory(unit=county_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Talent.objects.filter(pk=talent.pk).update(left_on=TODAY)


# --- departures ------------------------------------------------------------------------------------
def test_departure_keeps_the_record_with_date_reason_and_destination(county_a, superuser):
    talent = f.TalentFactory(unit=county_a)
    services.record_departure(
        talent, on=TODAY, reason=codes.TalentDepartureReason.PAY, destination=" 广东省深圳市 ", by=superuser
    )
    talent.refresh_from_db()
    assert (talent.status, talent.left_on, talent.leave_reason, talent.destination) == (
        codes.TalentStatus.DEPARTED,
        TODAY,
        codes.TalentDepartureReason.PAY,
        "广东省深圳市",
    )
    assert talent.history.latest().history_user == superuser
    assert Talent.objects.filter(pk=talent.pk).exists()


def test_departure_is_recorded_once(county_a, superuser):
    talent = f.TalentFactory(unit=county_a, departed=True)
    errors = errors_of(
        lambda: services.record_departure(talent, on=TODAY, reason="pay", destination="", by=superuser)
    )
    assert "不能重复登记" in errors["status"][0]


def test_departure_needs_a_known_reason(county_a, superuser):
    talent = f.TalentFactory(unit=county_a)
    assert "leave_reason" in errors_of(
        lambda: services.record_departure(talent, on=TODAY, reason="", destination="", by=superuser)
    )
    assert "leave_reason" in errors_of(
        lambda: services.record_departure(talent, on=TODAY, reason="bored", destination="", by=superuser)
    )


def test_departure_date_between_arrival_and_today(county_a, superuser):
    talent = f.TalentFactory(unit=county_a, arrived_on=D(2020, 5, 1))
    assert "left_on" in errors_of(
        lambda: services.record_departure(
            talent, on=D(2020, 4, 30), reason="pay", destination="", by=superuser
        )
    )
    assert "left_on" in errors_of(
        lambda: services.record_departure(talent, on=TODAY + DAY, reason="pay", destination="", by=superuser)
    )
    services.record_departure(talent, on=D(2020, 5, 1), reason="pay", destination="", by=superuser)


def test_a_departed_talent_gets_no_certification_card_or_selection(county_a, superuser):
    talent = f.TalentFactory(unit=county_a, departed=True)
    refusals = [
        lambda: services.certify(talent, level="B", on=TODAY, number="X-1", valid_until=None, by=superuser),
        lambda: issue(talent, superuser),
        f.SelectionFactory.build(talent=talent, programme=f.TalentProgrammeFactory()).full_clean,
    ]
    for refusal in refusals:
        assert "流失" in errors_of(refusal)["talent"][0]


# --- certification ---------------------------------------------------------------------------------
def test_certify_records_the_certificate_and_sets_the_level(county_a, superuser):
    talent = f.TalentFactory(unit=county_a, level="D")
    certification = services.certify(
        talent,
        level="B",
        on=D(2025, 5, 1),
        number="遵人才认〔2025〕1号",
        valid_until=D(2028, 4, 30),
        by=superuser,
    )
    talent.refresh_from_db()
    assert talent.level == "B"
    assert (certification.level, certification.certified_on, certification.valid_until) == (
        "B",
        D(2025, 5, 1),
        D(2028, 4, 30),
    )
    assert certification.history.latest().history_user == superuser
    assert talent.history.latest().history_user == superuser


def test_certificate_numbers_are_unique(county_a, superuser):
    existing = f.CertificationFactory(talent__unit=county_a)
    talent = f.TalentFactory(unit=county_a)
    errors = errors_of(
        lambda: services.certify(
            talent, level="C", on=TODAY, number=existing.certificate_number, valid_until=None, by=superuser
        )
    )
    assert "certificate_number" in errors


def test_validity_may_end_on_the_day_of_certification_not_before(county_a, superuser):
    talent = f.TalentFactory(unit=county_a)
    errors = errors_of(
        lambda: services.certify(
            talent, level="C", on=D(2025, 5, 1), number="N1", valid_until=D(2025, 4, 30), by=superuser
        )
    )
    assert "valid_until" in errors
    services.certify(
        talent, level="C", on=D(2025, 5, 1), number="N1", valid_until=D(2025, 5, 1), by=superuser
    )


def test_a_new_certification_is_not_dated_before_the_last(county_a, superuser):
    talent = f.TalentFactory(unit=county_a)
    services.certify(
        talent, level="C", on=D(2024, 5, 1), number="N1", valid_until=D(2025, 4, 30), by=superuser
    )
    errors = errors_of(
        lambda: services.certify(
            talent, level="B", on=D(2024, 4, 30), number="N2", valid_until=None, by=superuser
        )
    )
    assert "certified_on" in errors
    services.certify(talent, level="B", on=D(2024, 5, 1), number="N2", valid_until=None, by=superuser)


def test_expiring_and_expired_certifications_at_their_edges(county_a):
    from talent.models import Certification

    ends_today = f.CertificationFactory(talent__unit=county_a, certified_on=D(2020, 1, 1), valid_until=TODAY)
    in_90 = f.CertificationFactory(talent__unit=county_a, valid_until=TODAY + datetime.timedelta(days=90))
    in_91 = f.CertificationFactory(talent__unit=county_a, valid_until=TODAY + datetime.timedelta(days=91))
    ended = f.CertificationFactory(talent__unit=county_a, certified_on=D(2020, 1, 1), valid_until=TODAY - DAY)
    lifelong = f.CertificationFactory(talent__unit=county_a, valid_until=None)
    assert set(Certification.objects.valid()) == {ends_today, in_90, in_91, lifelong}
    assert set(Certification.objects.expiring_within(90)) == {ends_today, in_90}
    assert set(Certification.objects.expired()) == {ended}


# --- talent cards ------------------------------------------------------------------------------
def test_issue_card_with_its_commissioner(county_a, superuser):
    talent = f.TalentFactory(unit=county_a)
    commissioner = f.UserFactory()
    card = issue(talent, superuser, commissioner=commissioner)
    assert (card.status, card.commissioner, card.state) == (Card.VALID, commissioner, Card.VALID)
    assert card.history.latest().history_user == superuser


def test_one_card_not_cancelled_per_talent(county_a, superuser):
    talent = f.TalentFactory(unit=county_a)
    card = issue(talent, superuser)
    assert "请续期或先注销" in errors_of(lambda: issue(talent, superuser, number="ZYYC800002"))["talent"][0]
    services.report_card_lost(card, on=D(2025, 6, 1), by=superuser)
    assert "挂失" in errors_of(lambda: issue(talent, superuser, number="ZYYC800002"))["talent"][0]
    services.cancel_card(card, on=D(2025, 6, 2), reason="卡片遗失", by=superuser)
    second = issue(talent, superuser, number="ZYYC800002", on=D(2025, 6, 2))
    assert list(talent.cards.order_by("issued_on").values_list("status", flat=True)) == [
        Card.CANCELLED,
        Card.VALID,
    ]
    assert second.pk != card.pk


def test_the_database_allows_one_card_not_cancelled_per_talent(county_a):
    card = a_card(county_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        f.TalentCardFactory(talent=card.talent)


def test_card_numbers_are_unique(county_a, superuser):
    existing = a_card(county_a)
    talent = f.TalentFactory(unit=county_a)
    assert "number" in errors_of(lambda: issue(talent, superuser, number=existing.number))


def test_card_expires_not_before_it_is_issued(county_a, superuser):
    talent = f.TalentFactory(unit=county_a)
    assert "expires_on" in errors_of(
        lambda: issue(talent, superuser, on=D(2025, 1, 2), expires_on=D(2025, 1, 1))
    )


def test_expired_is_derived_from_the_expiry_date(county_a):
    card = a_card(county_a, issued_on=D(2022, 1, 1), expires_on=D(2024, 12, 31))
    assert card.state_on(D(2024, 12, 31)) == Card.VALID  # valid through its last day
    assert card.state_on(D(2025, 1, 1)) == EXPIRED
    assert card.status == Card.VALID  # stored as it was: nothing to keep in sync
    assert set(TalentCard.objects.in_state(EXPIRED)) == {card}
    assert not TalentCard.objects.in_state(Card.VALID).exists()
    assert card.state_label == "过期"


def test_renew_needs_a_later_expiry_date(county_a, superuser):
    card = a_card(county_a)
    for date in (card.expires_on - DAY, card.expires_on):
        errors = errors_of(lambda date=date: services.renew_card(card, expires_on=date, by=superuser))
        assert "须晚于原有效期" in errors["expires_on"][0]
    renewed = services.renew_card(card, expires_on=card.expires_on + DAY, by=superuser)
    assert renewed.expires_on == card.expires_on + DAY
    assert renewed.history.latest().history_user == superuser


def test_an_expired_card_may_be_renewed(county_a, superuser):
    card = a_card(county_a, issued_on=D(2021, 1, 1), expires_on=D(2023, 12, 31))
    assert card.state == EXPIRED
    renewed = services.renew_card(card, expires_on=TODAY.replace(year=TODAY.year + 2), by=superuser)
    assert renewed.state == Card.VALID


def test_a_cancelled_or_lost_card_is_not_renewed(county_a, superuser):
    cancelled = a_card(county_a, cancelled=True)
    errors = errors_of(lambda: services.renew_card(cancelled, expires_on=D(2099, 1, 1), by=superuser))
    assert "已于" in errors["status"][0] and "注销，不能续期" in errors["status"][0]
    lost = services.report_card_lost(a_card(county_a), on=TODAY, by=superuser)
    assert (
        "挂失"
        in errors_of(lambda: services.renew_card(lost, expires_on=D(2099, 1, 1), by=superuser))["status"][0]
    )


def test_report_lost_once_and_not_before_issue(county_a, superuser):
    card = a_card(county_a)
    assert "lost_on" in errors_of(
        lambda: services.report_card_lost(card, on=card.issued_on - DAY, by=superuser)
    )
    lost = services.report_card_lost(card, on=card.issued_on, by=superuser)
    assert (lost.status, lost.lost_on) == (Card.LOST, card.issued_on)
    assert (
        "不能挂失" in errors_of(lambda: services.report_card_lost(card, on=TODAY, by=superuser))["status"][0]
    )


def test_cancel_needs_a_reason_keeps_the_card_and_happens_once(county_a, superuser):
    card = a_card(county_a)
    assert "cancel_reason" in errors_of(
        lambda: services.cancel_card(card, on=TODAY, reason=" ", by=superuser)
    )
    assert "cancelled_on" in errors_of(
        lambda: services.cancel_card(card, on=card.issued_on - DAY, reason="流失", by=superuser)
    )
    services.cancel_card(card, on=TODAY, reason="人才流失", by=superuser)
    card.refresh_from_db()
    assert (card.status, card.cancelled_on, card.cancel_reason, card.state) == (
        Card.CANCELLED,
        TODAY,
        "人才流失",
        Card.CANCELLED,
    )
    errors = errors_of(lambda: services.cancel_card(card, on=TODAY, reason="再次", by=superuser))
    assert "不能重复注销" in errors["status"][0]


# --- service requests --------------------------------------------------------------------------
def open_on(card, on, by, **kwargs):
    return services.open_request(
        card, kind=codes.ServiceKind.HOUSING, on=on, due_on=on + datetime.timedelta(days=30), by=by, **kwargs
    )


def test_open_request_on_a_card_in_force_up_to_its_last_day(county_a, superuser):
    card = a_card(county_a, issued_on=D(2024, 1, 1), expires_on=D(2024, 12, 31))
    assert "opened_on" in errors_of(lambda: open_on(card, D(2023, 12, 31), superuser))
    request = open_on(card, D(2024, 12, 31), superuser, handled_by="市住建局")
    assert (request.status, request.handled_by, request.closed_on) == (Req.ACCEPTED, "市住建局", None)
    assert request.history.latest().history_user == superuser
    errors = errors_of(lambda: open_on(card, D(2025, 1, 1), superuser))
    assert "过期" in errors["card"][0]


def test_no_request_on_a_lost_or_cancelled_card(county_a, superuser):
    lost = services.report_card_lost(a_card(county_a), on=TODAY - DAY, by=superuser)
    assert "挂失" in errors_of(lambda: open_on(lost, TODAY, superuser))["card"][0]
    cancelled = a_card(county_a, cancelled=True)
    assert "注销" in errors_of(lambda: open_on(cancelled, TODAY, superuser))["card"][0]


def test_due_date_not_before_the_opening(county_a, superuser):
    card = a_card(county_a)
    errors = errors_of(
        lambda: services.open_request(card, kind="medical", on=TODAY, due_on=TODAY - DAY, by=superuser)
    )
    assert "due_on" in errors


def test_request_goes_accepted_in_progress_done_with_satisfaction(county_a, superuser):
    request = f.ServiceRequestFactory(card__talent__unit=county_a)
    services.advance_request(request, to=Req.IN_PROGRESS, by=superuser, handled_by="市教育局")
    done = services.advance_request(
        request, to=Req.DONE, by=superuser, satisfaction=codes.Satisfaction.SATISFIED
    )
    assert (done.status, done.closed_on, done.satisfaction, done.handled_by) == (
        Req.DONE,
        TODAY,
        codes.Satisfaction.SATISFIED,
        "市教育局",
    )
    assert done.history.count() == 3
    assert done.history.latest().history_user == superuser


def test_a_closed_request_is_not_closed_again(county_a, superuser):
    request = f.ServiceRequestFactory(card__talent__unit=county_a)
    services.advance_request(request, to=Req.IN_PROGRESS, by=superuser)
    services.advance_request(request, to=Req.DONE, by=superuser)
    for to in (Req.DONE, Req.REFUSED, Req.IN_PROGRESS):
        errors = errors_of(
            lambda to=to: services.advance_request(request, to=to, reason="理由", by=superuser)
        )
        assert "不能再变更" in errors["status"][0]


def test_request_does_not_go_back_or_skip_in_progress(county_a, superuser):
    request = f.ServiceRequestFactory(card__talent__unit=county_a)
    skipped = errors_of(lambda: services.advance_request(request, to=Req.DONE, by=superuser))
    assert "不能从「受理」变为「办结」" in skipped["status"][0]
    assert "status" in errors_of(lambda: services.advance_request(request, to=Req.ACCEPTED, by=superuser))
    services.advance_request(request, to=Req.IN_PROGRESS, by=superuser)
    back = errors_of(lambda: services.advance_request(request, to=Req.ACCEPTED, by=superuser))
    assert "不能从「办理中」变为「受理」" in back["status"][0]
    assert "status" in errors_of(lambda: services.advance_request(request, to="finished", by=superuser))


def test_refusing_needs_a_reason_and_may_happen_on_acceptance(county_a, superuser):
    request = f.ServiceRequestFactory(card__talent__unit=county_a)
    assert "reason" in errors_of(
        lambda: services.advance_request(request, to=Req.REFUSED, reason=" ", by=superuser)
    )
    refused = services.advance_request(
        request, to=Req.REFUSED, reason="不符合人才公寓申请条件", on=TODAY - DAY, by=superuser
    )
    assert (refused.status, refused.reason, refused.closed_on) == (
        Req.REFUSED,
        "不符合人才公寓申请条件",
        TODAY - DAY,
    )


def test_satisfaction_only_when_done(county_a, superuser):
    request = f.ServiceRequestFactory(card__talent__unit=county_a)
    errors = errors_of(
        lambda: services.advance_request(request, to=Req.IN_PROGRESS, satisfaction="satisfied", by=superuser)
    )
    assert "satisfaction" in errors


def test_closing_not_before_the_opening(county_a, superuser):
    request = f.ServiceRequestFactory(card__talent__unit=county_a)
    services.advance_request(request, to=Req.IN_PROGRESS, by=superuser)
    errors = errors_of(
        lambda: services.advance_request(request, to=Req.DONE, on=request.opened_on - DAY, by=superuser)
    )
    assert "closed_on" in errors


def test_overdue_from_the_day_after_the_due_date_while_open(county_a, superuser):
    due_today = f.ServiceRequestFactory(card__talent__unit=county_a, opened_on=TODAY - DAY * 10, due_on=TODAY)
    late = f.ServiceRequestFactory(
        card__talent__unit=county_a, opened_on=TODAY - DAY * 10, due_on=TODAY - DAY
    )
    closed_late = f.ServiceRequestFactory(
        card__talent__unit=county_a, opened_on=TODAY - DAY * 10, due_on=TODAY - DAY
    )
    services.advance_request(closed_late, to=Req.REFUSED, reason="材料不全", by=superuser)
    closed_late.refresh_from_db()
    assert [r.overdue for r in (due_today, late, closed_late)] == [False, True, False]
    assert set(ServiceRequest.objects.overdue()) == {late}


def test_the_database_refuses_a_closed_status_without_a_date(county_a):
    request = f.ServiceRequestFactory(card__talent__unit=county_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequest.objects.filter(pk=request.pk).update(status=Req.DONE)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite locks the file)"
)
def test_two_staff_closing_the_same_request_at_once_one_wins(county_a, superuser):
    request = f.ServiceRequestFactory(card__talent__unit=county_a, status=Req.IN_PROGRESS)
    outcome = {}

    def first():
        with transaction.atomic():
            ServiceRequest.objects.select_for_update().get(pk=request.pk)
            time.sleep(0.5)  # the second close starts while this transaction holds the row
            services.advance_request(request, to=Req.DONE, by=superuser)
        outcome["first"] = "ok"
        connection.close()

    def second():
        time.sleep(0.1)
        try:
            services.advance_request(request, to=Req.REFUSED, reason="重复", by=superuser)
            outcome["second"] = "ok"
        except ValidationError as error:
            outcome["second"] = " ".join(error.messages)
        connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    request.refresh_from_db()
    assert outcome["first"] == "ok"
    assert "不能再变更" in outcome["second"]
    assert request.status == Req.DONE


# --- the API actions ---------------------------------------------------------------------------
def test_api_departure_action(county_a, superuser, api):
    talent = f.TalentFactory(unit=county_a)
    url = reverse("talent-departure", args=[talent.pk])
    client = api.as_user(superuser)
    assert client.post(url, {"on": str(TODAY)}, format="json").status_code == 400  # no reason
    response = client.post(
        url, {"on": str(TODAY), "reason": "family", "destination": "四川省成都市"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert (response.data["status"], response.data["destination"]) == ("departed", "四川省成都市")
    again = client.post(url, {"on": str(TODAY), "reason": "family"}, format="json")
    assert again.status_code == 400 and "不能重复登记" in str(again.data)


def test_api_departure_fields_are_not_written_directly(county_a, superuser, api):
    talent = f.TalentFactory(unit=county_a)
    response = api.as_user(superuser).patch(
        reverse("talent-detail", args=[talent.pk]),
        {"status": "departed", "left_on": str(TODAY)},
        format="json",
    )
    assert response.status_code == 200
    talent.refresh_from_db()
    assert (talent.status, talent.left_on) == (codes.TalentStatus.ACTIVE, None)


def test_api_certify_sets_the_level(county_a, superuser, api):
    talent = f.TalentFactory(unit=county_a, level="E")
    payload = {
        "talent": talent.pk,
        "level": "A",
        "certified_on": "2025-05-01",
        "certificate_number": "遵人才认1号",
    }
    response = api.as_user(superuser).post(reverse("certification-list"), payload, format="json")
    assert response.status_code == 201, response.data
    talent.refresh_from_db()
    assert talent.level == "A"


def test_api_card_actions(county_a, superuser, api):
    card = a_card(county_a)
    client = api.as_user(superuser)
    renewed = client.post(
        reverse("talentcard-renew", args=[card.pk]), {"expires_on": str(card.expires_on)}, format="json"
    )
    assert renewed.status_code == 400 and "expires_on" in renewed.data
    later = str(card.expires_on + DAY)
    renewed = client.post(reverse("talentcard-renew", args=[card.pk]), {"expires_on": later}, format="json")
    assert renewed.status_code == 200 and renewed.data["expires_on"] == later
    lost = client.post(reverse("talentcard-report-lost", args=[card.pk]), {"on": str(TODAY)}, format="json")
    assert lost.status_code == 200 and lost.data["state"] == "lost"
    cancel_url = reverse("talentcard-cancel", args=[card.pk])
    assert client.post(cancel_url, {"on": str(TODAY)}, format="json").status_code == 400  # no reason
    cancelled = client.post(cancel_url, {"on": str(TODAY), "reason": "遗失补办"}, format="json")
    assert cancelled.status_code == 200 and cancelled.data["state_display"] == "注销"
    again = client.post(cancel_url, {"on": str(TODAY), "reason": "遗失补办"}, format="json")
    assert again.status_code == 400 and "不能重复注销" in str(again.data)
    after = client.post(
        reverse("talentcard-renew", args=[card.pk]), {"expires_on": "2099-01-01"}, format="json"
    )
    assert after.status_code == 400 and "不能续期" in str(after.data)


def test_api_card_shows_expired(county_a, superuser, api):
    card = a_card(county_a, issued_on=D(2020, 1, 1), expires_on=TODAY - DAY)
    data = api.as_user(superuser).get(reverse("talentcard-detail", args=[card.pk])).data
    assert (data["status"], data["state"], data["state_display"]) == ("valid", "expired", "过期")


def test_api_request_advance_action(county_a, superuser, api):
    request = f.ServiceRequestFactory(card__talent__unit=county_a)
    url = reverse("servicerequest-advance", args=[request.pk])
    client = api.as_user(superuser)
    skipped = client.post(url, {"to": "done"}, format="json")
    assert skipped.status_code == 400 and "status" in skipped.data
    assert client.post(url, {"to": "in_progress"}, format="json").status_code == 200
    done = client.post(url, {"to": "done", "satisfaction": "fairly_satisfied"}, format="json")
    assert done.status_code == 200, done.data
    assert (done.data["status_display"], done.data["satisfaction"], done.data["overdue"]) == (
        "办结",
        "fairly_satisfied",
        False,
    )
    twice = client.post(url, {"to": "done"}, format="json")
    assert twice.status_code == 400 and "不能再变更" in str(twice.data)


def test_api_opening_a_request_on_an_expired_card_is_a_400(county_a, superuser, api):
    card = a_card(county_a, issued_on=D(2020, 1, 1), expires_on=TODAY - DAY)
    payload = {"card": card.pk, "kind": "medical", "opened_on": str(TODAY), "due_on": str(TODAY + DAY)}
    response = api.as_user(superuser).post(reverse("servicerequest-list"), payload, format="json")
    assert response.status_code == 400 and "过期" in str(response.data["card"])


def test_api_actions_outside_jurisdiction_are_404(county_a, county_b, api):
    card = a_card(county_b)
    user = f.UserFactory(perms=["talent.view_talentcard", "talent.change_talentcard"], units=[county_a])
    response = api.as_user(user).post(
        reverse("talentcard-cancel", args=[card.pk]), {"on": str(TODAY), "reason": "x"}, format="json"
    )
    assert response.status_code == 404
    card.refresh_from_db()
    assert card.status == Card.VALID


# --- the admin ---------------------------------------------------------------------------------
def test_admin_card_cancel_action_asks_for_a_reason_then_cancels(county_a, superuser, client):
    card = a_card(county_a)
    client.force_login(superuser)
    url = reverse("admin:talent_talentcard_changelist")
    form = client.post(url, {"action": "cancel_selected", "_selected_action": [card.pk]})
    assert form.status_code == 200 and "注销原因" in form.content.decode()
    done = client.post(
        url,
        {
            "action": "cancel_selected",
            "_selected_action": [card.pk],
            "confirm": "1",
            "on": str(TODAY),
            "reason": "流失",
        },
    )
    assert done.status_code == 302
    card.refresh_from_db()
    assert card.status == Card.CANCELLED


def test_admin_advance_action_reports_a_refused_transition(county_a, superuser, client):
    request = f.ServiceRequestFactory(card__talent__unit=county_a)
    client.force_login(superuser)
    url = reverse("admin:talent_servicerequest_changelist")
    data = {"action": "advance_selected", "_selected_action": [request.pk], "confirm": "1", "to": "done"}
    response = client.post(url, data, follow=True)
    assert "不能从「受理」变为「办结」" in response.content.decode()
    client.post(url, {**data, "to": "in_progress"})
    request.refresh_from_db()
    assert request.status == Req.IN_PROGRESS


def test_admin_departure_action(county_a, superuser, client):
    talent = f.TalentFactory(unit=county_a)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:talent_talent_changelist"),
        {
            "action": "record_departure_selected",
            "_selected_action": [talent.pk],
            "confirm": "1",
            "left_on": str(TODAY),
            "leave_reason": "platform",
            "destination": "",
        },
    )
    assert response.status_code == 302
    talent.refresh_from_db()
    assert talent.status == codes.TalentStatus.DEPARTED


def test_admin_add_certification_goes_through_the_service(county_a, superuser, client):
    talent = f.TalentFactory(unit=county_a, level="E")
    client.force_login(superuser)
    response = client.post(
        reverse("admin:talent_certification_add"),
        {
            "talent": talent.pk,
            "level": "B",
            "certified_on": "2025-05-01",
            "certificate_number": "遵人才认〔2025〕88号",
            "valid_until": "",
            "basis": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    talent.refresh_from_db()
    assert talent.level == "B"
    assert talent.certifications.get().history.latest().history_user == superuser


def test_admin_add_card_for_a_talent_with_one_shows_the_error(county_a, superuser, client):
    card = a_card(county_a)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:talent_talentcard_add"),
        {
            "talent": card.talent_id,
            "number": "ZYYC700001",
            "tier": "A",
            "issued_on": str(TODAY),
            "expires_on": str(TODAY + DAY * 365),
            "commissioner": superuser.pk,
        },
    )
    assert response.status_code == 200
    assert "请续期或先注销" in response.content.decode()


def test_admin_lists_overdue_requests(county_a, superuser, client):
    f.ServiceRequestFactory(
        card__talent__unit=county_a, opened_on=TODAY - DAY * 40, due_on=TODAY - DAY, handled_by="逾期承办"
    )
    f.ServiceRequestFactory(card__talent__unit=county_a, handled_by="按时承办")
    client.force_login(superuser)
    page = client.get(reverse("admin:talent_servicerequest_changelist"), {"overdue": "1"}).content.decode()
    assert "逾期承办" in page and "按时承办" not in page
    whole = client.get(reverse("admin:talent_servicerequest_changelist")).content.decode()
    assert (
        whole.count("已逾期") == 1 and "icon-yes.svg" not in whole
    )  # said in words, on the overdue one only


def test_admin_lists_talents_by_programme_once(county_a, superuser, client):
    selection = f.SelectionFactory(talent__unit=county_a)
    f.SelectionFactory(talent=selection.talent, programme=selection.programme)  # another batch
    other = f.TalentFactory(unit=county_a)
    client.force_login(superuser)
    response = client.get(
        reverse("admin:talent_talent_changelist"),
        {"programme": selection.programme_id},
    )
    page = response.content.decode()
    change = reverse("admin:talent_talent_change", args=[selection.talent_id])
    assert page.count(f'href="{change}?') == 1
    assert reverse("admin:talent_talent_change", args=[other.pk]) not in page


def test_every_talent_admin_page_renders(county_a, superuser, client):
    request = f.ServiceRequestFactory(card__talent__unit=county_a)
    selection = f.SelectionFactory(talent=request.card.talent)
    certification = f.CertificationFactory(talent=request.card.talent)
    records = {
        "talentprogramme": selection.programme,
        "talent": request.card.talent,
        "selection": selection,
        "certification": certification,
        "talentcard": request.card,
        "servicerequest": request,
    }
    client.force_login(superuser)
    for name, obj in records.items():
        for view, args in [("add", ()), ("change", (obj.pk,)), ("changelist", ()), ("history", (obj.pk,))]:
            url = reverse(f"admin:talent_{name}_{view}", args=args)
            assert client.get(url).status_code == 200, url
    page = client.get(reverse("admin:talent_talent_change", args=[request.card.talent_id])).content.decode()
    assert request.card.number in page and certification.certificate_number in page and "有效" in page


# --- the sections' permissions -----------------------------------------------------------------
def test_sections_get_talent_permissions():
    def codenames(name):
        return set(
            Group.objects.get(name=name)
            .permissions.filter(content_type__app_label="talent")
            .values_list("codename", flat=True)
        )

    office, county, readonly = codenames("人才办"), codenames("县区组织部"), codenames("只读")
    assert {"add_talentprogramme", "change_talent", "add_talentcard", "delete_servicerequest"} <= office
    assert {"change_talent", "add_certification", "add_servicerequest"} <= county
    assert "add_talentprogramme" not in county and "view_talentprogramme" in county
    assert {"add_pointentry", "change_targetedtrainee", "add_studio", "change_talentplanindicator"} <= county
    assert "change_pointslevel" not in county and "change_pointslevel" in office  # one city-wide standard
    every_model = {m._meta.model_name for m in apps.get_app_config("talent").get_models()}
    assert readonly == {f"view_{name}" for name in every_model if not name.startswith("historical")}
