"""A real Celery worker, in this process, on the configured broker, writing to the django-db backend."""

from __future__ import annotations

import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django_celery_results.models import TaskResult

from config.celery import app as celery_app
from core.tasks import ping
from tests.workers import forget_queue

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_runs_ping_and_stores_pong_in_the_result_backend() -> None:
    # A queue of our own, so that a developer's `make run` worker on the same broker cannot take the task,
    # and messages left in the default queue by earlier runs are not consumed here.
    queue = f"test-{uuid.uuid4().hex[:12]}"

    try:
        with start_worker(
            celery_app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue], shutdown_timeout=10
        ):
            result = ping.apply_async(queue=queue)
            # The timeout only keeps a lost message from hanging the suite: how long a worker takes to start
            # on a loaded machine is not this test's point (timings belong to `make bench`).
            assert result.get(timeout=60) == "pong"
    finally:
        forget_queue(queue)

    stored = TaskResult.objects.get(task_id=result.id)
    assert stored.status == "SUCCESS"
    assert stored.task_name == "core.ping"
    assert stored.result == '"pong"'


def test_ping_is_registered_under_the_name_operations_call() -> None:
    celery_app.loader.import_default_modules()

    assert ping.name == "core.ping"
    assert "core.ping" in celery_app.tasks
