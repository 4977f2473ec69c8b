"""The talent office's other lines of work: 乡土人才积分 (a points ledger mapped to a level by a
configurable table), 名师/技能大师工作室, 紧缺专业定向培养, 集中推介签约 and the 人才发展规划's indicators.

State changes with rules go through talent.services (points approval, certification by points,
placing a targeted trainee, a breach …); the fields they own are not editable in forms or the API.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, CharField, Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear, Mod
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgportal import codes
from orgportal.models import OrgModel, Unit
from orgportal.review import Reviewed, reviewed_on_matches_status
from orgportal.validators import (
    id_agreement_errors,
    normalize_id_number,
    validate_date_order,
    validate_id_number,
)

from .records import Talent, TalentChild, require_active

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]
POINTS = {"max_digits": 7, "decimal_places": 1}


def _today() -> datetime.date:
    return timezone.localdate()


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same date `years` on (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# --- 乡土人才积分 ----------------------------------------------------------------------------------
class PointsLevel(OrgModel):
    """乡土人才积分认定标准: the approved points from which a rural talent reaches a level. Data, so the
    department edits its own table; a talent's level is the highest whose threshold they reach."""

    jurisdiction = None  # one standard for every unit

    level = models.CharField(_("认定层次"), max_length=1, choices=codes.TalentLevel.choices, unique=True)
    min_points = models.DecimalField(_("积分门槛"), validators=[MinValueValidator(1)], **POINTS)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("乡土人才积分认定标准")
        verbose_name_plural = _("乡土人才积分认定标准")
        ordering = ["min_points"]

    def __str__(self) -> str:
        return f"{self.get_level_display()}：{self.min_points:g}分"

    def clean(self) -> None:
        super().clean()
        if not self.level or self.min_points is None:
            return
        # a higher level (A is highest) needs more points than every lower one
        others = PointsLevel.objects.exclude(pk=self.pk)
        higher = others.filter(level__lt=self.level, min_points__lte=self.min_points).first()
        lower = others.filter(level__gt=self.level, min_points__gte=self.min_points).first()
        clash = higher or lower
        if clash:
            raise ValidationError({"min_points": _("与「%s」的门槛冲突：层次越高，门槛应越高") % clash})


def points_level_expression(total) -> Case:
    """The level `total` points reach under the current standard (SQL; '' below every threshold)."""
    thresholds = list(PointsLevel.objects.order_by("-min_points").values_list("min_points", "level"))
    return Case(
        *(When(**{f"{total}__gte": minimum}, then=Value(level)) for minimum, level in thresholds),
        default=Value(""),
        output_field=CharField(),
    )


def approved_points_total() -> Coalesce:
    """A talent's approved points (a correlated subquery on PointEntry, 0 when none)."""
    entries = (
        PointEntry.objects.filter(talent=OuterRef("pk"), status=codes.ReviewResult.APPROVED)
        .order_by()
        .values("talent")
        .annotate(total=Sum("points"))
        .values("total")
    )
    return Coalesce(Subquery(entries), Value(Decimal(0)), output_field=DecimalField(**POINTS))


def format_points(total) -> str:
    """205.0 → "205", 99.5 → "99.5" (PostgreSQL keeps the column's decimal place, SQLite does not)."""
    return f"{Decimal(total).normalize():f}"


def level_for_points(total: Decimal) -> str:
    """The level `total` points reach ('' when none)."""
    reached = PointsLevel.objects.filter(min_points__lte=total).order_by("-min_points").first()
    return reached.level if reached else ""


class PointEntry(Reviewed, TalentChild):
    """One dated entry of a rural talent's points ledger. Recorded as 待审核; approved or rejected
    through orgportal.review; only approved entries count."""

    review_noun = _("积分记录")
    review_fixed_fields = ("talent_id", "item", "description", "points", "earned_on", "evidence")
    review_not_before = "earned_on"
    review_correction = _("如需更正请另行登记扣分或补充记录")

    talent = models.ForeignKey(
        Talent, verbose_name=_("人才"), on_delete=models.CASCADE, related_name="point_entries"
    )
    item = models.CharField(_("积分项目"), max_length=20, choices=codes.PointsItem.choices)
    description = models.CharField(_("事项"), max_length=200)
    points = models.DecimalField(
        _("分值"),
        help_text=_("扣分填负数"),
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
        **POINTS,
    )
    earned_on = models.DateField(_("取得日期"))
    evidence = models.CharField(
        _("佐证材料"), max_length=200, blank=True, help_text=_("证书、文件名称或编号")
    )

    class Meta:
        verbose_name = _("乡土人才积分")
        verbose_name_plural = _("乡土人才积分")
        ordering = ["talent", "-earned_on", "id"]
        constraints = [
            reviewed_on_matches_status("points_reviewed_on_matches_status"),
        ]

    def __str__(self) -> str:
        return f"{self.talent}：{self.description}（{self.points:+g}分）"

    def clean(self) -> None:
        super().clean()
        if self.points == 0:
            raise ValidationError({"points": _("分值不能为0")})
        if self.earned_on and self.earned_on > _today():
            raise ValidationError({"earned_on": _("取得日期不能晚于今天")})
        if self._state.adding and self.talent_id:
            require_active(self.talent, _("%(name)s已于%(on)s流失，不能登记积分"))


# --- 工作室 -------------------------------------------------------------------------------------
class Studio(OrgModel):
    """名师工作室 / 技能大师工作室 / 名医工作室: led by a talent, hosted by a unit, evaluated yearly."""

    jurisdiction = "unit"

    name = models.CharField(_("工作室名称"), max_length=100)
    kind = models.CharField(_("工作室类别"), max_length=20, choices=codes.StudioKind.choices)
    field = models.CharField(_("领域"), max_length=30, choices=codes.StudioField.choices)
    leader = models.ForeignKey(
        Talent, verbose_name=_("领衔人"), on_delete=models.PROTECT, related_name="led_studios"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("依托单位"), on_delete=models.PROTECT, related_name="talent_studios"
    )
    founded_on = models.DateField(_("命名（成立）日期"))
    level = models.CharField(_("命名级别"), max_length=20, blank=True, help_text=_("如市级、省级"))
    status = models.CharField(
        _("状态"), max_length=20, choices=codes.StudioStatus.choices, default=codes.StudioStatus.ACTIVE
    )
    closed_on = models.DateField(_("撤销日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("人才工作室")
        verbose_name_plural = _("人才工作室")
        ordering = ["unit__path", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], name="unique_studio_name", violation_error_message=_("已有同名工作室")
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        validate_date_order(
            self.founded_on,
            self.closed_on,
            field="closed_on",
            earlier_label=_("命名日期"),
            later_label=_("撤销日期"),
        )
        if self.status == codes.StudioStatus.CLOSED and not self.closed_on:
            raise ValidationError({"closed_on": _("已撤销的工作室请填写撤销日期")})
        if self.status == codes.StudioStatus.ACTIVE and self.closed_on:
            raise ValidationError({"closed_on": _("运行中的工作室不应有撤销日期")})
        if self.founded_on and self.founded_on > _today():
            raise ValidationError({"founded_on": _("命名日期不能晚于今天")})
        if self.leader_id:
            stored = type(self).objects.filter(pk=self.pk).values_list("leader_id", flat=True).first()
            if stored != self.leader_id:  # a new studio, or a new leader
                require_active(self.leader, _("%(name)s已于%(on)s流失，不能担任工作室领衔人"), "leader")


class StudioMember(OrgModel):
    """A studio's member (a talent): role, joined, left."""

    jurisdiction = "studio__unit"

    studio = models.ForeignKey(
        Studio, verbose_name=_("工作室"), on_delete=models.CASCADE, related_name="members"
    )
    talent = models.ForeignKey(
        Talent, verbose_name=_("成员"), on_delete=models.PROTECT, related_name="studio_memberships"
    )
    role = models.CharField(
        _("角色"), max_length=20, choices=codes.StudioRole.choices, default=codes.StudioRole.MEMBER
    )
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作室成员")
        verbose_name_plural = _("工作室成员")
        ordering = ["studio", "role", "joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["studio", "talent"],
                condition=Q(left_on__isnull=True),
                name="one_current_studio_membership",
                violation_error_message=_("该人才已是这个工作室的成员"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.studio}：{self.talent}"

    def clean(self) -> None:
        super().clean()
        validate_date_order(
            self.joined_on,
            self.left_on,
            field="left_on",
            earlier_label=_("加入日期"),
            later_label=_("退出日期"),
        )
        if not (self.studio_id and self.talent_id):
            return
        if self.studio.leader_id == self.talent_id:
            raise ValidationError({"talent": _("领衔人不必另列为成员")})
        if self.joined_on and self.joined_on < self.studio.founded_on:
            raise ValidationError(
                {"joined_on": _("加入日期不能早于工作室命名日期（%s）") % self.studio.founded_on}
            )
        if self._state.adding:
            require_active(self.talent, _("%(name)s已于%(on)s流失，不能加入工作室"))


class StudioEvaluation(OrgModel):
    """A studio's yearly evaluation (年度考核评估): one per year."""

    jurisdiction = "studio__unit"

    studio = models.ForeignKey(
        Studio, verbose_name=_("工作室"), on_delete=models.CASCADE, related_name="evaluations"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    grade = models.CharField(_("评估等次"), max_length=20, choices=codes.EvaluationGrade.choices)
    score = models.DecimalField(
        _("得分"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    achievements = models.TextField(_("年度成效"), blank=True, help_text=_("带徒、课题、成果、获奖等"))

    class Meta:
        verbose_name = _("工作室年度评估")
        verbose_name_plural = _("工作室年度评估")
        ordering = ["studio", "-year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["studio", "year"],
                name="one_studio_evaluation_per_year",
                violation_error_message=_("该工作室这一年度已有评估"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.studio}：{self.year}年度{self.get_grade_display()}"

    def clean(self) -> None:
        super().clean()
        if self.studio_id and self.year:
            if self.year < self.studio.founded_on.year:
                raise ValidationError(
                    {"year": _("工作室%d年才命名，不能评估此前的年度") % self.studio.founded_on.year}
                )
            if self.year > _today().year:
                raise ValidationError({"year": _("不能评估未来的年度")})


# --- 定向培养 -----------------------------------------------------------------------------------
class TargetedTraineeQuerySet(models.QuerySet):
    def service_due(self, on: datetime.date | None = None):
        """Placed trainees whose years of service owed have run out (add_years(placed_on,
        service_years) ≤ on): ready to be recorded 履约期满. In SQL: the anniversary as a number
        yyyymmdd, 29 February falling on the 28th in a year that is not a leap year."""
        on = on or _today()
        year = ExtractYear("placed_on") + F("service_years")
        rows = self.filter(status=codes.TraineeStatus.PLACED, placed_on__isnull=False).alias(
            due_year=year,
            due_month=ExtractMonth("placed_on"),
            due_day=ExtractDay("placed_on"),
            due_y4=Mod(year, 4),
            due_y100=Mod(year, 100),
            due_y400=Mod(year, 400),
        )
        leap = Q(due_y4=0) & (~Q(due_y100=0) | Q(due_y400=0))
        day = Case(When(Q(due_month=2, due_day=29) & ~leap, then=Value(28)), default=F("due_day"))
        anniversary = F("due_year") * 10000 + F("due_month") * 100 + day
        return rows.alias(due_key=anniversary).filter(due_key__lte=on.year * 10000 + on.month * 100 + on.day)


class TargetedTrainee(OrgModel):
    """定向培养 (紧缺专业): a student trained under an agreement to serve a unit for some years after
    graduating; tracked yearly while at school, then placed. Placement, completion, a breach and
    withdrawal go through talent.services."""

    jurisdiction = "unit"
    sensitive_fields = ("id_number",)
    sensitive_permission = "talent.view_sensitive_targetedtrainee"

    name = models.CharField(_("姓名"), max_length=30, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=codes.Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    id_number = models.CharField(
        _("公民身份号码"), max_length=18, blank=True, validators=[validate_id_number]
    )
    school = models.CharField(_("培养院校"), max_length=100)
    specialty = models.CharField(_("紧缺专业"), max_length=100)
    field = models.CharField(_("领域"), max_length=30, choices=codes.TalentField.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("定向单位"),
        on_delete=models.PROTECT,
        related_name="targeted_trainees",
        help_text=_("协议约定毕业后服务的单位（或其主管部门）"),
    )
    agreement_number = models.CharField(_("协议编号"), max_length=40, blank=True)
    agreement_signed_on = models.DateField(_("协议签订日期"))
    enrolled_on = models.DateField(_("入学日期"))
    expected_graduation = models.DateField(_("预计毕业日期"))
    service_years = models.PositiveSmallIntegerField(
        _("约定服务年限"), validators=[MinValueValidator(1), MaxValueValidator(15)]
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=codes.TraineeStatus.choices,
        default=codes.TraineeStatus.STUDYING,
        editable=False,
        db_index=True,
    )
    placement_unit = models.ForeignKey(
        Unit,
        verbose_name=_("就业单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    placed_on = models.DateField(_("就业日期"), null=True, blank=True, editable=False)
    ended_on = models.DateField(_("终止日期"), null=True, blank=True, editable=False)
    end_reason = models.CharField(_("违约（终止）原因"), max_length=200, blank=True, editable=False)
    note = models.TextField(_("备注"), blank=True)

    objects = TargetedTraineeQuerySet.as_manager()

    class Meta:
        verbose_name = _("定向培养学生")
        verbose_name_plural = _("定向培养学生")
        ordering = ["unit__path", "-enrolled_on", "name", "id"]
        permissions = [("view_sensitive_targetedtrainee", _("可查看定向培养学生的敏感信息（公民身份号码）"))]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~Q(id_number=""),
                name="unique_trainee_id_number",
                violation_error_message=_("已有定向培养学生使用该公民身份号码"),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["placed", "completed"]) | Q(placed_on__isnull=False),
                name="trainee_placed_on_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.school}{self.specialty}）"

    def clean(self) -> None:
        super().clean()
        self.id_number = normalize_id_number(self.id_number)
        errors = dict(id_agreement_errors(self.id_number, birth_date=self.birth_date, gender=self.gender))
        orders = [
            ("birth_date", "agreement_signed_on", _("出生日期"), _("协议签订日期")),
            ("enrolled_on", "expected_graduation", _("入学日期"), _("预计毕业日期")),
            ("agreement_signed_on", "expected_graduation", _("协议签订日期"), _("预计毕业日期")),
        ]
        for earlier, later, earlier_label, later_label in orders:
            try:
                validate_date_order(
                    getattr(self, earlier),
                    getattr(self, later),
                    field=later,
                    earlier_label=earlier_label,
                    later_label=later_label,
                )
            except ValidationError as error:
                errors.update(error.message_dict)
        if self.agreement_signed_on and self.agreement_signed_on > _today():
            errors["agreement_signed_on"] = _("协议签订日期不能晚于今天")
        if self.ended_on and (
            self.ended_on > _today() or self.ended_on < (self.placed_on or self.agreement_signed_on)
        ):
            errors["ended_on"] = _("终止日期应在%(start)s至今天之间") % {
                "start": self.placed_on or self.agreement_signed_on
            }
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.id_number = normalize_id_number(self.id_number)
        super().save(*args, **kwargs)

    @property
    def service_until(self) -> datetime.date | None:
        """The last day of the service owed (placed_on + service_years − 1 day)."""
        if not self.placed_on:
            return None
        return add_years(self.placed_on, self.service_years) - datetime.timedelta(days=1)


class TraineeTracking(OrgModel):
    """A yearly tracking entry while the trainee is at school (学业跟踪)."""

    jurisdiction = "trainee__unit"

    trainee = models.ForeignKey(
        TargetedTrainee, verbose_name=_("定向培养学生"), on_delete=models.CASCADE, related_name="tracking"
    )
    year = models.PositiveSmallIntegerField(_("学年（起始年份）"), validators=YEAR_VALIDATORS)
    performance = models.CharField(
        _("学业情况"), max_length=20, choices=codes.EvaluationGrade.choices, help_text=_("综合测评等次")
    )
    contacted_on = models.DateField(_("跟踪联系日期"))
    note = models.TextField(_("跟踪情况"), blank=True, help_text=_("思想、学业、实习、就业意向等"))

    class Meta:
        verbose_name = _("定向培养跟踪记录")
        verbose_name_plural = _("定向培养跟踪记录")
        ordering = ["trainee", "-year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "year"],
                name="one_tracking_per_trainee_year",
                violation_error_message=_("该学生这一学年已有跟踪记录"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee.name}：{self.year}学年"

    def clean(self) -> None:
        super().clean()
        if not (self.trainee_id and self.year):
            return
        trainee = self.trainee
        first, last = trainee.enrolled_on.year, trainee.expected_graduation.year
        if not first <= self.year <= last:
            raise ValidationError(
                {
                    "year": _("学年应在入学（%(first)d）与毕业（%(last)d）之间")
                    % {"first": first, "last": last}
                }
            )
        if self.contacted_on and self.contacted_on < trainee.enrolled_on:
            raise ValidationError(
                {"contacted_on": _("跟踪联系日期不能早于入学日期（%s）") % trainee.enrolled_on}
            )
        if self._state.adding and trainee.status != codes.TraineeStatus.STUDYING:
            raise ValidationError(
                {
                    "trainee": _("%(name)s的状态为「%(status)s」，在读期间才做学业跟踪")
                    % {"name": trainee.name, "status": trainee.get_status_display()}
                }
            )


# --- 集中推介签约 ---------------------------------------------------------------------------------
class SigningEventQuerySet(models.QuerySet):
    def with_totals(self):
        """agreement_count, headcount_total and amount_total (万元) of each event, in the one query."""
        return self.annotate(
            agreement_count=Count("agreements"),
            headcount_total=Coalesce(Sum("agreements__headcount"), 0),
            amount_total=Sum("agreements__amount"),
        )


class SigningEvent(OrgModel):
    """引才签约活动 (6·19 集中推介签约仪式 …), organised by a unit; its agreements say what it signed."""

    jurisdiction = "unit"

    name = models.CharField(_("活动名称"), max_length=100)
    kind = models.CharField(_("活动类别"), max_length=20, choices=codes.SigningEventKind.choices)
    held_on = models.DateField(_("举办日期"))
    place = models.CharField(_("举办地点"), max_length=100)
    unit = models.ForeignKey(
        Unit, verbose_name=_("主办单位"), on_delete=models.PROTECT, related_name="signing_events"
    )
    note = models.TextField(_("备注"), blank=True)

    objects = SigningEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("引才签约活动")
        verbose_name_plural = _("引才签约活动")
        ordering = ["-held_on", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.held_on}）"


class SigningAgreement(OrgModel):
    """An agreement signed at an event: the employer, who signed (a talent on record, or a person or
    team by name), the project and the amount."""

    jurisdiction = "event__unit"

    event = models.ForeignKey(
        SigningEvent, verbose_name=_("签约活动"), on_delete=models.CASCADE, related_name="agreements"
    )
    kind = models.CharField(_("签约类型"), max_length=20, choices=codes.AgreementKind.choices)
    employer = models.CharField(_("签约单位（用人单位）"), max_length=100)
    talent = models.ForeignKey(
        Talent,
        verbose_name=_("签约人才"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        help_text=_("已在人才库中的人才"),
    )
    party = models.CharField(
        _("签约人（团队）"), max_length=100, blank=True, help_text=_("不在人才库中的个人或团队名称")
    )
    project = models.CharField(_("合作项目"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("签约金额（万元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    headcount = models.PositiveSmallIntegerField(_("引进人数"), default=1)

    class Meta:
        verbose_name = _("签约协议")
        verbose_name_plural = _("签约协议")
        ordering = ["event", "id"]

    def __str__(self) -> str:
        return f"{self.event.name}：{self.employer}—{self.signatory}"

    @property
    def signatory(self) -> str:
        return self.talent.name if self.talent_id else self.party

    def clean(self) -> None:
        super().clean()
        if not self.talent_id and not self.party.strip():
            raise ValidationError({"party": _("请选择签约人才，或填写签约人（团队）名称")})
        if self.kind == codes.AgreementKind.PROJECT and not self.project.strip():
            raise ValidationError({"project": _("项目合作请填写合作项目")})


# --- 人才发展规划指标 ------------------------------------------------------------------------------
class PlanIndicatorQuerySet(models.QuerySet):
    def achieved(self):
        return self.filter(actual__isnull=False, actual__gte=F("target"))

    def not_achieved(self):
        return self.filter(Q(actual__isnull=True) | Q(actual__lt=F("target")))


class TalentPlanIndicator(OrgModel):
    """人才发展规划 (阶段化、指标化): one indicator of a unit's plan for a year, target against actual."""

    jurisdiction = "unit"

    unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="talent_indicators"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    indicator = models.CharField(_("指标"), max_length=100, help_text=_("如：新引进高层次人才"))
    measure = models.CharField(_("计量单位"), max_length=10, default="人")
    target = models.DecimalField(
        _("目标值"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    actual = models.DecimalField(
        _("完成值"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = PlanIndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("人才发展规划指标")
        verbose_name_plural = _("人才发展规划指标")
        ordering = ["-year", "unit__path", "indicator", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "indicator"],
                name="unique_indicator_per_unit_year",
                violation_error_message=_("该单位这一年度已有同名指标"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}{self.year}年：{self.indicator}"

    @property
    def achieved(self) -> bool:
        return self.actual is not None and self.actual >= self.target

    @property
    def completion(self) -> Decimal | None:
        """完成率 in per cent (one decimal); None while no actual is recorded or the target is 0."""
        if self.actual is None or not self.target:
            return None
        return (self.actual * 100 / self.target).quantize(Decimal("0.1"))
