"""OrgPortal settings: one module, configured from the environment.

DATABASE_URL   default: SQLite file db.sqlite3 in the project folder; postgres://… for production
SECRET_KEY     required when DEBUG=0
DEBUG          1/0 (default 1, for trying it out; production sets 0)
ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS   comma-separated
SECURE_PROXY_SSL_HEADER=1             trust X-Forwarded-Proto from the reverse proxy
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The apps that declare models on top of the kernel; orgportal/urls.py mounts their API routes.
ORGPORTAL_APPS = ["cadres", "talent", "training"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "axes",  # login lockout (orgportal/security.py)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "orgportal",
    *[app for app in ORGPORTAL_APPS if (BASE_DIR / app / "apps.py").exists()],
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page
]

ROOT_URLCONF = "orgportal.urls"
WSGI_APPLICATION = "orgportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "orgportal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout so the dev server and a management command can share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Security: TLS is terminated by the reverse proxy (nginx), which also owns the HTTPS redirect
# and HSTS; see README "Production". Everything the application itself owns is on.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "orgportal.tokens.ApiTokenAuthentication",  # Authorization: Token <key>
    ],
    # Per token and per user (orgportal/tokens.py; rates: ORGPORTAL_API_RATES below).
    "DEFAULT_THROTTLE_CLASSES": [
        "orgportal.tokens.TokenRateThrottle",
        "orgportal.tokens.UserRateThrottle",
    ],
    # OrgViewSet sets model permissions and the one pagination class (orgportal/api.py); this
    # default only covers views outside it.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "orgportal.parsers.JSONParser",  # a too deeply nested body is a 400, not a 500
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "orgportal.api.OrgAutoSchema",  # Chinese descriptions, `fields=`
    "EXCEPTION_HANDLER": "orgportal.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "OrgPortal API",
    "DESCRIPTION": (
        "组织部干部、人才、培训信息系统 REST API（/api/v1/）。令牌认证：`Authorization: Token <key>`。"
        "增量同步：各列表的 updated_since=、变更流 /api/v1/changes/；fields= 只取所需字段；"
        "批量写入 …/bulk/ 配合 Idempotency-Key。接入指南、版本策略与变更记录见 docs/api.md。"
    ),
    "VERSION": "1.3.0",  # docs/api.md: versioning policy and change log
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Reverting from the history page would bypass the services' rules; history is for reading.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Security and reliability (README "Security") ------------------------------------------------
# The admin's address: a site on an intranet still should not sit at the address every scanner tries.
ORGPORTAL_ADMIN_URL = os.environ.get("ORGPORTAL_ADMIN_URL", "admin/").strip("/") + "/"

# Login lockout (django-axes): AXES_FAILURE_LIMIT failures lock the username (from any address) and
# the address (for any username) for AXES_COOLOFF_TIME hours; an administrator unlocks earlier by
# deleting the row under 安全 → 登录失败记录. Password logins only (admin, session API); API tokens
# are random 40-character keys, rate-limited instead.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "orgportal.security.StaffBackend",  # ModelBackend, refusing system accounts' password logins
]
AXES_FAILURE_LIMIT = int(os.environ.get("ORGPORTAL_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("ORGPORTAL_LOGIN_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful logins and logouts go to the audit log (orgportal.audit)
AXES_ENABLE_ADMIN = False  # orgportal/security.py registers AccessAttempt with Chinese labels
AXES_LOCKOUT_CALLABLE = "orgportal.security.lockout_response"
AXES_VERBOSE = False

# Sessions end after SESSION_COOKIE_AGE seconds (default 8 hours) or when the browser closes.
# API: rates per token and per user ("600/min", "10000/hour" …); LocMem counts per process.
ORGPORTAL_API_RATES = {
    "token": os.environ.get("ORGPORTAL_API_RATE", "600/min"),
    "user": os.environ.get("ORGPORTAL_API_USER_RATE", os.environ.get("ORGPORTAL_API_RATE", "600/min")),
}
# An API token's last-used time is written at most once in this many seconds.
ORGPORTAL_TOKEN_TOUCH_SECONDS = 60

# Uploads (orgportal/uploads.py): bigger files, longer sheets, zip bombs are refused before parsing.
ORGPORTAL_UPLOAD_MAX_BYTES = int(os.environ.get("ORGPORTAL_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))
ORGPORTAL_IMPORT_MAX_ROWS = int(os.environ.get("ORGPORTAL_IMPORT_MAX_ROWS", "20000"))
ORGPORTAL_UPLOAD_MAX_UNCOMPRESSED = int(
    os.environ.get("ORGPORTAL_UPLOAD_MAX_UNCOMPRESSED", 200 * 1024 * 1024)
)
ORGPORTAL_UPLOAD_MAX_RATIO = 100  # uncompressed/compressed of a zip member (real .xlsx: 5–20)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # bigger uploads go to a temporary file, not memory
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # a request body other than files (JSON bodies)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},  # every login is in the audit log (orgportal.audit) already
    },
}
