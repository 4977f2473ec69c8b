"""The cadre record (干部任免审批表) and everything 干部科, 干监科 and 干档科 keep on a cadre."""

import calendar
import copy
import datetime

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgportal import codes
from orgportal.models import OrgModel, Unit
from orgportal.rules import annotate_flags, flagged
from orgportal.validators import (
    age_on,
    format_date,
    id_agreement_errors,
    normalize_id_number,
    validate_date_order,
    validate_id_number,
)

WARNING_SEVERITY = {
    codes.WarningLevel.RED: 4,
    codes.WarningLevel.ORANGE: 3,
    codes.WarningLevel.YELLOW: 2,
    codes.WarningLevel.BLUE: 1,
}
AGE_BANDS = {  # label → (min age, max age) inclusive
    "35岁及以下": (0, 35),
    "36-40岁": (36, 40),
    "41-45岁": (41, 45),
    "46-50岁": (46, 50),
    "51-55岁": (51, 55),
    "56岁及以上": (56, 200),
}
NON_PARTY_CODES = [f"{n:02d}" for n in range(4, 14)]
# 共青团员, 无党派, 群众: no party (or democratic party) to have joined
PARTYLESS_CODES = ["03", "12", "13"]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (clamped to the month's end: 08-31 + 6 → 02-28/29)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def birth_range_for_age(low: int, high: int, on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Birth dates (inclusive) of people aged low..high on `on`."""

    def years_before(years):
        try:
            return on.replace(year=on.year - years)
        except ValueError:  # 29 February
            return on.replace(year=on.year - years, day=28)

    return years_before(high + 1) + datetime.timedelta(days=1), years_before(low)


REFORM_START = 2025 * 12  # 2025-01 as a month index: the statutory age starts rising (DOMAIN.md)
# gender → (base age, months per one-month step, cap in months): 男 60→63, 女干部 55→58
DEFAULT_RETIREMENT = {"1": (60, 4, 36), "2": (55, 4, 36)}


def month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def from_month_index(index: int) -> datetime.date:
    return datetime.date(index // 12, index % 12 + 1, 1)


def retirement_delay(reached: int, step: int, cap: int) -> int:
    """Months added to the base age for someone reaching it in month `reached` (an index)."""
    return 0 if reached < REFORM_START else min(cap, (reached - REFORM_START) // step + 1)


def retirement_month(birth_date: datetime.date, gender: str, policy=DEFAULT_RETIREMENT) -> datetime.date:
    """到龄年月: the first month of statutory retirement (渐进式延迟法定退休年龄)."""
    base, step, cap = policy.get(gender, policy["1"])
    reached = month_index(birth_date) + base * 12
    return from_month_index(reached + retirement_delay(reached, step, cap))


class CadreQuerySet(models.QuerySet):
    def with_warning_level(self):
        """Annotate `warning_level`: the highest open warning's level (SQL, one subquery)."""
        severity = models.Case(
            *(models.When(level=level, then=rank) for level, rank in WARNING_SEVERITY.items()),
            output_field=models.IntegerField(),
        )
        open_warnings = (
            CadreWarning.objects.filter(cadre=OuterRef("pk"), closed_on__isnull=True)
            .annotate(severity=severity)
            .order_by("-severity")
            .values("level")[:1]
        )
        return self.annotate(warning_level=Subquery(open_warnings))

    def with_reminders(self, rules: list, on: datetime.date | None = None):
        """Annotate each active reminder rule's flag (see cadres.rules); one SQL query for the list."""
        return annotate_flags(self, rules, on or timezone.localdate())

    def due_reminders(self, rules: list, on: datetime.date | None = None):
        """Cadres that break at least one of the reminder `rules` on the day (待提醒)."""
        return flagged(self, rules, on or timezone.localdate())

    def under_sanction(self, on: datetime.date | None = None):
        return self.filter(Exists(Sanction.objects.in_force(on).filter(cadre=OuterRef("pk"))))

    def aged(self, low: int, high: int, on: datetime.date | None = None):
        start, end = birth_range_for_age(low, high, on or timezone.localdate())
        return self.filter(birth_date__range=(start, end))

    def archive_status(self, value: str):
        """档案专审完整性: "never" reviewed, with "open" findings, or "complete" (reviewed, none open)."""
        reviewed = Exists(ArchiveReview.objects.filter(cadre=OuterRef("pk")))
        open_findings = Exists(ArchiveFinding.objects.filter(review__cadre=OuterRef("pk"), resolved=False))
        if value == "never":
            return self.filter(~reviewed)
        if value == "open":
            return self.filter(open_findings)
        return self.filter(reviewed & ~open_findings)

    def non_party(self):
        return self.filter(political_status__in=NON_PARTY_CODES)

    def minority(self):
        return self.exclude(ethnicity__in=["", codes.Ethnicity.HAN])

    def highest_education_level(self, level: int):
        """Cadres whose highest education (full-time or in-service) is at `level` (10, 20 …)."""
        digit = str(level // 10)
        at_level = Q(ft_education__startswith=digit) | Q(pt_education__startswith=digit)
        none_higher = (Q(ft_education__gte=digit) | Q(ft_education="")) & (
            Q(pt_education__gte=digit) | Q(pt_education="")
        )
        return self.filter(at_level & none_higher)


class Cadre(OrgModel):
    """干部: the fields of the 干部任免审批表."""

    jurisdiction = "unit"
    sensitive_fields = ("id_number", "health", "form_text")
    hard_delete = False  # a cadre leaves by a movement (退休, 调出 …), not by deletion

    name = models.CharField(_("姓名"), max_length=30, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=codes.Gender.choices)
    birth_date = models.DateField(_("出生年月"), help_text=_("只知年月时记为当月1日"))
    ethnicity = models.CharField(_("民族"), max_length=2, choices=codes.Ethnicity.choices, default="01")
    native_place = models.CharField(_("籍贯"), max_length=30, blank=True)
    birthplace = models.CharField(_("出生地"), max_length=30, blank=True)
    id_number = models.CharField(
        _("公民身份号码"), max_length=18, blank=True, validators=[validate_id_number]
    )
    political_status = models.CharField(
        _("政治面貌"), max_length=2, choices=codes.PoliticalStatus.choices, default="01"
    )
    party_join_date = models.DateField(_("入党时间"), null=True, blank=True)
    work_start_date = models.DateField(_("参加工作时间"), null=True, blank=True)
    health = models.CharField(_("健康状况"), max_length=30, blank=True, default="健康")
    professional_title = models.CharField(_("专业技术职务"), max_length=90, blank=True)
    expertise = models.CharField(_("熟悉专业有何专长"), max_length=110, blank=True)
    ft_education = models.CharField(
        _("全日制教育学历"), max_length=2, choices=codes.Education.choices, blank=True
    )
    ft_degree = models.CharField(_("全日制教育学位"), max_length=1, choices=codes.Degree.choices, blank=True)
    ft_school = models.CharField(_("全日制教育毕业院校系及专业"), max_length=90, blank=True)
    pt_education = models.CharField(
        _("在职教育学历"), max_length=2, choices=codes.Education.choices, blank=True
    )
    pt_degree = models.CharField(_("在职教育学位"), max_length=1, choices=codes.Degree.choices, blank=True)
    pt_school = models.CharField(_("在职教育毕业院校系及专业"), max_length=90, blank=True)
    photo = models.FileField(
        _("照片"),
        upload_to="photos/%Y/",
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png"])],
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("工作单位"), on_delete=models.PROTECT, related_name="cadres"
    )
    post = models.CharField(_("现任职务"), max_length=200, blank=True)
    post_since = models.DateField(_("任现职时间"), null=True, blank=True)
    level = models.CharField(
        _("职务层次"), max_length=20, choices=codes.LeadershipLevel.choices, blank=True, db_index=True
    )
    rank = models.CharField(_("职级"), max_length=20, choices=codes.Rank.choices, blank=True, db_index=True)
    rank_since = models.DateField(_("任现职级时间"), null=True, blank=True)
    probation_until = models.DateField(_("任职试用期满"), null=True, blank=True)
    management_category = models.CharField(
        _("管理类别"), max_length=20, choices=codes.ManagementCategory.choices, blank=True
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=codes.CadreStatus.choices,
        default=codes.CadreStatus.SERVING,
        db_index=True,
    )
    note = models.TextField(_("备注"), blank=True)
    form_text = models.TextField(
        _("任免审批表原文"),
        blank=True,
        editable=False,
        help_text=_(
            "导入的任免审批表中未能转为记录的简历、奖惩情况、年度考核结果原文（可能含处分，按敏感信息保护）"
        ),
    )

    form_elements = models.JSONField(
        _("任免审批表原样文字"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_(
            "导入的任免审批表中与记录生成的写法不同的项（如“经济学学士”、原样的简历）：{项: [原文, 当时记录生成的文字]}，"
            "记录未改动时审批表照原文输出"
        ),
    )

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = _("干部")
        verbose_name_plural = _("干部")
        ordering = ["unit__path", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~Q(id_number=""),
                name="unique_cadre_id_number",
                violation_error_message=_("已有干部使用该公民身份号码"),
            )
        ]
        # The list's filter and ordering columns (API filterset, ordering_fields; admin list_filter)
        # that have no index of their own: a rare code (少数民族, 党外, 市管) or a sort on 任现职时间
        # would otherwise read the whole table. Plain b-trees: codes are matched whole, never LIKE.
        # 性别 has none: with two values the planner reads the table (or another index) anyway.
        indexes = [
            models.Index(fields=["birth_date"]),
            models.Index(fields=["post_since"]),
            models.Index(fields=["political_status"]),
            models.Index(fields=["ethnicity"]),
            models.Index(fields=["management_category"]),
        ]

    def __str__(self) -> str:
        return self.name

    def promotion_blockers(self, on: datetime.date) -> list[str]:
        """Why 凡提必核's 纪检监察意见 cannot be “通过” on `on`: a sanction in its influence period, an
        open 红 or 橙 warning (JOURNEYS 干部科 4). Empty when nothing stands in the way."""
        reasons = []
        sanction = Sanction.objects.in_force(on).filter(cadre=self).order_by("-decided_on").first()
        if sanction is not None:
            reasons.append(
                _("处于处分影响期内（%(sanction)s，%(on)s决定）")
                % {"sanction": sanction.get_sanction_display(), "on": format_date(sanction.decided_on)}
            )
        levels = [codes.WarningLevel.RED, codes.WarningLevel.ORANGE]
        warning = self.warnings.filter(closed_on__isnull=True, level__in=levels).first()
        if warning is not None:
            reasons.append(_("有未解除的%s色预警") % warning.get_level_display())
        return reasons

    @property
    def post_with_unit(self) -> str:
        """现任职务 with the unit, as the forms and sheets write it (`××局副局长`): the unit's name in
        front unless the post already begins with it."""
        unit = self.unit.name if self.unit_id else ""
        if not self.post or not unit or self.post.startswith(unit):
            return self.post
        return f"{unit}{self.post}"

    def clean(self) -> None:
        super().clean()
        self.id_number = normalize_id_number(self.id_number)
        errors = {}
        # {} for a malformed number: the field's own validator reports that
        errors.update(id_agreement_errors(self.id_number, birth_date=self.birth_date, gender=self.gender))
        born = self.birth_date
        if born:
            if born > timezone.localdate():
                errors["birth_date"] = _("出生年月不能晚于今天")
            if self.work_start_date and self.work_start_date < add_months(born, 14 * 12):
                errors["work_start_date"] = _("参加工作时间应在年满14周岁之后")
            if self.party_join_date and self.party_join_date < add_months(born, 18 * 12):
                errors["party_join_date"] = _("入党时间应在年满18周岁之后")
        if self.party_join_date and self.political_status in PARTYLESS_CODES:
            errors["party_join_date"] = (
                _("政治面貌为「%s」时不应填写入党时间") % self.get_political_status_display()
            )
        today = timezone.localdate()
        for name in ("post_since", "rank_since"):
            value = getattr(self, name)
            if value and value > today:
                errors[name] = _("%s不能晚于今天") % self._meta.get_field(name).verbose_name
            elif value and self.work_start_date and value < self.work_start_date and name not in errors:
                errors[name] = _("%s不能早于参加工作时间") % self._meta.get_field(name).verbose_name
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.id_number = normalize_id_number(self.id_number)
        super().save(*args, **kwargs)

    @property
    def age(self) -> int | None:
        return age_on(self.birth_date, timezone.localdate()) if self.birth_date else None

    @property
    def retirement_month(self) -> datetime.date | None:
        """到龄年月 under the statutory schedule (DEFAULT_RETIREMENT)."""
        return retirement_month(self.birth_date, self.gender) if self.birth_date else None

    @property
    def highest_education(self) -> str:
        return codes.highest_education([self.ft_education, self.pt_education]) or ""

    @property
    def highest_education_label(self) -> str:
        code = self.highest_education
        return str(codes.Education(code).label) if code else ""

    @property
    def is_minority(self) -> bool:
        return codes.is_minority(self.ethnicity)

    @property
    def is_non_party(self) -> bool:
        return codes.is_non_party(self.political_status)

    @property
    def current_warning_level(self) -> str:
        """Uses the `warning_level` annotation of list querysets; otherwise one query."""
        if hasattr(self, "warning_level"):
            return self.warning_level or ""
        levels = self.warnings.filter(closed_on__isnull=True).values_list("level", flat=True)
        return max(levels, key=lambda level: WARNING_SEVERITY[level], default="")


class CadreChild(OrgModel):
    """Base of the records kept on one cadre."""

    jurisdiction = "cadre__unit"

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.cadre}：{self._meta.verbose_name}"


class ResumeEntry(CadreChild):
    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="resume")
    start = models.DateField(_("起始年月"))
    end = models.DateField(_("截止年月"), null=True, blank=True, help_text=_("空表示至今"))
    text = models.CharField(_("经历"), max_length=300)

    class Meta:
        verbose_name = _("简历")
        verbose_name_plural = _("简历")
        ordering = ["cadre", "start", "id"]

    def clean(self):
        super().clean()
        validate_date_order(
            self.start, self.end, field="end", earlier_label=_("起始年月"), later_label=_("截止年月")
        )
        if self.end is None and self.cadre_id:
            others = ResumeEntry.objects.filter(cadre_id=self.cadre_id, end__isnull=True).exclude(pk=self.pk)
            if others.exists():
                raise ValidationError({"end": _("该干部已有一条“至今”的简历，请先填写其截止年月")})


class FamilyMember(CadreChild):
    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="family")
    relation = models.CharField(_("称谓"), max_length=20)
    name = models.CharField(_("姓名"), max_length=30)
    birth_date = models.DateField(_("出生年月"), null=True, blank=True)
    political_status = models.CharField(
        _("政治面貌"), max_length=2, choices=codes.PoliticalStatus.choices, blank=True
    )
    employer_post = models.CharField(_("工作单位及职务"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("家庭主要成员及重要社会关系")
        verbose_name_plural = _("家庭主要成员及重要社会关系")
        ordering = ["cadre", "id"]


class AnnualAssessment(CadreChild):
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="assessments"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    result = models.CharField(_("考核结果"), max_length=20, choices=codes.AssessmentResult.choices)

    class Meta:
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        ordering = ["cadre", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "year"],
                name="unique_assessment_per_year",
                violation_error_message=_("该干部这一年度已有考核结果"),
            )
        ]

    def clean(self):
        super().clean()
        started = self.cadre.work_start_date if self.cadre_id else None
        if self.year and started and self.year < started.year:
            raise ValidationError({"year": _("考核年度不能早于参加工作的年份（%s）") % started.year})


class Reward(CadreChild):
    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="rewards")
    date = models.DateField(_("奖励时间"))
    name = models.CharField(_("奖励名称"), max_length=200)
    issuer = models.CharField(_("批准机关"), max_length=100, blank=True)
    doc_number = models.CharField(_("文号"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("奖励")
        verbose_name_plural = _("奖励")
        ordering = ["cadre", "-date"]


def influence_last_day(decided_on: datetime.date, months: int | None) -> datetime.date | None:
    """The last day a sanction's influence period covers (None: permanent).

    N months counted from the decision date end the day before the same date N months on
    (2024-01-15 + 6 → 2024-07-14); when that month has no such date the period runs to its end
    (2024-08-31 + 6 → 2025-02-28), as periods counted in months do under the Civil Code (art. 203).
    """
    if months is None:
        return None
    same_day = add_months(decided_on, months)
    return same_day if same_day.day < decided_on.day else same_day - datetime.timedelta(days=1)


class SanctionQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date | None = None):
        """Sanctions whose influence period covers `on`: from the decision date through its last day."""
        on = on or timezone.localdate()
        return self.filter(decided_on__lte=on).filter(
            Q(influence_months__isnull=True) | Q(influence_until__gte=on)
        )


class Sanction(CadreChild):
    """处分 / 组织处理 / 诫勉, with its influence period (影响期)."""

    sensitive_fields = ("sanction", "reason", "doc_number")

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="sanctions"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=codes.SanctionKind.choices, editable=False)
    sanction = models.CharField(_("处分（处理）"), max_length=30, choices=codes.Sanction.choices)
    decided_on = models.DateField(_("决定日期"))
    issuer = models.CharField(_("决定机关"), max_length=100, blank=True)
    doc_number = models.CharField(_("文号"), max_length=60, blank=True)
    reason = models.TextField(_("事由"), blank=True)
    influence_months = models.PositiveSmallIntegerField(
        _("影响期（月）"), null=True, blank=True, help_text=_("按规定默认填写，可修改；空表示永久（开除）")
    )
    influence_until = models.DateField(_("影响期截止日"), null=True, blank=True, editable=False)

    objects = SanctionQuerySet.as_manager()

    class Meta:
        verbose_name = _("处分与组织处理")
        verbose_name_plural = _("处分与组织处理")
        ordering = ["cadre", "-decided_on"]

    @classmethod
    def from_db(cls, db, field_names, values):
        record = super().from_db(db, field_names, values)
        record._loaded = (record.__dict__.get("sanction"), record.__dict__.get("influence_months"))
        return record

    def save(self, *args, **kwargs):
        self.kind = codes.SANCTION_KIND[self.sanction]
        loaded_sanction, loaded_months = getattr(self, "_loaded", (None, None))
        if self._state.adding and self.influence_months is None:
            self.influence_months = codes.SANCTION_INFLUENCE_MONTHS[self.sanction]
        elif (
            loaded_sanction
            and self.sanction != loaded_sanction
            and self.influence_months == loaded_months == codes.SANCTION_INFLUENCE_MONTHS[loaded_sanction]
        ):  # the type changed while the period was still the old type's default: take the new default
            self.influence_months = codes.SANCTION_INFLUENCE_MONTHS[self.sanction]
        self.influence_until = influence_last_day(self.decided_on, self.influence_months)
        super().save(*args, **kwargs)
        self._loaded = (self.sanction, self.influence_months)


STATUS_AFTER = {  # movements that end a cadre's service here; the unit stays as it was
    codes.MovementKind.RETIREMENT: codes.CadreStatus.RETIRED,
    codes.MovementKind.TRANSFER_OUT: codes.CadreStatus.TRANSFERRED_OUT,
    codes.MovementKind.RESIGNATION: codes.CadreStatus.RESIGNED,
    codes.MovementKind.DISMISSAL: codes.CadreStatus.DISMISSED,
    codes.MovementKind.DEATH: codes.CadreStatus.DECEASED,
}


class Movement(CadreChild):
    """任免 / 进退留转: recorded through cadres.services.record_movement, which updates the cadre."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="movements"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=codes.MovementKind.choices)
    date = models.DateField(_("日期"))
    doc_number = models.CharField(_("文号"), max_length=60, blank=True)
    from_unit = models.ForeignKey(
        Unit, verbose_name=_("原单位"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_post = models.CharField(_("原职务"), max_length=200, blank=True)
    from_level = models.CharField(
        _("原职务层次"), max_length=20, choices=codes.LeadershipLevel.choices, blank=True
    )
    from_rank = models.CharField(_("原职级"), max_length=20, choices=codes.Rank.choices, blank=True)
    to_unit = models.ForeignKey(
        Unit, verbose_name=_("新单位"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_post = models.CharField(_("新职务"), max_length=200, blank=True)
    to_level = models.CharField(
        _("新职务层次"), max_length=20, choices=codes.LeadershipLevel.choices, blank=True
    )
    to_rank = models.CharField(_("新职级"), max_length=20, choices=codes.Rank.choices, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("任免与进退留转")
        verbose_name_plural = _("任免与进退留转")
        ordering = ["cadre", "-date", "-id"]

    def clean(self):
        """The rules against the cadre's current post (提拔 raises the level …), checked when recording."""
        super().clean()
        if not self._state.adding or not self.cadre_id:
            return
        cadre, movement = self.cadre, self
        M, errors = codes.MovementKind, {}
        current_level, current_rank = cadre.level, cadre.rank
        if movement.kind in (M.PROMOTION, M.DEMOTION):
            if not movement.to_level:
                errors["to_level"] = _("请填写新职务层次")
            elif current_level:
                raised = codes.level_order(movement.to_level) > codes.level_order(current_level)
                lowered = codes.level_order(movement.to_level) < codes.level_order(current_level)
                if movement.kind == M.PROMOTION and not raised:
                    errors["to_level"] = (
                        _("提拔的新职务层次必须高于现职务层次（%s）") % cadre.get_level_display()
                    )
                if movement.kind == M.DEMOTION and not lowered:
                    errors["to_level"] = (
                        _("降职的新职务层次必须低于现职务层次（%s）") % cadre.get_level_display()
                    )
        if movement.kind == M.RANK_PROMOTION:
            if not movement.to_rank:
                errors["to_rank"] = _("请填写新职级")
            elif current_rank and codes.rank_order(movement.to_rank) <= codes.rank_order(current_rank):
                errors["to_rank"] = _("晋升的新职级必须高于现职级（%s）") % cadre.get_rank_display()
        if (
            movement.kind == M.LATERAL
            and movement.to_level
            and current_level
            and movement.to_level != current_level
        ):
            errors["to_level"] = _("平级交流不改变职务层次")
        if cadre.status != codes.CadreStatus.SERVING and movement.kind not in (M.HIRE, M.TRANSFER_IN):
            errors["kind"] = _("该干部当前状态为「%s」，只能录用或调入") % cadre.get_status_display()
        if errors:
            raise ValidationError(errors)
        after = copy.copy(cadre)
        self.apply_to(after)
        try:
            after.full_clean(validate_constraints=False)
        except ValidationError as error:  # the cadre's own rules, as this movement would leave it
            raise ValidationError(
                {
                    "date" if name in ("post_since", "rank_since") else "__all__": messages
                    for name, messages in error.message_dict.items()
                }
            ) from error

    def apply_to(self, cadre: "Cadre") -> None:
        """Bring the cadre's current unit, post, level, rank and status to what this movement makes them."""
        if self.kind in STATUS_AFTER:
            cadre.status = STATUS_AFTER[self.kind]
            return
        cadre.status = codes.CadreStatus.SERVING
        if self.to_unit_id is not None:
            cadre.unit = self.to_unit
        if self.to_post and self.to_post != cadre.post:
            cadre.post, cadre.post_since = self.to_post, self.date
        elif self.kind == codes.MovementKind.REMOVAL and not self.to_post:
            cadre.post, cadre.post_since = "", None  # 免去…职务 with no new post: no current post
        if self.to_level:
            cadre.level = self.to_level
        if self.to_rank and self.to_rank != cadre.rank:
            cadre.rank, cadre.rank_since = self.to_rank, self.date


class CadreWarning(CadreChild):
    """红橙黄蓝预警 (干监科)."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="warnings"
    )
    level = models.CharField(_("预警等级"), max_length=10, choices=codes.WarningLevel.choices)
    source = models.CharField(_("来源"), max_length=20, choices=codes.WarningSource.choices)
    raised_on = models.DateField(_("预警日期"))
    closed_on = models.DateField(_("解除日期"), null=True, blank=True)
    note = models.TextField(_("情况说明"), blank=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["cadre", "-raised_on"]

    def clean(self):
        super().clean()
        validate_date_order(
            self.raised_on,
            self.closed_on,
            field="closed_on",
            earlier_label=_("预警日期"),
            later_label=_("解除日期"),
        )


class SupervisionMeasure(CadreChild):
    """提醒 / 函询 / 诫勉 / 谈话."""

    sensitive_fields = ("reason", "outcome")

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="measures"
    )
    kind = models.CharField(_("方式"), max_length=20, choices=codes.SupervisionKind.choices)
    date = models.DateField(_("日期"))
    reason = models.TextField(_("事由"))
    handled_by = models.CharField(_("承办人"), max_length=60, blank=True)
    outcome = models.TextField(_("结果"), blank=True)

    class Meta:
        verbose_name = _("提醒函询诫勉")
        verbose_name_plural = _("提醒函询诫勉")
        ordering = ["cadre", "-date"]


class PersonalMattersReport(CadreChild):
    """个人有关事项报告 and its check."""

    sensitive_fields = ("discrepancy", "handling")

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="personal_reports"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    submitted_on = models.DateField(_("报告日期"))
    checked_on = models.DateField(_("核查日期"), null=True, blank=True)
    consistent = models.BooleanField(_("核查一致"), null=True, blank=True)
    discrepancy = models.TextField(_("不一致情况"), blank=True)
    handling = models.TextField(_("处理情况"), blank=True)

    class Meta:
        verbose_name = _("个人有关事项报告")
        verbose_name_plural = _("个人有关事项报告")
        ordering = ["cadre", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "year"],
                name="unique_personal_report_per_year",
                violation_error_message=_("该干部这一年度已有个人有关事项报告"),
            )
        ]

    def clean(self):
        super().clean()
        validate_date_order(
            self.submitted_on,
            self.checked_on,
            field="checked_on",
            earlier_label=_("报告日期"),
            later_label=_("核查日期"),
        )
        if self.consistent is not None and not self.checked_on:
            raise ValidationError({"checked_on": _("填写核查结果时请填写核查日期")})
        if self.consistent is False and not self.discrepancy:
            raise ValidationError({"discrepancy": _("核查不一致时请填写不一致情况")})
        if self.consistent is True and self.discrepancy:
            raise ValidationError({"consistent": _("已填写不一致情况，核查结果不能为一致")})


class PromotionCheck(CadreChild):
    """凡提必核: the checks before a proposed appointment."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="promotion_checks"
    )
    proposed_post = models.CharField(_("拟任职务"), max_length=200)
    checked_on = models.DateField(_("核查日期"))
    archive = models.CharField(
        _("档案审核"), max_length=10, choices=codes.CheckResult.choices, default=codes.CheckResult.PENDING
    )
    personal_matters = models.CharField(
        _("个人有关事项核查"),
        max_length=10,
        choices=codes.CheckResult.choices,
        default=codes.CheckResult.PENDING,
    )
    discipline = models.CharField(
        _("纪检监察意见"), max_length=10, choices=codes.CheckResult.choices, default=codes.CheckResult.PENDING
    )
    petition = models.CharField(
        _("信访举报核查"), max_length=10, choices=codes.CheckResult.choices, default=codes.CheckResult.PENDING
    )
    notes = models.TextField(_("核查说明"), blank=True)
    result = models.CharField(
        _("总体结论"),
        max_length=10,
        choices=codes.CheckResult.choices,
        editable=False,
        default=codes.CheckResult.PENDING,
    )

    ITEMS = ("archive", "personal_matters", "discipline", "petition")

    class Meta:
        verbose_name = _("凡提必核")
        verbose_name_plural = _("凡提必核")
        ordering = ["cadre", "-checked_on"]

    def clean(self) -> None:
        super().clean()
        if self.discipline == codes.CheckResult.PASSED and self.cadre_id and self.checked_on:
            reasons = self.cadre.promotion_blockers(self.checked_on)
            if reasons:
                raise ValidationError(
                    {"discipline": _("纪检监察意见不能为“通过”：该干部%s") % "；".join(reasons)}
                )

    def save(self, *args, **kwargs):
        results = {getattr(self, item) for item in self.ITEMS}
        R = codes.CheckResult
        self.result = R.FAILED if R.FAILED in results else R.PENDING if R.PENDING in results else R.PASSED
        super().save(*args, **kwargs)


class ArchiveReview(CadreChild):
    """干部档案专项审核 (干档科)."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="archive_reviews"
    )
    reviewed_on = models.DateField(_("审核日期"))
    reviewer = models.CharField(_("审核人"), max_length=60)
    status = models.CharField(
        _("状态"), max_length=20, choices=codes.ReviewStatus.choices, default=codes.ReviewStatus.IN_PROGRESS
    )
    conclusion = models.TextField(_("审核结论"), blank=True)

    class Meta:
        verbose_name = _("档案专项审核")
        verbose_name_plural = _("档案专项审核")
        ordering = ["cadre", "-reviewed_on"]


class ArchiveFinding(OrgModel):
    """One item of an archive review: the recorded value against the archive's."""

    jurisdiction = "review__cadre__unit"

    review = models.ForeignKey(
        ArchiveReview, verbose_name=_("档案审核"), on_delete=models.CASCADE, related_name="findings"
    )
    item = models.CharField(_("审核项目"), max_length=20, choices=codes.ArchiveItem.choices)
    recorded_value = models.CharField(_("信息系统记载"), max_length=200, blank=True)
    archive_value = models.CharField(_("档案认定"), max_length=200, blank=True)
    resolved = models.BooleanField(_("已处理"), default=False)
    note = models.TextField(_("处理说明"), blank=True)

    class Meta:
        verbose_name = _("档案审核问题")
        verbose_name_plural = _("档案审核问题")
        ordering = ["review", "id"]

    def __str__(self) -> str:
        return f"{self.review.cadre}：{self.get_item_display()}"
