"""A report whose worker was killed, or whose message was lost, does not wait for an hour: the render is
claimed with a conditional update, a stale claim is taken over by the redelivered message, the periodic
sweep queues stuck reports again (and gives up on one that never finishes), and the office can retry a
stuck report from the inspection's pages at once. The real task code renders, in process here; the sweep
through a real worker is in test_reports_worker.py."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from config.celery import app as celery_app
from core.claims import claim_timeout
from core.models import Notification
from supervision import reports, tasks
from supervision.models import REPORT_STUCK_AFTER, Inspection, InspectionReport, ReportStatus, ReportVariant
from supervision.reports import MAX_ATTEMPTS, RENDER_TASK, report_render, report_retry, reports_sweep
from supervision.services import reports as render
from tests.conftest import World, client_for
from tests.supervision import helpers

pytestmark = pytest.mark.django_db

LATER = REPORT_STUCK_AFTER + datetime.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The renders handed to the worker, by report id (the render itself is run by each test)."""
    queued: list[int] = []
    monkeypatch.setattr(render, "_sender", lambda pk: lambda: queued.append(pk))
    return queued


@pytest.fixture
def sweep(django_capture_on_commit_callbacks: Any) -> Callable[..., reports.SweepCounts]:
    """The sweep, with what it queues after commit handed over (the test's transaction never commits)."""

    def run(now: datetime.datetime | None = None) -> reports.SweepCounts:
        with django_capture_on_commit_callbacks(execute=True):
            return reports_sweep(now=now)

    return run


def _full(inspection: Inspection) -> InspectionReport:
    """The English full report. Closing asks for one in every language; these tests follow one version through
    the sweep, so the versions in other languages (still pending, never rendered) are set aside."""
    InspectionReport.objects.filter(inspection=inspection).exclude(language="en").delete()
    return InspectionReport.objects.get(inspection=inspection, variant=ReportVariant.FULL, language="en")


def _killed_while_rendering(report: InspectionReport, ago: datetime.timedelta = datetime.timedelta(0)) -> None:
    """What a worker killed mid-render leaves: the render claimed (RENDERING, one attempt more), never
    finished. ``ago``: how long since it claimed it."""
    assert render._claim(report.pk) is not None
    InspectionReport.objects.filter(pk=report.pk).update(claimed_at=timezone.now() - ago)


def _run(monkeypatch: pytest.MonkeyPatch, during: Callable[[], None]) -> None:
    """Run ``during`` once, while the first render below is between its claim and its result."""
    real = render.render_report_bytes
    calls: list[int] = []

    def render_with_a_second_worker(report: InspectionReport) -> tuple[str, bytes]:
        calls.append(report.pk)
        if len(calls) == 1:
            during()
        return real(report)

    monkeypatch.setattr(render, "render_report_bytes", render_with_a_second_worker)


# --- The claim ------------------------------------------------------------------------------------------


def test_a_second_delivery_while_rendering_renders_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    report = _full(helpers.closed(world))
    answers: list[str] = []
    _run(monkeypatch, lambda: answers.append(tasks.report_render.apply(args=[report.pk]).get()))

    first = report_render(report.pk)

    assert answers == [ReportStatus.RENDERING]  # the second delivery found the render claimed
    assert (first.status, first.attempts) == (ReportStatus.READY, 1)
    assert len(list(Path(first.pdf.path).parent.iterdir())) == 1


def test_a_fresh_claim_of_a_killed_worker_is_left_and_a_stale_one_is_taken_over(world: World) -> None:
    report = _full(helpers.closed(world))
    _killed_while_rendering(report)

    # Redelivered at once: the claim might be a live worker's, so nothing is rendered.
    assert tasks.report_render.apply(args=[report.pk]).get() == ReportStatus.RENDERING
    # Redelivered after the claim went stale (the broker's visibility timeout is longer than the claim).
    InspectionReport.objects.filter(pk=report.pk).update(
        claimed_at=timezone.now() - claim_timeout() - datetime.timedelta(seconds=1)
    )
    assert tasks.report_render.apply(args=[report.pk]).get() == ReportStatus.READY

    final = InspectionReport.objects.get(pk=report.pk)
    assert (final.status, final.attempts, final.error) == (ReportStatus.READY, 2, "")
    assert tasks.report_render.apply(args=[report.pk]).get() == ReportStatus.READY  # READY is returned as it is
    assert InspectionReport.objects.get(pk=report.pk).attempts == 2


def test_a_render_whose_claim_was_taken_over_keeps_nothing_of_its_own(
    world: World, monkeypatch: pytest.MonkeyPatch, media: Path
) -> None:
    report = _full(helpers.closed(world))

    def presumed_dead_and_taken_over() -> None:
        InspectionReport.objects.filter(pk=report.pk).update(claimed_at=timezone.now() - LATER)
        assert report_render(report.pk).status == ReportStatus.READY

    _run(monkeypatch, presumed_dead_and_taken_over)
    slow = report_render(report.pk)

    final = InspectionReport.objects.get(pk=report.pk)
    assert (slow.pk, slow.sha256, slow.pdf.name) == (final.pk, final.sha256, final.pdf.name)
    assert final.attempts == 2
    # The slow render's file is deleted: the stored files are the taken-over render's only.
    assert [p.name for p in (media / str(final.pdf.name)).parent.iterdir()] == [Path(str(final.pdf.name)).name]


# --- The sweep ------------------------------------------------------------------------------------------


def test_the_sweep_queues_again_a_render_whose_worker_was_killed_and_it_renders_once(
    world: World, sent: list[int], sweep: Callable[..., reports.SweepCounts]
) -> None:
    report = _full(helpers.closed(world))
    _killed_while_rendering(report)
    sent.clear()

    assert sweep() == reports.SweepCounts(requeued=0, given_up=0)  # not stuck yet: nothing queued
    now = timezone.now() + LATER
    assert sweep(now=now) == reports.SweepCounts(requeued=1, given_up=0)
    assert sweep(now=now) == reports.SweepCounts(requeued=0, given_up=0)  # queued once

    waiting = InspectionReport.objects.get(pk=report.pk)
    assert (waiting.status, waiting.queued_at) == (ReportStatus.PENDING, now)
    assert sent == [report.pk]
    assert tasks.report_render.apply(args=[report.pk]).get() == ReportStatus.READY
    assert tasks.report_render.apply(args=[report.pk]).get() == ReportStatus.READY
    assert InspectionReport.objects.get(pk=report.pk).attempts == 2


def test_the_sweep_queues_again_a_report_whose_message_was_lost(
    world: World, sent: list[int], sweep: Callable[..., reports.SweepCounts]
) -> None:
    report = _full(helpers.closed(world))  # PENDING, its message never handled
    sent.clear()

    assert sweep(now=timezone.now() + datetime.timedelta(minutes=9)).requeued == 0
    assert sweep(now=timezone.now() + LATER).requeued == 1

    assert sent == [report.pk]
    assert tasks.report_render.apply(args=[report.pk]).get() == ReportStatus.READY


def test_the_sweep_leaves_ready_failed_and_recent_reports_alone(
    world: World, sent: list[int], sweep: Callable[..., reports.SweepCounts]
) -> None:
    inspection = helpers.closed(world)
    ready = report_render(_full(inspection).pk)
    failed = reports.report_request(inspection=inspection, variant=ReportVariant.FULL)
    InspectionReport.objects.filter(pk=failed.pk).update(status=ReportStatus.FAILED, error="x")
    sent.clear()

    assert sweep(now=timezone.now() + LATER) == reports.SweepCounts(requeued=0, given_up=0)
    assert sent == []
    assert InspectionReport.objects.get(pk=ready.pk).status == ReportStatus.READY


def test_the_sweep_gives_up_on_a_render_that_never_finishes_and_tells_the_office_once(
    world: World, sent: list[int], sweep: Callable[..., reports.SweepCounts]
) -> None:
    inspection = helpers.closed(world)
    report = _full(inspection)
    for _attempt in range(MAX_ATTEMPTS):
        InspectionReport.objects.filter(pk=report.pk).update(status=ReportStatus.PENDING)
        _killed_while_rendering(report, ago=LATER)
    sent.clear()

    assert sweep() == reports.SweepCounts(requeued=0, given_up=1)

    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.FAILED, MAX_ATTEMPTS)
    assert report.error.startswith(f"Rendering stopped {MAX_ATTEMPTS} times without finishing")
    assert sent == []
    told = Notification.objects.filter(kind="inspection_report_failed")
    assert list(told.values_list("user__username", flat=True)) == ["office"]
    assert sweep() == reports.SweepCounts(requeued=0, given_up=0)


def test_the_sweep_task_runs_the_sweep(world: World, sent: list[int], django_capture_on_commit_callbacks: Any) -> None:
    report = _full(helpers.closed(world))
    InspectionReport.objects.filter(pk=report.pk).update(queued_at=timezone.now() - LATER)
    sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.reports_sweep.apply().get() == {"requeued": 1, "given_up": 0}
    assert sent == [report.pk]


def test_the_sweep_runs_every_five_minutes_from_its_beat_entry(db: Any) -> None:
    task = PeriodicTask.objects.get(task="supervision.reports_sweep")

    assert task.enabled and task.crontab is not None
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("*/5", "*", "*")
    assert str(task.crontab.timezone) == "Asia/Shanghai"
    assert tasks.reports_sweep.name in celery_app.tasks
    assert tasks.report_render.name == RENDER_TASK and RENDER_TASK in celery_app.tasks


# --- The office retries a stuck report -------------------------------------------------------------------


def test_the_office_retries_a_stuck_render_from_the_report_page(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    inspection = helpers.closed(world)
    report = _full(inspection)
    _killed_while_rendering(report, ago=LATER)
    url = reverse("supervision:report", args=[inspection.pk])
    retry = reverse("supervision:report-retry", args=[report.pk])

    office_page = client_for(helpers.user(world, "office")).get(url).content.decode()
    coordinator_page = client_for(helpers.user(world, "coordinator_a")).get(url).content.decode()

    assert 'data-testid="report-stuck"' in office_page and retry in office_page
    assert "the worker may have stopped" in office_page and "You can also retry it now below." in office_page
    assert 'data-testid="report-stuck"' in coordinator_page and retry not in coordinator_page
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(helpers.user(world, "office")).post(retry, follow=True)
    assert "The report is queued to be rendered again." in response.content.decode()
    assert len(callbacks) == 1
    waiting = InspectionReport.objects.get(pk=report.pk)
    assert waiting.status == ReportStatus.PENDING and not waiting.is_stuck()
    assert report_render(report.pk).status == ReportStatus.READY


def test_the_inspection_page_offers_the_office_a_retry_of_a_stuck_report(world: World) -> None:
    inspection = helpers.closed(world)
    report = _full(inspection)
    InspectionReport.objects.filter(pk=report.pk).update(queued_at=timezone.now() - LATER)
    url = reverse("supervision:detail", args=[inspection.pk])
    retry = reverse("supervision:report-retry", args=[report.pk])

    office_page = client_for(helpers.user(world, "office")).get(url).content.decode()
    inspector_page = client_for(helpers.user(world, "inspector")).get(url).content.decode()

    assert 'data-testid="panel-retry"' in office_page and retry in office_page
    assert 'data-testid="report-stuck"' in inspector_page and retry not in inspector_page


def test_a_render_still_within_the_limit_is_not_retried(world: World) -> None:
    report = _full(helpers.closed(world))
    _killed_while_rendering(report, ago=REPORT_STUCK_AFTER - datetime.timedelta(minutes=1))
    page = client_for(helpers.user(world, "office")).get(reverse("supervision:report", args=[report.inspection_id]))
    assert reverse("supervision:report-retry", args=[report.pk]) not in page.content.decode()

    with pytest.raises(ValidationError) as refused:
        report_retry(report=report, by=helpers.user(world, "office"))

    assert refused.value.error_dict["status"][0].code == "not_failed"
    assert "waited more than 10 minutes" in refused.value.error_dict["status"][0].messages[0]
    assert InspectionReport.objects.get(pk=report.pk).status == ReportStatus.RENDERING
