"""A class's printable sheets: 学员名单 and 签到表 (A4, from the class's change page).

The trainees are the class's enrolments in the user's jurisdiction that are placed or still applying
(报名, 调训确认, 在训, 结业; 退训 and 缺训 left out), by unit and name: one query for the class, one
for the trainees, one for the course days. The 签到表 has a column per day of the class's courses
(the class's days when it has none), at most MAX_DAYS, each with a morning and an afternoon box.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from orgportal import access, codes

from .models import Course, Enrolment, TrainingClass

SHEETS = {"roster": _("学员名单"), "signin": _("签到表")}
LISTED = (
    codes.EnrolmentStatus.APPLIED,
    codes.EnrolmentStatus.CONFIRMED,
    codes.EnrolmentStatus.IN_TRAINING,
    codes.EnrolmentStatus.COMPLETED,
)
MAX_DAYS = 7


def trainees(training_class: TrainingClass, user):
    """The class's listed enrolments the user may see, with the cadre and unit (one query)."""
    rows = Enrolment.objects.filter(training_class=training_class, status__in=LISTED)
    return (
        access.scope(rows, user)
        .select_related("cadre", "cadre__unit")
        .order_by("cadre__unit__path", "cadre__name", "id")
    )


def sheet_days(training_class: TrainingClass) -> list[datetime.date]:
    days = sorted(set(Course.objects.filter(training_class=training_class).values_list("date", flat=True)))
    if not days:
        span = (training_class.end_date - training_class.start_date).days + 1
        days = [training_class.start_date + datetime.timedelta(days=i) for i in range(max(span, 1))]
    return days[:MAX_DAYS]


class ClassSheetsAdminMixin:
    """“学员名单” and “签到表” links on a class's change page, each a printable page."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/sheets/<str:sheet>/",
                wrap(self.class_sheet_view),
                name="training_trainingclass_sheet",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        if object_id and request.user.has_perm("training.view_enrolment"):
            extra["class_sheets"] = [
                {"title": title, "url": reverse("admin:training_trainingclass_sheet", args=[object_id, key])}
                for key, title in SHEETS.items()
            ]
        return super().change_view(request, object_id, form_url, extra)

    def class_sheet_view(self, request, object_id, sheet):
        if sheet not in SHEETS or not str(object_id).isdigit():
            raise Http404
        if not request.user.has_perm("training.view_enrolment"):
            raise PermissionDenied
        training_class = get_object_or_404(
            self.get_queryset(request).select_related("organiser", "venue"), pk=object_id
        )
        return TemplateResponse(
            request,
            "admin/training/trainingclass/sheet.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": SHEETS[sheet],
                "sheet": sheet,
                "training_class": training_class,
                "trainees": trainees(training_class, request.user),
                "days": sheet_days(training_class) if sheet == "signin" else [],
            },
        )
