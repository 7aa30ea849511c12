"""Production: refuses to start without a real secret key, database and broker.

Everything else (hosts, e-mail) comes from the environment; see ``.env.example``.
"""

from config.env import ImproperEnvironment, env_bool, env_broker, env_database, env_int, env_list, env_str

from .base import *  # noqa: F403
from .base import SESSION_IDLE_MINUTES, WELLBEING_DEVELOPMENT_KEY, prepared_statement_options

ENVIRONMENT = "production"

DEBUG = False

SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure"):
    raise ImproperEnvironment("SECRET_KEY must be a random value of at least 50 characters in production.")

DATABASES = {"default": env_database("DATABASE_URL", "")}
if not DATABASES["default"].get("ENGINE", "").endswith("postgresql"):
    raise ImproperEnvironment("DATABASE_URL must point to PostgreSQL in production (SQLite is for development).")
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A database server that does not answer fails a new connection in seconds, not at the kernel's leisure.
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
# Prepared statements and their plans (ADR 0061): off unless DATABASE_PREPARED_STATEMENTS is on.
DATABASES["default"]["OPTIONS"].update(prepared_statement_options())

CELERY_BROKER_URL = env_broker("CELERY_BROKER_URL", "")
if not CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    raise ImproperEnvironment("CELERY_BROKER_URL must point to Redis in production.")

WELLBEING_ENCRYPTION_KEYS = env_list("WELLBEING_ENCRYPTION_KEYS", [])
if not WELLBEING_ENCRYPTION_KEYS or WELLBEING_DEVELOPMENT_KEY in WELLBEING_ENCRYPTION_KEYS:
    raise ImproperEnvironment(
        "WELLBEING_ENCRYPTION_KEYS must hold at least one Fernet key of this installation in production "
        "(the development key is refused)."
    )

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS and cookies. Behind a TLS-terminating proxy, set SECURE_PROXY_SSL_HEADER_ENABLED=true.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
if env_bool("SECURE_PROXY_SSL_HEADER_ENABLED", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
# A session slides with use without being saved on every request (issue #19, item 4): the idle-timeout
# middleware (core.middleware) moves its last-seen time, and so saves it and sends its cookie again with a
# new expiry, at most once a minute. The cookie lives that minute longer than the idle limit, so a session
# last saved up to a minute before its last click is still there when the middleware logs it out on time.
# (SESSION_SAVE_EVERY_REQUEST would add an UPDATE and a commit to every page and API call.)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60 + 60
X_FRAME_OPTIONS = "DENY"
# Load balancers probe /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# TRUSTED_PROXY_COUNT (base.py) stays 0 unless set: 1 behind one reverse proxy that appends the client's
# address to X-Forwarded-For. With 1 and no proxy, any client could name its own address.

# One cache shared by every web process (the API's throttles): Redis. Short timeouts, so that a Redis that
# does not answer costs a request a second at most; the throttles then count in memory (core.throttling).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("CACHE_URL", CELERY_BROKER_URL),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
