"""Durations in days and their percentiles, computed in PostgreSQL (the students and process sections).

A lead time (a plan's submission to its approval, an entry's submission to its sign-off) is the difference
of two timestamps; its median, mean and 90th percentile are ordered-set aggregates in the database
(``percentile_cont``), so a million sign-offs are never loaded into Python to be sorted.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, Expression, F, FloatField, Func

#: Seconds in a day: durations are reported in days, to one decimal.
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


def days(value: float | None) -> float | None:
    """A number of days as reported: one decimal, or None."""
    return None if value is None else round(float(value), 1)
