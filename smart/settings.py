"""Django settings for SMART, all taken from the environment.

SMART_DATA_DIR   where the SQLite database, the report archive and generated keys live (./smart-data)
DATABASE_URL     a postgres:// URL switches from embedded SQLite to PostgreSQL
SMART_SECRET_KEY Django's secret key; generated into the data dir when absent
SMART_FERNET_KEY key for secrets stored at rest; generated into the data dir when absent
"""
import json
import os
import secrets
import sys
import tempfile
import warnings
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
if "SMART_DATA_DIR" not in os.environ and "pytest" in sys.modules:
    # A bare `pytest` never touches ./smart-data, and concurrent runs never share a test database;
    # child processes the tests start inherit the same folder.
    os.environ["SMART_DATA_DIR"] = tempfile.mkdtemp(prefix="smart-test-")
DATA_DIR = Path(os.environ.get("SMART_DATA_DIR", "smart-data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _data_dir_secret(env_name: str, file_name: str, make) -> str:
    """A secret from the environment, else from a 0600 file in the data dir, created on first use."""
    value = os.environ.get(env_name)
    if value:
        return value
    path = DATA_DIR / file_name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(make())
    return path.read_text().strip()


SECRET_KEY = _data_dir_secret("SMART_SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(50))


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


SMART_FERNET_KEYS = [k for k in _data_dir_secret("SMART_FERNET_KEY", "fernet.key", _fernet_key).split(",") if k]

DEBUG = os.environ.get("SMART_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("SMART_ALLOWED_HOSTS", "*").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "smart",
    "smart.registry",
    "smart.ingest",
    "smart.pipeline",
    "smart.metrics",
    "smart.probes",
    "smart.alerts",
    "smart.notify",
    "smart.cabinet",
    "smart.reports",
    "smart.agent",
    "smart.simulator",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "smart.urls"
LOGIN_URL = "cabinet:login"
LOGIN_REDIRECT_URL = "cabinet:home"
SESSION_COOKIE_AGE = int(os.environ.get("SMART_SESSION_AGE_S", 12 * 3600))  # signed out after this long (X14)
SESSION_SAVE_EVERY_REQUEST = True  # ... of inactivity
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SMART_LOGIN_MAX_FAILURES = int(os.environ.get("SMART_LOGIN_MAX_FAILURES", 5))  # per username or address
SMART_LOGIN_LOCK_S = int(os.environ.get("SMART_LOGIN_LOCK_S", 900))  # ... within this window locks sign-in
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "smart.cabinet.context.cabinet",
            ]
        },
    }
]
ASGI_APPLICATION = "smart.asgi.application"
WSGI_APPLICATION = "smart.wsgi.application"


def _database() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        db.setdefault("OPTIONS", {})
        # Plan server-side cursors (QuerySet.iterator) for the whole result, as for any query: with the default
        # fraction (0.1) PostgreSQL picks first-rows plans and a grouped sum read through .iterator() took
        # 4.6 s instead of 55 ms.
        db["OPTIONS"]["options"] = (db["OPTIONS"].get("options", "") + " -c cursor_tuple_fraction=1").strip()
        if os.environ.get("SMART_TEST_DB_NAME"):  # parallel test runs against one server
            db["TEST"] = {"NAME": os.environ["SMART_TEST_DB_NAME"]}
        return db
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "smart.sqlite3"),
        "CONN_MAX_AGE": None,  # opening a connection runs the PRAGMAs below: keep it per thread
        "OPTIONS": {
            # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN,
            # so concurrent writers queue on busy_timeout instead of failing with "locked".
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        },
        # A file, not memory, so that servers started by the tests in other threads share it.
        "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "registry.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
from smart.i18n import compiled_locale_dir  # noqa: E402

LOCALE_PATHS = [compiled_locale_dir(DATA_DIR)]
USE_I18N = True
TIME_ZONE = "Europe/Moscow"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# WhiteNoise serves files through a sync iterator; under ASGI Django warns about it on every file.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")
WHITENOISE_USE_FINDERS = True  # served straight from the installed apps: no collectstatic, no CDN


def _plotly_dir() -> str:
    import plotly

    return str(Path(plotly.__file__).parent / "package_data")


STATICFILES_DIRS = [("plotly", _plotly_dir())]  # /static/plotly/plotly.min.js from the installed wheel (no CDN)

# Ingest limits (D §3.5 X4, X6).
SMART_ARCHIVE_DIR = Path(os.environ.get("SMART_ARCHIVE_DIR", DATA_DIR / "archive"))
SMART_UPLOAD_MAX_BYTES = int(os.environ.get("SMART_UPLOAD_MAX_BYTES", 100 * 1024 * 1024))
# Threads kept for Django's requests under ASGI, each with its database connection (smart/ingest/asgi.py
# ThreadLender); 0: a thread and a connection per request, as Django does by default.
SMART_WEB_THREADS = int(os.environ.get("SMART_WEB_THREADS", 16))
SMART_UPLOADS_PER_NAME_PER_HOUR = int(os.environ.get("SMART_UPLOADS_PER_NAME_PER_HOUR", 12))
SMART_FILE_NAME_MAX = 128
SMART_JOB_MAX_ATTEMPTS = int(os.environ.get("SMART_JOB_MAX_ATTEMPTS", 5))
SMART_RETENTION_MONTHS = int(os.environ.get("SMART_RETENTION_MONTHS", 13))
SMART_ARCHIVE_RETENTION_DAYS = int(os.environ.get("SMART_ARCHIVE_RETENTION_DAYS", 35))

# Active collection (issue: probes, pulls, online scraping).
SMART_PROBE_SAMPLE_EVERY_S = int(os.environ.get("SMART_PROBE_SAMPLE_EVERY_S", 300))  # healthy-run sampling
SMART_PROBE_MIN_INTERVAL_S = float(os.environ.get("SMART_PROBE_MIN_INTERVAL_S", 10))
SMART_ONLINE_BILLING_INTERVAL_S = float(os.environ.get("SMART_ONLINE_BILLING_INTERVAL_S", 3600))  # C §11(b) #1
SMART_PROBE_SAMPLE_RETENTION_DAYS = int(os.environ.get("SMART_PROBE_SAMPLE_RETENTION_DAYS", 35))
# Notifications (issue: alerts and notifications).
SMART_ALERT_EVAL_INTERVAL_S = float(os.environ.get("SMART_ALERT_EVAL_INTERVAL_S", 60))  # periodic alert pass
SMART_BASE_URL = os.environ.get("SMART_BASE_URL", "http://127.0.0.1:8000")  # links in messages (runbooks)
SMART_SMTP_HOST = os.environ.get("SMART_SMTP_HOST", "127.0.0.1")
SMART_SMTP_PORT = int(os.environ.get("SMART_SMTP_PORT", 25))
SMART_SMTP_USER = os.environ.get("SMART_SMTP_USER", "")
SMART_SMTP_PASSWORD = os.environ.get("SMART_SMTP_PASSWORD", "")
SMART_SMTP_STARTTLS = os.environ.get("SMART_SMTP_STARTTLS", "") in ("1", "true", "yes")
SMART_MAIL_FROM = os.environ.get("SMART_MAIL_FROM", "SMART <alert@smart.local>")
# Django's own mail (cabinet invitations) goes through the same relay as the alerts.
EMAIL_HOST, EMAIL_PORT = SMART_SMTP_HOST, SMART_SMTP_PORT
EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = SMART_SMTP_USER, SMART_SMTP_PASSWORD
EMAIL_USE_TLS = SMART_SMTP_STARTTLS
DEFAULT_FROM_EMAIL = SMART_MAIL_FROM
EMAIL_TIMEOUT = 30
SMART_TELEGRAM_API = os.environ.get("SMART_TELEGRAM_API", "https://api.telegram.org")
SMART_TELEGRAM_TOKEN = os.environ.get("SMART_TELEGRAM_TOKEN", "")
SMART_HTTP_TIMEOUT = float(os.environ.get("SMART_HTTP_TIMEOUT", 10))
# Platform alerts (dealer-less, e.g. SmartNotifierDeliveryFailed) by e-mail; empty: every SMART operator's e-mail.
SMART_OPS_EMAIL = os.environ.get("SMART_OPS_EMAIL", "")
SMART_ACTION_LINK_TTL_S = int(os.environ.get("SMART_ACTION_LINK_TTL_S", 7 * 86400))  # Acknowledge/Snooze links
# ASRP forwarding (B §B): off while SMART_ASRP_URL is empty; the adapter file maps request and answer.
SMART_ASRP_URL = os.environ.get("SMART_ASRP_URL", "")
SMART_ASRP_TOKEN = os.environ.get("SMART_ASRP_TOKEN", "")
SMART_ASRP_ADAPTER = os.environ.get("SMART_ASRP_ADAPTER", "")  # default: smart/reports/asrp_adapter.json
SMART_ASRP_ROUND_S = float(os.environ.get("SMART_ASRP_ROUND_S", 300))
# {"host:port": "scheme://ip:port"}: connect elsewhere, keep the name (like curl --connect-to).
SMART_CONNECT_TO = json.loads(os.environ.get("SMART_CONNECT_TO", "{}"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SMART_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "httpx": {"level": "WARNING"},
                "fontTools": {"level": "WARNING"}},
}
