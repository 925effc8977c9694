"""Settings, all read from the environment (see .env.example for every variable).

With nothing set but DJANGO_DEBUG=true the portal runs on SQLite with Celery tasks
executed in-process, which is what `make run` does. Production sets DATABASE_URL,
REDIS_URL and DJANGO_SECRET_KEY; there is no default secret outside debug.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name, default):
    """A boolean that refuses typos: `DJANGO_DEBUG=ture` stops the start-up."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=None)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false")
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The portal's address as its users reach it, for the links of the daily e-mail digest
# (a notice's link is a path; an e-mail needs the whole address).
PORTAL_SITE_URL = env.str("PORTAL_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "axes",
    "simple_history",
    "portal",
    "villages",
    "rectification",
    "firstsecretary",
    "inspections",
    # The roof, above every app: the pages and the URL conf that compose them.
    "home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.CookieLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.scope: what the signed-in user may read (portal.scoping.Scope).
    "portal.scoping.ScopeMiddleware",
    # Records the signed-in user on every history entry written during the request.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view or the CSRF check reads the body: an oversized upload is refused unread.
    "portal.uploads.UploadLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "home.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "portal.context_processors.navigation",
            ],
        },
    },
    {
        # The parts drawn many times over (a list's rows), through `{% jinja %}`.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "portal.jinja2.environment"},
    },
]
# Widgets are drawn by Jinja2 where Django ships a Jinja2 template for them (portal/renderers.py).
FORM_RENDERER = "portal.renderers.FormRenderer"

# --- Data -----------------------------------------------------------------------------

VAR_DIR = Path(env.str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Behind pgbouncer in transaction mode a server-side cursor (what `.iterator()` opens on
# PostgreSQL for exports and reports) cannot outlive its transaction's server connection:
# Django must not use them there (its documented caveat). Session mode needs nothing.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
    "DATABASE_TRANSACTION_POOLING", False
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One Redis serves the Celery broker, its result backend and the cache. Redis down must make
# the portal slower, never broken: every use of it gives up within a second (the timeouts
# below and TASK_SEND_TIMEOUT), and work a request hands to the workers is recorded in the
# database first (portal.queue.send). Sessions and the login lock-out live in the database.
REDIS_URL = env.str("REDIS_URL", default="")
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
if REDIS_URL:
    CACHES = {
        "default": {
            # Fails open: a Redis that cannot answer is a cache miss (portal/cache.py).
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

MEDIA_ROOT = Path(env.str("PORTAL_MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded and generated files are never served by URL: views check scope, then stream.
MEDIA_URL: str | None = None

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
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

# --- Users and login -------------------------------------------------------------------

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first so that a locked-out user is refused before the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)

# How many reverse proxies stand in front of the portal and append to X-Forwarded-For: the
# client's address is read that many entries from the header's right end (portal.http).
# 0 (no proxy) ignores the header, which anyone can forge.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")

# Five failures for one user name from one client address lock that pair out for 30
# minutes: the same user logs in from another address, and nobody can lock another out.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "portal.http.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# --- Language and time -------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- API ---------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # The session for the browser; an API token (portal.drf.TokenAuthentication) for scripts.
    # The session comes first: a request with neither is answered 403, not 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "portal.drf.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.drf.RolePermission"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "portal.drf.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "portal.drf.Pagination",
    "EXCEPTION_HANDLER": "portal.drf.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "整顿软弱涣散村党组织 · API",
    "DESCRIPTION": "Read and write the portal's data within the caller's division scope.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's files come from drf-spectacular-sidecar: the intranet has no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # A request body gets its own component (FooRequest, PatchedFooRequest) without the
    # read-only fields: a client is never told to send `id`, `status` or `total`.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.openapi.document_errors",
    ],
    # One name per choice set, where several models' fields share a name ("kind", "status").
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "rectification.choices.CaseStatus",
        "PlanStatusEnum": "rectification.choices.PlanStatus",
        "RoundStatusEnum": "inspections.choices.RoundStatus",
        "FindingStatusEnum": "inspections.choices.FindingStatus",
        "ProjectStatusEnum": "firstsecretary.choices.ProjectStatus",
        "VillageKindEnum": "villages.choices.VillageKind",
        "ActivityKindEnum": "villages.choices.ActivityKind",
        "RoundKindEnum": "inspections.choices.RoundKind",
        "UnitKindEnum": "firstsecretary.choices.UnitKind",
        "LogKindEnum": "firstsecretary.choices.LogKind",
        "SupportKindEnum": "firstsecretary.choices.SupportKind",
        # What a user may do with an object now (its available_actions).
        "CaseActionEnum": "rectification.choices.CASE_ACTIONS",
        "FindingActionEnum": "inspections.choices.FINDING_ACTIONS",
        "SupportActionEnum": "firstsecretary.choices.SUPPORT_LINK_ACTIONS",
    },
}

# --- Celery ------------------------------------------------------------------------------

# Without REDIS_URL the tasks run in-process (eager), so `make run` needs no broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# In-process, a task runs inside the request that sends it (the tests) or, with this on
# (`make run`), in a thread of the web process once the request has handed it over, as a
# worker would: the page answers at once and a background report shows its progress bar.
TASKS_IN_THREAD = env_bool("TASKS_IN_THREAD", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Nothing reads a task's result: progress is in the database (GeneratedReport). Without
# this every send first subscribes to the result backend, which with Redis down retries
# for about 20 s and then leaves the process unable to send ("must be restarted").
CELERY_TASK_IGNORE_RESULT = True
# Whoever asks for a result explicitly (the worker tests) waits seconds, not 20 retries.
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.3,
        "interval_max": 0.5,
    }
}
# A request hands work over through portal.queue.send: its own connection, each attempt
# giving up after TASK_SEND_TIMEOUT seconds, one retry (a connection Redis dropped). With
# Redis refused, down or hung a page answers within about a second; the work stays
# recorded and the sweeper (resend-reports, every 5 minutes) sends it when Redis is back.
TASK_SEND_TIMEOUT = 0.5
# Beat and the workers publish with the pooled connection and these retries.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.3,
    "interval_max": 0.5,
}
# A task is acknowledged when it ends (acks_late). If the whole worker dies mid-task, Redis
# hands the unacknowledged task to the next worker after the visibility timeout, which must
# outlast the longest task (CELERY_TASK_TIME_LIMIT) or a running task is delivered twice.
# (A pool child that dies is requeued at once: reject_on_worker_lost.)
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * CELERY_TASK_TIME_LIMIT)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Workers look for such tasks every interval × throttle seconds: kombu's 10 × 10 for
    # an hour's timeout, proportionally sooner for a short one (the worker-kill tests).
    "unacked_restore_interval": min(10, max(1, CELERY_VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": min(10, max(1, CELERY_VISIBILITY_TIMEOUT // 360)),
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Queues, one per kind of work, so that a long piece of one kind never delays another: a
# province-wide import or a national report cannot hold up the 25th's deadline check. A
# worker started without -Q consumes all four (`make run`'s eager mode ignores them); a
# deployment runs one pool for `periodic,default` and others for `imports` and `reports`
# (docker-compose.yml, Procfile). Routing is declared here once, by task name; a task
# named nowhere goes to `default`. Globs: an app's background import or batch task is an
# import whatever its module.
CELERY_TASK_DEFAULT_QUEUE = "default"
# Each queue its own routing key: on one exchange, a shared key would copy every message
# to all four queues.
CELERY_TASK_QUEUES = [
    Queue(name, routing_key=name) for name in ("periodic", "imports", "reports", "default")
]
CELERY_TASK_ROUTES = {
    # Beat's runs: the deadline check, reminders, digests, sweeps. Short, and due on time.
    "portal.tasks.run_job": {"queue": "periodic"},
    "portal.tasks.resend_reports": {"queue": "periodic"},
    "portal.tasks.purge_expired_reports": {"queue": "periodic"},
    # Generated reports: background exports and quarterly reports, their parts and joins.
    "portal.tasks.build_report": {"queue": "reports"},
    "portal.tasks.build_report_part": {"queue": "reports"},
    "portal.tasks.join_report": {"queue": "reports"},
    # Uploaded workbooks checked and written in the background, bulk transitions.
    "*import*": {"queue": "imports"},
    "*batch*": {"queue": "imports"},
    "*bulk*": {"queue": "imports"},
}
# The beat schedule: each app declares its periodic runs beside its jobs (portal.jobs.every).

# --- E-mail (the daily notification digest) ---------------------------------------------

# e.g. smtp+tls://user:password@smtp.example.gov.cn:587 ; the default prints to the console.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")

# --- The portal's own ------------------------------------------------------------------

# A filtered export up to this many rows is built in the request; above it, a Celery task
# builds it as a generated report with a progress bar.
EXPORT_SYNC_MAX_ROWS = env.int("EXPORT_SYNC_MAX_ROWS", default=2000)
# Generated reports (and their files) are deleted after this many days.
REPORT_RETENTION_DAYS = env.int("REPORT_RETENTION_DAYS", default=30)
# Notifications read more than this many days ago are deleted (unread ones are kept).
NOTIFICATION_RETENTION_DAYS = env.int("NOTIFICATION_RETENTION_DAYS", default=90)
# Batches (one action on many cases: the API's /cases/batch/ and the ledger page): up to
# BULK_SYNC_MAX_ITEMS records are acted on in the request (1,000 cost 5-8 s of CPU,
# README); more, up to BULK_MAX_ITEMS, go to a worker as a job to poll.
BULK_SYNC_MAX_ITEMS = env.int("BULK_SYNC_MAX_ITEMS", default=1000)
BULK_MAX_ITEMS = env.int("BULK_MAX_ITEMS", default=20000)

# Excel imports: a file of up to IMPORT_SYNC_MAX_ROWS rows is read and checked in the
# request, and confirmed in it; a larger one (a city's or a province's ratings or ledger)
# is checked and then written by a worker, with a progress bar. IMPORT_MAX_ROWS rows at
# most in one file, and IMPORT_MAX_MB megabytes.
IMPORT_SYNC_MAX_ROWS = env.int("IMPORT_SYNC_MAX_ROWS", default=2000)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
IMPORT_MAX_MB = env.int("IMPORT_MAX_MB", default=20)
# An uploaded workbook is bounded before and while it is read (portal/imports.py), so that
# a small file that unpacks to gigabytes or declares millions of rows is refused at once:
# megabytes once unzipped (all parts, and the largest part), how many times a part may be
# compressed (a part above 1 MB), rows of a sheet counting blank ones and the declared
# range, columns, cells, and characters in a cell (Excel's own limit is 32,767). The
# defaults take IMPORT_MAX_ROWS rows of the ledger (13 columns) as the portal writes them
# (about 1 kB of XML a row).
IMPORT_MAX_UNZIPPED_MB = env.int("IMPORT_MAX_UNZIPPED_MB", default=200)
IMPORT_MAX_PART_MB = env.int("IMPORT_MAX_PART_MB", default=150)
IMPORT_MAX_ZIP_RATIO = env.int("IMPORT_MAX_ZIP_RATIO", default=100)
IMPORT_MAX_SHEET_ROWS = env.int("IMPORT_MAX_SHEET_ROWS", default=101_000)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=64)
IMPORT_MAX_CELLS = env.int("IMPORT_MAX_CELLS", default=2_000_000)
IMPORT_MAX_CELL_CHARS = env.int("IMPORT_MAX_CELL_CHARS", default=32767)

# Evidence files: the largest upload in megabytes (types are checked by content).
ATTACHMENT_MAX_MB = env.int("ATTACHMENT_MAX_MB", default=10)
# Office files (.xlsx, .docx, imports and evidence): most parts in the zip, checked from its
# end record before the zip's directory is read.
UPLOAD_MAX_ZIP_MEMBERS = env.int("UPLOAD_MAX_ZIP_MEMBERS", default=1000)

# First secretaries: fewest days on site in a month before the county is told, and how
# many weak villages one excellent village secretary may mentor (seed 000: 2–3).
FIRST_SECRETARY_MIN_DAYS_ON_SITE = env.int("FIRST_SECRETARY_MIN_DAYS_ON_SITE", default=20)
MENTOR_MAX_VILLAGES = env.int("MENTOR_MAX_VILLAGES", default=3)
# Contact visits (联系包保走访): most photos attached to one visit.
CONTACT_VISIT_MAX_PHOTOS = env.int("CONTACT_VISIT_MAX_PHOTOS", default=6)

# Work logs that can be trusted: signals for the county to look at (请核实), never verdicts.
# Entries of the county's last TRUST_WINDOW_MONTHS months are compared (a bounded cost).
TRUST_WINDOW_MONTHS = env.int("TRUST_WINDOW_MONTHS", default=3)
# Two entries are near-duplicates from this Jaccard similarity of their character 3-grams;
# entries shorter than TRUST_TEXT_MIN_CHARS characters are not compared (a short routine
# line, "入户走访", repeats honestly).
TRUST_TEXT_SIMILARITY = env.float("TRUST_TEXT_SIMILARITY", default=0.7)
TRUST_TEXT_MIN_CHARS = env.int("TRUST_TEXT_MIN_CHARS", default=30)
# Two photos are the same picture up to this Hamming distance of their 64-bit perceptual
# hashes (re-encoded or resized copies stay within a few bits).
TRUST_PHOTO_MAX_DISTANCE = env.int("TRUST_PHOTO_MAX_DISTANCE", default=6)
if not 0 < TRUST_TEXT_SIMILARITY <= 1 or not 0 <= TRUST_PHOTO_MAX_DISTANCE < 32:
    raise ImproperlyConfigured("TRUST_TEXT_SIMILARITY in (0, 1], TRUST_PHOTO_MAX_DISTANCE < 32")

# Monthly activity plans: due by this day of the month before (seed 000: the 25th), in
# TIME_ZONE; a plan submitted at 23:59:59 that day is on time, at 00:00:00 the next, late.
ACTIVITY_PLAN_DUE_DAY = env.int("ACTIVITY_PLAN_DUE_DAY", default=25)
if not 1 <= ACTIVITY_PLAN_DUE_DAY <= 28:
    raise ImproperlyConfigured("ACTIVITY_PLAN_DUE_DAY must be between 1 and 28")

# Acceptance review (考核验收): the total score that passes (checklist points sum to 100).
ACCEPTANCE_PASS_MARK = env.int("ACCEPTANCE_PASS_MARK", default=70)
# Screening (十星级): at most this many stars is class 3, from RATING_CLASS1_MIN_STARS class 1.
RATING_CLASS3_MAX_STARS = env.int("RATING_CLASS3_MAX_STARS", default=4)
RATING_CLASS1_MIN_STARS = env.int("RATING_CLASS1_MIN_STARS", default=8)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Behind HTTPS --------------------------------------------------------------------------

if env_bool("DJANGO_HTTPS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = False
    # The preload list is for public domains; an intranet host name cannot be on it.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
CONTENT_SECURITY_POLICY = env.str(
    "CONTENT_SECURITY_POLICY",
    default=(
        # Style attributes only are allowed inline: ECharts' SVG charts are drawn with them
        # (they cannot run code); <style> elements and every script come from the portal.
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "style-src-attr 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
)
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
