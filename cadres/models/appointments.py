"""任免事项 (干部科): a case per cadre, its procedure steps (动议 → 谈话调研 → 民主推荐 → 考察 → 凡提必核
→ 讨论决定 → 任前公示 → 任职), the objections raised during 公示, and which steps each kind of case
requires, in what order, as data (StepRequirement).

The code tables below (kinds, statuses, steps, outcomes) live here until they move to
orgportal.codes; the services are in cadres.appointments.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgportal import codes
from orgportal.codes import AppointmentKind, AppointmentStatus, AppointmentStepKind, AppointmentStepOutcome
from orgportal.models import OrgModel, Unit
from orgportal.validators import validate_date_order

from .records import Cadre, CadreChild, Movement, PromotionCheck

__all__ = [
    "AppointmentKind",
    "AppointmentStatus",
    "AppointmentStepKind",
    "AppointmentStepOutcome",
    "PUBLICITY_WORKING_DAYS",
    "working_days",
    "publicity_earliest_end",
    "StepRequirement",
    "AppointmentCase",
    "AppointmentStep",
    "PublicityObjection",
]


# The movement each kind of case records when completed (cadres.services.record_movement).
MOVEMENT_KIND = {
    AppointmentKind.PROMOTION: codes.MovementKind.PROMOTION,
    AppointmentKind.FURTHER_USE: codes.MovementKind.APPOINTMENT,
    AppointmentKind.LATERAL: codes.MovementKind.LATERAL,
    AppointmentKind.RANK_PROMOTION: codes.MovementKind.RANK_PROMOTION,
    AppointmentKind.REMOVAL: codes.MovementKind.REMOVAL,
    AppointmentKind.RETIREMENT: codes.MovementKind.RETIREMENT,
}
# 任职试用期 (条例 art. 56: 提拔担任非选举产生的领导职务, one year)
PROBATION_MONTHS = {AppointmentKind.PROMOTION: 12}
# Kinds that put a cadre into a post: a sanction in force or an open red warning stops them
# (同步监督纠错, 防止带病提拔); 免职 and 退休 are not held up by them.
SUPERVISED_KINDS = {
    AppointmentKind.PROMOTION,
    AppointmentKind.FURTHER_USE,
    AppointmentKind.LATERAL,
    AppointmentKind.RANK_PROMOTION,
}
# Steps whose outcome follows from what is recorded (votes, the 凡提必核 result), not from staff.
DERIVED_OUTCOME = {
    AppointmentStepKind.RECOMMENDATION,
    AppointmentStepKind.DECISION,
    AppointmentStepKind.CHECK,
}
VOTED_STEPS = {AppointmentStepKind.RECOMMENDATION, AppointmentStepKind.DECISION}

PUBLICITY_WORKING_DAYS = 5  # 公示期不少于五个工作日 (条例 art. 52)


def working_days(start: datetime.date, end: datetime.date) -> int:
    """Monday–Friday days from `start` through `end` inclusive (statutory holidays not modelled)."""
    if end < start:
        return 0
    days = (end - start).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(rest):
        if (start.weekday() + offset) % 7 < 5:
            count += 1
    return count


def publicity_earliest_end(start: datetime.date) -> datetime.date:
    """The first day a 公示 starting on `start` may end (its fifth working day)."""
    day, counted = start, 0
    while True:
        if day.weekday() < 5:
            counted += 1
            if counted == PUBLICITY_WORKING_DAYS:
                return day
        day += datetime.timedelta(days=1)


class StepRequirement(OrgModel):
    """任免程序配置: a step a kind of case requires, and its place in the order (department policy)."""

    jurisdiction = None  # one procedure for every unit; who may edit it is a permission

    case_kind = models.CharField(_("任免类别"), max_length=20, choices=AppointmentKind.choices)
    step = models.CharField(_("步骤"), max_length=20, choices=AppointmentStepKind.choices)
    order = models.PositiveSmallIntegerField(_("顺序"))
    min_share = models.DecimalField(
        _("同意票最低比例"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("民主推荐：同意票占有效票的最低比例（如 0.5）；空表示不设门槛"),
    )

    class Meta:
        verbose_name = _("任免程序配置")
        verbose_name_plural = _("任免程序配置")
        ordering = ["case_kind", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_kind", "step"],
                name="unique_step_per_appointment_kind",
                violation_error_message=_("该任免类别已配置此步骤"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_case_kind_display()}：{self.order}. {self.get_step_display()}"

    def clean(self) -> None:
        super().clean()
        if self.min_share is not None and self.step != AppointmentStepKind.RECOMMENDATION:
            raise ValidationError({"min_share": _("同意票比例只适用于民主推荐")})


class AppointmentCaseQuerySet(models.QuerySet):
    def with_step(self, step: str):
        """Cases in which `step` has been recorded."""
        return self.filter(Exists(AppointmentStep.objects.filter(case=OuterRef("pk"), step=step)))

    def in_publicity(self, on: datetime.date | None = None):
        """Open cases whose 任前公示 covers `on` (公示中)."""
        on = on or timezone.localdate()
        running = AppointmentStep.objects.filter(
            case=OuterRef("pk"), step=AppointmentStepKind.PUBLICITY, started_on__lte=on, ended_on__gte=on
        )
        return self.filter(Exists(running), status=AppointmentStatus.OPEN)


class AppointmentCase(CadreChild):
    """任免事项: one cadre, one proposed appointment or removal, opened, stepped through and completed
    (or withdrawn) by the services in cadres.appointments."""

    sensitive_fields = ("withdraw_reason",)  # often a problem found on the way (问题线索)

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="appointment_cases"
    )
    kind = models.CharField(_("任免类别"), max_length=20, choices=AppointmentKind.choices)
    opened_on = models.DateField(_("动议日期"))
    proposed_unit = models.ForeignKey(
        Unit, verbose_name=_("拟任单位"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_post = models.CharField(_("拟任职务"), max_length=200, blank=True)
    proposed_level = models.CharField(
        _("拟任职务层次"), max_length=20, choices=codes.LeadershipLevel.choices, blank=True
    )
    proposed_rank = models.CharField(_("拟任职级"), max_length=20, choices=codes.Rank.choices, blank=True)
    removed_post = models.CharField(_("拟免职务"), max_length=200, blank=True)
    reason = models.TextField(_("任免理由"), blank=True)
    submitting_unit = models.ForeignKey(
        Unit, verbose_name=_("呈报单位"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.OPEN,
        editable=False,
        db_index=True,
    )
    completed_on = models.DateField(_("办结日期"), null=True, blank=True, editable=False)
    movement = models.ForeignKey(
        Movement,
        verbose_name=_("任免记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    withdrawn_on = models.DateField(_("撤销日期"), null=True, blank=True, editable=False)
    withdraw_reason = models.TextField(_("撤销原因"), blank=True, editable=False)

    objects = AppointmentCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("任免事项")
        verbose_name_plural = _("任免事项")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre"],
                condition=Q(status="open"),
                name="one_open_appointment_case_per_cadre",
                violation_error_message=_("该干部已有办理中的任免事项"),
            )
        ]

    def __str__(self) -> str:
        target = self.proposed_post or self.removed_post
        return f"{self.cadre}：{self.get_kind_display()}{('（' + target + '）') if target else ''}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.kind in (AppointmentKind.REMOVAL, AppointmentKind.RETIREMENT):
            if not self.removed_post and self.kind == AppointmentKind.REMOVAL:
                errors["removed_post"] = _("免职事项请填写拟免职务")
        elif self.kind == AppointmentKind.RANK_PROMOTION:
            if not self.proposed_rank:
                errors["proposed_rank"] = _("职级晋升请填写拟任职级")
        elif self.kind and not self.proposed_post:
            errors["proposed_post"] = _("请填写拟任职务")
        if self.kind == AppointmentKind.PROMOTION and not self.proposed_level:
            errors["proposed_level"] = _("提拔请填写拟任职务层次")
        if self.opened_on and self.opened_on > timezone.localdate():
            errors["opened_on"] = _("动议日期不能晚于今天")
        if errors:
            raise ValidationError(errors)


class AppointmentStep(OrgModel):
    """One step of a case as recorded (cadres.appointments.record_step): dates, who took part, the
    outcome, and what the step kind records (votes, 考察组 and findings, the 凡提必核, 公示 dates, 文号)."""

    jurisdiction = "case__cadre__unit"

    case = models.ForeignKey(
        AppointmentCase, verbose_name=_("任免事项"), on_delete=models.CASCADE, related_name="steps"
    )
    step = models.CharField(_("步骤"), max_length=20, choices=AppointmentStepKind.choices)
    started_on = models.DateField(_("日期"), help_text=_("公示为公示开始日期"))
    ended_on = models.DateField(_("截止日期"), null=True, blank=True, help_text=_("公示必填：公示截止日期"))
    participants = models.TextField(_("参加人员"), blank=True)
    outcome = models.CharField(
        _("结果"),
        max_length=10,
        choices=AppointmentStepOutcome.choices,
        default=AppointmentStepOutcome.PASSED,
    )
    votes_for = models.PositiveIntegerField(_("同意票"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("不同意票"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("弃权票"), null=True, blank=True)
    members_expected = models.PositiveIntegerField(
        _("应到会成员"),
        null=True,
        blank=True,
        help_text=_("讨论决定必填：到会须达三分之二，同意须超过应到会成员半数"),
    )
    meeting = models.CharField(_("会议"), max_length=100, blank=True)
    team = models.CharField(_("考察组"), max_length=200, blank=True)
    findings = models.TextField(_("考察情况"), blank=True)
    material = models.FileField(_("考察材料"), upload_to="appointments/%Y/", blank=True)
    promotion_check = models.ForeignKey(
        PromotionCheck,
        verbose_name=_("凡提必核"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    doc_number = models.CharField(_("任职文号"), max_length=60, blank=True)
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("任免程序步骤")
        verbose_name_plural = _("任免程序步骤")
        ordering = ["case", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "step"],
                name="unique_step_per_appointment_case",
                violation_error_message=_("该任免事项已记录此步骤"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.case}：{self.get_step_display()}"

    @property
    def votes_total(self) -> int:
        return (self.votes_for or 0) + (self.votes_against or 0) + (self.votes_abstain or 0)

    @property
    def share_for(self) -> Decimal | None:
        """同意票占有效票的比例."""
        total = self.votes_total
        return Decimal(self.votes_for or 0) / total if total else None

    def clean(self) -> None:
        super().clean()
        errors = {}
        validate_date_order(
            self.started_on,
            self.ended_on,
            field="ended_on",
            earlier_label=_("日期"),
            later_label=_("截止日期"),
        )
        if self.step in VOTED_STEPS and not self.votes_total:
            errors["votes_for"] = _("请填写票数（同意、不同意、弃权）")
        if self.step == AppointmentStepKind.DECISION:
            # 选拔任用条例 第三十二条: two thirds of the members present, more than half of those who
            # should attend in favour (the votes cast are the members present)
            if not self.members_expected:
                errors["members_expected"] = _("请填写应到会成员人数")
            elif self.votes_total > self.members_expected:
                errors["members_expected"] = _("票数多于应到会成员人数")
            elif self.votes_total * 3 < self.members_expected * 2:
                errors["votes_for"] = _(
                    "到会成员（%(present)d人）不足应到会成员（%(expected)d人）的三分之二"
                ) % {
                    "present": self.votes_total,
                    "expected": self.members_expected,
                }
        if self.step == AppointmentStepKind.PUBLICITY and self.started_on:
            earliest = publicity_earliest_end(self.started_on)
            if not self.ended_on:
                errors["ended_on"] = _("请填写公示截止日期")
            elif self.ended_on < earliest:
                errors["ended_on"] = _(
                    "公示期不少于%(days)d个工作日：%(start)s 开始的公示最早 %(end)s 截止"
                ) % {
                    "days": PUBLICITY_WORKING_DAYS,
                    "start": self.started_on,
                    "end": earliest,
                }
        if self.step == AppointmentStepKind.APPOINTMENT and not self.doc_number:
            errors["doc_number"] = _("请填写任职文号")
        if self.promotion_check_id and self.case_id and self.promotion_check.cadre_id != self.case.cadre_id:
            errors["promotion_check"] = _("所选凡提必核不是该干部的")
        if errors:
            raise ValidationError(errors)


class PublicityObjection(OrgModel):
    """A report (反映) received during 任前公示, and how it was handled; unresolved ones stop completion."""

    jurisdiction = "step__case__cadre__unit"
    sensitive_fields = ("content", "handling")  # what was reported, and what it led to

    step = models.ForeignKey(
        AppointmentStep, verbose_name=_("公示"), on_delete=models.CASCADE, related_name="objections"
    )
    received_on = models.DateField(_("收到日期"))
    content = models.TextField(_("反映内容"))
    handling = models.TextField(_("核查处理情况"), blank=True)
    resolved = models.BooleanField(_("已办结"), default=False)
    resolved_on = models.DateField(_("办结日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示期间反映")
        verbose_name_plural = _("公示期间反映")
        ordering = ["step", "received_on", "id"]

    def __str__(self) -> str:
        return f"{self.step.case}：{self._meta.verbose_name}（{self.received_on}）"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.step_id and self.step.step != AppointmentStepKind.PUBLICITY:
            errors["step"] = _("只能对任前公示登记反映")
        elif self.step_id and self._state.adding and self.step.case.status != AppointmentStatus.OPEN:
            errors["step"] = _("该任免事项已%s，不能再登记反映") % self.step.case.get_status_display()
        if self.resolved and not self.handling:
            errors["handling"] = _("办结时请填写核查处理情况")
        if self.resolved and not self.resolved_on:
            errors["resolved_on"] = _("办结时请填写办结日期")
        validate_date_order(
            self.received_on,
            self.resolved_on,
            field="resolved_on",
            earlier_label=_("收到日期"),
            later_label=_("办结日期"),
        )
        if errors:
            raise ValidationError(errors)
