"""Background jobs about students. Each is a thin shell around the service of the same name, registered
as ``students.<service name>``, and safe to run twice."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from students.services import reminders


@shared_task(
    name="students.milestone_reminders_send",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def milestone_reminders_send(today: str | None = None) -> int:
    """The daily beat job (07:00 Asia/Shanghai): remind students and tutors of milestones due within 14
    days. ``today`` (ISO date) is for replays; by default the local date. A retry or a second run tells
    nobody twice (the service's ``dedup_key``). Returns how many were told."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return len(reminders.milestone_reminders_send(today=day))
