"""The change feed for other systems: `GET /api/v1/changes/?after=<cursor>` lists every create,
update and delete the caller may see, from the history the kernel already keeps (simple-history:
one historical table per domain model), in a stable order, with an opaque cursor.

Order and cursor. A change is one historical row; the feed orders them by the key
(history_date, historical table name, history_id), a total order, and the cursor is the key of the last
change served. A client that stores the cursor of the last change it processed and asks again with
`after=<cursor>` gets exactly the changes after it: nothing missed, nothing twice.

Commit order. History rows get their time and id before their transaction commits, so a
transaction that is still running can later commit rows *below* a key already served. The feed
therefore only serves rows older than a "settled" bound below which every transaction has finished:
  - PostgreSQL: the start of the oldest other client transaction that has written (`pg_stat_activity`,
    `backend_xid`; autovacuum's ANALYZE also takes a transaction id, but writes no history), capped at `clock_timestamp()`, minus ORGPORTAL_FEED_SKEW_SECONDS (default 2) for
    the application servers' clocks (history_date is the application's time). Every process must
    use the same database role (or one with pg_read_all_stats) so their transactions are visible.
  - SQLite (development): `now - ORGPORTAL_FEED_LAG_SECONDS` (default 60): a write transaction
    longer than that could commit rows below the bound after it was served.
A change therefore appears in the feed once its transaction, and every transaction that started
before it, has finished; a session left idle in a transaction that wrote holds the feed back until
it ends (PostgreSQL's idle_in_transaction_session_timeout bounds that).

Jurisdiction. A historical row carries the record's fields as they were, so the feed scopes each
row with the model's declared path (access.unit_path_field) applied to the historical table:
for `jurisdiction = "unit"` that is the unit the record had at that time; for a deeper path
(`"cadre__unit"`) the first hop is historical and the rest current. A record deleted with its
parent (cascade) is then reachable only through the parent's own deletion row. A record moved
out of the caller's jurisdiction shows its move to the new jurisdiction only. Models the caller
may not view (model permission) are left out; models declaring `change_feed = False` (logs) too.

One query per page: a UNION ALL over the historical tables the caller may see, ordered by the key
and cut at `limit` (PostgreSQL merges the tables' history_date indexes).
"""

import base64
import binascii
import datetime
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import F, Q, Value
from django.db.models.fields import IntegerField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from . import access
from .api import OrgAutoSchema
from .models import Unit

ACTIONS = {"+": "create", "~": "update", "-": "delete"}
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def feed_models(user) -> list:
    """The domain models whose changes `user` may see, ordered by historical table name."""
    found = []
    for model in access.domain_models():
        if not getattr(model, "change_feed", True) or not hasattr(
            model._meta, "simple_history_manager_attribute"
        ):
            continue
        meta = model._meta
        if user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
            found.append(model)
    return sorted(found, key=lambda m: history_model(m)._meta.db_table)


def history_model(model):
    return getattr(model, model._meta.simple_history_manager_attribute).model


@cache
def resources() -> dict:
    """Model → its API prefix on the kernel router (`cadres`, `training-external-hours` …)."""
    from .api import OrgViewSet, router

    found = {}
    for prefix, viewset, _basename in router.registry:
        queryset = getattr(viewset, "queryset", None)
        if issubclass(viewset, OrgViewSet) and queryset is not None and "(" not in prefix:
            found.setdefault(queryset.model, prefix)
    return found


def settled_before() -> datetime.datetime:
    """The time below which every history row is committed for good (see the module docstring)."""
    skew = datetime.timedelta(seconds=getattr(settings, "ORGPORTAL_FEED_SKEW_SECONDS", 2))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT LEAST(clock_timestamp(), (SELECT min(xact_start) FROM pg_stat_activity"
                " WHERE backend_xid IS NOT NULL AND backend_type = 'client backend'"
                " AND pid <> pg_backend_pid() AND datname = current_database()))"
            )
            (bound,) = cursor.fetchone()
        return bound - skew
    lag = datetime.timedelta(seconds=getattr(settings, "ORGPORTAL_FEED_LAG_SECONDS", 60))
    return timezone.now() - max(lag, skew)


# --- the cursor ------------------------------------------------------------------------------------
def encode_cursor(when: datetime.datetime, table: str, history_id: int) -> str:
    text = f"{when.astimezone(datetime.UTC).isoformat()}|{table}|{history_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime.datetime, str, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, table, history_id = text.split("|")
        parsed = datetime.datetime.fromisoformat(when)
        if parsed.tzinfo is None:
            raise ValueError
        return parsed, table, int(history_id)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise exceptions.ValidationError(
            {"after": [_("无效的游标，请使用上次响应中的 next 或 cursor")]}
        ) from None


def after_q(table: str, cursor: tuple | None) -> Q:
    """The rows of `table` whose key comes after `cursor`."""
    if cursor is None:
        return Q()
    when, cursor_table, history_id = cursor
    if table > cursor_table:
        return Q(history_date__gte=when)
    if table < cursor_table:
        return Q(history_date__gt=when)
    return Q(history_date__gt=when) | Q(history_date=when, history_id__gt=history_id)


def changes(user, *, after: str | None = None, limit: int = DEFAULT_LIMIT) -> tuple[list[dict], bool]:
    """The changes `user` may see after the cursor, oldest first: (up to `limit` rows, more?)."""
    cursor = decode_cursor(after) if after else None
    models = feed_models(user)
    if not models:
        return [], False
    bound = settled_before()
    paths = access.user_unit_paths(user)
    parts = []
    for rank, model in enumerate(models):  # feed_models: ordered by table name
        historical = history_model(model)
        table = historical._meta.db_table
        rows = historical.objects.filter(after_q(table, cursor), history_date__lt=bound)
        lookup = access.unit_path_field(model)
        if lookup is not None and paths is not None:
            rows = rows.filter(access.subtree_q(lookup, paths))
        parts.append(
            # the table's rank, not its name, orders ties in SQL: a database collation may sort
            # names otherwise than Python does in after_q
            rows.annotate(
                feed_rank=Value(rank, output_field=IntegerField()), feed_user=F("history_user__username")
            )
            .values_list("history_date", "feed_rank", "history_id", "id", "history_type", "feed_user")
            .order_by()
        )
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    rows = list(query.order_by("history_date", "feed_rank", "history_id")[: limit + 1])
    prefixes = resources()
    result = []
    for when, rank, history_id, record_id, kind, username in rows[:limit]:
        model = models[rank]
        table = history_model(model)._meta.db_table
        result.append(
            {
                "cursor": encode_cursor(when, table, history_id),
                "model": model._meta.label_lower,
                "resource": prefixes.get(model),
                "id": record_id,
                "action": ACTIONS.get(kind, kind),
                "time": when,
                "user": username,
            }
        )
    return result, len(rows) > limit


# --- the endpoint ----------------------------------------------------------------------------------
class ChangeQuerySerializer(serializers.Serializer):
    after = serializers.CharField(
        required=False, allow_blank=True, label=_("游标：从这次变更之后开始（省略：从头开始）")
    )
    limit = serializers.IntegerField(
        required=False, default=DEFAULT_LIMIT, min_value=1, max_value=MAX_LIMIT, label=_("本页条数（≤1000）")
    )


class ChangeSerializer(serializers.Serializer):
    cursor = serializers.CharField(help_text=_("这条变更的游标：处理完后保存，下次以 after= 传回"))
    model = serializers.CharField(help_text=_("记录类型（app_label.model），如 cadres.cadre"))
    resource = serializers.CharField(
        allow_null=True, help_text=_("该类记录的 API 资源，如 cadres → /api/v1/cadres/<id>/")
    )
    id = serializers.IntegerField(help_text=_("记录编号"))
    action = serializers.ChoiceField(
        choices=[("create", _("新增")), ("update", _("修改")), ("delete", _("删除"))], help_text=_("变更类型")
    )
    time = serializers.DateTimeField(help_text=_("变更时间"))
    user = serializers.CharField(allow_null=True, help_text=_("操作用户名；空表示系统（命令、批处理）"))


class ChangePageSerializer(serializers.Serializer):
    results = ChangeSerializer(many=True)
    next = serializers.CharField(
        allow_null=True, help_text=_("下一页的游标（本页最后一条的游标；本页为空时为请求的 after）")
    )
    more = serializers.BooleanField(help_text=_("是否还有更多已落定的变更（true：立即以 next 继续请求）"))


EXAMPLE_PAGE = {
    "results": [
        {
            "cursor": "MjAyNi0wMS0zMVQwMDowMDowMCswMDowMHxjYWRyZXNfaGlzdG9yaWNhbGNhZHJlfDE",
            "model": "cadres.cadre",
            "resource": "cadres",
            "id": 1,
            "action": "update",
            "time": "2026-01-31T08:00:00+08:00",
            "user": "hr_sync",
        }
    ],
    "next": "MjAyNi0wMS0zMVQwMDowMDowMCswMDowMHxjYWRyZXNfaGlzdG9yaWNhbGNhZHJlfDE",
    "more": False,
}


class OnePageSchema(OrgAutoSchema):
    """The feed's `list` answers one page object, not an array (drf-spectacular's default for list)."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class ChangeFeedViewSet(viewsets.GenericViewSet):
    """变更流: every create, update and delete the caller may see, oldest first, with a cursor."""

    schema = OnePageSchema()
    permission_classes = [IsAuthenticated]
    queryset = Unit.objects.none()  # every route names a model (the registry's checks); not read
    serializer_class = ChangePageSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary=_("变更流（增量同步）"),
        description=_(
            "按提交顺序列出调用者管辖范围内、有查看权限的各类记录的新增、修改和删除（含被删除记录的最后状态所在单位）。"
            "每条带游标 cursor；保存最后处理的一条的游标，下次以 after=<游标> 请求，既不遗漏也不重复。"
            "只返回已落定（此前开始的事务均已结束）的变更，因此最新的变更会在数秒后出现。"
            "more=true 时应立即以 next 继续请求。记录内容请按 resource 与 id 读取（可用 fields= 只取所需字段）。"
        ),
        parameters=[
            ChangeQuerySerializer,
            OpenApiParameter("after", str, description=_("上次保存的游标；省略则从最早的变更开始")),
        ],
        responses=ChangePageSerializer,
        examples=[OpenApiExample(_("一页变更"), value=EXAMPLE_PAGE, response_only=True)],
    )
    def list(self, request):
        form = ChangeQuerySerializer(data=request.query_params)
        form.is_valid(raise_exception=True)
        after = form.validated_data.get("after") or None
        rows, more = changes(request.user, after=after, limit=form.validated_data["limit"])
        page = {"results": rows, "next": rows[-1]["cursor"] if rows else after, "more": more}
        return Response(ChangePageSerializer(page).data)


def register_feed() -> None:
    from .api import router

    if not any(prefix == "changes" for prefix, *_rest in router.registry):
        router.register("changes", ChangeFeedViewSet, basename="changes")


register_feed()
