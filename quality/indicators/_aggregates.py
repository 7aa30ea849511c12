"""SQL pieces shared by the sections: the year's bounds, durations in days and their percentiles.

A frame's year is a range of local dates; timestamps are compared with the aware bounds of those days (so an
index on the timestamp serves the filter, where ``__date`` would convert every row). Medians are ordered-set
aggregates in PostgreSQL (``percentile_cont``), so no list of durations is ever sorted in Python.

``make run``'s SQLite has neither ``percentile_cont`` nor ``date_part``: each piece says how it reads there
(``as_sqlite``), and :func:`register_sqlite_functions` gives SQLite a ``PERCENTILE_CONT(value, fraction)``
aggregate written in Python (the demo's few hundred rows; production and the bench are PostgreSQL).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
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

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # The Python aggregate of register_sqlite_functions: PERCENTILE_CONT(value, fraction).
        # (On a copy: Aggregate.as_sql with a filter does not take a template argument as well.)
        clone = self.copy()
        clone.template = "%(function)s(%(expressions)s, %(fraction)s)"
        return clone.as_sql(compiler, connection, **extra_context)


class _PercentileCont:
    """SQLite aggregate: the continuous percentile of the non-null values (as PostgreSQL's
    ``percentile_cont``: linear interpolation between the two nearest ranks), None over no rows."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value: float | None, fraction: float) -> None:
        self.fraction = float(fraction)
        if value is not None:
            self.values.append(float(value))

    def finalize(self) -> float | None:
        if not self.values:
            return None
        ordered = sorted(self.values)
        position = self.fraction * (len(ordered) - 1)
        below = int(position)
        above = min(below + 1, len(ordered) - 1)
        return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def register_sqlite_functions(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """``connection_created`` receiver (``quality.apps``): SQLite gets ``PERCENTILE_CONT(value, fraction)``."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("PERCENTILE_CONT", 2, _PercentileCont)


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


class DaysBetween(Func):
    """The days (a float) from the first timestamp to the second."""

    output_field = FloatField()
    arg_joiner = " - "
    # date_part (double precision), not EXTRACT (numeric since PostgreSQL 14): the percentiles sort a
    # million of them, and doubles sort about twice as fast.
    template = f"(date_part('epoch', %(expressions)s) / {DAY_SECONDS})"

    def __init__(self, start: Any, end: Any) -> None:
        super().__init__(end, start)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # julianday() of each side: a day is 1.0.
        return self.as_sql(
            compiler, connection, template="(julianday(%(expressions)s))", arg_joiner=") - julianday(", **extra_context
        )


class WholeDaysBetween(Func):
    """Whole days from the local date of the first timestamp to that of the second."""

    output_field = IntegerField()
    arg_joiner = " - "
    template = "(%(expressions)s)"

    def __init__(self, start: str, end: str) -> None:
        super().__init__(TruncDate(end), TruncDate(start))

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # TruncDate gives text there: subtract the days they name, not the strings.
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def days_between(start: str | Expression, end: str | Expression) -> Func:
    """The days (a float) from the timestamp ``start`` to the timestamp ``end``."""
    first = F(start) if isinstance(start, str) else start
    last = F(end) if isinstance(end, str) else end
    return DaysBetween(first, last)


def whole_days_between(start: str, end: str) -> Func:
    """Whole days from the local date of timestamp ``start`` to that of ``end`` (as the inspection pages
    count days to publication)."""
    return WholeDaysBetween(start, end)


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
