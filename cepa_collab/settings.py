"""CEPA Collab settings: environment variables only, safe defaults for development.

Every variable is listed in the README's configuration table.
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cepa_collab.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for development)."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in {"http", "https"} or not _site.hostname:
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} must be an absolute http(s) URL.")
SITE_HOST = _site.hostname

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", SITE_HOST] if DEBUG else [SITE_HOST]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [f"{_site.scheme}://{_site.netloc}"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "cepa_collab",
    "workflows",
    "meetings",
    "notifications",
    "advisory",
    "contributions",
    "discussions",
    "knowledge",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages (HTML, CSV exports) gzip-compressed for clients that accept it; never calendar feeds
    # nor the API (cepa_collab.compression). Static files are precompressed by WhiteNoise, above.
    "cepa_collab.compression.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A session that owes its second factor reaches only the sign-in steps.
    "cepa_collab.middleware.SecondFactorMiddleware",
    # Dates and times on pages are in the viewer's zone.
    "cepa_collab.middleware.ViewerTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Axes must come last: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cepa_collab.urls"
WSGI_APPLICATION = "cepa_collab.wsgi.application"
ASGI_APPLICATION = "cepa_collab.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cepa_collab.context_processors.shell",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# Database: SQLite under var/ (WAL mode) unless DATABASE_URL says otherwise.
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 2)
DB_STATEMENT_TIMEOUT = env_int("DB_STATEMENT_TIMEOUT", 0)
if DB_CONNECT_TIMEOUT < 2:  # libpq reads less than 2 as 2 (and 0 as "wait forever")
    raise ImproperlyConfigured(f"DB_CONNECT_TIMEOUT={DB_CONNECT_TIMEOUT}: use 2 seconds or more.")
if DB_STATEMENT_TIMEOUT < 0:
    raise ImproperlyConfigured(
        f"DB_STATEMENT_TIMEOUT={DB_STATEMENT_TIMEOUT}: use a number of seconds, or 0 for none."
    )
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    _db["CONN_HEALTH_CHECKS"] = True
    # A PostgreSQL that accepts connections and never answers fails a connection attempt
    # after DB_CONNECT_TIMEOUT seconds. DB_STATEMENT_TIMEOUT (seconds, 0 for none) ends a
    # statement running longer: gunicorn.conf.py sets 30 for the web process, whose
    # requests must not outlive their client; workers and commands have none by default.
    _db["OPTIONS"] = {**_db.get("OPTIONS", {}), "connect_timeout": DB_CONNECT_TIMEOUT}
    if DB_STATEMENT_TIMEOUT:
        _db["OPTIONS"]["options"] = f"-c statement_timeout={DB_STATEMENT_TIMEOUT * 1000}"
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis (cache and broker): how long to wait for a connection, and for an answer, in
# seconds. A Redis that accepts connections and never answers costs at most this much.
REDIS_TIMEOUT = env_int("REDIS_TIMEOUT", 2)
if REDIS_TIMEOUT < 1:
    raise ImproperlyConfigured(f"REDIS_TIMEOUT={REDIS_TIMEOUT}: use a positive number of seconds.")

# Cache: local memory in the zero-setup default, Redis when CACHE_URL says so. With Redis
# down, the cache behaves as empty (pages compute from the database) and says so in the log.
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured(f"CACHE_URL={CACHE_URL!r} must be a redis:// URL.")
    CACHES = {
        "default": {
            "BACKEND": "cepa_collab.cache.ForgivingRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
            },
        }
    }
else:
    # Rendered calendar events are kept per record: room for many more than the default 300.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Answers only when OIDC is configured (OIDC_RP_CLIENT_ID), and only to the callback.
    "cepa_collab.oidc.Backend",
    "guardian.backends.ObjectPermissionBackend",
]

# Invitations (cepa_collab.invitations): how long a mailed link stays valid.
INVITATION_DAYS = env_int("INVITATION_DAYS", 14)
if INVITATION_DAYS < 1:
    raise ImproperlyConfigured(f"INVITATION_DAYS={INVITATION_DAYS}: use a positive number.")

# Single sign-on by OpenID Connect (mozilla-django-oidc), off unless OIDC_RP_CLIENT_ID is set.
# People are matched to existing accounts by verified e-mail only (cepa_collab.oidc).
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
# The claim that says the address is verified (Microsoft Entra ID: xms_edov).
OIDC_EMAIL_VERIFIED_CLAIM = env_str("OIDC_EMAIL_VERIFIED_CLAIM", "email_verified")
# The name of the provider on the sign-in button ("Sign in with …").
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "United Nations")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
OIDC_CREATE_USER = True  # only for an address with a pending invitation (cepa_collab.oidc)
OIDC_CALLBACK_CLASS = "cepa_collab.oidc.CallbackView"
OIDC_AUTHENTICATE_CLASS = "cepa_collab.oidc.AuthenticateView"
LOGIN_REDIRECT_URL_FAILURE = "login"
if OIDC_ENABLED:
    _missing = [
        name
        for name in (
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_ISSUER",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
        )
        if not globals()[name]
    ]
    if _missing:
        raise ImproperlyConfigured(
            f"OIDC_RP_CLIENT_ID is set: set {', '.join(_missing)} too (or unset it)."
        )

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: four of the UN's languages (Arabic is written right to left: Django's
# LANGUAGES_BIDI has it); time is stored in UTC.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language ("7 December 2026"): cepa_collab/formats/.
FORMAT_MODULE_PATH = ["cepa_collab.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files are served by the app itself (WhiteNoise): no CDN.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files live outside the web root and are served only by permission-checking views.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 25) * 1_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A multipart body is read no further than the upload limit (cepa_collab.uploads).
# Uploads too large for memory are spooled here; a worker killed mid-upload leaves its file,
# which `manage.py orphan_files` reports and removes like a stored orphan.
FILE_UPLOAD_TEMP_DIR = str(VAR_DIR / "upload-tmp")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_HANDLERS = [
    "cepa_collab.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# E-mail: SMTP when EMAIL_HOST is set, the console otherwise.
EMAIL_HOST = env_str("EMAIL_HOST")
# SMTP goes through notifications' transport: Django's SMTP backend that bounds each exchange
# by EMAIL_TIMEOUT, keeps its transcript and tells a message handed over whose reply never
# came (an "uncertain" mail, never resent automatically) from one that surely did not go.
EMAIL_BACKEND = (
    "notifications.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
if not 1 <= EMAIL_PORT <= 65535:
    raise ImproperlyConfigured(f"EMAIL_PORT={EMAIL_PORT}: use a port from 1 to 65535.")
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are mutually exclusive.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"CEPA Collab <noreply@{SITE_HOST}>")
_from_address = parseaddr(DEFAULT_FROM_EMAIL)[1]
if "@" not in _from_address.strip("@") or any(c.isspace() for c in _from_address):
    raise ImproperlyConfigured(
        f"DEFAULT_FROM_EMAIL={DEFAULT_FROM_EMAIL!r}: use an address such as "
        "'CEPA Collab <noreply@example.org>'."
    )
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security: strict when DEBUG is off (`manage.py check --deploy` passes).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL", False) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Browser policy (django-csp, django-permissions-policy): every page loads only the app's own
# files, never inline script or style, and is never framed. A view that needs more (the API's
# Swagger UI) widens one directive for itself with `csp.decorators.csp_update`.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_NONE],
        "frame-src": [CSP_NONE],
        "frame-ancestors": [CSP_NONE],
        "form-action": [CSP_SELF],
        "manifest-src": [CSP_SELF],
        "worker-src": [CSP_NONE],
    },
}
# Powerful browser features, all off: the app uses none of them.
PERMISSIONS_POLICY = {
    name: []
    for name in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "web-share",
        "xr-spatial-tracking",
    )
}
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Lock-out after repeated failed sign-ins (django-axes, cepa_collab.lockout): per account and
# address (guessing one password), and per address across accounts (password spraying).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 25)
for _name, _value in (
    ("AXES_FAILURE_LIMIT", AXES_FAILURE_LIMIT),
    ("AXES_ADDRESS_FAILURE_LIMIT", AXES_ADDRESS_FAILURE_LIMIT),
):
    if _value < 1:
        raise ImproperlyConfigured(f"{_name}={_value}: use a positive number.")
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "cepa_collab.lockout.LockoutHandler"
# What axes records of a failed attempt's form never holds a secret.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "otp", "token", "code"]
AXES_RESET_ON_SUCCESS = True
# The second factor (cepa_collab.second_factor): the name authenticator apps show.
OTP_TOTP_ISSUER = "CEPA Collab"
# Requests to reset a password, per hour: per client address and per e-mail address.
PASSWORD_RESET_PER_ADDRESS = env_int("PASSWORD_RESET_PER_ADDRESS", 10)
PASSWORD_RESET_PER_EMAIL = env_int("PASSWORD_RESET_PER_EMAIL", 3)
AXES_LOCKOUT_CALLABLE = "cepa_collab.lockout.lockout_response"
AXES_VERBOSE = False
# Reverse proxies in front of the site that append to X-Forwarded-For (0: none). The lock-out
# and the feeds' rate limits count per client address as cepa_collab.net reads it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "cepa_collab.net.client_address"

# API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous call answers 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Bodies are JSON objects (multipart where a file is uploaded: those views say so).
    "DEFAULT_PARSER_CLASSES": ["cepa_collab.parsers.JSONObjectParser"],
    "DEFAULT_SCHEMA_CLASS": "cepa_collab.api_contract.ApiSchema",
    # The tests' APIClient sends JSON unless a test asks for multipart (a file).
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CEPA Collab API",
    "DESCRIPTION": "Deliverables, reviews, meetings and calendars of DPADM and CEPA.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Kinds of notification are registered by the apps: their enum, named once.
    "ENUM_NAME_OVERRIDES": {
        "NotificationKindEnum": "notifications.kinds.notification_choices",
        # Versions' texts and comparisons (pending, ready, unreadable): one name for both.
        "TextStatusEnum": "workflows.models.TextStatus",
    },
    # Every operation documents the errors every endpoint may answer (cepa_collab.api_contract).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cepa_collab.api_contract.document_every_answer",
    ],
}

# Celery: Kombu's filesystem transport under var/ unless CELERY_BROKER_URL is set.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Kombu's Redis transport, less the defect that stopped workers when Redis restarted.
    CELERY_BROKER_TRANSPORT = "cepa_collab.broker:Transport"
    # A message not acknowledged within the visibility timeout is given to another
    # worker: it must exceed any task's time limit and any retry countdown (below).
    # A Redis that accepts connections but never answers fails a call after the timeouts.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
        "socket_connect_timeout": REDIS_TIMEOUT,
        "socket_timeout": REDIS_TIMEOUT + 5,  # above BRPOP's own 1 s wait
        "socket_keepalive": True,
    }
    CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
else:
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL={CELERY_BROKER_URL!r}: use filesystem:// or a redis:// URL."
    )
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Sweeps (and the heartbeat) have a queue of their own, so that they never wait behind mail
# batches; the worker consumes both (Procfile, docker-compose.yml: `-Q celery,sweeps`).
CELERY_TASK_DEFAULT_QUEUE = "celery"
SWEEP_QUEUE = "sweeps"
CELERY_TASK_ROUTES = {
    "notifications.sweep_reminders": {"queue": SWEEP_QUEUE},
    "notifications.sweep_digests": {"queue": SWEEP_QUEUE},
    "cepa_collab.heartbeat": {"queue": SWEEP_QUEUE},
    "workflows.request_decisions": {"queue": SWEEP_QUEUE},
    "workflows.read_missing_texts": {"queue": SWEEP_QUEUE},
}
# Reminders and notification mail (notifications app). Exactly one beat runs them.
REMINDER_HOUR = env_int("REMINDER_HOUR", 9)  # a due date falls due at this local hour
if not 0 <= REMINDER_HOUR <= 23:
    raise ImproperlyConfigured(f"REMINDER_HOUR={REMINDER_HOUR}: use an hour from 0 to 23.")
REMINDER_SWEEP_SECONDS = env_int("REMINDER_SWEEP_SECONDS", 300)
# Days branch staff have to review a submitted contribution (a deadline for them).
CONTRIBUTION_REVIEW_DAYS = env_int("CONTRIBUTION_REVIEW_DAYS", 14)
MAIL_RETRY_BACKOFF = env_int("MAIL_RETRY_BACKOFF", 60)  # seconds, doubled per failure
MAIL_RETRY_BACKOFF_MAX = env_int("MAIL_RETRY_BACKOFF_MAX", 900)
MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 6)
MAIL_LEASE_SECONDS = env_int("MAIL_LEASE_SECONDS", 900)
MAIL_LEASE = timedelta(seconds=MAIL_LEASE_SECONDS)
# A claimed mail whose task message was lost is enqueued again after this long.
MAIL_REQUEUE_SECONDS = env_int("MAIL_REQUEUE_SECONDS", 900)
MAIL_REQUEUE_AFTER = timedelta(seconds=MAIL_REQUEUE_SECONDS)
# A mail batch starts no new message after this many seconds and hands the rest on in a new
# task: with one reconnection, one message and the QUIT after it (each at most EMAIL_TIMEOUT),
# it ends well before the soft time limit, which so never interrupts an SMTP exchange.
MAIL_BATCH_SECONDS = CELERY_TASK_SOFT_TIME_LIMIT // 4
for _name, _value in (
    ("REMINDER_SWEEP_SECONDS", REMINDER_SWEEP_SECONDS),
    ("CONTRIBUTION_REVIEW_DAYS", CONTRIBUTION_REVIEW_DAYS),
    ("EMAIL_TIMEOUT", EMAIL_TIMEOUT),
    ("MAIL_RETRY_BACKOFF", MAIL_RETRY_BACKOFF),
    ("MAIL_RETRY_BACKOFF_MAX", MAIL_RETRY_BACKOFF_MAX),
    ("MAIL_MAX_ATTEMPTS", MAIL_MAX_ATTEMPTS),
    ("MAIL_LEASE_SECONDS", MAIL_LEASE_SECONDS),
    ("MAIL_REQUEUE_SECONDS", MAIL_REQUEUE_SECONDS),
):
    if _value < 1:
        raise ImproperlyConfigured(f"{_name}={_value}: use a positive whole number.")
if MAIL_RETRY_BACKOFF_MAX < MAIL_RETRY_BACKOFF:
    raise ImproperlyConfigured(
        f"MAIL_RETRY_BACKOFF_MAX={MAIL_RETRY_BACKOFF_MAX} must be at least "
        f"MAIL_RETRY_BACKOFF ({MAIL_RETRY_BACKOFF} s)."
    )
_longest_timeout = (CELERY_TASK_SOFT_TIME_LIMIT - MAIL_BATCH_SECONDS - 1) // 3
if _longest_timeout < EMAIL_TIMEOUT:
    raise ImproperlyConfigured(
        f"EMAIL_TIMEOUT={EMAIL_TIMEOUT} is too long: a mail batch ({MAIL_BATCH_SECONDS} s) and "
        f"three SMTP waits must end before the task's soft time limit "
        f"({CELERY_TASK_SOFT_TIME_LIMIT} s); use at most {_longest_timeout}."
    )
if MAIL_LEASE_SECONDS <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"MAIL_LEASE_SECONDS={MAIL_LEASE_SECONDS} must exceed the task time limit "
        f"({CELERY_TASK_TIME_LIMIT} s), or a mail still being handed over is taken for one "
        "whose worker died."
    )
_visibility = CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
if _visibility is not None and _visibility <= CELERY_TASK_TIME_LIMIT + MAIL_RETRY_BACKOFF_MAX:
    raise ImproperlyConfigured(
        f"CELERY_VISIBILITY_TIMEOUT={_visibility} must exceed the task time limit "
        f"({CELERY_TASK_TIME_LIMIT} s) plus MAIL_RETRY_BACKOFF_MAX ({MAIL_RETRY_BACKOFF_MAX} s), "
        "or Redis hands running and retried tasks to a second worker."
    )
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "cepa_collab.heartbeat", "schedule": 60.0},
    "sweep-reminders": {
        "task": "notifications.sweep_reminders",
        "schedule": float(REMINDER_SWEEP_SECONDS),
        "options": {"expires": REMINDER_SWEEP_SECONDS},
    },
    "sweep-digests": {
        "task": "notifications.sweep_digests",
        "schedule": 300.0,
        "options": {"expires": 300},
    },
    # Deliverables whose missing reviews fell past due: their chief is told, once per round.
    "request-decisions": {
        "task": "workflows.request_decisions",
        "schedule": 3600.0,
        "options": {"expires": 3600},
    },
    # Versions without a text (uploaded before texts were read, or a task lost): read them.
    "read-missing-texts": {
        "task": "workflows.read_missing_texts",
        "schedule": 600.0,
        "options": {"expires": 600},
    },
}
CELERY_TIMEZONE = "UTC"

# No secret reaches a log in any mode: every handler redacts (cepa_collab.log_filters), and
# Django's own "django" logger handlers (its DEBUG-only console, mail_admins) are replaced,
# so its records reach the root handler below, through the filter, like everyone's.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "cepa_collab.log_filters.RedactSecrets"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secrets"],
        },
        "access": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "axes": {"level": "WARNING"},
        "notifications": {"level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}
