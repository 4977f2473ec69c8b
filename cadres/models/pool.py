"""The young-cadre pool (优秀年轻干部库, 综干科): programmes, memberships with their in/out history,
development plans (一人一策), the growth dossier (一人一档) and practical postings (实践锻炼)."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgportal import codes
from orgportal.models import OrgModel, Unit
from orgportal.validators import validate_date_order

from .records import Cadre, CadreChild

__all__ = [
    "Programme",
    "PoolMembership",
    "DevelopmentPlan",
    "PlanMeasure",
    "PlanReview",
    "DossierEntry",
    "Posting",
]


class Programme(OrgModel):
    """培养计划/批次: 第二轮蹲苗计划, 年轻干部151培养选拔计划 …"""

    jurisdiction = None  # programmes are listed for every unit; who may edit is a permission

    name = models.CharField(_("计划名称"), max_length=100)
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    tier = models.CharField(_("培养层级"), max_length=20, choices=codes.LeadershipLevel.choices, blank=True)
    organiser = models.ForeignKey(
        Unit, verbose_name=_("组织单位"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=codes.ProgrammeStatus.choices, default=codes.ProgrammeStatus.ACTIVE
    )

    class Meta:
        verbose_name = _("培养计划")
        verbose_name_plural = _("培养计划")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.year}）"


class PoolMembership(CadreChild):
    """A cadre's time in the pool: admitted (cadres.services.admit_to_pool), exited (exit_pool).
    At most one open membership per cadre (a database constraint); re-entry is a new membership."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="memberships"
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("培养计划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
    )
    tier = models.CharField(_("培养层级"), max_length=20, choices=codes.LeadershipLevel.choices)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=codes.PoolStatus.choices,
        default=codes.PoolStatus.IN,
        editable=False,
    )
    entered_on = models.DateField(_("入库日期"))
    source = models.CharField(_("入库来源"), max_length=30, choices=codes.PoolSource.choices)
    recommending_unit = models.ForeignKey(
        Unit, verbose_name=_("推荐单位"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exited_on = models.DateField(_("出库日期"), null=True, blank=True, editable=False)
    exit_reason = models.CharField(
        _("出库原因"), max_length=20, choices=codes.PoolExitReason.choices, blank=True, editable=False
    )
    exit_note = models.TextField(_("出库说明"), blank=True, editable=False)

    class Meta:
        verbose_name = _("年轻干部库成员")
        verbose_name_plural = _("年轻干部库成员")
        ordering = ["cadre", "-entered_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre"],
                condition=Q(status="in"),
                name="one_open_membership_per_cadre",
                violation_error_message=_("该干部已在库中"),
            ),
            models.CheckConstraint(
                condition=Q(status="in", exited_on__isnull=True, exit_reason="")
                | Q(status="out", exited_on__isnull=False) & ~Q(exit_reason=""),
                name="membership_exit_fields_match_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre}（{self.get_status_display()}）"

    def clean(self):
        super().clean()
        if self.exited_on and self.entered_on:
            validate_date_order(
                self.entered_on,
                self.exited_on,
                field="exited_on",
                earlier_label=_("入库日期"),
                later_label=_("出库日期"),
            )


class DevelopmentPlan(OrgModel):
    """一人一策: the plan for one membership."""

    jurisdiction = "membership__cadre__unit"

    membership = models.OneToOneField(
        PoolMembership, verbose_name=_("年轻干部库成员"), on_delete=models.CASCADE, related_name="plan"
    )
    direction = models.CharField(_("培养方向"), max_length=200)
    responsible_leader = models.CharField(_("联系领导"), max_length=60, blank=True)
    next_review_on = models.DateField(_("下次评估日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("培养计划（一人一策）")
        verbose_name_plural = _("培养计划（一人一策）")
        ordering = ["membership"]

    def __str__(self) -> str:
        return f"{self.membership.cadre}：{self.direction}"


class PlanMeasure(OrgModel):
    jurisdiction = "plan__membership__cadre__unit"

    plan = models.ForeignKey(
        DevelopmentPlan, verbose_name=_("一人一策"), on_delete=models.CASCADE, related_name="measures"
    )
    text = models.CharField(_("培养措施"), max_length=300)
    due_on = models.DateField(_("完成时限"), null=True, blank=True)
    done = models.BooleanField(_("已完成"), default=False)

    class Meta:
        verbose_name = _("培养措施")
        verbose_name_plural = _("培养措施")
        ordering = ["plan", "due_on", "id"]

    def __str__(self) -> str:
        return self.text


class PlanReview(OrgModel):
    jurisdiction = "plan__membership__cadre__unit"

    plan = models.ForeignKey(
        DevelopmentPlan, verbose_name=_("一人一策"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewed_on = models.DateField(_("评估日期"))
    notes = models.TextField(_("评估意见"))

    class Meta:
        verbose_name = _("培养评估")
        verbose_name_plural = _("培养评估")
        ordering = ["plan", "-reviewed_on"]

    def __str__(self) -> str:
        return f"{self.plan}：{self.reviewed_on}"


class DossierEntry(CadreChild):
    """一人一档: a dated entry in a cadre's growth dossier."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="dossier")
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类别"), max_length=20, choices=codes.DossierKind.choices)
    text = models.TextField(_("内容"))
    attachment = models.FileField(
        _("附件"),
        upload_to="dossier/%Y/",
        blank=True,
        validators=[FileExtensionValidator(["pdf", "doc", "docx", "jpg", "jpeg", "png", "xlsx"])],
    )

    class Meta:
        verbose_name = _("成长档案记录")
        verbose_name_plural = _("成长档案记录")
        ordering = ["cadre", "-date"]


class PostingQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(start__lte=on, actual_end__isnull=True)

    def ending_within(self, days: int = 30, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.current(on).filter(
            planned_end__gte=on, planned_end__lte=on + datetime.timedelta(days=days)
        )


class Posting(CadreChild):
    """实践锻炼: 挂职锻炼, 跟班学习, 多岗历练, 蹲苗."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="postings"
    )
    kind = models.CharField(_("锻炼方式"), max_length=20, choices=codes.PostingKind.choices)
    host_kind = models.CharField(_("锻炼去向"), max_length=30, choices=codes.HostKind.choices)
    host_unit = models.ForeignKey(
        Unit,
        verbose_name=_("锻炼单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("本系统单位树内的单位"),
    )
    host_name = models.CharField(
        _("锻炼单位（树外）"),
        max_length=100,
        blank=True,
        help_text=_("不在本系统单位树内时填写，如上级机关、发达地区的单位"),
    )
    post = models.CharField(_("挂任（跟班）职务"), max_length=100, blank=True)
    start = models.DateField(_("开始日期"))
    planned_end = models.DateField(_("计划结束日期"), null=True, blank=True)
    actual_end = models.DateField(_("实际结束日期"), null=True, blank=True)
    evaluation = models.TextField(_("鉴定评价"), blank=True)
    doc_number = models.CharField(_("文号"), max_length=60, blank=True)

    objects = PostingQuerySet.as_manager()

    class Meta:
        verbose_name = _("实践锻炼")
        verbose_name_plural = _("实践锻炼")
        ordering = ["cadre", "-start"]

    def clean(self):
        super().clean()
        if not self.host_unit_id and not self.host_name:
            raise ValidationError({"host_name": _("请选择锻炼单位，或填写树外单位名称")})
        for name, label in (("planned_end", _("计划结束日期")), ("actual_end", _("实际结束日期"))):
            validate_date_order(
                self.start, getattr(self, name), field=name, earlier_label=_("开始日期"), later_label=label
            )

    @property
    def host(self) -> str:
        return self.host_unit.name if self.host_unit_id else self.host_name
