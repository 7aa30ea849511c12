"""The test suite. The database and broker follow DATABASE_URL and CELERY_BROKER_URL, like local."""

from .base import *  # noqa: F403
from .base import VAR_DIR

ENVIRONMENT = "test"

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Axes stays on: tests log in with force_login, and tests/accounts/test_security.py tests the lockout.
AXES_ENABLED = True
MEDIA_ROOT = VAR_DIR / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
