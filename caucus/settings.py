"""The one settings module. Every value an operator may change comes from the environment,
parsed strictly: a malformed value stops the process at start-up instead of being guessed."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def private_file(path: Path, make: Any) -> str:
    """Reads a secret from `path`, creating it with 0600 permissions on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(make())
    return path.read_text().strip()


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("CAUCUS_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
# The database, key files and stored blobs live here: readable by the service's user only.
DATA_DIR.chmod(0o700)

# "production" turns on everything `check --deploy` asks for (TLS-only cookies, HTTPS
# redirect). "development" serves plain HTTP on loopback for the demo and the tests.
CAUCUS_ENV = env_str("CAUCUS_ENV", "development")
if CAUCUS_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("CAUCUS_ENV must be 'development' or 'production'")
PRODUCTION = CAUCUS_ENV == "production"

SECRET_KEY = os.environ.get("CAUCUS_SECRET_KEY") or private_file(
    DATA_DIR / "secret_key", lambda: secrets.token_urlsafe(64)
)
DEBUG = env_bool("CAUCUS_DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("CAUCUS_DEBUG cannot be on in production")
ALLOWED_HOSTS = env_list("CAUCUS_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CAUCUS_CSRF_TRUSTED_ORIGINS", [])

# The master key (KEK) wraps every case's data key. It never goes into the database.
# CAUCUS_MASTER_KEY is base64 of 32 bytes; CAUCUS_PREVIOUS_MASTER_KEYS lists retired ones
# that may still unwrap keys until `caucus rotate-master-key` has re-wrapped them.
CAUCUS_MASTER_KEY_FILE = Path(env_str("CAUCUS_MASTER_KEY_FILE", str(DATA_DIR / "master.key")))
CAUCUS_MASTER_KEY = os.environ.get("CAUCUS_MASTER_KEY", "")
CAUCUS_PREVIOUS_MASTER_KEYS = env_list("CAUCUS_PREVIOUS_MASTER_KEYS", [])
# Wrapped data keys and the practice signing keys live in this directory, not in the
# database, so a database backup holds no key (issue 8). Several machines share one volume.
CAUCUS_KEYSTORE_DIR = Path(env_str("CAUCUS_KEYSTORE_DIR", str(DATA_DIR / "keys")))

# A PKCS#12 file holding the practice's signing key and certificate; signed agreement PDFs
# are signed with it (pyHanko). Without it the PDFs are generated unsigned.
CAUCUS_PDF_SIGNING_P12 = env_str("CAUCUS_PDF_SIGNING_P12", "")
CAUCUS_PDF_SIGNING_PASSPHRASE = env_str("CAUCUS_PDF_SIGNING_PASSPHRASE", "")
if CAUCUS_PDF_SIGNING_P12 and not Path(CAUCUS_PDF_SIGNING_P12).is_file():
    raise ImproperlyConfigured("CAUCUS_PDF_SIGNING_P12 does not name a readable file")

# The meeting room's video (issue 12). "mesh": peer-to-peer WebRTC between the browsers,
# signaled over the meeting's WebSocket, with no server on the media path (the embedded
# default); "janus": the Janus SFU that Caucus drives; "none": no video. No third-party
# server either way.
CAUCUS_VIDEO = env_str("CAUCUS_VIDEO", "mesh").strip()
if CAUCUS_VIDEO not in {"mesh", "janus", "none"}:
    raise ImproperlyConfigured(
        f"CAUCUS_VIDEO must be 'mesh', 'janus' or 'none', got {CAUCUS_VIDEO!r}"
    )

CAUCUS_MAX_UPLOAD_BYTES = env_int("CAUCUS_MAX_UPLOAD_BYTES", 100 * 1024 * 1024, minimum=1)

# Document vault (issue 6): blobs are ciphertext only. The filesystem under the data dir
# unless an S3-compatible bucket is named; then every S3 setting is checked at start-up.
CAUCUS_S3_BUCKET = env_str("CAUCUS_S3_BUCKET", "").strip()
_vault_storage: dict[str, Any] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(DATA_DIR / "vault"), "directory_permissions_mode": 0o700},
}
if CAUCUS_S3_BUCKET:
    _s3_endpoint = env_str("CAUCUS_S3_ENDPOINT_URL", "").strip()
    if _s3_endpoint and not _s3_endpoint.startswith(("https://", "http://")):
        raise ImproperlyConfigured("CAUCUS_S3_ENDPOINT_URL must be an http(s) URL")
    _vault_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": CAUCUS_S3_BUCKET,
            "endpoint_url": _s3_endpoint or None,
            "region_name": env_str("CAUCUS_S3_REGION", "").strip() or None,
            "access_key": env_str("CAUCUS_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("CAUCUS_S3_SECRET_ACCESS_KEY", "") or None,
            "location": env_str("CAUCUS_S3_PREFIX", "vault").strip("/"),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "vault": _vault_storage,
}
# Paths whose request body the ASGI handler streams to the view instead of spooling it to a
# temporary file first (caucus.vault.asgi): uploads never touch disk as plaintext.
CAUCUS_STREAMED_UPLOAD_PATHS = [
    r"^/api/v1/cases/[^/]+/documents/?$",
    r"^/cases/[^/]+/documents/?$",
]
CAUCUS_RETENTION_DAYS = env_int("CAUCUS_RETENTION_DAYS", 180, minimum=1)
CAUCUS_INVITATION_DAYS = env_int("CAUCUS_INVITATION_DAYS", 14, minimum=1)
CAUCUS_LOGIN_FAILURE_LIMIT = env_int("CAUCUS_LOGIN_FAILURE_LIMIT", 10, minimum=1)
if CAUCUS_LOGIN_FAILURE_LIMIT > 10:
    raise ImproperlyConfigured("CAUCUS_LOGIN_FAILURE_LIMIT may be at most 10")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "channels",
    "caucus.accounts",
    "caucus.crypto",
    "caucus.audit",
    "caucus.cases",
    "caucus.kernel",
    "caucus.meetings",
    "caucus.disclosures",
    "caucus.portal",
    "caucus.vault",
    "caucus.retention",
    "caucus.redaction",
    "huey.contrib.djhuey",
    "caucus.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which may read the body: uploads must be parsed by the vault's parser.
    "caucus.vault.upload.UploadMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "caucus.web.middleware.NoStoreMiddleware",
    "caucus.crypto.middleware.KeyScopeMiddleware",
    # Last, so that a locked-out login is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "caucus.urls"
ASGI_APPLICATION = "caucus.asgi.application"
WSGI_APPLICATION = None

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
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    # One test database per test process, so that two runs on one server never collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "caucus.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on
                # busy_timeout instead of failing with "database is locked" on upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                # secure_delete overwrites freed pages so deleted content leaves no residue.
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA secure_delete=ON;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
            # A file (not :memory:) so tests can scan the raw bytes, one per test process so
            # concurrent runs never share a database.
            "TEST": {"NAME": str(DATA_DIR / f"test-caucus-{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CAUCUS_CACHE_PREFIX", "caucus"),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": env_str("CAUCUS_CACHE_PREFIX", "caucus"),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Background jobs (the daily retention purge): huey on SQLite in the data directory, on
# Redis when REDIS_URL is set. `caucus serve` runs a consumer in a thread unless
# CAUCUS_EMBEDDED_WORKER is off (then run `caucus run_huey` somewhere).
CAUCUS_EMBEDDED_WORKER = env_bool("CAUCUS_EMBEDDED_WORKER", True)
HUEY: dict[str, Any] = {
    "name": env_str("CAUCUS_CACHE_PREFIX", "caucus"),
    "immediate": env_bool("CAUCUS_HUEY_IMMEDIATE", False),
    "utc": True,
    "consumer": {"workers": 1, "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "huey.sqlite3")})

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:cases"

# Lockout counts failures for one account from one address together, so an attacker
# cannot lock a victim out from elsewhere, and one address cannot try one account forever.
AXES_FAILURE_LIMIT = CAUCUS_LOGIN_FAILURE_LIMIT
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CAUCUS_LOCKOUT_MINUTES", 15, minimum=1))
AXES_USERNAME_FORM_FIELD = "email"
AXES_LOCKOUT_CALLABLE = "caucus.web.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# Successful sign-ins are in the audit chain; axes would keep emails, addresses and user
# agents in the clear for each one.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp"]

OTP_TOTP_ISSUER = "Caucus"

SESSION_COOKIE_AGE = int(timedelta(hours=8).total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("CAUCUS_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("CAUCUS_BEHIND_PROXY", False) else None
)
SECURE_HSTS_SECONDS = 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Not "no-referrer": under it browsers send `Origin: null` with every form POST, which
# Django's CSRF check rejects. "same-origin" still sends nothing to other sites.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
EMAIL_BACKEND = env_str("CAUCUS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("CAUCUS_FROM_EMAIL", "caucus@localhost")
EMAIL_HOST = env_str("CAUCUS_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("CAUCUS_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("CAUCUS_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("CAUCUS_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("CAUCUS_EMAIL_TLS", False)
# Where the link in a notification points. A notification carries this link and nothing
# about the case (practice 10).
CAUCUS_SITE_URL = env_str("CAUCUS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Logs carry ids, action names and status codes; never content, names, emails or addresses.
# Third-party loggers that would print an email or an address are held to errors only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("CAUCUS_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "ERROR", "propagate": True},
        "django.security": {"level": "WARNING", "propagate": True},
    },
}
