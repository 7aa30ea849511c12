"""SQL pieces shared by the sections: the year's bounds, durations in days and their percentiles.

A frame's year is a range of local dates; timestamps are compared with the aware bounds of those days (so an
index on the timestamp serves the filter, where ``__date`` would convert every row). Medians are ordered-set
aggregates in PostgreSQL (``percentile_cont``), so no list of durations is ever sorted in Python.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Aggregate, Expression, F, FloatField, Func, IntegerField
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import override

from quality.figures import Frame

#: Seconds in a day: durations between timestamps are reported in days, to one decimal.
DAY_SECONDS = 86_400.0


class Percentile(Aggregate):
    """``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)``: the continuous percentile
    (0.5 is the median), None over no rows. Takes ``filter=Q(...)`` like any aggregate."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError(fraction)
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


class Median(Percentile):
    """The median (``Percentile`` at 0.5)."""

    name = "Median"

    def __init__(self, expression: Any, **extra: Any) -> None:
        super().__init__(expression, 0.5, **extra)


def day_start(day: datetime.date) -> datetime.datetime:
    """The first instant of a local day, aware."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def year_bounds(frame: Frame) -> tuple[datetime.datetime, datetime.datetime]:
    """``[start, end)`` instants of the frame's year up to and including ``frame.today``: events dated in
    the year, and already happened on the day the report judges by."""
    return day_start(frame.start), day_start(frame.today + datetime.timedelta(days=1))


def by_today(frame: Frame) -> datetime.datetime:
    """The instant after ``frame.today``: a state "as of today" counts what happened before it."""
    return day_start(frame.today + datetime.timedelta(days=1))


def days_between(start: str | Expression, end: str | Expression) -> Func:
    """The days (a float) from the timestamp ``start`` to the timestamp ``end``."""
    first = F(start) if isinstance(start, str) else start
    last = F(end) if isinstance(end, str) else end
    return Func(
        last,
        first,
        # date_part (double precision), not EXTRACT (numeric since PostgreSQL 14): the percentiles sort a
        # million of them, and doubles sort about twice as fast.
        template=f"(date_part('epoch', %(expressions)s) / {DAY_SECONDS})",
        arg_joiner=" - ",
        output_field=FloatField(),
    )


def whole_days_between(start: str, end: str) -> Func:
    """Whole days from the local date of timestamp ``start`` to that of ``end`` (as the inspection pages
    count days to publication)."""
    return Func(
        TruncDate(end), TruncDate(start), template="(%(expressions)s)", arg_joiner=" - ", output_field=IntegerField()
    )


def days(value: Any) -> float | None:
    """A number of days as reported: one decimal, or None."""
    return None if value is None else round(float(value), 1)


def number(value: Any) -> float | None:
    """A decimal sum or mean as reported (two decimals), or None."""
    return None if value is None else round(float(value), 2)


def msgid(label: Any) -> str:
    """The English message id of a choice label (lazy): rows of choices are stored untranslated and
    translated when shown (``Row.translate``)."""
    with override("en"):
        return str(label)
