"""Every write on training records that has a rule: enrolment (调训报名), confirmation against the
class's capacity and the units' quotas, withdrawal (退训), absence (缺训), attendance, and the
class's completion (结业: hours credited, certificates issued).

Each service runs in one transaction, locks the rows it changes, validates through the models' own
rules, records `by` as the history author (`save_as`), and raises ValidationError with a message a
user can read. The admin and the API call these; neither re-implements them.
"""

import datetime
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre
from orgportal.codes import AttendanceStatus, ClassStatus, EnrolmentStatus
from orgportal.models import PATH_SEGMENT

from .models import (
    ATTENDING_STATUSES,
    MISSED_ATTENDANCE,
    PLACED_STATUSES,
    Attendance,
    ClassEvaluation,
    Course,
    CourseEvaluation,
    Enrolment,
    PlanQuota,
    TrainingClass,
)

Status = EnrolmentStatus


def _locked_class(training_class: TrainingClass) -> TrainingClass:
    return training_class.locked(_("该班次不存在"))


def _locked_enrolment(enrolment: Enrolment, allowed: tuple[str, ...], doing) -> Enrolment:
    enrolment = enrolment.locked(_("该调训记录不存在"))
    if enrolment.status not in allowed:
        raise ValidationError(
            {
                "status": _("%(name)s的调训状态为「%(status)s」，不能%(doing)s")
                % {"name": enrolment.cadre.name, "status": enrolment.get_status_display(), "doing": doing}
            }
        )
    return enrolment


def _reason(reason: str, field: str = "end_reason") -> str:
    if not reason or not reason.strip():
        raise ValidationError({field: _("请填写原因")})
    return reason.strip()


@transaction.atomic
def enrol(cadre: Cadre, training_class: TrainingClass, *, by) -> Enrolment:
    """报名: a serving (在职) cadre (Enrolment.clean), once per class, to a class not yet finished."""
    training_class = _locked_class(training_class)  # enrolments of one class serialise here
    if Enrolment.objects.filter(cadre=cadre, training_class=training_class).exists():
        raise ValidationError(
            {"cadre": _("%(name)s已报名班次“%(class)s”") % {"name": cadre.name, "class": training_class}}
        )
    enrolment = Enrolment(cadre=cadre, training_class=training_class)
    enrolment.save_as(by)
    return enrolment


def _ancestor_paths(path: str) -> list[str]:
    """ "00000001/00000007/" → ["00000001/", "00000001/00000007/"]: the unit and those above it."""
    return [path[:end] for end in range(PATH_SEGMENT, len(path) + 1, PATH_SEGMENT)]


@transaction.atomic
def confirm_enrolment(enrolment: Enrolment, *, by) -> Enrolment:
    """调训确认: within the class's capacity and within every quota (PlanQuota) set for the cadre's
    unit or a unit above it — a quota counts the placed trainees of its unit's whole subtree."""
    training_class = _locked_class(enrolment.training_class)  # capacity and quotas serialise here
    enrolment = _locked_enrolment(enrolment, (Status.APPLIED,), _("确认调训"))
    if training_class.status == ClassStatus.FINISHED:
        raise ValidationError({"training_class": _("班次“%s”已结业，不能确认调训") % training_class})
    placed = training_class.enrolments.filter(status__in=PLACED_STATUSES)
    if placed.count() >= training_class.capacity:
        raise ValidationError(
            {
                "training_class": _("班次“%(class)s”计划%(capacity)d人，已满")
                % {"class": training_class, "capacity": training_class.capacity}
            }
        )
    unit_path = enrolment.cadre.unit.path
    quotas = PlanQuota.objects.filter(
        training_class=training_class, unit__path__in=_ancestor_paths(unit_path)
    )
    for quota in quotas.select_related("unit"):
        taken = placed.filter(cadre__unit__path__startswith=quota.unit.path).count()
        if taken >= quota.count:
            raise ValidationError(
                {
                    "training_class": _("%(unit)s在该班次的调训名额（%(count)d人）已满")
                    % {"unit": quota.unit.name, "count": quota.count}
                }
            )
    enrolment.status = Status.CONFIRMED
    enrolment.save_as(by)
    return enrolment


@transaction.atomic
def withdraw(enrolment: Enrolment, *, reason: str, by, on: datetime.date | None = None) -> Enrolment:
    """退训 (with a reason): before completion, from 报名, 调训确认 or 在训."""
    enrolment = _locked_enrolment(enrolment, (Status.APPLIED, *ATTENDING_STATUSES), _("退训"))
    enrolment.end_reason = _reason(reason)
    enrolment.status, enrolment.ended_on = Status.WITHDRAWN, on or timezone.localdate()
    enrolment.save_as(by)
    return enrolment


@transaction.atomic
def mark_absent(enrolment: Enrolment, *, reason: str, by, on: datetime.date | None = None) -> Enrolment:
    """缺训 (with a reason): a confirmed or in-training cadre who did not take part."""
    enrolment = _locked_enrolment(enrolment, ATTENDING_STATUSES, _("登记缺训"))
    enrolment.end_reason = _reason(reason)
    enrolment.status, enrolment.ended_on = Status.ABSENT, on or timezone.localdate()
    enrolment.save_as(by)
    return enrolment


@transaction.atomic
def record_attendance(enrolment: Enrolment, course: Course, *, status: str, by) -> Attendance:
    """考勤 of a confirmed or in-training enrolment at a course of its own class; recording again
    for the same course corrects the earlier record."""
    enrolment = _locked_enrolment(enrolment, ATTENDING_STATUSES, _("登记考勤"))
    if course.training_class_id != enrolment.training_class_id:
        raise ValidationError({"course": _("该课程不属于学员所在班次")})
    attendance = Attendance.objects.filter(enrolment=enrolment, course=course).first() or Attendance(
        enrolment=enrolment, course=course
    )
    attendance.status = status
    attendance.save_as(by)
    return attendance


@transaction.atomic
def start_class(training_class: TrainingClass, *, by) -> TrainingClass:
    """开班: the class goes 在训 and its confirmed enrolments with it."""
    training_class = _locked_class(training_class)
    if training_class.status not in (ClassStatus.PREPARING, ClassStatus.ENROLLING):
        raise ValidationError(
            {"status": _("班次状态为「%s」，不能开班") % training_class.get_status_display()}
        )
    training_class.status = ClassStatus.IN_SESSION
    training_class.save_as(by)
    for enrolment in training_class.enrolments.select_for_update().filter(status=Status.CONFIRMED):
        enrolment.status = Status.IN_TRAINING
        enrolment.save_as(by)
    return training_class


def credited_hours(enrolment: Enrolment, class_hours: Decimal) -> Decimal:
    """The class's hours less the hours of its courses the trainee missed (缺勤 or 请假), not below 0."""
    missed = (
        Course.objects.filter(
            attendances__enrolment=enrolment, attendances__status__in=MISSED_ATTENDANCE
        ).aggregate(total=Sum("hours"))["total"]
        or 0
    )
    return max(class_hours - missed, Decimal(0))


@transaction.atomic
def complete_class(training_class: TrainingClass, *, on: datetime.date, by) -> TrainingClass:
    """结业, on or after the class's end date. Every confirmed or in-training enrolment is completed:

    - hours credited = the class's hours less the hours of the courses marked 缺勤 or 请假 for that
      enrolment (never below 0); a course with no attendance record counts as attended;
    - a certificate numbered "{end year}-{class id}-{seq:03d}", seq following the enrolments' order
      of creation;
    - status 结业, dated `on`. Enrolments still 报名 (never confirmed) are left as they are.
    - except, in a 脱产 (full_time) class, a trainee whose 请假 hours exceed LEAVE_LIMIT (1/7) of the
      class's hours: 退训 on `on` with the reason (leave_exceeded), no hours, no certificate.
    The class then becomes 结业.
    """
    training_class = _locked_class(training_class)
    if training_class.status == ClassStatus.FINISHED:
        raise ValidationError({"status": _("班次“%s”已结业") % training_class})
    if on < training_class.end_date:
        raise ValidationError(
            {"on": _("班次%(end)s结束，不能在%(on)s结业") % {"end": training_class.end_date, "on": on}}
        )
    attending = (
        training_class.enrolments.select_for_update().filter(status__in=ATTENDING_STATUSES).order_by("id")
    )
    year = training_class.end_date.year
    seq = 0
    for enrolment in attending:
        reason = leave_exceeded(enrolment, training_class) if training_class.full_time else ""
        if reason:
            enrolment.status, enrolment.ended_on, enrolment.end_reason = Status.WITHDRAWN, on, reason
            enrolment.save_as(by)
            continue
        seq += 1
        enrolment.hours_credited = credited_hours(enrolment, training_class.hours)
        enrolment.certificate_number = f"{year}-{training_class.pk}-{seq:03d}"
        enrolment.status, enrolment.ended_on = Status.COMPLETED, on
        enrolment.save_as(by)
    training_class.status = ClassStatus.FINISHED
    training_class._completing = True  # the one way a class becomes 结业 (TrainingClass.clean)
    try:
        training_class.save_as(by)
    finally:
        training_class._completing = False
    return training_class


# --- 质效评估 (training.models.evaluation) ---------------------------------------------------------
def _evaluating(enrolment: Enrolment) -> Enrolment:
    """The enrolment, locked: one trainee's two submissions at once serialise here."""
    return enrolment.locked(_("该调训记录不存在"))


@transaction.atomic
def evaluate_class(
    enrolment: Enrolment, *, score: int, comment: str = "", by, submitted_on: datetime.date | None = None
) -> ClassEvaluation:
    """班次评估: once per enrolment, by a trainee 在训 or 结业, within the class's scale."""
    enrolment = _evaluating(enrolment)
    if ClassEvaluation.objects.filter(enrolment=enrolment).exists():
        raise ValidationError({"enrolment": _("%s已提交班次评估") % enrolment.cadre.name})
    evaluation = ClassEvaluation(
        enrolment=enrolment,
        score=score,
        comment=(comment or "").strip(),
        submitted_on=submitted_on or timezone.localdate(),
    )
    evaluation.save_as(by)
    return evaluation


@transaction.atomic
def evaluate_course(
    enrolment: Enrolment,
    course: Course,
    *,
    score: int,
    comment: str = "",
    by,
    submitted_on: datetime.date | None = None,
) -> CourseEvaluation:
    """课程评估: once per enrolment and course, for a course of its class with an 出勤 record."""
    enrolment = _evaluating(enrolment)
    if CourseEvaluation.objects.filter(enrolment=enrolment, course=course).exists():
        raise ValidationError(
            {
                "course": _("%(name)s已评估课程“%(title)s”")
                % {"name": enrolment.cadre.name, "title": course.title}
            }
        )
    evaluation = CourseEvaluation(
        enrolment=enrolment,
        course=course,
        score=score,
        comment=(comment or "").strip(),
        submitted_on=submitted_on or timezone.localdate(),
    )
    evaluation.save_as(by)
    return evaluation


# --- 学时 (training.models.hours, training.ledger) ------------------------------------------------
def leave_exceeded(enrolment: Enrolment, training_class: TrainingClass) -> str:
    """退训 reason when the trainee's 请假 hours exceed LEAVE_LIMIT of the class's hours ('' if not):
    《干部教育培训工作条例》: leave from a 脱产 class beyond 1/7 of its hours means 退训."""
    from .models import LEAVE_LIMIT

    leave = (
        Course.objects.filter(
            attendances__enrolment=enrolment, attendances__status=AttendanceStatus.LEAVE
        ).aggregate(total=Sum("hours"))["total"]
        or 0
    )
    if Fraction(leave) * LEAVE_LIMIT.denominator <= Fraction(training_class.hours) * LEAVE_LIMIT.numerator:
        return ""
    return _("请假累计%(leave)s学时，超过班次总学时%(hours)s的%(limit)s，按规定退训") % {
        "leave": leave,
        "hours": training_class.hours,
        "limit": f"{LEAVE_LIMIT.numerator}/{LEAVE_LIMIT.denominator}",
    }
