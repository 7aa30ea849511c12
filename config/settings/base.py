"""Settings shared by every environment.

Values that differ between machines come from the environment through ``config.env``; the defaults run
with nothing installed (SQLite and Celery's filesystem broker under ``var/``).
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_broker,
    env_choice,
    env_database,
    env_int,
    env_list,
    env_str,
    filesystem_broker_options,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

# Which settings module is in force; seed_demo refuses to run in "production".
ENVIRONMENT = "base"

# --- Core -------------------------------------------------------------------------------------------

SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-never-use-in-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Third party
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_celery_beat",
    "django_celery_results",
    "django_htmx",
    "simple_history",
    "axes",
    "bootstrap",
    "csp",
    # Tandem
    "accounts",
    "core",
    "partners",
    "programmes",
    "students",
    "practice",
    "curriculum",
    "reviews",
    "supervision",
    "funds",
    "integrity",
    "projects",
    "wellbeing",
    "quality",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so that static files get the Permissions-Policy header too.
    "core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.IdleSessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes last, as its documentation asks.
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
                "core.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------------


def prepared_statement_options() -> dict[str, object]:
    """PostgreSQL connection options that let a statement sent again on a kept connection skip planning
    (ADR 0061). Off (``{}``: Django's default, values inlined by psycopg and every statement planned afresh)
    unless ``DATABASE_PREPARED_STATEMENTS`` is on; production and the tests read the same variables.

    On: parameters bound by the server (``server_side_binding``), so that a statement's text is the same for
    every reader and value; psycopg prepares a text at its ``DATABASE_PREPARE_THRESHOLD``-th use plus one on
    a connection; PostgreSQL's ``plan_cache_mode`` (``DATABASE_PLAN_CACHE_MODE``) then decides, per prepared
    statement, whether to reuse one generic plan. ``auto`` (the default) reuses it once five custom plans show
    it no costlier; ``force_generic_plan`` plans the at-risk list's count for a date it does not know, several
    times slower (ADR 0061's evidence), so it is not the default."""
    if not env_bool("DATABASE_PREPARED_STATEMENTS", False):
        return {}
    mode = env_choice("DATABASE_PLAN_CACHE_MODE", ("auto", "force_generic_plan", "force_custom_plan"), "auto")
    return {
        "server_side_binding": True,
        "prepare_threshold": env_int("DATABASE_PREPARE_THRESHOLD", 2, minimum=0),
        "options": f"-c plan_cache_mode={mode}",
    }


DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tandem.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A database server that does not answer fails a new connection in seconds, not at the kernel's leisure.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
    DATABASES["default"]["OPTIONS"].update(prepared_statement_options())
# The hot pages' reads prepared statement by statement (``core.prepared``, ADR 0065); PostgreSQL only. Off behind a
# pooler in transaction mode that does not track prepared statements, as DATABASE_PREPARED_STATEMENTS.
DATABASE_PREPARED_PAGES = env_bool("DATABASE_PREPARED_PAGES", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and authentication --------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:start"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes: lock a username+address pair out after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The client's address for lockouts and API throttles alike (core.client_ip): how many proxies in front
# append to X-Forwarded-For. 0 without a proxy (the header is then ignored: any client can send one).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"

# API tokens expire this many hours after the login that issued them (accounts.services).
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 720, minimum=1)

# Sessions end after this many idle minutes (enforced by core.middleware.IdleSessionTimeoutMiddleware).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)

# The navigation's links, badges and unread count are kept in the cache between writes (core.navcache,
# ADR 0051); this many seconds at most, for writes no signal reports. 0: counted on every page.
NAV_CACHE_SECONDS = env_int("NAV_CACHE_SECONDS", 60, minimum=0)
# The hot pages are kept in the cache, per session, until a table they read is written (core.pagecache,
# ADR 0055); this many seconds at most (the clock they show, writes no connection of ours makes). 0: never.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60, minimum=0)
# Reads that weigh a whole table (who is at risk) are kept in the cache until a table they read is written
# (core.keptreads, ADR 0068); this many seconds at most (writes no connection of ours makes). 0: never.
READ_CACHE_SECONDS = env_int("READ_CACHE_SECONDS", 60, minimum=0)

# Practice hours: a student is "behind" when approved hours trail the pro-rata expectation by more than this percent.
PRACTICE_BEHIND_MARGIN = env_int("PRACTICE_BEHIND_MARGIN", 20, minimum=0)
# Bulk entries (API ``bulk``) are checked and written set-based on PostgreSQL (practice.services.bulk); off, or on
# SQLite, row by row through the same service as a single entry. Same results either way.
PRACTICE_BULK_SET_BASED = env_bool("PRACTICE_BULK_SET_BASED", True)
# The weekly spot-inspection draw: partners drawn per week, inspectors assigned to each (docs/supervision-draw.md).
SUPERVISION_DRAW_PICKS = env_int("SUPERVISION_DRAW_PICKS", 2, minimum=0)
SUPERVISION_DRAW_INSPECTORS_PER_PICK = env_int("SUPERVISION_DRAW_INSPECTORS_PER_PICK", 1, minimum=1)

# --- Wellbeing: encryption of health records and their retention -----------------------------------

# Fernet keys (comma-separated, newest first) that encrypt note bodies, request texts and questionnaire
# answers (wellbeing.crypto). The first key encrypts; every key decrypts, so a new key is put first and
# `manage.py wellbeing_rotate_keys` re-encrypts every row before the old one is dropped. This default is a
# public development key for `make run` and the tests: production refuses to start with it or without one.
WELLBEING_DEVELOPMENT_KEY = "ew9ZhptxZdBTlvHFMDPW1N9LFkvN_Y8lZQRemh5avBs="
WELLBEING_ENCRYPTION_KEYS = env_list("WELLBEING_ENCRYPTION_KEYS", [WELLBEING_DEVELOPMENT_KEY])
# Days a closed case is kept before it is destroyed (leaving anonymous counts only).
WELLBEING_RETENTION_DAYS = env_int("WELLBEING_RETENTION_DAYS", 365 * 3, minimum=1)
# Error pages and e-mailed reports show nothing of a wellbeing request's body or frames (wellbeing.reporting).
DEFAULT_EXCEPTION_REPORTER_FILTER = "wellbeing.reporting.ConfidentialExceptionReporterFilter"
# Statistics: a cell counting fewer people than this is suppressed.
WELLBEING_MIN_CELL = env_int("WELLBEING_MIN_CELL", 10, minimum=2)
# The public quality report hides every figure or cell about 1 to QUALITY_MIN_CELL - 1 people (quality.public).
QUALITY_MIN_CELL = env_int("QUALITY_MIN_CELL", 10, minimum=2)
# Whether ``seed_demo`` builds and publishes last year's quality report (four PDFs; quality/demo.py).
QUALITY_DEMO_REPORT = env_bool("QUALITY_DEMO_REPORT", True)

# --- Internationalisation ---------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it, even before collectstatic
WHITENOISE_USE_FINDERS = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Request bodies and uploads ---------------------------------------------------------------------
# A body without its files (form fields, JSON, also in the API: core.api.parsers) is at most 2.5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Uploaded files up to 2.5 MB stay in memory; larger ones go to a temporary file...
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# ...until they reach the largest file any upload accepts (evidence, agreements: 10 MB): then
# core.uploads.LimitedUploadHandler stops the file, and the form or the API says it is too large.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- E-mail -----------------------------------------------------------------------------------------

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Tandem <tandem@localhost>")
# Absolute address of the site, for links in e-mails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Django REST Framework and the OpenAPI schema ---------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an unauthenticated request gets 401 with a WWW-Authenticate header.
        "accounts.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "core.api.filters.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tandem API",
    "DESCRIPTION": "Joint postgraduate training: partners, programmes, plans, practice hours, supervision.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation's error answers (400, 401, 403, 404, 409, 413, 415, 429) in the one error format.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api.schema.document_errors"],
    # Several models have a "status" or "kind" with their own choices: name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "PartnerStatusEnum": "partners.models.PartnerStatus",
        "PartnerKindEnum": "partners.models.PartnerKind",
        "ProgrammeStatusEnum": "programmes.models.ProgrammeStatus",
        "AgreementStatusEnum": "programmes.models.AgreementStatus",
        "ObjectiveKindEnum": "programmes.models.ObjectiveKind",
        "MilestoneKindEnum": "programmes.models.MilestoneKind",
        "ParticipationRoleEnum": "programmes.models.ParticipationRole",
        "MembershipRoleEnum": "partners.models.MembershipRole",
        "StudentStatusEnum": "students.models.StudentStatus",
        "PlanStatusEnum": "students.models.PlanStatus",
        "PlacementStatusEnum": "students.models.PlacementStatus",
        "MilestoneStatusEnum": "students.models.MilestoneStatus",
        "SubmissionKindEnum": "integrity.models.SubmissionKind",
        "CaseKindEnum": "integrity.models.CaseKind",
        "CaseStatusEnum": "integrity.models.CaseStatus",
        "CheckStatusEnum": "integrity.models.CheckStatus",
        "QualityReportStatusEnum": "quality.models.QualityReportStatus",
    },
}

# --- Object permissions (django-guardian) -----------------------------------------------------------

# Grants are read by partners.access (merged into scope()), not through guardian's auth backend.
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None  # guardian's anonymous user is not used: the public sees only public pages.

# --- Celery -----------------------------------------------------------------------------------------

CELERY_BROKER_URL = env_broker("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_FOLDER = VAR_DIR / "celery"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(CELERY_BROKER_FOLDER)
    # The transport needs its folders before the worker starts.
    for _folder in ("queue", "control", "processed"):
        (CELERY_BROKER_FOLDER / _folder).mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# The longest a task may run (the worker kills it then); the soft limit, four fifths of it, lets it clean up
# first. Every claim (core.claims) and the broker's visibility timeout below are derived from it.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=5)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT * 4 // 5
# A broker that is down or hung costs a request seconds, never minutes (docs/decisions/0015): publishing is
# tried twice at most, each connection attempt and each socket read or write gives up after 2 seconds, and
# the work waits in the database for its sweep (core.queueing).
BROKER_TIMEOUT = 2
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# Redis's transport options (also read by the fault tests, which point the app at a broker in trouble).
REDIS_BROKER_TRANSPORT_OPTIONS = {
    # A message taken by a worker that died before acknowledging it goes back to the queue after this many
    # seconds (Redis's default is an hour). Longer than the hard time limit and any retry's countdown, so a
    # task still running is never handed to a second worker; longer than a job's claim (core.claims), so
    # the redelivered task finds the dead worker's claim stale and takes the job over.
    "visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT,
    "socket_connect_timeout": BROKER_TIMEOUT,
    "socket_timeout": BROKER_TIMEOUT,
    "socket_keepalive": True,
    # A consumer's connection whose broker went silent is dropped and made again within about a minute.
    "health_check_interval": 25,
}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = dict(REDIS_BROKER_TRANSPORT_OPTIONS)
# The result backend is the database (its connect_timeout above); were it moved to Redis, the same timeouts.
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = BROKER_TIMEOUT
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Content security policy (django-csp 4) ---------------------------------------------------------
# Everything is served from our own origin: Bootstrap, htmx and the API docs come from packages.

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# Browser features no page uses are off, on every response (core.middleware.SecurityHeadersMiddleware).
# Evidence photos come through a file input (the tablet's camera app), which needs no camera permission.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

# --- Logging ----------------------------------------------------------------------------------------

LOG_LEVEL = env_choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"), "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}
