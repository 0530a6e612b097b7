"""Settings, read from the environment with safe defaults.

SHEGONG_ENV=production turns on the production profile: it refuses to start without a secret key,
allowed hosts and data keys, and switches on secure cookies and HSTS.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def default_home() -> Path:
    """The instance's home whatever the current directory: the checkout that holds this package (an editable
    install, as `make demo` makes), else the user's data folder. ``SHEGONG_HOME`` overrides both."""
    checkout = PACKAGE_DIR.parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "src" / "shegong").is_dir():
        return checkout
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "shegong"


BASE_DIR = Path(os.environ.get("SHEGONG_HOME") or default_home()).resolve()
VAR_DIR = Path(os.environ.get("SHEGONG_VAR", BASE_DIR / "var")).resolve()

ENV = os.environ.get("SHEGONG_ENV", "development")
PRODUCTION = ENV == "production"
# DEBUG only when a developer asks for it: the demo and every other profile serve the product's own error pages,
# never Django's debug page (which lists every URL pattern and settings).
DEBUG = os.environ.get("SHEGONG_DEBUG", "0") == "1"


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SHEGONG_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SHEGONG_SECRET_KEY must be set in production.")
    SECRET_KEY = "development-only-insecure-key-do-not-use-in-production-7f3a9c"

ALLOWED_HOSTS = _env_list("SHEGONG_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("SHEGONG_ALLOWED_HOSTS must be set in production.")
CSRF_TRUSTED_ORIGINS = _env_list("SHEGONG_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Ground, registries, service work, oversight, top: the layers of docs/development.md, lowest first.
    "shegong.core",
    "shegong.regions",
    "shegong.audit",
    "shegong.accounts",
    "shegong.notifications",
    "shegong.orgs",
    "shegong.network",
    "shegong.people",
    "shegong.recipients",
    "shegong.visits",
    "shegong.groups",
    "shegong.cases",
    "shegong.activities",
    "shegong.projects",
    "shegong.charity",
    "shegong.demands",
    "shegong.supervision",
    "shegong.evaluation",
    "shegong.integrity",
    "shegong.dashboards",
    "shegong.reports",
    # After shegong.core, whose `db_worker` (the same worker with a heartbeat for /readyz) takes precedence.
    "django_tasks_db",
]

MIDDLEWARE = [
    # First: a load balancer's probe is answered before host checks, HTTPS redirects, sessions or the actor.
    "shegong.core.health.HealthMiddleware",
    # Remembers a write anywhere in the request, so no later read of it goes to the replica.
    "shegong.core.dbrouting.ReplicaRequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "shegong.core.middleware.QueryStringHygieneMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shegong.accounts.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "shegong.urls"
WSGI_APPLICATION = "shegong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shegong.core.context_processors.shell",
                "shegong.notifications.context_processors.inbox",
            ],
        },
    }
]


def database_from_url(url: str) -> dict:
    """Turn DATABASE_URL into a Django DATABASES entry (sqlite:///path or postgres://…)."""
    parsed = urlparse(url)
    if parsed.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": int(os.environ.get("SHEGONG_DB_CONN_MAX_AGE", "60")),
            # A persistent connection broken by a database restart is replaced at the next request instead of
            # failing it; a database that does not answer fails fast instead of holding a worker.
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {"connect_timeout": int(os.environ.get("SHEGONG_DB_CONNECT_TIMEOUT", "5"))},
        }
    if parsed.scheme == "sqlite":
        path = Path(unquote(parsed.path)) if parsed.path else VAR_DIR / "shegong.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        return sqlite_database(path)
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parsed.scheme!r} is not supported (use sqlite or postgres)."
    )


def sqlite_database(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # WAL lets readers proceed during a write; IMMEDIATE avoids lock upgrades failing mid-transaction.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            # A visit submitted while an import writes waits for the write lock rather than fail; the import's
            # write phase is kept short (ADR 0006), and this wait is longer than it.
            "timeout": int(os.environ.get("SHEGONG_SQLITE_TIMEOUT", "60")),
        },
        "TEST": {"NAME": os.environ.get("SHEGONG_SQLITE_TEST_NAME") or None},
    }


DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", "sqlite://"))}
# A streaming replica of the PostgreSQL primary: dashboards, reports and exports read from it while it is fresh
# (shegong.core.dbrouting). Tests never configure it from the environment: their data lives in transactions a
# replica cannot see; the router's own tests start a replica of the test database themselves.
DATABASE_REPLICA_URL = "" if ENV == "test" else os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **database_from_url(DATABASE_REPLICA_URL),
        "OPTIONS": {"connect_timeout": int(os.environ.get("SHEGONG_REPLICA_CONNECT_TIMEOUT", "2"))},
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["shegong.core.dbrouting.ReplicaRouter"]
# Reads go to the replica only while it is at most this many seconds behind the primary.
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("SHEGONG_REPLICA_MAX_LAG_SECONDS", "5"))
# The URL namespaces whose views read from the replica (figures computed from records, never a form).
REPLICA_READ_NAMESPACES = {"dashboards", "reports"}
# How long one process trusts its last look at the replica (its lag, or that it is down).
REPLICA_PROBE_SECONDS = float(os.environ.get("SHEGONG_REPLICA_PROBE_SECONDS", "2"))
# /readyz: a task worker counts as alive while its last heartbeat is younger than this.
WORKER_HEARTBEAT_STALE_SECONDS = int(os.environ.get("SHEGONG_WORKER_HEARTBEAT_STALE_SECONDS", "120"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = ["shegong.accounts.backends.LockoutModelBackend"]
PASSWORD_HASHERS = [
    # Argon2id at OWASP's minimum (about 0.1 s a login, not 0.9 s). It verifies every "argon2" hash, Django's
    # default-parameter ones too, and those are rehashed at the next login (must_update).
    "shegong.accounts.hashers.TunedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "shegong.accounts.passwords.CharacterClassValidator"},
]

# Login security (SPEC §1, issue: accounts): lockout after N failures for M minutes, per account and per address.
LOGIN_LOCKOUT_FAILURES = int(os.environ.get("SHEGONG_LOGIN_LOCKOUT_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("SHEGONG_LOGIN_LOCKOUT_MINUTES", "15"))
# An address is locked out of one account after LOGIN_LOCKOUT_FAILURES failures on it, and out of every account
# only after this looser ceiling, so one client (or everyone behind one NAT) cannot lock out all accounts.
LOGIN_LOCKOUT_ADDRESS_FAILURES = int(os.environ.get("SHEGONG_LOGIN_LOCKOUT_ADDRESS_FAILURES", "50"))
# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDRs, comma-separated); empty: none.
SHEGONG_TRUSTED_PROXIES = _env_list("SHEGONG_TRUSTED_PROXIES")
SESSION_IDLE_TIMEOUT_MINUTES = int(os.environ.get("SHEGONG_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = 12 * 3600
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = (
    False  # htmx reads the token from the meta tag, not the cookie; kept readable for forms.
)
API_TOKEN_DAYS = int(os.environ.get("SHEGONG_API_TOKEN_DAYS", "90"))
# The administrators' tokens need a confirmed second factor and last at most this long.
ADMIN_API_TOKEN_HOURS = 24
# Second factor (django-otp): TOTP with one step of tolerance each way; a used step is never accepted again and
# failed attempts slow down exponentially (and count towards the login lockout).
OTP_TOTP_ISSUER = "shegong"
OTP_TOTP_THROTTLE_FACTOR = 1
RECOVERY_CODE_COUNT = 10

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"


def vendor_dir() -> Path:
    """The front-end packages installed from npm (ECharts) belong to the installation: beside the code of a
    checkout, else in the instance's home; an instance home elsewhere (``SHEGONG_HOME``) still finds them."""
    for root in (PACKAGE_DIR.parent.parent, BASE_DIR):
        candidate = root / "node_modules" / "echarts" / "dist"
        if candidate.is_dir():
            return candidate
    return BASE_DIR / "node_modules" / "echarts" / "dist"


STATICFILES_DIRS = [PACKAGE_DIR / "static", ("vendor", vendor_dir())]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# runserver serves no static files without DEBUG (and `whitenoise.runserver_nostatic` turns its handler off
# anyway): whitenoise serves them. Outside production it finds them where they live, so `make demo` needs no
# collectstatic; production serves the collected, hashed copies in STATIC_ROOT.
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Content-Security-Policy with per-request nonces; no inline script without the nonce, no third-party origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SHEGONG_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SHEGONG_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Keys for sensitive fields. "id:base64key,id:base64key": the first one encrypts, all of them decrypt.
DATA_KEYS = os.environ.get("SHEGONG_DATA_KEYS", "")
INDEX_KEY = os.environ.get("SHEGONG_INDEX_KEY", "")
LOCAL_KEY_FILE = VAR_DIR / "keys.env"
if PRODUCTION and not (DATA_KEYS and INDEX_KEY):
    raise ImproperlyConfigured(
        "SHEGONG_DATA_KEYS and SHEGONG_INDEX_KEY must be set in production; "
        "generate them with `shegong keys generate`."
    )
# Keys of the audit chain's HMAC-SM3, versioned like the data keys: the first one chains new entries and signs
# checkpoints, all of them verify (docs/adr/0004-keyed-audit-chain.md). Separate from the data keys.
AUDIT_KEYS = os.environ.get("SHEGONG_AUDIT_KEYS", "")
if PRODUCTION and not AUDIT_KEYS:
    raise ImproperlyConfigured(
        "SHEGONG_AUDIT_KEYS must be set in production; generate one with `shegong keys generate`."
    )

# Outgoing copies of inbox messages (shegong.notifications.backends). E-mail goes through Django's SMTP backend
# with the settings below; SMS through the class SHEGONG_SMS_BACKEND names (a deployment's gateway; the console
# backend only logs).
EMAIL_TRANSPORT = os.environ.get(
    "SHEGONG_EMAIL_TRANSPORT",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
MAILERS = {"default": {"BACKEND": EMAIL_TRANSPORT}}
if EMAIL_TRANSPORT.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("SHEGONG_EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("SHEGONG_EMAIL_PORT", "25")),
        "username": os.environ.get("SHEGONG_EMAIL_USER", ""),
        "password": os.environ.get("SHEGONG_EMAIL_PASSWORD", ""),
        "use_tls": os.environ.get("SHEGONG_EMAIL_TLS", "0") == "1",
        "use_ssl": os.environ.get("SHEGONG_EMAIL_SSL", "0") == "1",
        "timeout": int(os.environ.get("SHEGONG_EMAIL_TIMEOUT", "10")),
    }
DEFAULT_FROM_EMAIL = os.environ.get("SHEGONG_EMAIL_FROM", "shegong@localhost")
SHEGONG_EMAIL_BACKEND = "shegong.notifications.backends.EmailBackend"
SHEGONG_SMS_BACKEND = os.environ.get(
    "SHEGONG_SMS_BACKEND", "shegong.notifications.backends.ConsoleSmsBackend"
)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Who runs a spreadsheet import once the page has stored the file (shegong.core.importjobs): "worker" queues a
# task for `shegong db_worker` (production), "thread" runs it in a thread of the web process (the demo and
# development, where no worker runs), "inline" runs it before the upload page answers (tests).
IMPORT_RUNNER = os.environ.get(
    "SHEGONG_IMPORT_RUNNER", "worker" if PRODUCTION else "inline" if ENV == "test" else "thread"
)
if IMPORT_RUNNER not in ("worker", "thread", "inline"):
    raise ImproperlyConfigured("SHEGONG_IMPORT_RUNNER must be worker, thread or inline.")

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SHEGONG_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
