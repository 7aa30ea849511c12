"""The suite's tasks go to a broker of the run's own and are gone when the run ends (config/settings/test.py).

A developer's ``make run`` worker on the same Redis database or folder must never pick up the suite's
e-mails and report renders.
"""

from __future__ import annotations

from pathlib import Path

import redis
from django.conf import settings

from config.celery import app as celery_app
from core.tasks import ping
from tests.workers import forget_test_broker


def _messages_waiting() -> int:
    """Messages waiting in the default queue of the run's broker."""
    with celery_app.connection_for_write() as conn:
        return int(conn.default_channel.queue_declare(queue="celery").message_count)


def test_enqueued_tasks_land_on_the_runs_own_broker_and_are_removed_at_the_end() -> None:
    options = celery_app.conf.broker_transport_options
    before = _messages_waiting()

    ping.delay()

    assert _messages_waiting() == before + 1
    if settings.CELERY_BROKER_URL.startswith("redis"):
        prefix = options["global_keyprefix"]
        assert settings.TEST_BROKER_ID in prefix
        client = redis.Redis.from_url(celery_app.conf.broker_url)
        assert client.llen("celery") == 0  # nothing on the shared, unprefixed default queue
        assert client.llen(f"{prefix}celery") == before + 1
    else:
        folder = Path(options["data_folder_in"])
        assert settings.TEST_BROKER_ID in folder.parts[-2]
        assert folder.resolve() != (Path(settings.BASE_DIR) / "var" / "celery" / "queue").resolve()
        assert len(list(folder.glob("*.msg"))) >= 1

    assert forget_test_broker() >= 1
    # The broker is usable again afterwards (the filesystem transport needs its folders back).
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        for name in ("data_folder_in", "control_folder", "processed_folder"):
            Path(options[name]).mkdir(parents=True, exist_ok=True)
    assert _messages_waiting() == 0
