"""The test suite. The database and broker follow DATABASE_URL and CELERY_BROKER_URL, like local."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR

ENVIRONMENT = "test"

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Axes stays on: tests log in with force_login, and tests/accounts/test_security.py tests the lockout.
AXES_ENABLED = True
# One media folder per parallel test worker (pytest-xdist): each worker's database counts ids from 1, and
# files named after ids (frozen inspection reports) must not meet another worker's.
MEDIA_ROOT = VAR_DIR / "test-media" / os.environ.get("PYTEST_XDIST_WORKER", "main")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
