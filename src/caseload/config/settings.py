"""Caseload settings: one module, every value read from the environment.

Names: CASELOAD_DEBUG, SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS,
CASELOAD_TIME_ZONE, SESSION_IDLE_MINUTES, REDIS_URL, CASELOAD_SECURE (HTTPS-only cookies and HSTS),
CASELOAD_DATA_DIR, LOG_LEVEL, LOG_FORMAT, CASELOAD_AUDIT_KEY (+ _KEY_ID, _RETIRED_KEYS,
_CHECKPOINT_FILE: the audit chain's key); README's configuration table lists them all.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent.parent


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = _env_bool("CASELOAD_DEBUG", False)

_DEV_SECRET = "dev-only-insecure-secret-key-change-me"  # noqa: S105 - refused below outside DEBUG
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 32 characters when "
        "CASELOAD_DEBUG is off. Generate one with: "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )


def _audit_keys() -> tuple[str, dict[str, str]]:
    """The audit chain's signing key id and every key verify may need (id -> key).

    CASELOAD_AUDIT_KEY signs new events (HMAC-SHA256); it lives outside the database, so someone
    who can write to the database cannot recompute the chain after editing it. Its id
    (CASELOAD_AUDIT_KEY_ID, by default derived from the key) is stored with each event.
    CASELOAD_AUDIT_RETIRED_KEYS ("id:key,id:key") keeps earlier keys so that events signed with
    them still verify after a rotation. In debug a key is derived from SECRET_KEY.
    """
    key = os.environ.get("CASELOAD_AUDIT_KEY", "")
    if not key and DEBUG:
        key = hashlib.sha256(f"caseload-audit-key:{SECRET_KEY}".encode()).hexdigest()
    if len(key) < 32:
        raise ImproperlyConfigured(
            "CASELOAD_AUDIT_KEY must be set to a random value of at least 32 characters when "
            "CASELOAD_DEBUG is off; keep it outside the database and its backups. Generate one "
            "with: caseload audit rotate-key (or python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))')"
        )
    key_id = os.environ.get("CASELOAD_AUDIT_KEY_ID", "") or (
        "k-" + hashlib.sha256(key.encode()).hexdigest()[:10]
    )
    keys = {}
    for item in _env_list("CASELOAD_AUDIT_RETIRED_KEYS", ""):
        retired_id, _, retired_key = item.partition(":")
        if not retired_id or not retired_key:
            raise ImproperlyConfigured("CASELOAD_AUDIT_RETIRED_KEYS is a list of id:key pairs.")
        keys[retired_id.strip()] = retired_key.strip()
    keys[key_id] = key
    if "sha256-legacy" in keys or any(len(name) > 40 for name in keys):
        raise ImproperlyConfigured(
            "Audit key ids are at most 40 characters and 'sha256-legacy' is reserved."
        )
    return key_id, keys


AUDIT_HMAC_KEY_ID, AUDIT_HMAC_KEYS = _audit_keys()
# Where `caseload audit checkpoint` appends the signed head of the chain (keep it off this host).
AUDIT_CHECKPOINT_FILE = os.environ.get("CASELOAD_AUDIT_CHECKPOINT_FILE", "")

ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_q",  # background jobs and the scheduler (caseload.core.jobs); before access (admin)
    "caseload.core",
    "caseload.audit",
    "caseload.access",
    "caseload.staff",
    "caseload.exports",
    "caseload.clients",
    "caseload.enrolments",
    "caseload.careplans",
    "caseload.notes",
    "caseload.tasks",
    "caseload.worklist",
    "caseload.chart",
    "caseload.demo",
    "caseload.assessments",
    "caseload.coordination",  # migrations only: its models moved to the four apps below and core
    "caseload.directory",
    "caseload.referrals",
    "caseload.appointments",
    "caseload.transitions",
    "caseload.consents",
    "caseload.programrules",
    "caseload.team",
    "caseload.reports",
    "caseload.workforce",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "caseload.core.middleware.StaticFilesMiddleware",  # WhiteNoise, and files collected since
    "caseload.core.middleware.RequestContextMiddleware",
    "caseload.core.middleware.ApiProblemMiddleware",
    "caseload.core.middleware.RequestSizeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "caseload.core.middleware.LoginRequiredMiddleware",
    "caseload.core.middleware.AppErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "caseload.core.middleware.SessionLifetimeMiddleware",
    "caseload.staff.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "caseload.core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "caseload.config.urls"
WSGI_APPLICATION = "caseload.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "caseload.core.context_processors.caseload",
                "caseload.access.context_processors.navigation",
            ],
            "builtins": ["caseload.core.templatetags.caseload_tags"],
        },
    }
]
# Every form field is drawn by core/forms/field.html, with its hint and errors wired up.
FORM_RENDERER = "caseload.core.forms.CaseloadFormRenderer"


def _data_dir() -> tuple[Path, str]:
    """Where Caseload keeps its files (the default SQLite database, collected static files),
    and what chose it.

    CASELOAD_DATA_DIR when set; in a source checkout (src/caseload beside pyproject.toml) the
    checkout's var/, as `make run` and `make test` use; installed as a package, var/ in the
    current directory, which `caseload check --deploy` warns about (caseload.W001).
    """
    configured = os.environ.get("CASELOAD_DATA_DIR", "").strip()
    if configured:
        return Path(configured).expanduser().resolve(), "CASELOAD_DATA_DIR"
    if BASE_DIR.parent.name == "src" and (PROJECT_DIR / "pyproject.toml").is_file():
        return PROJECT_DIR / "var", "source checkout"
    return Path.cwd().resolve() / "var", "current directory"


DATA_DIR, DATA_DIR_ORIGIN = _data_dir()

_default_db = f"sqlite:///{DATA_DIR / 'caseload.sqlite3'}"
if "DATABASE_URL" not in os.environ:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_db),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer fails a request (and /healthz: 503) within this many
    # seconds instead of holding the worker.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(
        os.environ.get("DATABASE_CONNECT_TIMEOUT", "5")
    )
    # Caseload's queries are short OLTP queries; PostgreSQL's JIT spends 100-150 ms compiling
    # the worklist's correlated subqueries and gains nothing (docs/benchmarks.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# Reports may read from a replica (caseload.reports.routers): DATABASE_REPLICA_URL names it.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    REPORT_DATABASE = "replica"
DATABASE_ROUTERS = ["caseload.reports.routers.ReportReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_redis_url = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {
            # A read is a miss and a write is dropped while Redis does not answer (logged):
            # nothing cached is needed to serve a page (caseload/core/cache.py).
            "BACKEND": "caseload.core.cache.DegradingRedisCache",
            "LOCATION": _redis_url,
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
                "socket_timeout": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
            },
        }
        if _redis_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-in while locked out
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # by role: caseload, team view or month report
LOGOUT_REDIRECT_URL = "login"

# Sessions: idle timeout and no session outlives the browser. The idle timeout is enforced by
# core.middleware.SessionLifetimeMiddleware from the session's "last seen" time, which it renews
# at most once a minute (so a page view is not a session write); the stored session's own expiry
# is renewed with it and is never shorter than the idle limit.
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie

# Absolute session lifetime, whatever the activity.
SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12"))

# Lockout (django-axes): after AXES_FAILURE_LIMIT failures, per account and per address alike.
AXES_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("SIGN_IN_LOCKOUT_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
# Behind a reverse proxy, set AXES_IPWARE_PROXY_COUNT / META precedence so the client address
# (not the proxy's) is counted.
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Two-factor sign-in (TOTP): required for these roles, available to everyone.
TWO_FACTOR_REQUIRED_FOR = _env_list("CASELOAD_2FA_REQUIRED_FOR", "director,administrator")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Caseload")

SECURE = _env_bool("CASELOAD_SECURE", not DEBUG)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = _env_bool("CASELOAD_SSL_REDIRECT", SECURE)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = _env_bool("CASELOAD_HSTS_PRELOAD", SECURE)  # HTTPS-only for good
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("CASELOAD_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"  # caseload collectstatic writes here; WhiteNoise serves it
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Request bodies (docs/security.md, V5). Whole bodies above CASELOAD_MAX_REQUEST_BYTES are
# refused with 413 before they are read (the reverse proxy should cap them too); form fields
# take at most 2.5 MB together (a field holds at most 20,000 characters: core/validators.py),
# files at most the body, and a form at most 1,000 fields and 5 files.
MAX_REQUEST_BYTES = int(os.environ.get("CASELOAD_MAX_REQUEST_BYTES", str(5 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)

# Logs go to standard error, as text or (LOG_FORMAT=json) one JSON object per line; every
# record carries the request id, and a 500 its traceback (caseload/core/logs.py).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain").strip().lower()
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "caseload.core.logs.RequestFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "caseload.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
AUTH_USER_MODEL = "staff.User"
INSTALLED_APPS.insert(0, "caseload.config.admin.CaseloadAdminConfig")  # Django's admin app

# The admin never shows a two-factor device's secret (it would let an administrator sign in as
# its owner).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Break the glass: how long emergency access to an out-of-scope client lasts.
BREAK_GLASS_MINUTES = int(os.environ.get("BREAK_GLASS_MINUTES", "240"))

# Plausible dates (core/dates.py): appointments, due, review, target and expiry dates lie within
# this many years of today, and contact times and other things that happened at most this many
# years back (and not in the future).
DATE_WINDOW_YEARS = int(os.environ.get("CASELOAD_DATE_WINDOW_YEARS", "5"))

# Bulk reassignment: the new care manager's introductory call is due this many business days on.
INTRO_CALL_BUSINESS_DAYS = int(os.environ.get("CASELOAD_INTRO_CALL_BUSINESS_DAYS", "3"))
# Batches of more than this many enrolments run as a background job with progress.
REASSIGN_INLINE_LIMIT = int(os.environ.get("CASELOAD_REASSIGN_INLINE_LIMIT", "200"))

# Instrument definitions an organisation adds (licensed instruments such as Zarit): a folder of
# JSON files in the same format as caseload/assessments/instruments/ (see docs/instruments.md).
CASELOAD_INSTRUMENTS_DIR = os.environ.get("CASELOAD_INSTRUMENTS_DIR", "")

# Background jobs (caseload.core.jobs) on django-q2 with its ORM broker: the queue and the
# schedules are tables of this database, so `caseload qcluster` (the worker and scheduler) needs
# nothing else. Caseload retries failed jobs itself (with growing delays), so the broker
# acknowledges a failure rather than presenting it again; a job whose worker died (killed, or
# past `timeout`) is presented again after `retry` seconds, at most `max_attempts` times.
Q_CLUSTER = {
    "name": "caseload",
    "orm": "default",
    "workers": int(os.environ.get("CASELOAD_JOB_WORKERS", "2")),
    "timeout": int(os.environ.get("CASELOAD_JOB_TIMEOUT", "1800")),
    "retry": int(os.environ.get("CASELOAD_JOB_TIMEOUT", "1800")) + 60,
    "max_attempts": 3,
    "ack_failures": True,
    "catch_up": False,  # a cluster that was down runs a periodic job once, not once per miss
    "poll": 1,
    "save_limit": 1000,
    "label": "Background jobs",
    "cache": "default",
}

# Business days (caseload.core.business_days): the public holidays of this country and state
# (ISO 3166 codes, as the `holidays` library names them: "US", "US"+"MA", "GB"+"SCT"), plus the
# organisation's own closure days kept in /admin/ (Holidays). An empty country: the admin's
# list alone.
CASELOAD_HOLIDAYS_COUNTRY = os.environ.get("CASELOAD_HOLIDAYS_COUNTRY", "US").strip().upper()
CASELOAD_HOLIDAYS_SUBDIV = os.environ.get("CASELOAD_HOLIDAYS_SUBDIV", "").strip().upper()

# JSON fixtures and `caseload backup` keep times to the microsecond (Django's encoder keeps
# milliseconds).
SERIALIZATION_MODULES = {"json": "caseload.core.serializers"}
# An organisation's own credential rule files (docs/credentials.md).
CASELOAD_CREDENTIALS_DIR = os.environ.get("CASELOAD_CREDENTIALS_DIR", "")
# Uploaded files (CE certificates) go through Django's storage API: the file system here, an
# S3-compatible store in production by setting STORAGES["default"].
MEDIA_ROOT = os.environ.get("CASELOAD_MEDIA_ROOT", str(DATA_DIR / "media"))
# Exports written by background jobs (caseload.exports) are deleted this many hours after
# they were written (the periodic "expired exports" job, hourly).
CASELOAD_EXPORT_TTL_HOURS = int(os.environ.get("CASELOAD_EXPORT_TTL_HOURS", "24"))
# The public career advisor (/career/): requests per address per window (Django's cache: use a
# shared cache such as Redis when several worker processes serve the site).
CASELOAD_CAREER_RATE_LIMIT = int(os.environ.get("CASELOAD_CAREER_RATE_LIMIT", "30"))
CASELOAD_CAREER_RATE_WINDOW = int(os.environ.get("CASELOAD_CAREER_RATE_WINDOW", "600"))
# "Ask the advisor" (off by default): an OpenAI-compatible endpoint, e.g. a model server the
# organisation runs itself (docs/credentials.md). Only profile facts and rule results are sent.
CASELOAD_ADVISOR_LLM_URL = os.environ.get("CASELOAD_ADVISOR_LLM_URL", "")
CASELOAD_ADVISOR_LLM_MODEL = os.environ.get("CASELOAD_ADVISOR_LLM_MODEL", "")
CASELOAD_ADVISOR_LLM_API_KEY = os.environ.get("CASELOAD_ADVISOR_LLM_API_KEY", "")
CASELOAD_ADVISOR_LLM_TIMEOUT = float(os.environ.get("CASELOAD_ADVISOR_LLM_TIMEOUT", "30"))
CASELOAD_CE_CERTIFICATE_MAX_BYTES = int(
    os.environ.get("CASELOAD_CE_CERTIFICATE_MAX_BYTES", str(5 * 1024 * 1024))
)
