"""Django settings, read from the environment (every variable is listed in the README)."""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url

from skillcert.env import (
    ConfigError,
    check_production,
    email_settings,
    env_bool,
    env_int,
    env_list,
    env_path,
    env_str,
    environment,
    served_base_url,
)

PACKAGE_DIR = Path(__file__).resolve().parent

# Everything the instance writes (SQLite database, uploads, keys, collected static files)
# lives under one directory, so an installation is one folder to back up.
DATA_DIR = env_path("SKILLCERT_DATA_DIR", "./var")
# Stored files (uploads, seals, prints, exports): outside the web root, served only through
# views; SKILLCERT_FILES_DIR puts them on a mount every app server and worker shares.
MEDIA_ROOT = env_path("SKILLCERT_FILES_DIR", str(DATA_DIR / "files"))
STATIC_ROOT = DATA_DIR / "static"
# Signing keys live in the database (``skillcert.keystore``), sealed under a master key that
# is not: SKILLCERT_MASTER_KEY (32 bytes, hex or base64) or SKILLCERT_MASTER_KEY_FILE; in
# development, when neither is set, one generated once into $SKILLCERT_DATA_DIR/master_key.
SKILLCERT_MASTER_KEY = env_str("SKILLCERT_MASTER_KEY")
SKILLCERT_MASTER_KEY_FILE = env_str("SKILLCERT_MASTER_KEY_FILE")
# The old per-host key directory, read only to import its keys (``skillcert keys import``).
SKILLCERT_KEY_DIR = env_path("SKILLCERT_KEY_DIR", str(DATA_DIR / "keys"))
# Electronic certificates carry an SM2 signature beside the Ed25519 one (docs/security.md, E).
SKILLCERT_SM2_SIGNATURES = env_bool("SKILLCERT_SM2_SIGNATURES", True)


def _secret_key() -> str:
    """SKILLCERT_SECRET_KEY, else a key generated once and kept in the data directory."""
    configured = env_str("SKILLCERT_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key


# development (one host: a secret generated into the data directory is enough) or production
# (several app servers: each setting below must be given, and the same on every server).
ENVIRONMENT = environment()
DEBUG = env_bool("SKILLCERT_DEBUG", False)
ALLOWED_HOSTS = env_list("SKILLCERT_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
if ENVIRONMENT == "production":
    check_production(
        secret_key=env_str("SKILLCERT_SECRET_KEY"),
        debug=DEBUG,
        allowed_hosts=ALLOWED_HOSTS,
        master_key=SKILLCERT_MASTER_KEY,
        master_key_file=SKILLCERT_MASTER_KEY_FILE,
        base_url=env_str("SKILLCERT_BASE_URL"),
    )
SECRET_KEY = _secret_key()
CSRF_TRUSTED_ORIGINS = env_list("SKILLCERT_CSRF_TRUSTED_ORIGINS", [])
# The absolute address printed on certificates and in QR codes: SKILLCERT_BASE_URL when set,
# else the address the server listens on (``skillcert serve`` exports it to its workers; other
# commands read the same SKILLCERT_HOST and PORT that serve defaults to).
BASE_URL = (
    env_str("SKILLCERT_BASE_URL")
    or served_base_url(env_str("SKILLCERT_HOST", "127.0.0.1"), env_int("PORT", 8000, minimum=1))
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "skillcert.audit",
    "skillcert.keystore",
    "skillcert.accounts",
    "skillcert.workflow",
    "skillcert.jobs",
    "skillcert.inbox",
    "skillcert.formal",
    "skillcert.reference",
    "skillcert.registry",
    "skillcert.assessment",
    "skillcert.certificates",
    "skillcert.supervision",
    "skillcert.api",
    "skillcert.web",
    "skillcert.ops",
]

MIDDLEWARE = [
    # First, so every answer (the fast path's too) carries X-Request-ID and every log line its id.
    "skillcert.ops.observability.RequestIdMiddleware",
    # Second, so every answer below it (413s, the fast path, error pages) carries the policy.
    "skillcert.ops.csp.ContentSecurityPolicyMiddleware",
    # Before anything reads a body (the id above reads none): 413 when over the route's limit.
    "skillcert.ops.limits.RequestBodyLimitMiddleware",
    # Above the fast path, so its answers are timed and counted, and its reads may use the replica.
    "skillcert.ops.metrics.RequestMetricsMiddleware",
    "skillcert.ops.dbrouter.PublicReadMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Public verification answers here, without sessions, CSRF, users or messages.
    "skillcert.api.public.fastpath.PublicVerificationFastPath",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Logins (accounts/middleware.py, domain.md §11): second factor, idle sessions, password age.
    "django_otp.middleware.OTPMiddleware",
    "skillcert.accounts.middleware.IdleSessionMiddleware",
    "skillcert.accounts.middleware.PasswordAgeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a page login refused by the account lock into the lock page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "skillcert.urls"
WSGI_APPLICATION = "skillcert.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "skillcert.web.context.site",
                "skillcert.web.worklist.worklist_count",
                "skillcert.web.inbox.context.unread_messages",
            ],
        },
    },
]


# PgBouncer in transaction mode lends a server connection for one transaction only: no
# server-side cursors (a cursor outlives the transaction: .iterator() then fetches the result
# whole and converts it in chunks) and, unless told otherwise, no connection kept by Django.
PGBOUNCER = env_bool("SKILLCERT_PGBOUNCER", False)


def _database_from_url(url: str) -> dict[str, Any]:
    config = dj_database_url.parse(
        url,
        conn_max_age=env_int("SKILLCERT_DB_CONN_MAX_AGE", 0 if PGBOUNCER else 60, minimum=0),
        conn_health_checks=True,
    )
    config.setdefault("OPTIONS", {})
    if PGBOUNCER and config["ENGINE"] == "django.db.backends.postgresql":
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
    return dict(config)


def _database() -> Mapping[str, Any]:
    url = env_str("DATABASE_URL")
    if url:
        return _database_from_url(url)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "skillcert.sqlite3",
        # Keep the connection between requests (opening one cost ~0.8 ms a request).
        "CONN_MAX_AGE": env_int("SKILLCERT_DB_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            # IMMEDIATE takes the write lock when a transaction starts, so two writers
            # queue instead of failing half-way (SQLite has no SELECT ... FOR UPDATE).
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


DATABASES = {"default": _database()}
# A read replica for the public's read-only requests (verification, catalog, notices): see
# skillcert/ops/dbrouter.py; everything else, and every write, uses the primary.
SKILLCERT_REPLICA_URL = env_str("SKILLCERT_REPLICA_URL")
if SKILLCERT_REPLICA_URL:
    DATABASES["replica"] = _database_from_url(SKILLCERT_REPLICA_URL)
    DATABASE_ROUTERS = ["skillcert.ops.dbrouter.PublicReadRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs: django-tasks with its database backend (the API Django 6 adopts), run by
# ``skillcert worker``; the queue lives in the database, so no other server is needed.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A worker beats every SKILLCERT_WORKER_BEAT_SECONDS; one silent for SKILLCERT_WORKER_STALE_SECONDS
# is taken for dead and its running job given to another worker.
SKILLCERT_WORKER_BEAT_SECONDS = env_int("SKILLCERT_WORKER_BEAT_SECONDS", 5, minimum=1)
SKILLCERT_WORKER_STALE_SECONDS = env_int("SKILLCERT_WORKER_STALE_SECONDS", 60, minimum=2)

# Several app servers share one Redis (e.g. redis://127.0.0.1:6379/0): the cache and the
# rate-limit counters (accounts/ratelimit.py) then hold for the installation, not per host.
SKILLCERT_REDIS_URL = env_str("SKILLCERT_REDIS_URL")
if SKILLCERT_REDIS_URL and SKILLCERT_REDIS_URL.split("://")[0] not in {"redis", "rediss", "unix"}:
    raise ConfigError(
        f"SKILLCERT_REDIS_URL={SKILLCERT_REDIS_URL!r}: expected redis://, rediss:// or unix://"
    )
if SKILLCERT_REDIS_URL:
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": SKILLCERT_REDIS_URL,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                # Redis down is a slower page (nothing cached), never an error page.
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {
            # Shared by the server's worker processes (rate limits must count across workers).
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# The password policy (domain.md §11; messages in Chinese): skillcert/accounts/validators.py.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "skillcert.accounts.validators.MinimumLengthValidator"},
    {"NAME": "skillcert.accounts.validators.CharacterKindsValidator"},
    {"NAME": "skillcert.accounts.validators.UsernameNotContainedValidator"},
    {"NAME": "skillcert.accounts.validators.PasswordHistoryValidator"},
]
# Officers' and administrators' passwords must be changed after this many days (platform clock).
SKILLCERT_PASSWORD_MAX_AGE_DAYS = env_int("SKILLCERT_PASSWORD_MAX_AGE_DAYS", 90, minimum=1)
# A page session ends after this many idle minutes (platform clock).
SKILLCERT_SESSION_IDLE_MINUTES = env_int("SKILLCERT_SESSION_IDLE_MINUTES", 30, minimum=1)
# Officers and administrators must enroll a TOTP device (django-otp) before anything else.
SKILLCERT_REQUIRE_TOTP = env_bool("SKILLCERT_REQUIRE_TOTP", False)

# The account lock (django-axes): 5 failures for one user name within 15 minutes lock that
# account for 15 minutes whatever the client address; counts in the database, or in the cache
# (Redis, shared by every app server) when SKILLCERT_REDIS_URL is set.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("SKILLCERT_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SKILLCERT_LOGIN_LOCK_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lock lasts 15 minutes, not longer
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # logins are in the audit record (login, logout)
AXES_HANDLER = (
    "axes.handlers.cache.AxesCacheHandler"
    if SKILLCERT_REDIS_URL
    else "axes.handlers.database.AxesDatabaseHandler"
)
AXES_LOCKOUT_CALLABLE = "skillcert.web.accounts.views.locked_response"
AXES_VERBOSE = False
# Never in axes' logs: the password, the TOTP code, the CSRF token.
AXES_SENSITIVE_PARAMETERS = ["otp", "csrfmiddlewaretoken", "password"]
# Locking by user name alone is the rule (domain.md §11); per-address limits are the rate
# limits (accounts/ratelimit.py), so axes' advice to add the address is not taken.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"


def _file_storage() -> dict[str, Any]:
    """Where uploads, seals, error reports and national exports are kept (``documents.files``):
    the file system at MEDIA_ROOT (one server, or a mount shared by several), or an
    S3-compatible store with SKILLCERT_STORAGE=s3 (needs the ``s3`` extra: django-storages)."""
    kind = env_str("SKILLCERT_STORAGE", "filesystem").lower()
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ConfigError(f"SKILLCERT_STORAGE={kind!r}: expected filesystem or s3")
    bucket = env_str("SKILLCERT_S3_BUCKET")
    if not bucket:
        raise ConfigError("SKILLCERT_STORAGE=s3 needs SKILLCERT_S3_BUCKET")
    options = {
        "bucket_name": bucket,
        "endpoint_url": env_str("SKILLCERT_S3_ENDPOINT_URL") or None,
        "access_key": env_str("SKILLCERT_S3_ACCESS_KEY") or None,
        "secret_key": env_str("SKILLCERT_S3_SECRET_KEY") or None,
        "region_name": env_str("SKILLCERT_S3_REGION") or None,
        "default_acl": "private",  # files are served only through permission-checked views
        "querystring_auth": True,
        "file_overwrite": False,  # names are unique; never replace another file silently
    }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {key: value for key, value in options.items() if value is not None},
    }


STORAGES = {
    "default": _file_storage(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

APPEND_SLASH = False  # the API answers with and without a trailing slash; never redirect a POST
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SKILLCERT_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind SKILLCERT_NUM_PROXIES trusted proxies (nginx, deploy/nginx) the proxy terminates TLS
# and sets X-Forwarded-Proto, overwriting what a client sent: requests are then secure when the
# proxy says so, so CSRF's origin check and absolute addresses use https. Without a proxy the
# header is ignored (a client could send it).
NUM_PROXIES = env_int("SKILLCERT_NUM_PROXIES", 0, minimum=0)
if NUM_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    AXES_IPWARE_PROXY_COUNT = NUM_PROXIES  # the address recorded with a failed login
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every answer (django-csp; docs/security.md, "G"): scripts, styles,
# images, fonts and requests from this site only, nothing inline, no plugins, no framing.
# Page data reaches scripts through data- attributes; tests/web/test_csp.py keeps templates clean.
# PDFs carry frame-ancestors 'none' only (Chrome's viewer is an <embed>: skillcert/ops/csp.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS only (SKILLCERT_SECURE_COOKIES): browsers are told to use HTTPS for a year (HSTS, sent
# on answers to HTTPS requests); SKILLCERT_HSTS_INCLUDE_SUBDOMAINS extends it to subdomains.
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SKILLCERT_HSTS_INCLUDE_SUBDOMAINS", False)
# Uploaded materials and photos larger than this are refused with 413.
SKILLCERT_MAX_UPLOAD_MB = env_int("SKILLCERT_MAX_UPLOAD_MB", 10, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Retention of personal data in days, on the platform clock (domain.md §11; what each kind
# is and when it is deleted: skillcert.supervision.retention, docs/security.md "H").
SKILLCERT_RETENTION_DAYS_FAILED_ROSTERS = env_int(
    "SKILLCERT_RETENTION_DAYS_FAILED_ROSTERS", 3 * 365, minimum=1
)
SKILLCERT_RETENTION_DAYS_FILING_MATERIALS = env_int(
    "SKILLCERT_RETENTION_DAYS_FILING_MATERIALS", 2 * 365, minimum=1
)
SKILLCERT_RETENTION_DAYS_PHOTOS = env_int("SKILLCERT_RETENTION_DAYS_PHOTOS", 365, minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        # A temporary password opens only the password change and /api/v1/me.
        "skillcert.api.permissions.PasswordChanged",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "skillcert.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "skillcert.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "auth": env_str("SKILLCERT_RATE_AUTH", "20/min"),
        "register": env_str("SKILLCERT_RATE_REGISTER", "10/hour"),
        "public": env_str("SKILLCERT_RATE_PUBLIC", "120/min"),
        "verify": env_str("SKILLCERT_RATE_VERIFY", "60/min"),
    },
    # Rate limits count per client address: REMOTE_ADDR, or behind N trusted proxies the
    # N-th address from the right of X-Forwarded-For. DRF's default (None) would trust the
    # header as the client sends it, letting anyone pick a fresh "address" per request.
    "NUM_PROXIES": NUM_PROXIES,
    "DATE_FORMAT": "%Y-%m-%d",
    "DATE_INPUT_FORMATS": ["%Y-%m-%d"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "安徽省职业技能等级认定服务平台 开发者接口",
    "DESCRIPTION": (
        "接口约定第 1 版：评价组织备案、认定批次、证书和监督检查"
        "（依据皖人社秘〔2020〕65号）。请求和应答均为 JSON（UTF-8），日期格式 YYYY-MM-DD；"
        "登录后以 Authorization: Bearer <token> 调用。电子证书是 JWS（紧凑序列化，"
        "alg EdDSA，Ed25519 密钥，头部带 kid），公钥集（含已停用的公钥）在 "
        "/.well-known/jwks.json，按 kid 选取公钥即可离线验证签名。"
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["skillcert.api.schema.contract_paths"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "skillcert.api.schema.without_backend_bounds",
    ],
    "ENUM_NAME_OVERRIDES": {
        "FilingKindEnum": "skillcert.registry.workflow.FilingKind.choices",
        "FilingStateEnum": "skillcert.registry.workflow.FilingState.choices",
        "BatchStateEnum": "skillcert.assessment.workflow.BatchState.choices",
        "CertificateStatusEnum": "skillcert.certificates.models.CertificateStatus.choices",
        "ChannelEnum": "skillcert.registry.models.Channel.choices",
        "CategoryEnum": "skillcert.registry.models.Category.choices",
        "StaffRoleEnum": "skillcert.assessment.models.StaffRole.choices",
        "RoleEnum": "skillcert.accounts.roles.Role.choices",
        "OrganizationStatusEnum": "skillcert.registry.models.OrganizationStatus.choices",
        "RevocationCategoryEnum": [
            "false_materials",
            "dishonesty",
            "vicious_competition",
            "disorderly_management",
            "other",
        ],
    },
    "APPEND_COMPONENTS": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    "SECURITY": [{"bearerAuth": []}],
}

# Annual reports (年度报告) of a year are due on this day (MM-DD) of the following year.
SKILLCERT_ANNUAL_REPORT_DUE = env_str("SKILLCERT_ANNUAL_REPORT_DUE", "03-31")

SKILLCERT_NATIONAL_SENDER = env_str(
    "SKILLCERT_NATIONAL_SENDER", "skillcert.certificates.national.FolderSender"
)
SKILLCERT_NATIONAL_OUTBOX = env_str("SKILLCERT_NATIONAL_OUTBOX")  # empty: under DATA_DIR

# Messages' e-mail copies and password-reset mails (skillcert/inbox): Django's SMTP backend as
# SKILLCERT_EMAIL_URL says (env.email_settings); unset, no e-mail is sent, messages stay in the
# inbox. SMS copies go through SKILLCERT_SMS_SENDER (default: one file each under outbox/).
_EMAIL = email_settings(env_str("SKILLCERT_EMAIL_URL"))
EMAIL_COPIES_ENABLED = bool(_EMAIL.pop("EMAIL_COPIES_ENABLED"))
EMAIL_BACKEND = str(_EMAIL.pop("EMAIL_BACKEND"))
globals().update(_EMAIL)  # EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, … (Django's names)
DEFAULT_FROM_EMAIL = env_str("SKILLCERT_EMAIL_FROM", "skillcert@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SKILLCERT_SMS_SENDER = env_str("SKILLCERT_SMS_SENDER", "skillcert.inbox.sms.FolderSender")
PASSWORD_RESET_TIMEOUT = 3600  # a reset link by e-mail works for one hour, once


def _networks(name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(part, strict=False) for part in env_list(name, []))
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc} (expected addresses or CIDRs, comma-separated)") from exc


# Who may read /metrics (skillcert/ops/metrics.py): the Bearer token, or a client address in
# these networks; with neither set, loopback only.
SKILLCERT_METRICS_TOKEN = env_str("SKILLCERT_METRICS_TOKEN")
SKILLCERT_METRICS_ALLOW = _networks("SKILLCERT_METRICS_ALLOW")

# Bearer tokens (django-rest-knox: only a hash is stored) stay valid this long after issue.
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_TTL": timedelta(hours=env_int("SKILLCERT_TOKEN_TTL_HOURS", 12, minimum=1)),
    "AUTO_REFRESH": False,
}

# Log lines carry the request's id; as JSON (one object a line, for a collector) in production
# or with SKILLCERT_LOG_FORMAT=json, as text otherwise.
LOG_FORMAT = env_str("SKILLCERT_LOG_FORMAT") or ("json" if ENVIRONMENT == "production" else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ConfigError(f"SKILLCERT_LOG_FORMAT={LOG_FORMAT!r}: expected json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "skillcert.ops.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "skillcert.ops.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("SKILLCERT_LOG_LEVEL", "INFO")},
}
