"""Settings, driven by environment variables (see README for the list).

When DATABASE_URL / REDIS_URL are unset, the embedded services started by ``make run`` / ``make test``
(infra/devservices.py) are used: their addresses are written to ``.data/services.env``.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

from config import secretguard
from config.paths import BASE_DIR  # also puts platform/ on sys.path


def _load_services_env(path: Path) -> None:
    if not path.exists():
        return
    for line in path.read_text().splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            os.environ.setdefault(key, value)


_load_services_env(BASE_DIR / ".data" / "services.env")


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return default if raw is None else raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Off unless asked for: `make run` sets DJANGO_DEBUG=true.
DEBUG = env_bool("DJANGO_DEBUG", False)
TESTING = "pytest" in sys.modules
# Secrets (config/secretguard.py): outside `make run` and the tests, a missing or public placeholder
# value stops the process at start (_secrets.enforce() at the end of this file).
DEV_SECRETS = env_bool("DJANGO_DEV_SECRETS", False) or TESTING
_secrets = secretguard.SecretGuard(dev_allowed=DEV_SECRETS)
SECRET_KEY = _secrets.get("DJANGO_SECRET_KEY", secretguard.DEV_SECRET_KEY, min_length=50)
# Older keys still accepted when checking signatures (Django's rotation), comma-separated.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS", "")
# Tenant hosts are resolved by django-tenants against Domain rows; unknown hosts get a 404 there.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "*")

DATABASES = {
    "default": {
        **dj_database_url.parse(
            os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/suxinbao"),
            conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        ),
        "ENGINE": "config.db",
    }
}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "accounts",
    "directory",
    "inventory",
    "aftersales",
    "bookings",
    "subscriptions",
    # Also a tenant app: the inbox of the people on the platform host (shop and insurer staff)
    # lives in the public schema's copy of its tables.
    "notices",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "core",
    "network",
    "customers",
    "quotes",
    "commissions",
    "catalog",
    "mall",
    "notices",
    # 行驶证/身份证 OCR: no tables; its Celery task runs in the tenant's schema
    "ocr",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
# How a new tenant's schema is made (tenants.provisioning): "template" runs the stored script read
# from a migrated template schema (one round trip); "migrations" runs every tenant migration.
TENANT_SCHEMA_FROM = os.environ.get("TENANT_SCHEMA_FROM", "template")
TENANT_DOMAIN_MODEL = "tenants.Domain"
# The migrate command run in each schema: Django's, answering an up-to-date schema from its
# django_migrations rows alone (config.db.migrate).
TENANT_BASE_MIGRATE_COMMAND = "config.db.migrate.Command"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
# Hosts that always belong to the public schema (the platform site); seed_demo and the test
# fixtures create Domain rows for them.
PUBLIC_HOSTS = env_list("PUBLIC_HOSTS", "localhost,127.0.0.1,testserver")
TENANT_BASE_DOMAIN = os.environ.get("TENANT_BASE_DOMAIN", "localhost")
TENANT_HOST_CACHE_SECONDS = float(os.environ.get("TENANT_HOST_CACHE_SECONDS", "30"))
# How often each process asks Redis whether another process changed a tenant or domain.
TENANT_HOST_GENERATION_CHECK_SECONDS = float(os.environ.get("TENANT_HOST_GENERATION_CHECK_SECONDS", "1"))
# Skip re-sending the same search_path on a connection that already has it.
TENANT_LIMIT_SET_CALLS = True
# Custom domains (tenants.domains): tenants CNAME their host to this target; the resolver checks it.
CUSTOM_DOMAIN_TARGET = os.environ.get("CUSTOM_DOMAIN_TARGET", "tenants.suxinbao.cn")
DOMAIN_RESOLVER = os.environ.get("DOMAIN_RESOLVER", "tenants.domains.SocketDomainResolver")
# Platform support sessions (impersonation) last this long.
SUPPORT_SESSION_MINUTES = int(os.environ.get("SUPPORT_SESSION_MINUTES", "30"))

MIDDLEWARE = [
    # X-Request-ID in and out, the id on every log line, one JSON line per request (config/observability.py).
    "config.observability.RequestIdMiddleware",
    # /healthz and /readyz, whatever the host (config/health.py).
    "config.health.HealthMiddleware",
    # X-Forwarded-Proto only from TRUSTED_PROXIES.
    "core.clients.ForwardedProtoMiddleware",
    # /api/: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413, a NUL in a query parameter a 400.
    "api.middleware.ApiInputMiddleware",
    "tenants.middleware.TenantRoutingMiddleware",
    # A tenant whose subscription lapsed past its grace period is read-only.
    "subscriptions.middleware.TenantReadOnlyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every response (see CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# HTTPS ends at the proxy: its X-Forwarded-Proto is believed only from TRUSTED_PROXIES (the header
# is dropped from anyone else by core.clients.ForwardedProtoMiddleware). Outside DEBUG, HTTPS
# answers carry HSTS and any cookie is Secure; the proxy redirects http (probes come over http).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
# Proxies whose X-Forwarded-For is believed (addresses or networks, e.g. "10.0.0.0/8,127.0.0.1");
# none by default: the client address is the peer's (core.clients.client_ip).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
# Password logins: this many failures for one mobile within the window lock it (any host) for
# LOGIN_LOCKOUT_MINUTES, unless an admin unlocks it first (accounts.services.login_unlock).
LOGIN_LOCKOUT_FAILURES = int(os.environ.get("LOGIN_LOCKOUT_FAILURES", "10"))
LOGIN_LOCKOUT_WINDOW_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_WINDOW_MINUTES", "15"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
# Bearer tokens issued by /api/v1/auth/token/ live this long.
AUTH_TOKEN_TTL_MINUTES = int(os.environ.get("AUTH_TOKEN_TTL_MINUTES", "120"))
# ... and are renewed (rotated) with a refresh token that lives this long (auth/refresh/).
REFRESH_TOKEN_TTL_DAYS = int(os.environ.get("REFRESH_TOKEN_TTL_DAYS", "30"))

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        # Every key carries the schema name: no tenant reads another tenant's cache.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        # Keys look like "<schema>:<prefix>:<version>:<key>"; tests use their own prefix.
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "sxb-test" if TESTING else "sxb"),
    }
}
# The same Redis without the schema in the key: counters that must span every host (login and
# SMS throttles per mobile and per client address).
CACHES["global"] = {**CACHES["default"], "KEY_PREFIX": f"global:{CACHES['default']['KEY_PREFIX']}"}
for _key in ("KEY_FUNCTION", "REVERSE_KEY_FUNCTION"):
    CACHES["global"].pop(_key)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Set (e.g. in the container image) when running collectstatic; dev and tests serve via finders.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
if STATIC_ROOT:  # production: collectstatic wrote fingerprinted, pre-compressed copies there
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    WHITENOISE_MANIFEST_STRICT = False
# Names carrying a content hash are cached for years as immutable: Vite's (assets/console-DWhagtJ7.js)
# and the manifest storage's (x.3f2a9c1b7e4d.ico). Others (e.g. a logo) keep whitenoise's 60 s.
WHITENOISE_IMMUTABLE_FILE_TEST = r"(/assets/[^/]+-[A-Za-z0-9_-]{8}|\.[0-9a-f]{12})\.[A-Za-z0-9]+$"
FRONTEND_DIST = Path(os.environ.get("FRONTEND_DIST", str(BASE_DIR / "frontend" / "dist")))
STATICFILES_DIRS = [("app", FRONTEND_DIST)]
WHITENOISE_USE_FINDERS = not STATIC_ROOT
# The front end is built by `make frontend`; before that the folder is simply absent.
SILENCED_SYSTEM_CHECKS = ["staticfiles.W004"]
# Content-Security-Policy (django-csp) on every page: scripts only from this origin (the Vite build
# has no inline script), plus Stripe.js (mall payments) and the WeChat JS-SDK (sharing); never
# 'unsafe-inline' or 'unsafe-eval'. Styles too come only from our files: Vue, Element Plus and Vant
# set styles through the CSSOM (el.style), which style-src does not govern, and Chromium reports no
# violation on the three front ends (tests/e2e/test_csp_pages.py). Fonts: Vant's icon font is
# inlined (data:) and its CSS also names a .woff on at.alicdn.com, which Chromium asks for.
# Images: our uploads, data:/blob: previews, and tenant hosts' logos shown in the platform console.
# connect-src is 'self' + Stripe + CSP_CONNECT_EXTRA (a comma-separated list of origins, e.g. the
# one that serves the realtime streams on its own port).
CSP_CONNECT_EXTRA = env_list("CSP_CONNECT_EXTRA", "")
# The stream server on its own port (REALTIME_STREAM_PORT, `make run`): the platform and tenant hosts.
if _stream_port := os.environ.get("REALTIME_STREAM_PORT", ""):
    CSP_CONNECT_EXTRA += [f"{TENANT_BASE_DOMAIN}:{_stream_port}", f"*.{TENANT_BASE_DOMAIN}:{_stream_port}"]
CSP_STRIPE = ["https://js.stripe.com", "https://*.js.stripe.com"]
CSP_WECHAT = ["https://res.wx.qq.com", "https://res2.wx.qq.com"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", *CSP_STRIPE, *CSP_WECHAT],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", "https:", f"*.{TENANT_BASE_DOMAIN}:*"],
        "font-src": ["'self'", "data:", "at.alicdn.com"],
        "connect-src": ["'self'", "https://api.stripe.com", *CSP_CONNECT_EXTRA],
        "frame-src": [*CSP_STRIPE, "https://hooks.stripe.com"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
MEDIA_URL = "/media/"
# Tenant files (product images, announcement attachments) are reached only through signed URLs that
# the API hands out; one lives this long to twice as long (core.uploads.signed_media_url).
MEDIA_URL_TTL_SECONDS = int(os.environ.get("MEDIA_URL_TTL_SECONDS", "3600"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / ".data" / "media")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

RENDERERS = ["rest_framework.renderers.JSONRenderer"]
if DEBUG:
    RENDERERS.append("rest_framework.renderers.BrowsableAPIRenderer")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.TenantBoundTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasAllowedRole"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": RENDERERS,
    # JSON bodies are objects, at most 32 levels deep, without NUL characters (api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "login": os.environ.get("THROTTLE_LOGIN", "10/min"),
        "login_account": os.environ.get("THROTTLE_LOGIN_ACCOUNT", "20/hour"),
        "sms_send": os.environ.get("THROTTLE_SMS_SEND", "5/hour"),
        "sms_send_mobile": os.environ.get("THROTTLE_SMS_SEND_MOBILE", "10/hour"),
        "sms_send_ip": os.environ.get("THROTTLE_SMS_SEND_IP", "30/hour"),
        "ocr": os.environ.get("THROTTLE_OCR", "10/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "速信保 Suxinbao API",
    "DESCRIPTION": "Multi-tenant API: the Host header selects the tenant; tokens are bound to it.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_URLCONF": "api.urls_schema",
    "SWAGGER_UI_DIST": "SIDECAR",
    # Every operation documents its 400/401/403/404/409/413/429/502 answers in the error shape.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.error_responses"],
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "accounts.models.Role",
        "TenantKindEnum": "tenants.models.TenantKind",
        "TenantStatusEnum": "tenants.models.TenantStatus",
        "TenantExportStatusEnum": "tenants.models.ExportStatus",
        "ScopeKindEnum": [("tenant", "tenant"), ("public", "public")],
        "NewTenantKindEnum": [("brokerage", "经纪公司"), ("aftersales", "售后连锁")],
        "ChannelEnum": "customers.models.FollowUpChannel",
        "DocumentKindEnum": "customers.models.DocumentKind",
        "QuoteChannelEnum": "quotes.models.QuoteChannel",
        "QuoteStatusEnum": "quotes.models.QuoteStatus",
        "PolicyStatusEnum": "quotes.models.PolicyStatus",
        "PolicyLineEnum": "quotes.models.PolicyLine",
        "CommissionLineEnum": "commissions.models.Line",
        "PlanStatusEnum": "commissions.models.PlanStatus",
        "RunStatusEnum": "commissions.models.RunStatus",
        "StatementStatusEnum": "commissions.models.StatementStatus",
        "DistributorStatusEnum": "network.models.DistributorStatus",
        "NoticeCategoryEnum": "notices.models.Category",
        "NoticeAudienceEnum": "notices.models.AudienceKind",
        "BookingStateEnum": "bookings.models.BookingState",
        "BookingMarkStateEnum": [("arrived", "arrived"), ("no_show", "no_show")],
        "StockMoveKindEnum": "inventory.models.MoveKind",
        "ServiceOrderStateEnum": "aftersales.models.OrderState",
        "ServiceItemKindEnum": "aftersales.models.ItemKind",
        "ServiceDecisionEnum": "aftersales.models.Decision",
        # where the history a price used came from (the rated history, and the one a quote keeps)
        "HistorySourceEnum": [
            ("stated", "stated"),
            ("new_vehicle", "new_vehicle"),
            ("transferred", "transferred"),
        ],
        "ShopProductKindEnum": "aftersales.models.ShopProductKind",
    },
    "APPEND_COMPONENTS": {
        "securitySchemes": {"BearerAuth": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {
                "type": "object",
                "description": "Every 4xx answer: a stable code, a message to show, and errors per field.",
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "required": ["code", "message", "fields"],
            }
        },
    },
}

# SMS one-time codes go through a provider interface; the dev backend logs the code.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "accounts.sms.LoggingSmsBackend")

# Stripe (mall payments). Test-mode placeholders by default: nothing reaches Stripe without real keys.
STRIPE_SECRET_KEY = _secrets.get(
    "STRIPE_SECRET_KEY", secretguard.DEV_STRIPE_SECRET_KEY, prefixes=("sk_", "rk_")
)
STRIPE_PUBLISHABLE_KEY = _secrets.get(
    "STRIPE_PUBLISHABLE_KEY", secretguard.DEV_STRIPE_PUBLISHABLE_KEY, prefixes=("pk_",)
)
STRIPE_WEBHOOK_SECRET = _secrets.get(
    "STRIPE_WEBHOOK_SECRET", secretguard.DEV_STRIPE_WEBHOOK_SECRET, prefixes=("whsec_",)
)
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com")
MALL_PAYMENT_METHODS = ["card", "wechat_pay", "alipay"]
MALL_RESERVATION_MINUTES = int(os.environ.get("MALL_RESERVATION_MINUTES", "30"))
# Tenant subscriptions: days a lapsed tenant keeps writing before its host turns read-only; the
# Celery queue signups are provisioned on (empty: the default queue).
SUBSCRIPTION_GRACE_DAYS = int(os.environ.get("SUBSCRIPTION_GRACE_DAYS", "7"))
SIGNUP_PROVISION_QUEUE = os.environ.get("SIGNUP_PROVISION_QUEUE", "")
# The Celery queue 行驶证/身份证 photos are read on (empty: the default queue); a worker on it loads the
# OCR model once (~0.6 s, ~150 MB) and reads a photo in about a second per core.
OCR_QUEUE = os.environ.get("OCR_QUEUE", "")
# A test hook: a signup's provisioning sleeps this long once its schema is made (the crash test kills it then).
SIGNUP_PROVISION_PAUSE_SECONDS = float(os.environ.get("SIGNUP_PROVISION_PAUSE_SECONDS", "0"))
SMS_CODE_TTL_SECONDS = 300
SMS_CODE_RESEND_SECONDS = 60
SMS_CODE_MAX_ATTEMPTS = 5

# Real-time push (core.realtime): Redis streams read over Server-Sent Events. A stream connection
# lasts this long, then the browser reconnects (after the retry delay) and resumes where it was.
REALTIME_KEY_PREFIX = os.environ.get("REALTIME_KEY_PREFIX", "rt-test" if TESTING else "rt")
REALTIME_STREAM_SECONDS = float(os.environ.get("REALTIME_STREAM_SECONDS", "10" if TESTING else "55"))
REALTIME_RETRY_MS = int(os.environ.get("REALTIME_RETRY_MS", "500" if TESTING else "2000"))
# Stream tickets are signed with their own key, not SECRET_KEY.
REALTIME_TICKET_KEY = _secrets.get("REALTIME_TICKET_KEY", secretguard.DEV_REALTIME_TICKET_KEY, min_length=32)
# An open stream sends a keepalive (and renews its slot) this often; a slot not renewed for three
# keepalives is free again (a killed connection). Caps on open streams: per user (across hosts) and
# per host (a tenant, or the platform host); the one over is refused with 429.
REALTIME_KEEPALIVE_SECONDS = float(os.environ.get("REALTIME_KEEPALIVE_SECONDS", "2" if TESTING else "15"))
REALTIME_MAX_STREAMS_PER_USER = int(os.environ.get("REALTIME_MAX_STREAMS_PER_USER", "5"))
REALTIME_MAX_STREAMS_PER_TENANT = int(os.environ.get("REALTIME_MAX_STREAMS_PER_TENANT", "200"))
# Where pages open their streams: empty, on the page's own origin (the Django view, or the stream
# server config/asgi_realtime.py behind the reverse proxy); a port, the stream server on that port
# of the page's host (`make run`: 8001). docs/realtime.md.
REALTIME_STREAM_PORT = os.environ.get("REALTIME_STREAM_PORT", "")

# Business-event consumers (core.events): after a commit, a Celery task (one pending per schema)
# reads the outbox for them, on this queue (empty: the default one). The tests run it in place, after the
# commit, unless a test turns this off to use a real worker.
EVENTS_CONSUME_INLINE = env_bool("EVENTS_CONSUME_INLINE", TESTING)
EVENTS_QUEUE = os.environ.get("EVENTS_QUEUE", "")
# One task per schema is pending at a time; its flag (in REDIS_URL) lapses after this long, so a
# task lost before it started (a killed worker) holds the next commits' publish back no longer.
EVENTS_PENDING_TTL_SECONDS = int(os.environ.get("EVENTS_PENDING_TTL_SECONDS", "30"))
# A month's settlement run beats its heartbeat this often while a worker runs it; the watchdog
# (beat, every minute) re-queues a run whose heartbeat is older than the stale limit.
SETTLEMENT_HEARTBEAT_SECONDS = float(os.environ.get("SETTLEMENT_HEARTBEAT_SECONDS", "10"))
SETTLEMENT_STALE_SECONDS = float(os.environ.get("SETTLEMENT_STALE_SECONDS", "90"))

# The broker: RabbitMQ in production (CELERY_BROKER_URL=amqp://…): its queues are durable and the
# messages persistent, so a broker restart loses no queued job. Unset, Redis is the broker (the
# embedded `make run` path, where no RabbitMQ runs): a Redis restart there can drop queued tasks,
# which the beat's catch-up tasks and the settlement watchdog make good.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    "purge-expired-tokens": {"task": "accounts.tasks.auth_tokens_purge_expired_task", "schedule": 3600.0},
    "custom-domains-check": {"task": "tenants.tasks.pending_domains_check_task", "schedule": 600.0},
    # Per tenant, early each morning (local time): the reminder scan, then the customer butler.
    "reminders-scan": {
        "task": "core.tasks.run_in_every_tenant",
        "schedule": crontab(hour=5, minute=30),
        "args": ["customers.tasks.reminders_scan_task"],
    },
    "mall-release-reservations": {
        "task": "core.tasks.run_in_every_tenant",
        "schedule": 300.0,
        "args": ["mall.tasks.reservations_release_task"],
    },
    "gift-packs-catch-up": {
        "task": "core.tasks.run_in_every_tenant",
        "schedule": 60.0,
        "args": ["catalog.tasks.gift_packs_process_events_task"],
    },
    # Inbox messages from events, reminders and statements; lost delivery tasks re-enqueued.
    "notices-catch-up": {
        "task": "core.tasks.run_in_every_tenant",
        "schedule": 60.0,
        "args": ["notices.tasks.notices_process_events_task"],
    },
    "settlement-watchdog": {
        "task": "core.tasks.run_in_every_tenant",
        "schedule": 60.0,
        "args": ["commissions.tasks.settlement_watchdog_task"],
    },
    "commissions-catch-up": {
        "task": "core.tasks.run_in_every_tenant",
        "schedule": 60.0,
        "args": ["commissions.tasks.commissions_process_events_task"],
    },
    "quotes-expire": {
        "task": "core.tasks.run_in_every_tenant",
        "schedule": crontab(hour=0, minute=5),
        "args": ["quotes.tasks.quotes_expire_task"],
    },
    "preferences-recompute": {
        "task": "core.tasks.run_in_every_tenant",
        "schedule": crontab(hour=6, minute=0),
        "args": ["customers.tasks.preferences_recompute_task"],
    },
}

# Logs: one JSON object per line (request id, tenant; config/observability.py), or plain text for
# `make run` (DEBUG), where gunicorn's access log already shows each request.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "config.observability.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "suxinbao.request": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
    },
}
# Celery's processes log through the handlers above (JSON in production) instead of their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Personal identifiers (身份证) and tenants' WeChat AppSecrets are encrypted at rest with per-tenant
# keys derived from these (core/crypto.py). The first key encrypts; every key decrypts (rotation:
# put the new key first, run `manage.py field_keys_rotate`, then drop the old one). Before this
# setting the key was FIELD_ENCRYPTION_KEY, by default SECRET_KEY: in development the default is
# SECRET_KEY, so existing data stays readable; a deployment lists its old value last (see README).
FIELD_ENCRYPTION_KEYS = _secrets.get_list("FIELD_ENCRYPTION_KEYS", [SECRET_KEY], min_length=32)
if os.environ.get("FIELD_ENCRYPTION_KEY"):  # the old single key: still decrypts, never encrypts
    FIELD_ENCRYPTION_KEYS.append(os.environ["FIELD_ENCRYPTION_KEY"])

_secrets.enforce()
