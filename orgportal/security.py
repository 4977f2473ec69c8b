"""Logins: who may log in with a password, the lockout page, and unlocking from the admin.

django-axes counts failed logins per username and per address (settings AXES_*); after
AXES_FAILURE_LIMIT failures either is locked for AXES_COOLOFF_TIME hours. Staff with
`axes.delete_accessattempt` (superusers) unlock at once by deleting the row (安全 → 登录失败记录,
action “解除锁定”). System accounts (orgportal.tokens) never log in with a password.
"""

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.backends import ModelBackend
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .tokens import is_system_account


class StaffBackend(ModelBackend):
    """Django's password login, refused to system accounts (they use API tokens only)."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not is_system_account(user)


def lockout_response(request, original_response=None, credentials=None):
    """The page shown to a locked-out login (AXES_LOCKOUT_CALLABLE): 429, in Chinese."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    return render(  # rendered now: AxesMiddleware returns it after the template-response phase
        request,
        "admin/orgportal/locked_out.html",
        {
            "title": _("登录已锁定"),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": minutes,
            "site_header": admin.site.site_header,
            "site_title": admin.site.site_title,
        },
        status=429,
    )
