"""The talent office's records (人才办): programmes, talents, their selections into programmes,
certifications (高层次人才认定), talent cards (英才卡) and the service requests made with a card.

State changes with rules go through talent.services (certify, issue/cancel/renew a card, service
request transitions, departures); the fields they own are not editable in forms or the API.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre
from orgportal import codes
from orgportal.models import OrgModel, Unit
from orgportal.validators import (
    id_agreement_errors,
    normalize_id_number,
    validate_date_order,
    validate_id_number,
)

EXPIRED = "expired"  # a card's derived state: still 有效 as stored, its expiry date passed
CARD_STATES = [*codes.TalentCardStatus.choices, (EXPIRED, _("过期"))]
OPEN_REQUEST_STATUSES = (codes.ServiceRequestStatus.ACCEPTED, codes.ServiceRequestStatus.IN_PROGRESS)
CLOSED_REQUEST_STATUSES = (codes.ServiceRequestStatus.DONE, codes.ServiceRequestStatus.REFUSED)


def _today() -> datetime.date:
    return timezone.localdate()


def require_active(talent: "Talent", message, field: str = "talent") -> None:
    """Refuse a new record on a talent who has left (流失): `message` names them and the date."""
    if talent.status != codes.TalentStatus.ACTIVE:
        raise ValidationError({field: message % {"name": talent.name, "on": talent.left_on}})


class TalentProgramme(OrgModel):
    """人才工程/计划: 英才计划, 三百行动计划, 人才集聚提升年, 重点产业人才支持计划 …"""

    jurisdiction = None  # programmes are listed for every unit; who may edit is a permission

    name = models.CharField(_("计划名称"), max_length=100)
    kind = models.CharField(_("计划类别"), max_length=20, choices=codes.TalentProgrammeKind.choices)
    field = models.CharField(
        _("支持领域"),
        max_length=30,
        choices=codes.TalentField.choices,
        blank=True,
        help_text=_("重点产业（行业）人才支持计划的领域"),
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    batch = models.CharField(_("批次"), max_length=30, blank=True)
    organiser = models.ForeignKey(
        Unit, verbose_name=_("组织单位"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    quota = models.PositiveIntegerField(_("计划名额"), null=True, blank=True, help_text=_("空表示不限"))
    support = models.TextField(_("支持政策"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=codes.ProgrammeStatus.choices, default=codes.ProgrammeStatus.ACTIVE
    )

    class Meta:
        verbose_name = _("人才计划")
        verbose_name_plural = _("人才计划")
        ordering = ["-year", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.year}）"


class TalentQuerySet(models.QuerySet):
    def in_programme(self, programme_id: int):
        """Talents selected into the programme (any batch), each once."""
        return self.filter(Exists(Selection.objects.filter(talent=OuterRef("pk"), programme=programme_id)))

    def with_points(self):
        """`points_total` (approved 乡土人才积分) and `points_level` (the level it reaches under the
        current PointsLevel table, '' below every threshold), in SQL."""
        from .development import approved_points_total, points_level_expression

        return self.annotate(points_total=approved_points_total()).annotate(
            points_level=points_level_expression("points_total")
        )

    def points_proposed(self):
        """积分达标待认定: active talents whose approved points reach a level above their current one
        (A is the highest level, so "above" is an earlier letter)."""
        return (
            self.with_points()
            .filter(status=codes.TalentStatus.ACTIVE)
            .exclude(points_level="")
            .filter(Q(level="") | Q(level__gt=F("points_level")))
        )


class Talent(OrgModel):
    """人才: a person the talent office follows, placed under a responsible unit (属地/主管单位)."""

    jurisdiction = "unit"
    sensitive_fields = ("id_number",)
    sensitive_permission = "talent.view_sensitive_talent"  # 人才办 manages talents' records whole
    hard_delete = False  # a departure (流失) keeps the record

    name = models.CharField(_("姓名"), max_length=30, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=codes.Gender.choices)
    birth_date = models.DateField(_("出生年月"), help_text=_("只知年月时记为当月1日"))
    id_number = models.CharField(
        _("公民身份号码"), max_length=18, blank=True, validators=[validate_id_number]
    )
    education = models.CharField(_("学历"), max_length=2, choices=codes.Education.choices, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("属地（主管）单位"),
        on_delete=models.PROTECT,
        related_name="talents",
        help_text=_("负责联系服务该人才的单位，决定哪些用户可以查看"),
    )
    cadre = models.OneToOneField(
        Cadre,
        verbose_name=_("关联干部"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="talent",
        help_text=_("该人才同时是干部时关联，其认定、英才卡、入选记录显示在干部成长档案中"),
    )
    category = models.CharField(_("人才类别"), max_length=30, choices=codes.TalentCategory.choices)
    level = models.CharField(
        _("人才层次"),
        max_length=1,
        choices=codes.TalentLevel.choices,
        blank=True,
        help_text=_("认定时按认定层次更新"),
    )
    field = models.CharField(_("所在领域"), max_length=30, choices=codes.TalentField.choices, blank=True)
    specialty = models.CharField(_("专业特长"), max_length=100, blank=True)
    employer = models.CharField(_("工作单位"), max_length=100, blank=True)
    title = models.CharField(_("职务职称"), max_length=100, blank=True)
    source = models.CharField(_("人才来源"), max_length=20, choices=codes.TalentSource.choices)
    arrived_on = models.DateField(
        _("引进（回引）时间"), null=True, blank=True, help_text=_("引进、乡情回引人才填写")
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=codes.TalentStatus.choices,
        default=codes.TalentStatus.ACTIVE,
        editable=False,
        db_index=True,
    )
    left_on = models.DateField(_("流失日期"), null=True, blank=True, editable=False)
    leave_reason = models.CharField(
        _("流失原因"), max_length=20, choices=codes.TalentDepartureReason.choices, blank=True, editable=False
    )
    destination = models.CharField(_("流向"), max_length=100, blank=True, editable=False)
    note = models.TextField(_("备注"), blank=True)

    objects = TalentQuerySet.as_manager()

    class Meta:
        verbose_name = _("人才")
        verbose_name_plural = _("人才")
        ordering = ["unit__path", "name", "id"]
        permissions = [("view_sensitive_talent", _("可查看人才的敏感信息（公民身份号码）"))]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~Q(id_number=""),
                name="unique_talent_id_number",
                violation_error_message=_("已有人才使用该公民身份号码"),
            ),
            models.CheckConstraint(
                condition=Q(status="active", left_on__isnull=True, leave_reason="")
                | Q(status="departed", left_on__isnull=False) & ~Q(leave_reason=""),
                name="talent_departure_fields_match_status",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        self.id_number = normalize_id_number(self.id_number)
        errors = {}
        # {} for a malformed number: the field's own validator reports that
        errors.update(id_agreement_errors(self.id_number, birth_date=self.birth_date, gender=self.gender))
        if (
            self.id_number
            and self.cadre_id
            and self.cadre.id_number
            and self.cadre.id_number != self.id_number
        ):
            errors["cadre"] = _("所关联干部的公民身份号码与该人才的不一致")
        if self.birth_date and self.birth_date > _today():
            errors["birth_date"] = _("出生年月不能晚于今天")
        if (
            self.source in (codes.TalentSource.INTRODUCED, codes.TalentSource.RETURNEE)
            and not self.arrived_on
        ):
            errors["arrived_on"] = _("引进、乡情回引的人才请填写引进（回引）时间")
        if self.arrived_on and self.birth_date and self.arrived_on < self.birth_date:
            errors["arrived_on"] = _("引进（回引）时间不能早于出生年月")
        if self.left_on and self.arrived_on and self.left_on < self.arrived_on:
            errors["left_on"] = _("流失日期不能早于引进（回引）时间（%s）") % self.arrived_on
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.id_number = normalize_id_number(self.id_number)
        super().save(*args, **kwargs)


class TalentChild(OrgModel):
    """Base of the records kept on one talent."""

    jurisdiction = "talent__unit"

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.talent}：{self._meta.verbose_name}"


class Selection(TalentChild):
    """入选: a talent selected into a programme (and batch), with the support granted."""

    talent = models.ForeignKey(
        Talent, verbose_name=_("人才"), on_delete=models.CASCADE, related_name="selections"
    )
    programme = models.ForeignKey(
        TalentProgramme, verbose_name=_("人才计划"), on_delete=models.PROTECT, related_name="selections"
    )
    batch = models.CharField(_("批次"), max_length=30, blank=True)
    selected_on = models.DateField(_("入选日期"))
    support = models.TextField(_("支持内容"), blank=True, help_text=_("如安家补贴、科研经费、住房保障"))
    amount = models.DecimalField(
        _("支持资金（万元）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=codes.SelectionStatus.choices,
        default=codes.SelectionStatus.SELECTED,
    )

    class Meta:
        verbose_name = _("人才计划入选")
        verbose_name_plural = _("人才计划入选")
        ordering = ["talent", "-selected_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["talent", "programme", "batch"],
                name="unique_selection_per_batch",
                violation_error_message=_("该人才已入选该计划的这一批次"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.talent}：{self.programme}"

    def clean(self) -> None:
        super().clean()
        if not self._state.adding:
            return
        if self.talent_id:
            require_active(self.talent, _("%(name)s已于%(on)s流失，不能入选人才计划"))
        programme = self.programme if self.programme_id else None
        if programme and programme.quota is not None:
            taken = programme.selections.exclude(status=codes.SelectionStatus.REVOKED).count()
            if taken >= programme.quota:
                raise ValidationError({"programme": _("该计划名额（%d人）已满") % programme.quota})


class CertificationQuerySet(models.QuerySet):
    def valid(self, on: datetime.date | None = None):
        on = on or _today()
        return self.filter(certified_on__lte=on).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))

    def expiring_within(self, days: int = 90, on: datetime.date | None = None):
        on = on or _today()
        return self.valid(on).filter(valid_until__lte=on + datetime.timedelta(days=days))

    def expired(self, on: datetime.date | None = None):
        return self.filter(valid_until__lt=on or _today())


class Certification(TalentChild):
    """高层次人才认定: recorded through talent.services.certify, which also sets the talent's level."""

    talent = models.ForeignKey(
        Talent, verbose_name=_("人才"), on_delete=models.CASCADE, related_name="certifications"
    )
    level = models.CharField(_("认定层次"), max_length=1, choices=codes.TalentLevel.choices)
    certified_on = models.DateField(_("认定日期"))
    certificate_number = models.CharField(_("证书编号"), max_length=40, unique=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("空表示长期有效"))
    basis = models.TextField(_("认定依据"), blank=True, help_text=_("如认定标准条款、乡土人才积分"))

    objects = CertificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("高层次人才认定")
        verbose_name_plural = _("高层次人才认定")
        ordering = ["talent", "-certified_on", "id"]

    def __str__(self) -> str:
        return f"{self.talent}：{self.get_level_display()}（{self.certificate_number}）"

    def clean(self) -> None:
        super().clean()
        validate_date_order(
            self.certified_on,
            self.valid_until,
            field="valid_until",
            earlier_label=_("认定日期"),
            later_label=_("有效期至"),
        )
        if not self._state.adding or not self.talent_id:
            return
        require_active(self.talent, _("%(name)s已于%(on)s流失，不能认定"))
        latest = self.talent.certifications.order_by("-certified_on").first()
        if latest and self.certified_on and self.certified_on < latest.certified_on:
            raise ValidationError(
                {"certified_on": _("认定日期不能早于上次认定日期（%s）") % latest.certified_on}
            )


class TalentCardQuerySet(models.QuerySet):
    def in_state(self, state: str, on: datetime.date | None = None):
        """Cards in a state as shown (CARD_STATES): 过期 is a 有效 card past its expiry date."""
        on = on or _today()
        if state == EXPIRED:
            return self.filter(status=codes.TalentCardStatus.VALID, expires_on__lt=on)
        if state == codes.TalentCardStatus.VALID:
            return self.filter(status=state, expires_on__gte=on)
        return self.filter(status=state)


class TalentCard(TalentChild):
    """英才卡: issued, renewed, reported lost and cancelled through talent.services; one card not
    cancelled per talent (a database constraint)."""

    talent = models.ForeignKey(Talent, verbose_name=_("人才"), on_delete=models.CASCADE, related_name="cards")
    number = models.CharField(_("卡号"), max_length=30, unique=True)
    tier = models.CharField(_("卡类别"), max_length=1, choices=codes.TalentCardTier.choices)
    issued_on = models.DateField(_("发卡日期"))
    expires_on = models.DateField(_("有效期至"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=codes.TalentCardStatus.choices,
        default=codes.TalentCardStatus.VALID,
        editable=False,
        db_index=True,
    )
    commissioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("服务专员"),
        on_delete=models.PROTECT,
        related_name="talent_cards",
        limit_choices_to={"is_staff": True},
    )
    lost_on = models.DateField(_("挂失日期"), null=True, blank=True, editable=False)
    cancelled_on = models.DateField(_("注销日期"), null=True, blank=True, editable=False)
    cancel_reason = models.CharField(_("注销原因"), max_length=200, blank=True, editable=False)

    objects = TalentCardQuerySet.as_manager()

    class Meta:
        verbose_name = _("英才卡")
        verbose_name_plural = _("英才卡")
        ordering = ["talent", "-issued_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["talent"],
                condition=~Q(status="cancelled"),
                name="one_current_card_per_talent",
                violation_error_message=_("该人才已有未注销的英才卡"),
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_on__isnull=False)
                | ~Q(status="cancelled") & Q(cancelled_on__isnull=True),
                name="card_cancelled_on_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}（{self.talent}）"

    def clean(self) -> None:
        super().clean()
        validate_date_order(
            self.issued_on,
            self.expires_on,
            field="expires_on",
            earlier_label=_("发卡日期"),
            later_label=_("有效期至"),
        )
        if not self._state.adding or not self.talent_id:
            return
        require_active(self.talent, _("%(name)s已于%(on)s流失，不能发放英才卡"))
        current = self.talent.cards.exclude(status=codes.TalentCardStatus.CANCELLED).first()
        if current is not None:
            raise ValidationError(
                {
                    "talent": _("该人才已有英才卡 %(number)s（%(state)s），请续期或先注销")
                    % {"number": current.number, "state": current.state_label}
                }
            )

    def state_on(self, on: datetime.date) -> str:
        """The card's state on a day: 挂失 and 注销 from their dates on, 过期 after the expiry date."""
        if self.cancelled_on and self.cancelled_on <= on:
            return codes.TalentCardStatus.CANCELLED
        if self.lost_on and self.lost_on <= on:
            return codes.TalentCardStatus.LOST
        return EXPIRED if self.expires_on < on else codes.TalentCardStatus.VALID

    @property
    def state(self) -> str:
        """有效, 挂失, 注销, or 过期 (a 有效 card past its expiry date)."""
        return self.state_on(_today())

    @property
    def state_label(self) -> str:
        return str(dict(CARD_STATES)[self.state])


class ServiceRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_REQUEST_STATUSES)

    def overdue(self, on: datetime.date | None = None):
        """Open requests past their due date (the due date itself is still on time)."""
        return self.open().filter(due_on__lt=on or _today())


class ServiceRequest(OrgModel):
    """英才卡服务事项: opened and moved 受理 → 办理中 → 办结 / 不予办理 through talent.services."""

    jurisdiction = "card__talent__unit"

    card = models.ForeignKey(
        TalentCard, verbose_name=_("英才卡"), on_delete=models.CASCADE, related_name="requests"
    )
    kind = models.CharField(_("服务事项"), max_length=30, choices=codes.ServiceKind.choices)
    detail = models.TextField(_("诉求内容"), blank=True)
    opened_on = models.DateField(_("受理日期"))
    handled_by = models.CharField(_("承办单位（人）"), max_length=100, blank=True)
    due_on = models.DateField(_("办理时限"))
    status = models.CharField(
        _("办理状态"),
        max_length=20,
        choices=codes.ServiceRequestStatus.choices,
        default=codes.ServiceRequestStatus.ACCEPTED,
        editable=False,
        db_index=True,
    )
    closed_on = models.DateField(_("办结日期"), null=True, blank=True, editable=False)
    reason = models.TextField(_("不予办理理由"), blank=True, editable=False)
    satisfaction = models.CharField(
        _("满意度"), max_length=20, choices=codes.Satisfaction.choices, blank=True, editable=False
    )

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("英才卡服务事项")
        verbose_name_plural = _("英才卡服务事项")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["done", "refused"], closed_on__isnull=False)
                | Q(status__in=["accepted", "in_progress"], closed_on__isnull=True),
                name="request_closed_on_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card.talent}：{self.get_kind_display()}（{self.opened_on}）"

    def clean(self) -> None:
        super().clean()
        validate_date_order(
            self.opened_on,
            self.due_on,
            field="due_on",
            earlier_label=_("受理日期"),
            later_label=_("办理时限"),
        )
        if self.closed_on:
            validate_date_order(
                self.opened_on,
                self.closed_on,
                field="closed_on",
                earlier_label=_("受理日期"),
                later_label=_("办结日期"),
            )
        if not self.card_id or not self.opened_on:
            return
        if self.opened_on < self.card.issued_on:
            raise ValidationError({"opened_on": _("受理日期不能早于发卡日期（%s）") % self.card.issued_on})
        state = self.card.state_on(self.opened_on)
        if self._state.adding and state != codes.TalentCardStatus.VALID:
            raise ValidationError(
                {
                    "card": _("英才卡 %(number)s 状态为「%(state)s」，不能受理服务事项")
                    % {"number": self.card.number, "state": dict(CARD_STATES)[state]}
                }
            )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES

    @property
    def overdue(self) -> bool:
        """Still open after its due date."""
        return self.is_open and self.due_on < _today()
