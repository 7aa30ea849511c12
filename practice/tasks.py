"""Background jobs about practice hours. Each is a thin shell around a service and safe to run twice."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone


@shared_task(
    name="practice.tasks.send_practice_reminders",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def send_practice_reminders(today: str | None = None) -> dict[str, int]:
    """The daily beat job (08:00 Asia/Shanghai): the supervisors' digest of entries pending for more than
    3 days, and the students' nudge after 7 days without an entry. ``today`` (ISO date) is for replays;
    by default the local date. A retry or a second run tells nobody twice (the services' ``dedup_key``).
    Returns how many of each were sent."""
    from practice.services.reminders import practice_reminders_send

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    counts = practice_reminders_send(today=day)
    return {"digests": counts.digests, "nudges": counts.nudges}
