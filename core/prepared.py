"""The hot pages' reads prepared on their connection, statement by statement (ADR 0065).

PostgreSQL plans every statement it is sent. On the hot pages worked out afresh, planning costs more than
running: the plan page's twenty statements are planned in about 11 ms and run in under 2 (the plan itself
is a nine-table join behind its access rule's union: 3.8 ms to plan, 0.3 to run). A statement *prepared* on
a connection keeps its parse and, once PostgreSQL finds a generic plan no costlier than the plans made for
its values (``plan_cache_mode=auto``: after five), its plan, for every later use on that connection.

Preparing *every* statement on a connection (ADR 0061's ``DATABASE_PREPARED_STATEMENTS``) gave a generic
plan to a programme-wide aggregate over the entries' skewed status and doubled it (ADR 0064). So preparing is
asked for by the views whose reads are keyed by ids (a student, a plan, the reader), through
``prepared_page``, and nowhere else. Inside ``statements()`` the connection's new cursors bind parameters on
the server and pass ``prepare=True`` to psycopg for each ``SELECT``; other statements (a savepoint, the
session's save) are sent as they would be, unprepared. psycopg keeps at most ``prepared_max`` (100) prepared
statements a connection, dropping the least recently used, and forgets them all on a rollback.

Only on PostgreSQL, and only while ``DATABASE_PREPARED_PAGES`` is on (the default): an installation behind a
pooler in transaction mode that does not track prepared statements turns it off.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connections, models
from django.http import HttpRequest, HttpResponseBase

#: psycopg prepares a statement by itself at this many uses on a connection: never, so that only the
#: ``prepare=True`` of ``statements()`` prepares (a threshold of ``None``, Django's default, would refuse it).
NEVER_BY_COUNT = 2**62

_READ = re.compile(r"^\s*(?:SELECT|WITH)\b", re.IGNORECASE)

#: Django's placeholders and its escaped percent sign, as they appear in the SQL it sends.
_PLACEHOLDER = re.compile(r"%%|%s")

#: A choice's code that may stand in the SQL as a literal: letters, digits, ``_``, ``-`` and ``.`` only.
_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


def _code(value: Any) -> str | None:
    """The literal a parameter becomes if it is a text choice's member (``EntryStatus.PENDING``: ``'pending'``)
    or a day (``date(2026, 12, 5)``: ``'2026-12-05'::date``); None for any other parameter (kept as a
    parameter). Only values whose text the code makes: members of a ``TextChoices`` enumeration, a fixed set,
    whose value is a plain code (``_CODE``), and ``datetime.date`` objects, written by ``isoformat``; never
    text a person typed, which stays a parameter. Not a moment (``datetime``): a request's "now" differs on
    every call, and its statement would be prepared afresh each time."""
    if isinstance(value, models.TextChoices) and _CODE.match(value.value):
        return f"'{value.value}'"
    if type(value) is datetime.date:
        return f"'{value.isoformat()}'::date"
    return None


def codes_written_in(sql: str, params: Any) -> tuple[str, Any]:
    """``sql`` with each parameter that is a text choice or a day (``_code``) written into it as a literal, and
    the parameters left. Why: PostgreSQL keeps a prepared statement's generic plan only when it costs about
    what the plans made for each call's values cost. A status passed as a parameter hides which status it is
    (``'pending'`` is a few rows, ``'approved'`` nearly all), so the generic plan's estimate is far above the
    call's and every call is planned again (the queue's main statement: 9.5 ms to plan, 1.4 to run); so does
    a day (``due_date < today`` is most rows or none). Written in, the planner knows them in both; the ids
    that remain (the reader, a student, a page of keys) vary alike for everyone. A day's text changes once a
    day, so its statement is prepared again the next day. Statements with named or uncounted placeholders are
    left as they are."""
    if not isinstance(params, (list, tuple)) or not params or not any(_code(p) for p in params):
        return sql, params
    tokens = _PLACEHOLDER.split(sql)
    marks = _PLACEHOLDER.findall(sql)
    if marks.count("%s") != len(params):
        return sql, params
    out, left, at = [tokens[0]], [], 0
    for mark, after in zip(marks, tokens[1:], strict=True):
        if mark == "%%":
            out.append(mark)
        else:
            literal = _code(params[at])
            if literal is None:
                out.append(mark)
                left.append(params[at])
            else:
                out.append(literal)
            at += 1
        out.append(after)
    return "".join(out), type(params)(left)


class _Logged:
    """What Django's query log reads of a statement psycopg ran prepared.

    Django logs a statement (``CaptureQueriesContext``, ``DEBUG``) as ``cursor._query.query``
    (``DatabaseOperations.last_executed_query``), and psycopg leaves ``_query`` empty when it runs a prepared
    statement. This stands in: the statement with its values written in by psycopg's client-side binding, the
    text Django logs for the same statement unprepared, worked out only if the log reads it."""

    __slots__ = ("_connection", "_params", "_sql")

    def __init__(self, connection: Any, sql: str, params: Any) -> None:
        self._connection, self._sql, self._params = connection, sql, params

    @property
    def query(self) -> bytes:
        import psycopg

        try:
            return psycopg.ClientCursor(self._connection).mogrify(self._sql, self._params).encode()
        except psycopg.Error:  # a value psycopg cannot write into the text: the statement as sent, then
            return self._sql.encode()


@functools.cache
def preparing_cursor() -> type[Any]:
    """Django's server-binding cursor for psycopg 3, asking psycopg to prepare each read it sends (made once:
    Django defines its base only where psycopg 3 is installed)."""
    from django.db.backends.postgresql import base as postgresql

    server_binding: Any = postgresql.ServerBindingCursor  # type: ignore[attr-defined]  # psycopg 3 only

    class PreparingCursor(server_binding):  # type: ignore[misc]
        def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, **kwargs: Any) -> Any:
            if prepare is None and isinstance(query, str) and _READ.match(query):
                prepare = True
                query, params = codes_written_in(query, params)
            result = super().execute(query, params, prepare=prepare, **kwargs)
            if self._query is None:  # type: ignore[has-type]  # run prepared: see ``_Logged``
                self._query = _Logged(self.connection, query, params)
            return result

    return PreparingCursor


def enabled(using: str = "default") -> bool:
    """Whether ``statements()`` prepares on the connection ``using``."""
    return connections[using].vendor == "postgresql" and bool(getattr(settings, "DATABASE_PREPARED_PAGES", True))


@contextlib.contextmanager
def statements(using: str = "default") -> Iterator[bool]:
    """Within the block, the reads sent on connection ``using`` are prepared there (see the module); yields
    whether they are. The connection's own settings come back when the block ends, however it ends."""
    if not enabled(using):
        yield False
        return
    connection = connections[using]
    connection.ensure_connection()
    raw = connection.connection
    factory, threshold = raw.cursor_factory, raw.prepare_threshold
    raw.cursor_factory = preparing_cursor()
    if threshold is None:
        raw.prepare_threshold = NEVER_BY_COUNT
    try:
        yield True
    finally:
        # A connection closed and opened again inside the block is a new one, with its own defaults.
        if connection.connection is raw:
            raw.cursor_factory = factory
            raw.prepare_threshold = threshold


def prepared_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Run ``view`` and render its answer (a template's reads happen as it renders) with its reads prepared.
    For views whose statements are keyed by ids: not for aggregates over a skewed column (ADR 0064)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with statements():
            response = view(request, *args, **kwargs)
            render = getattr(response, "render", None)
            if callable(render) and not getattr(response, "is_rendered", True):
                response = render() or response
        return response

    return wrapper
