"""Combined queries in the admin: the saved queries' list, the query builder (conditions from the
registry, a live count), and the cadre changelist opened on a query (`?q_saved=<id>` or
`?query=<URL-safe JSON>`), so that every list action and roster export works on its result."""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from orgportal import access, query
from orgportal.admin import OrgAdmin

from .models import Cadre, QuerySharing, SavedQuery


def _saved(request, pk) -> SavedQuery | None:
    if not str(pk).isdigit() or not request.user.has_perm("cadres.view_savedquery"):
        return None
    return SavedQuery.objects.visible_to(request.user).filter(pk=pk).first()


class SavedQueryFilter(admin.SimpleListFilter):
    """`?q_saved=<id>`: the cadres a saved query finds (shown in the sidebar only while applied)."""

    title = _("组合查询")
    parameter_name = "q_saved"

    def lookups(self, request, model_admin):
        if not self.value():
            return []
        saved = _saved(request, self.value())
        request._orgportal_saved_query = saved
        return [(self.value(), saved.name if saved else _("（不存在或无权查看）"))]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        saved = getattr(request, "_orgportal_saved_query", None) or _saved(request, self.value())
        if saved is None:
            messages.error(request, _("该组合查询不存在或无权查看"))
            return queryset.none()
        return _apply(request, queryset, saved.document)


class AdHocQueryFilter(admin.SimpleListFilter):
    """`?query=<URL-safe base64 of the JSON document>`: an unsaved query from the builder."""

    title = _("组合查询（未保存）")
    parameter_name = "query"

    def lookups(self, request, model_admin):
        return [(self.value(), _("当前条件"))] if self.value() else []

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            document = query.parse(self.value())
        except query.QueryError as error:
            messages.error(request, _("组合查询无效：%s") % error.messages[0])
            return queryset.none()
        return _apply(request, queryset, document)


def _apply(request, queryset, document):
    try:
        return queryset.filter(query.compile_document(Cadre, document, user=request.user))
    except query.QueryError as error:
        messages.error(
            request, _("组合查询无效：%(path)s：%(why)s") % {"path": error.path, "why": error.messages[0]}
        )
        return queryset.none()


QUERY_FILTERS = [SavedQueryFilter, AdHocQueryFilter]


class SavedQueryForm(forms.ModelForm):
    document = forms.JSONField(
        label=_("查询条件"), help_text=_("JSON 文档（见 docs/query.md），也可用“查询构建器”编辑")
    )

    class Meta:
        model = SavedQuery
        fields = ["name", "description", "sharing", "group", "document"]


@admin.register(SavedQuery)
class SavedQueryAdmin(OrgAdmin):
    form = SavedQueryForm
    list_display = ["name", "sharing", "group", "owner", "updated_at", "run_link", "builder_link"]
    list_filter = ["sharing", "group"]
    search_fields = ["name", "description"]
    list_select_related = ["owner", "group"]
    readonly_fields = ["owner"]
    fields = ["name", "description", "sharing", "group", "document", "owner"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        owner = obj.owner if obj is not None else request.user

        class OwnedForm(form):
            def _post_clean(self):
                if self.instance.owner_id is None:
                    self.instance.owner = owner  # the document is validated for its owner
                super()._post_clean()

        OwnedForm.__name__ = form.__name__
        return OwnedForm

    @admin.display(description=_("结果"))
    def run_link(self, obj):
        return format_html(
            '<a href="{}?q_saved={}">{}</a>',
            reverse("admin:cadres_cadre_changelist"),
            obj.pk,
            _("打开干部列表"),
        )

    @admin.display(description=_("编辑条件"))
    def builder_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:cadres_savedquery_builder_edit", args=[obj.pk]),
            _("查询构建器"),
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("builder/", wrap(self.builder_view), name="cadres_savedquery_builder"),
            path("builder/<int:pk>/", wrap(self.builder_view), name="cadres_savedquery_builder_edit"),
            path("builder/conditions.json", wrap(self.conditions_view), name="cadres_savedquery_conditions"),
            path("builder/count/", wrap(self.count_view), name="cadres_savedquery_count"),
            *super().get_urls(),
        ]

    def _check_cadre_view(self, request):
        if not request.user.has_perm("cadres.view_cadre"):
            raise PermissionDenied

    def conditions_view(self, request):
        """The registry's conditions, for the builder's drop-downs."""
        self._check_cadre_view(request)
        sensitive = access.can_view_sensitive(request.user)
        catalogue = [
            c
            for c in query.catalogue(Cadre)
            if sensitive or not query.conditions_for(Cadre)[c["code"]].sensitive
        ]
        return JsonResponse({"conditions": catalogue}, json_dumps_params={"ensure_ascii": False})

    def count_view(self, request):
        """{"count": n} of the cadres a document finds in the user's jurisdiction, or {"error": {path: why}}:
        POST the JSON document, or GET with `?query=` (URL-safe, as the changelist takes it; none: everyone)."""
        self._check_cadre_view(request)
        try:
            if request.method == "POST":
                document = json.loads(request.body or b"null")
            elif request.GET.get("query"):
                document = query.parse(request.GET["query"])
            else:
                document = {"op": "and", "conditions": []}
            q = query.compile_document(Cadre, document, user=request.user)
        except ValueError:
            return JsonResponse({"error": {"document": [str(_("查询不是有效的 JSON"))]}}, status=400)
        except query.QueryError as error:
            return JsonResponse({"error": {error.path: [str(m) for m in error.messages]}}, status=400)
        count = access.scope(Cadre.objects.all(), request.user).filter(q).count()
        return JsonResponse({"count": count, "url": self._changelist_url(document)})

    @staticmethod
    def _changelist_url(document) -> str:
        return f"{reverse('admin:cadres_cadre_changelist')}?query={query.encode(document)}"

    def builder_view(self, request, pk=None):
        """查询构建器: add conditions and groups, see the count, open the list, save."""
        self._check_cadre_view(request)
        saved = None
        if pk is not None:
            saved = _saved(request, pk)
            if saved is None:
                raise Http404(_("该组合查询不存在或无权查看"))
        error = None
        if request.method == "POST":
            if not (
                self.has_change_permission(request, saved) if saved else self.has_add_permission(request)
            ):
                raise PermissionDenied
            target = saved or SavedQuery(owner=request.user)
            try:
                target.document = json.loads(request.POST.get("document") or "null")
            except ValueError:
                target.document = None
            target.name = request.POST.get("name", "").strip()
            target.description = request.POST.get("description", "")
            target.sharing = request.POST.get("sharing") or QuerySharing.PRIVATE
            group = request.POST.get("group")
            target.group = Group.objects.filter(pk=group).first() if group and group.isdigit() else None
            try:
                target.save_as(request.user)
            except ValidationError as invalid:
                error = "；".join(f"{k}: {'、'.join(v)}" for k, v in invalid.message_dict.items())
            else:
                messages.success(request, _("已保存组合查询“%s”") % target.name)
                return HttpResponseRedirect(f"{reverse('admin:cadres_cadre_changelist')}?q_saved={target.pk}")
            saved = target if target.pk else None
            document = target.document
        else:
            document = saved.document if saved else {"op": "and", "conditions": []}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("组合查询构建器"),
            "saved": saved,
            "error": error,
            "document": document,
            "sharing_choices": QuerySharing.choices,
            "groups": Group.objects.filter(pk__in=request.user.groups.values("pk"))
            if not request.user.is_superuser
            else Group.objects.all(),
            "conditions_url": reverse("admin:cadres_savedquery_conditions"),
            "count_url": reverse("admin:cadres_savedquery_count"),
            "can_save": self.has_change_permission(request, saved)
            if saved
            else self.has_add_permission(request),
        }
        return TemplateResponse(request, "admin/cadres/savedquery/builder.html", context)
