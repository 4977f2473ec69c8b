"""Test settings: the project's, plus a small test-only app that exercises the kernel's
mechanisms (masking in particular) on a model with sensitive fields."""

from orgportal.settings import *  # noqa: F403
from orgportal.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
ORGPORTAL_APPS = [*ORGPORTAL_APPS, "tests.testapp"]  # noqa: F405  (its API routes get mounted)
# API rate limits no ordinary test reaches; tests/orgportal/test_tokens.py sets low ones itself.
ORGPORTAL_API_RATES = {"token": "1000000/min", "user": "1000000/min"}
