"""What every app shares: the base of domain models and the organisation-unit tree."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Now, Substr
from django.utils.translation import gettext_lazy as _

from . import codes, rules
from .history import history_field
from .validators import validate_region_code


class OrgModel(models.Model):
    """Base of every domain model: history, timestamps, and the declarations the kernel reads.

    Subclasses declare:
      jurisdiction      how a record reaches a Unit: a field path such as "unit" or "cadre__unit",
                        "self" for Unit itself, or None for a global (unscoped) model
      sensitive_fields  names masked for users without orgportal.view_sensitive
      hard_delete       False for records whose end is a status change (a cadre retires, a talent
                        leaves): staff cannot delete them in the admin or the API
    """

    jurisdiction: str | None
    sensitive_fields: tuple[str, ...] = ()
    hard_delete = True  # False: only superusers / orgportal.hard_delete delete (access.may_hard_delete)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, editable=False, db_index=True)

    history = history_field()

    class Meta:
        abstract = True

    def locked(self, missing=None):
        """This record read again under a row lock (SELECT … FOR UPDATE), inside the caller's
        transaction: a service's first step when two staff could change it at once. Gone meanwhile:
        ValidationError(`missing`)."""
        try:
            return type(self)._default_manager.select_for_update().get(pk=self.pk)
        except type(self).DoesNotExist:
            raise ValidationError(missing or _("该%s已不存在") % self._meta.verbose_name) from None

    def save_as(self, by) -> None:
        """The services' write: the model's rules, the writer's jurisdiction, history by `by`."""
        from .access import check_writable
        from .history import acting_as

        self.full_clean()
        if by is not None:
            check_writable(by, self)
        with acting_as(by):
            self.save()


PATH_SEGMENT = 9  # 8 digits and a "/": 255 characters hold 28 levels


def path_segment(pk: int) -> str:
    return f"{pk:08d}/"


class Unit(OrgModel):
    """An organisation unit; the tree defines jurisdiction for every app."""

    jurisdiction = "self"

    name = models.CharField(_("单位名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    kind = models.CharField(_("单位类别"), max_length=20, choices=codes.UnitKind.choices)
    admin_level = models.CharField(_("机构规格"), max_length=20, choices=codes.AdminLevel.choices, blank=True)
    region_code = models.CharField(
        _("行政区划代码"),
        max_length=6,
        blank=True,
        validators=[validate_region_code],
        help_text=_("GB/T 2260 六位代码"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField(_("排序号"), default=0)
    # Materialised path: "00000001/00000007/"; "this unit and everything under it" is one
    # indexed prefix query (path LIKE '00000001/%').
    path = models.CharField(_("路径"), max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]
        permissions = [
            ("view_all_units", _("可查看全部单位的记录（不受管辖范围限制）")),
            ("view_sensitive", _("可查看敏感个人信息（身份证号、健康状况、处分等）")),
            ("hard_delete", _("可彻底删除干部、人才、调训等只应变更状态的记录")),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            old_path = self.path
            inserted = self.pk is None
            if inserted:
                super().save(*args, **kwargs)
            new_path = self.prospective_path()
            if new_path != old_path:
                self.path = new_path
                type(self).objects.filter(pk=self.pk).update(path=new_path)
                if old_path:  # a move: the whole subtree follows in one statement (updated_at too: sync)
                    type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)), updated_at=Now()
                    )
            if not inserted:
                super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if (
            self.parent_id
            and self.pk
            and (self.parent_id == self.pk or (self.path and self.parent.path.startswith(self.path)))
        ):
            raise ValidationError({"parent": _("不能把单位移到它自己或它的下级单位之下")})
        if self.parent_id and len(self.parent.path) + PATH_SEGMENT > 255:
            raise ValidationError({"parent": _("单位层级过深")})

    @property
    def depth(self) -> int:
        return len(self.path) // PATH_SEGMENT

    def prospective_path(self) -> str:
        """The path this unit has once saved with its current parent (a prefix when not yet saved)."""
        base = self.parent.path if self.parent_id else ""
        return base + (path_segment(self.pk) if self.pk else "")

    def subtree(self) -> models.QuerySet:
        """This unit and everything under it, at any depth."""
        return Unit.objects.filter(path__startswith=self.path)


class UnitAssignment(OrgModel):
    """A staff user's jurisdiction: the unit (and its subtree) whose records the user works on."""

    jurisdiction = "unit"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="unit_assignments",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("管辖单位"), on_delete=models.CASCADE, related_name="assignments"
    )

    class Meta:
        verbose_name = _("用户管辖范围")
        verbose_name_plural = _("用户管辖范围")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="unique_user_unit")]

    def __str__(self) -> str:
        return f"{self.user} → {self.unit}"


class Rule(OrgModel):
    """A department policy that flags records, as data (see orgportal.rules): a kind registered by
    an app, its parameters, and whether it is on."""

    jurisdiction = None  # the same policy for every unit

    purpose = models.CharField(_("用途"), max_length=20, choices=rules.PURPOSES)
    kind = models.CharField(_("规则类型"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序号"), default=0)

    class Meta:
        verbose_name = _("规则")
        verbose_name_plural = _("规则")
        ordering = ["purpose", "sort_order", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        kind = rules.KINDS.get(self.kind)
        if kind is None or kind.purpose != self.purpose:
            raise ValidationError({"kind": _("「%s」不是此用途可用的规则类型") % self.kind})
        if not isinstance(self.params, dict):
            raise ValidationError({"params": _('参数应为对象，例如 {"years": 5}')})
        unknown = set(self.params) - set(kind.params)
        if unknown:
            raise ValidationError({"params": _("未知参数：%s") % "、".join(sorted(unknown))})
        for name, param in kind.params.items():
            if name in self.params:
                try:
                    self.params[name] = param.kind(self.params[name])
                except (TypeError, ValueError):
                    raise ValidationError({"params": _("参数「%s」的值无效") % param.label}) from None

    def effective_params(self) -> dict:
        return rules.KINDS[self.kind].with_defaults(self.params or {})

    @property
    def kind_label(self) -> str:
        kind = rules.KINDS.get(self.kind)
        return str(kind.label) if kind else self.kind


class ExportLog(OrgModel):
    """Who exported which roster, when, with which filters, how many rows (个人信息保护: exports are logged)."""

    jurisdiction = None  # shown to administrators only (see the admin); not scoped by unit

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    roster = models.CharField(_("花名册"), max_length=60)
    filters = models.TextField(_("筛选条件"), blank=True)
    row_count = models.PositiveIntegerField(_("行数"))
    channel = models.CharField(_("途径"), max_length=20, help_text=_("admin / api / command"))
    included_sensitive = models.BooleanField(_("含未脱敏的敏感信息"), default=False)

    class Meta:
        verbose_name = _("导出记录")
        verbose_name_plural = _("导出记录")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.roster} {self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def record(cls, user, what: str, *, rows: int, channel: str, sensitive: bool, filters: str = ""):
        """Log an export: who (an anonymous or missing user is kept as none), what, how many rows."""
        return cls.objects.create(
            user=user if getattr(user, "pk", None) else None,
            roster=what,
            filters=filters[:2000],
            row_count=rows,
            channel=channel,
            included_sensitive=sensitive,
        )


class AuditEvent(OrgModel):
    """A read or a sign-in that matters (个人信息保护法): who saw which unmasked sensitive records, or
    logged in, out, failed to, or was locked out — when, from where, by which channel. Written by
    orgportal.audit only (bulk, no history rows); the admin shows it to auditors, read-only."""

    jurisdiction = None  # shown to auditors only (orgportal.view_audit), not scoped by unit

    class Kind(models.TextChoices):
        SENSITIVE_VIEW = "sensitive_view", _("查看敏感信息")
        LOGIN = "login", _("登录")
        LOGOUT = "logout", _("退出")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKOUT = "lockout", _("登录锁定")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    channel = models.CharField(_("途径"), max_length=20, blank=True, help_text=_("admin / api"))
    model = models.CharField(_("记录类型"), max_length=100, blank=True, help_text=_("如 cadres.cadre"))
    object_ids = models.TextField(_("记录编号"), blank=True, help_text=_("逗号分隔；列表为该页的全部记录"))
    path = models.CharField(_("请求地址"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at"], name="orgportal_audit_created")]
        permissions = [("view_audit", _("可查看审计日志与导出记录"))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username} {self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(OrgModel):
    """An API key of another system: it acts as its system account (a user in the 系统账号 group, no
    password login), whose groups, permissions and units decide what it reads and writes. Only a
    hash of the key is stored; the key itself is shown once, when created (orgportal.tokens)."""

    jurisdiction = None  # administrators' business, not a unit's

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("系统账号"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("名称"), max_length=100, help_text=_("使用该令牌的系统，如“人社厅数据交换”"))
    prefix = models.CharField(_("前缀"), max_length=8, editable=False, db_index=True)
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True, help_text=_("留空：长期有效"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    def clean(self) -> None:
        super().clean()
        from .tokens import is_system_account

        if self.user_id and not is_system_account(self.user):
            raise ValidationError({"user": _("令牌只能属于系统账号（“系统账号”组的用户）")})


class IdempotencyKey(OrgModel):
    """A bulk write's `Idempotency-Key` (orgportal.bulk): the request it answered (a hash of method,
    path and body) and the response it gave, so a retried request gets the same response and
    changes nothing twice. Written once, without history rows (a log, like ExportLog)."""

    jurisdiction = None  # administrators' business, not a unit's
    change_feed = False  # not a record other systems synchronise

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("幂等键"), max_length=100)
    endpoint = models.CharField(_("接口"), max_length=200)
    request_hash = models.CharField(_("请求摘要"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("响应状态码"))
    response = models.JSONField(_("响应内容"))

    class Meta:
        verbose_name = _("幂等请求")
        verbose_name_plural = _("幂等请求")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="unique_idempotency_key_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.key}"
