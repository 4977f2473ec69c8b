"""学时: the hours requirements (学时要求, rules kept as data) and the hours a cadre earns outside the
classes on record (网络培训, 外单位培训, 自学 — ExternalHours, counted once approved).

The ledger that adds them up against the requirement is training.ledger.
"""

from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre
from orgportal import codes
from orgportal.codes import ExternalHoursKind, HoursCounting
from orgportal.models import OrgModel
from orgportal.review import Reviewed, reviewed_on_matches_status

from .classes import HOURS, split_levels, validate_levels

# 退训: leave (请假) taken during a 脱产 class beyond this share of its hours (干部教育培训工作条例;
# settings.TRAINING_LEAVE_LIMIT, e.g. "1/7", overrides it).
LEAVE_LIMIT = Fraction(getattr(settings, "TRAINING_LEAVE_LIMIT", "1/7"))


def validate_ranks(text: str) -> None:
    """A comma-separated list of Rank codes (职级)."""
    unknown = [code for code in split_levels(text) if code not in codes.Rank.values]
    if unknown:
        raise ValidationError(_("「%s」不是有效的职级代码") % "、".join(unknown), code="invalid_rank")


class HoursRequirement(OrgModel):
    """学时要求: who it applies to (职务层次 and/or 职级 codes — either matches; neither given: every
    cadre), how many hours within how many years (the window ends with the year counted), and
    what counts. A cadre takes the first active requirement of each kind (组织调训 or 网络学习) in
    `priority` order that applies to them; `catch_up_years`: a cadre who took up the post (任现职
    时间) within that many years before the year's end and is short is 补学期内, not yet overdue."""

    jurisdiction = None  # one city-wide standard; who may edit it is a permission (培训办)

    name = models.CharField(_("名称"), max_length=100)
    levels = models.CharField(
        _("适用职务层次"),
        max_length=200,
        blank=True,
        validators=[validate_levels],
        help_text=_("职务层次代码，以英文逗号分隔"),
    )
    ranks = models.CharField(
        _("适用职级"),
        max_length=300,
        blank=True,
        validators=[validate_ranks],
        help_text=_("职级代码，以英文逗号分隔；职务层次或职级符合其一即适用，均空表示全部干部"),
    )
    hours = models.DecimalField(_("学时"), **HOURS, validators=[MinValueValidator(Decimal("0.5"))])
    window_years = models.PositiveSmallIntegerField(
        _("周期（年）"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("统计年度及其前若干年，共计多少年内累计达到"),
    )
    counting = models.CharField(
        _("计入范围"), max_length=20, choices=HoursCounting.choices, default=HoursCounting.ALL
    )
    catch_up_years = models.PositiveSmallIntegerField(
        _("提任后补足期限（年）"), default=0, validators=[MaxValueValidator(5)], help_text=_("0 表示无")
    )
    priority = models.PositiveSmallIntegerField(_("顺序"), default=10, help_text=_("同时适用时取顺序在前者"))
    active = models.BooleanField(_("启用"), default=True)
    basis = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("学时要求")
        verbose_name_plural = _("学时要求")
        ordering = ["priority", "id"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="hours_requirement_positive")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        for field, table in (("levels", codes.LeadershipLevel), ("ranks", codes.Rank)):
            chosen = split_levels(getattr(self, field))
            if all(code in table.values for code in chosen):
                setattr(self, field, ",".join(c for c in table.values if c in chosen))

    def applies_q(self, prefix: str = "") -> Q:
        """The cadres this requirement applies to (`prefix` reaches the cadre)."""
        levels, ranks = split_levels(self.levels), split_levels(self.ranks)
        if not levels and not ranks:
            return Q(**{f"{prefix}pk__isnull": False})
        q = Q()
        if levels:
            q |= Q(**{f"{prefix}level__in": levels})
        if ranks:
            q |= Q(**{f"{prefix}rank__in": ranks})
        return q


class ExternalHours(Reviewed, OrgModel):
    """其他学时 (网络培训, 外单位培训, 自学): recorded 待审核, reviewed once through
    orgportal.review; only 已认可 hours count, in their year."""

    review_noun = _("学时记录")
    review_fixed_fields = ("cadre_id", "year", "kind", "provider", "hours", "evidence")

    jurisdiction = "cadre__unit"

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="external_training"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    kind = models.CharField(_("类别"), max_length=20, choices=ExternalHoursKind.choices)
    provider = models.CharField(_("举办单位（平台）"), max_length=100)
    hours = models.DecimalField(
        _("学时"), **HOURS, validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(1000)]
    )
    evidence = models.CharField(
        _("证明材料"), max_length=200, blank=True, help_text=_("证书、学时证明或平台记录")
    )

    class Meta:
        verbose_name = _("其他学时")
        verbose_name_plural = _("其他学时")
        ordering = ["-year", "cadre", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="external_hours_positive"),
            reviewed_on_matches_status("external_hours_reviewed_on_matches_status"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre}：{self.year}年{self.get_kind_display()}{self.hours}学时"

    def clean(self) -> None:
        super().clean()
        if self.year and self.year > timezone.localdate().year:
            raise ValidationError({"year": _("年度不能晚于今年")})
