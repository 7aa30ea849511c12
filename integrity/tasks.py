"""Integrity's Celery tasks: thin shells around the services of the same names, each safe to run twice.

- ``integrity.report_check``: one originality check (``integrity.services.checks.report_check``; sent by
  name, ``CHECK_TASK``, after the submission commits).
- ``integrity.checks_sweep``: queues again checks stuck waiting or running (beat entry of migration 0002).
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from integrity.models import OriginalityReport
from integrity.services import checks

_RETRY = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 3}


@shared_task(name=checks.CHECK_TASK, reject_on_worker_lost=True, **_RETRY)
def report_check(report_id: int) -> str:
    """Run check ``report_id`` once (claimed first; a DONE report is left as it is). Returns its status, or
    "missing" for an id that no longer exists."""
    try:
        return str(checks.report_check(report_id).status)
    except OriginalityReport.DoesNotExist:
        return "missing"


@shared_task(name="integrity.checks_sweep", **_RETRY)
def checks_sweep() -> int:
    """Queue again the checks stuck for more than ten minutes. Returns how many."""
    return checks.checks_sweep()
