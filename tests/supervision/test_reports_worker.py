"""Through a real Celery worker: closing an inspection ends with a READY report, rendered by the worker
from the message enqueued after commit; the same message delivered again renders nothing twice; and the
periodic sweep queues again a render whose worker was killed, which the worker then renders."""

from __future__ import annotations

import datetime
import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from config.celery import app as celery_app
from supervision import services, tasks
from supervision.models import InspectionReport, ReportStatus, ReportVariant
from supervision.services import reports as render
from tests.conftest import World
from tests.supervision import helpers
from tests.workers import forget_queue, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_renders_the_report_of_a_closed_inspection_once(
    world: World, monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    # A queue of our own, so no other worker on the broker takes the message, and none left over is taken here.
    queue = f"test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(render, "_sender", lambda pk: lambda: tasks.report_render.apply_async((pk,), queue=queue))
    inspection = helpers.start(world)
    helpers.rate_all(world, inspection)

    try:
        with start_worker(
            celery_app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue], shutdown_timeout=10
        ):
            services.inspection_close(inspection=inspection, by=helpers.user(world, "inspector"))
            report = InspectionReport.objects.get(inspection=inspection, variant=ReportVariant.FULL, language="en")
            assert wait_for(
                lambda: InspectionReport.objects.get(pk=report.pk).status in (ReportStatus.READY, ReportStatus.FAILED),
                timeout=60,
            )
            first = InspectionReport.objects.get(pk=report.pk)
            # The same message again (a redelivery): the worker finds it READY and renders nothing.
            again = tasks.report_render.apply_async((report.pk,), queue=queue).get(timeout=30)
    finally:
        forget_queue(queue)

    assert first.status == ReportStatus.READY, first.error
    assert again == ReportStatus.READY
    final = InspectionReport.objects.get(pk=report.pk)
    assert (final.attempts, final.sha256, final.pdf.name) == (1, first.sha256, first.pdf.name)
    assert hashlib.sha256(Path(final.pdf.path).read_bytes()).hexdigest() == final.sha256
    # One version per language (supervision.reports.report_languages), none rendered twice.
    assert InspectionReport.objects.filter(inspection=inspection).count() == len(render.report_languages())


def test_the_sweep_on_a_worker_queues_again_a_render_whose_worker_was_killed(
    world: World, monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    queue = f"test-{uuid.uuid4().hex[:12]}"
    lost: list[int] = []
    monkeypatch.setattr(render, "_sender", lambda pk: lambda: lost.append(pk))
    inspection = helpers.closed(world)
    report = InspectionReport.objects.get(inspection=inspection, variant=ReportVariant.FULL, language="en")
    # Closing asked for the report in every language; this test follows the English version alone.
    others = InspectionReport.objects.filter(inspection=inspection).exclude(pk=report.pk)
    lost[:] = [pk for pk in lost if pk not in set(others.values_list("pk", flat=True))]
    others.delete()
    # A worker took the render and was killed: the report is left RENDERING under its claim, 11 minutes old.
    assert render._claim(report.pk) is not None
    InspectionReport.objects.filter(pk=report.pk).update(claimed_at=timezone.now() - datetime.timedelta(minutes=11))
    monkeypatch.setattr(render, "_sender", lambda pk: lambda: tasks.report_render.apply_async((pk,), queue=queue))

    try:
        with start_worker(
            celery_app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue], shutdown_timeout=10
        ):
            swept = tasks.reports_sweep.apply_async(queue=queue).get(timeout=30)
            assert wait_for(
                lambda: InspectionReport.objects.get(pk=report.pk).status in (ReportStatus.READY, ReportStatus.FAILED),
                timeout=60,
            )
    finally:
        forget_queue(queue)

    assert lost == [report.pk]  # the first message, "lost" with its worker
    assert swept == {"requeued": 1, "given_up": 0}
    final = InspectionReport.objects.get(pk=report.pk)
    assert (final.status, final.attempts) == (ReportStatus.READY, 2), final.error
    assert hashlib.sha256(Path(final.pdf.path).read_bytes()).hexdigest() == final.sha256
