"""Settings shared by every environment, read from the process environment.

Zero-setup defaults exist only for the demo: with no DATABASE_URL the database is a
SQLite file under var/, and with no REDIS_URL Celery runs tasks eagerly and the cache
lives in process memory.
"""

from datetime import timedelta
from pathlib import Path

import environ

from config.logging import log_format

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    "config.admin_site.EvidentiaAdminConfig",  # django.contrib.admin, with our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "simple_history",
    "django_celery_beat",
    "csp",
    "axes",
    "references",
    "therapies",
    "evidence",
    "search",
    "fhir_api",
]

MIDDLEWARE = [
    # First, so every response (redirects and errors included) and log line has the id.
    "config.middleware.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Cached pages and summaries for anonymous readers, before everything that cannot
    # change them (CSP, sessions, CSRF, auth, messages; see the module).
    "config.middleware.cached_pages.CachedPageMiddleware",
    # A lost database connection answers 503 + Retry-After, not 500 (see the module).
    "config.middleware.unavailable.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above sessions, CSRF and messages: it must see every cookie they set (see the module).
    "config.middleware.cache_control.CacheControlMiddleware",
    # Anonymous reads on a replica, when DATABASE_REPLICA_URLS names any (config/db_router.py).
    "config.db_router.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the lockout flag the axes backend sets (see Security below).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

if not env("DATABASE_URL", default=""):
    VAR_DIR.mkdir(exist_ok=True)  # the zero-setup SQLite file lives here

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'evidentia.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: a search costed past jit_above_cost spent 45 ms compiling what ran in 20.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"-c jit=off {_options.get('options', '')}".strip()
# Streaming replicas of the primary, comma-separated URLs: anonymous reads go to them
# (config/db_router.py). Each is the primary's settings with its own server; in tests each
# mirrors the primary, as Django cannot create a test database on a read-only server.
DATABASE_REPLICA_URLS = env.list("DATABASE_REPLICA_URLS", default=[])
for _number, _url in enumerate(DATABASE_REPLICA_URLS):
    _replica = {**DATABASES["default"], **env.db_url_config(_url), "TEST": {"MIRROR": "default"}}
    # One that does not answer within the timeout is skipped (config/db_router.py).
    _replica["OPTIONS"] = {"connect_timeout": 2, **_replica.get("OPTIONS", {})}
    DATABASES[f"replica_{_number}"] = _replica
DATABASE_REPLICAS = [alias for alias in DATABASES if alias.startswith("replica_")]
REPLICA_RETRY_SECONDS = env.int("REPLICA_RETRY_SECONDS", default=30)
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"] if DATABASE_REPLICAS else []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# collectstatic writes here and whitenoise serves from here.
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            # Redis down: served as an empty cache with a logged warning (config/cache.py).
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "evidentia",
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Formatted citations are cached per reference and style.
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True

# The queue the web publishes to and workers consume; one Redis can then hold the queues of
# several deployments (or tests) apart.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
CELERY_TASK_TIME_LIMIT = 11 * 60
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Seconds before Redis hands a delivered but unacknowledged task (acks_late: a worker that
# died mid-task) to another worker; longer than any task. Tests of redelivery shorten it.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=15 * 60),
    # A web request that publishes must learn within ~2 s that Redis is down (and answer
    # 503), not hang in redis-py's and kombu's retries.
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Installed into django_celery_beat's tables when beat starts. Redis keeps nothing on
# disk: the database says which import jobs are unfinished, and this publishes again those
# whose task was lost (references/tasks.py; also run at every worker start).
CELERY_BEAT_SCHEDULE = {
    "requeue-lost-import-jobs": {
        "task": "references.requeue_import_jobs",
        "schedule": 5 * 60,
    },
}
IMPORT_REQUEUE_PENDING_AFTER_SECONDS = env.int("IMPORT_REQUEUE_PENDING_AFTER_SECONDS", default=60)
IMPORT_REQUEUE_RUNNING_AFTER_SECONDS = env.int(
    "IMPORT_REQUEUE_RUNNING_AFTER_SECONDS", default=60 * 60
)
CELERY_TIMEZONE = TIME_ZONE

# Upstream bibliographic services; tests point these at a local server.
CONTACT_EMAIL = env("CONTACT_EMAIL", default="evidentia@example.org")
NCBI_API_KEY = env("NCBI_API_KEY", default="")
PUBMED_BASE_URL = env("PUBMED_BASE_URL", default="https://eutils.ncbi.nlm.nih.gov/entrez/eutils/")
CROSSREF_BASE_URL = env("CROSSREF_BASE_URL", default="https://api.crossref.org/")
UPSTREAM_TIMEOUT_SECONDS = env.float("UPSTREAM_TIMEOUT_SECONDS", default=20.0)
REFERENCE_STALE_DAYS = env.int("REFERENCE_STALE_DAYS", default=30)
# Reference-manager uploads: the request refuses a file over the size cap; the worker,
# which parses it, fails a job whose file holds more records than the record cap.
IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)
IMPORT_MAX_RECORDS = env.int("IMPORT_MAX_RECORDS", default=200_000)

# Reverse proxies in front of the app that append the address they saw to X-Forwarded-For.
# The client is the address that many hops from the right of that header; 0 (the default)
# believes only REMOTE_ADDR, as anything a client sends in X-Forwarded-For could be forged.
# The API throttles (DRF's NUM_PROXIES) and the login lockout (axes, through
# config.security.client_ip) both read it. AXES_PROXY_COUNT is its former name.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=env.int("AXES_PROXY_COUNT", default=0))

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.AutoSchema",
    # None would take X-Forwarded-For whole, which a client can set to anything.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        # DRF's, allowing its few fixed style attributes under the CSP (see the module).
        "config.security.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "config.api.negotiation.ContentNegotiation",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    # config.api.exceptions' handler, with a lost database answered 503 instead of 500.
    "EXCEPTION_HANDLER": "config.middleware.unavailable.api_exception_handler",
    # Read the rates on every request (see config.api.throttling); a rate of None is off.
    "DEFAULT_THROTTLE_CLASSES": [
        "config.api.throttling.AnonRateThrottle",
        "config.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_ANON_RATE", default="120/minute"),
        "user": env("API_USER_RATE", default="600/minute"),
        # POST /api/v1/auth/token/ checks a password: per IP, far below the read rates.
        "token": env("API_TOKEN_RATE", default="10/minute"),
    },
}
# Rendered evidence pages and summary API answers cached for anonymous readers
# (config/page_cache.py); off to measure uncached pages.
EVIDENCE_PAGE_CACHE = env.bool("EVIDENCE_PAGE_CACHE", default=True)
# Cache-Control of public pages and read API answers to anonymous readers, in seconds
# (config/middleware/cache_control.py): browsers, shared caches (a CDN, a reverse proxy),
# and how long a shared cache may serve a stale copy while it revalidates. S_MAXAGE=0: no
# shared caching. Anything personal is always "private, no-cache".
CACHE_CONTROL_MAX_AGE = env.int("CACHE_CONTROL_MAX_AGE", default=30)
CACHE_CONTROL_S_MAXAGE = env.int("CACHE_CONTROL_S_MAXAGE", default=60)
CACHE_CONTROL_STALE_WHILE_REVALIDATE = env.int("CACHE_CONTROL_STALE_WHILE_REVALIDATE", default=30)
# A bibliography export (RIS / BibTeX / CSL-JSON of a filtered list) holds at most this many.
API_EXPORT_MAX_REFERENCES = env.int("API_EXPORT_MAX_REFERENCES", default=5000)

# The OpenAPI schema's title, description and enum names (drf-spectacular).
from .api_schema import SPECTACULAR_SETTINGS as SPECTACULAR_SETTINGS  # noqa: E402

# Cross-origin browser access to the API: none unless origins are listed.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Location", "Retry-After", "Content-Disposition"]

# Every record carries the request id (and the Celery task); see config/logging.py. No
# record carries a secret: every handler redacts them (config/log_redaction.py), and so do
# the httpx / httpcore loggers, whose request lines hold the query string (NCBI's api_key).
LOG_FORMAT = log_format(env("LOG_FORMAT", default="plain"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "config.logging.ContextFilter"},
        "redact": {"()": "config.log_redaction.RedactSecretsFilter"},
    },
    "formatters": {
        "plain": {
            "()": "config.logging.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "config.logging.JsonFormatter"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact", "context"],
        },
        # Django's own runserver request log (its default, plus redaction): query strings.
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact"],
        },
    },
    "loggers": {
        "httpx": {"filters": ["redact"]},
        "httpcore": {"filters": ["redact"]},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Upstream HTTP clients (references/sources): retries, shared rate limits, batching.
UPSTREAM_MAX_ATTEMPTS = env.int("UPSTREAM_MAX_ATTEMPTS", default=3)
UPSTREAM_BACKOFF_SECONDS = env.float("UPSTREAM_BACKOFF_SECONDS", default=1.0)
UPSTREAM_MAX_RETRY_AFTER_SECONDS = env.float("UPSTREAM_MAX_RETRY_AFTER_SECONDS", default=60.0)
UPSTREAM_RATELIMIT_PREFIX = env("UPSTREAM_RATELIMIT_PREFIX", default="ratelimit:")
PUBMED_BATCH_SIZE = env.int("PUBMED_BATCH_SIZE", default=200)
PUBMED_POST_ABOVE_IDS = env.int("PUBMED_POST_ABOVE_IDS", default=50)
# Unset: NCBI's published limit, 3 requests/s, or 10 with NCBI_API_KEY. Set only to go
# slower, or against a local fake server (tests, benchmarks).
PUBMED_RATE_LIMIT_PER_SECOND = env.float("PUBMED_RATE_LIMIT_PER_SECOND", default=None)
CROSSREF_FILTER_BATCH = env.int("CROSSREF_FILTER_BATCH", default=50)
# Crossref announces its real limits in x-rate-limit-* / x-concurrency-limit headers; these
# conservative values (its public pool) apply only until the first answer arrives.
CROSSREF_RATE_LIMIT_PER_SECOND = env.float("CROSSREF_RATE_LIMIT_PER_SECOND", default=5.0)
CROSSREF_CONCURRENCY_LIMIT = env.int("CROSSREF_CONCURRENCY_LIMIT", default=1)

# The editorial workflow's e-mails (the reviewers' digest): sender, and the address its
# links start with.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Evidentia <evidentia@example.org>")
SITE_URL = env("SITE_URL", default="http://localhost:8000")

# Security: Content-Security-Policy (django-csp) and admin/API login lockout (django-axes).
# No 'unsafe-inline' anywhere: pages, the admin and the Swagger UI load scripts and styles
# from files. img-src allows data: for the admin's and Swagger UI's SVG icons in CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Every password check (the admin login and POST /api/v1/auth/token/) counts failures per
# (username, IP); AXES_FAILURE_LIMIT failures lock that pair out for AXES_COOLOFF_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Object permissions: evidence.permissions is the one rule every door asks.
    "evidence.permissions.ObjectRuleBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The client's address as the API throttles see it (TRUSTED_PROXY_COUNT above), so a
# client cannot forge its address to dodge the lockout, nor be one address to the lockout
# and another to the throttles.
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip.client_ip"
# No "AXES: BEGIN version ..." line at start-up: management commands print only their own.
AXES_VERBOSE = False
