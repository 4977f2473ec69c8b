"""Saved combined queries (保存的组合查询): a named query document (orgportal.query) kept by its owner,
private or shared with a section group or with everyone; whoever runs it sees only the cadres of
their own jurisdiction, masked as in every list."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orgportal.models import OrgModel

from .records import Cadre

__all__ = ["QuerySharing", "SavedQuery"]


class QuerySharing(models.TextChoices):
    PRIVATE = "private", _("仅本人")
    GROUP = "group", _("共享给科室（用户组）")
    ALL = "all", _("所有人员")


class SavedQueryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The owner's own, those shared with one of the user's groups, and those shared with all."""
        if getattr(user, "is_superuser", False):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(
            Q(owner=user)
            | Q(sharing=QuerySharing.ALL)
            | Q(sharing=QuerySharing.GROUP, group__in=user.groups.all())
        )


class SavedQuery(OrgModel):
    """保存的组合查询."""

    jurisdiction = None  # a query is no record of a unit; its results are scoped when it runs

    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.CASCADE,
        related_name="saved_queries",
        editable=False,
        null=True,
    )
    sharing = models.CharField(
        _("共享范围"), max_length=10, choices=QuerySharing.choices, default=QuerySharing.PRIVATE
    )
    group = models.ForeignKey(
        Group,
        verbose_name=_("共享科室（用户组）"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    document = models.JSONField(_("查询条件"), help_text=_("组合查询的 JSON 文档，见 docs/query.md"))

    objects = SavedQueryQuerySet.as_manager()

    class Meta:
        verbose_name = _("组合查询")
        verbose_name_plural = _("组合查询")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from orgportal import query

        super().clean()
        errors = {}
        if self.sharing == QuerySharing.GROUP and not self.group_id:
            errors["group"] = _("共享给科室时请选择用户组")
        if self.sharing != QuerySharing.GROUP and self.group_id:
            errors["group"] = _("只有共享给科室时才选择用户组")
        try:
            query.compile_document(Cadre, self.document, user=self.owner)
        except query.QueryError as error:
            errors["document"] = _("%(path)s：%(message)s") % {
                "path": error.path,
                "message": error.messages[0],
            }
        if errors:
            raise ValidationError(errors)

    def compiled(self, user, on=None):
        """The query as a Q for `user` (QueryError when it no longer validates, e.g. a deleted unit)."""
        from orgportal import query

        return query.compile_document(Cadre, self.document, user=user, on=on)
