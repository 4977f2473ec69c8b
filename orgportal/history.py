"""History of every change (django-simple-history), registered once through the kernel's base model.

The acting user comes from the request (admin, API: HistoryRequestMiddleware) or, for management
commands and services run outside a request, from `acting_as(user)`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from simple_history.models import HistoricalRecords

_acting_user: ContextVar = ContextVar("orgportal_acting_user", default=None)


@contextmanager
def acting_as(user) -> Iterator[None]:
    """Record `user` as the author of every history row written inside the block."""
    token = _acting_user.set(user)
    try:
        yield
    finally:
        _acting_user.reset(token)


def get_history_user(request=None, **kwargs):
    """simple-history's `get_user` hook: the explicit acting user wins, then the request's user."""
    user = _acting_user.get()
    if user is not None:
        return user
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def history_field() -> HistoricalRecords:
    """The one history registration every domain model inherits (see OrgModel)."""
    return HistoricalRecords(inherit=True, get_user=get_history_user)


def record_initial_history(model, *, reason: str = "") -> int:
    """One "created" history row (history_type "+", no user: the system) for each record of `model`
    that has none — rows bulk-loaded without save(), such as demo data at scale — dated at the
    record's created_at. One INSERT … SELECT; running it again adds nothing. Returns the rows added."""
    from django.db import connection

    historical = getattr(model, model._meta.simple_history_manager_attribute).model
    quote = connection.ops.quote_name
    source = {f.name: f.column for f in model._meta.concrete_fields}
    columns = [f.column for f in historical._meta.concrete_fields if f.name in source]
    when = "s.created_at" if "created_at" in source else "CURRENT_TIMESTAMP"
    pk = quote(model._meta.pk.column)
    sql = (
        f"INSERT INTO {quote(historical._meta.db_table)}"
        f" ({', '.join(quote(c) for c in columns)}, history_date, history_type, history_change_reason)"
        f" SELECT {', '.join('s.' + quote(c) for c in columns)}, {when}, '+', %s"
        f" FROM {quote(model._meta.db_table)} s"
    )
    if historical._default_manager.exists():  # else every record lacks one: no per-row check
        sql += f" WHERE NOT EXISTS (SELECT 1 FROM {quote(historical._meta.db_table)} h WHERE h.{pk} = s.{pk})"
    with connection.cursor() as cursor:
        cursor.execute(sql, [reason])
        return cursor.rowcount
