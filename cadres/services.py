"""Every write on a cadre that touches more than one row or has a rule.

Each service runs in one transaction, locks the cadre it changes, validates through the models'
own rules, records `by` as the history author, and raises ValidationError with a message a user
can read. The admin and the API call these; neither re-implements them.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from orgportal import access, codes
from orgportal.history import acting_as

from .models import Cadre, CadreWarning, Movement, PoolMembership, Programme, PromotionCheck, Sanction


@transaction.atomic
def record_movement(
    cadre: Cadre,
    *,
    kind: str,
    date: datetime.date,
    by,
    doc_number: str = "",
    to_unit=None,
    to_post: str = "",
    to_level: str = "",
    to_rank: str = "",
    note: str = "",
) -> Movement:
    """Record a 任免/进退留转 and bring the cadre's current unit, post, level, rank and status up to date."""
    cadre = cadre.locked(_("该干部不存在"))
    movement = Movement(
        cadre=cadre,
        kind=kind,
        date=date,
        doc_number=doc_number,
        note=note,
        from_unit=cadre.unit,
        from_post=cadre.post,
        from_level=cadre.level,
        from_rank=cadre.rank,
        to_unit=to_unit,
        to_post=to_post,
        to_level=to_level,
        to_rank=to_rank,
    )
    movement.full_clean()  # the rules, and the cadre as the movement leaves it (Movement.clean)
    movement.apply_to(cadre)
    if by is not None:
        access.check_writable(by, cadre)
    with acting_as(by):
        cadre.save()
        movement.save()
    return movement


@transaction.atomic
def add_sanction(
    cadre: Cadre,
    *,
    sanction: str,
    decided_on: datetime.date,
    by,
    issuer: str = "",
    doc_number: str = "",
    reason: str = "",
    influence_months: int | None = None,
) -> Sanction:
    """Record a 处分/组织处理/诫勉; the influence period defaults from the regulations' table."""
    cadre = cadre.locked(_("该干部不存在"))
    record = Sanction(
        cadre=cadre,
        sanction=sanction,
        decided_on=decided_on,
        issuer=issuer,
        doc_number=doc_number,
        reason=reason,
        influence_months=influence_months,
    )
    record.save_as(by)
    return record


@transaction.atomic
def raise_warning(
    cadre: Cadre, *, level: str, source: str, raised_on: datetime.date, by, note: str = ""
) -> CadreWarning:
    """Raise a 红橙黄蓝 warning on a cadre."""
    cadre = cadre.locked(_("该干部不存在"))
    warning = CadreWarning(cadre=cadre, level=level, source=source, raised_on=raised_on, note=note)
    warning.save_as(by)
    return warning


@transaction.atomic
def close_warning(warning: CadreWarning, *, closed_on: datetime.date, by, note: str = "") -> CadreWarning:
    """Close (解除) an open warning."""
    warning = warning.locked(_("该预警不存在"))
    if warning.closed_on is not None:
        raise ValidationError({"closed_on": _("该预警已于%s解除") % warning.closed_on})
    warning.closed_on = closed_on
    if note:
        warning.note = f"{warning.note}\n{note}".strip()
    warning.save_as(by)
    return warning


def discipline_check(cadre: Cadre, on: datetime.date) -> str:
    """凡提必核's discipline item as the records answer it: failed under a sanction or an open 红/橙
    warning (Cadre.promotion_blockers, which the check's own rule also applies)."""
    return codes.CheckResult.FAILED if cadre.promotion_blockers(on) else codes.CheckResult.PASSED


@transaction.atomic
def record_promotion_check(
    cadre: Cadre,
    *,
    proposed_post: str,
    checked_on: datetime.date,
    by,
    archive: str = codes.CheckResult.PENDING,
    personal_matters: str = codes.CheckResult.PENDING,
    discipline: str | None = None,
    petition: str = codes.CheckResult.PENDING,
    notes: str = "",
) -> PromotionCheck:
    """凡提必核 for a proposed appointment; the discipline item defaults to what the records show."""
    cadre = cadre.locked(_("该干部不存在"))
    check = PromotionCheck(
        cadre=cadre,
        proposed_post=proposed_post,
        checked_on=checked_on,
        archive=archive,
        personal_matters=personal_matters,
        discipline=discipline or discipline_check(cadre, checked_on),
        petition=petition,
        notes=notes,
    )
    check.save_as(by)
    return check


# --- the young-cadre pool ------------------------------------------------------------------------
ADMISSIBLE_STATUS = codes.CadreStatus.SERVING


def default_tier(cadre: Cadre, programme: Programme | None) -> str:
    """A member's tier when none is given: the programme's, else the cadre's current level."""
    return (programme.tier if programme else "") or cadre.level


@transaction.atomic
def admit_to_pool(
    cadre: Cadre,
    *,
    source: str,
    on: datetime.date,
    by,
    programme: Programme | None = None,
    tier: str | None = None,
    recommending_unit=None,
) -> PoolMembership:
    """纳入优秀年轻干部库. The tier defaults from the programme, then from the cadre's current level."""
    cadre = cadre.locked(_("该干部不存在"))
    if cadre.status != ADMISSIBLE_STATUS:
        raise ValidationError(
            {"cadre": _("该干部当前状态为「%s」，不能纳入年轻干部库") % cadre.get_status_display()}
        )
    if cadre.memberships.filter(status=codes.PoolStatus.IN).exists():
        raise ValidationError({"cadre": _("该干部已在库中")})
    tier = tier or default_tier(cadre, programme)
    if not tier:
        raise ValidationError({"tier": _("请填写培养层级（计划和干部现职务层次都未给出）")})
    last_exit = cadre.memberships.filter(status=codes.PoolStatus.OUT).order_by("-exited_on").first()
    if last_exit and on < last_exit.exited_on:
        raise ValidationError({"entered_on": _("入库日期不能早于上次出库日期（%s）") % last_exit.exited_on})
    membership = PoolMembership(
        cadre=cadre,
        programme=programme,
        tier=tier,
        entered_on=on,
        source=source,
        recommending_unit=recommending_unit,
    )
    membership.save_as(by)
    return membership


@transaction.atomic
def exit_pool(
    membership: PoolMembership, *, reason: str, on: datetime.date, by, note: str = ""
) -> PoolMembership:
    """调整出库: who, when and why are kept (the membership stays, closed; the cadre may re-enter)."""
    membership = membership.locked(_("该入库记录不存在"))
    if membership.status != codes.PoolStatus.IN:
        raise ValidationError(
            {
                "status": _("该干部已于%(on)s出库（%(reason)s），不能重复出库")
                % {"on": membership.exited_on, "reason": membership.get_exit_reason_display()}
            }
        )
    if not reason:
        raise ValidationError({"exit_reason": _("请选择出库原因")})
    if reason not in codes.PoolExitReason.values:
        raise ValidationError({"exit_reason": _("「%s」不是有效的出库原因") % reason})
    if on < membership.entered_on:
        raise ValidationError({"exited_on": _("出库日期不能早于入库日期（%s）") % membership.entered_on})
    membership.status, membership.exited_on = codes.PoolStatus.OUT, on
    membership.exit_reason, membership.exit_note = reason, note
    membership.save_as(by)
    return membership
