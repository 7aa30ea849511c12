"""Celery tasks: reminders (registered through supervision/tasks.py).

Thin shells around ``supervision.services.reminders``; the beat entries (migration 0003) name them. Each is safe
to run twice: the services' ``dedup_key`` tells nobody twice on one day (or in one ISO week).
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone


def _day(today: str | None) -> datetime.date:
    return datetime.date.fromisoformat(today) if today else timezone.localdate()


@shared_task(
    name="supervision.remind_corrective_actions",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def remind_corrective_actions(today: str | None = None) -> dict[str, int]:
    """The daily job (08:00 Asia/Shanghai): each owner of corrective actions overdue or due within 7 days
    (or, once the owner no longer coordinates the partner, its current coordinators) hears of them once
    that day. ``today`` (ISO date) is for replays; by default the local date. Returns how many people
    (``owners``) were told about how many actions."""
    from supervision.services.reminders import action_reminders_send

    counts = action_reminders_send(today=_day(today))
    return {"owners": counts.owners, "actions": counts.actions}


@shared_task(
    name="supervision.office_overdue_digest",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def office_overdue_digest(today: str | None = None) -> dict[str, int]:
    """The weekly job (Monday 08:30 Asia/Shanghai): the office's digest of overdue actions, closed
    inspections not published in time (``supervision.services.publication.publication_overdue``) and probation
    proposals; nothing when there is nothing to say."""
    from supervision.services.reminders import office_digest_send

    counts = office_digest_send(today=_day(today))
    return {
        "recipients": counts.recipients,
        "overdue": counts.overdue,
        "unpublished": counts.unpublished,
        "proposals": counts.proposals,
    }
