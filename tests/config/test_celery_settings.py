"""Celery's settings on Redis, read in a fresh interpreter with production settings: a message a killed
worker took comes back within minutes, not Redis's default hour, and never while a task may still run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "k" * 20 + "-production-secret-key-for-tests-only-" + "z" * 20,
    "DATABASE_URL": "postgres://tandem@127.0.0.1:5432/tandem",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "tandem.example",
    "WELLBEING_ENCRYPTION_KEYS": "dGVzdHMtb25seS10ZXN0cy1vbmx5LXRlc3RzLW9ubHk=",
}
READ = """
import json, django
django.setup()
from django.conf import settings
from config.celery import app
from core.claims import claim_timeout
print(json.dumps({
    "visibility_timeout": (app.conf.broker_transport_options or {}).get("visibility_timeout"),
    "time_limit": app.conf.task_time_limit,
    "claim": claim_timeout().total_seconds(),
    "options": app.conf.broker_transport_options,
    "connection_timeout": app.conf.broker_connection_timeout,
    "publish_retry": app.conf.task_publish_retry_policy,
    "acks_late": app.conf.task_acks_late,
    "reject_on_worker_lost": app.conf.task_reject_on_worker_lost,
    "cache": settings.CACHES["default"]["OPTIONS"],
    "database": settings.DATABASES["default"]["OPTIONS"],
}))
"""


def test_redis_gives_back_a_dead_workers_message_within_minutes_after_any_claim_went_stale() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_"))}
    env.update(ENV)
    result = subprocess.run(
        [sys.executable, "-c", READ], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0, result.stderr
    conf = json.loads(result.stdout.strip().splitlines()[-1])
    assert conf["visibility_timeout"] is not None and conf["visibility_timeout"] <= 15 * 60
    assert conf["visibility_timeout"] >= conf["time_limit"] == 300
    assert conf["visibility_timeout"] > conf["claim"] > conf["time_limit"]


def test_every_broker_cache_and_database_connection_gives_up_within_seconds() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_"))}
    env.update(ENV)
    result = subprocess.run(
        [sys.executable, "-c", READ], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0, result.stderr
    conf = json.loads(result.stdout.strip().splitlines()[-1])
    options = conf["options"]
    assert 0 < options["socket_connect_timeout"] <= 2 and 0 < options["socket_timeout"] <= 2
    assert conf["connection_timeout"] <= 2
    assert conf["publish_retry"]["max_retries"] <= 1
    assert conf["acks_late"] and conf["reject_on_worker_lost"]
    assert 0 < conf["cache"]["socket_connect_timeout"] <= 2 and 0 < conf["cache"]["socket_timeout"] <= 2
    assert 0 < conf["database"]["connect_timeout"] <= 5
