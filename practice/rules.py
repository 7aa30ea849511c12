"""The rules a practice-hour entry must obey, and the version of them in force.

Each refusal names its rule (the ``code`` of the ``ValidationError``), so people and partner systems
see exactly which rule an entry broke: ``future_date``, ``outside_placement``, ``hours_range``,
``daily_maximum``, ``overlap``, ``entry_window``, ``month_closed``, ``category``, ``placement``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from partners.models import Partner
from practice.models import (
    DEFAULT_DAILY_MAX_HOURS,
    DEFAULT_ENTRY_WINDOW_DAYS,
    DEFAULT_LOCK_DAY,
    EntryStatus,
    MonthReopening,
    RuleSet,
)
from programmes.models import Programme

#: Entries that count against the daily maximum and the overlap rule.
COUNTING = (EntryStatus.PENDING, EntryStatus.APPROVED)


@dataclass(frozen=True)
class Rules:
    """The rules in force for one programme at one partner: the stricter of the two rule sets."""

    daily_max_hours: Decimal
    entry_window_days: int
    lock_day: int
    version: str


def programme_rules(*, programme: Programme) -> Rules:
    """The programme's own latest rules (the defaults when it has none), before any partner tightens them."""
    base = RuleSet.objects.filter(programme=programme, partner__isnull=True).order_by("-created_at", "-pk").first()
    if base is None:
        return Rules(DEFAULT_DAILY_MAX_HOURS, DEFAULT_ENTRY_WINDOW_DAYS, DEFAULT_LOCK_DAY, "P0/L0")
    return Rules(base.daily_max_hours, base.entry_window_days, base.lock_day, f"P{base.pk}/L0")


def rules_for(*, programme: Programme, partner: Partner) -> Rules:
    """The programme's latest rules, tightened by the partner's latest rules where they are stricter."""
    base = RuleSet.objects.filter(programme=programme, partner__isnull=True).order_by("-created_at", "-pk").first()
    local = RuleSet.objects.filter(programme=programme, partner=partner).order_by("-created_at", "-pk").first()
    daily = base.daily_max_hours if base else DEFAULT_DAILY_MAX_HOURS
    window = base.entry_window_days if base else DEFAULT_ENTRY_WINDOW_DAYS
    lock = base.lock_day if base else DEFAULT_LOCK_DAY
    if local is not None:
        daily, window, lock = (
            min(daily, local.daily_max_hours),
            min(window, local.entry_window_days),
            min(lock, local.lock_day),
        )
    return Rules(
        daily_max_hours=daily,
        entry_window_days=window,
        lock_day=lock,
        version=f"P{base.pk if base else 0}/L{local.pk if local else 0}",
    )


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_closes_on(day: datetime.date, lock_day: int) -> datetime.date:
    """The last day entries of ``day``'s month may be made or decided: day ``lock_day`` of the next month."""
    first = month_start(day)
    next_month = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return next_month.replace(day=lock_day)


def is_month_open(*, programme: Programme, day: datetime.date, today: datetime.date, lock_day: int) -> bool:
    """Open until its closing day, or while the office has reopened it."""
    if today <= month_closes_on(day, lock_day):
        return True
    return MonthReopening.objects.filter(programme=programme, month=month_start(day), until__gte=today).exists()


def day_total(*, student_id: int, day: datetime.date, exclude_pk: int | None = None) -> Decimal:
    """Hours already logged by a student on a day (pending and approved, corrections included).

    A correction that takes hours back counts only once approved: while pending it may still be
    rejected, and the day would then hold more than the maximum."""
    from practice.models import PracticeLog

    logs = PracticeLog.objects.filter(
        Q(status=EntryStatus.APPROVED) | Q(status=EntryStatus.PENDING, hours__gt=0), student_id=student_id, date=day
    )
    if exclude_pk is not None:
        logs = logs.exclude(pk=exclude_pk)
    total = logs.aggregate(total=Sum("hours"))["total"]
    # To the column's two places: PostgreSQL's sum keeps them, SQLite's drops them ("11" for "11.00"), and
    # the refusal that quotes this figure should read the same on both.
    return Decimal(total or 0).quantize(Decimal("0.01"))


def overlapping_exists(
    *, student_id: int, day: datetime.date, start: datetime.time, end: datetime.time, exclude_pk: int | None = None
) -> bool:
    from practice.models import PracticeLog

    logs = PracticeLog.objects.filter(
        Q(student_id=student_id, date=day, status__in=COUNTING, start_time__lt=end, end_time__gt=start)
    )
    if exclude_pk is not None:
        logs = logs.exclude(pk=exclude_pk)
    return logs.exists()
