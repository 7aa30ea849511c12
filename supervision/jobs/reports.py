"""Celery tasks: reports (registered through supervision/tasks.py).

``supervision.render_report`` renders one report version. It is a thin shell around
``supervision.reports.report_render``, which is idempotent (a READY version is returned untouched) and
claims the render with a conditional update, so a redelivered message (``acks_late``) or a retry renders
nothing twice. ``supervision.reports`` sends it by name (``RENDER_TASK``) and never imports this module.

``supervision.sweep_reports`` (every five minutes: the beat entry of migration 0005) queues again the
reports stuck waiting or rendering, a thin shell around ``supervision.reports.reports_sweep``.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="supervision.render_report",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def render_report(report_id: int) -> str:
    """Render report ``report_id``; returns its status ("ready", "failed", or "rendering" when another
    worker holds the render), or "missing" for an id that no longer exists (a message left on the broker by
    a rolled-back test or a deleted row)."""
    from supervision.models import InspectionReport
    from supervision.reports import report_render

    try:
        return str(report_render(report_id).status)
    except InspectionReport.DoesNotExist:
        return "missing"


@shared_task(
    name="supervision.sweep_reports",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def sweep_reports() -> dict[str, int]:
    """Queue again the reports stuck for more than ten minutes (a lost message, a killed worker); give up on
    those whose render never finished in five attempts. Returns how many of each."""
    from supervision.reports import reports_sweep

    counts = reports_sweep()
    return {"requeued": counts.requeued, "given_up": counts.given_up}
