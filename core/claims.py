"""Claims on background jobs: how old a claim must be before another worker may take the job over.

A job is claimed with a conditional update before its slow part (``filter(..., claimed_at is free or
stale).update(claimed_at=now) == 1``), so a redelivered message or a second worker does not do it twice.
A worker killed while holding a claim never releases it; the claim then goes stale, and the next delivery
(or a sweep) takes the job again. A claim is stale once it is older than the longest a task may run (the
hard time limit, after which the worker kills the task) plus a margin, so a task still running never loses
its claim to another worker.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

#: Added to the hard time limit: clocks of workers and database differ a little, and a task killed at its
#: limit takes a moment to go. A fifth of the limit when that is shorter (the worker tests run with a
#: limit of seconds, ``CELERY_TASK_TIME_LIMIT``).
CLAIM_MARGIN = datetime.timedelta(minutes=1)


def claim_timeout() -> datetime.timedelta:
    """How old a claim must be before it counts as abandoned (6 minutes with the 300 s time limit)."""
    limit = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    return limit + min(CLAIM_MARGIN, limit / 5)


def stale_before(now: datetime.datetime | None = None) -> datetime.datetime:
    """Claims made before this moment are abandoned and may be taken again."""
    return (now or timezone.now()) - claim_timeout()
