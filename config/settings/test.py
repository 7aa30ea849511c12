"""The test suite. The database and broker follow DATABASE_URL and CELERY_BROKER_URL, like local."""

import os
from pathlib import Path

from config.env import env_int, filesystem_broker_options

from .base import *  # noqa: F403
from .base import VAR_DIR

ENVIRONMENT = "test"

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Axes stays on: tests log in with force_login, and tests/accounts/test_security.py tests the lockout.
AXES_ENABLED = True
# The demo's quality report costs four PDF renders, which every browser test's demo (and every demo test)
# would pay; tests/quality/test_demo.py turns it on, on both databases.
QUALITY_DEMO_REPORT = False
# The navigation is counted on every page in tests (ADR 0051): the suite's query-count tests compare a
# page before and after adding rows, and a kept navigation would make the first count smaller.
# tests/core/test_navcache.py turns keeping on; the bench turns it on as production has it.
NAV_CACHE_SECONDS = env_int("NAV_CACHE_SECONDS", 0, minimum=0)
# Likewise the kept pages (tests/core/test_pagecache.py turns keeping on; the bench as production has it).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0, minimum=0)
# And the kept reads (tests/core/test_keptreads.py and tests/students/test_at_risk_kept.py turn keeping on).
READ_CACHE_SECONDS = env_int("READ_CACHE_SECONDS", 0, minimum=0)
# One media folder per parallel test worker (pytest-xdist): each worker's database counts ids from 1, and
# files named after ids (frozen inspection reports) must not meet another worker's.
# A worker started by a test in a process of its own (tests/worker_process.py) is told the test's folder.
MEDIA_ROOT = Path(
    os.environ.get("TANDEM_TEST_MEDIA_ROOT") or VAR_DIR / "test-media" / os.environ.get("PYTEST_XDIST_WORKER", "main")
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A broker of the run's own, per run and per parallel worker, removed when the run ends (tests/conftest.py):
# tasks the tests enqueue must never reach a developer's ``make run`` worker on the same broker, nor pile up.
TEST_BROKER_ID = os.environ.get("TANDEM_TEST_BROKER_ID") or "{}-{}".format(
    os.environ.get("PYTEST_XDIST_TESTRUNUID", f"run{os.getpid()}")[:12], os.environ.get("PYTEST_XDIST_WORKER", "main")
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_FOLDER = VAR_DIR / "test-celery" / TEST_BROKER_ID
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **globals().get("CELERY_BROKER_TRANSPORT_OPTIONS", {}),
        **filesystem_broker_options(CELERY_BROKER_FOLDER),
    }
    # The folders are made when a test session starts and removed when it ends (tests/conftest.py), so that
    # other commands loading these settings (mypy's plugin, manage.py checks) leave nothing behind.
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **globals().get("CELERY_BROKER_TRANSPORT_OPTIONS", {}),
        "global_keyprefix": f"tandem-test-{TEST_BROKER_ID}:",
    }
