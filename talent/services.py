"""Every write on talent records that has a rule: certification, talent cards, service requests and
departures.

Each service runs in one transaction, locks the row it changes, validates through the models' own
rules, records `by` as the history author, and raises ValidationError with a message a user can
read. The admin and the API call these; neither re-implements them.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgportal import codes

from .models import Certification, ServiceRequest, Talent, TalentCard

CardStatus, RequestStatus = codes.TalentCardStatus, codes.ServiceRequestStatus

# 受理 → 办理中 → 办结 / 不予办理; 不予办理 may also be decided at 受理.
REQUEST_TRANSITIONS: dict[str, tuple[str, ...]] = {
    RequestStatus.ACCEPTED: (RequestStatus.IN_PROGRESS, RequestStatus.REFUSED),
    RequestStatus.IN_PROGRESS: (RequestStatus.DONE, RequestStatus.REFUSED),
    RequestStatus.DONE: (),
    RequestStatus.REFUSED: (),
}


def _locked(model, obj, missing: str):
    try:
        return model.objects.select_for_update().get(pk=obj.pk)
    except model.DoesNotExist:
        raise ValidationError(missing) from None


def _save(by, *records) -> None:
    for record in records:  # inside the service's transaction: all or nothing
        record.save_as(by)


# --- certification ---------------------------------------------------------------------------------
@transaction.atomic
def certify(
    talent: Talent,
    *,
    level: str,
    on: datetime.date,
    number: str,
    valid_until: datetime.date | None,
    by,
    basis: str = "",
) -> Certification:
    """高层次人才认定: record the certificate and bring the talent's level to the certified one."""
    talent = _locked(Talent, talent, _("该人才不存在"))  # its level changes; its certifications serialise
    certification = Certification(
        talent=talent,
        level=level,
        certified_on=on,
        certificate_number=number,
        valid_until=valid_until,
        basis=basis,
    )
    certification.full_clean()
    talent.level = level
    _save(by, talent, certification)
    return certification


# --- talent cards ------------------------------------------------------------------------------
@transaction.atomic
def issue_card(
    talent: Talent,
    *,
    number: str,
    tier: str,
    on: datetime.date,
    expires_on: datetime.date,
    commissioner,
    by,
) -> TalentCard:
    """发放英才卡 with its service commissioner; a talent holds one card not cancelled at a time."""
    talent = _locked(Talent, talent, _("该人才不存在"))  # two issues for one talent serialise here
    card = TalentCard(
        talent=talent,
        number=number,
        tier=tier,
        issued_on=on,
        expires_on=expires_on,
        commissioner=commissioner,
    )
    card.full_clean()
    _save(by, card)
    return card


def _locked_card(card: TalentCard) -> TalentCard:
    return _locked(TalentCard, card, _("该英才卡不存在"))


@transaction.atomic
def renew_card(card: TalentCard, *, expires_on: datetime.date, by) -> TalentCard:
    """续期: a later expiry date for a card neither cancelled nor reported lost (expired ones too)."""
    card = _locked_card(card)
    if card.status == CardStatus.CANCELLED:
        raise ValidationError({"status": _("该英才卡已于%s注销，不能续期") % card.cancelled_on})
    if card.status == CardStatus.LOST:
        raise ValidationError({"status": _("该英才卡已于%s挂失，不能续期，请注销后补发新卡") % card.lost_on})
    if expires_on <= card.expires_on:
        raise ValidationError({"expires_on": _("新的有效期须晚于原有效期（%s）") % card.expires_on})
    card.expires_on = expires_on
    card.full_clean()
    _save(by, card)
    return card


@transaction.atomic
def report_card_lost(card: TalentCard, *, on: datetime.date, by) -> TalentCard:
    """挂失 a card in force; it can then only be cancelled (and a new card issued)."""
    card = _locked_card(card)
    if card.status != CardStatus.VALID:
        raise ValidationError({"status": _("该英才卡状态为「%s」，不能挂失") % card.get_status_display()})
    if on < card.issued_on:
        raise ValidationError({"lost_on": _("挂失日期不能早于发卡日期（%s）") % card.issued_on})
    card.status, card.lost_on = CardStatus.LOST, on
    card.full_clean()
    _save(by, card)
    return card


@transaction.atomic
def cancel_card(card: TalentCard, *, on: datetime.date, by, reason: str) -> TalentCard:
    """注销: the card stays on record, closed, with date and reason; the talent may get a new one."""
    card = _locked_card(card)
    if card.status == CardStatus.CANCELLED:
        raise ValidationError({"status": _("该英才卡已于%s注销，不能重复注销") % card.cancelled_on})
    if not reason or not reason.strip():
        raise ValidationError({"cancel_reason": _("请填写注销原因")})
    if on < card.issued_on:
        raise ValidationError({"cancelled_on": _("注销日期不能早于发卡日期（%s）") % card.issued_on})
    card.status, card.cancelled_on, card.cancel_reason = CardStatus.CANCELLED, on, reason.strip()
    card.full_clean()
    _save(by, card)
    return card


# --- service requests --------------------------------------------------------------------------
@transaction.atomic
def open_request(
    card: TalentCard,
    *,
    kind: str,
    on: datetime.date,
    due_on: datetime.date,
    by,
    detail: str = "",
    handled_by: str = "",
) -> ServiceRequest:
    """受理 a service request on a card in force on that day (not expired, lost or cancelled)."""
    card = _locked_card(card)  # the card is in force on `on` (ServiceRequest.clean)
    request = ServiceRequest(
        card=card, kind=kind, detail=detail, opened_on=on, due_on=due_on, handled_by=handled_by
    )
    request.full_clean()
    _save(by, request)
    return request


@transaction.atomic
def advance_request(
    request: ServiceRequest,
    *,
    to: str,
    by,
    reason: str = "",
    on: datetime.date | None = None,
    satisfaction: str = "",
    handled_by: str = "",
) -> ServiceRequest:
    """Move a request on: 受理 → 办理中 → 办结 / 不予办理 (which needs a reason). A closed request
    stays closed; `on` (default today) dates the closing; satisfaction is recorded when 办结."""
    request = _locked(ServiceRequest, request, _("该服务事项不存在"))
    labels = dict(RequestStatus.choices)
    if to not in labels:
        raise ValidationError({"status": _("「%s」不是有效的办理状态") % to})
    if to not in REQUEST_TRANSITIONS[request.status]:
        if request.status in (RequestStatus.DONE, RequestStatus.REFUSED):
            message = _("该服务事项已于%(on)s%(status)s，不能再变更") % {
                "on": request.closed_on,
                "status": request.get_status_display(),
            }
        else:
            message = _("办理状态不能从「%(from)s」变为「%(to)s」") % {
                "from": request.get_status_display(),
                "to": labels[to],
            }
        raise ValidationError({"status": message})
    if to == RequestStatus.REFUSED and not reason.strip():
        raise ValidationError({"reason": _("不予办理时请填写理由")})
    if satisfaction and to != RequestStatus.DONE:
        raise ValidationError({"satisfaction": _("办结时才能记录满意度")})
    request.status = to
    if to in (RequestStatus.DONE, RequestStatus.REFUSED):
        request.closed_on = on or timezone.localdate()
    if to == RequestStatus.REFUSED:
        request.reason = reason.strip()
    if satisfaction:
        request.satisfaction = satisfaction
    if handled_by:
        request.handled_by = handled_by
    request.full_clean()
    _save(by, request)
    return request


# --- departures --------------------------------------------------------------------------------
@transaction.atomic
def record_departure(talent: Talent, *, on: datetime.date, reason: str, destination: str, by) -> Talent:
    """流失: the talent's record stays (with date, reason and where they went); nothing is deleted."""
    talent = _locked(Talent, talent, _("该人才不存在"))
    if talent.status == codes.TalentStatus.DEPARTED:
        raise ValidationError({"status": _("该人才已于%s流失，不能重复登记") % talent.left_on})
    if not reason:
        raise ValidationError({"leave_reason": _("请选择流失原因")})
    if reason not in codes.TalentDepartureReason.values:
        raise ValidationError({"leave_reason": _("「%s」不是有效的流失原因") % reason})
    if on > timezone.localdate():
        raise ValidationError({"left_on": _("流失日期不能晚于今天")})
    talent.status, talent.left_on = codes.TalentStatus.DEPARTED, on
    talent.leave_reason, talent.destination = reason, destination.strip()
    talent.full_clean()
    _save(by, talent)
    return talent
