"""Stafett settings: one file, read from environment variables.

SQLite (WAL) is the default so `make run` needs nothing but Python;
DATABASE_URL switches to PostgreSQL. See README "Konfigurasjon".
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from stafett.lib.env import env_bool, env_int, env_list, env_secret, env_str
from stafett.lib.field_crypto import local_key_file, parse_keys

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("STAFETT_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("STAFETT_DEBUG", False)
# Demo mode seeds synthetic people and offers the development login.
DEMO = env_bool("STAFETT_DEMO", False)
if DEMO and not DEBUG:
    # The development login lets anyone act as anyone: it must never reach
    # a production installation, so demo mode refuses to start without DEBUG.
    raise ImproperlyConfigured("STAFETT_DEMO=true is only allowed together with STAFETT_DEBUG=true")

SECRET_KEY = env_secret("SECRET_KEY", "dev-only-insecure-key" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when STAFETT_DEBUG is false")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Synthetic national ID numbers (month + 80) are Norway's official test data;
# a production register must reject them unless explicitly allowed.
ALLOW_SYNTHETIC_NATIONAL_IDS = env_bool("STAFETT_ALLOW_SYNTHETIC_IDS", DEMO or DEBUG)

# National ID numbers are encrypted at rest (lib/field_crypto.py): base64 keys, newest first
# (it encrypts, all decrypt; `manage.py rotate_field_key`). Debug and demo make var/field.key.
_field_key_source = "STAFETT_FIELD_KEY_FILE" if env_str("STAFETT_FIELD_KEY_FILE") else "STAFETT_FIELD_KEY"
_field_keys = env_secret("STAFETT_FIELD_KEY")
if not _field_keys and DEBUG:
    _field_key_source = str(VAR_DIR / "field.key")
    _field_keys = local_key_file(VAR_DIR / "field.key")
FIELD_ENCRYPTION_KEYS = parse_keys(_field_keys, source=_field_key_source)
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "STAFETT_FIELD_KEY (or STAFETT_FIELD_KEY_FILE) must be set when STAFETT_DEBUG is false: "
        "national ID numbers are encrypted with it. `python manage.py rotate_field_key --new-key` prints one."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "stafett.core",
    "stafett.audit",
    "stafett.people",
    "stafett.accounts",
    "stafett.logs",
    "stafett.archive",
    "stafett.notify",
    "stafett.undring",
    "stafett.guide",
    "stafett.stats",
    "stafett.api",
    "ninja",  # django-ninja: its Swagger UI from static files, not a CDN (api/api.py)
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "stafett.core.request_log.RequestLogMiddleware",  # one line per request, first so it times them all
    "django.middleware.security.SecurityMiddleware",
    "stafett.core.middleware.ContentSecurityPolicyMiddleware",  # django-csp's, see CONTENT_SECURITY_POLICY
    "stafett.core.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "stafett.core.bad_input.UnreadableBodyMiddleware",  # before the CSRF check reads the body
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "stafett.core.language.LanguageMiddleware",  # the person's language, else the målform, else the browser
    "django.contrib.messages.middleware.MessageMiddleware",
    "stafett.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "stafett.audit.middleware.AuditContextMiddleware",
    "stafett.api.middleware.problem_for_wrong_method",  # a 405 under /api/v1/ as problem+json
]

if not DEBUG:
    # Static files from the app process in production (collectstatic first); runserver serves them in debug.
    MIDDLEWARE.insert(2, "whitenoise.middleware.WhiteNoiseMiddleware")  # after SecurityMiddleware

ROOT_URLCONF = "stafett.urls"
WSGI_APPLICATION = "stafett.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "stafett" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "stafett.core.context.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'stafett.sqlite3'}"),
        # Production keeps each process's connection for a minute (checked before reuse) instead of
        # opening one per request; runserver's thread per request would only leak them (README «Drift»).
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0 if DEBUG else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE avoids
    # "database is locked" on lock upgrade; see core/apps.py for the pragmas.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # secure_delete: freed pages are zeroed, so destroyed notes leave no text behind (lib/erase.py).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.Person"
AUTHENTICATION_BACKENDS = ["stafett.accounts.backends.PersonBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:start"

# Sessions end after inactivity (seeds/004 Personinformasjon: sensitive data).
SESSION_IDLE_SECONDS = env_int("STAFETT_SESSION_IDLE_MINUTES", 30) * 60
SESSION_MAX_SECONDS = env_int("STAFETT_SESSION_MAX_HOURS", 12) * 60 * 60  # after login, however active
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_ENGINE = "django.contrib.sessions.backends.db"  # shared by every app server, never process memory
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# OpenID Connect providers: citizens through ID-porten, staff through the
# municipality's single sign-on. Unset issuer = provider not offered.
OIDC_PROVIDERS = {
    "citizen": {
        "issuer": env_str("OIDC_CITIZEN_ISSUER"),
        "client_id": env_str("OIDC_CITIZEN_CLIENT_ID"),
        "client_secret": env_secret("OIDC_CITIZEN_CLIENT_SECRET"),
        "scope": env_str("OIDC_CITIZEN_SCOPE", "openid profile"),
        "acr_values": env_str("OIDC_CITIZEN_ACR", "idporten-loa-high"),
        "national_id_claim": env_str("OIDC_CITIZEN_ID_CLAIM", "pid"),
    },
    "staff": {
        "issuer": env_str("OIDC_STAFF_ISSUER"),
        "client_id": env_str("OIDC_STAFF_CLIENT_ID"),
        "client_secret": env_secret("OIDC_STAFF_CLIENT_SECRET"),
        "scope": env_str("OIDC_STAFF_SCOPE", "openid profile email"),
        "acr_values": env_str("OIDC_STAFF_ACR"),
    },
}

LANGUAGE_CODE = "nb"  # bokmål is the source language: msgids are bokmål, nn and en are catalogues
LANGUAGES = [("nb", "Norsk bokmål"), ("nn", "Norsk nynorsk"), ("en", "English")]
# Compiled catalogues are committed (make run needs no gettext); `make messages` updates them.
LOCALE_PATHS = [Path(env_str("STAFETT_LOCALE_DIR", str(BASE_DIR / "stafett" / "locale")))]
FORMAT_MODULE_PATH = ["stafett.formats"]  # one date format in every language: «10. juni 2027»
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STAFETT_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "stafett" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "stafett@localhost")
# Links in notifications point here.
SITE_URL = env_str("STAFETT_SITE_URL", "http://127.0.0.1:8000")
SMS_BACKEND = env_str("STAFETT_SMS_BACKEND", "stafett.notify.channels.ConsoleSms")
SMS_FILE_PATH = env_str("STAFETT_SMS_FILE", str(VAR_DIR / "sms.txt"))

# The worker (huey): SQLite next to the database by default — no other server —
# or Redis in production (STAFETT_REDIS_URL). `manage.py run_huey` runs it.
REDIS_URL = env_str("STAFETT_REDIS_URL")
HUEY = {
    "name": "stafett",
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    "immediate": env_bool("STAFETT_TASKS_IMMEDIATE", False),
    "utc": True,
    "consumer": {"workers": 1, "worker_type": "thread", "periodic": True},
}
if REDIS_URL:
    HUEY["url"] = REDIS_URL
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # huey opens its file when Django starts
    HUEY["filename"] = str(VAR_DIR / "huey.sqlite3")

# Health (core/health.py): /helse/full/ answers only with this bearer token (unset: 404). The
# worker is dead when its heartbeat is older than WORKER_MINUTES; delivery is stuck when the
# oldest pending notification is older than OUTBOX_MINUTES.
HEALTH_TOKEN = env_secret("STAFETT_HEALTH_TOKEN")
HEALTH_WORKER_MINUTES = env_int("STAFETT_HEALTH_WORKER_MINUTES", 10)
HEALTH_OUTBOX_MINUTES = env_int("STAFETT_HEALTH_OUTBOX_MINUTES", 60)

# The cache holds the rate-limit counters, so it must be one store for every app server:
# Redis when STAFETT_REDIS_URL is set, else a table in the database (made by core's migration
# 0001; MAX_ENTRIES high so a flood of keys cannot cull the counters).
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "stafett",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "stafett_cache",
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        }
    }

# Rate limits (audit/ratelimit.py): per scope, (at most this many requests, in this many seconds),
# counted per signed-in person and per IP address. The per-IP limits are generous: a municipality's
# staff often share one address.
RATE_LIMITS: dict[str, dict[str, tuple[int, int]]] = {
    "login": {"ip": (env_int("STAFETT_LIMIT_LOGIN_PER_IP", 30), 10 * 60)},  # login starts (OIDC)
    "demo_login": {"ip": (60, 10 * 60)},
    # Person search, «ny logg», registering a person or a guardian: each looks up a number.
    "national_id": {
        "person": (env_int("STAFETT_LIMIT_NATIONAL_ID_PER_PERSON", 60), 60 * 60),
        "ip": (env_int("STAFETT_LIMIT_NATIONAL_ID_PER_IP", 300), 60 * 60),
    },
    "consent_answer": {"person": (20, 60 * 60), "ip": (200, 60 * 60)},
    # The API (api/auth.py): per person or registered system, and per address.
    "api": {
        "person": (env_int("STAFETT_LIMIT_API_PER_CLIENT", 300), 60),
        "ip": (env_int("STAFETT_LIMIT_API_PER_IP", 3000), 60),
    },
    # Issue 15 §7: one-time codes typed without login — few tries, counted per address.
    "assisted_code": {"ip": (env_int("STAFETT_LIMIT_ASSISTED_CODE_PER_IP", 10), 60 * 60)},
    # Calendar feeds (followup/views_calendar.py): no one is signed in, so per IP here, and
    # CALENDAR_FEED_LIMIT per feed; calendar apps fetch a few times an hour at most.
    "calendar_feed": {"ip": (env_int("STAFETT_LIMIT_CALENDAR_FEED_PER_IP", 600), 60 * 60)},
}
CALENDAR_FEED_LIMIT = (env_int("STAFETT_LIMIT_CALENDAR_FEED_PER_FEED", 60), 60 * 60)
# Bulk-read awareness (core/bulk_reads.py): an account reading more distinct logs than this in
# one clock hour is reported to the system administrators.
BULK_READ_LOGS_PER_HOUR = env_int("STAFETT_BULK_READ_LOGS_PER_HOUR", 30)
# Lists (staff lists, units) show at most this many rows a page (lib/paging.py).
PAGE_SIZE = env_int("STAFETT_PAGE_SIZE", 50)

# Production is safe by default: `manage.py check --deploy` passes.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("STAFETT_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The load balancer's check may come over plain HTTP inside the network: /helse/ only (it
    # says "ok" and nothing else); /helse/full/ carries a token and stays behind HTTPS.
    SECURE_REDIRECT_EXEMPT = [r"^helse/$"]
    SECURE_HSTS_SECONDS = env_int("STAFETT_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME, CSRF_COOKIE_NAME = "__Host-sessionid", "__Host-csrftoken"  # HTTPS, this host, path /
X_FRAME_OPTIONS = "DENY"
# Django's own CSRF page has inline style, which the CSP blocks: ours is in the site's layout.
CSRF_FAILURE_VIEW = "stafett.core.views.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp), in debug and demo too: scripts and styles only from
# Stafett's own static files — no inline scripts, event handler attributes, hx-on (htmx
# evaluates it as code) or style attributes; base.html turns off htmx's eval and inline style.
# form-action also gets the OpenID providers' origins (core/middleware.py); a provider that
# logs in on another host than its issuer's (ID-porten: login.idporten.no) goes in
# STAFETT_CSP_FORM_ACTION.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *env_list("STAFETT_CSP_FORM_ACTION")],
    }
}
# Browser features Stafett never uses, switched off (core/middleware.py: Permissions-Policy).
PERMISSIONS_POLICY = [
    "accelerometer",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "serial",
    "usb",
]

# Production logs one JSON object a line (python-json-logger) for the log collector, with one
# line per request from core/request_log.py; debug and demo keep plain text and runserver's lines.
LOG_JSON = env_bool("STAFETT_LOG_JSON", not DEBUG)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_national_ids": {"()": "stafett.lib.national_id.MaskNationalIdsFilter"}},
    "formatters": {
        "json": {
            "()": "stafett.lib.json_log.MaskedJsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["no_national_ids"],
            "formatter": "json" if LOG_JSON else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("STAFETT_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "stafett.request": {"level": "INFO" if LOG_JSON else "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Archive copies (PDF/A) are delivered to this directory with a JSON metadata
# file each; archive/targets.py is where a Noark 5 service plugs in.
ARCHIVE_TARGET = env_str("STAFETT_ARCHIVE_TARGET", "directory")  # or "storage" (archive/targets.py), "fiks-arkiv"
ARCHIVE_DIR = Path(env_str("STAFETT_ARCHIVE_DIR", str(VAR_DIR / "arkiv")))
# Fiks Arkiv (archive/fiks_arkiv.py): "fildrop" writes each message package to
# FIKS_ARKIV_DIR/utboks and reads receipts from FIKS_ARKIV_DIR/innboks; "fiks-io" is KS's
# message service (configured below, not connected: its servers cannot be reached from here).
FIKS_ARKIV_TRANSPORT = env_str("STAFETT_FIKS_ARKIV_TRANSPORT", "fildrop")
FIKS_ARKIV_DIR = Path(env_str("STAFETT_FIKS_ARKIV_DIR", str(VAR_DIR / "fiks-arkiv")))
# A copy without a receipt is sent again after this long, doubling each time (at most a day).
ARCHIVE_RECEIPT_WAIT_MINUTES = env_int("STAFETT_ARCHIVE_RECEIPT_WAIT_MINUTES", 60)
FIKS_IO = {
    "account_id": env_str("STAFETT_FIKS_IO_ACCOUNT_ID"),
    "integration_id": env_str("STAFETT_FIKS_IO_INTEGRATION_ID"),
    "integration_password_file": env_str("STAFETT_FIKS_IO_INTEGRATION_PASSWORD_FILE"),
    "private_key_file": env_str("STAFETT_FIKS_IO_PRIVATE_KEY_FILE"),
    "certificate_file": env_str("STAFETT_FIKS_IO_CERTIFICATE_FILE"),
}

# Uploaded documents (signed consent forms, photos) are private: stored
# outside the web root and served only through access control. Set
# STAFETT_FILE_STORAGE to an S3-compatible backend in production (README).
MAX_UPLOAD_MB = env_int("STAFETT_MAX_UPLOAD_MB", 10)
DATA_UPLOAD_MAX_MEMORY_SIZE = (MAX_UPLOAD_MB + 1) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_STORAGE_BACKEND = env_str("STAFETT_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")
STORAGES["default"] = {"BACKEND": FILE_STORAGE_BACKEND}
if FILE_STORAGE_BACKEND.endswith("FileSystemStorage"):
    STORAGES["default"]["OPTIONS"] = {"location": str(VAR_DIR / "files")}  # type: ignore[assignment]
elif FILE_STORAGE_BACKEND == "storages.backends.s3.S3Storage":
    # S3-compatible object storage (django-storages), shared by every app server and worker: private
    # objects, never overwritten; the keys come from boto3's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
    STORAGES["default"]["OPTIONS"] = {  # type: ignore[assignment]
        "bucket_name": env_str("STAFETT_S3_BUCKET", "stafett"),
        "endpoint_url": env_str("STAFETT_S3_ENDPOINT_URL") or None,
        "region_name": env_str("STAFETT_S3_REGION", "eu-north-1"),
        "default_acl": "private",
        "file_overwrite": False,
    }
