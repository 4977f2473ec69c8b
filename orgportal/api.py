"""API conventions shared by every app: one router, base viewset and serializer, pagination,
permissions, filters and the error format. Apps declare a queryset, a serializer and a filterset."""

import datetime
import json
import re
import tempfile

import django_filters
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_filters.filters import QuerySetRequestMixin
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, filters, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from . import access, audit, rules
from . import rosters as roster_engine
from .paging import KeysFirstPaginator

XLSX = roster_engine.XLSX_TYPE
router = DefaultRouter()


class Pagination(PageNumberPagination):
    django_paginator_class = KeysFirstPaginator  # deep pages as cheap as the first (orgportal.paging)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class ModelPermissions(DjangoModelPermissions):
    """Django model permissions, with `view` required for reading too."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


class ChangePermissions(ModelPermissions):
    """For actions that POST a change to an existing record (close, exit, cancel …): `change` needed."""

    perms_map = {**ModelPermissions.perms_map, "POST": ["%(app_label)s.change_%(model_name)s"]}


def action_data(serializer_class, request) -> dict:
    """The validated body of a POST action that calls a service (DRF's 400 with field errors otherwise)."""
    form = serializer_class(data=request.data, context={"request": request})
    form.is_valid(raise_exception=True)
    return form.validated_data


def django_error_detail(error: DjangoValidationError):
    """A Django ValidationError in DRF's shape: {field: [messages]} or [messages]."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def exception_handler(exc, context):
    """DRF's standard error shape for model/service validation and protected deletes too; the body
    always an object (the schema's Error)."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_error_detail(exc))
    elif isinstance(exc, Http404):  # Django's own words are English (“No Cadre matches the given query.”)
        exc = exceptions.NotFound(_("未找到该记录（不存在，或不在您的管辖范围内）"))
    elif isinstance(exc, ProtectedError):
        names = sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects})
        return Response(
            {"detail": _("该记录仍被其他记录引用（%s），不能删除") % "、".join(names)},
            status=status.HTTP_409_CONFLICT,
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):  # raise ValidationError("…") / […]
        response.data = {api_settings.NON_FIELD_ERRORS_KEY: response.data}
    return response


class ChoiceLabelField(serializers.CharField):
    """A code's label, looked up in a table built once per language (get_FOO_display rebuilds it
    for every value)."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        self._labels: dict[str, dict] = {}
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        language = translation.get_language()
        labels = self._labels.get(language)
        if labels is None:
            labels = self._labels[language] = {code: str(label) for code, label in self.choices}
        return labels.get(value, value)


class MaskAwareSearchFilter(filters.SearchFilter):
    """`search=`: a field the user sees masked matches only its exact value (no probing digits)."""

    def get_search_fields(self, view, request):
        fields = super().get_search_fields(view, request) or []
        masked = access.masked_fields(view.queryset.model, request.user)
        return [f"={name}" if name in masked else name for name in fields]


class StableOrderingFilter(filters.OrderingFilter):
    """`ordering=` with the primary key appended, so ties (birth dates stored as the 1st of a month)
    never make rows repeat or vanish between pages."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering = [*ordering, "pk"]
        return ordering


class ScopedRelationsMixin:
    """Serializer mixin: the choices of every relation field (a single one or many) are the records
    inside the requesting user's jurisdiction — for input, the browsable API's forms and OPTIONS alike.
    Without a request in the context (a service serializing for itself) nothing is narrowed."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None:
            for field in fields.values():
                related = field.child_relation if isinstance(field, ManyRelatedField) else field
                if isinstance(related, RelatedField) and getattr(related, "queryset", None) is not None:
                    related.queryset = access.scope(related.queryset, user)
        return fields


class OrgSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    """Base serializer: choice labels, jurisdiction-scoped relations, masking, model validation.

    - every coded field `x` also reads as `x_display` (the Chinese label);
    - related-object choices are limited to the user's jurisdiction;
    - sensitive fields are masked for users without orgportal.view_sensitive, and a masked value
      sent back unchanged keeps the stored one;
    - `Model.full_clean()` runs, so the model's rules answer here exactly as in the admin;
    - the record as saved must lie inside the user's jurisdiction.
    """

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_fields(self):
        fields = super().get_fields()
        model = self.Meta.model
        for name in list(fields):
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:  # a declared, non-model field
                continue
            if getattr(model_field, "choices", None) and f"{name}_display" not in fields:
                fields[f"{name}_display"] = ChoiceLabelField(
                    model_field.choices, source=name, label=f"{model_field.verbose_name}（名称）"
                )
        if "updated_at" not in fields and hasattr(model, "updated_at"):  # incremental sync reads it
            fields["updated_at"] = serializers.DateTimeField(read_only=True, label=_("更新时间"))
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in access.masked_fields(type(instance), self._user()):
            for key in (name, f"{name}_display"):
                if key in data:
                    data[key] = access.mask(data[key])
        return data

    def to_internal_value(self, data):
        masked = access.masked_fields(self.Meta.model, self._user()) if self.instance is not None else ()
        echoed = [
            name
            for name in masked
            if getattr(self.instance, name) and data.get(name) == access.mask(getattr(self.instance, name))
        ]
        if echoed:  # a masked value sent back unchanged: keep the stored one
            data = {**data, **{name: getattr(self.instance, name) for name in echoed}}
        return super().to_internal_value(data)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        user = self._user()
        instance = self.instance if self.instance is not None else model()
        m2m = {f.name for f in model._meta.many_to_many}
        for name, value in attrs.items():
            if name not in m2m:
                setattr(instance, name, value)
        writable = {name for name, f in self.fields.items() if not f.read_only}
        writable |= {f.source for f in self.fields.values() if not f.read_only and f.source != "*"}
        exclude = [f.name for f in model._meta.concrete_fields if f.name not in writable]
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
            if user is not None:
                access.check_writable(user, instance)
        except DjangoValidationError as error:
            raise serializers.ValidationError(django_error_detail(error)) from error
        return attrs


def selected_fields(serializer, names: list[str]) -> dict:
    """Keep only `names` among the serializer's fields (`?fields=`); an unknown name is a 400 naming it.
    Masking is untouched: a kept sensitive field is masked exactly as in the full representation."""
    unknown = [name for name in names if name not in serializer.fields]
    if unknown:
        raise exceptions.ValidationError({"fields": [_("未知字段：%s") % "、".join(unknown)]})
    for name in list(serializer.fields):
        if name not in names:
            serializer.fields.pop(name)
    return serializer.fields


def only_loading(queryset, fields) -> models.QuerySet:
    """The queryset loading only the columns `fields` read (`only()`), with the declared
    select_related / prefetch_related kept where a kept field goes through them and no annotation
    selected. Unchanged when a field reads something that is not a model column (a property, an
    annotation, `source="*"`): a deferred column read per row would cost a query each."""
    model = queryset.model
    names = {model._meta.pk.name}
    if hasattr(model, "updated_at"):  # the record's version (its ETag) comes with every read
        names.add("updated_at")
    for field in fields.values():
        if field.source == "*" or not field.source_attrs:
            return queryset
        try:
            model_field = model._meta.get_field(field.source_attrs[0])
        except FieldDoesNotExist:
            return queryset
        if not model_field.concrete or model_field.many_to_many:
            return queryset
        names.add(model_field.name)
    joined = queryset.query.select_related
    if joined is True:  # select_related() with no names: cannot be narrowed safely
        return queryset
    queryset = queryset.select_related(None)
    kept = [lookup for lookup in flatten_select_related(joined or {}) if lookup.split("__")[0] in names]
    if kept:
        queryset = queryset.select_related(*kept)
    prefetches = [
        lookup
        for lookup in queryset._prefetch_related_lookups
        if getattr(lookup, "prefetch_through", lookup).split("__")[0] in names
    ]
    queryset = queryset.prefetch_related(None).prefetch_related(*prefetches).only(*names)
    # Annotations no kept field reads (derived flags, subqueries) are not computed for the page;
    # filters and ordering that use them still do.
    queryset.query.set_annotation_mask(())
    return queryset


def flatten_select_related(tree: dict, prefix: str = "") -> list[str]:
    """{"cadre": {"unit": {}}} → ["cadre__unit"] (the leaves of Query.select_related)."""
    lookups = []
    for name, below in tree.items():
        path = f"{prefix}{name}"
        lookups.extend(flatten_select_related(below, f"{path}__") if below else [path])
    return lookups


class NumberInFilter(django_filters.BaseInFilter, django_filters.NumberFilter):
    pass


def scoped_choices(queryset):
    """A django-filter `queryset` (a queryset, a callable taking the request, or None) narrowed to the
    requesting user's jurisdiction when it is read."""

    def narrowed(request):
        chosen = queryset(request) if callable(queryset) else queryset
        if chosen is None:
            return None
        return access.scope(chosen.all(), getattr(request, "user", None))

    return narrowed


class SubtreeFilterSet(django_filters.FilterSet):
    """Base filterset: `unit_subtree=<unit id>` keeps records of that unit and all units under it.
    Filters on a field the user sees masked are ignored (filtering by it would reveal its values)."""

    def __init__(self, *args, **kwargs):
        """Every relation filter (declared or generated) chooses among the records inside the user's
        jurisdiction: its form — the browsable API's filter form — offers nothing else, and a value
        outside it is refused as an invalid choice, like a record that does not exist."""
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            if isinstance(filter_, QuerySetRequestMixin):
                filter_.queryset = scoped_choices(filter_.queryset)
                filter_.__dict__.pop("_field", None)  # a form field built before narrowing is dropped

    def filter_queryset(self, queryset):
        masked = access.masked_fields(queryset.model, getattr(self.request, "user", None))
        for name in masked:
            self.form.cleaned_data.pop(name, None)
        return super().filter_queryset(queryset)

    unit_subtree = django_filters.NumberFilter(method="filter_unit_subtree", label=_("所属单位（含下级）"))
    ids = NumberInFilter(
        field_name="pk", lookup_expr="in", label=_("编号（英文逗号分隔，如 3,17,42；按变更流批量读取用）")
    )
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("更新时间不早于（ISO 8601，如 2026-01-31T08:00:00+08:00；增量同步用）"),
    )

    def filter_unit_subtree(self, queryset, name, value):
        from .models import Unit

        lookup = access.unit_path_field(queryset.model)
        path = Unit.objects.filter(pk=value).values_list("path", flat=True).first()
        if lookup is None:
            return queryset
        if path is None:
            return queryset.none()
        return queryset.filter(**{f"{lookup}__startswith": path})


class RuleFilter(django_filters.CharFilter):
    """`?<name>=any` or `=<rule id>`: rows breaking the active rules of `purpose` (orgportal.rules)."""

    def __init__(self, purpose: str, **kwargs):
        self.purpose = purpose
        kwargs.setdefault("label", _("规则提示（any 或规则编号）"))
        super().__init__(**kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        return rules.filter_by_rule(queryset, value, rules.rules_for(self.parent.request, self.purpose))


class RuleReasonsField(serializers.ListField):
    """The readable reasons of the rules a row breaks (needs RuleFlagsMixin on the viewset)."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(), read_only=True, source="*", **kwargs)

    def to_representation(self, row):
        active = self.context.get("rules") or []
        return rules.reasons(row, active)


class RuleFlagsMixin:
    """Viewset mixin: annotate each active rule of `rules_purpose` on the list (SQL, one query)."""

    rules_purpose = ""

    def get_queryset(self):
        from django.utils import timezone

        queryset = super().get_queryset()
        return rules.annotate_flags(
            queryset, rules.rules_for(self.request, self.rules_purpose), timezone.localdate()
        )

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "rules": rules.rules_for(self.request, self.rules_purpose),
        }


class XlsxRenderer(BaseRenderer):
    """`?format=xlsx` on a list that declares a roster: the roster of exactly what the list returns."""

    media_type = XLSX
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False, default=str).encode()  # an error, as JSON


ERROR_WORKBOOK_DESCRIPTION = _(
    "同一份文件的错误说明表（只校验，不写入）：上传的表格，错误的单元格标红，最后加“错误说明”列逐行写明问题，"
    "另有“错误清单”表逐条列出。改好后再上传导入。"
)


class RosterImportRequest(serializers.Serializer):
    file = serializers.FileField(label=_("Excel 文件（.xlsx）"))
    roster = serializers.CharField(required=False, label=_("花名册名称（默认为该资源的第一个可导入花名册）"))
    unit = serializers.IntegerField(required=False, label=_("默认单位编号（文件没有单位列时）"))
    dry_run = serializers.BooleanField(default=True, label=_("只校验不写入（默认 true）"))


class RosterImportReportSerializer(serializers.Serializer):
    roster = serializers.CharField()
    ok = serializers.BooleanField()
    written = serializers.BooleanField()
    counts = serializers.DictField(child=serializers.IntegerField())
    file_errors = serializers.ListField(child=serializers.CharField())
    ignored_columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.DictField())


class EditConflict(exceptions.APIException):
    """409: the record was saved by someone else between this request's read and its write."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("该记录刚被他人修改，未保存；请重新读取后再修改")
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    """412: If-Match named a version of the record that is no longer the stored one."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("该记录已被修改（If-Match 与当前版本不符），未保存；请重新读取后再修改")
    default_code = "precondition_failed"


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def etag_of(updated_at) -> str | None:
    """The record's version as a strong entity tag: its updated_at in microseconds."""
    return f'"{(updated_at - EPOCH) // datetime.timedelta(microseconds=1)}"' if updated_at else None


def check_if_match(request, stored_updated_at) -> None:
    """A write's If-Match header (optional) must name the stored version (RFC 9110 §13.1.1: `*`
    or a list of strong tags; a weak tag never matches): 412 otherwise."""
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return
    tags = {tag.strip() for tag in header.split(",")}
    if etag_of(stored_updated_at) not in tags:
        raise PreconditionFailed()


class OrgAutoSchema(AutoSchema):
    """The OpenAPI contract (settings DEFAULT_SCHEMA_CLASS): every operation described in Chinese —
    a sentence per standard action of a model resource, else the summary — before the viewset's or
    action's own text; `fields=` documented on the reads of every OrgViewSet."""

    ACTIONS = {
        "list": _(
            "列出%s：分页（page、page_size ≤ 500）、筛选、search=、ordering=；fields= 只取所列字段；updated_since= 只取此后更新的记录。"
        ),
        "retrieve": _("读取一条%s（fields= 只取所列字段）。"),
        "create": _("新增一条%s（校验规则与管理后台相同，出错时返回 400 与字段错误）。"),
        "update": _("修改一条%s（提交全部字段）。"),
        "partial_update": _("修改一条%s（只改所给字段）。"),
        "destroy": _("删除一条%s（仍被其他记录引用时返回 409）。"),
    }

    def get_description(self):
        described = super().get_description() or ""
        action_name = getattr(self.view, "action", None)
        model = getattr(getattr(self.view, "queryset", None), "model", None)
        lead = ""
        if isinstance(self.view, OrgViewSet) and action_name in self.ACTIONS and model is not None:
            lead = self.ACTIONS[action_name] % model._meta.verbose_name
        elif not any("\u4e00" <= char <= "\u9fff" for char in described):
            lead = str(self.get_summary() or "")
        return "\n\n".join(part for part in (lead, described) if part)

    # what every operation may answer besides its own success (and 5xx): DRF's error bodies, always
    # a JSON object ({"detail": …} or {field: [messages]}; exception_handler wraps a bare list)
    ERRORS = {
        "400": _('请求有误：{字段: [错误信息]}，或 {"detail": 说明}（参数、字段、分页、fields= 无效）'),
        "401": _("未认证：缺少或无效的令牌 / 会话"),
        "403": _("无权限：没有该操作的权限，或记录不在管辖范围内"),
        "404": _("不存在：记录不存在或不在管辖范围内，或页码超出范围"),
        "429": _("请求过于频繁：按 Retry-After 秒数后重试"),
    }
    WRITE_ERRORS = {
        "409": _("冲突：记录刚被他人修改，或仍被其他记录引用"),
        "413": _("上传文件过大"),
        "415": _("不支持的请求内容类型"),
    }
    ERROR_SCHEMA = {  # `detail` untyped: a model may have a field of that name (服务事项.detail)
        "type": "object",
        "additionalProperties": True,
        "description": '错误：{"detail": 说明} 或 {字段: [错误信息]}',
    }

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        if direction != "response":
            return bodies
        component = ResolvedComponent(
            name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=self.ERROR_SCHEMA
        )
        self.registry.register_on_missing(component)
        errors = {**self.ERRORS, **(self.WRITE_ERRORS if self.method != "GET" else {})}
        if isinstance(self.view, OrgViewSet) and self.method in ("PUT", "PATCH", "DELETE"):
            errors["412"] = _("版本不符：If-Match 与记录当前的 ETag 不同（其间已被修改），未保存")
        if isinstance(self.view, OrgViewSet):
            errors["406"] = _("不可接受：该接口不提供所请求的格式（如 format=xlsx 只用于列表）")
        for code, text in errors.items():
            bodies.setdefault(
                code, {"description": str(text), "content": {"application/json": {"schema": component.ref}}}
            )
        return dict(sorted(bodies.items()))

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if isinstance(self.view, OrgViewSet) and getattr(self.view, "action", None) in ("list", "retrieve"):
            parameters = [
                *parameters,
                OpenApiParameter(
                    "fields",
                    str,
                    description=_(
                        "只返回这些字段（英文逗号分隔，如 id,name,updated_at）；未知字段返回 400；敏感字段照常脱敏"
                    ),
                ),
            ]
        action_name = getattr(self.view, "action", None) if isinstance(self.view, OrgViewSet) else None
        if action_name in ("retrieve", "update", "partial_update"):
            parameters = [
                *parameters,
                OpenApiParameter(
                    "ETag",
                    str,
                    OpenApiParameter.HEADER,
                    response=[200],
                    description=_(
                        "记录的版本（实体标签）；修改或删除时以 If-Match 传回，防止覆盖他人其间的修改"
                    ),
                ),
            ]
        if action_name in ("update", "partial_update", "destroy"):
            parameters = [
                *parameters,
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description=_("可选：上次读取时响应头 ETag 的值；记录其间已被修改则返回 412，不保存"),
                ),
            ]
        return parameters


ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def list_cell(row: dict, name: str):
    """A serialized list row's value as an Excel cell: a code's label, a date as 1988.11.01, a list
    joined with 、, a number as a number."""
    value = row.get(f"{name}_display", row.get(name))
    if isinstance(value, list):
        return "、".join(str(v) for v in value if v not in (None, ""))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and (match := ISO_DATE.match(value)):
        return ".".join(match.groups())
    return value


class OrgViewSet(viewsets.ModelViewSet):
    """Base viewset: the declared queryset, scoped to the user's jurisdiction; model permissions.

    `create_service`: a service function called as `service(**validated_data, by=user)` instead
    of a plain save (records whose creation has rules, e.g. movements); `read_only_after_create`
    leaves out PUT/PATCH/DELETE for records changed only through services.
    """

    create_service = None
    read_only_after_create = False
    roster: str | None = None  # the roster `?format=xlsx` exports (another with `&roster=<name>`)
    answered = None  # the one record a retrieve / update answers: its ETag is sent

    permission_classes = [ModelPermissions]
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend, MaskAwareSearchFilter, StableOrderingFilter]
    ordering = ["id"]  # a stable default; apps declare ordering_fields and may override this
    field_actions = ("list", "retrieve")  # the reads that take `?fields=` (and those listing like them)
    xlsx_actions = ("list",)  # the reads `?format=xlsx` answers; any other is refused before it runs

    def get_queryset(self):
        return access.scope(super().get_queryset(), self.request.user)

    def requested_fields(self) -> list[str] | None:
        """`?fields=a,b,c` on a list or detail read: the names asked for (None: every field)."""
        if self.request is None or self.action not in self.field_actions:
            return None
        if getattr(getattr(self.request, "accepted_renderer", None), "format", None) == "xlsx":
            return None  # a roster has its own columns
        names = [name.strip() for name in self.request.query_params.get("fields", "").split(",")]
        return [name for name in names if name] or None

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        names = self.requested_fields()
        if names:
            fields = selected_fields(
                self.get_serializer_class()(context=self.get_serializer_context()), names
            )
            queryset = only_loading(queryset, fields)
        return queryset

    def get_serializer(self, *args, **kwargs):
        if getattr(self, "swagger_fake_view", False):  # schema generation: as drf-spectacular does for
            return self.get_serializer_class()(*args, **kwargs)  # a viewset without this override
        serializer = super().get_serializer(*args, **kwargs)
        names = self.requested_fields()
        if names:
            selected_fields(getattr(serializer, "child", serializer), names)
        return serializer

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.read_only_after_create:
            cls.http_method_names = ["get", "post", "head", "options"]
        if XlsxRenderer not in cls.renderer_classes:  # every list exports (its roster or its columns)
            cls.renderer_classes = [*cls.renderer_classes, XlsxRenderer]

    def list(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", None) == "xlsx":
            declared = self.roster or request.query_params.get("roster")
            has_roster = declared or roster_engine.for_model(self.queryset.model)
            return self.export_roster(request) if has_roster else self.export_list(request)
        return super().list(request, *args, **kwargs)

    def export_list(self, request):
        """`?format=xlsx` on a list without a roster: the list's own columns (its serializer's fields,
        codes as their labels, dates 1988.11.01, sensitive values masked as in the list), every row the
        list's filters keep, logged as an export."""
        queryset = self.filter_queryset(self.get_queryset())
        serializer = self.get_serializer(queryset, many=True)
        fields = serializer.child.fields
        columns = [
            name
            for name, field in fields.items()
            if not name.endswith("_display")
            and not isinstance(field, serializers.Serializer | serializers.ListSerializer)
        ]
        headers = [str(fields[name].label or name) for name in columns]
        rows = [[list_cell(row, name) for name in columns] for row in serializer.data]
        described = " ".join(f"{k}={v}" for k, v in request.query_params.items() if k != "format")
        return roster_engine.list_download(
            self.queryset.model, headers, rows, request.user, description=described, channel="api"
        )

    def export_roster(self, request):
        model_rosters = roster_engine.for_model(self.queryset.model)
        name = (
            request.query_params.get("roster")
            or self.roster
            or (model_rosters[0].name if model_rosters else "")
        )
        roster = roster_engine.ROSTERS.get(name)
        if roster is None or roster.model is not self.queryset.model:
            raise exceptions.NotFound(_("没有该花名册"))
        queryset = self.filter_queryset(self.get_queryset())
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
        described = " ".join(f"{k}={v}" for k, v in request.query_params.items() if k != "format")
        roster_engine.export(roster, queryset, request.user, handle, description=described, channel="api")
        return roster_engine.download(handle, f"{roster.name}_{timezone.localdate():%Y%m%d}.xlsx")

    def perform_create(self, serializer):
        if self.create_service is None:
            return super().perform_create(serializer)
        serializer.instance = type(self).create_service(**serializer.validated_data, by=self.request.user)

    def _locked_version(self, instance):
        """The stored updated_at of `instance` under a row lock, checked against the client's
        If-Match (412); the caller is inside a transaction."""
        stored = type(instance)._default_manager.select_for_update().filter(pk=instance.pk)
        version = (
            stored.values_list("updated_at", flat=True).first() if hasattr(instance, "updated_at") else None
        )
        check_if_match(self.request, version)
        return version

    def perform_update(self, serializer):
        # The row as this request read it must still be the stored one (its updated_at, under a row
        # lock): a save made meanwhile — an import, another user — is refused, not overwritten. A
        # client that sends If-Match with the ETag of its own earlier read is protected the same way
        # against changes made since that read (412).
        instance = serializer.instance
        with transaction.atomic():
            if getattr(instance, "updated_at", None) != self._locked_version(instance):
                raise EditConflict()
            super().perform_update(serializer)
        self.answered = serializer.instance

    def get_object(self):
        # Before the body is read (RFC 9110 §13.2.1): a delete the user may not make is 403 whatever
        # the precondition; then a stale If-Match is 412. perform_update / perform_destroy check the
        # version again under the row lock, for a write landing in between.
        obj = super().get_object()
        if self.action == "destroy" and not access.may_hard_delete(self.request.user, type(obj)):
            raise exceptions.PermissionDenied(
                _("%s不能删除，请变更其状态（彻底删除需超级管理员）") % obj._meta.verbose_name
            )
        if self.action in ("update", "partial_update", "destroy"):
            check_if_match(self.request, getattr(obj, "updated_at", None))
        return obj

    def perform_destroy(self, instance):
        with transaction.atomic():
            self._locked_version(instance)
            super().perform_destroy(instance)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if isinstance(request.accepted_renderer, XlsxRenderer) and self.action not in self.xlsx_actions:
            # refused before the handler runs: a write asked for as xlsx must not save and then fail
            raise exceptions.NotAcceptable(_("该接口不提供 Excel（xlsx）格式，请去掉 format=xlsx"))

    def finalize_response(self, request, response, *args, **kwargs):
        """The version (ETag) of the one record a read or write answered, for If-Match on the next
        write. Never a body labelled .xlsx that is not one: an error asked for as xlsx is answered as
        JSON (a read that has no Excel form was refused as 406 in `initial`)."""
        if (
            isinstance(getattr(request, "accepted_renderer", None), XlsxRenderer)
            and isinstance(response, Response)
            and not isinstance(response.data, bytes)
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        answered = getattr(self, "answered", None)
        tag = etag_of(getattr(answered, "updated_at", None)) if answered is not None else None
        if tag and response.status_code < 300:
            response["ETag"] = tag
        return response

    # Audit (orgportal.audit): records shown with their sensitive fields unmasked, one row a page.
    def _audit_shown(self, objects) -> None:
        names = self.requested_fields()
        if names and not set(names) & set(access.sensitive_fields(self.queryset.model)):
            return
        audit.sensitive_viewed(self.request, self.queryset.model, objects, channel="api")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None and self.action == "list":
            self._audit_shown(page)
        return page

    def retrieve(self, request, *args, **kwargs):
        instance = self.answered = self.get_object()
        self._audit_shown([instance])
        return Response(self.get_serializer(instance).data)


class ReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField(label=_("认可（true）或不予认可（false）"))
    note = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", label=_("审核意见（不予认可时必填）")
    )
    on = serializers.DateField(required=False, allow_null=True, default=None, label=_("审核日期（默认今天）"))


class ReviewActionMixin:
    """For a viewset of an orgportal.review.Reviewed model: POST …/<id>/review/ reviews it once."""

    @extend_schema(request=ReviewSerializer, summary=_("审核（认可 / 不予认可）"))
    @action(detail=True, methods=["post"], permission_classes=[ChangePermissions])
    def review(self, request, pk=None):
        """审核（认可 / 不予认可）."""
        from .review import review

        entry = review(self.get_object(), by=request.user, **action_data(ReviewSerializer, request))
        return Response(self.get_serializer(entry).data)


class RosterImportMixin:
    """`POST …/import/` (multipart: file, roster, unit, dry_run): validate a roster file row by row
    and, when asked and only if every row is valid, write it in one transaction. Needs add permission."""

    @extend_schema(
        request={"multipart/form-data": RosterImportRequest}, responses=RosterImportReportSerializer
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_roster(self, request):
        report = self._import(request, dry_run=None)
        return Response(
            report.as_dict(), status=status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST
        )

    @extend_schema(
        request={"multipart/form-data": RosterImportRequest},
        responses={(200, XLSX): OpenApiTypes.BINARY},
        description=ERROR_WORKBOOK_DESCRIPTION,
    )
    @action(detail=False, methods=["post"], url_path="import/errors", parser_classes=[MultiPartParser])
    def import_errors(self, request):
        report = self._import(request, dry_run=True)  # validates the request first: a missing file is a 400
        return roster_engine.error_workbook_response(request.data["file"], report)

    def _import(self, request, *, dry_run: bool | None) -> "roster_engine.ImportReport":
        """The import the request asks for (`dry_run` None: as the request says)."""
        from .models import Unit

        form = RosterImportRequest(data=request.data)
        form.is_valid(raise_exception=True)
        model = self.queryset.model
        importable = [r for r in roster_engine.for_model(model) if r.importable]
        name = form.validated_data.get("roster") or (importable[0].name if importable else "")
        roster = next((r for r in importable if r.name == name), None)
        if roster is None:
            raise exceptions.ValidationError({"roster": [_("没有可导入的花名册“%s”") % name]})
        unit = None
        if form.validated_data.get("unit") is not None:
            unit = (
                access.scope(Unit.objects.all(), request.user).filter(pk=form.validated_data["unit"]).first()
            )
            if unit is None:
                raise exceptions.ValidationError({"unit": [_("该单位不存在或不在您的管辖范围内")]})
        return roster_engine.import_file(
            roster,
            form.validated_data["file"],
            request.user,
            unit=unit,
            dry_run=form.validated_data["dry_run"] if dry_run is None else dry_run,
            allow_update=request.user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}"),
        )


def register(
    prefix: str,
    model,
    *,
    viewset=OrgViewSet,
    serializer=None,
    fields="__all__",
    read_only_fields=(),
    filterset_fields=(),
    search_fields=(),
    ordering_fields=("id",),
    select_related=(),
    extra_filters=None,
    **attrs,
):
    """Declare a model's API resource in one call: serializer, filterset (the fields' filters and any
    `extra_filters`, {name: Filter}) and viewset on the router."""
    name = model.__name__
    if serializer is None:
        meta = type(
            "Meta", (), {"model": model, "fields": fields, "read_only_fields": list(read_only_fields)}
        )
        serializer = type(
            f"{name}Serializer", (OrgSerializer,), {"Meta": meta, "__module__": model.__module__}
        )
    filter_meta = type("Meta", (), {"model": model, "fields": list(filterset_fields)})
    filterset = type(
        f"{name}Filter",
        (SubtreeFilterSet,),
        {"Meta": filter_meta, "__module__": model.__module__, **(extra_filters or {})},
    )
    body = {
        "queryset": model._default_manager.select_related(*select_related),
        "serializer_class": serializer,
        "filterset_class": filterset,
        "search_fields": list(search_fields),
        "ordering_fields": list(ordering_fields),
        "__doc__": f"{model._meta.verbose_name}",
        "__module__": model.__module__,
        **attrs,
    }
    viewset_class = type(f"{name}ViewSet", (viewset,), body)
    router.register(prefix, viewset_class)
    return viewset_class
