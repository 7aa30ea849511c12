"""Internal supervision's Celery tasks: thin shells around the services of the same names, registered as
``reviews.<service name>`` (docs/decisions/0012-services-per-topic.md), each safe to run twice. Beat entries:
migration 0002.

- ``reviews.rounds_open_due`` (daily 01:30): opens due rounds once, with their review tasks; closes past ones.
- ``reviews.review_reminders_send`` (daily 08:15): reviewers with reviews due soon or overdue, once a day.
- ``reviews.meeting_action_reminders_send`` (daily 08:20): owners of agreed actions due soon or overdue.
- ``reviews.concerns_escalate_due`` (daily 01:45): concerns not answered in time go to the office.
- ``reviews.office_digest_send`` (Monday 08:40): completion by partner and concerns with the office.
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from reviews.services import concerns, reminders, rounds

_RETRY = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 3}


def _day(today: str | None) -> datetime.date:
    return datetime.date.fromisoformat(today) if today else timezone.localdate()


@shared_task(name="reviews.rounds_open_due", **_RETRY)
def rounds_open_due(today: str | None = None) -> dict[str, int]:
    """Open the due rounds (once each) and close those past their closing day."""
    counts = rounds.rounds_open_due(today=_day(today))
    return {"rounds": counts.rounds, "reviews": counts.reviews, "closed": counts.closed}


@shared_task(name="reviews.review_reminders_send", **_RETRY)
def review_reminders_send(today: str | None = None) -> dict[str, int]:
    counts = reminders.review_reminders_send(today=_day(today))
    return {"people": counts.people, "reviews": counts.items}


@shared_task(name="reviews.meeting_action_reminders_send", **_RETRY)
def meeting_action_reminders_send(today: str | None = None) -> dict[str, int]:
    counts = reminders.meeting_action_reminders_send(today=_day(today))
    return {"people": counts.people, "actions": counts.items}


@shared_task(name="reviews.concerns_escalate_due", **_RETRY)
def concerns_escalate_due(today: str | None = None) -> dict[str, int]:
    return {"escalated": concerns.concerns_escalate_due(today=_day(today))}


@shared_task(name="reviews.office_digest_send", **_RETRY)
def office_digest_send(today: str | None = None) -> dict[str, int]:
    counts = reminders.office_digest_send(today=_day(today))
    return {"recipients": counts.people, "partners": counts.items}
