"""The admin: the kernel's base ModelAdmin every app uses, and the unit tree."""

import datetime
import json
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path

from axes.models import AccessAttempt
from django import forms
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import label_for_field, lookup_field
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import EmptyResultSet, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import connections, transaction
from django.db.models.functions import Length
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, strip_tags
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from . import access, audit, dashboard, rules, tokens, uploads
from . import rosters as roster_engine
from .models import PATH_SEGMENT, ApiToken, AuditEvent, ExportLog, IdempotencyKey, Rule, Unit, UnitAssignment
from .paging import KeysFirstPaginator, page_slice
from .rules import PURPOSES
from .validators import format_date

AUDIT_PERMISSION = "orgportal.view_audit"

admin.site.site_header = _("组织部干部人才信息系统")
admin.site.site_title = _("组织部干部人才信息系统")
admin.site.index_title = _("业务管理")


def _with_dashboard(site: admin.AdminSite) -> None:
    """The admin home shows the user's dashboard, and the site serves the charts pages
    (orgportal.dashboard); set on the site instance, so whatever URL the admin is mounted at."""
    index, get_urls = site.index, site.get_urls

    def dashboard_index(request, extra_context=None):
        return index(request, {**dashboard.index_context(request), **(extra_context or {})})

    site.index = dashboard_index
    site.get_urls = lambda: [*dashboard.admin_urls(site), *get_urls()]


_with_dashboard(admin.site)


class UnitSubtreeFilter(admin.SimpleListFilter):
    """ "所属单位": the records of a unit and every unit under it (top levels listed; any id accepted)."""

    title = _("所属单位（含下级）")
    parameter_name = "unit_subtree"

    def lookups(self, request, model_admin):
        paths = access.user_unit_paths(request.user)
        top = min((len(p) for p in paths), default=PATH_SEGMENT) if paths else PATH_SEGMENT
        units = (
            access.scope(Unit.objects.all(), request.user)
            .annotate(path_length=Length("path"))
            .filter(path_length__lte=top + PATH_SEGMENT)  # the user's top units and one level below
        )
        return [(str(u.pk), ("　" * (u.depth - 1)) + u.name) for u in units.only("pk", "name", "path")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if not str(self.value()).isdigit():
            return queryset.none()
        lookup = access.unit_path_field(queryset.model)
        path = Unit.objects.filter(pk=self.value()).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        return queryset.filter(**{f"{lookup}__startswith": path})


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A list filter on a relation to a scoped model offers only the records inside the user's
    jurisdiction (Django's own lists every record). Registered below for every such relation, so an
    app naming `"cadre"` or `"unit"` in list_filter gets it without asking."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        visible = access.scope(field.related_model._default_manager.all(), request.user)
        return field.get_choices(
            include_blank=False, limit_choices_to={"pk__in": visible.values("pk")}, ordering=ordering
        )


admin.FieldListFilter.register(
    lambda f: bool(f.remote_field) and access.unit_path_field(f.related_model) is not None,
    ScopedRelatedFieldListFilter,
    take_priority=True,
)


def derived_list_filter(parameter: str, title, choices, apply) -> type[admin.SimpleListFilter]:
    """An admin list filter from choices and a queryset function `apply(queryset, value)` — the
    same function an app's API filterset uses, so both lists filter alike."""

    class DerivedFilter(admin.SimpleListFilter):
        def lookups(self, request, model_admin):
            return choices

        def queryset(self, request, queryset):
            return apply(queryset, self.value()) if self.value() else queryset

    DerivedFilter.title = title
    DerivedFilter.parameter_name = parameter
    DerivedFilter.__name__ = f"{parameter.title().replace('_', '')}Filter"
    return DerivedFilter


class MaskingHistoryHelper(HistoricalRecordContextHelper):
    """History deltas with sensitive values masked for users without the permission."""

    def __init__(self, model, historical_record, masked: tuple[str, ...]):
        super().__init__(model, historical_record)
        self.masked = masked

    def prepare_delta_change_value(self, change, value):
        if change.field in self.masked:
            return access.mask(value)
        return super().prepare_delta_change_value(change, value)


def preview_import(
    request: HttpRequest,
    *,
    session_key: str,
    form: forms.Form,
    run: Callable[..., roster_engine.ImportReport],
    context: dict,
    template: str,
    keep: Callable[[dict], dict] = lambda data: {},
    suffix: str = ".xlsx",
) -> HttpResponse:
    """An admin import page: upload → dry-run preview → confirm → everything written, or nothing.

    `form` (bound to the request; its upload in a field named "file") asks for the file and any
    choices; `keep(form.cleaned_data)` picks the JSON-able choices (pks, names) the confirm needs;
    `run(file, kept, dry_run=…)` imports an open binary file and returns an ImportReport — the very
    same call for the preview and the write. The upload waits in a temporary file, named in
    `request.session[session_key]` with a one-time token and the page it was sent from; a new upload
    replaces one never confirmed. `template` renders `form` or the `report` (with `counts` and the
    `token` to confirm with), on top of `context`.
    """
    pending = request.session.get(session_key)
    if request.method == "GET" and "errors" in request.GET:  # the error workbook of the pending upload
        return _error_workbook(request, pending, run, session_key)
    if request.method == "POST" and "confirm" in request.POST:
        if not (
            pending
            and request.POST.get("token") == pending.get("token")
            and pending.get("page") == request.path  # not an upload sent to another page
        ):
            return _import_expired(request)
        try:
            handle = open(pending["path"], "rb")  # noqa: SIM115 (closed below)
        except FileNotFoundError:  # confirmed twice, or the upload was cleaned away
            del request.session[session_key]
            return _import_expired(request)
        with handle:
            report = run(handle, pending["extra"], dry_run=False)
        if report.written:
            Path(pending["path"]).unlink(missing_ok=True)
            del request.session[session_key]
        return _import_report(request, template, {**context, "form": form}, report, pending["token"], suffix)
    if request.method == "POST" and form.is_valid() and _upload_size_ok(form):
        with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as upload:
            for chunk in form.cleaned_data["file"].chunks():
                upload.write(chunk)
        kept = keep(form.cleaned_data)
        with open(upload.name, "rb") as handle:
            report = run(handle, kept, dry_run=True)
        if pending:  # a new upload replaces one never confirmed
            Path(pending["path"]).unlink(missing_ok=True)
        token = secrets.token_urlsafe(16)
        request.session[session_key] = {
            "path": upload.name,
            "token": token,
            "page": request.path,
            "extra": kept,
        }
        return _import_report(request, template, {**context, "form": form}, report, token, suffix)
    return TemplateResponse(request, template, {**context, "form": form})


def _upload_size_ok(form) -> bool:
    """An upload over ORGPORTAL_UPLOAD_MAX_BYTES is an error on the form, before it is kept."""
    try:
        uploads.check_size(form.cleaned_data["file"])
    except uploads.UploadRefused as error:
        form.add_error("file", str(error))
        return False
    return True


def _import_expired(request) -> HttpResponseRedirect:
    messages.warning(request, _("上传的文件已失效，请重新上传"))
    return HttpResponseRedirect(request.path)


def _import_report(request, template, context, report, token, suffix) -> TemplateResponse:
    """The preview (or the result) of an import, with the upload form again below it — the corrected
    file is sent from the same page — and, for a sheet with row errors, its error workbook."""
    for row in report.rows:
        if not hasattr(row, "outcome_label"):  # a row type may name its outcome itself
            row.outcome_label = roster_engine.OUTCOME_LABELS[row.outcome]
    errors_url = f"{request.path}?errors={token}" if suffix == ".xlsx" and not report.ok else ""
    return TemplateResponse(
        request,
        template,
        {**context, "report": report, "counts": report.counts(), "token": token, "errors_url": errors_url},
    )


def _error_workbook(request, pending, run, session_key) -> HttpResponse:
    """The pending upload checked again (a dry run) and returned as its error workbook."""
    if not (
        pending and request.GET.get("errors") == pending.get("token") and pending.get("page") == request.path
    ):
        return _import_expired(request)
    try:
        handle = open(pending["path"], "rb")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        del request.session[session_key]
        return _import_expired(request)
    with handle:
        report = run(handle, pending["extra"], dry_run=True)
        return roster_engine.error_workbook_response(handle, report)


def required_choice(label, choices, **kwargs) -> forms.ChoiceField:
    """A choice the clerk must make: no option is preselected (an empty one first), and leaving it
    empty is an error on the field — never a default taken for the clerk's choice."""
    return forms.ChoiceField(label=label, choices=[("", _("（请选择）")), *choices], required=True, **kwargs)


class RosterImportForm(forms.Form):
    roster = forms.ChoiceField(label=_("花名册"))
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
    unit = forms.ModelChoiceField(
        label=_("默认单位"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("文件没有“工作单位”列时，记录放入此单位（须在您的管辖范围内）"),
    )

    def __init__(self, *args, rosters, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roster"].choices = [(r.name, r.title) for r in rosters]
        self.fields["unit"].queryset = access.scope(Unit.objects.all(), user)


def list_cell(name: str, obj, model_admin):
    """A changelist column's value for Excel: what the list shows, as text or a number — a code's
    label, a date 1988.11.01, 是/否, the column's HTML without its tags."""
    try:
        field, _attr, value = lookup_field(name, obj, model_admin)
    except (AttributeError, ObjectDoesNotExist):
        return ""
    if field is not None and getattr(field, "flatchoices", None):
        return str(dict(field.flatchoices).get(value, value if value is not None else ""))
    if isinstance(value, datetime.datetime):
        return (
            format_date(timezone.localtime(value).date())
            if timezone.is_aware(value)
            else format_date(value.date())
        )
    if isinstance(value, datetime.date):
        return format_date(value)
    if isinstance(value, bool) or value is None:
        return "" if value is None else (_("是") if value else _("否"))
    if isinstance(value, int | float):
        return value
    if field is not None and field.is_relation:
        return str(value)
    return strip_tags(str(value))


class RosterAdminMixin:
    """Roster buttons on a changelist: export what the list shows (filters, search, ordering,
    jurisdiction), import with a dry-run preview then one transaction, and a template per roster."""

    def _rosters(self):
        return roster_engine.for_model(self.model)

    def get_urls(self):
        meta = self.model._meta
        name = f"{meta.app_label}_{meta.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("roster/export/<str:roster>/", wrap(self.roster_export_view), name=f"{name}_roster_export"),
            path("roster/import/", wrap(self.roster_import_view), name=f"{name}_roster_import"),
            path("list/export/", wrap(self.list_export_view), name=f"{name}_list_export"),
            path(
                "roster/template/<str:roster>/",
                wrap(self.roster_template_view),
                name=f"{name}_roster_template",
            ),
            *super().get_urls(),
        ]

    def _url(self, view, *args):
        meta = self.model._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_roster_{view}", args=args)

    def changelist_view(self, request, extra_context=None):
        rosters = self._rosters()
        extra = {}
        if rosters and self.has_view_permission(request):
            extra = {
                "rosters": [{"title": r.title, "export_url": self._url("export", r.name)} for r in rosters],
                "roster_import_url": self._url("import")
                if any(r.importable for r in rosters) and self.has_add_permission(request)
                else None,
            }
        elif self.has_view_permission(request):  # no roster: the list exports its own columns
            meta = self.model._meta
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_list_export")
            extra = {"rosters": [{"title": _("当前列表（Excel）"), "export_url": url}]}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def list_export_view(self, request):
        """The changelist as it is (filters, search, ordering, jurisdiction; every page) to Excel, with
        the list's own columns as the clerk sees them (masked values masked), logged as an export."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self._changelist_or_none(request)
        if changelist is None:
            return self._back_to_list(request)
        columns = [name for name in changelist.list_display if name != "action_checkbox"]
        headers = [str(label_for_field(name, self.model, self)) for name in columns]
        rows = (
            [list_cell(name, obj, self) for name in columns]
            for obj in changelist.get_queryset(request).iterator(chunk_size=roster_engine.CHUNK)
        )
        described = " ".join(f"{k}={v}" for k, v in request.GET.items())
        return roster_engine.list_download(self.model, headers, rows, request.user, description=described)

    def _roster(self, request, name):
        roster = roster_engine.ROSTERS.get(name)
        if roster is None or roster.model is not self.model or not self.has_view_permission(request):
            raise Http404
        return roster

    def _changelist_or_none(self, request):
        """The changelist the export's query string describes; None when its filters are not valid
        (a stale link), as Django's own list answers them."""
        from django.contrib.admin.options import IncorrectLookupParameters

        try:
            return self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return None

    def _back_to_list(self, request):
        meta = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist") + "?e=1")

    def roster_export_view(self, request, roster):
        roster = self._roster(request, roster)
        changelist = self._changelist_or_none(request)
        if changelist is None:
            return self._back_to_list(request)
        queryset = changelist.get_queryset(request)
        described = " ".join(f"{k}={v}" for k, v in request.GET.items())
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
        roster_engine.export(roster, queryset, request.user, handle, description=described, channel="admin")
        return roster_engine.download(handle, f"{roster.title}_{timezone.localdate():%Y%m%d}.xlsx")

    def roster_template_view(self, request, roster):
        roster = self._roster(request, roster)
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
        roster_engine.template(roster, handle)
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename=f"{roster.title}_导入模板.xlsx")

    def roster_import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        rosters = [r for r in self._rosters() if r.importable]
        allow_update = self.has_change_permission(request)

        def run(file, kept, *, dry_run):
            unit = access.scope(Unit.objects.all(), request.user).filter(pk=kept["unit"]).first()
            roster = roster_engine.get(kept["roster"])
            return roster_engine.import_file(
                roster, file, request.user, unit=unit, dry_run=dry_run, allow_update=allow_update
            )

        return preview_import(
            request,
            session_key="roster_import",
            form=RosterImportForm(
                request.POST or None, request.FILES or None, rosters=rosters, user=request.user
            ),
            keep=lambda data: {"roster": data["roster"], "unit": data["unit"].pk if data["unit"] else None},
            run=run,
            context={
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("导入花名册"),
                "rosters": [
                    {"title": r.title, "template_url": self._url("template", r.name)} for r in rosters
                ],
            },
            template="admin/orgportal/roster_import.html",
        )


def planner_rows(queryset) -> int:
    """PostgreSQL's estimate of the rows `queryset` returns (EXPLAIN: planning only, nothing read)."""
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # .none(): nothing to plan
        return 0
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # drivers that leave json undecoded
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(KeysFirstPaginator):
    """A changelist paginator whose count reads at most `exact_limit` rows, whatever the table's size
    (and whose pages past the first are read keys first: orgportal.paging).

    Django's changelist counts its (filtered) rows on every page, and COUNT(*) reads every matching
    row: on PostgreSQL at 100 000 cadres that is most of the page's database time. Here the count is
    exact up to `exact_limit` rows (COUNT(*) over a LIMIT); beyond that the list shows PostgreSQL's
    estimate (EXPLAIN, usually within a few per cent), and any page number is accepted, so that no row
    is out of reach when the estimate falls short. Two queries at any size; other databases count.
    """

    exact_limit = 10_000
    estimated = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not hasattr(queryset, "query") or connections[queryset.db].vendor != "postgresql":
            return super().count
        estimate = planner_rows(queryset)
        exact = queryset.order_by().values("pk")[: self.exact_limit + 1].count()  # no annotations
        if exact <= self.exact_limit:
            return exact
        self.estimated = True
        return max(estimate, exact)

    def validate_number(self, number):
        if not (self.count and self.estimated):  # counting first decides whether it is an estimate
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        if not (self.count and self.estimated):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(page_slice(self.object_list, bottom, bottom + self.per_page), number, self)


EDITED_VERSION = "_version"  # the change form's query parameter: the updated_at it was opened on


class OrgAdmin(RosterAdminMixin, SimpleHistoryAdmin):
    """Base admin for every domain model: jurisdiction, masking, history, subtree filter.

    Apps declare list_display, list_filter, search_fields, list_select_related as usual.
    """

    list_per_page = 50
    show_full_result_count = False  # one COUNT less on large lists
    paginator = EstimatedCountPaginator  # and the filtered count bounded (PostgreSQL)

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        for name in getattr(model, "sensitive_fields", ()):
            self._add_masked_display(name)

    def _add_masked_display(self, name: str) -> None:
        field = self.model._meta.get_field(name)

        def display(obj):
            return access.mask(getattr(obj, name))

        display.short_description = field.verbose_name
        setattr(self, f"{name}__masked", display)

    def _masked(self, request) -> tuple[str, ...]:
        return access.masked_fields(self.model, request.user)

    def get_queryset(self, request):
        return access.scope(super().get_queryset(request), request.user)

    def has_delete_permission(self, request, obj=None):
        # A model declaring hard_delete = False changes status instead (access.may_hard_delete).
        allowed = super().has_delete_permission(request, obj)
        return allowed and access.may_hard_delete(request.user, self.model)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and request.method == "GET":  # a record shown with its sensitive fields
            audit.sensitive_viewed(request, self.model, [obj], channel="admin")
        if obj is not None and change and not form_url and getattr(obj, "updated_at", None):
            # The form posts back the version it was opened on (kept through failed posts): see get_form.
            query = request.GET.copy()
            query.setdefault(EDITED_VERSION, obj.updated_at.isoformat())
            form_url = "?" + query.urlencode()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None and set(access.sensitive_fields(self.model)) & set(changelist.list_display):
            # the page's rows (the list's own query, evaluated once here) in one audit row
            audit.sensitive_viewed(request, self.model, list(changelist.result_list), channel="admin")
        return response

    def get_search_fields(self, request):
        masked = self._masked(request)  # a masked field is found only by its exact value: no probing digits
        return [f"={name}" if name in masked else name for name in super().get_search_fields(request)]

    def get_list_display(self, request):
        masked = self._masked(request)
        return [f"{n}__masked" if n in masked else n for n in super().get_list_display(request)]

    def get_list_filter(self, request):
        masked = self._masked(request)  # filtering on a masked field would reveal its values
        filters = [f for f in super().get_list_filter(request) if not (isinstance(f, str) and f in masked)]
        if access.unit_path_field(self.model) is not None and UnitSubtreeFilter not in filters:
            filters.insert(0, UnitSubtreeFilter)
        return filters

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        masked = self._masked(request) if obj is not None else ()
        if not masked:
            return fieldsets
        # On an existing record a user without the permission sees the masked value, read-only.
        return [
            (title, {**opts, "fields": [self._mask_name(f, masked) for f in opts["fields"]]})
            for title, opts in fieldsets
        ]

    @staticmethod
    def _mask_name(field, masked):
        if isinstance(field, (list, tuple)):
            return type(field)(f"{n}__masked" if n in masked else n for n in field)
        return f"{field}__masked" if field in masked else field

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly += [f"{n}__masked" for n in self._masked(request)]
        return readonly

    def _scope_formfield(self, db_field, request, kwargs):
        related = db_field.remote_field.model
        if "queryset" not in kwargs and access.unit_path_field(related) is not None:
            kwargs["queryset"] = access.scope(related._default_manager.all(), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._scope_formfield(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._scope_formfield(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        read_version = obj.updated_at.isoformat() if getattr(obj, "updated_at", None) else None

        class ScopedForm(form):
            def _post_clean(self):
                super()._post_clean()
                try:
                    access.check_writable(user, self.instance)
                except ValidationError as error:
                    self._update_errors(error)
                if read_version is not None and self.instance.pk:
                    # Locked until the change view's transaction saves: no one's edit is overwritten.
                    stored = type(self.instance)._default_manager.select_for_update()
                    stored = stored.filter(pk=self.instance.pk).values_list("updated_at", flat=True).first()
                    opened = request.GET.get(EDITED_VERSION) or read_version
                    if stored is None or stored.isoformat() != opened:
                        self.add_error(None, _("该记录在您编辑期间已被他人修改，未保存；请重新打开后再修改"))

        ScopedForm.__name__ = form.__name__
        return ScopedForm

    # History pages: only records inside the jurisdiction, sensitive values masked.
    def _check_history_scope(self, request, object_id):
        if not str(object_id).isdigit():
            raise Http404
        if not self.get_queryset(request).filter(pk=object_id).exists() and not access.can_see_all(
            request.user
        ):
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._check_history_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_history_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_historical_record_context_helper(self, request, historical_record):
        return MaskingHistoryHelper(self.model, historical_record, self._masked(request))


class _ActionRefused(Exception):
    pass


def form_action(modeladmin, request, queryset, *, form_class, action, title, intro, submit, apply):
    """An admin action that first asks for a form (reason, date …), then calls `apply(obj, **data)`
    — a service — for every selected record, all or nothing: if the service refuses any of them,
    nothing is done and the form comes back with the clerk's input and each refusal, by name."""
    form = form_class(request.POST if "confirm" in request.POST else None)
    if form.is_valid():
        refusals = []
        try:
            with transaction.atomic():
                for obj in queryset:
                    try:
                        apply(obj, **form.cleaned_data)
                    except ValidationError as error:
                        refusals.append(f"{obj}：{'；'.join(error.messages)}")
                if refusals:
                    raise _ActionRefused
        except _ActionRefused:
            form.add_error(None, _("以下记录未能办理，全部未执行，请修改后重试："))
            for refusal in refusals:
                form.add_error(None, refusal)
        else:
            done = len(queryset)
            modeladmin.message_user(
                request, _("%(title)s：完成 %(done)d 条") % {"title": title, "done": done}
            )
            return None
    return TemplateResponse(
        request,
        "admin/orgportal/action_form.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "submit": submit,
            "form": form,
            "items": queryset,
            "action": action,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
    )


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("审核意见"), required=False, max_length=200)
    on = forms.DateField(label=_("审核日期"), initial=timezone.localdate)


class RejectForm(ReviewForm):
    note = forms.CharField(label=_("审核意见（不予认可的理由）"), max_length=200)


class ReviewAdmin:
    """Mixin (before OrgAdmin) for a model with orgportal.review.Reviewed: the review fields shown
    read-only once a record exists, and the list actions 认可 / 不予认可 (a form asks the note and
    date, orgportal.review.review applies it to each selected record)."""

    readonly_fields = ["status", "reviewed_by", "reviewed_on", "review_note"]
    actions = ["approve_selected", "reject_selected"]

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else [*self.fields, *self.readonly_fields]

    def _review(self, request, queryset, approve):
        from .review import review

        noun = self.model._meta.verbose_name_plural
        return form_action(
            self,
            request,
            queryset,
            form_class=ReviewForm if approve else RejectForm,
            action="approve_selected" if approve else "reject_selected",
            title=(_("认可%s") if approve else _("不予认可%s")) % noun,
            intro=_("以下%s：") % noun,
            submit=_("确认"),
            apply=lambda entry, note, on: review(entry, approve=approve, note=note, on=on, by=request.user),
        )

    @admin.action(description=_("认可所选%(verbose_name_plural)s…"), permissions=["change"])
    def approve_selected(self, request, queryset):
        return self._review(request, queryset, True)

    @admin.action(description=_("不予认可所选%(verbose_name_plural)s…"), permissions=["change"])
    def reject_selected(self, request, queryset):
        return self._review(request, queryset, False)


class OrgInline(admin.TabularInline):
    """Base inline for child records: scoped rows and relation choices, one query per inline."""

    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return access.scope(super().get_queryset(request), request.user)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and access.may_hard_delete(request.user, self.model)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        OrgAdmin._scope_formfield(self, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ServiceCreatedAdmin(OrgAdmin):
    """Records created through a service: the add form validates through the model, then `create`
    calls the service; an existing record is read-only here and changes only through the list's
    actions (services too)."""

    def create(self, request, data: dict):
        """Call the service with the add form's cleaned data; return the record it wrote."""
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        obj.pk = self.create(request, form.cleaned_data).pk

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        if obj is None or not self.fields:
            return super().get_fields(request, obj)
        return [*self.fields, *self.readonly_fields]


class ReadOnlyInline(OrgInline):
    """Child records shown on their parent's page but written elsewhere (through a service, or on
    their own page for sensitive records)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


@admin.register(Unit)
class UnitAdmin(OrgAdmin):
    list_display = [
        "tree_name",
        "short_name",
        "kind",
        "admin_level",
        "region_code",
        "parent",
        "sort_order",
        "children_link",
    ]
    list_filter = ["kind", "admin_level"]
    search_fields = ["name", "short_name", "region_code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    fields = ["name", "short_name", "kind", "admin_level", "region_code", "parent", "sort_order"]

    @admin.display(description=_("单位名称"), ordering="path")
    def tree_name(self, obj):
        return format_html("{}{}", "　" * (obj.depth - 1), obj.name)

    @admin.display(description=_("下级单位"))
    def children_link(self, obj):
        url = reverse("admin:orgportal_unit_changelist") + f"?unit_subtree={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("查看下级"))


@admin.register(UnitAssignment)
class UnitAssignmentAdmin(OrgAdmin):
    list_display = ["user", "unit", "updated_at"]
    search_fields = ["user__username", "unit__name"]
    list_select_related = ["user", "unit"]
    autocomplete_fields = ["unit"]
    raw_id_fields = ["user"]


class UnitAssignmentInline(OrgInline):
    model = UnitAssignment
    fk_name = "user"
    autocomplete_fields = ["unit"]
    verbose_name = _("管辖单位")
    verbose_name_plural = _("管辖单位（用户可见这些单位及其下级单位的记录）")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, UnitAssignmentInline]

    def save_model(self, request, obj, form, change):
        if not change:  # a user added here is a member of staff: they log in to the admin at once
            obj.is_staff = True
        super().save_model(request, obj, form, change)


class RuleForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("规则类型"), choices=())

    class Meta:
        model = Rule
        fields = ["purpose", "kind", "name", "params", "active", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (code, f"{label}（{dict(PURPOSES)[rules.KINDS[code].purpose]}）")
            for code, label in rules.kind_choices()
        ]
        self.fields["params"].help_text = _("按规则类型填写，未填的参数取默认值：") + "；".join(
            f"{kind.label}: "
            + "，".join(f"{name}={p.default}（{p.label}）" for name, p in kind.params.items())
            for kind in rules.KINDS.values()
        )


@admin.register(Rule)
class RuleAdmin(OrgAdmin):
    form = RuleForm
    list_display = ["name", "purpose", "kind_label", "params", "active", "sort_order"]
    list_filter = ["purpose", "active"]
    list_editable = ["active", "sort_order"]
    search_fields = ["name", "kind"]

    @admin.display(description=_("规则类型"), ordering="kind")
    def kind_label(self, obj):
        return obj.kind_label


class RuleFlagsAdmin(OrgAdmin):
    """An admin whose list shows which rules (orgportal.rules, of `rules_purpose`) each row breaks:
    a `rule_flags` column (rule names, the reasons on hover) and a filter. Declare `rules_purpose`
    and put "rule_flags" in list_display."""

    rules_purpose = ""
    rules_title = _("规则提示")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return rules.annotate_flags(
            queryset, rules.rules_for(request, self.rules_purpose), timezone.localdate()
        )

    @admin.display(description=_("规则提示"))
    def rule_flags(self, obj):  # stands in for the per-request column built in get_list_display
        return ""

    def get_list_display(self, request):
        active = rules.rules_for(request, self.rules_purpose)

        def rule_flags(obj):
            broken = rules.broken_rules(obj, active)
            if not broken:
                return ""
            return format_html(
                '<span title="{}">{}</span>',
                "\n".join(rules.reasons(obj, broken)),
                "、".join(r.name for r in broken),
            )

        rule_flags.short_description = self.rules_title
        return [rule_flags if name == "rule_flags" else name for name in super().get_list_display(request)]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), self._rule_filter()]

    def _rule_filter(self):
        purpose, title = self.rules_purpose, self.rules_title

        class RuleFilter(admin.SimpleListFilter):
            parameter_name = "rule"

            def lookups(self, request, model_admin):
                flagged = ("any", _("有任一提示"))  # Django itself lists 全部 (no filter) first
                return [flagged, *((str(r.pk), r.name) for r in rules.rules_for(request, purpose))]

            def queryset(self, request, queryset):
                if not self.value():
                    return queryset
                return rules.filter_by_rule(queryset, self.value(), rules.rules_for(request, purpose))

        RuleFilter.title = title
        return RuleFilter


@admin.register(ExportLog)
class ExportLogAdmin(OrgAdmin):
    """Who exported what: for auditors (orgportal.view_audit) only, and never edited."""

    list_display = ["created_at", "user", "roster", "row_count", "channel", "included_sensitive", "filters"]
    list_filter = ["roster", "channel", "included_sensitive"]
    search_fields = ["user__username", "roster", "filters"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.has_perm(AUDIT_PERMISSION)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ExportLogAdmin):
    """审计日志: views of unmasked sensitive records, logins, logouts, failures, lockouts — for
    auditors only (orgportal.view_audit), never added, edited or deleted here."""

    list_display = ["created_at", "kind", "user", "username", "ip_address", "channel", "model", "shown_ids"]
    list_filter = ["kind", "channel", ("user", admin.RelatedOnlyFieldListFilter), "model"]
    search_fields = ["username", "model", "object_ids", "ip_address", "path"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"

    @admin.display(description=_("记录编号"))
    def shown_ids(self, obj):
        ids = obj.object_ids
        return ids if len(ids) <= 60 else f"{ids[:60]}…（{ids.count(',') + 1}条）"


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "expires_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            self.fields["user"].queryset = User.objects.filter(groups__name=tokens.SYSTEM_GROUP)
            self.fields["user"].help_text = _("“系统账号”组的用户；它的组、权限和管辖单位决定令牌能读写什么")


@admin.register(ApiToken)
class ApiTokenAdmin(OrgAdmin):
    """API tokens of system accounts: created here (the key shown once), revoked by an action."""

    form = ApiTokenAddForm
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "user"]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "expires_at"]
        return ["user", "name", *self.readonly_fields, "expires_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "user"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, key = tokens.create_token(obj.user, obj.name, expires_at=obj.expires_at)
        obj.pk = token.pk
        self.message_user(
            request,
            format_html(
                "{}<br><code>{}</code><br>{}",
                _("令牌已创建，请立即复制（只显示这一次，系统不保存明文）："),
                key,
                _("调用时请求头：Authorization: Token <令牌>"),
            ),
            messages.WARNING,
        )

    @admin.action(description=_("吊销所选令牌"), permissions=["change"])
    def revoke(self, request, queryset):
        for token in queryset:
            tokens.revoke(token)
        self.message_user(request, _("已吊销 %d 个令牌") % len(queryset))


# AccessAttempt is django-axes's model; its labels are English and it has no Chinese translation.
django_apps.get_app_config("axes").verbose_name = _("登录安全")
AccessAttempt._meta.verbose_name = _("登录失败记录")
AccessAttempt._meta.verbose_name_plural = _("登录失败记录")
for name, label in {
    "username": _("用户名"),
    "ip_address": _("IP 地址"),
    "user_agent": _("浏览器"),
    "path_info": _("请求地址"),
    "failures_since_start": _("失败次数"),
    "attempt_time": _("最近失败时间"),
    "get_data": _("GET 参数"),
    "post_data": _("POST 参数"),
    "http_accept": _("Accept"),
}.items():
    AccessAttempt._meta.get_field(name).verbose_name = label


@admin.register(AccessAttempt)
class AccessAttemptAdmin(admin.ModelAdmin):
    """Failed logins per username and address; deleting a row (or “解除锁定”) unlocks at once."""

    list_display = ["attempt_time", "username", "ip_address", "failures_since_start", "locked", "path_info"]
    list_filter = ["attempt_time"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"
    fields = ["username", "ip_address", "user_agent", "path_info", "failures_since_start", "attempt_time"]
    readonly_fields = fields
    actions = ["unlock"]

    @admin.display(description=_("已锁定"), boolean=True)
    def locked(self, obj) -> bool:
        return obj.failures_since_start >= settings.AXES_FAILURE_LIMIT

    @admin.action(description=_("解除锁定"), permissions=["delete"])
    def unlock(self, request, queryset):
        count = 0
        for attempt in queryset:
            attempt.delete()  # axes's own post_delete signal clears its cache too
            count += 1
        self.message_user(request, _("已解除 %d 条锁定") % count)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(OrgAdmin):
    """幂等请求 (orgportal.bulk): the stored answers of bulk writes sent with an Idempotency-Key, for
    tracing what another system sent; read-only (old ones may be deleted)."""

    list_display = ["created_at", "user", "key", "endpoint", "status_code"]
    list_filter = ["status_code", "endpoint"]
    search_fields = ["user__username", "key", "endpoint"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    readonly_fields = ["user", "key", "endpoint", "request_hash", "status_code", "response"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
