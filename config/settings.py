"""Settings for the Inspection Recommendations Tracker, read from environment variables.

See README.md for the variables. With no environment at all the app refuses to start, because
SECRET_KEY is required unless DEBUG is on; `make run` turns DEBUG on for the quick start.
"""

import re
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
# Without SECRET_KEY (and with DEBUG off) commands that sign nothing, such as `migrate`,
# `makemigrations --check` or `send_reminders`, still run, on a throwaway key of this process;
# serving the site refuses to start (config/wsgi.py, config/asgi.py: require_secret_key).
SECRET_KEY_IS_THROWAWAY = not SECRET_KEY and not DEBUG
if not SECRET_KEY:
    SECRET_KEY = (
        secrets.token_urlsafe(50)
        if SECRET_KEY_IS_THROWAWAY
        else "django-insecure-development-only-key"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    # The stored search document's field and the trigram lookups (recommendations 0013).
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "core",
    "axes",
    "audit",
    "accounts",
    "inspections",
    "recommendations",
    "public",
    "backoffice",
    "imports",
    "reminders",
    "alerts",
    "portal",
    "workspace",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Before anything reads a parameter: control characters in the input get a 400.
    "core.security.ControlCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous readers' cached pages, served before the session, language, URL and sign-in are
    # looked at; the middleware above still adds the security headers and CSP (public/
    # page_cache.py).
    "public.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session, before CommonMiddleware: the language comes from the URL (/cy/...).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

# SQLite under var/ is only the zero-setup default for the quick start; production and CI use
# PostgreSQL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tracker.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60)
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL cannot be understood: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # The words search's misspelling fallback (recommendations/filters.py) keeps a word whose
    # trigrams mostly appear in a finding's words. pg_trgm's default threshold, 0.6, misses a
    # dropped letter in a short word: "custdy" shares 4 of its 7 trigrams with "custody".
    # The facet counts of a words search that matches 60,000 items group them five ways at
    # once (recommendations/filters.py: FactsCounts); within PostgreSQL's default 4 MB of
    # working memory they are sorted first, a quarter slower.
    work_mem = env_str("DATABASE_WORK_MEM") or "32MB"
    size = re.fullmatch(r"([0-9]+)(kB|MB|GB)", work_mem)
    if not size or int(size[1]) * {"kB": 1, "MB": 1024, "GB": 1024**2}[size[2]] < 64:
        raise ImproperlyConfigured(
            f"DATABASE_WORK_MEM={work_mem!r} is not a size of at least 64kB, like 32MB"
        )
    # After any options DATABASE_URL gives (?options=...), which these would otherwise replace.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = " ".join(
        part
        for part in (
            options.get("options", ""),
            f"-c pg_trgm.word_similarity_threshold=0.5 -c work_mem={work_mem}",
        )
        if part
    )

# Two caches. "default" holds what saves work: the public pages' counts (public/
# counts_cache.py, for at most COUNTS_CACHE_SECONDS) and the dates behind the API's
# Last-Modified (api/conditional.py). "shared" holds what must be one for every worker and
# server: the API's rate limits (api/throttling.py).
#
# With CACHE_URL=redis://host:6379/0 both live in that Redis, so every process of every server
# sees the same counts, dates and limits. Without it (the quick start) "default" is each
# process's memory and "shared" a table in the database (`manage.py migrate` makes it, api/
# apps.py): one server works as before, but its workers' counts and dates differ.
#
# In Redis each cache's keys start with CACHE_KEY_PREFIX and its name, so that several sites (or
# test runs) can share one Redis database, and clearing one cache deletes its own keys only
# (core/cache.py); a separate database number in CACHE_URL keeps them apart as well.
CACHE_URL = env_str("CACHE_URL") or ""
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX") or "tracker:"


def _redis_caches(url: str, prefix: str) -> dict:
    return {
        alias: {
            "BACKEND": "core.cache.PrefixedRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix + alias,
        }
        for alias in ("default", "shared")
    }


if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = _redis_caches(CACHE_URL, CACHE_KEY_PREFIX)
elif CACHE_URL:
    raise ImproperlyConfigured(
        f"CACHE_URL={CACHE_URL!r} cannot be understood: give a redis:// address, or leave it "
        "empty to keep the caches in this process and the database."
    )
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX + "default",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
        "shared": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "tracker_cache",
            "KEY_PREFIX": CACHE_KEY_PREFIX + "shared",
        },
    }
COUNTS_CACHE_SECONDS = env_int("COUNTS_CACHE_SECONDS", 300)

# --- Whole-page cache (public/page_cache.py) ---
# The anonymous public pages, cached whole under the version of the data they show: at most this
# many seconds (a change of data makes a new version at once); 0 turns the page cache off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
# The version of the data is worked out (one query) at most this often, and at once after any
# write through the app, an embargo lifting or midnight; a write that sends no signal (a bulk
# update, SQL from elsewhere) shows within this many seconds.
PAGE_VERSION_SECONDS = env_int("PAGE_VERSION_SECONDS", 5)
# Each process also keeps the pages it served lately, up to this many MB, so that a hit reads
# only the version from Redis, not the page.
PAGE_CACHE_LOCAL_MB = env_int("PAGE_CACHE_LOCAL_MB", 32)
# --- end whole-page cache ---


def _api_rate(name: str, default: str) -> str:
    """A rate limit such as "120/minute": a number of requests per second, minute, hour or day."""
    value = (env_str(name) or default).strip()
    number, _, period = value.partition("/")
    if not number.isdigit() or period not in {"second", "minute", "hour", "day"}:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a rate: write e.g. 120/minute (second, minute, hour, day)."
        )
    return value


# How many proxies of our own stand in front of the app (a load balancer, nginx), each adding
# the address it was reached from to X-Forwarded-For. The client's address is the one the
# outermost of them saw; with 0 it is the address of the connection, and X-Forwarded-For, which
# any client can write, is ignored (core/security.py: client_ip).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")

# The open data API (api/): anonymous clients are limited per address, token holders per person.
API_ANON_RATE = _api_rate("API_ANON_RATE", "120/minute")
API_TOKEN_RATE = _api_rate("API_TOKEN_RATE", "600/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.IdCursorPagination",
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.AnonymousThrottle",
        "api.throttling.TokenThrottle",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.views.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Inspection Recommendations Tracker: open data API",
    "DESCRIPTION": (
        "What inspectorates found in police forces, fire and rescue services and policing "
        "bodies, and what has been done about it since. Published data only. The data is "
        "available under the Open Government Licence v3.0."
    ),
    "VERSION": "1.0.0",
    "LICENSE": {
        "name": "Open Government Licence v3.0",
        "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    },
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "recommendations.choices.Status",
        "FindingKindEnum": "recommendations.choices.FindingKind",
        "SelfAssessmentEnum": "recommendations.choices.SelfAssessment",
        "SourceEnum": "recommendations.choices.Source",
        "Section55ActionEnum": "recommendations.choices.Section55Action",
        "OrganisationKindEnum": "inspections.choices.OrganisationKind",
        "CountryEnum": "inspections.choices.Country",
        "RegionEnum": "inspections.choices.Region",
        "ProgrammeKindEnum": "inspections.choices.ProgrammeKind",
        "GradingScaleEnum": "inspections.choices.GradingScale",
        "GradeEnum": "inspections.choices.Grade",
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# django-axes counts failed sign-ins (on /account/sign-in/ and /admin/login/ alike, both go
# through authenticate()) per username from one address and per address alone, and refuses
# more for a while (templates/accounts/locked_out.html). The counts are rows in the database,
# shared by every worker.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5)
_LOCKOUT_MINUTES = env_int("SIGN_IN_LOCKOUT_MINUTES", 15)
AXES_COOLOFF_TIME = timedelta(minutes=_LOCKOUT_MINUTES)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "core.security.sign_in_username"
# Successful sign-ins are not stored: only failures are needed to throttle.
AXES_DISABLE_ACCESS_LOG = True
# Not in the admin: a lockout ends by itself, or early with `manage.py axes_reset_username NAME`
# (or axes_reset_ip ADDRESS).
AXES_ENABLE_ADMIN = False
if AXES_FAILURE_LIMIT < 1 or _LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured(
        "SIGN_IN_FAILURE_LIMIT and SIGN_IN_LOCKOUT_MINUTES must be 1 or more."
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# English and Welsh, as the Welsh Language Standards ask of a site about Welsh public bodies.
# English is the default and its addresses have no prefix; Welsh pages are under /cy/
# (config/urls.py). README, "How to add or correct a translation".
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
MEDIA_URL = "/media/"
# Evidence files are served only through a view that checks who asks (never from MEDIA_URL).
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_MB", 20) * 1024 * 1024
# The admin's bulk import of findings: a larger file is refused before it is read, and one
# with more rows below its header is refused while its rows are read.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 5) * 1024 * 1024
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 10_000)
# A confirmed import of more rows than this is applied by a background job (imports.tasks),
# the inspector following it on a status page; smaller ones are applied by the request.
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 500)

# One-time form tokens (core): how long a form may wait before it is sent, and how long used
# tokens are kept to answer a late replay with what it already did.
FORM_TOKEN_HOURS = env_int("FORM_TOKEN_HOURS", 24)
FORM_TOKEN_KEEP_DAYS = env_int("FORM_TOKEN_KEEP_DAYS", 7)
# Larger uploads stream to a temporary file rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

_EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND}}
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("EMAIL_HOST") or "localhost",
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER") or "",
        "password": env_str("EMAIL_HOST_PASSWORD") or "",
        "use_tls": env_bool("EMAIL_USE_TLS", default=False),
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "tracker@localhost"
# Named on the accessibility statement, privacy notice and feedback page.
SERVICE_OWNER = (
    env_str("SERVICE_OWNER") or "the team that runs the Inspection Recommendations Tracker"
)
CONTACT_EMAIL = env_str("CONTACT_EMAIL") or DEFAULT_FROM_EMAIL
# The public's email alerts: an address never confirmed is deleted after this many days, and
# its confirmation link expires with it (alerts/services.py).
ALERTS_UNCONFIRMED_DAYS = env_int("ALERTS_UNCONFIRMED_DAYS", 3)
# Links in emails are absolute: the address the site is reached at, without a trailing slash.
SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")

LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "accounts:home"
# Scripts never need the session cookie (Django's default, stated here on purpose).
SESSION_COOKIE_HTTPONLY = True

# Messages ("Your choices have been saved") ride in the session, not a cookie of their own: the
# cookies page (public/pages.py) promises the session and CSRF cookies only.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", default=False) else None
)
# HTTPS: plain HTTP is redirected when SECURE_SSL_REDIRECT is on (off by default, so that the
# quick start and `docker compose up` work on http://127.0.0.1). HSTS is sent only on HTTPS
# answers, so it is on by default away from DEBUG; see README, "Production settings".
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (Django's own middleware): scripts and styles only from our static
# files, plus the one inline script of base.html and inline styles that carry the page's nonce
# ({{ csp_nonce }}). No frames, plugins or other sites. With DEBUG it only reports (in the
# browser's console), as Django's own error pages have inline styles and scripts.
_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CSP = {} if DEBUG else _CSP
SECURE_CSP_REPORT_ONLY = _CSP if DEBUG else {}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    # Django's own console handler would print each of its lines a second time.
    "loggers": {"django": {"handlers": ["console"], "propagate": False}},
}

# ---------------------------------------------------------------------------------------------
# Several servers: background jobs and evidence storage (issue 14). Kept in one block.
# ---------------------------------------------------------------------------------------------

# Background jobs (Django's tasks framework): reminders, the public's alert digests and the
# emails the site sends. "database" keeps the queue in a table of DATABASE_URL (django-tasks-db)
# that any number of `manage.py db_worker` processes, on any server, share: each takes a job
# under a row lock with SKIP LOCKED, so no two run the same one. "immediate" runs each job in
# the process that asks for it, at once: the quick start's default, needing no worker.
INSTALLED_APPS += ["django_tasks_db"]
TASKS_BACKEND = (env_str("TASKS_BACKEND") or ("immediate" if DEBUG else "database")).strip()
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND={TASKS_BACKEND!r} cannot be understood: use database or immediate."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}


def _evidence_storage(backend: str) -> dict:
    """Where evidence files (and pending bulk imports) are kept: this server's disk under
    MEDIA_ROOT, or an S3-compatible bucket that every server reaches. Either way they are served
    only through the download view, after the access policy (portal/views.py)."""
    if backend == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if backend != "s3":
        raise ImproperlyConfigured(
            f"STORAGE_BACKEND={backend!r} cannot be understood: use filesystem or s3."
        )
    bucket = env_str("AWS_STORAGE_BUCKET_NAME")
    if not bucket:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME.")
    options = {
        "bucket_name": bucket,
        "access_key": env_str("AWS_ACCESS_KEY_ID"),
        "secret_key": env_str("AWS_SECRET_ACCESS_KEY"),
        "region_name": env_str("AWS_S3_REGION_NAME"),
        # Another S3-compatible service (MinIO, Ceph, a cloud's object store): its address.
        "endpoint_url": env_str("AWS_S3_ENDPOINT_URL"),
        "location": env_str("AWS_LOCATION") or "",
        # Private objects, never a public link: files are read through the app.
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": 60,
        # A second upload with the same name gets a name of its own rather than replacing it.
        "file_overwrite": False,
    }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {name: value for name, value in options.items() if value is not None},
    }


STORAGE_BACKEND = (env_str("STORAGE_BACKEND") or "filesystem").strip()
STORAGES["default"] = _evidence_storage(STORAGE_BACKEND)
