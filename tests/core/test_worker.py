"""A real Celery worker, in this process, on the configured broker, writing to the django-db backend."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django_celery_results.models import TaskResult
from kombu import Exchange, Queue

from config.celery import app as celery_app
from core.tasks import ping

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _forget_queue(queue: str) -> None:
    """Remove the test queue and its exchange from the broker, so runs leave nothing behind."""
    with celery_app.connection_for_write() as conn:
        channel = conn.default_channel
        # Declared again on this channel so that the transport knows the bindings it has to remove.
        Queue(queue, Exchange(queue), routing_key=queue)(channel).declare()
        channel.queue_delete(queue)
        channel.exchange_delete(queue)
    # The filesystem transport keeps each exchange's bindings in a file of its own.
    control_folder = (celery_app.conf.broker_transport_options or {}).get("control_folder")
    if control_folder:
        Path(control_folder, f"{queue}.exchange").unlink(missing_ok=True)


def test_worker_runs_ping_and_stores_pong_in_the_result_backend() -> None:
    # A queue of our own, so that a developer's `make run` worker on the same broker cannot take the task,
    # and messages left in the default queue by earlier runs are not consumed here.
    queue = f"test-{uuid.uuid4().hex[:12]}"
    started = time.monotonic()

    try:
        with start_worker(
            celery_app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue], shutdown_timeout=10
        ):
            result = ping.apply_async(queue=queue)
            assert result.get(timeout=15) == "pong"
    finally:
        _forget_queue(queue)

    assert time.monotonic() - started < 20
    stored = TaskResult.objects.get(task_id=result.id)
    assert stored.status == "SUCCESS"
    assert stored.task_name == "core.ping"
    assert stored.result == '"pong"'


def test_ping_is_registered_under_the_name_operations_call() -> None:
    celery_app.loader.import_default_modules()

    assert ping.name == "core.ping"
    assert "core.ping" in celery_app.tasks
