"""Celery task: the periodic risk-weighted spot-inspection draw (registered through supervision/tasks.py).

The beat entry "Spot-inspection draw (weekly)" (migration 0003, editable in the admin through
django-celery-beat) calls it. It is a thin shell around ``supervision.services.draw.draw_run``, which is unique per
period: a retry, a second beat tick or a manual run in the same ISO week creates nothing more.
"""

from __future__ import annotations

import datetime
from typing import Any

from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="supervision.draw_spot_inspections",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def draw_spot_inspections(today: str | None = None) -> dict[str, Any]:
    """Draw this ISO week's spot inspections. ``today`` (ISO date) is for replays; by default the local
    date. Returns the period, how many partners were picked and how many inspections this run planned
    (0 when the period had already been drawn)."""
    from supervision.services.draw import draw_run_outcome

    day = datetime.date.fromisoformat(today) if today else None
    outcome = draw_run_outcome(today=day)
    draw = outcome.draw
    return {
        "period": draw.period,
        "picks": draw.candidates.filter(pick_order__isnull=False).count(),
        "created": draw.candidates.filter(inspection__isnull=False).count() if outcome.created else 0,
    }
