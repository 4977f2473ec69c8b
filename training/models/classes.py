"""The training office's records (培训办): the annual training plan and its unit quotas, venues,
teachers, classes (班次) and their courses, and the cadres sent to them (调训) with attendance.

Jurisdiction: plans, classes, courses, venues and teachers are global — a class is announced to
every unit that sends trainees, and a county user must see (and pick) the city's class to enrol
their cadres; who may edit them is a permission (培训办). What belongs to a unit is scoped to it: a
plan's quota by the unit that must send, an enrolment and its attendance by the cadre's unit.

State changes with rules go through training.services (enrol, confirm, withdraw, absent,
attendance, class completion); the fields they own are not editable in forms or the API.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre
from orgportal import codes
from orgportal.codes import (
    AttendanceStatus,
    ClassKind,
    ClassStatus,
    CourseMode,
    EnrolmentStatus,
    PlanStatus,
    TeacherKind,
    VenueKind,
)
from orgportal.models import OrgModel, Unit
from orgportal.validators import validate_date_order

HOURS = {"max_digits": 5, "decimal_places": 1}
# Enrolments that take a place in the class (capacity, quotas) and are credited at completion.
PLACED_STATUSES = (EnrolmentStatus.CONFIRMED, EnrolmentStatus.IN_TRAINING, EnrolmentStatus.COMPLETED)
ATTENDING_STATUSES = (EnrolmentStatus.CONFIRMED, EnrolmentStatus.IN_TRAINING)
MISSED_ATTENDANCE = (AttendanceStatus.ABSENT, AttendanceStatus.LEAVE)
LEVEL_LABELS = dict(codes.LeadershipLevel.choices)


def split_levels(text: str) -> list[str]:
    return [code.strip() for code in (text or "").split(",") if code.strip()]


def validate_levels(text: str) -> None:
    """A comma-separated list of LeadershipLevel codes (职务层次)."""
    unknown = [code for code in split_levels(text) if code not in codes.LeadershipLevel.values]
    if unknown:
        raise ValidationError(_("「%s」不是有效的职务层次代码") % "、".join(unknown), code="invalid_level")


def with_level_q(code: str, field: str = "target_levels") -> Q:
    """Rows whose comma-separated `field` holds `code` (codes contain no commas)."""
    return (
        Q(**{field: code})
        | Q(**{f"{field}__startswith": f"{code},"})
        | Q(**{f"{field}__endswith": f",{code}"})
        | Q(**{f"{field}__contains": f",{code},"})
    )


class TrainingPlan(OrgModel):
    """年度调训计划: the year's classes and how many cadres each unit must send (PlanQuota)."""

    jurisdiction = None  # issued to every unit; who may edit it is a permission (培训办)

    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    name = models.CharField(_("计划名称"), max_length=100)
    organiser = models.ForeignKey(
        Unit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT, db_index=True
    )
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("年度调训计划")
        verbose_name_plural = _("年度调训计划")
        ordering = ["-year", "name", "id"]

    def __str__(self) -> str:
        return f"{self.year}年{self.name}"


class Venue(OrgModel):
    """培训地点: 党校, 干部学院, 红色教育基地, 现场教学点 …"""

    jurisdiction = None

    name = models.CharField(_("地点名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=20, choices=VenueKind.choices)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("培训地点")
        verbose_name_plural = _("培训地点")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Teacher(OrgModel):
    """师资: 党校教师, 领导干部, 专家学者, 先进典型."""

    jurisdiction = None

    name = models.CharField(_("姓名"), max_length=30, db_index=True)
    kind = models.CharField(_("师资类别"), max_length=20, choices=TeacherKind.choices)
    employer = models.CharField(_("工作单位"), max_length=100, blank=True)
    field = models.CharField(_("授课领域"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("师资")
        verbose_name_plural = _("师资")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TrainingClassQuerySet(models.QuerySet):
    def for_level(self, code: str):
        """Classes whose target 职务层次 include `code`."""
        return self.filter(with_level_q(code))


class TrainingClass(OrgModel):
    """班次: dates, credited hours, capacity and target levels; 结业 through complete_class."""

    jurisdiction = None  # announced to every sending unit (see the module docstring)

    name = models.CharField(_("班次名称"), max_length=100)
    kind = models.CharField(_("班次类别"), max_length=30, choices=ClassKind.choices)
    plan = models.ForeignKey(
        TrainingPlan,
        verbose_name=_("年度调训计划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="classes",
    )
    organiser = models.ForeignKey(
        Unit, verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="+"
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("培训地点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="classes",
    )
    cohort = models.PositiveSmallIntegerField(_("期数"), default=1, help_text=_("第N期"))
    start_date = models.DateField(_("开班日期"))
    end_date = models.DateField(_("结业日期"))
    hours = models.DecimalField(
        _("学时"), **HOURS, validators=[MinValueValidator(Decimal("0.5"))], help_text=_("结业可认定的学时")
    )
    capacity = models.PositiveIntegerField(_("计划人数"), validators=[MinValueValidator(1)])
    target_levels = models.CharField(
        _("调训对象职务层次"),
        max_length=200,
        blank=True,
        validators=[validate_levels],
        help_text=_("职务层次代码，以英文逗号分隔，如 county_chief,county_deputy；空表示不限"),
    )
    full_time = models.BooleanField(_("脱产"), default=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ClassStatus.choices,
        default=ClassStatus.PREPARING,
        db_index=True,
        help_text=_("结业请使用“班次结业”操作（核定学时、颁发结业证书）"),
    )

    objects = TrainingClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训班次")
        verbose_name_plural = _("培训班次")
        ordering = ["-start_date", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="training_class_dates_in_order"
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="training_class_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.cohort}期）"

    @property
    def level_codes(self) -> list[str]:
        return split_levels(self.target_levels)

    def clean(self) -> None:
        super().clean()
        # Stored in the table's order (highest first), each once.
        levels = self.level_codes
        if all(code in codes.LeadershipLevel.values for code in levels):
            self.target_levels = ",".join(c for c in codes.LeadershipLevel.values if c in levels)
        validate_date_order(
            self.start_date,
            self.end_date,
            field="end_date",
            earlier_label=_("开班日期"),
            later_label=_("结业日期"),
        )
        stored = None
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
        if stored == ClassStatus.FINISHED and self.status != ClassStatus.FINISHED:
            raise ValidationError({"status": _("该班次已结业，不能改回其他状态")})
        if (
            self.status == ClassStatus.FINISHED
            and stored != ClassStatus.FINISHED
            and not getattr(self, "_completing", False)
        ):
            raise ValidationError({"status": _("结业请使用“班次结业”操作，由系统核定学时并颁发结业证书")})
        if self.pk and self.hours is not None:
            scheduled = self.courses.aggregate(total=Sum("hours"))["total"] or 0
            if scheduled > self.hours:
                raise ValidationError(
                    {
                        "hours": _("已安排课程共%(scheduled)s学时，班次学时不能少于此数")
                        % {"scheduled": scheduled}
                    }
                )
        if self.pk and self.start_date and self.end_date:
            outside = self.courses.exclude(date__range=(self.start_date, self.end_date)).first()
            if outside is not None:
                raise ValidationError(
                    {
                        "end_date": _("课程“%(title)s”安排在%(on)s，不在培训日期内")
                        % {"title": outside.title, "on": outside.date}
                    }
                )


class PlanQuota(OrgModel):
    """调训名额: how many cadres a unit (and the units under it) must send to a class of the plan."""

    jurisdiction = "unit"  # the sending unit sees its own quota

    plan = models.ForeignKey(
        TrainingPlan, verbose_name=_("年度调训计划"), on_delete=models.CASCADE, related_name="quotas"
    )
    training_class = models.ForeignKey(
        TrainingClass, verbose_name=_("班次"), on_delete=models.CASCADE, related_name="quotas"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("调训单位"), on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField(_("名额"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("调训名额")
        verbose_name_plural = _("调训名额")
        ordering = ["training_class", "unit__path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["training_class", "unit"],
                name="unique_quota_per_class_and_unit",
                violation_error_message=_("该单位在该班次已有调训名额"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.training_class}：{self.unit}（{self.count}人）"

    def clean(self) -> None:
        super().clean()
        if self.training_class_id and self.plan_id and self.training_class.plan_id != self.plan_id:
            raise ValidationError({"training_class": _("该班次不属于所选调训计划")})


class Course(OrgModel):
    """课程: within the class's dates; the courses' hours together stay within the class's hours."""

    jurisdiction = None  # part of a class, which is global

    training_class = models.ForeignKey(
        TrainingClass, verbose_name=_("班次"), on_delete=models.CASCADE, related_name="courses"
    )
    title = models.CharField(_("课程名称"), max_length=200)
    teacher = models.ForeignKey(
        Teacher,
        verbose_name=_("授课教师"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="courses",
    )
    date = models.DateField(_("授课日期"))
    hours = models.DecimalField(_("学时"), **HOURS, validators=[MinValueValidator(Decimal("0.5"))])
    mode = models.CharField(
        _("教学方式"), max_length=20, choices=CourseMode.choices, default=CourseMode.LECTURE
    )

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")
        ordering = ["training_class", "date", "id"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="course_hours_positive")]

    def __str__(self) -> str:
        return f"{self.title}（{self.date}）"

    def clean(self) -> None:
        super().clean()
        if not self.training_class_id:
            return
        cls = self.training_class
        if self.date and not (cls.start_date <= self.date <= cls.end_date):
            raise ValidationError(
                {
                    "date": _("授课日期须在培训日期（%(start)s至%(end)s）之内")
                    % {"start": cls.start_date, "end": cls.end_date}
                }
            )
        if self.hours is not None:
            others = cls.courses.exclude(pk=self.pk).aggregate(total=Sum("hours"))["total"] or 0
            if others + self.hours > cls.hours:
                raise ValidationError(
                    {
                        "hours": _("班次共%(total)s学时，已安排%(others)s学时，本课程最多%(left)s学时")
                        % {"total": cls.hours, "others": others, "left": max(cls.hours - others, 0)}
                    }
                )


class Enrolment(OrgModel):
    """调训: a cadre sent to a class; its status, credited hours and certificate are written by
    training.services. The result (结业鉴定) and note are edited directly."""

    jurisdiction = "cadre__unit"  # a county sees the enrolments of its own cadres, wherever the class
    hard_delete = False  # 退训 / 缺训 are statuses

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="enrolments"
    )
    training_class = models.ForeignKey(
        TrainingClass, verbose_name=_("班次"), on_delete=models.PROTECT, related_name="enrolments"
    )
    status = models.CharField(
        _("调训状态"),
        max_length=20,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.APPLIED,
        editable=False,
        db_index=True,
    )
    ended_on = models.DateField(_("退训（缺训、结业）日期"), null=True, blank=True, editable=False)
    end_reason = models.CharField(_("退训（缺训）原因"), max_length=200, blank=True, editable=False)
    hours_credited = models.DecimalField(_("认定学时"), **HOURS, null=True, blank=True, editable=False)
    certificate_number = models.CharField(_("结业证书编号"), max_length=40, blank=True, editable=False)
    result = models.CharField(_("结业鉴定"), max_length=200, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("调训")
        verbose_name_plural = _("调训")
        ordering = ["training_class", "cadre__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "training_class"],
                name="unique_enrolment_per_class",
                violation_error_message=_("该干部已报名该班次"),
            ),
            models.UniqueConstraint(
                fields=["certificate_number"],
                condition=~Q(certificate_number=""),
                name="unique_enrolment_certificate_number",
                violation_error_message=_("结业证书编号已被使用"),
            ),
            models.CheckConstraint(
                condition=Q(status="completed", hours_credited__isnull=False)
                | ~Q(status="completed") & Q(hours_credited__isnull=True),
                name="enrolment_hours_only_when_completed",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["withdrawn", "absent"]) | ~Q(end_reason=""),
                name="enrolment_end_reason_when_withdrawn_or_absent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre}：{self.training_class}"

    def clean(self) -> None:
        super().clean()
        if self._state.adding:
            self._check_can_enrol()
            return
        stored = type(self).objects.filter(pk=self.pk).values("cadre_id", "training_class_id").first()
        if stored is None:
            return
        if stored["cadre_id"] != self.cadre_id:
            raise ValidationError({"cadre": _("报名后不能更换干部，请退训后另行报名")})
        if stored["training_class_id"] != self.training_class_id:
            raise ValidationError({"training_class": _("报名后不能更换班次，请退训后另行报名")})

    def _check_can_enrol(self) -> None:
        """报名: a serving (在职) cadre, to a class not yet finished (结业), of the class's 调训对象 —
        its target levels, when it names any (a class without them is open to every level; staff
        who admit someone else widen the class's target levels first, which history records)."""
        if self.cadre_id and self.cadre.status != codes.CadreStatus.SERVING:
            raise ValidationError(
                {
                    "cadre": _("%(name)s的状态为「%(status)s」，不能报名调训")
                    % {"name": self.cadre.name, "status": self.cadre.get_status_display()}
                }
            )
        if not self.training_class_id:
            return
        training_class = self.training_class
        if training_class.status == ClassStatus.FINISHED:
            raise ValidationError({"training_class": _("班次“%s”已结业，不能报名") % training_class})
        levels = training_class.level_codes
        if self.cadre_id and levels and self.cadre.level not in levels:
            raise ValidationError(
                {
                    "cadre": _(
                        "%(name)s的职务层次为「%(level)s」，不在班次“%(class)s”的调训对象（%(targets)s）内"
                    )
                    % {
                        "name": self.cadre.name,
                        "level": self.cadre.get_level_display() or _("无"),
                        "class": training_class,
                        "targets": "、".join(str(LEVEL_LABELS.get(code, code)) for code in levels),
                    }
                }
            )


class Attendance(OrgModel):
    """考勤: an enrolment's attendance at one course of its class (training.services.record_attendance)."""

    jurisdiction = "enrolment__cadre__unit"

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("调训"), on_delete=models.CASCADE, related_name="attendances"
    )
    course = models.ForeignKey(
        Course, verbose_name=_("课程"), on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(
        _("考勤"), max_length=20, choices=AttendanceStatus.choices, default=AttendanceStatus.PRESENT
    )

    class Meta:
        verbose_name = _("考勤")
        verbose_name_plural = _("考勤")
        ordering = ["course__date", "enrolment", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "course"],
                name="unique_attendance_per_course",
                violation_error_message=_("该学员该课程已有考勤记录"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.cadre}：{self.course.title}（{self.get_status_display()}）"

    def clean(self) -> None:
        super().clean()
        if (
            self.enrolment_id
            and self.course_id
            and self.course.training_class_id != self.enrolment.training_class_id
        ):
            raise ValidationError({"course": _("该课程不属于学员所在班次")})
        # a new record only: a finished class's attendance stays valid (record_attendance, the one
        # way to correct it, checks the enrolment again)
        if self._state.adding and self.enrolment_id and self.enrolment.status not in ATTENDING_STATUSES:
            raise ValidationError(
                {
                    "enrolment": _("%(name)s的调训状态为「%(status)s」，不能登记考勤")
                    % {"name": self.enrolment.cadre.name, "status": self.enrolment.get_status_display()}
                }
            )
