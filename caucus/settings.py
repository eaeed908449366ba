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

# --- Janus and TURN (issue 12) ------------------------------------------------------------
# Janus is driven only by Caucus: CAUCUS_JANUS_URL is Caucus's own loopback connection to
# Janus's WebSocket, CAUCUS_JANUS_PUBLIC_URL the one browsers use (wss://host/janus behind
# the proxy). The token secret signs Janus core tokens; the admin key lets Caucus (and only
# Caucus) create rooms. Without them in the environment, Janus mode keeps generated ones in
# 0600 files in the data directory, where `caucus janus-config` finds them too.
_JANUS_MODE = os.environ.get("CAUCUS_VIDEO", "") == "janus"


def env_secret(name: str, file_name: str, *, generate: bool) -> str:
    """A secret written into Janus's or coturn's configuration: 32+ URL-safe characters, so
    it never needs quoting there and is never short enough to guess."""
    raw = os.environ.get(name, "").strip()
    if not raw and generate:
        raw = private_file(DATA_DIR / file_name, lambda: secrets.token_urlsafe(32))
    if raw and (len(raw) < 32 or not all(c.isalnum() or c in "-_" for c in raw)):
        raise ImproperlyConfigured(f"{name} must be at least 32 characters of [A-Za-z0-9_-]")
    return raw


def env_ws_url(name: str, default: str) -> str:
    raw = env_str(name, default).strip().rstrip("/")
    if not raw.startswith(("ws://", "wss://")):
        raise ImproperlyConfigured(f"{name} must be a ws:// or wss:// URL, got {raw!r}")
    return raw


def env_port_range(name: str, default: str) -> str:
    raw = env_str(name, default).strip()
    low, _, high = raw.partition("-")
    if not (low.isdigit() and high.isdigit() and 1024 <= int(low) < int(high) <= 65535):
        raise ImproperlyConfigured(f"{name} must be a port range like 20000-40000, got {raw!r}")
    return raw


CAUCUS_JANUS_URL = env_ws_url("CAUCUS_JANUS_URL", "ws://127.0.0.1:8188")
CAUCUS_JANUS_PUBLIC_URL = env_ws_url("CAUCUS_JANUS_PUBLIC_URL", CAUCUS_JANUS_URL)
CAUCUS_JANUS_TOKEN_SECRET = env_secret(
    "CAUCUS_JANUS_TOKEN_SECRET", "janus-token-secret", generate=_JANUS_MODE
)
CAUCUS_JANUS_ADMIN_KEY = env_secret(
    "CAUCUS_JANUS_ADMIN_KEY", "janus-admin-key", generate=_JANUS_MODE
)
# A Janus core token lives at most a minute: the browser fetches a fresh one while it stays
# admitted, so a removed attendee's session dies within that minute even if a kick is lost.
CAUCUS_JANUS_TOKEN_TTL = env_int("CAUCUS_JANUS_TOKEN_TTL", 60, minimum=10)
if CAUCUS_JANUS_TOKEN_TTL > 60:
    raise ImproperlyConfigured("CAUCUS_JANUS_TOKEN_TTL may be at most 60 (seconds)")
CAUCUS_JANUS_TIMEOUT_MS = env_int("CAUCUS_JANUS_TIMEOUT_MS", 3000, minimum=100)
# Used by `caucus janus-config` only: where Janus listens and which UDP ports media uses.
CAUCUS_JANUS_WS_PORT = env_int("CAUCUS_JANUS_WS_PORT", 8188, minimum=1)
CAUCUS_JANUS_RTP_PORTS = env_port_range("CAUCUS_JANUS_RTP_PORTS", "20000-40000")
CAUCUS_JANUS_PUBLISHERS = env_int("CAUCUS_JANUS_PUBLISHERS", 12, minimum=2)
if _JANUS_MODE and PRODUCTION and not CAUCUS_JANUS_PUBLIC_URL.startswith("wss://"):
    raise ImproperlyConfigured("CAUCUS_JANUS_PUBLIC_URL must be wss:// in production")

# coturn with `use-auth-secret`: Caucus mints short-lived credentials for admitted attendees
# only. TURN is offered when both the URLs and the shared secret are set.
CAUCUS_TURN_URLS = env_list("CAUCUS_TURN_URLS", [])
for _turn_url in CAUCUS_TURN_URLS:
    if not _turn_url.startswith(("turn:", "turns:", "stun:")):
        raise ImproperlyConfigured(f"CAUCUS_TURN_URLS: {_turn_url!r} is not a turn:/turns: URL")
CAUCUS_TURN_SECRET = env_secret("CAUCUS_TURN_SECRET", "turn-secret", generate=False)
CAUCUS_TURN_TTL = env_int("CAUCUS_TURN_TTL", 300, minimum=30)
if CAUCUS_TURN_TTL > 3600:
    raise ImproperlyConfigured("CAUCUS_TURN_TTL may be at most 3600 (seconds)")
CAUCUS_TURN_REALM = env_str("CAUCUS_TURN_REALM", "caucus").strip()
if not CAUCUS_TURN_REALM or not all(c.isalnum() or c in ".-" for c in CAUCUS_TURN_REALM):
    raise ImproperlyConfigured("CAUCUS_TURN_REALM must be a host-like name ([A-Za-z0-9.-])")
# --- end of Janus and TURN ------------------------------------------------------------------

CAUCUS_MAX_UPLOAD_BYTES = env_int("CAUCUS_MAX_UPLOAD_BYTES", 100 * 1024 * 1024, minimum=1)
# An upload's body holds a server thread while it arrives: the whole body must arrive within
# this many seconds (else 408), and one user has at most this many uploads in flight (else
# 429, counted in the shared cache so that the bound holds across processes).
CAUCUS_UPLOAD_DEADLINE_SECONDS = env_int("CAUCUS_UPLOAD_DEADLINE_SECONDS", 900, minimum=1)
CAUCUS_UPLOADS_PER_USER = env_int("CAUCUS_UPLOADS_PER_USER", 3, minimum=1)
# What one redaction may read and propose, so that a small file that unpacks into a huge one
# is refused (413 document_too_large, 400 too_many_spans) in seconds and in bounded memory.
# Detection runs at about 10,000 characters a second.
CAUCUS_REDACTION_MAX_BYTES = env_int("CAUCUS_REDACTION_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
CAUCUS_REDACTION_MAX_CHARS = env_int("CAUCUS_REDACTION_MAX_CHARS", 200_000, minimum=1)
CAUCUS_REDACTION_MAX_PDF_PAGES = env_int("CAUCUS_REDACTION_MAX_PDF_PAGES", 500, minimum=1)
CAUCUS_REDACTION_MAX_SPANS = env_int("CAUCUS_REDACTION_MAX_SPANS", 10_000, minimum=1)

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
# issue 15: password-reset requests answered per client address and hour (then 429).
CAUCUS_PASSWORD_RESETS_PER_ADDRESS = env_int("CAUCUS_PASSWORD_RESETS_PER_ADDRESS", 20, minimum=1)
# Mediators without a second factor (`create-mediator --no-mfa`, for scripts) use the API
# with a password alone. Development allows them; production only when the operator says
# so, since such an account's password is then the only lock on the cases it mediates.
CAUCUS_ALLOW_PASSWORD_ONLY_SERVICE_ACCOUNTS = env_bool(
    "CAUCUS_ALLOW_PASSWORD_ONLY_SERVICE_ACCOUNTS", not PRODUCTION
)
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
    "caucus.settlement",
    "caucus.web",
]
# huey's Django app only provides `caucus run_huey`; as an installed app it would be imported
# by every server process, and huey imports its optional Redis and psycopg back ends with it
# (about 35 MB on SQLite). `caucus run_huey` sets CAUCUS_JOB_CONSUMER; `caucus serve` imports
# huey itself, only where it runs the embedded consumer.
if env_bool("CAUCUS_JOB_CONSUMER", False):
    INSTALLED_APPS.append("huey.contrib.djhuey")

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
    # issue 15: after authentication, so that it knows whose zone to show times in.
    "caucus.web.middleware.TimeZoneMiddleware",
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
    # No persistent connections: under ASGI each request's sync code runs in a thread of its
    # own, and a connection kept per thread outlived it. Under load (bench/load.py) two
    # servers held PostgreSQL's 100 connections and answered 500. Each request now opens
    # and closes its own; a pool (psycopg-pool, Django's "pool" option) would save the
    # connect time.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
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
                # redis-py 8 reads with a 5 s socket timeout by default, the length of
                # channels_redis's blocking pop: every idle WebSocket's consumer died with a
                # TimeoutError after about 5 s. The read waits longer than the pop instead.
                # Every group send takes a connection from the process's pool, and redis-py 8
                # caps a pool at 100: a process holding a few hundred sockets ran out when
                # they all left at once (bench/load.py). Redis itself admits 10,000 clients.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": 15,
                        "max_connections": env_int(
                            "CAUCUS_REDIS_MAX_CONNECTIONS", 1000, minimum=10
                        ),
                    }
                ],
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
        # Janus mode: browsers reach the practice's own Janus at its public URL, and nothing else.
        "connect-src": ["'self'", *([CAUCUS_JANUS_PUBLIC_URL] if CAUCUS_VIDEO == "janus" else [])],
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
# By default each mail is a file in CAUCUS_DATA_DIR/mail (0700), where a developer reads
# it and the purge deletes a purged person's messages; never printed, since the log is out
# of the purge's reach (production refuses the console backend: caucus.portal.mailbox).
EMAIL_BACKEND = env_str("CAUCUS_EMAIL_BACKEND", "caucus.portal.mailbox.MailboxBackend")
EMAIL_FILE_PATH = Path(env_str("CAUCUS_EMAIL_DIR", str(DATA_DIR / "mail")))
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
# Every logger reaches the one handler, and its filter takes invitation tokens out of any
# line (Django's "Bad Request: /invite/<token>" warning included): Django's and uvicorn's
# own handlers are removed, so nothing is written beside it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub_secrets": {"()": "caucus.web.logs.ScrubSecrets"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["scrub_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("CAUCUS_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        "uvicorn": {"handlers": [], "propagate": True},
        "uvicorn.error": {"handlers": [], "propagate": True},
        "uvicorn.access": {"handlers": [], "propagate": True},
        "axes": {"level": "ERROR", "propagate": True},
        "django.security": {"level": "WARNING", "propagate": True},
    },
}
