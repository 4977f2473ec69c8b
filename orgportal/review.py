"""审核: records that others report — a rural talent's points, hours from outside training — are
recorded 待审核, corrected while pending, reviewed once (已认可: they count from then on; 不予认可:
with a reason) and not edited afterwards (a correction is a new record).

Apps declare; the mechanism lives here once:
  model    inherits `Reviewed` before its other base; names `review_noun` ("积分记录", in
           messages), `review_fixed_fields` (what may not change once reviewed; default: every
           editable field) and optionally `review_not_before` (a date field the review date may
           not precede); adds `reviewed_on_matches_status(name)` to its Meta.constraints
  service  `review(entry, approve=…, by=…, note=…, on=…)`
  admin    orgportal.admin.ReviewAdmin (approve / reject actions with their forms)
  API      orgportal.api.ReviewActionMixin (POST …/<id>/review/)
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .codes import ReviewResult


def reviewed_on_matches_status(name: str) -> models.CheckConstraint:
    """A pending record has no review date; a reviewed one has one."""
    return models.CheckConstraint(
        condition=Q(status=ReviewResult.PENDING, reviewed_on__isnull=True)
        | ~Q(status=ReviewResult.PENDING) & Q(reviewed_on__isnull=False),
        name=name,
    )


class Reviewed(models.Model):
    """The review fields and the rule that a reviewed record is not edited."""

    review_noun = _("记录")
    review_fixed_fields: tuple[str, ...] = ()
    review_not_before: str | None = None
    review_correction = _("如需更正请另行登记")

    status = models.CharField(
        _("审核状态"),
        max_length=20,
        choices=ReviewResult.choices,
        default=ReviewResult.PENDING,
        editable=False,
        db_index=True,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    reviewed_on = models.DateField(_("审核日期"), null=True, blank=True, editable=False)
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True, editable=False)

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self._state.adding or self.pk is None:
            return
        # what was reviewed is what counts: a reviewed record keeps its reviewed content
        stored = type(self)._default_manager.filter(pk=self.pk).exclude(status=ReviewResult.PENDING)
        fixed = self.review_fixed_fields or [
            f.attname for f in self._meta.concrete_fields if f.editable and not f.primary_key
        ]
        reviewed = stored.values(*fixed).first()
        if reviewed and any(getattr(self, name) != value for name, value in reviewed.items()):
            raise ValidationError(
                _("该%(noun)s已审核，不能修改；%(correction)s")
                % {"noun": self.review_noun, "correction": self.review_correction}
            )


@transaction.atomic
def review(
    entry: Reviewed, *, approve: bool, by, note: str = "", on: datetime.date | None = None
) -> Reviewed:
    """审核 a pending record once: 已认可 or 不予认可 (a reason required), dated `on` (default today)."""
    noun = entry.review_noun
    entry = entry.locked(_("该%s不存在") % noun)
    if entry.status != ReviewResult.PENDING:
        raise ValidationError(
            {
                "status": _("该%(noun)s已于%(on)s审核（%(status)s），不能重复审核")
                % {"noun": noun, "on": entry.reviewed_on, "status": entry.get_status_display()}
            }
        )
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"review_note": _("不予认可时请填写审核意见")})
    entry.status = ReviewResult.APPROVED if approve else ReviewResult.REJECTED
    entry.reviewed_by, entry.reviewed_on, entry.review_note = by, on or timezone.localdate(), note
    if entry.review_not_before:
        earliest = getattr(entry, entry.review_not_before)
        if earliest and entry.reviewed_on < earliest:
            label = entry._meta.get_field(entry.review_not_before).verbose_name
            raise ValidationError(
                {"reviewed_on": _("审核日期不能早于%(label)s（%(on)s）") % {"label": label, "on": earliest}}
            )
    entry.save_as(by)
    return entry
