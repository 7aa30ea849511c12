"""A real Celery worker killed with SIGKILL in the middle of a report render loses nothing: the message was
not acknowledged (acks late), Redis gives it back once its visibility timeout has passed, the dead worker's
claim has gone stale by then, and a new worker renders the report, once.

PostgreSQL and Redis only (the production pair): the worker is a process of its own, which must see the
test's committed rows and the broker's unacknowledged messages. The worker runs with a time limit of
``TIME_LIMIT`` seconds so that the visibility timeout (twice that) and the claim (that plus a fifth) pass
in seconds, not minutes; the rules that derive them are the production ones.
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from supervision import tasks
from supervision.models import InspectionReport, ReportStatus, ReportVariant
from supervision.services import reports as render
from tests.conftest import World
from tests.supervision import helpers
from tests.worker_process import kill, start_worker_process
from tests.workers import forget_queue, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL.startswith("redis"),
        reason="a worker of its own needs PostgreSQL and Redis (the production pair)",
    ),
]

TIME_LIMIT = 8
VISIBILITY = 2 * TIME_LIMIT  # config/settings/base.py
CLAIM = TIME_LIMIT + TIME_LIMIT / 5  # core/claims.py


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker_env(settings: Any, media: Path) -> dict[str, str]:
    """The worker process's environment: this test's database, broker prefix and media folder."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "TANDEM_TEST_BROKER_ID": settings.TEST_BROKER_ID,
        "TANDEM_TEST_MEDIA_ROOT": str(media),
        "CELERY_TASK_TIME_LIMIT": str(TIME_LIMIT),
    }


def _ready(pk: int) -> bool:
    return InspectionReport.objects.get(pk=pk).status == ReportStatus.READY


def _lines(log: Path, word: str, pk: int) -> list[str]:
    if not log.exists():
        return []
    return [line for line in log.read_text().splitlines() if line.startswith(f"{word} {pk} ")]


def test_a_worker_killed_mid_render_loses_nothing_and_a_new_worker_renders_the_report_exactly_once(
    world: World, monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path
) -> None:
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    queue = f"test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(render, "_send", lambda pk: tasks.report_render.apply_async((pk,), queue=queue))
    log, output = tmp_path / "renders.log", tmp_path / "workers.out"
    env = _worker_env(settings, media)
    inspection = helpers.closed(world)  # the render's message is on the test's queue
    report = InspectionReport.objects.get(inspection=inspection, variant=ReportVariant.FULL, language="en")
    first = second = None
    try:
        # The first worker takes the message and is killed, with its pool, while it renders.
        first = start_worker_process(queue=queue, log=log, env={**env, "TANDEM_RENDER_SLEEP": "120"}, output=output)
        assert wait_for(lambda: bool(_lines(log, "start", report.pk)) or first.poll() is not None, 90)
        assert first.poll() is None, output.read_text()[-3000:]
        taken = time.monotonic()
        kill(first)
        report.refresh_from_db()
        assert (report.status, report.attempts) == (ReportStatus.RENDERING, 1)

        # A new worker, started once the message's visibility timeout and the claim have passed, gets the
        # message back from Redis when it starts, takes the stale claim over and renders the report.
        time.sleep(max(0.0, taken + max(VISIBILITY, CLAIM) + 1 - time.monotonic()))
        second = start_worker_process(queue=queue, log=log, env=env, output=output)
        assert wait_for(lambda: _ready(report.pk) or second.poll() is not None, 90)
        assert InspectionReport.objects.get(pk=report.pk).status == ReportStatus.READY, output.read_text()[-3000:]
    finally:
        for process in (first, second):
            if process is not None:
                kill(process)
        forget_queue(queue)

    report.refresh_from_db()
    assert len(_lines(log, "start", report.pk)) == 2
    assert len(_lines(log, "done", report.pk)) == 1, log.read_text()
    assert report.attempts == 2
    assert hashlib.sha256(Path(report.pdf.path).read_bytes()).hexdigest() == report.sha256
    # This version's one file (the other languages' versions have files of their own, named by their version).
    mine = f"inspection-{inspection.pk}-full-v{report.version}-*.pdf"
    assert [path.name for path in media.rglob(mine)] == [Path(str(report.pdf.name)).name]
    assert celery_app.conf.task_acks_late and celery_app.conf.task_reject_on_worker_lost


def test_a_pool_process_killed_mid_render_is_replaced_and_the_report_rendered_exactly_once(
    world: World, monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path
) -> None:
    # The out-of-memory killer takes the pool's process, not the worker: the worker gives the message back
    # at once (reject_on_worker_lost), finds the render claimed by the dead process, and comes back once
    # the claim is stale, with no sweep needed.
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    queue = f"test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(render, "_send", lambda pk: tasks.report_render.apply_async((pk,), queue=queue))
    log, output = tmp_path / "renders.log", tmp_path / "workers.out"
    env = {**_worker_env(settings, media), "TANDEM_RENDER_SLEEP_ONCE": "120"}
    inspection = helpers.closed(world)
    report = InspectionReport.objects.get(inspection=inspection, variant=ReportVariant.FULL, language="en")
    worker = None
    try:
        worker = start_worker_process(queue=queue, log=log, env=env, output=output)
        assert wait_for(lambda: bool(_lines(log, "start", report.pk)) or worker.poll() is not None, 90)
        assert worker.poll() is None, output.read_text()[-3000:]
        os.kill(int(_lines(log, "start", report.pk)[0].split()[-1]), signal.SIGKILL)
        assert wait_for(lambda: _ready(report.pk) or worker.poll() is not None, 90)
        assert InspectionReport.objects.get(pk=report.pk).status == ReportStatus.READY, output.read_text()[-3000:]
    finally:
        if worker is not None:
            kill(worker)
        forget_queue(queue)

    report.refresh_from_db()
    assert len(_lines(log, "done", report.pk)) == 1, log.read_text()
    assert report.attempts == 2
    assert hashlib.sha256(Path(report.pdf.path).read_bytes()).hexdigest() == report.sha256
    # This version's one file (the other languages' versions have files of their own, named by their version).
    mine = f"inspection-{inspection.pk}-full-v{report.version}-*.pdf"
    assert [path.name for path in media.rglob(mine)] == [Path(str(report.pdf.name)).name]
