"""Background jobs about practice hours. Each is a thin shell around the service of the same name,
registered as ``practice.<service name>``, and safe to run twice."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from practice.services import reminders


@shared_task(
    name="practice.practice_reminders_send",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def practice_reminders_send(today: str | None = None) -> dict[str, int]:
    """The daily beat job (08:00 Asia/Shanghai): the supervisors' digest of entries pending for more than
    3 days, and the students' nudge after 7 days without an entry. ``today`` (ISO date) is for replays;
    by default the local date. A retry or a second run tells nobody twice (the services' ``dedup_key``).
    Returns how many of each were sent."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    counts = reminders.practice_reminders_send(today=day)
    return {"digests": counts.digests, "nudges": counts.nudges}
