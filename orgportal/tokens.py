"""API clients: tokens of system accounts, their authentication and the API's rate limits.

Another system authenticates with `Authorization: Token <key>`. The key belongs to a *system
account*: a user in the 系统账号 group (SYSTEM_GROUP), with no usable password and no admin access,
whose other groups, permissions and unit assignments decide what the key may read and write —
exactly as for a member of staff. Only the key's SHA-256 is stored (a key is 40 random characters,
so a plain hash suffices); it is shown once, when created (`create_token`, the admin's add page,
`manage.py create_api_token`).
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.throttling import UserRateThrottle as DrfUserRateThrottle

from .models import ApiToken

SYSTEM_GROUP = "系统账号"
KEY_LENGTH = 40


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def is_system_account(user) -> bool:
    """A user in the 系统账号 group (cached on the user object)."""
    if not getattr(user, "pk", None):
        return False
    cached = getattr(user, "_orgportal_system", None)
    if cached is None:
        cached = user.groups.filter(name=SYSTEM_GROUP).exists()
        user._orgportal_system = cached
    return cached


def make_system_account(user) -> None:
    """Mark `user` a system account: in the 系统账号 group, no password, no admin."""
    group, _created = Group.objects.get_or_create(name=SYSTEM_GROUP)
    user.groups.add(group)
    user.set_unusable_password()
    user.is_staff = user.is_superuser = False
    user.save(update_fields=["password", "is_staff", "is_superuser"])
    user._orgportal_system = True


def create_token(user, name: str, *, expires_at: datetime.datetime | None = None) -> tuple[ApiToken, str]:
    """A new token of the system account `user`; returns (token, key) — the key is not stored."""
    key = secrets.token_urlsafe(30)[:KEY_LENGTH]
    token = ApiToken(user=user, name=name, prefix=key[:8], key_hash=hash_key(key), expires_at=expires_at)
    token.full_clean()
    token.save()
    return token, key


def revoke(token: ApiToken) -> None:
    """Revoke the token now (kept, with its history; it no longer authenticates)."""
    with transaction.atomic():
        token = token.locked()
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at", "updated_at"])


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` against ApiToken: not revoked, not expired, an active system
    account. The token's last use is written at most once a minute (no write per request)."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("令牌无效或已吊销"))
        now = timezone.now()
        if token.expires_at is not None and token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("令牌已过期"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("该系统账号已停用"))
        touch = datetime.timedelta(seconds=settings.ORGPORTAL_TOKEN_TOUCH_SECONDS)
        if token.last_used_at is None or now - token.last_used_at >= touch:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # no history row for this
            token.last_used_at = now
        return token.user, token


class _ConfiguredRate:
    """A rate read from settings.ORGPORTAL_API_RATES[scope] at each request (DRF's own throttles
    read theirs once, at import), so the environment and tests can set it."""

    def __init__(self):
        pass

    def allow_request(self, request, view):
        self.rate = settings.ORGPORTAL_API_RATES.get(self.scope)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class TokenRateThrottle(_ConfiguredRate, SimpleRateThrottle):
    """Requests per API token (ORGPORTAL_API_RATE); 429 with Retry-After beyond it."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class UserRateThrottle(_ConfiguredRate, DrfUserRateThrottle):
    """Requests per user however they authenticate, or per address when anonymous
    (ORGPORTAL_API_USER_RATE)."""

    scope = "user"
