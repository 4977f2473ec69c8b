"""The admin pages of 学时 (linked from the 培训班次 list): 学时统计 (the ledger, with the 未达标
filter and the 学时统计表 export), 调训覆盖 (coverage and quotas) and 科学调训 (a class's candidates,
enrolled in one go). Served under the 其他学时 admin's URLs (ExternalHoursAdmin.get_urls)."""

import tempfile

from django import forms
from django.contrib import messages
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre
from orgportal import access, codes
from orgportal import rosters as roster_engine
from orgportal.models import Unit
from orgportal.reports import ReportForm, report_form, report_page

from . import candidates as proposing
from . import coverage as covering
from . import services
from .hours_views import LEDGER_PERMS, TrainingReportViewSet, ledger_queryset
from .models import PlanQuota, TrainingClass, TrainingPlan

PAGE_SIZE = 100


def _number(name: str):
    def compute(row: dict):
        value = row[name]
        return None if value is None else float(value)

    return compute


def _met(row: dict):
    return {True: "是", False: "否"}.get(row["met"], "—")


HOURS_ROSTER = roster_engine.Roster(
    "training.hours",
    _("学时统计表"),
    Cadre,
    [
        roster_engine.Col("name", header=_("姓名")),
        roster_engine.Col("unit__name", header=_("工作单位"), width=24),
        roster_engine.Col("post", header=_("现任职务"), width=30),
        "level",
        "rank",
        *[
            roster_engine.Col(name, header=header, needs=(name,), compute=_number(name))
            for name, header in [
                ("class_hours", _("班次学时")),
                ("external_hours", _("其他学时")),
                ("online_hours", _("网络学习学时")),
                ("total", _("年度合计")),
                ("required", _("要求学时")),
                ("window_years", _("周期（年）")),
                ("window_total", _("周期内累计")),
                ("shortfall", _("尚差学时")),
            ]
        ],
        roster_engine.Col("met", header=_("是否达标"), needs=("met",), compute=_met),
    ],
    importable=False,
)


# --- 学时统计 ----------------------------------------------------------------------------------------
class LedgerForm(ReportForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
    level = forms.ChoiceField(
        label=_("职务层次"), choices=[("", _("全部")), *codes.LeadershipLevel.choices], required=False
    )
    short = forms.BooleanField(label=_("只看未达标"), required=False)
    search = forms.CharField(label=_("姓名"), required=False)


def ledger_page(request, model_admin):
    """学时统计: the ledger of the year, paginated; `export=1` writes the 学时统计表."""
    if not request.user.has_perms(LEDGER_PERMS):
        raise PermissionDenied
    form, options = report_form(request, model_admin, LedgerForm)
    year = (options or {}).get("year") or timezone.localdate().year
    rows = None if options is None else ledger_queryset(request.user, {**options, "year": year})
    if rows is not None and request.GET.get("export"):
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
        described = " ".join(f"{k}={v}" for k, v in request.GET.items() if k != "export")
        roster_engine.export(
            HOURS_ROSTER, rows, request.user, handle, description=described, scope_label=f"{year}年度"
        )
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename=f"学时统计表_{year}.xlsx")
    page = None
    if rows is not None:
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get(PAGE_VAR))
    return report_page(
        request,
        model_admin,
        "admin/training/hours_ledger.html",
        title=_("学时统计"),
        form=form,
        year=year,
        page=page,
    )


# --- 调训覆盖 ----------------------------------------------------------------------------------------
class CoverageForm(ReportForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
    level = forms.ChoiceField(
        label=_("职务层次"), choices=[("", _("全部")), *codes.LeadershipLevel.choices], required=False
    )
    plan = forms.ModelChoiceField(
        label=_("年度调训计划"), queryset=TrainingPlan.objects.all(), required=False
    )


def coverage_page(request, model_admin):
    """调训覆盖率 by 职务层次 with the untrained list, and a plan's quotas against the cadres sent."""
    needed = TrainingReportViewSet.required_perms
    if not request.user.has_perms(needed["coverage"]):
        raise PermissionDenied
    form, options = report_form(request, model_admin, CoverageForm)
    report = quotas = None
    year = timezone.localdate().year
    if options is not None:
        year = options.get("year") or year
        report = covering.coverage(
            access.scope(Cadre.objects.all(), request.user),
            units=access.scope(Unit.objects.all(), request.user),
            unit_subtree=options.get("unit_subtree"),
            level=options.get("level") or None,
            year=year,
        )
        if options.get("plan") and request.user.has_perms(needed["quotas"]):
            quotas = covering.quota_fulfilment(
                access.scope(PlanQuota.objects.all(), request.user), plan=options["plan"].pk
            )
            quotas["name"] = str(options["plan"])
    return report_page(
        request,
        model_admin,
        "admin/training/coverage.html",
        title=_("调训覆盖与名额完成情况"),
        form=form,
        year=year,
        report=report,
        quotas=quotas,
    )


# --- 科学调训 ----------------------------------------------------------------------------------------
class CandidatesForm(ReportForm):
    limit = forms.IntegerField(label=_("人数"), min_value=1, max_value=500, required=False, initial=50)


def candidates_page(request, model_admin, class_id: int):
    """科学调训: the class's ranked candidates with checkboxes; POST enrols the chosen ones (the enrol
    service, each refusal reported)."""
    if not request.user.has_perms(
        ("cadres.view_cadre", "training.view_trainingclass", "training.view_enrolment")
    ):
        raise PermissionDenied
    training_class = get_object_or_404(TrainingClass, pk=class_id)
    if request.method == "POST":
        if not request.user.has_perm("training.add_enrolment"):
            raise PermissionDenied
        chosen = {int(pk) for pk in request.POST.getlist("cadre") if pk.isdigit()}
        allowed = proposing.candidates(training_class, request.user).filter(pk__in=chosen)
        done = 0
        for cadre in allowed.order_by():
            try:
                services.enrol(cadre, training_class, by=request.user)
                done += 1
            except ValidationError as error:
                messages.error(request, f"{cadre.name}：{'；'.join(error.messages)}")
        messages.success(request, _("已报名 %(done)d 人") % {"done": done})
        return HttpResponseRedirect(request.get_full_path())
    form = CandidatesForm(request.GET or None, units=[])
    limit = form.cleaned_data.get("limit") if form.is_bound and form.is_valid() else None
    rows = list(proposing.candidates(training_class, request.user)[: limit or 50])
    return report_page(
        request,
        model_admin,
        "admin/training/candidates.html",
        title=_("科学调训：%s") % training_class,
        training_class=training_class,
        form=form,
        rows=rows,
        can_enrol=request.user.has_perm("training.add_enrolment"),
        class_url=reverse("admin:training_trainingclass_change", args=[training_class.pk]),
    )


def admin_urls(model_admin) -> list:
    """The pages' URLs, to put before the model admin's own (whose last one catches all)."""
    site = model_admin.admin_site

    def class_admin():
        try:
            return site._registry[TrainingClass]
        except KeyError:
            raise Http404 from None

    return [
        path("ledger/", site.admin_view(lambda r: ledger_page(r, model_admin)), name="training_hours"),
        path(
            "coverage/", site.admin_view(lambda r: coverage_page(r, class_admin())), name="training_coverage"
        ),
        path(
            "candidates/<int:class_id>/",
            site.admin_view(lambda r, class_id: candidates_page(r, class_admin(), class_id)),
            name="training_candidates",
        ),
    ]
