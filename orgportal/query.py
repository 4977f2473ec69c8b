"""Combined queries (组合查询): conditions declared by the apps, a JSON document combining them with
nested AND / OR / NOT groups, validated against the registry and compiled to one `Q` (plain
lookups, `Exists` and subqueries: the database does all the filtering, in the list's one query).

An app registers conditions for a model (the cadres app for Cadre; talent and training add theirs
from their `ready()`, so cadres imports neither):

    query.register(Cadre, query.field(Cadre, "gender"))
    query.register(Cadre, query.Condition(code="movement", label=…, group=…, operators=HAS,
                   value=query.Fields({"kind": query.Choices(…), "within_years": query.Integer(1, 50)}),
                   build=lambda op, value, ctx: query.related(movements_matching(value, ctx.on), "cadre")))

The document (see docs/query.md):

    {"op": "and", "conditions": [
        {"field": "gender", "op": "in", "value": ["2"]},
        {"op": "or", "conditions": [...]},
        {"op": "not", "conditions": [{"field": "movement", "op": "has", "value": {"kind": ["11"]}}]}
    ], "on": "2026-12-01"}

A group's `op` is `and`, `or` or `not` (NOT of the AND of its conditions); a leaf names a registered
condition (`field`), one of its operators and a value. Every error names the path of the offending
node (`conditions[2].value.within_years`) and says why, in Chinese.
"""

import base64
import binascii
import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import access

MAX_DEPTH = 8
MAX_NODES = 100
TEXT_MAX = 100


class QueryError(ValidationError):
    """A document the registry refuses: `path` names the node, the message says why."""

    def __init__(self, path: str, message):
        self.path = path or "document"
        super().__init__({self.path: [message]})


@dataclass
class Context:
    """What a condition compiles against: the reference day and the user (None: unrestricted)."""

    on: datetime.date
    user: Any = None


# --- values -----------------------------------------------------------------------------------
class Spec:
    """How a value is written and checked; `clean(value, path, ctx)` returns the Python value."""

    kind = ""
    sensitive = False

    def clean(self, value, path: str, ctx: Context):
        raise NotImplementedError

    def describe(self) -> dict:
        return {"type": self.kind}


class Choices(Spec):
    """One or more codes from `choices` (a list of codes; a single code is accepted too)."""

    kind = "choices"

    def __init__(self, choices, *, sensitive: bool = False):
        self._choices = choices
        self.sensitive = sensitive

    @property
    def choices(self) -> list[tuple[str, str]]:
        choices = self._choices() if callable(self._choices) else self._choices
        return [(str(code), str(label)) for code, label in choices]

    def clean(self, value, path, ctx):
        values = value if isinstance(value, list) else [value]
        allowed = dict(self.choices)
        if not values or any(not isinstance(v, (str, int)) or isinstance(v, bool) for v in values):
            raise QueryError(path, _("应为代码或代码列表"))
        unknown = [str(v) for v in values if str(v) not in allowed]
        if unknown:
            raise QueryError(path, _("不是可选的代码：%s") % "、".join(unknown))
        return [str(v) for v in values]

    def describe(self):
        return {"type": self.kind, "choices": self.choices}


class Text(Spec):
    kind = "text"

    def __init__(self, *, sensitive: bool = False):
        self.sensitive = sensitive

    def clean(self, value, path, ctx):
        if not isinstance(value, str) or not value.strip():
            raise QueryError(path, _("应为非空文字"))
        if len(value) > TEXT_MAX:
            raise QueryError(path, _("文字不能超过%s个字符") % TEXT_MAX)
        return value.strip()


class Integer(Spec):
    kind = "integer"

    def __init__(self, low: int = 0, high: int = 1000):
        self.low, self.high = low, high

    def clean(self, value, path, ctx):
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                value = int(value)
            else:
                raise QueryError(path, _("应为整数"))
        if not self.low <= value <= self.high:
            raise QueryError(path, _("应在%(low)s到%(high)s之间") % {"low": self.low, "high": self.high})
        return value

    def describe(self):
        return {"type": self.kind, "min": self.low, "max": self.high}


class Boolean(Spec):
    kind = "boolean"

    def clean(self, value, path, ctx):
        if not isinstance(value, bool):
            raise QueryError(path, _("应为 true 或 false"))
        return value


class DateValue(Spec):
    kind = "date"

    def clean(self, value, path, ctx):
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        raise QueryError(path, _("应为日期，如 2024-06-30"))


class DecimalValue(Spec):
    kind = "decimal"

    def clean(self, value, path, ctx):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise QueryError(path, _("应为数字"))
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise QueryError(path, _("应为数字")) from None


class Range(Spec):
    """{"min": …, "max": …}, both inclusive, at least one given."""

    kind = "range"

    def __init__(self, bound: Spec):
        self.bound = bound

    def clean(self, value, path, ctx):
        if not isinstance(value, dict) or not value or set(value) - {"min", "max"}:
            raise QueryError(path, _('应为 {"min": …, "max": …}（至少填一项）'))
        cleaned = {k: self.bound.clean(v, f"{path}.{k}", ctx) for k, v in value.items() if v is not None}
        if not cleaned:
            raise QueryError(path, _("最小值和最大值至少填一项"))
        if "min" in cleaned and "max" in cleaned and cleaned["min"] > cleaned["max"]:
            raise QueryError(path, _("最小值不能大于最大值"))
        return cleaned

    def describe(self):
        return {"type": self.kind, "bound": self.bound.kind}


@dataclass
class Param:
    spec: Spec
    label: Any
    required: bool = False
    default: Any = None


class Fields(Spec):
    """An object of named parameters (a child-record condition's sub-conditions)."""

    kind = "fields"

    def __init__(self, params: dict[str, Param]):
        self.params = params

    def clean(self, value, path, ctx):
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise QueryError(path, _("应为对象"))
        unknown = sorted(set(value) - set(self.params))
        if unknown:
            raise QueryError(f"{path}.{unknown[0]}", _("未知的条件参数「%s」") % unknown[0])
        cleaned = {}
        for name, param in self.params.items():
            raw = value.get(name)
            if raw is None or raw == [] or raw == "":
                if param.required:
                    raise QueryError(f"{path}.{name}", _("请填写「%s」") % param.label)
                cleaned[name] = param.default
                continue
            check_sensitive(param.spec, param.label, f"{path}.{name}", ctx)
            cleaned[name] = param.spec.clean(raw, f"{path}.{name}", ctx)
        return cleaned

    def describe(self):
        return {
            "type": self.kind,
            "params": {
                name: {**p.spec.describe(), "label": str(p.label), "required": p.required}
                for name, p in self.params.items()
            },
        }


def check_sensitive(spec: Spec, label, path: str, ctx: Context) -> None:
    """Querying by a value the user sees masked would reveal it: refused."""
    if spec.sensitive and ctx.user is not None and not access.can_view_sensitive(ctx.user):
        raise QueryError(path, _("无权按敏感信息「%s」查询") % label)


# --- conditions -------------------------------------------------------------------------------
OPERATOR_LABELS = {
    "in": _("是"),
    "not_in": _("不是"),
    "contains": _("包含"),
    "not_contains": _("不包含"),
    "empty": _("为空"),
    "not_empty": _("不为空"),
    "between": _("介于"),
    "is": _("为"),
    "has": _("有"),
    "has_not": _("没有"),
}
NO_VALUE = ("empty", "not_empty")


@dataclass
class Condition:
    """A registered condition: `build(op, value, ctx) -> Q` for each operator in `operators`
    (op → the value's Spec; None for operators without a value)."""

    code: str
    label: Any
    group: Any
    operators: dict[str, Spec | None]
    build: Callable[[str, Any, Context], Q]
    help: Any = ""
    sensitive: bool = False
    app: str = ""
    extra: dict = dataclass_field(default_factory=dict)

    def describe(self) -> dict:
        return {
            "code": self.code,
            "label": str(self.label),
            "group": str(self.group),
            "help": str(self.help),
            "operators": {
                op: {
                    "label": str(OPERATOR_LABELS.get(op, op)),
                    **(spec.describe() if spec else {"type": "none"}),
                }
                for op, spec in self.operators.items()
            },
        }


REGISTRY: dict[str, dict[str, Condition]] = {}


def _key(model) -> str:
    return model._meta.label_lower


def register(model, condition: Condition) -> Condition:
    """Declare `condition` for queries over `model` (a later registration of the code replaces it)."""
    REGISTRY.setdefault(_key(model), {})[condition.code] = condition
    return condition


def conditions_for(model) -> dict[str, Condition]:
    return REGISTRY.get(_key(model), {})


def catalogue(model) -> list[dict]:
    """Every condition of `model` described for the query builder and the docs."""
    return [c.describe() for c in conditions_for(model).values()]


# --- condition builders an app declares with ---------------------------------------------------
def _text_q(name: str, op: str, value) -> Q:
    if op == "contains":
        return Q(**{f"{name}__contains": value})
    if op == "not_contains":
        return ~Q(**{f"{name}__contains": value})
    if op == "empty":
        return Q(**{name: ""}) | Q(**{f"{name}__isnull": True})
    return ~Q(**{name: ""}) & Q(**{f"{name}__isnull": False})


def _range_q(name: str, value: dict) -> Q:
    q = Q()
    if "min" in value:
        q &= Q(**{f"{name}__gte": value["min"]})
    if "max" in value:
        q &= Q(**{f"{name}__lte": value["max"]})
    return q


def field(model, name: str, *, code: str | None = None, label=None, group=None, choices=None) -> Condition:
    """A condition on a model field, its kind from the field: codes (in / not in), dates and numbers
    (between, inclusive), text (contains / not contains / empty), booleans (is)."""
    model_field = model._meta.get_field(name)
    sensitive = name in getattr(model, "sensitive_fields", ())
    label = label or model_field.verbose_name
    group = group or _("基本信息")
    choices = choices or model_field.choices
    if choices:
        spec = Choices(choices, sensitive=sensitive)

        def build(op, value, ctx):
            q = Q(**{f"{name}__in": value})
            return q if op == "in" else ~q

        operators = {"in": spec, "not_in": spec}
    elif isinstance(model_field, models.BooleanField):
        spec = Boolean()
        operators = {"is": spec}

        def build(op, value, ctx):
            return Q(**{name: value})

    elif isinstance(model_field, (models.DateField, models.IntegerField, models.DecimalField)):
        bound = (
            DateValue()
            if isinstance(model_field, models.DateField)
            else Integer(-(10**9), 10**9)
            if isinstance(model_field, models.IntegerField)
            else DecimalValue()
        )
        bound.sensitive = sensitive
        spec = Range(bound)
        spec.sensitive = sensitive
        operators = {"between": spec, "empty": None, "not_empty": None}

        def build(op, value, ctx):
            if op == "empty":
                return Q(**{f"{name}__isnull": True})
            if op == "not_empty":
                return Q(**{f"{name}__isnull": False})
            return _range_q(name, value)

    else:
        spec = Text(sensitive=sensitive)
        operators = {"contains": spec, "not_contains": spec, "empty": None, "not_empty": None}

        def build(op, value, ctx):
            return _text_q(name, op, value)

    return Condition(
        code=code or name,
        label=label,
        group=group,
        operators=operators,
        build=build,
        sensitive=sensitive,
    )


HAS = ("has", "has_not")


def related(queryset: models.QuerySet, link: str, *, at_least: int = 1) -> Q:
    """Rows of the outer model with at least `at_least` rows of `queryset` pointing at them through
    `link` (a correlated EXISTS, or a correlated COUNT for more than one)."""
    inner = queryset.filter(**{link: OuterRef("pk")}).order_by()
    if at_least <= 1:
        return Q(Exists(inner))
    counted = inner.values(link).annotate(n=Count("pk")).values("n")
    return Q(GreaterThanOrEqual(Coalesce(Subquery(counted, output_field=models.IntegerField()), 0), at_least))


def has_condition(
    *,
    code: str,
    label,
    group,
    params: dict[str, Param],
    matching: Callable[[dict, Context], Q],
    help="",
) -> Condition:
    """A "has / has not" condition over child records: `matching(params, ctx)` gives the Q the
    outer row must satisfy when it has such records (build it with `related()`)."""
    spec = Fields(params)

    def build(op, value, ctx):
        q = matching(value, ctx)
        return q if op == "has" else ~q

    return Condition(
        code=code, label=label, group=group, operators={"has": spec, "has_not": spec}, build=build, help=help
    )


def years_back(on: datetime.date, years: int) -> datetime.date:
    """The same day `years` earlier (28 February for 29 February)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


# --- the document -----------------------------------------------------------------------------
GROUP_OPS = ("and", "or", "not")


def _reference_day(document, ctx_on) -> datetime.date:
    if ctx_on is not None:
        return ctx_on
    raw = document.get("on") if isinstance(document, dict) else None
    if raw is None:
        return timezone.localdate()
    if isinstance(raw, str):
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            pass
    raise QueryError("on", _("应为日期，如 2024-06-30"))


def compile_document(model, document, *, user=None, on: datetime.date | None = None) -> Q:
    """Validate `document` against `model`'s conditions and compile it to one Q (QueryError if not)."""
    if isinstance(document, str):
        document = parse(document)
    if not isinstance(document, dict):
        raise QueryError("document", _("查询应为 JSON 对象"))
    unknown = set(document) - {"op", "conditions", "on", "version", "field", "value"}
    if unknown:
        key = sorted(unknown)[0]
        raise QueryError(key, _("未知的键「%s」") % key)
    ctx = Context(on=_reference_day(document, on), user=user)
    counter = [0]
    root = {k: v for k, v in document.items() if k not in ("on", "version")}
    return _node(model, root, "", ctx, 0, counter)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _node(model, node, path: str, ctx: Context, depth: int, counter: list) -> Q:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise QueryError(path, _("条件过多（最多%s个）") % MAX_NODES)
    if depth > MAX_DEPTH:
        raise QueryError(path, _("嵌套过深（最多%s层）") % MAX_DEPTH)
    if not isinstance(node, dict):
        raise QueryError(path, _("应为条件对象"))
    if "field" in node:
        return _leaf(model, node, path, ctx)
    op = node.get("op")
    if op not in GROUP_OPS:
        raise QueryError(_join(path, "op"), _("条件组的 op 应为 and、or 或 not"))
    unknown = set(node) - {"op", "conditions"}
    if unknown:
        key = sorted(unknown)[0]
        raise QueryError(_join(path, key), _("未知的键「%s」") % key)
    children = node.get("conditions")
    if not isinstance(children, list):
        raise QueryError(_join(path, "conditions"), _("应为条件列表"))
    if not children and op != "and":
        raise QueryError(_join(path, "conditions"), _("条件组不能为空"))
    compiled = [
        _node(model, child, f"{_join(path, 'conditions')}[{i}]", ctx, depth + 1, counter)
        for i, child in enumerate(children)
    ]
    if not compiled:
        return Q()
    combined = compiled[0]
    for q in compiled[1:]:
        combined = combined | q if op == "or" else combined & q
    return ~combined if op == "not" else combined


def _leaf(model, node, path, ctx) -> Q:
    unknown = set(node) - {"field", "op", "value"}
    if unknown:
        key = sorted(unknown)[0]
        raise QueryError(_join(path, key), _("未知的键「%s」") % key)
    code = node.get("field")
    condition = conditions_for(model).get(code) if isinstance(code, str) else None
    if condition is None:
        raise QueryError(_join(path, "field"), _("未知的查询条件「%s」") % code)
    op = node.get("op")
    if op not in condition.operators:
        allowed = "、".join(condition.operators)
        raise QueryError(
            _join(path, "op"),
            _("条件「%(label)s」不支持运算符「%(op)s」（可用：%(allowed)s）")
            % {"label": condition.label, "op": op, "allowed": allowed},
        )
    spec = condition.operators[op]
    if condition.sensitive and ctx.user is not None and not access.can_view_sensitive(ctx.user):
        raise QueryError(_join(path, "field"), _("无权按敏感信息「%s」查询") % condition.label)
    if spec is None:
        if node.get("value") not in (None, "", []):
            raise QueryError(_join(path, "value"), _("运算符「%s」不需要值") % op)
        value = None
    else:
        check_sensitive(spec, condition.label, _join(path, "value"), ctx)
        if "value" not in node:
            raise QueryError(_join(path, "value"), _("请填写条件「%s」的值") % condition.label)
        value = spec.clean(node["value"], _join(path, "value"), ctx)
    try:
        return condition.build(op, value, ctx)
    except QueryError as error:  # a build that checks values against the database (units …)
        raise QueryError(_join(path, "value"), error.messages[0]) from None


def apply(queryset: models.QuerySet, document, *, user=None, on: datetime.date | None = None):
    """`queryset` filtered by the document (validated first) — scope it by the user before or after."""
    return queryset.filter(compile_document(queryset.model, document, user=user, on=on))


# --- documents in URLs (?query=…) -------------------------------------------------------------
def parse(text: str):
    """A document from JSON text or its URL-safe base64 (the admin's `?query=`)."""
    text = (text or "").strip()
    if not text:
        raise QueryError("document", _("查询为空"))
    if not text.startswith("{"):
        try:
            padded = text + "=" * (-len(text) % 4)
            text = base64.urlsafe_b64decode(padded.encode()).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise QueryError("document", _("查询不是有效的 JSON")) from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise QueryError("document", _("查询不是有效的 JSON")) from None


def encode(document) -> str:
    """The URL-safe form of a document (for `?query=`)."""
    raw = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def error_detail(error: QueryError) -> dict:
    """The API's 400 body: {"query": {"<path>": ["<why>"]}}."""
    return {"query": {error.path: error.messages}}
