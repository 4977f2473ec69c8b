"""Every write on talent records that has a rule: certification, talent cards, service requests,
departures, 乡土人才积分 review and certification by points, and the targeted trainees' placement,
completion, breach and withdrawal.

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

from .models import (
    Certification,
    ServiceRequest,
    Talent,
    TalentCard,
    TargetedTrainee,
    add_years,
    format_points,
)

CardStatus, RequestStatus = codes.TalentCardStatus, codes.ServiceRequestStatus

# 受理 → 办理中 → 办结 / 不予办理; 不予办理 may also be decided at 受理.
REQUEST_TRANSITIONS: dict[str, tuple[str, ...]] = {
    RequestStatus.ACCEPTED: (RequestStatus.IN_PROGRESS, RequestStatus.REFUSED),
    RequestStatus.IN_PROGRESS: (RequestStatus.DONE, RequestStatus.REFUSED),
    RequestStatus.DONE: (),
    RequestStatus.REFUSED: (),
}


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
    talent = talent.locked(_("该人才不存在"))  # its level changes; its certifications serialise
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
    talent = talent.locked(_("该人才不存在"))  # two issues for one talent serialise here
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
    return card.locked(_("该英才卡不存在"))


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
    if not card.issued_on <= on <= timezone.localdate():
        raise ValidationError({"lost_on": _("挂失日期应在发卡日期（%s）至今天之间") % card.issued_on})
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
    if not card.issued_on <= on <= timezone.localdate():
        raise ValidationError({"cancelled_on": _("注销日期应在发卡日期（%s）至今天之间") % card.issued_on})
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
    request = request.locked(_("该服务事项不存在"))
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
    talent = talent.locked(_("该人才不存在"))
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


# --- 乡土人才积分 ---------------------------------------------------------------------------------
def points_standing(talent: Talent) -> tuple:
    """(approved points, the level they reach or '', whether that proposes a certification)."""
    standing = Talent.objects.with_points().values_list("points_total", "points_level").get(pk=talent.pk)
    total, level = standing
    proposed = (
        bool(level)
        and talent.status == codes.TalentStatus.ACTIVE
        and (not talent.level or level < talent.level)
    )
    return total, level, proposed


@transaction.atomic
def certify_by_points(
    talent: Talent, *, on: datetime.date, number: str, valid_until: datetime.date | None, by
) -> Certification:
    """Confirm the certification that a rural talent's approved points propose: at the level the
    points reach, with the points as its basis."""
    talent = talent.locked(_("该人才不存在"))
    total, level, proposed = points_standing(talent)
    if not level:
        raise ValidationError(
            {
                "level": _("%(name)s的积分（%(total)s分）未达到任何认定层次的门槛")
                % {"name": talent.name, "total": format_points(total)}
            }
        )
    if not proposed:
        raise ValidationError(
            {
                "level": _("%(name)s的积分对应%(level)s，不高于现有层次，无需认定")
                % {"name": talent.name, "level": codes.TalentLevel(level).label}
            }
        )
    basis = _("乡土人才积分%(total)s分，达到%(level)s认定标准") % {
        "total": format_points(total),
        "level": codes.TalentLevel(level).label,
    }
    return certify(talent, level=level, on=on, number=number, valid_until=valid_until, by=by, basis=basis)


# --- 定向培养 -------------------------------------------------------------------------------------
Trainee = codes.TraineeStatus


def _locked_trainee(trainee: TargetedTrainee, allowed: tuple[str, ...], doing) -> TargetedTrainee:
    trainee = trainee.locked(_("该定向培养学生不存在"))
    if trainee.status not in allowed:
        raise ValidationError(
            {
                "status": _("%(name)s的状态为「%(status)s」，不能%(doing)s")
                % {"name": trainee.name, "status": trainee.get_status_display(), "doing": doing}
            }
        )
    return trainee


@transaction.atomic
def place_trainee(trainee: TargetedTrainee, *, unit, on: datetime.date, by) -> TargetedTrainee:
    """就业: a trainee at school takes up the post the agreement owes; the service years run from `on`."""
    trainee = _locked_trainee(trainee, (Trainee.STUDYING,), _("登记就业"))
    if on < trainee.enrolled_on:
        raise ValidationError({"placed_on": _("就业日期不能早于入学日期（%s）") % trainee.enrolled_on})
    if on > timezone.localdate():
        raise ValidationError({"placed_on": _("就业日期不能晚于今天")})
    trainee.status, trainee.placement_unit, trainee.placed_on = Trainee.PLACED, unit, on
    _save(by, trainee)
    return trainee


@transaction.atomic
def complete_service(trainee: TargetedTrainee, *, on: datetime.date, by) -> TargetedTrainee:
    """履约期满: only once the years of service owed have passed."""
    trainee = _locked_trainee(trainee, (Trainee.PLACED,), _("登记履约期满"))
    due = add_years(trainee.placed_on, trainee.service_years)
    if on < due:
        raise ValidationError(
            {
                "ended_on": _("约定服务%(years)d年，%(due)s起才期满")
                % {"years": trainee.service_years, "due": due}
            }
        )
    trainee.status, trainee.ended_on = Trainee.COMPLETED, on
    _save(by, trainee)
    return trainee


def _end(trainee: TargetedTrainee, status: str, on: datetime.date, reason: str, by) -> TargetedTrainee:
    if not reason.strip():
        raise ValidationError({"end_reason": _("请填写原因")})
    start = trainee.placed_on or trainee.agreement_signed_on
    if on < start:
        raise ValidationError({"ended_on": _("日期不能早于%s") % start})
    if on > timezone.localdate():
        raise ValidationError({"ended_on": _("日期不能晚于今天")})
    trainee.status, trainee.ended_on, trainee.end_reason = status, on, reason.strip()
    _save(by, trainee)
    return trainee


@transaction.atomic
def record_breach(trainee: TargetedTrainee, *, on: datetime.date, reason: str, by) -> TargetedTrainee:
    """违约: a trainee who does not take up, or leaves, the service owed (at school or placed)."""
    trainee = _locked_trainee(trainee, (Trainee.STUDYING, Trainee.PLACED), _("登记违约"))
    return _end(trainee, Trainee.BREACHED, on, reason, by)


@transaction.atomic
def withdraw_trainee(trainee: TargetedTrainee, *, on: datetime.date, reason: str, by) -> TargetedTrainee:
    """退学（终止培养）: the agreement ends while the trainee is still at school."""
    trainee = _locked_trainee(trainee, (Trainee.STUDYING,), _("登记退学"))
    return _end(trainee, Trainee.WITHDRAWN, on, reason, by)
