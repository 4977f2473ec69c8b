"""The 干部任免审批表 in the admin: the printable form and the .docx (cadre and case pages), the .lrmx
exchange file out, and .lrmx import (upload → preview → confirm) on the cadre list."""

import contextlib
import datetime
from urllib.parse import quote

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgportal import access
from orgportal.admin import preview_import
from orgportal.models import ExportLog, Unit
from orgportal.validators import format_date, format_year_month

from . import approval_docx, approval_form, lrmx, models


class LrmxImportForm(forms.Form):
    file = forms.FileField(label=_("任免审批表文件（.lrmx，或装有多个 .lrmx 的 .zip）"))
    unit = forms.ModelChoiceField(
        label=_("单位"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("新增的干部放入此单位；没有公民身份号码的文件在此单位中按姓名和出生年月匹配"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = access.scope(Unit.objects.all(), user)


class ApprovalFormAdminMixin:
    """On a cadre's or a case's page: “任免审批表” (the printable A4 form) and “导出 .lrmx”."""

    def _form_cadre_and_case(self, obj):
        return (obj.cadre, obj) if isinstance(obj, models.AppointmentCase) else (obj, None)

    def get_urls(self):
        meta = self.model._meta
        name = f"{meta.app_label}_{meta.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/lrmx/", wrap(self.lrmx_export_view), name=f"{name}_lrmx"),
            path(
                "<path:object_id>/approval-form/",
                wrap(self.approval_form_view),
                name=f"{name}_approval_form",
            ),
            path(
                "<path:object_id>/approval-form.docx",
                wrap(self.approval_docx_view),
                name=f"{name}_approval_docx",
            ),
            *super().get_urls(),
        ]

    def _form_object(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))  # scoped: outside the jurisdiction → None
        if obj is None:
            raise Http404(_("该记录不存在或不在您的管辖范围内"))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def lrmx_export_view(self, request, object_id):
        cadre, case = self._form_cadre_and_case(self._form_object(request, object_id))
        try:
            data = lrmx.export(cadre, user=request.user, case=case, channel="admin")
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error
        response = HttpResponse(data, content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(lrmx.filename(cadre, case))}"
        return response

    def approval_docx_view(self, request, object_id):
        """The same form as a Word document (.docx)."""
        cadre, case = self._form_cadre_and_case(self._form_object(request, object_id))
        form = approval_form.compose(cadre, user=request.user, case=case)
        data = approval_docx.docx_bytes(form)
        ExportLog.record(
            request.user,
            "cadres.approval_docx",
            rows=1,
            channel="admin",
            sensitive=form.sensitive,
            filters=f"cadre={cadre.pk}" + (f" case={case.pk}" if case is not None else ""),
        )
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        filename = f"{cadre.name}_干部任免审批表.docx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return response

    def approval_form_view(self, request, object_id):
        """干部任免审批表: the A4 form, to print (the browser's print leaves out the admin)."""
        cadre, case = self._form_cadre_and_case(self._form_object(request, object_id))
        on = timezone.localdate()
        if request.GET.get("on"):
            with contextlib.suppress(ValueError):  # a bad date: today
                on = datetime.date.fromisoformat(request.GET["on"])
        form = approval_form.compose(cadre, user=request.user, case=case, on=on)
        context = {
            **self.admin_site.each_context(request),
            "title": _("干部任免审批表"),
            "opts": self.opts,
            "original": case or cadre,
            "form": form,
            "cadre": cadre,
            "case": case,
            "birth_month": format_year_month(cadre.birth_date),
            "family_rows": (rows := form.family + [None] * max(0, 7 - len(form.family))),
            "family_rowspan": len(rows) + 1,
            "party_join": approval_form.printed_party_join(form),
            "work_start": format_year_month(cadre.work_start_date),
            "on_text": format_date(on),
            "filled_on_text": format_date(form.filled_on),
            "photo_src": approval_form.photo_data_uri(cadre),
            "docx_url": request.path.replace("/approval-form/", "/approval-form.docx"),
            "lrmx_url": request.path.replace("/approval-form/", "/lrmx/")
            if access.can_view_sensitive(request.user)
            else "",
        }
        return TemplateResponse(request, "admin/cadres/approval_form.html", context)


class LrmxImportAdminMixin:
    """On the cadre list: “导入任免审批表（.lrmx）” — upload → preview by file and field → confirm."""

    session_key = "lrmx_import"

    def get_urls(self):
        view = self.admin_site.admin_view(self.lrmx_import_view)
        return [path("lrmx-import/", view, name="cadres_cadre_lrmx_import"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra = {}
        if self.has_add_permission(request):
            extra["lrmx_import_url"] = reverse("admin:cadres_cadre_lrmx_import")
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def lrmx_import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied

        def run(file, kept, *, dry_run):
            unit = access.scope(Unit.objects.all(), request.user).filter(pk=kept["unit"]).first()
            return lrmx.import_files([(kept["name"], file.read())], request.user, unit=unit, dry_run=dry_run)

        return preview_import(
            request,
            session_key=self.session_key,
            form=LrmxImportForm(request.POST or None, request.FILES or None, user=request.user),
            keep=lambda data: {"name": data["file"].name, "unit": data["unit"].pk if data["unit"] else None},
            run=run,
            context={
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("导入干部任免审批表（.lrmx）"),
            },
            template="admin/cadres/cadre/lrmx_import.html",
            suffix=".lrmx",
        )
