"""The quality tasks: ``quality.build_report`` builds through the service (a READY report untouched, a
missing one answered), ``quality.reports_sweep`` runs the sweep and has its beat entry; and once through a
real Celery worker, from the message a request enqueues after commit to a READY report with its files."""

from __future__ import annotations

import datetime
import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts.models import User
from config.celery import app as celery_app
from quality import services, tasks
from quality.models import STUCK_AFTER, QualityReport, QualityReportFile, QualityReportStatus
from tests.conftest import World
from tests.workers import forget_queue, wait_for

YEAR = timezone.localdate().year - 1


def _office(world: World) -> User:
    office = world.users["office"]
    assert office is not None
    return office


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.mark.django_db
def test_the_tasks_run_their_services(
    world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    sent: list[int] = []
    monkeypatch.setattr(services, "_sender", lambda pk: lambda: sent.append(pk))
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(programme=world.programme, year=YEAR, by=_office(world))
    # Built by another worker already: the task finds it READY and renders nothing.
    QualityReport.objects.filter(pk=report.pk).update(status=QualityReportStatus.READY)
    assert tasks.build_report.apply(args=(report.pk,)).get() == "ready"
    assert tasks.build_report.apply(args=(report.pk + 1000,)).get() == "missing"
    assert not QualityReportFile.objects.exists()
    QualityReport.objects.filter(pk=report.pk).update(
        status=QualityReportStatus.PENDING, queued_at=timezone.now() - STUCK_AFTER - datetime.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reports_sweep.apply().get() == {"requeued": 1, "given_up": 0}
    assert sent == [report.pk, report.pk]
    entry = PeriodicTask.objects.get(task="quality.reports_sweep")
    assert entry.enabled and entry.crontab is not None and entry.crontab.minute == "*/5"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_builds_the_requested_report(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # A queue of our own, so no other worker on the broker takes the message, and none left over is taken here.
    queue = f"test-{uuid.uuid4().hex[:12]}"
    # Sent by name, as the service sends it (it never imports the task module).
    monkeypatch.setattr(
        services, "_send", lambda pk: celery_app.send_task(services.BUILD_TASK, args=(pk,), queue=queue)
    )
    try:
        with start_worker(
            celery_app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue], shutdown_timeout=10
        ):
            report = services.report_request(programme=world.programme, year=YEAR, by=_office(world))
            assert wait_for(
                lambda: (
                    QualityReport.objects.get(pk=report.pk).status
                    in (QualityReportStatus.READY, QualityReportStatus.FAILED)
                ),
                timeout=60,
            )
    finally:
        forget_queue(queue)
    built = QualityReport.objects.get(pk=report.pk)
    assert built.status == QualityReportStatus.READY, built.error
    assert built.attempts == 1
    files = QualityReportFile.objects.filter(report=built)
    assert sorted(files.values_list("language", flat=True)) == ["en", "zh-hans"]
    for file in files:
        assert hashlib.sha256(Path(file.pdf.path).read_bytes()).hexdigest() == file.sha256
