"""Background jobs about students. Each is a thin shell around a service and safe to run twice."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone


@shared_task(name="students.tasks.send_milestone_reminders", acks_late=True)
def send_milestone_reminders(today: str | None = None) -> int:
    """The daily beat job (07:00 Asia/Shanghai): remind students and tutors of milestones due within 14
    days. ``today`` (ISO date) is for replays; by default the local date. Returns how many were told."""
    from students.services.reminders import milestone_reminders_send

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return len(milestone_reminders_send(today=day))
