"""The quality app's Celery tasks: thin shells around the services of the same names, each safe to run twice.

- ``quality.build_report``: builds one requested report (``quality.services.report_build``); the services
  send it by that name (``BUILD_TASK``) and never import this module.
- ``quality.reports_sweep``: queues again the builds stuck waiting or building (beat entry of migration 0002,
  every five minutes).
"""

from __future__ import annotations

from celery import Task, shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from core.claims import claim_timeout
from quality import services
from quality.models import QualityReport, QualityReportStatus

#: Transient errors (the database went away) are retried with backoff; anything else is a bug and fails at
#: once (the report is FAILED, the office told). The time limits are the project's: a claim goes stale
#: after the hard limit (``core.claims``), so the two must agree.
_RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 3,
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
    "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
}


@shared_task(bind=True, name=services.BUILD_TASK, **_RETRY)
def build_report(self: Task, report_id: int) -> str:
    """Build report ``report_id`` (``quality.services.report_build``: a READY report is returned untouched,
    and the build is claimed with a conditional update, so a redelivered message builds nothing twice).
    Returns its status ("ready", "failed"), or "missing" for an id that no longer exists.

    Found BUILDING under another claim (a second copy of the message while a worker builds), it comes back
    when that claim goes stale: then the report is READY, or the claim was a dead worker's and this task
    takes it over, instead of leaving the report to the sweep."""
    try:
        report = services.report_build(report_id)
    except QualityReport.DoesNotExist:
        return "missing"
    if report.status == QualityReportStatus.BUILDING and report.claimed_at is not None and not self.request.is_eager:
        wait = (report.claimed_at + claim_timeout() - timezone.now()).total_seconds()
        raise self.retry(countdown=max(1, round(wait) + 1), max_retries=None)
    return str(report.status)


@shared_task(
    name="quality.reports_sweep", acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3
)
def reports_sweep() -> dict[str, int]:
    """Queue again the builds stuck for more than ten minutes (a lost message, a killed worker); give up on
    those that never finished in five attempts. Returns how many of each."""
    return services.reports_sweep()
