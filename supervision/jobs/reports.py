"""Celery tasks: reports (registered through supervision/tasks.py).

``supervision.render_report`` renders one report version. It is a thin shell around
``supervision.reports.report_render``, which is idempotent (a READY version is returned untouched) and
locks the row, so a redelivered message (``acks_late``) or a retry renders nothing twice.
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
    """Render report ``report_id``; returns its status ("ready", "failed"), or "missing" for an id that no
    longer exists (a message left on the broker by a rolled-back test or a deleted row)."""
    from supervision.models import InspectionReport
    from supervision.reports import report_render

    try:
        return str(report_render(report_id).status)
    except InspectionReport.DoesNotExist:
        return "missing"
