"""Supervision's Celery tasks: thin shells around the services of the same names, registered as
``supervision.<service name>`` (docs/decisions/0012-services-per-topic.md), each safe to run twice.

- ``supervision.draw_run_outcome``: the weekly spot-inspection draw (beat entry of migration 0003).
- ``supervision.action_reminders_send`` and ``supervision.office_digest_send``: the daily
  corrective-action reminders and the weekly office digest (beat entries of migration 0003).
- ``report_render``, registered as ``supervision.render_report``: ``supervision.reports`` sends it by that
  name (``RENDER_TASK``) and never imports this module, so its registered name stays as it was.
- ``supervision.reports_sweep``: queues again the reports stuck waiting or rendering (beat entry of
  migration 0005).

Migration 0006 renames the beat entries' tasks from the names they had before.
"""

from __future__ import annotations

import datetime
from typing import Any

from celery import Task, shared_task
from django.db import OperationalError
from django.utils import timezone

from core.claims import claim_timeout
from supervision import reports
from supervision.models import InspectionReport, ReportStatus
from supervision.services import draw, reminders

#: Transient errors retried with backoff; anything else is a bug and fails at once.
_RETRY = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 3}


def _day(today: str | None) -> datetime.date:
    return datetime.date.fromisoformat(today) if today else timezone.localdate()


@shared_task(name="supervision.draw_run_outcome", **_RETRY)
def draw_run_outcome(today: str | None = None) -> dict[str, Any]:
    """Draw this ISO week's spot inspections (``supervision.services.draw.draw_run_outcome``, unique per
    period: a retry, a second beat tick or a manual run in the same ISO week creates nothing more).
    ``today`` (ISO date) is for replays; by default the local date. Returns the period, how many partners
    were picked and how many inspections this run planned (0 when the period had already been drawn)."""
    outcome = draw.draw_run_outcome(today=datetime.date.fromisoformat(today) if today else None)
    run = outcome.draw
    return {
        "period": run.period,
        "picks": run.candidates.filter(pick_order__isnull=False).count(),
        "created": run.candidates.filter(inspection__isnull=False).count() if outcome.created else 0,
    }


@shared_task(name="supervision.action_reminders_send", **_RETRY)
def action_reminders_send(today: str | None = None) -> dict[str, int]:
    """The daily job (08:00 Asia/Shanghai): each owner of corrective actions overdue or due within 7 days
    (or, once the owner no longer coordinates the partner, its current coordinators) hears of them once
    that day. ``today`` (ISO date) is for replays; by default the local date. Returns how many people
    (``owners``) were told about how many actions."""
    counts = reminders.action_reminders_send(today=_day(today))
    return {"owners": counts.owners, "actions": counts.actions}


@shared_task(name="supervision.office_digest_send", **_RETRY)
def office_digest_send(today: str | None = None) -> dict[str, int]:
    """The weekly job (Monday 08:30 Asia/Shanghai): the office's digest of overdue actions, closed
    inspections not published in time (``supervision.services.publication.publication_overdue``) and
    probation proposals; nothing when there is nothing to say."""
    counts = reminders.office_digest_send(today=_day(today))
    return {
        "recipients": counts.recipients,
        "overdue": counts.overdue,
        "unpublished": counts.unpublished,
        "proposals": counts.proposals,
    }


@shared_task(bind=True, name=reports.RENDER_TASK, **_RETRY)
def report_render(self: Task, report_id: int) -> str:
    """Render report ``report_id`` (``supervision.reports.report_render``: idempotent, a READY version is
    returned untouched, and the render is claimed with a conditional update, so a redelivered message or
    a retry renders nothing twice). Returns its status ("ready", "failed"), or "missing" for an id that no
    longer exists (a message left on the broker by a rolled-back test or a deleted row).

    Found RENDERING under another claim (a second copy of the message while a worker renders, or the
    message given back at once because the pool process rendering it was killed: ``reject_on_worker_lost``),
    it comes back when that claim goes stale: then the report is READY, or the claim was a dead worker's and
    this task takes it over, instead of leaving the report to the sweep ten minutes later."""
    try:
        report = reports.report_render(report_id)
    except InspectionReport.DoesNotExist:
        return "missing"
    # (Run in-process, as by ``apply``, there is no broker to come back through: the status is the answer.)
    if report.status == ReportStatus.RENDERING and report.claimed_at is not None and not self.request.is_eager:
        wait = (report.claimed_at + claim_timeout() - timezone.now()).total_seconds()
        raise self.retry(countdown=max(1, round(wait) + 1), max_retries=None)
    return str(report.status)


@shared_task(name="supervision.reports_sweep", **_RETRY)
def reports_sweep() -> dict[str, int]:
    """Queue again the reports stuck for more than ten minutes (a lost message, a killed worker); give up
    on those whose render never finished in five attempts. Returns how many of each."""
    counts = reports.reports_sweep()
    return {"requeued": counts.requeued, "given_up": counts.given_up}
