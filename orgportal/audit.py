"""The audit log of reads and sign-ins that matter (AuditEvent; exports have their own ExportLog).

- `sensitive_viewed(request, model, objects, channel)`: a user who may see sensitive fields was
  shown records of a model that has them, unmasked — one row for a detail page (admin change form,
  API retrieve), one row per list page with every id on it. Called by OrgAdmin and OrgViewSet; a
  single INSERT whatever the page's size.
- logins, logouts and failed logins (Django's auth signals) and lockouts (django-axes's signal).

Rows are bulk-inserted: an audit row needs no history of its own, and it is never edited.
"""

from collections.abc import Iterable

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import access
from .models import AuditEvent

Kind = AuditEvent.Kind


def client_ip(request) -> str | None:
    """The client's address as the server saw it (behind a proxy: the proxy's; see README)."""
    return (getattr(request, "META", None) or {}).get("REMOTE_ADDR") or None


def channel_of(request) -> str:
    path = getattr(request, "path", "") or ""
    return "api" if path.startswith("/api/") else "admin"


def record(kind: str, request=None, *, user=None, username: str = "", **fields) -> None:
    """Write one audit row (an anonymous or missing user is kept as none, with its username)."""
    user = user if getattr(user, "pk", None) else None
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                kind=kind,
                user=user,
                username=(username or (user.get_username() if user else ""))[:150],
                ip_address=client_ip(request),
                path=(getattr(request, "path", "") or "")[:500],
                **fields,
            )
        ]
    )


def sensitive_viewed(request, model, objects: Iterable, *, channel: str) -> None:
    """Log that `request.user` was shown these records of `model` with sensitive fields unmasked
    (nothing when the model has none, the user sees them masked, or there are no records)."""
    user = getattr(request, "user", None)
    if not getattr(model, "sensitive_fields", ()) or not access.can_view_sensitive(user, model):
        return
    ids = [str(getattr(obj, "pk", obj)) for obj in objects]
    if not ids:
        return
    record(
        Kind.SENSITIVE_VIEW,
        request,
        user=user,
        channel=channel,
        model=model._meta.label_lower,
        object_ids=",".join(ids),
    )


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record(Kind.LOGIN, request, user=user, channel=channel_of(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    record(Kind.LOGOUT, request, user=user, channel=channel_of(request))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    record(
        Kind.LOGIN_FAILED,
        request,
        username=str(credentials.get("username", "")),
        channel=channel_of(request),
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    record(Kind.LOCKOUT, request, username=username or "", channel=channel_of(request))
