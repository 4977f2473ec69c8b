"""Grouped-statistics reports, the shared part: percentages, labelled code rows, the unit a report is
narrowed to (looked up within the user's jurisdiction), query validation, the API permission and
viewset, and the admin page's unit choices, form and context. Apps declare their reports' counting,
serializers and templates (extending admin/orgportal/report_page.html)."""

from collections.abc import Iterable, Mapping

from django import forms
from django.db import models
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission

from . import access
from .admin import UnitSubtreeFilter
from .models import Unit

Choices = Iterable[tuple[str, object]]


# --- counting --------------------------------------------------------------------------------------
def percent(count: int, total: int) -> float:
    """`count` as a percentage of `total`, to one decimal place; 0.0 when the total is 0."""
    return round(100 * count / total, 1) if total else 0.0


def code_rows(choices: Choices, counts: Mapping, total: int | None = None) -> list[dict]:
    """Every code of `choices` in order, with its label and count (0 if absent), and any code met
    in the data but not in the table after them; `percent` of `total` when a total is given."""
    known = [(code, str(label)) for code, label in choices]
    seen = {code for code, _label in known}
    known += [(code, str(code)) for code in counts if code not in seen]
    rows = [{"code": code, "label": label, "count": counts.get(code, 0)} for code, label in known]
    if total is not None:
        for row in rows:
            row["percent"] = percent(row["count"], total)
    return rows


def code_ref(choices_cls, code: str | None) -> dict | None:
    """{code, label} of a code of the table `choices_cls`; None when no code is given."""
    return {"code": code, "label": str(choices_cls(code).label)} if code else None


# --- the unit a report is narrowed to --------------------------------------------------------------
def subtree_unit(unit_id: int | None, units: models.QuerySet | None = None) -> dict | None:
    """The unit `unit_id` (id, name, path) among `units` (the user's jurisdiction, scoped by the
    caller; every unit by default): one query. A unit missing or outside `units` has an empty name
    and no path, so nothing of it is told and the report counts nothing."""
    if not unit_id:
        return None
    units = Unit.objects.all() if units is None else units
    unit = units.filter(pk=unit_id).values("pk", "name", "path").first()
    if unit is None:
        return {"id": unit_id, "name": "", "path": None}
    return {"id": unit["pk"], "name": unit["name"], "path": unit["path"]}


def in_subtree(queryset: models.QuerySet, lookup: str, unit: dict | None) -> models.QuerySet:
    """The records of `unit` (from subtree_unit) and every unit under it (`lookup` reaches the
    unit's path); all of them without a unit, none for a unit missing or outside the jurisdiction."""
    if unit is None:
        return queryset
    if unit["path"] is None:
        return queryset.none()
    return queryset.filter(**{f"{lookup}__startswith": unit["path"]})


def unit_ref(unit: dict | None) -> dict | None:
    """{id, name} of a unit from subtree_unit, as the reports' filters show it."""
    return None if unit is None else {"id": unit["id"], "name": unit["name"]}


# --- API -------------------------------------------------------------------------------------------
class ReportQuerySerializer(serializers.Serializer):
    """A report's query parameters: the unit (its subtree); reports add theirs."""

    unit_subtree = serializers.IntegerField(
        required=False,
        min_value=1,
        label=_("所属单位（含下级）"),
        help_text=_("单位编号：该单位及其全部下级单位"),
    )


def validated(serializer_class: type[serializers.Serializer], data) -> dict:
    """The query parameters `data` validated by `serializer_class`; a 400 on bad input."""
    form = serializer_class(data=data)
    form.is_valid(raise_exception=True)
    return dict(form.validated_data)


class ReportPermission(BasePermission):
    """Signed in, with the view permissions of what the action's report counts
    (`view.required_perms[view.action]`); OPTIONS (action "metadata") counts nothing and is allowed,
    an action without declared permissions is refused."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if view.action == "metadata":
            return True
        perms = view.required_perms.get(view.action)
        return perms is not None and user.has_perms(perms)


class ReportViewSet(viewsets.GenericViewSet):
    """Base of report endpoints: `@action(detail=False)`s, each needing `required_perms[action]`,
    counting the user's jurisdiction; the query parameters are the reports' own (no filter
    backends) and a report is one object (no pagination)."""

    required_perms: Mapping[str, tuple[str, ...]] = {}
    permission_classes = [ReportPermission]
    filter_backends = []
    pagination_class = None

    def scoped(self, model: type[models.Model]) -> models.QuerySet:
        """Every `model` record in the user's jurisdiction."""
        return access.scope(model.objects.all(), self.request.user)

    def get_queryset(self) -> models.QuerySet:
        return access.scope(super().get_queryset(), self.request.user)


# --- admin pages -----------------------------------------------------------------------------------
def unit_choices(request, model_admin) -> list[tuple[str, str]]:
    """The unit list filter's choices, and the unit asked for when it lies deeper (a row's link)."""
    choices = list(UnitSubtreeFilter(request, {}, model_admin.model, model_admin).lookup_choices)
    asked = request.GET.get("unit_subtree", "")
    if asked.isdigit() and asked not in {value for value, _label in choices}:
        unit = access.scope(Unit.objects.filter(pk=asked), request.user).values_list("name", flat=True)
        choices += [(asked, name) for name in unit]
    return choices


class ReportForm(forms.Form):
    """A report page's form: the unit (its subtree) within the user's jurisdiction; pages add theirs."""

    unit_subtree = forms.TypedChoiceField(
        label=_("所属单位（含下级）"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, units: Choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_subtree"].choices = [("", _("全部（管辖范围内）")), *units]


def report_form(
    request, model_admin, form_class: type[ReportForm], **kwargs
) -> tuple[ReportForm, dict | None]:
    """The page's form on the query string, and its options (None on bad input: nothing counted)."""
    form = form_class(request.GET or None, units=unit_choices(request, model_admin), **kwargs)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, dict(getattr(form, "cleaned_data", {}))


def report_page(request, model_admin, template: str, **context) -> TemplateResponse:
    """A report page in the admin, below the model admin's list in the breadcrumbs."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        **context,
    }
    return TemplateResponse(request, template, context)
