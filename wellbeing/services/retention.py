"""Retention: closed cases are destroyed after ``settings.WELLBEING_RETENTION_DAYS``, and check-ins after
the same period. What stays are the anonymous events the statistics count, their person key blanked, so
nothing left names anyone. Run daily by the beat job ``wellbeing.wellbeing_records_destroy``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wellbeing.models import Case, CaseStatus, CheckIn, WellbeingEvent


@dataclass(frozen=True)
class Destroyed:
    cases: int
    check_ins: int


def wellbeing_records_destroy(*, now: datetime.datetime | None = None) -> Destroyed:
    """Destroy the closed (or withdrawn) cases closed before the retention period, with their notes,
    appointments, consents and sharings, and the check-ins older than it. Safe to run twice."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.WELLBEING_RETENTION_DAYS)
    cases = list(
        Case.objects.filter(status__in=(CaseStatus.CLOSED, CaseStatus.WITHDRAWN), closed_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    check_ins = list(CheckIn.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True))
    with transaction.atomic():
        keys = [f"case:{pk}" for pk in cases] + [f"checkin:{pk}" for pk in check_ins]
        for start in range(0, len(keys), 500):
            WellbeingEvent.objects.filter(source_key__in=keys[start : start + 500]).update(person_key="", source_key="")
        for start in range(0, len(cases), 500):
            Case.objects.filter(pk__in=cases[start : start + 500]).delete()
        for start in range(0, len(check_ins), 500):
            CheckIn.objects.filter(pk__in=check_ins[start : start + 500]).delete()
    return Destroyed(len(cases), len(check_ins))
