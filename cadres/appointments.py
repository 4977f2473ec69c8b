"""任免事项's services: open a case, record its steps in the configured order, complete it (the
movement through cadres.services.record_movement) or withdraw it.

"先谈话后推荐", "凡提必核", "同步监督纠错": completing refuses, listing every reason at once, while a
required step is missing or failed, the 公示 is still running or has an unresolved objection, or the
cadre is under sanction or has an open red warning. Each service runs in one transaction, locks the
case, validates through the models and writes history as `by`.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgportal import codes

from .models import (
    AppointmentCase,
    AppointmentStatus,
    AppointmentStep,
    AppointmentStepKind,
    AppointmentStepOutcome,
    Cadre,
    StepRequirement,
    add_months,
)
from .models.appointments import DERIVED_OUTCOME, MOVEMENT_KIND, PROBATION_MONTHS, SUPERVISED_KINDS
from .services import record_movement
from .teams import over_quota_refusals


def required_steps(kind: str) -> list[StepRequirement]:
    """The steps a kind of case requires, in order (the configuration staff edit in the admin)."""
    return list(StepRequirement.objects.filter(case_kind=kind).order_by("order", "id"))


def _label(step: str) -> str:
    return f"「{AppointmentStepKind(step).label}」"


def _check_open(case: AppointmentCase) -> None:
    if case.status != AppointmentStatus.OPEN:
        raise ValidationError(_("该任免事项%s，不能再办理") % case.get_status_display())


@transaction.atomic
def open_case(
    cadre: Cadre,
    *,
    kind: str,
    by,
    opened_on: datetime.date | None = None,
    proposed_unit=None,
    proposed_post: str = "",
    proposed_level: str = "",
    proposed_rank: str = "",
    removed_post: str = "",
    reason: str = "",
    submitting_unit=None,
) -> AppointmentCase:
    """动议: open a 任免事项 for a serving cadre (one open case per cadre)."""
    cadre = cadre.locked(_("该干部不存在"))
    if cadre.status != codes.CadreStatus.SERVING:
        raise ValidationError(
            {"cadre": _("该干部当前状态为「%s」，不能办理任免事项") % cadre.get_status_display()}
        )
    if not StepRequirement.objects.filter(case_kind=kind).exists():
        raise ValidationError({"kind": _("该任免类别尚未配置任免程序（任免程序配置）")})
    case = AppointmentCase(
        cadre=cadre,
        kind=kind,
        opened_on=opened_on or timezone.localdate(),
        proposed_unit=proposed_unit,
        proposed_post=proposed_post or "",
        proposed_level=proposed_level or "",
        proposed_rank=proposed_rank or "",
        removed_post=removed_post or "",
        reason=reason or "",
        submitting_unit=submitting_unit,
    )
    case.save_as(by)
    return case


def _step_outcome(step: AppointmentStep, requirement: StepRequirement) -> tuple[str, str]:
    """The outcome of a step whose result follows from the record, and why it failed ("" if passed)."""
    if step.step == AppointmentStepKind.RECOMMENDATION:
        share = step.share_for
        if requirement.min_share is not None and share is not None and share < requirement.min_share:
            return AppointmentStepOutcome.FAILED, _("同意票占 %(share).1f%%，低于 %(min).1f%%") % {
                "share": share * 100,
                "min": requirement.min_share * 100,
            }
        return AppointmentStepOutcome.PASSED, ""
    if step.step == AppointmentStepKind.DECISION:
        if (step.votes_for or 0) * 2 > (step.members_expected or step.votes_total):
            return AppointmentStepOutcome.PASSED, ""
        return AppointmentStepOutcome.FAILED, _("同意票未超过应到会成员半数")
    if step.step == AppointmentStepKind.CHECK:
        if step.promotion_check.result == codes.CheckResult.FAILED:
            return AppointmentStepOutcome.FAILED, _("凡提必核未通过")
        return AppointmentStepOutcome.PASSED, ""
    return step.outcome, ""


@transaction.atomic
def record_step(
    case: AppointmentCase,
    *,
    step: str,
    started_on: datetime.date,
    by,
    ended_on: datetime.date | None = None,
    participants: str = "",
    outcome: str = AppointmentStepOutcome.PASSED,
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
    members_expected: int | None = None,
    meeting: str = "",
    team: str = "",
    findings: str = "",
    material=None,
    promotion_check=None,
    doc_number: str = "",
    notes: str = "",
) -> AppointmentStep:
    """Record one step of an open case, in the configured order: every step before it must be
    recorded and passed. 民主推荐 and 讨论决定 pass or fail by their votes (the configured share;
    more than half of the members who should attend, two thirds of them present), 凡提必核 by the linked check (the cadre's latest when none is given)."""
    case = case.locked(_("该任免事项不存在"))
    _check_open(case)
    requirements = required_steps(case.kind)
    by_step = {r.step: r for r in requirements}
    if step not in by_step:
        raise ValidationError(
            {
                "step": _("「%(kind)s」事项的程序不含%(step)s")
                % {"kind": case.get_kind_display(), "step": _label(step)}
            }
        )
    recorded = {s.step: s for s in case.steps.all()}
    if step in recorded:
        raise ValidationError({"step": _("该任免事项已记录%s") % _label(step)})
    earlier = [r.step for r in requirements[: requirements.index(by_step[step])]]
    missing = [s for s in earlier if s not in recorded]
    if missing:
        raise ValidationError({"step": _("请先完成%s") % "、".join(_label(s) for s in missing)})
    failed = [s for s in earlier if recorded[s].outcome == AppointmentStepOutcome.FAILED]
    if failed:
        raise ValidationError(
            {"step": _("%s未通过，不能继续后续程序") % "、".join(_label(s) for s in failed)}
        )
    previous = max((recorded[s].started_on for s in earlier), default=case.opened_on)
    if started_on < previous:
        raise ValidationError({"started_on": _("日期不能早于上一步骤的日期（%s）") % previous})
    publicity = recorded.get(AppointmentStepKind.PUBLICITY)
    if publicity is not None and publicity.step in earlier and started_on <= publicity.ended_on:
        raise ValidationError({"started_on": _("任前公示%s期满，此后才能进行后续步骤") % publicity.ended_on})
    if step == AppointmentStepKind.CHECK:
        promotion_check = (
            promotion_check or case.cadre.promotion_checks.order_by("-checked_on", "-id").first()
        )
        if promotion_check is None:
            raise ValidationError({"promotion_check": _("该干部尚无凡提必核记录，请先进行凡提必核")})
        if promotion_check.result == codes.CheckResult.PENDING:
            raise ValidationError({"promotion_check": _("凡提必核尚有待核查项目，不能记录")})
    record = AppointmentStep(
        case=case,
        step=step,
        started_on=started_on,
        ended_on=ended_on,
        participants=participants or "",
        outcome=outcome or AppointmentStepOutcome.PASSED,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
        members_expected=members_expected,
        meeting=meeting or "",
        team=team or "",
        findings=findings or "",
        material=material or "",
        promotion_check=promotion_check if step == AppointmentStepKind.CHECK else None,
        doc_number=doc_number or "",
        notes=notes or "",
    )
    if step in DERIVED_OUTCOME:
        record.full_clean()  # the votes are there before they are counted
        record.outcome, why = _step_outcome(record, by_step[step])
        if why:
            record.notes = f"{record.notes}\n{why}".strip()
    record.save_as(by)
    return record


def completion_refusals(case: AppointmentCase, on: datetime.date) -> list[str]:
    """Every reason the case cannot be completed on `on` (empty: it can)."""
    reasons = []
    recorded = {s.step: s for s in case.steps.prefetch_related("objections")}
    requirements = required_steps(case.kind)
    missing = [r.step for r in requirements if r.step not in recorded]
    if missing:
        reasons.append(_("缺少必经程序：%s") % "、".join(_label(s) for s in missing))
    for requirement in requirements:
        step = recorded.get(requirement.step)
        if step is not None and step.outcome == AppointmentStepOutcome.FAILED:
            reasons.append(_("%s未通过") % _label(step.step))
    publicity = recorded.get(AppointmentStepKind.PUBLICITY)
    if publicity is not None:
        if publicity.ended_on and on <= publicity.ended_on:
            reasons.append(_("任前公示尚未期满（%s截止）") % publicity.ended_on)
        open_objections = [o for o in publicity.objections.all() if not o.resolved]
        if open_objections:
            reasons.append(_("任前公示期间有%d条反映尚未核查办结") % len(open_objections))
    appointment = recorded.get(AppointmentStepKind.APPOINTMENT)
    if appointment is not None and on < appointment.started_on:
        reasons.append(_("办结日期不能早于任职日期（%s）") % appointment.started_on)
    if case.kind in SUPERVISED_KINDS:
        cadre = case.cadre
        if Cadre.objects.under_sanction(on).filter(pk=cadre.pk).exists():
            reasons.append(_("该干部处于处分或组织处理影响期内"))
        if cadre.warnings.filter(closed_on__isnull=True, level=codes.WarningLevel.RED).exists():
            reasons.append(_("该干部有未解除的红色预警"))
    return [str(reason) for reason in reasons]


@transaction.atomic
def complete_case(case: AppointmentCase, *, by, on: datetime.date | None = None) -> AppointmentCase:
    """办结: record the movement (kind from the case, post/unit/level/rank from 拟任, date and 文号 from
    the 任职 step when there is one), set the 试用期 where the kind has one, and close the case.
    Refuses with every reason at once (completion_refusals)."""
    case = case.locked(_("该任免事项不存在"))
    _check_open(case)
    on = on or timezone.localdate()
    reasons = completion_refusals(case, on) + over_quota_refusals(case)
    if reasons:
        raise ValidationError(reasons)
    appointment = case.steps.filter(step=AppointmentStepKind.APPOINTMENT).first()
    date = appointment.started_on if appointment else on
    movement = record_movement(
        case.cadre,
        kind=MOVEMENT_KIND[case.kind],
        date=date,
        doc_number=appointment.doc_number if appointment else "",
        to_unit=case.proposed_unit,
        to_post=case.proposed_post,
        to_level=case.proposed_level,
        to_rank=case.proposed_rank,
        note=_("任免事项：%s") % case,
        by=by,
    )
    months = PROBATION_MONTHS.get(case.kind)
    if months:
        cadre = case.cadre.locked(_("该干部不存在"))
        cadre.probation_until = add_months(date, months) - datetime.timedelta(days=1)
        cadre.save_as(by)
    case.status, case.completed_on, case.movement = AppointmentStatus.COMPLETED, on, movement
    case.save_as(by)
    return case


@transaction.atomic
def withdraw_case(
    case: AppointmentCase, *, reason: str, by, on: datetime.date | None = None
) -> AppointmentCase:
    """撤销: the case is kept, closed, with its reason and date."""
    case = case.locked(_("该任免事项不存在"))
    _check_open(case)
    if not (reason or "").strip():
        raise ValidationError({"withdraw_reason": _("请填写撤销原因")})
    case.status, case.withdrawn_on, case.withdraw_reason = (
        AppointmentStatus.WITHDRAWN,
        on or timezone.localdate(),
        reason.strip(),
    )
    case.save_as(by)
    return case
