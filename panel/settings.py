"""Settings for the panel, read from the environment.

Every secret can also come from a file: `NAME_FILE=/run/secrets/name` (Docker secrets).
With PANEL_DEBUG off, a missing PANEL_SECRET_KEY or PANEL_ENCRYPTION_KEYS stops the start-up
with a plain message instead of falling back to a default.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import sys
import tempfile
import uuid
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """NAME from the environment, or the contents of the file that NAME_FILE points at."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            raise ImproperlyConfigured(
                f"{name}_FILE points at {path}, which cannot be read ({reason}). "
                f"Fix the path or the file's permissions, or set {name} instead."
            ) from None
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = env(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a yes/no value (1/0, true/false), not {value!r}.")


def envint(name: str, default: int) -> int:
    value = env(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def private_sqlite_file(path: Path) -> None:
    """Create the SQLite database's folder (0700) and file (0600) readable by their owner
    only, before SQLite would create the file with the umask's 0644: it holds sessions and
    password hashes. An existing folder or file is tightened when it is ours to change.
    SQLite gives its -wal and -shm files the database file's mode."""
    if str(path) in ("", ":memory:") or str(path).startswith("file:"):
        return
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        os.close(fd)
    for item, mode in ((folder, 0o700), (path, 0o600)):
        try:
            if item.stat().st_uid == os.getuid() and item.stat().st_mode & 0o777 != mode:
                item.chmod(mode)
        except OSError:  # not ours (a mounted volume): leave it to its owner
            pass


# Under pytest (or `manage.py test`) PANEL_DEBUG defaults to on, so the suite runs without an
# environment; Django's test runner still runs the tests themselves with DEBUG = False.
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]
DEBUG = envbool("PANEL_DEBUG", TESTING)
# `make demo` (scripts/demo.py): the product's own error pages (DEBUG off), with the
# conveniences of a machine of one's own: plain HTTP, static files served without
# collectstatic, e-mails printed on the console.
DEMO = envbool("PANEL_DEMO", False)

SECRET_KEY = env("PANEL_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "PANEL_SECRET_KEY is not set. Set it to a long random string, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`, "
            "or set PANEL_DEBUG=1 for local development."
        )
    SECRET_KEY = "dev-only-secret-key-used-because-PANEL_DEBUG-is-on-never-in-production"  # noqa: S105


DEV_KEY_WARNING = """
************************************************************************************
  WARNING: PANEL_ENCRYPTION_KEYS is not set, so a DEVELOPMENT encryption key derived
  from the secret key encrypts the stored Terrahost passwords and tokens. Fine for
  local development only: set PANEL_ENCRYPTION_KEYS before storing real credentials.
************************************************************************************
"""


def encryption_keys(keys: list[str], *, debug: bool, secret_key: str, warn=None) -> list[str]:
    """PANEL_ENCRYPTION_KEYS checked; in debug mode without keys, a development key (and
    one loud warning through `warn`, default: standard error)."""
    if not keys:
        if not debug:
            raise ImproperlyConfigured(
                "PANEL_ENCRYPTION_KEYS is not set. It encrypts stored Terrahost passwords and "
                "tokens: set it to one or more comma-separated Fernet keys (the first encrypts, "
                "all decrypt). Make one with `python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`, or set PANEL_DEBUG=1 for local "
                "development."
            )
        (warn or _stderr)(DEV_KEY_WARNING)
        digest = hashlib.sha256(b"panel-dev-encryption-key:" + secret_key.encode()).digest()
        return [base64.urlsafe_b64encode(digest).decode()]
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"PANEL_ENCRYPTION_KEYS: key number {position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from None
    return keys


def _stderr(text: str) -> None:
    # Once per run, not once per process: the autoreloader's child, Celery's and
    # gunicorn's workers inherit the environment.
    if os.environ.get("PANEL_DEV_KEY_WARNED") != "1":
        os.environ["PANEL_DEV_KEY_WARNED"] = "1"
        sys.stderr.write(text)
        sys.stderr.flush()


PANEL_ENCRYPTION_KEYS = encryption_keys(
    envlist("PANEL_ENCRYPTION_KEYS"),
    debug=DEBUG,
    secret_key=SECRET_KEY,
    # The test suite runs in debug mode without keys on purpose: no warning there.
    warn=(lambda text: None) if TESTING else None,
)


def api_peppers(peppers: list[str], *, debug: bool, secret_key: str) -> list[str]:
    """PANEL_API_PEPPER checked: the keys of the API tokens' HMAC (panel.tokens). The first
    hashes new tokens, every one verifies; in debug mode without one, a development pepper
    derived from the secret key."""
    if not peppers:
        if not debug:
            raise ImproperlyConfigured(
                "PANEL_API_PEPPER is not set. It is the server-side key of the API tokens' "
                "hashes: set it to a long random string, e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`, "
                "or set PANEL_DEBUG=1 for local development."
            )
        return [hashlib.sha256(b"panel-dev-api-pepper:" + secret_key.encode()).hexdigest()]
    for position, pepper in enumerate(peppers, start=1):
        if len(pepper) < 32:
            raise ImproperlyConfigured(
                f"PANEL_API_PEPPER: pepper number {position} is too short (at least 32 "
                "characters; make one with `python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'`)."
            )
    return peppers


# Comma-separated, like PANEL_ENCRYPTION_KEYS: a new pepper goes first, the old one stays
# after it while tokens hashed with it are in use (each moves to the first on its next use).
PANEL_API_PEPPERS = api_peppers(envlist("PANEL_API_PEPPER"), debug=DEBUG, secret_key=SECRET_KEY)

ALLOWED_HOSTS = envlist("PANEL_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("PANEL_CSRF_TRUSTED_ORIGINS")

DATA_DIR = Path(env("PANEL_DATA_DIR") or BASE_DIR / "data")

# --- Applications -------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "panel.core",
    "panel.accounts",
    "panel.connections",
    "panel.servers",
    "panel.grants",
    "panel.teams",
    "panel.audit",
    "panel.graphs",
    "panel.billing",
    "panel.operations",
    "panel.reinstall",
    "panel.isos",
    "panel.orders",
    "panel.snapshots",
    "panel.branding",
    "panel.users",
    "panel.customers",
    "panel.webhooks",
    "panel.tokens",
    "panel.api",
    # The top floor: home, status, error pages, context processor, management commands.
    "panel.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # The API is token-only: a session cookie sent along is ignored there (no CSRF surface).
    "panel.api.middleware.TokenOnlyMiddleware",
    # An admin viewing the panel as someone else: that someone is the user, read-only.
    "panel.users.viewing.ViewAsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "panel.core.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "panel.core.middleware.HtmxLoginRedirectMiddleware",
    # A suspended customer's people get one page, whatever they ask for.
    "panel.customers.middleware.SuspendedCustomerMiddleware",
    # When admins require two-factor login, users without it set it up first.
    "panel.accounts.middleware.TwoFactorRequiredMiddleware",
    # Innermost: hides the provider's name from white-labelled users in every text answer.
    "panel.branding.middleware.WhiteLabelMiddleware",
]

ROOT_URLCONF = "panel.urls"
WSGI_APPLICATION = "panel.wsgi.application"

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
                "panel.site.context_processors.panel",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------

DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=envint("PANEL_DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "panel.sqlite3",
        }
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if not TESTING:
        private_sqlite_file(Path(DATABASES["default"]["NAME"]))
    # WAL lets readers (web) and the writer (a mirror refresh in a worker) run side by side.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if TESTING:
        # A file, not :memory:, so that threads in transactional tests share one database.
        DATABASES["default"]["TEST"] = {
            "NAME": str(Path(tempfile.gettempdir()) / f"panel-test-{os.getpid()}.sqlite3")
        }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (Redis): mirror locks, detail cache ------------------------------------------

REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
# Redis answers within a millisecond or two; one that takes longer than this is stuck
# (stopped, swapping, cut off), and the panel goes on without it: pages read the database
# and the API, actions are refused in plain words. Used for the cache, the locks and the
# Celery broker.
REDIS_TIMEOUT = envint("PANEL_REDIS_TIMEOUT_MS", 500) / 1000
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("PANEL_CACHE_PREFIX", "panel"),
        "OPTIONS": {
            "socket_connect_timeout": REDIS_TIMEOUT,
            "socket_timeout": REDIS_TIMEOUT,
            # After one timeout, cache and lock calls fail at once for this many seconds
            # instead of each waiting REDIS_TIMEOUT again (panel.core.breaker).
            "pool_class": "panel.core.breaker.ConnectionPool",
            "breaker_pause": envint("PANEL_REDIS_PAUSE", 5),
        },
    }
}
if TESTING:
    # A prefix of its own per test run: the suite never touches the demo's keys.
    CACHES["default"]["KEY_PREFIX"] = f"panel-test-{uuid.uuid4().hex[:12]}"

# --- Auth -----------------------------------------------------------------------------------

# Sessions live in the database, never only in the cache: logging in and staying logged in
# must not depend on Redis answering.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "servers:list"
LOGOUT_REDIRECT_URL = "accounts:login"
# How long a password reset link (panel.users) works, in seconds; it works once.
PASSWORD_RESET_TIMEOUT = envint("PANEL_PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Login throttling (panel.accounts.throttle, in the database): failed attempts allowed
# within the window per username and client address, and per username from all addresses
# together; the latter does not hold back a browser or an address that logged in as that
# username within the last PANEL_LOGIN_TRUSTED_DAYS.
PANEL_LOGIN_MAX_FAILURES = envint("PANEL_LOGIN_MAX_FAILURES", 5)
PANEL_LOGIN_MAX_FAILURES_PER_USERNAME = envint("PANEL_LOGIN_MAX_FAILURES_PER_USERNAME", 20)
PANEL_LOGIN_WINDOW = envint("PANEL_LOGIN_WINDOW", 15 * 60)
PANEL_LOGIN_TRUSTED_DAYS = envint("PANEL_LOGIN_TRUSTED_DAYS", 180)
# Sudo mode (panel.accounts.sudo): after the password or a code is given again (or a
# login), the most sensitive actions go ahead without asking for this many minutes.
PANEL_SUDO_MINUTES = envint("PANEL_SUDO_MINUTES", 15)
# How long the link in an invitation to a team works (panel.teams.invitations).
PANEL_INVITATION_DAYS = envint("PANEL_INVITATION_DAYS", 7)
# Where the panel is reached: links in e-mails are built on it (or on the primary host name
# of the recipient's brand), never on the Host header of the request that sent them.
PANEL_BASE_URL = env("PANEL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Security (secure by default when debug is off) -----------------------------------------

HTTPS = envbool("PANEL_HTTPS", not (DEBUG or DEMO))
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = envbool("PANEL_SSL_REDIRECT", HTTPS)
# Load balancers and the container healthcheck probe /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("PANEL_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("PANEL_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = envbool("PANEL_HSTS_PRELOAD", HTTPS)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a reverse proxy: trust its X-Forwarded-Proto and -Host, and take the client's
# address from the last hop of X-Forwarded-For (login throttling).
PANEL_BEHIND_PROXY = envbool("PANEL_BEHIND_PROXY", False)
if PANEL_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# --- Branding: the default brand (panel.branding); admins add brands bound to host names -----

PANEL_BRAND_NAME = env("PANEL_BRAND_NAME", "Server panel")
PANEL_BRAND_LOGO_URL = env("PANEL_BRAND_LOGO_URL")
PANEL_BRAND_FAVICON_URL = env("PANEL_BRAND_FAVICON_URL")
PANEL_BRAND_PRIMARY_COLOR = env("PANEL_BRAND_PRIMARY_COLOR", "#2563eb")
PANEL_BRAND_SUPPORT_EMAIL = env("PANEL_BRAND_SUPPORT_EMAIL")
PANEL_BRAND_SUPPORT_URL = env("PANEL_BRAND_SUPPORT_URL")
PANEL_BRAND_FOOTER = env("PANEL_BRAND_FOOTER")
# Off: users without billing.view never see the provider's name or host names.
PANEL_BRAND_SHOW_PROVIDER = envbool("PANEL_BRAND_SHOW_PROVIDER", False)

# --- Content Security Policy (django-csp 4): no inline script or style, ever ----------------

# Uploaded logos and favicons are served by the panel itself ('self').
_img_src = [SELF, "data:"]
for _url in (PANEL_BRAND_LOGO_URL, PANEL_BRAND_FAVICON_URL):
    if urlsplit(_url).scheme in ("http", "https"):
        _img_src.append(f"{urlsplit(_url).scheme}://{urlsplit(_url).netloc}")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": _img_src,
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Static files (WhiteNoise; nothing from a CDN) ------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("PANEL_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or DEMO
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# WhiteNoise serves the apps' and static/'s files straight from where they are.
WHITENOISE_USE_FINDERS = DEBUG or DEMO
if WHITENOISE_USE_FINDERS:
    # ...so an empty STATIC_ROOT (no collectstatic) is expected, not worth a warning.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

# --- Internationalisation -------------------------------------------------------------------

LANGUAGE_CODE = "en"
# English and Norwegian Bokmål: picked from the browser (Accept-Language), switchable by the
# user (Django's set_language view, kept in a cookie). Catalogues live in locale/.
LANGUAGES = [("en", "English"), ("nb", "Norsk bokmål")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date and time format per language: panel/formats/<language>/formats.py.
FORMAT_MODULE_PATH = ["panel.formats"]
TIME_ZONE = env("PANEL_TIME_ZONE", "Europe/Oslo")
USE_I18N = True
USE_TZ = True

# --- Terrahost and the server mirror --------------------------------------------------------

TERRAHOST_API_URL = env("TERRAHOST_API_URL", "https://api.terrahost.no/api/v3")
TERRAHOST_TIMEOUT = (5.0, 30.0)
# GET /servers at most once per this many seconds per connection.
PANEL_MIRROR_TTL = envint("PANEL_MIRROR_TTL", 30)
# A server absent from GET /servers this long is removed from the mirror.
PANEL_MIRROR_PURGE_AFTER = envint("PANEL_MIRROR_PURGE_AFTER", 24 * 3600)
# How long a refresh may hold its lock, and how long other requests wait for it.
PANEL_MIRROR_LOCK_TIMEOUT = envint("PANEL_MIRROR_LOCK_TIMEOUT", 120)
PANEL_MIRROR_WAIT = envint("PANEL_MIRROR_WAIT", 15)
# GET /servers/{id} answers are cached this many seconds (redacted).
PANEL_DETAIL_TTL = envint("PANEL_DETAIL_TTL", 15)
PANEL_SERVERS_PER_PAGE = envint("PANEL_SERVERS_PER_PAGE", 50)
# Terrahost's API gives amounts without a currency; its prices and invoices are in NOK.
PANEL_CURRENCY = env("PANEL_CURRENCY", "NOK")

# --- Server actions -------------------------------------------------------------------------

# Seconds after a power action before the next one on the same server is accepted.
PANEL_POWER_COOLDOWN = envint("PANEL_POWER_COOLDOWN", 10)
# Bandwidth and packet graphs are cached this many seconds per server, type and period.
PANEL_GRAPH_TTL = envint("PANEL_GRAPH_TTL", 300)
# Audit entries older than this many days are removed by beat.
PANEL_AUDIT_RETENTION_DAYS = envint("PANEL_AUDIT_RETENTION_DAYS", 365)

# --- Webhooks -------------------------------------------------------------------------------

# On: webhooks may go to loopback, private and link-local addresses (a demo, a receiver on
# the same network). Off, such an address is refused, however the host name resolves.
PANEL_WEBHOOK_ALLOW_PRIVATE = envbool("PANEL_WEBHOOK_ALLOW_PRIVATE", False)
# --- The panel's own API (panel.api) and its tokens (panel.tokens) -----------------------------


# Requests per token: all of them, and those that change something (POST, PATCH, DELETE).
# "N/s", "N/min", "N/hour" or "N/day"; over it, 429 with Retry-After.
def api_rate(name: str, value: str) -> str:
    value = value.strip().lower()
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|min|minute|hour|day)", value):
        raise ImproperlyConfigured(
            f"{name} must be a number of requests per s, min, hour or day, e.g. 600/min, "
            f"not {value!r}."
        )
    return value


PANEL_API_RATE = api_rate("PANEL_API_RATE", env("PANEL_API_RATE", "600/min"))
PANEL_API_WRITE_RATE = api_rate("PANEL_API_WRITE_RATE", env("PANEL_API_WRITE_RATE", "120/min"))

REST_FRAMEWORK = {
    # Token-only: no session, so no cookie and no CSRF surface.
    "DEFAULT_AUTHENTICATION_CLASSES": ["panel.api.authentication.BearerToken"],
    "DEFAULT_PERMISSION_CLASSES": ["panel.api.permissions.TokenScopes"],
    "DEFAULT_THROTTLE_CLASSES": [
        "panel.api.throttling.TokenRate",
        "panel.api.throttling.TokenWriteRate",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "panel.api.pagination.Pages",
    "DEFAULT_METADATA_CLASS": None,  # no OPTIONS answers: one less thing to document
    "EXCEPTION_HANDLER": "panel.api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Server panel API",
    "DESCRIPTION": (
        "The panel's own REST API. Authenticate with a token from the panel's *API tokens* "
        "page: `Authorization: Bearer pnl_...`. Errors are RFC 9457 problem details "
        "(`application/problem+json`). Every POST, PATCH and DELETE takes an optional "
        "`Idempotency-Key` header: the same key with the same request gives the same answer "
        "without doing it twice; the same key with another request is refused (422)."
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PUBLIC": True,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    # A PATCH takes the same fields as written (its "name" is required), not all optional.
    "COMPONENT_SPLIT_PATCH": False,
    # One name for the permission keys, wherever a field takes them.
    "ENUM_NAME_OVERRIDES": {"PermissionKeyEnum": "panel.api.customers.PERMISSION_KEYS"},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No validator badge (an outside image) and no token kept in the browser's storage.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "persistAuthorization": False},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "panel.api.schema.problems_and_keys",
    ],
}

# --- Celery ---------------------------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_IGNORE_RESULT = True
# Two panels sharing one Redis keep their jobs apart by naming their own queue.
CELERY_TASK_DEFAULT_QUEUE = env("PANEL_CELERY_QUEUE", "celery")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# A broker that does not answer makes queueing a task fail within REDIS_TIMEOUT, and the
# page says so (an operation's row is then removed again), instead of the page hanging:
# short socket timeouts, no reconnection attempts when publishing (max_retries 0: kombu
# would otherwise retry connecting for seconds), and no publish retry. A worker's own
# connection keeps retrying (broker_connection_max_retries), and a follow-up task that
# could not be queued is picked up again by the sweep (panel.operations.tasks).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_TIMEOUT,
    "socket_timeout": REDIS_TIMEOUT,
    "max_retries": 0,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
CELERY_TASK_PUBLISH_RETRY = False

# --- E-mail (an operation's end is mailed to whoever started it) ---------------------------

EMAIL_BACKEND = env(
    "PANEL_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG or DEMO
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("PANEL_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("PANEL_EMAIL_PORT", 25)
EMAIL_HOST_USER = env("PANEL_EMAIL_USER")
EMAIL_HOST_PASSWORD = env("PANEL_EMAIL_PASSWORD")
EMAIL_USE_TLS = envbool("PANEL_EMAIL_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("PANEL_EMAIL_FROM", "panel@localhost")
# For PANEL_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (the browser tests).
EMAIL_FILE_PATH = env("PANEL_EMAIL_FILE_PATH")

# --- Logging --------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "filters": {
        # A 403 (or another refused request) is one line, not a traceback.
        "one_line_client_errors": {"()": "panel.core.log.OneLineClientErrors"},
        "hide_secrets": {"()": "panel.site.accesslog.HideSecrets"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["one_line_client_errors"],
        },
        # Django's own handler of runserver's request lines, without the links' secrets.
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["hide_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env("PANEL_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

# Retries of reads inside one page view stay short; the periodic refresh tries again later.
PANEL_API_MAX_RETRIES = envint("PANEL_API_MAX_RETRIES", 2)
PANEL_API_RETRY_DEADLINE = envint("PANEL_API_RETRY_DEADLINE", 8)
PANEL_API_BACKOFF = 0.5
