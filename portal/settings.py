"""One settings module, driven by environment variables.

Defaults are safe for production: DEBUG is off, SECRET_KEY must be given, cookies are secure and
HTTPS is enforced. `make run` turns DEBUG on and so gets the embedded development defaults (SQLite,
a file-based Celery broker, e-mail printed to the console). Every variable is listed in README.md.
"""

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from services.working_days import region_problem

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

# Where files that are not code live: the SQLite database, the file broker, uploads.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

if DEBUG:
    SECRET_KEY = env.str(
        "SECRET_KEY", default="development-only-key-not-for-production-use-0123456789"
    )
else:
    try:
        SECRET_KEY = env.str("SECRET_KEY")
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        ) from exc

# Old keys, so sessions, signed links and encrypted secrets survive a SECRET_KEY rotation.
SECRET_KEY_FALLBACKS: list[str] = env.list("SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS: list[str] = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Applications -------------------------------------------------------------------------------

INSTALLED_APPS = [
    "modeltranslation",  # before admin, so translated fields show as tabs in the admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # trigram search in the staff workspace (services/staff/search.py)
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "rest_framework",
    "drf_spectacular",
    "csp",
    "django_structlog",
    "portal.core",
    "portal.accounts",
    "portal.journey",
    "portal.catalogue",
    "portal.dashboard",
    "portal.staff",
    "portal.studio",
    "services",
    "integrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files get the header too.
    "portal.core.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.core.logging.RequestLoggingMiddleware",
    "csp.middleware.CSPMiddleware",
    # Django's, except that a database outage while saving the session is a 503, not a 400.
    "portal.core.sessions.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in resident who switches language is written to in it from then on.
    "portal.accounts.language.RememberSwitchedLanguageMiddleware",
    # Cache-Control: no-store on every page with personal data (portal/core/headers.py).
    "portal.core.headers.NoStoreMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages, so it can tell staff why they were sent to MFA set-up.
    "portal.accounts.middleware.RequireStaffMFAMiddleware",
    "portal.core.admin_ids.AdminActionIdsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "csp.context_processors.nonce",
                "portal.core.context_processors.council",
            ],
        },
    },
]

# --- Data ---------------------------------------------------------------------------------------

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default of `make run`: web, worker and beat share one file. Write-ahead logging
    # lets readers and a writer work at once; IMMEDIATE transactions take the write lock when they
    # begin, so two that read then write wait their turn (up to `timeout` seconds) instead of one
    # failing at once with "database is locked". A worker's claims are then serialised as the
    # advisory lock serialises them on PostgreSQL.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL: str | None = env.str("REDIS_URL", default=None)

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # A file cache is shared by every process on the machine, so rate limits hold across the
    # web server and the worker that `make run` starts; locmem would not.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery -------------------------------------------------------------------------------------
# Read by portal/celery.py (namespace CELERY_). The reasons for each worker setting are there.

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_DIR = VAR_DIR / "broker"
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="portal")

# --- Accounts -----------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Changing the e-mail address or password, or a second factor, asks for the password (or a
# code) again unless the person signed in in the last few minutes: a session left open or
# stolen cannot take the account over. The person is e-mailed after each such change, a
# change of address at the OLD address (templates/account/email/, templates/mfa/email/).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
MFA_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_ADAPTER = "portal.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"request_login_code": "portal.accounts.forms.RequestLoginCodeForm"}
# Rate limits need a cache shared by every web process (Redis in production). The defaults of
# allauth are kept; the failed sign-in limit is made explicit because the tests rely on it. What
# e-mails an address someone typed (a reset link, a sign-in code, "you already have an
# account") is also capped per hour, as the portal's own such e-mails are (MAIL_PER_ADDRESS and
# MAIL_PER_CLIENT in portal/core/ratelimit.py), so a mailbox cannot be flooded a minute at a time.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "signup": "20/m/ip,30/h/ip",
    "reset_password": "20/m/ip,5/m/key,30/h/ip,5/h/key",
    "request_login_code": "20/m/ip,3/m/key,30/h/ip,5/h/key",
    "confirm_email": "1/3m/key",
}
# Behind a load balancer the client's address is in X-Forwarded-For. Set TRUSTED_PROXY_COUNT to
# the number of proxies in front of the portal so rate limits see the resident, not the proxy.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# The portal's own rate limits (portal/core/ratelimit.py) find the client's address as allauth does.
RATELIMIT_IP_META_KEY = "portal.core.ratelimit.client_ip"

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_TOTP_ISSUER = env.str("COUNCIL_NAME", default="My Council")
MFA_ADAPTER = "portal.accounts.adapter.MFAAdapter"

# --- E-mail -------------------------------------------------------------------------------------
# Every message is kept in the message outbox (services/messages) until a worker has handed it to
# the real backend named by EMAIL_URL (CELERY_EMAIL_BACKEND). A request never waits on an SMTP
# server, and a lost Celery message loses no e-mail: the sweeper sends what is due.

EMAIL_BACKEND = "portal.core.mail.OutboxEmailBackend"
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
CELERY_EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="My Council <no-reply@example.gov.uk>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -----------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en", _("English")), ("cy", _("Cymraeg"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "portal" / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "private")},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security -----------------------------------------------------------------------------------

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Preloading HSTS binds the council's whole registrable domain (every subdomain, for years); that
# is the council's decision, not the portal's, so the deploy check's nudge towards it is silenced.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features a page may use (portal/core/headers.py): geolocation for the location
# question's "Use my current location", passkeys for allauth's MFA; nothing else, from anywhere.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "geolocation": ["self"],
    "publickey-credentials-get": ["self"],
    **{
        feature: []
        for feature in (
            "accelerometer",
            "autoplay",
            "browsing-topics",
            "camera",
            "display-capture",
            "encrypted-media",
            "gamepad",
            "gyroscope",
            "hid",
            "idle-detection",
            "local-fonts",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "picture-in-picture",
            "screen-wake-lock",
            "serial",
            "usb",
            "xr-spatial-tracking",
        )
    },
}
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
X_FRAME_OPTIONS = "DENY"
# Django's own CSRF failure page renders without the request: no council branding, no nonce.
CSRF_FAILURE_VIEW = "portal.core.pages.csrf_failure"

# A strict policy: nothing inline except scripts carrying the per-request nonce, no third parties
# but one: img-src also gets the map's tile server and the logo's host (MAP_TILE_URL and
# COUNCIL_LOGO_URL, below).
CONTENT_SECURITY_POLICY: dict[str, dict[str, list[Any]]] = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# --- Forms and submissions ---------------------------------------------------------------------

DRAFT_LIFETIME_DAYS = env.int("DRAFT_LIFETIME_DAYS", default=30)
# Form fields (not files) of one request; more is tampering and gets Django's 400 page.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_500_000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# Files bigger than this are spooled to a temporary file instead of memory while received; the
# journey's handler drops any file over the largest size a question may allow (50MB).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_500_000
FILE_UPLOAD_HANDLERS = [
    "portal.journey.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Back-office connections -------------------------------------------------------------------
# Connection secrets (API keys, passwords) are encrypted at rest with a key derived from
# SECRET_KEY and this salt. Give a list, newest first, to rotate: old values stay readable.

if DEBUG:
    SALT_KEY = env.list("FIELD_ENCRYPTION_KEYS", default=["development-only-field-encryption-key"])
else:
    try:
        SALT_KEY = env.list("FIELD_ENCRYPTION_KEYS")
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off (a long random string; a "
            "comma-separated list, newest first, to rotate keys)."
        ) from exc

# --- Delivery -----------------------------------------------------------------------------------
# How the outbox retries and protects back offices (services/delivery). A transient failure waits
# a random time up to min(cap, base x 2^(attempt-1)) ("full jitter"), and never less than the
# back office's Retry-After. A claimed delivery is leased: if its worker dies, another may take it
# once the lease runs out, so the lease must outlast the task's hard time limit (90 s).

DELIVERY_RETRY_BASE_SECONDS = env.float("DELIVERY_RETRY_BASE_SECONDS", default=30.0)
DELIVERY_RETRY_CAP_SECONDS = env.float("DELIVERY_RETRY_CAP_SECONDS", default=3600.0)
DELIVERY_LEASE_SECONDS = env.float("DELIVERY_LEASE_SECONDS", default=120.0)
DELIVERY_BREAKER_THRESHOLD = env.int("DELIVERY_BREAKER_THRESHOLD", default=5)
DELIVERY_BREAKER_COOLDOWN_SECONDS = env.float("DELIVERY_BREAKER_COOLDOWN_SECONDS", default=60.0)
# The sweeper leaves alone what became due less than this long ago: its task is probably still
# on the queue, and a second copy would only cost a wasted claim.
DELIVERY_SWEEP_GRACE_SECONDS = env.float("DELIVERY_SWEEP_GRACE_SECONDS", default=30.0)
# How often beat runs the sweeper (deliveries and messages): the longest a delivery or message
# whose Celery message was lost waits, beyond the grace above.
DELIVERY_SWEEP_INTERVAL = env.float("DELIVERY_SWEEP_INTERVAL", default=60.0)

# --- Outgoing messages --------------------------------------------------------------------------
# A message failing for a transient reason is tried again (the delivery backoff above) until this
# long after it was queued, then marked failed. The lease must outlast the task's time limit.
MESSAGE_RETRY_BUDGET_SECONDS = env.float("MESSAGE_RETRY_BUDGET_SECONDS", default=2 * 24 * 3600.0)
MESSAGE_LEASE_SECONDS = env.float("MESSAGE_LEASE_SECONDS", default=120.0)

# --- GOV.UK Notify -------------------------------------------------------------------------------
# With NOTIFY_API_KEY set, e-mail, text messages and letters go through GOV.UK Notify
# (services/messages/notify.py); without it e-mail goes by EMAIL_URL and a text message or letter
# fails as "no transport". The key is a secret environment variable, like SECRET_KEY and the
# EMAIL_URL password, not a database row: it belongs to the environment (a test key on staging, a
# live key in production, as Notify issues them), must not travel with a database copied between
# them, and is handed over by the deployment's secret store. See docs/notify.md.
NOTIFY_API_KEY: str = env.str("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_TIMEOUT_SECONDS = env.float("NOTIFY_TIMEOUT_SECONDS", default=10.0)
# Template ids by channel, message kind (or "default") and language, as JSON in NOTIFY_TEMPLATES
# or in the file NOTIFY_TEMPLATES_FILE: {"email": {"default": {"en": "<id>", "cy": "<id>"}}, ...}.
_notify_templates_file = env.str("NOTIFY_TEMPLATES_FILE", default="")
NOTIFY_TEMPLATES: dict[str, Any] = (
    json.loads(Path(_notify_templates_file).read_text(encoding="utf-8"))
    if _notify_templates_file
    else env.json("NOTIFY_TEMPLATES", default={})
)
# The bearer token Notify sends with delivery receipts to /callbacks/notify/ (set the same in
# Notify's callback settings); empty refuses every receipt.
NOTIFY_CALLBACK_TOKEN: str = env.str("NOTIFY_CALLBACK_TOKEN", default="")


# --- Two-way: replies, reopening (services/conversations) ----------------------------------------
# A resident may reopen a request, or say it is not fixed, for this many days after it was closed.
# Their replies go on to back offices through the delivery outbox's retries and lease above.
REOPEN_WITHIN_DAYS = env.int("REOPEN_WITHIN_DAYS", default=28)

# Status callbacks from back offices, per connection per minute; more get 429.
CALLBACKS_PER_MINUTE = env.int("CALLBACKS_PER_MINUTE", default=600)

# Links by which back-office systems fetch residents' files (services/file_links.py) stop
# working this many days after they were made.
FILE_LINK_MAX_AGE_DAYS = env.int("FILE_LINK_MAX_AGE_DAYS", default=30)
# The bytes of submitted files are deleted this many days after the submission was made
# (services/file_retention.py, daily); the case keeps a record of each file.
SUBMISSION_FILE_RETENTION_DAYS = env.int("SUBMISSION_FILE_RETENTION_DAYS", default=365)
# A closed request keeps its answers, files and the resident's details this many days after it
# was closed, unless its service sets its own period (Service.retention_days); then the daily
# retention task anonymises it (services/retention.py). Files may go sooner, by the setting above.
SUBMISSION_RETENTION_DAYS = env.int("SUBMISSION_RETENTION_DAYS", default=730)
# "Download your data": a resident with more requests, or more bytes of files, than these gets
# their ZIP built by a worker and offered when ready, not built while they wait
# (services/privacy/export.py).
DATA_EXPORT_INLINE_MAX_SUBMISSIONS = env.int("DATA_EXPORT_INLINE_MAX_SUBMISSIONS", default=200)
DATA_EXPORT_INLINE_MAX_BYTES = env.int("DATA_EXPORT_INLINE_MAX_BYTES", default=50 * 1024 * 1024)
# How long a file built by a worker is kept for its resident to download.
DATA_EXPORT_KEEP_DAYS = env.int("DATA_EXPORT_KEEP_DAYS", default=7)

# --- The council --------------------------------------------------------------------------------

COUNCIL_NAME = env.str("COUNCIL_NAME", default="My Council")
# The portal's own address, for links in e-mails sent by workers (which have no request).
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000" if DEBUG else "")
COUNCIL_LOGO_URL = env.str("COUNCIL_LOGO_URL", default="")
COUNCIL_WEBSITE_URL = env.str("COUNCIL_WEBSITE_URL", default="https://www.example.gov.uk/")
COUNCIL_CONTACT_PHONE = env.str("COUNCIL_CONTACT_PHONE", default="01234 567890")
# Whose bank holidays a service's target time skips (services/working_days.py): ENG and WLS share
# them, SCT and NIR have their own. Checked here, so a typo stops the portal starting rather than
# every "My requests" page failing later.
BANK_HOLIDAYS = env.str("BANK_HOLIDAYS", default="ENG")
if (_bank_holidays_problem := region_problem(BANK_HOLIDAYS)) is not None:
    raise ImproperlyConfigured(_bank_holidays_problem)

# --- Address lookup -----------------------------------------------------------------------------
# "local" reads the council's gazetteer export (format in services/addresses/local.py; the default
# is fictional demo data in the ZZ99 pseudo-postcode area); "os_places" asks the OS Places API.

ADDRESS_PROVIDER = env.str("ADDRESS_PROVIDER", default="local")
ADDRESS_GAZETTEER_CSV = env.str(
    "ADDRESS_GAZETTEER_CSV", default=str(BASE_DIR / "services/addresses/data/demo_gazetteer.csv")
)
OS_PLACES_API_URL = env.str("OS_PLACES_API_URL", default="https://api.os.uk/search/places/v1")
OS_PLACES_API_KEY = env.str("OS_PLACES_API_KEY", default="")
# A resident waits on the lookup; on timeout they are asked to type the address instead.
OS_PLACES_TIMEOUT = env.float("OS_PLACES_TIMEOUT", default=5.0)

# --- The location question's map ----------------------------------------------------------------
# A Leaflet map (portal/static/js/journey-location.js) over tiles from MAP_TILE_URL, a Leaflet URL
# template. OpenStreetMap's own tile server is for light use and requires its attribution
# (https://operations.osmfoundation.org/policies/tiles/); a busy portal should use the council's
# own or a commercial tile service, and set that service's attribution.

MAP_TILE_URL = env.str("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="© OpenStreetMap contributors")
# Where the map opens when no point has been chosen yet: "latitude,longitude" and a zoom level.
_centre = env.list("MAP_CENTRE", cast=float, default=[52.2405, -0.9027])
if len(_centre) != 2:
    raise ImproperlyConfigured("MAP_CENTRE must be 'latitude,longitude', e.g. 52.2405,-0.9027")
MAP_CENTRE: tuple[float, float] = (_centre[0], _centre[1])
MAP_ZOOM = env.int("MAP_ZOOM", default=13)


def _image_origin(url: str, setting: str, example: str) -> str | None:
    """What img-src needs for images at `url` (a tile URL template, or the logo's address): its
    scheme and host only (a "{s}." subdomain becomes "*."), or nothing when they come from the
    portal's own origin."""
    parts = urlsplit(url)
    if not parts.netloc and not parts.scheme:
        return None  # a path on the portal
    host = "*." + parts.netloc[4:] if parts.netloc.startswith("{s}.") else parts.netloc
    if parts.scheme not in {"http", "https"} or "{" in host or "@" in host:
        raise ImproperlyConfigured(
            f"{setting} must be an http(s) URL whose host has no placeholders (but for a "
            f"leading '{{s}}.' in a tile URL template), e.g. {example}"
        )
    return f"{parts.scheme}://{host}"


# Images from elsewhere: the map's tiles and the council's logo, each by its origin only.
for _origin in (
    _image_origin(MAP_TILE_URL, "MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
    _image_origin(COUNCIL_LOGO_URL, "COUNCIL_LOGO_URL", "https://www.example.gov.uk/logo.svg"),
):
    if _origin and _origin not in CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]:
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(_origin)

# --- Logging ------------------------------------------------------------------------------------
# JSON lines with a request id; see portal/core/logging.py for what is kept out of them.

from portal.core.logging import build_logging_config  # noqa: E402

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="console" if DEBUG else "json")
LOGGING = build_logging_config(level=LOG_LEVEL, fmt=LOG_FORMAT)
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True  # validated in portal/core/logging.py
DJANGO_STRUCTLOG_CELERY_ENABLED = True

# --- API ----------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
SPECTACULAR_SETTINGS = {"TITLE": "My Council API", "VERSION": "1"}
