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
