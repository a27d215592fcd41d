"""Settings for 基层党建工作台, all from the environment.

DATABASE_URL   default: SQLite file var/dangjian.sqlite3 (one office PC, no setup)
SECRET_KEY     default: generated once into var/secret.key
DEBUG          off unless DEBUG=1
DJANGO_SECURE  1 behind the HTTPS reverse proxy: secure cookies, HSTS, SSL redirect
               (`serve --https` turns on its own: HTTPS_DIRECT_SETTINGS)
HSTS_SECONDS   max-age of Strict-Transport-Security under HTTPS (default one year)
CACHE_URL      redis://host:port/db for a cache shared by several server processes
               (default: memory of each process, enough for one waitress process)
DANGJIAN_DEVTOOLS  1 installs the development commands (bench, loadtest); on with DEBUG=1
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
# Files this process creates (database, keys, uploads, backups, logs) are its own: mode 600/700.
os.umask(0o077)
VAR_DIR = Path(os.environ.get("DANGJIAN_VAR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def _secret_from_file(name: str) -> str:
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _secret_from_file("secret.key")
DEBUG = _env_bool("DEBUG")
# The address offices use (set up once, e.g. https://dangjian.example.gov.cn): links such as
# the meeting QR code are built from it, never from the Host header (core/site.py).
SITE_URL = os.environ.get("SITE_URL", "")
_site_host = SITE_URL.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0] if SITE_URL else ""
ALLOWED_HOSTS = [
    h
    for h in os.environ.get("ALLOWED_HOSTS", ",".join(filter(None, ["127.0.0.1", "localhost", _site_host]))).split(",")
    if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Demo installations create accounts with a known password; others never do.
DEMO_MODE = _env_bool("DANGJIAN_DEMO", True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "treebeard",
    "auditlog",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "dangjian.core",
    "dangjian.shell",
    "dangjian.ops",
    "dangjian.accounts",
    "dangjian.orgs",
    "dangjian.members",
    "dangjian.lifecycle",
    "dangjian.meetings",
    "dangjian.dues",
    "dangjian.study",
    "dangjian.points",
    "dangjian.reviews",
    "dangjian.inspections",
    "dangjian.actions",
    "dangjian.stats",
    "dangjian.reports",
    "dangjian.integrity",
    "dangjian.demo",
]
# bench and loadtest wipe or load the database they run on: development machines only.
if DEBUG or _env_bool("DANGJIAN_DEVTOOLS"):
    INSTALLED_APPS.append("dangjian.devtools")

MIDDLEWARE = [
    "dangjian.accounts.client_ip.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "dangjian.core.middleware.RefuseNulCharacters",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "dangjian.accounts.sessions.IdleTimeoutMiddleware",
    "dangjian.accounts.sessions.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "dangjian.accounts.middleware.PasswordChangeRequiredMiddleware",
    "dangjian.accounts.middleware.FirstRunMiddleware",
    "dangjian.accounts.middleware.TwoFactorRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
    "dangjian.core.errors.ServiceErrorMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

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
                "dangjian.shell.context_processors.nav",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'dangjian.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers work while one writer writes; IMMEDIATE avoids lock upgrades failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT compiles a query whose estimated cost is high; for the app's short,
    # cost-overestimated queries (the as-of-date member filters with event subqueries) it took
    # 2.8 s of a 3.5 s dashboard query at county scale, against 0.3 s without it.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = (options.get("options", "") + " -c jit=off").strip()

# Cache of computed figures (core.cache). Several server processes share one Redis.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_PREFIX", "dangjian"),
            "TIMEOUT": 3600,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5000}}}

# Background work (core.jobs): django-tasks with its database backend, so an embedded install
# needs no other server; `manage.py db_worker` runs the tasks (`serve` starts one beside itself).
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
EXPORT_BACKGROUND_ROWS = int(os.environ.get("EXPORT_BACKGROUND_ROWS", "2000"))
EXPORT_DIR = Path(os.environ.get("EXPORT_DIR", VAR_DIR / "exports"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    # argon2id with OWASP cost (accounts/hashers.py); Django's own verifies older hashes.
    "dangjian.accounts.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Django's own, with its "too short" message in Chinese (accounts/validators.py).
    {"NAME": "dangjian.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # 等保: character classes, not the user name, not the current/initial one nor the last 5.
    {"NAME": "dangjian.accounts.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "dangjian.accounts.validators.NotUsernameValidator"},
    {"NAME": "dangjian.accounts.validators.PasswordHistoryValidator", "OPTIONS": {"keep": 5}},
]
# Two-factor sign-in (django-otp TOTP, accounts/two_factor.py).
TWO_FACTOR_REQUIRED_ROLES = tuple(
    r for r in os.environ.get("TWO_FACTOR_REQUIRED_ROLES", "admin,inspector").split(",") if r
)
TWO_FACTOR_OFFERED_ROLES = ("secretary",)
OTP_TOTP_ISSUER = "基层党建工作台"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Lockout (django-axes) that cannot be turned against users: separate limits per address and
# per user name (spraying one password over many names trips the address; many addresses on
# one name trip the name), a global rate (accounts/global_rate.py), the client address only
# from TRUSTED_PROXIES (accounts/client_ip.py). A locked account is unlocked by its own
# second factor on the sign-in page, by an administrator, or after AXES_COOLOFF_HOURS.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_CLIENT_IP_CALLABLE = "dangjian.accounts.client_ip.client_ip"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The proxies whose X-Forwarded-For is believed: the documented nginx on the same machine.
TRUSTED_PROXIES = tuple(p for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p)
LOGIN_GLOBAL_FAILURES_PER_MINUTE = int(os.environ.get("LOGIN_GLOBAL_FAILURES_PER_MINUTE", "100"))
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Signed out after this long without a request (accounts/sessions.py); SESSION_SECONDS stays the absolute cap.
IDLE_TIMEOUT_SECONDS = int(os.environ.get("IDLE_TIMEOUT_MINUTES", "30")) * 60
ONE_SESSION_PER_STAFF_ACCOUNT = _env_bool("ONE_SESSION_PER_STAFF_ACCOUNT", True)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# Three ways this site is reached (docs/SECURITY.md, 传输加密):
#  - embedded (`make run`): plain http on 127.0.0.1 only: no Secure cookie, no HSTS (a browser
#    would then refuse http://localhost for a year), no proxy header believed;
#  - behind the documented nginx (DJANGO_SECURE=1): nginx ends TLS and sets X-Forwarded-Proto,
#    which is believed because the server listens on 127.0.0.1 behind it;
#  - `serve --https`: TLS served by this process itself (HTTPS_DIRECT_SETTINGS below).
SECURE = _env_bool("DJANGO_SECURE")
HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = HSTS_SECONDS if SECURE else 0
# includeSubDomains and preload only when the district asks for them (HSTS_INCLUDE_SUBDOMAINS=1,
# HSTS_PRELOAD=1): a district site often lives under the government's shared domain, whose other
# hosts may still serve plain http, and the preload list cannot be left quickly.
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE and _env_bool("HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = SECURE and _env_bool("HSTS_PRELOAD")
# check --deploy asks for both; leaving them off is the decision above, not an oversight.
SILENCED_SYSTEM_CHECKS = [
    *(["security.W005"] if not SECURE_HSTS_INCLUDE_SUBDOMAINS else []),
    *(["security.W021"] if not SECURE_HSTS_PRELOAD else []),
]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
# Applied by `serve --https` before the application is built (ops serve.py). HSTS for a year,
# without includeSubDomains or preload: offices type a LAN IP (browsers ignore HSTS on an IP
# address, RFC 6797 8.1) or the PC's name, which has no subdomains of its own, and a SITE_URL
# under a shared office domain must not force HTTPS on every other host of it; the preload list
# takes only public domains and cannot be taken back quickly. No proxy header: nothing stands in
# front of this process to set X-Forwarded-Proto, so a client's own would be believed.
HTTPS_DIRECT_SETTINGS = {
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
    "SECURE_HSTS_PRELOAD": False,
    "SECURE_PROXY_SSL_HEADER": None,
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Strict CSP: nothing inline, nothing from elsewhere (offices may be offline anyway).
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
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get("STATICFILES_BACKEND", "whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}
# Uploads live outside the web root and are served only through scoped views.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "uploads"))
MEDIA_URL = None
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Key for 公民身份号码 and phone encryption: outside the database.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")
FIELD_ENCRYPTION_KEY_FILE = Path(os.environ.get("FIELD_ENCRYPTION_KEY_FILE", VAR_DIR / "field.key"))

BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))
BACKUP_KEEP_DAYS = int(os.environ.get("BACKUP_KEEP_DAYS", "14"))
# Backups are encrypted (SM4-GCM) under a key kept apart from them (ops/backup.py):
# BACKUP_KEY, or var/backup.key made on the first backup — print it, keep it in the safe.
BACKUP_KEY = os.environ.get("BACKUP_KEY", "")
BACKUP_KEY_FILE = Path(os.environ.get("BACKUP_KEY_FILE", VAR_DIR / "backup.key"))
BACKUP_ON_SERVE = _env_bool("BACKUP_ON_SERVE", True)

# Local settings for rules where localities differ (RULES.md: "a setting").
DANGJIAN = {
    "LATE_ENTRY_DAYS": int(os.environ.get("LATE_ENTRY_DAYS", "7")),
    "TERM_WARNING_MONTHS": 6,
    # Rule settings with defaults in dangjian/rules (STUDY_HOURS_PER_YEAR, DUES_FARMER_AMOUNT,
    # DUES_BACKPAY_MONTHS, DUES_PREPAY_MONTHS, ART9_WARNING_MONTHS, MOBILE_CONTACT_MONTHS,
    # FOUNDED_MID_PERIOD_OWES) are read through dangjian.core.rulesettings; set a key here only
    # to override the default (docs/RULES.md lists them).
    "DUES_ROUNDING": "ROUND_HALF_UP",
    "MINUTES_MIN_CHARS": 60,
    "POINTS_RANKING": False,
    "STALLED_TASK_DAYS": 30,
    # lifecycle: 转正 reminder starts this many days ahead; default validity of a 介绍信 (local practice).
    "PROBATION_REMIND_DAYS": 60,
    "TRANSFER_LETTER_VALID_DAYS": 30,
    # ID mask: region code and the check char (False: region code only). Never the birth date.
    "ID_MASK_KEEP_CHECK": _env_bool("ID_MASK_KEEP_CHECK", True),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Every model of every app is audited (create, update, delete with before/after values);
# encrypted columns are left out: their masked twins are logged instead.
AUDITLOG_INCLUDE_ALL_MODELS = True
AUDITLOG_EXCLUDE_TRACKING_MODELS = (
    "sessions",
    "admin",
    "contenttypes",
    "auth.permission",
    "axes",
    "auditlog",
    "accounts.revealevent",
    "accounts.passwordhistory",
    "accounts.activesession",
    "otp_totp",
    "otp_static",
    "core.exportjob",
    "django_tasks_database",
)
AUDITLOG_EXCLUDE_TRACKING_FIELDS = (
    "id_number_enc",
    "id_number_hash",
    "phone_enc",
    "mobile_contact_enc",
    "password",
    "last_login",
    "updated_at",
)
# Personal fields are logged as "已修改", never with their value or mask (core/audit.py).
AUDITLOG_MASK_TRACKING_FIELDS = (
    "id_number_mask",
    "phone_mask",
    "birth_date",
    "mobile_contact_mask",
)
AUDITLOG_MASK_CALLABLE = "dangjian.core.audit.mask_changed"
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_USE_FK_STRING_REPRESENTATION = True
