"""Leadership teams (领导班子, 干部科): approved numbers of leadership posts (职数), the team structure
rules kept as data, the yearly 综合研判 of a team with its members' assessments, and the quarterly
平时考核 of each cadre. The counting and the report are in cadres.teams.

How incumbents are counted (实配): the serving cadres whose current unit is the quota's unit and
whose 职务层次 is its level. A cadre record has no post kind, and a county's 党委 and 政府 cadres sit
at the same unit, so a post kind (党委, 政府 …) only subdivides an approved number: the quotas of one
unit and level are added up and compared with that unit's cadres at that level.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from orgportal import codes
from orgportal.models import OrgModel, Unit

from .appointments import AppointmentCase
from .records import Cadre, CadreChild

__all__ = [
    "PostQuota",
    "TeamRule",
    "TeamAnalysis",
    "MemberAssessment",
    "RegularAssessment",
    "SuccessionPlanStatus",
    "SuccessionProposalKind",
    "DepartureReason",
    "ProposalStatus",
    "SuccessionPlan",
    "SuccessionProposal",
]

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


class PostQuota(OrgModel):
    """核定职数: the approved number of leadership posts of one level (and kind) in a unit."""

    jurisdiction = "unit"

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="post_quotas"
    )
    level = models.CharField(_("职务层次"), max_length=20, choices=codes.LeadershipLevel.choices)
    post_kind = models.CharField(
        _("职数类别"),
        max_length=20,
        choices=codes.PostKind.choices,
        blank=True,
        help_text=_("只是核定职数的细分：实配按单位和职务层次合计统计"),
    )
    approved = models.PositiveSmallIntegerField(_("核定职数"))
    doc_number = models.CharField(_("核定文号"), max_length=60, blank=True)
    approved_on = models.DateField(_("核定日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("领导职数")
        verbose_name_plural = _("领导职数")
        ordering = ["unit__path", "level", "post_kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "level", "post_kind"],
                name="unique_post_quota",
                violation_error_message=_("该单位这一职务层次（类别）已核定职数，请修改原记录"),
            )
        ]

    def __str__(self) -> str:
        kind = f"（{self.get_post_kind_display()}）" if self.post_kind else ""
        return f"{self.unit}{kind}{self.get_level_display()} {self.approved}名"


class TeamRule(OrgModel):
    """班子结构要求, per unit kind: at least `minimum` women, non-Party cadres, cadres aged `max_age`
    or under, or cadres whose 专长/专业/学校 mention one of `keywords` (the department's policy)."""

    jurisdiction = None

    name = models.CharField(_("名称"), max_length=60)
    unit_kind = models.CharField(_("单位类别"), max_length=20, choices=codes.UnitKind.choices)
    kind = models.CharField(_("要求类型"), max_length=20, choices=codes.TeamRuleKind.choices)
    minimum = models.PositiveSmallIntegerField(_("至少（名）"), default=1, validators=[MinValueValidator(1)])
    max_age = models.PositiveSmallIntegerField(
        _("年龄上限（周岁，含）"), null=True, blank=True, help_text=_("年轻干部：该年龄及以下")
    )
    keywords = models.CharField(
        _("关键词"),
        max_length=200,
        blank=True,
        help_text=_("专业背景：熟悉专业有何专长、专业技术职务或毕业院校系及专业含其中之一，以逗号分隔"),
    )
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("班子结构要求")
        verbose_name_plural = _("班子结构要求")
        ordering = ["unit_kind", "sort_order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.replace("，", ",").split(",") if word.strip()]

    def clean(self) -> None:
        super().clean()
        if self.kind == codes.TeamRuleKind.YOUNG and not self.max_age:
            raise ValidationError({"max_age": _("年轻干部要求请填写年龄上限")})
        if self.kind == codes.TeamRuleKind.BACKGROUND and not self.keyword_list:
            raise ValidationError({"keywords": _("专业背景要求请填写关键词")})


class TeamAnalysis(OrgModel):
    """领导班子综合研判: a team (its unit) in a year."""

    jurisdiction = "unit"

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位（班子）"), on_delete=models.PROTECT, related_name="team_analyses"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    analysed_on = models.DateField(_("研判日期"), null=True, blank=True)
    rating = models.CharField(_("研判等次"), max_length=20, choices=codes.TeamRating.choices)
    strengths = models.TextField(_("主要优点"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    adjustments = models.TextField(_("调整建议"), blank=True)

    class Meta:
        verbose_name = _("班子综合研判")
        verbose_name_plural = _("班子综合研判")
        ordering = ["-year", "unit__path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="unique_team_analysis_per_year",
                violation_error_message=_("该班子这一年度已有综合研判"),
            )
        ]

    def __str__(self) -> str:
        return _("%(unit)s %(year)s年度综合研判") % {"unit": self.unit, "year": self.year}


class MemberAssessment(OrgModel):
    """研判中对班子成员的评价."""

    jurisdiction = "analysis__unit"

    analysis = models.ForeignKey(
        TeamAnalysis, verbose_name=_("综合研判"), on_delete=models.CASCADE, related_name="members"
    )
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("班子成员"), on_delete=models.PROTECT, related_name="team_assessments"
    )
    assessment = models.TextField(_("评价"))

    class Meta:
        verbose_name = _("班子成员评价")
        verbose_name_plural = _("班子成员评价")
        ordering = ["analysis", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["analysis", "cadre"],
                name="unique_member_assessment",
                violation_error_message=_("该研判已有对这名成员的评价"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.analysis}：{self.cadre}"

    def clean(self) -> None:
        super().clean()
        if (
            self._state.adding
            and self.analysis_id
            and self.cadre_id
            and self.cadre.unit_id != self.analysis.unit_id
        ):
            raise ValidationError({"cadre": _("该干部不是这个班子（单位）的成员")})


class RegularAssessment(CadreChild):
    """平时考核: a cadre's rating for one quarter."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="regular_assessments"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    quarter = models.PositiveSmallIntegerField(
        _("季度"), choices=[(1, _("第一季度")), (2, _("第二季度")), (3, _("第三季度")), (4, _("第四季度"))]
    )
    rating = models.CharField(_("考核等次"), max_length=20, choices=codes.TeamRating.choices)
    note = models.TextField(_("评语"), blank=True)

    class Meta:
        verbose_name = _("平时考核")
        verbose_name_plural = _("平时考核")
        ordering = ["cadre", "-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "year", "quarter"],
                name="unique_regular_assessment",
                violation_error_message=_("该干部这一季度已有平时考核"),
            )
        ]


# --- 换届 planning (cadres.succession) ------------------------------------------------------------
class SuccessionPlanStatus(models.TextChoices):
    DRAFT = "draft", _("草拟")
    FINAL = "final", _("定稿")


class SuccessionProposalKind(models.TextChoices):
    DEPARTURE = "departure", _("拟离任")
    APPOINTMENT = "appointment", _("拟任职")


class DepartureReason(models.TextChoices):
    AGE = "age", _("到龄")
    TERM = "term", _("任期届满")
    EXCHANGE = "exchange", _("交流")
    OTHER = "other", _("其他")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("拟议")
    ACCEPTED = "accepted", _("采纳")
    REJECTED = "rejected", _("不采纳")
    CASE_OPENED = "case_opened", _("已启动任免事项")


class SuccessionPlan(OrgModel):
    """换届方案 (a what-if): teams of units under `unit`, and proposed departures and appointments.
    Nothing changes until staff turn an accepted proposal into an appointment case."""

    jurisdiction = "unit"

    name = models.CharField(_("方案名称"), max_length=100)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("换届范围"),
        on_delete=models.PROTECT,
        related_name="succession_plans",
        help_text=_("该单位及其下级单位的班子"),
    )
    teams = models.ManyToManyField(
        Unit, verbose_name=_("班子（单位）"), blank=True, related_name="+", help_text=_("换届涉及的班子")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=SuccessionPlanStatus.choices, default=SuccessionPlanStatus.DRAFT
    )
    on_date = models.DateField(_("换届日期"), help_text=_("计算年龄、到龄的日期"))
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("换届方案")
        verbose_name_plural = _("换届方案")
        ordering = ["-on_date", "-id"]

    def __str__(self) -> str:
        return self.name


class SuccessionProposal(OrgModel):
    """换届方案中的一条：拟离任 (a member of a team, with the reason) or 拟任职 (a candidate into a team
    at a level). cadres.succession.open_case turns an accepted one into an appointment case."""

    jurisdiction = "plan__unit"

    plan = models.ForeignKey(
        SuccessionPlan, verbose_name=_("换届方案"), on_delete=models.CASCADE, related_name="proposals"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=SuccessionProposalKind.choices)
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.PROTECT, related_name="succession_proposals"
    )
    team = models.ForeignKey(
        Unit,
        verbose_name=_("班子（单位）"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("拟离任：所在班子；拟任职：拟进入的班子"),
    )
    level = models.CharField(
        _("拟任职务层次"), max_length=20, choices=codes.LeadershipLevel.choices, blank=True
    )
    post = models.CharField(_("拟任职务"), max_length=200, blank=True)
    reason = models.CharField(_("离任原因"), max_length=20, choices=DepartureReason.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    case = models.ForeignKey(
        AppointmentCase,
        verbose_name=_("任免事项"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("换届方案建议")
        verbose_name_plural = _("换届方案建议")
        ordering = ["plan", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "cadre", "kind"],
                name="unique_succession_proposal",
                violation_error_message=_("该方案中已有这名干部的同类建议"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.cadre}（{self.team}）"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.kind == SuccessionProposalKind.DEPARTURE:
            if not self.reason:
                errors["reason"] = _("拟离任请选择离任原因")
            if self._state.adding and self.cadre_id and self.team_id and self.cadre.unit_id != self.team_id:
                errors["cadre"] = _("该干部不是这个班子（单位）的成员")
        elif self.kind == SuccessionProposalKind.APPOINTMENT:
            if not self.level:
                errors["level"] = _("拟任职请填写拟任职务层次")
            if not self.post:
                errors["post"] = _("拟任职请填写拟任职务")
        if self.plan_id and self.team_id and not self.team.path.startswith(self.plan.unit.path):
            errors["team"] = _("该班子不在方案的换届范围内")
        if (self.status == ProposalStatus.CASE_OPENED) != bool(self.case_id):
            errors["status"] = _("任免事项须通过「启动任免事项」操作办理，启动后不再更改状态")
        if errors:
            raise ValidationError(errors)
