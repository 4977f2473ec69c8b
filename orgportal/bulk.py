"""Idempotent bulk writes for other systems: `POST /api/v1/<resource>/bulk/` with `{"items": […]}`.

A viewset declares what its items look like and how they match stored records; the kernel does
the rest once:

    class ExternalHoursViewSet(BulkMixin, OrgViewSet):
        bulk_item_serializer = ExternalHoursBulkItem     # the natural key + the fields an item may set
        bulk_key = {"id_number": "cadre__id_number", "year": "year", "provider": "provider"}
        bulk_creates = True                              # False: only records that exist are updated

        def bulk_payload(self, key, fields, existing):   # optional: item → the resource's serializer data
            ...

- Items are matched by their natural key (one query for the whole request, within the caller's
  jurisdiction); a match is updated (PATCH semantics: only the fields the item carries), no match
  is created — both through the resource's own serializer and perform_create/perform_update, so
  the model's and services' rules answer exactly as for a single write. An item that changes
  nothing is reported `unchanged` and writes no history.
- All or nothing: the items are written in one transaction; if any item fails, nothing is written
  and the answer (400) lists every failing item: its index, its natural key and the field errors.
- At most settings.ORGPORTAL_BULK_MAX_ITEMS items (default 500) per request.
- `Idempotency-Key: <up to 100 characters>`: the response is stored with the request's hash
  (IdempotencyKey); the same key again with the same request returns the stored response
  (header `Idempotent-Replayed: true`) and writes nothing; with a different request it is a 422.
  Two requests racing with one key: the database's unique constraint lets one write; the other
  is rolled back and answers as the first did.
"""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from . import access
from .api import django_error_detail

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_MAX_LENGTH = 100


def max_items() -> int:
    return getattr(settings, "ORGPORTAL_BULK_MAX_ITEMS", 500)


class BulkPermissions(BasePermission):
    """A bulk write needs `change`, and `add` too when the resource's bulk may create records."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        meta = view.queryset.model._meta
        needed = ["change", "add"] if view.bulk_creates else ["change"]
        return all(user.has_perm(f"{meta.app_label}.{perm}_{meta.model_name}") for perm in needed)


# --- the schema ------------------------------------------------------------------------------------
class BulkResultItem(serializers.Serializer):
    index = serializers.IntegerField(help_text=_("该项在 items 中的位置（从 0 起）"))
    key = serializers.DictField(help_text=_("该项的自然键"))
    id = serializers.IntegerField(help_text=_("记录编号"))
    action = serializers.ChoiceField(
        choices=[("created", _("新增")), ("updated", _("更新")), ("unchanged", _("无变化"))]
    )


class BulkResult(serializers.Serializer):
    created = serializers.IntegerField(help_text=_("新增条数"))
    updated = serializers.IntegerField(help_text=_("更新条数"))
    unchanged = serializers.IntegerField(help_text=_("内容相同、未写入的条数"))
    results = BulkResultItem(many=True)


class BulkItemError(serializers.Serializer):
    index = serializers.IntegerField(help_text=_("出错项在 items 中的位置（从 0 起）"))
    key = serializers.DictField(help_text=_("出错项的自然键（按请求原样）"))
    errors = serializers.DictField(help_text=_("字段名 → 错误信息列表；non_field_errors 为整体错误"))


class BulkErrors(serializers.Serializer):
    detail = serializers.CharField()
    errors = BulkItemError(many=True, required=False)
    items = serializers.ListField(child=serializers.CharField(), required=False)


def bulk_schema(cls):
    """The OpenAPI description of `cls`'s bulk action: its own item shape, examples, the header."""
    model = cls.queryset.model
    keys = "、".join(cls.bulk_key)
    request = type(
        f"{model.__name__}BulkRequest",
        (serializers.Serializer,),
        {"items": cls.bulk_item_serializer(many=True, help_text=_("至多 %d 项") % max_items())},
    )
    example = cls.bulk_example or {}
    key = {name: example.get(name) for name in cls.bulk_key}
    creates = _("未匹配的新增，") if cls.bulk_creates else _("只更新已有记录（未匹配的报错），")
    return extend_schema(
        summary=_("批量写入%s") % model._meta.verbose_name,
        description=_(
            "按自然键（%(keys)s）匹配管辖范围内的记录：匹配到的按所给字段更新，%(creates)s校验规则与单条写入相同。"
            "全部成功才写入（同一事务）；任一项出错则不写入任何记录，返回 400 和每个出错项的位置、自然键与字段错误。"
            "每次至多 %(max)d 项。请求头 Idempotency-Key（≤100 字符）使重试安全：同一键、同一请求再次提交时返回首次的响应、"
            "不重复写入（响应头 Idempotent-Replayed: true）；同一键用于不同请求返回 422。"
        )
        % {"keys": keys, "creates": creates, "max": max_items()},
        request=request,
        responses={
            200: BulkResult,
            400: OpenApiResponse(BulkErrors, description=_("有出错项，未写入任何记录")),
            422: OpenApiResponse(BulkErrors, description=_("幂等键已用于另一个不同的请求")),
        },
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                description=_("幂等键：每个逻辑请求一个唯一值（如 UUID），重试时原样重发"),
            )
        ],
        examples=[
            OpenApiExample(_("请求"), value={"items": [example]}, request_only=True),
            OpenApiExample(
                _("成功"),
                value={
                    "created": 1,
                    "updated": 0,
                    "unchanged": 0,
                    "results": [{"index": 0, "key": key, "id": 1, "action": "created"}],
                },
                response_only=True,
                status_codes=["200"],
            ),
            OpenApiExample(
                _("有出错项"),
                value={
                    "detail": "第 1 项有错误，未写入任何记录",
                    "errors": [{"index": 0, "key": key, "errors": {"non_field_errors": ["……"]}}],
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )


# --- the mechanism ---------------------------------------------------------------------------------
class _Rollback(Exception):
    pass


class BulkMixin:
    """`POST …/bulk/` on a viewset (see the module docstring)."""

    bulk_item_serializer: type[serializers.Serializer] | None = None
    bulk_key: dict[str, str] = {}
    bulk_creates = True
    bulk_example: dict | None = None  # one item, for the OpenAPI examples

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.bulk_item_serializer is None or "bulk" in cls.__dict__ or cls.queryset is None:
            return  # no queryset yet: register() declares the subclass that has one

        def bulk(self, request):
            return self.bulk_response(request)

        bulk.__doc__ = f"批量写入（按自然键 {'、'.join(cls.bulk_key)} 新增或更新）."
        routed = action(detail=False, methods=["post"], url_path="bulk", permission_classes=[BulkPermissions])
        cls.bulk = bulk_schema(cls)(routed(bulk))  # extend_schema after action: it annotates the route

    # --- what a viewset may override -----------------------------------------------------------
    def bulk_queryset(self):
        """The records items may match: the model's, within the caller's jurisdiction."""
        return access.scope(self.queryset.model._default_manager.all(), self.request.user)

    def bulk_payload(self, key: dict, fields: dict, existing) -> dict:
        """The resource serializer's data for an item (`key`: its validated natural key, `fields`:
        the other fields as sent). The default: the key's model fields (on creation) and the fields."""
        if existing is not None:
            return fields
        return {**{name: value for name, value in key.items() if "__" not in self.bulk_key[name]}, **fields}

    def bulk_write(self, key: dict, fields: dict, existing):
        """Create or update one item through the resource's serializer: (record, action)."""
        payload = self.bulk_payload(key, fields, existing)
        if existing is None:
            if not self.bulk_creates:
                raise DjangoValidationError(_("没有与该自然键匹配的记录（或不在您的管辖范围内）"))
            serializer = self.get_serializer(data=payload)
            serializer.is_valid(raise_exception=True)
            self.perform_create(serializer)
            return serializer.instance, "created"
        stored = stored_values(existing)
        serializer = self.get_serializer(existing, data=payload, partial=True)
        serializer.is_valid(raise_exception=True)
        if not changes(stored, serializer.validated_data):
            return existing, "unchanged"
        self.perform_update(serializer)
        return serializer.instance, "updated"

    # --- the kernel's part ---------------------------------------------------------------------
    def bulk_response(self, request):
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key:
            code, body = self.bulk_apply(request.data)
            return Response(body, status=code)
        if len(key) > KEY_MAX_LENGTH:
            return Response(
                {"detail": _("Idempotency-Key 不能超过 %d 个字符") % KEY_MAX_LENGTH},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return idempotent(request, key, lambda: self.bulk_apply(request.data))

    def bulk_apply(self, data) -> tuple[int, dict]:
        """Validate, match and write every item, all or nothing: (status, body)."""
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list) or not items:
            return 400, {"detail": _('请求体应为 {"items": [...]}，至少一项'), "items": [_("不能为空")]}
        if len(items) > max_items():
            message = _("一次至多 %(max)d 项，本次 %(count)d 项；请分批提交") % {
                "max": max_items(),
                "count": len(items),
            }
            return 400, {"detail": message, "items": [message]}
        errors, valid = [], []
        seen = {}
        for index, raw in enumerate(items):
            if not isinstance(raw, dict):
                errors.append(
                    {"index": index, "key": {}, "errors": {"non_field_errors": [_("每一项应为对象")]}}
                )
                continue
            sent_key = {name: raw.get(name) for name in self.bulk_key}
            form = self.bulk_item_serializer(data=raw, context=self.get_serializer_context())
            unknown = sorted(set(raw) - set(form.fields))
            if not form.is_valid() or unknown:
                detail = dict(form.errors) if form.errors else {}
                for name in unknown:
                    detail[name] = [_("未知字段（可用字段：%s）") % "、".join(form.fields)]
                errors.append({"index": index, "key": sent_key, "errors": detail})
                continue
            natural = tuple(form.validated_data[name] for name in self.bulk_key)
            if natural in seen:
                errors.append(
                    {
                        "index": index,
                        "key": sent_key,
                        "errors": {"non_field_errors": [_("与第 %d 项的自然键相同") % (seen[natural] + 1)]},
                    }
                )
                continue
            seen[natural] = index
            key = {name: form.validated_data[name] for name in self.bulk_key}
            fields = {name: value for name, value in raw.items() if name not in self.bulk_key}
            valid.append((index, sent_key, natural, key, fields))
        results = []
        try:
            with transaction.atomic():
                found = self.bulk_match([natural for _i, _s, natural, _k, _f in valid])
                for index, sent_key, natural, key, fields in valid:
                    matches = found.get(natural, [])
                    if len(matches) > 1:
                        errors.append(
                            {
                                "index": index,
                                "key": sent_key,
                                "errors": {
                                    "non_field_errors": [
                                        _("该自然键匹配到 %d 条记录，无法确定更新哪一条") % len(matches)
                                    ]
                                },
                            }
                        )
                        continue
                    try:
                        with transaction.atomic():
                            record, done = self.bulk_write(key, fields, matches[0] if matches else None)
                    except DjangoValidationError as error:
                        errors.append({"index": index, "key": sent_key, "errors": django_error_detail(error)})
                    except IntegrityError:  # a constraint the rules did not foresee: still this item's error
                        message = _("与已有记录冲突（违反唯一性或完整性约束）")
                        errors.append(
                            {"index": index, "key": sent_key, "errors": {"non_field_errors": [message]}}
                        )
                    except serializers.ValidationError as error:
                        detail = (
                            error.detail
                            if isinstance(error.detail, dict)
                            else {"non_field_errors": error.detail}
                        )
                        errors.append({"index": index, "key": sent_key, "errors": detail})
                    else:
                        results.append({"index": index, "key": sent_key, "id": record.pk, "action": done})
                if errors:
                    raise _Rollback
        except _Rollback:
            pass
        if errors:
            errors.sort(key=lambda e: e["index"])
            positions = "、".join(str(e["index"] + 1) for e in errors[:10])
            return 400, jsonable(
                {"detail": _("第 %s 项有错误，未写入任何记录") % positions, "errors": errors}
            )
        counts = {
            name: sum(1 for r in results if r["action"] == name)
            for name in ("created", "updated", "unchanged")
        }
        return 200, jsonable({**counts, "results": results})

    def bulk_match(self, naturals: list[tuple]) -> dict[tuple, list]:
        """The stored records of each natural key, in one query (locked against concurrent writes)."""
        if not naturals:
            return {}
        names = list(self.bulk_key)
        condition = Q()
        for natural in naturals:
            condition |= Q(**{self.bulk_key[name]: value for name, value in zip(names, natural, strict=True)})
        annotated = {f"bulk_key_{i}": F(self.bulk_key[name]) for i, name in enumerate(names)}
        rows = self.bulk_queryset().filter(condition).annotate(**annotated)
        if transaction.get_connection().features.has_select_for_update:
            rows = rows.select_for_update(of=("self",))
        found: dict[tuple, list] = {}
        for record in rows:
            found.setdefault(tuple(getattr(record, f"bulk_key_{i}") for i in range(len(names))), []).append(
                record
            )
        return found


def stored_values(instance) -> dict:
    """The record's column values as read (serializer validation writes onto the instance)."""
    return {field.name: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def changes(stored: dict, validated: dict) -> bool:
    """Whether saving `validated` over the `stored` values would change anything."""
    for name, value in validated.items():
        if name not in stored:  # many-to-many or a non-column field: assume a change
            return True
        if stored[name] != getattr(value, "pk", value):
            return True
    return False


def jsonable(body: dict) -> dict:
    return json.loads(json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False))


def request_hash(request) -> str:
    text = json.dumps(
        [request.method, request.path, request.data],
        cls=DjangoJSONEncoder,
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def idempotent(request, key: str, produce) -> Response:
    """Answer a keyed request once: the stored response on a retry, 422 if the key was used for
    another request; otherwise `produce()` and store its (status, body) with the key."""
    from .models import IdempotencyKey

    digest = request_hash(request)
    stored = IdempotencyKey.objects.filter(user=request.user, key=key).first()
    if stored is not None:
        return replay(stored, digest)
    try:
        with transaction.atomic():
            code, body = produce()
            body = jsonable(body)
            IdempotencyKey.objects.bulk_create(  # a log: no history rows
                [
                    IdempotencyKey(
                        user=request.user,
                        key=key,
                        endpoint=f"{request.method} {request.path}"[:200],
                        request_hash=digest,
                        status_code=code,
                        response=body,
                    )
                ]
            )
    except IntegrityError:  # the same key committed meanwhile by a concurrent request: ours is undone
        stored = IdempotencyKey.objects.filter(user=request.user, key=key).first()
        if stored is None:
            raise
        return replay(stored, digest)
    return Response(body, status=code)


def replay(stored, digest: str) -> Response:
    if stored.request_hash != digest:
        return Response(
            {
                "detail": _(
                    "幂等键“%(key)s”已于 %(when)s 用于另一个不同的请求（%(endpoint)s）；"
                    "重试请原样重发原请求，新的请求请使用新的幂等键"
                )
                % {
                    "key": stored.key,
                    "when": f"{timezone.localtime(stored.created_at):%Y-%m-%d %H:%M:%S}",
                    "endpoint": stored.endpoint,
                }
            },
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    return Response(stored.response, status=stored.status_code, headers={REPLAYED_HEADER: "true"})
