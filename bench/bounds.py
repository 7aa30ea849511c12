"""What bounds the rows of issue #19's table that miss their goal, measured in the same run as the table.

Printed after the table, as figures beside it, not as goals (they do not count in its "N of M"). Each answers
"could this row meet its goal if only the code around it were cheaper?":

* **a page with nothing on it** (the office's notifications, none), worked out afresh over the same readers as
  row 1, against the same API root: what the frame costs (middleware, session, the base template and the
  navigation, kept as on every hot page). What it leaves under 2x is all a page's own queries and rendering
  may cost (1.91x at the end of session 11: about 0.3 ms left);
* **each hot page's statements alone**: the SQL one request runs when the page is worked out afresh and its
  navigation is kept (as the server runs it), captured in this process with its parameters and sent again on
  a cursor as the page sends it: prepared on the connection, as the hot pages prepare their reads
  (``core.prepared``, ADR 0065), against the same API root. Where this alone is over 2x, no Python the page
  could spare brings the page under its goal: only less or cheaper SQL would;
* **row 4's aggregate built and compiled by Django alone** (``filter``, ``values``, ``annotate``,
  ``order_by`` and ``as_sql``, nothing sent) against the same statement on a raw cursor: where this alone is
  over the goal's allowance (0.3 x the raw statement), no aggregate the ORM builds per call can meet 1.3x.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TextIO

from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from bench import scale
from bench.server import forget_kept_pages
from core import prepared

#: A page every signed-in person has, with nothing on it for the bench's office user (no notifications).
EMPTY_PAGE = "/notifications/"


NO_GOAL = 0.0
"""The goal of a figure in this module: none (``write_bounds`` prints its ratio, never a verdict)."""


Statement = tuple[str, Any]
"""A statement as Django's cursor is given it: its SQL with placeholders, and its parameters."""


def _statements_afresh(client_for: Callable[[User], Client], user: User, url: str) -> list[Statement]:
    """The statements of one request for ``url`` worked out afresh with its navigation kept (the server's case),
    each as Django's cursor was given it."""
    client = client_for(user)
    sent: list[Statement] = []

    def note(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append((sql, params))
        return execute(sql, params, many, context)

    # Keep pages and the navigation for the capture, as production does; the first request keeps the
    # navigation, then only the page is dropped (``forget_kept_pages``), as the table's "afresh" requests find it.
    with override_settings(NAV_CACHE_SECONDS=60, PAGE_CACHE_SECONDS=60):
        client.get(url)
        forget_kept_pages(cache)
        with connection.execute_wrapper(note):
            response = client.get(url)
        forget_kept_pages(cache)
    assert response.status_code == 200, (url, response.status_code)
    return sent


def send_again(statements: Sequence[Statement]) -> Callable[[], None]:
    """A function that sends ``statements`` again on one cursor, as a hot page sends them (its reads prepared:
    ``core.prepared``), and fetches every row."""

    def replay() -> None:
        with prepared.statements(), connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()

    return replay


def _planned() -> str:
    """How PostgreSQL plans the replays: as the pages' reads, prepared (ADR 0065), or planned every time where
    preparing is off (``DATABASE_PREPARED_PAGES``, or not PostgreSQL)."""
    return "prepared, as the page" if prepared.enabled() else "planned every time (not prepared)"


def measure_bounds(
    people: scale.Personas, *, runs: int, warmup: int, via: scale.Readers | None = None
) -> list[scale.Row]:
    """The figures the module's docstring lists, through ``via`` (row 1's readers) and this process."""
    via = via or scale.InProcess()
    root_name = f"API root, {via.same}"
    in_process = scale.InProcess()
    bounds: list[scale.Row] = []
    try:
        root = scale.median_seconds(
            via.getter(people.office, reverse(scale.API_ROOT), api=True), runs=runs, warmup=warmup
        )
        empty = via.getter(people.office, EMPTY_PAGE, api=False)
        bounds.append(
            scale.Row(
                "a page with nothing on it (notifications, office), afresh",
                scale.median_seconds(empty, runs=runs, warmup=warmup, before=via.forget_kept),
                root_name,
                root,
                NO_GOAL,
                note="the frame: middleware, session, base template, navigation kept",
            )
        )
        for name, user, url in scale.hot_pages(people):
            statements = _statements_afresh(in_process.client, user, url)
            bounds.append(
                scale.Row(
                    f"{name}: its statements alone, sent again",
                    scale.median_seconds(send_again(statements), runs=runs, warmup=warmup),
                    root_name,
                    root,
                    NO_GOAL,
                    len(statements),
                    f"the page's SQL afresh, navigation kept, {_planned()}",
                )
            )
        student_id = people.student_id
        raw, aggregate = scale.raw_replay(lambda: scale.hours_by_category(student_id))
        bounds.append(
            scale.Row(
                "hours per category: Django builds and compiles it alone",
                scale.median_seconds(lambda: scale.aggregate_sql(student_id), runs=runs, warmup=warmup),
                "the statement, raw cursor",
                scale.median_seconds(raw, runs=runs, warmup=warmup),
                NO_GOAL,
                len(aggregate),
                "nothing sent: the ORM's own work before the database",
            )
        )
    finally:
        in_process.forget_sessions()
    return bounds


def write_bounds(bounds: Sequence[scale.Row], out: TextIO) -> None:
    """The figures under the table: each with its floor and ratio, and no verdict (they are not goals)."""
    out.write("\nWhat bounds the rows that miss (bench/bounds.py; figures, not goals)\n")
    for b in bounds:
        out.write(
            f"{b.name:<64} {b.median * 1000:>7.2f}ms {b.floor_name:<26} {b.floor_median * 1000:>7.2f}ms "
            f"{b.ratio:>6.2f}x {b.queries or '':>4}  {b.note}\n"
        )
