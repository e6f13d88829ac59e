"""Settings for NextFilms, every value read from the environment.

Development works with no configuration at all (SQLite under ``var/``, Celery
tasks run in-process).  Production is ``DEBUG=False``: then ``SECRET_KEY`` and
``ALLOWED_HOSTS`` are required and the secure-cookie/HSTS settings switch on.
"""

import re
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name, default):
    """A boolean that refuses typos: ``DEBUG=ture`` fails instead of meaning False."""
    value = env.str(name, default=str(default)).strip().lower()
    if value not in _TRUE | _FALSE:
        raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")
    return value in _TRUE


def env_int(name, default):
    try:
        return env.int(name, default=default)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number: {exc}") from exc


DEBUG = env_bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-development-only-key")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random string of at least 50 characters "
            "when DEBUG is off (generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "csp",
    "django_celery_beat",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "nextfilms",
    "catalog",
    "ratings",
    "recommender",
    "accounts",
    "lists",
    "social",
    "taste",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages go out gzipped. After whitenoise, which sends static files compressed
    # ahead of time; Django adds 0-99 random bytes to each gzip header against
    # BREACH (docs/security.md).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "nextfilms.middleware.private_for_members",
    "nextfilms.middleware.member_pages_follow_writes",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the site's own page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nextfilms.urls"

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
                # One CSRF token per response, masked anew for each cached copy.
                "catalog.page_cache.csrf_token_once",
            ],
        },
    },
]

WSGI_APPLICATION = "nextfilms.wsgi.application"

if "DATABASE_URL" not in env:
    # The zero-setup SQLite file lives in var/, which a fresh clone lacks.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'nextfilms.sqlite3'}")
}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The development server's threads and in-process tasks write at once: WAL lets
    # readers go on while one writes, and writers wait their turn instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis for state every worker shares: the TMDB rate limit and, unless CACHE_URL
# says otherwise, the cache. Unset: each process keeps its own (one process only).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("REDIS_URL must be a redis://, rediss:// or unix:// URL.")
# The cache holds visitors' pages, the catalog generation and the log-in, sign-up
# and reset counters, so every worker must see the same one: `check --deploy`
# refuses per-process memory when DEBUG is off (nextfilms/checks.py).
if "CACHE_URL" in env:
    CACHES = {"default": env.cache("CACHE_URL")}
elif REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Visitors' catalog pages are cached whole for this long (catalog/page_cache.py);
# 0 turns the cache off. Staff edits and imports invalidate them at once.
ANONYMOUS_PAGE_CACHE_SECONDS = env_int("ANONYMOUS_PAGE_CACHE_SECONDS", default=300)
# A member's own pages are kept for them this long at most (catalog/page_cache.py);
# anything they change sets them aside at once. 0 turns it off.
MEMBER_PAGE_CACHE_SECONDS = env_int("MEMBER_PAGE_CACHE_SECONDS", default=300)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes first: it refuses a locked-out log-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UsernameOrEmailBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "catalog:home"
LOGOUT_REDIRECT_URL = "catalog:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Sessions in the database, each tied to its member: deleting an account ends
# its sessions on every device (accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"

# Log-in throttle (django-axes): after LOGIN_FAILURE_LIMIT failures for one account
# (by username or email, any case) or from one client address, log-in is refused
# for LOGIN_LOCKOUT_MINUTES. Counted in the shared cache; a real log-in or a
# password reset clears the account's count.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", default=15)
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "accounts.limits.account_key"
AXES_CLIENT_IP_CALLABLE = "accounts.limits.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
# Tries while locked out do not push the end further: the page says when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ADMIN = False  # the cache handler keeps no records to show
AXES_VERBOSE = False  # no banner at start-up; failures and lockouts are still logged
# axes warns about a per-process cache; nextfilms.E001 refuses one in production.
SILENCED_SYSTEM_CHECKS = ["axes.W001"]
# Sign-ups per client address, and password-reset emails per address mailed and
# per client address, in one hour; past them nothing is made or sent.
SIGNUP_LIMIT_PER_HOUR = env_int("SIGNUP_LIMIT_PER_HOUR", default=5)
RESET_LIMIT_PER_ADDRESS_PER_HOUR = env_int("RESET_LIMIT_PER_ADDRESS_PER_HOUR", default=3)
RESET_LIMIT_PER_IP_PER_HOUR = env_int("RESET_LIMIT_PER_IP_PER_HOUR", default=10)
# Behind a proxy, the header it writes the client's address into (e.g.
# X-Forwarded-For), and how many proxies append to it. Unset: REMOTE_ADDR.
TRUSTED_PROXY_HEADER = env.str("TRUSTED_PROXY_HEADER", default="")
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", default=1)
if TRUSTED_PROXY_COUNT < 1:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 1 or more.")

# Email goes to the console unless an SMTP server is configured; with DEBUG off
# `check --deploy` refuses that, as reset links would land in the server log.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="NextFilms <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic writes; with VAR_DIR and MODEL_DIR, every path the site writes.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Security: strict in production, relaxed only where development needs http.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Pages run only the site's own scripts and styles and show images from it and
# TMDB's image host. No inline script anywhere (no nonce either: visitors' pages
# are cached whole, and a cached nonce would not match the next response's).
# Style *attributes* stay allowed: posters and the rating histogram set a CSS
# variable (a hue, a percentage) in one; they cannot run script, while <style>
# elements and styles from other hosts remain blocked.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-elem": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "https://image.tmdb.org"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features the site never uses, turned off for it and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
# Only the ratings import takes a file, through its own one-file handler. Anywhere
# else an upload is kept only if the whole request fits in memory
# (FILE_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB) and dropped otherwise: never spilled to disk.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]

# Celery: with no broker configured, tasks run in-process (zero-setup default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", default=30 * 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", default=35 * 60)
# A broker that is down, or accepts connections and never answers, fails a send
# within seconds (connect and socket timeouts, a short retry policy) instead of
# hanging the command or request that sends.
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", default=5)
if CELERY_BROKER_CONNECTION_TIMEOUT < 1:
    raise ImproperlyConfigured("CELERY_BROKER_CONNECTION_TIMEOUT must be at least 1 second.")
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 1,
    "interval_max": 1,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis hands a task a dead worker held to another worker after this long. The
    # default hard time limit is the longest any task has (the TMDB chunks have a
    # shorter one), so a task still running is never handed out twice.
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 60,
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
}
CELERY_TIMEZONE = TIME_ZONE
# Schedules live in the database, editable in the admin (defaults: a migration).
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# External data and model artifacts.
TMDB_API_TOKEN = env.str("TMDB_API_TOKEN", default="")
TMDB_API_URL = env.url("TMDB_API_URL", default="https://api.themoviedb.org/3").geturl()
# Requests per second to TMDB, shared by every worker (TMDB allows about 40-50).
try:
    TMDB_RATE_LIMIT = env.float("TMDB_RATE_LIMIT", default=35.0)
except ValueError as exc:
    raise ImproperlyConfigured(f"TMDB_RATE_LIMIT must be a number: {exc}") from exc
if TMDB_RATE_LIMIT <= 0:
    raise ImproperlyConfigured("TMDB_RATE_LIMIT must be above 0 requests per second.")
MODEL_DIR = Path(env.str("MODEL_DIR", default=str(VAR_DIR / "models")))
MOVIELENS_SOURCE = env.str(
    "MOVIELENS_SOURCE",
    default="https://files.grouplens.org/datasets/movielens/ml-latest-small.zip",
)

# The JSON API at /api/v1/ (the api app): Django REST Framework with tokens a
# member makes in settings, or the session (CSRF-checked for writes).
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="120/minute")
API_VISITOR_RATE_LIMIT = env.str("API_VISITOR_RATE_LIMIT", default="30/minute")
for _name, _rate in (
    ("API_RATE_LIMIT", API_RATE_LIMIT),
    ("API_VISITOR_RATE_LIMIT", API_VISITOR_RATE_LIMIT),
):
    if not re.fullmatch(r"[1-9][0-9]*/(second|minute|hour|day)", _rate):
        raise ImproperlyConfigured(
            f"{_name} must be requests per period, like 120/minute (second, minute, hour "
            f"or day), not {_rate!r}."
        )
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.RequestRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NextFilms API",
    "DESCRIPTION": "Search films and people, rate, keep lists and get recommendations.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TAGS": [
        {"name": "films", "description": "Search, browse, a film, more like this."},
        {"name": "people", "description": "Directors, cast and crew."},
        {"name": "ratings", "description": "Your ratings, 0.5 to 5 stars in half steps."},
        {"name": "watchlist"},
        {"name": "favorites"},
        {"name": "not interested", "description": "Films never to recommend to you."},
        {"name": "diary", "description": "Watches on a day, with or without a rating."},
        {"name": "lists", "description": "Your own ordered lists, public or private."},
        {"name": "recommendations"},
        {"name": "me", "description": "Whose token or session this is."},
        {"name": "api"},
    ],
}
# CORS is off: browsers on other sites get no access unless origins are listed
# here (e.g. https://app.example.com); then django-cors-headers answers for the API.
CORS_ALLOWED_ORIGINS = env.list("API_CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/v1/"
CORS_ALLOW_HEADERS = ["authorization", "content-type"]
if CORS_ALLOWED_ORIGINS:
    INSTALLED_APPS.append("corsheaders")
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.common.CommonMiddleware"),
        "corsheaders.middleware.CorsMiddleware",
    )
