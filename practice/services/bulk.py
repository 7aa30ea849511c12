"""Bulk create of practice-hour entries, set-based, on PostgreSQL (issue #19, item 6; ADR 0036, ADR 0048).

The row-by-row path (``logs.practice_logs_bulk_create`` on SQLite, or with ``PRACTICE_BULK_SET_BASED`` off)
runs the whole single-entry service per row: about 15 queries a row. This path gives the same answer per
row (status, rule, field, message, ids) with a fixed number of statements for the whole batch, and costs
about what a raw ``COPY`` of the entries costs (``bench/imports.py``):

1. the students concerned are locked (``FOR UPDATE``), as the row path locks each one; the same statement
   answers which of the named placements the caller may log at (the row path's scope), and so whose entries
   the batch can write (declared to the kept pages' watcher: ``navcache.declared_writes``, ADR 0069);
2. the rows are ``COPY``-ed (binary) into a temporary staging table without keys or indexes (psycopg 3
   ``cursor.copy``), with their hours already read (or ``NULL`` when they cannot be: the row path's
   ``entry_hours`` refuses them);
3. **one statement** does the rest, from the staging table to the answer:

   * each row's first broken rule among those that do not depend on the batch's other rows, in the row
     path's order: idempotency key used before (a join on the unique index), key repeated in the batch,
     placement out of scope, unknown activity, hours unreadable, cancelled placement, activity of another
     programme, future date, outside the placement, entry window, monthly lock with reopenings, hours
     range; the rules in force (the programme's latest tightened by the partner's latest) are read once
     per placement, not once per row;
   * the rules that depend on the batch's other rows (daily maximum and overlaps, per student and day):
     each student-day is read once from the entries (hours already counted, time spans already taken, as
     an ``int8multirange``). A day whose rows, all accepted, stay within the maximum and do not overlap
     each other is decided at once (a row refused only if it overlaps an earlier entry). Only the other
     days are walked in the request's order (a recursive CTE carrying the hours and spans accepted so
     far), because there a refused row must not count against the rows after it, exactly as in the row
     path;
   * one ``INSERT ... SELECT`` into the entries and, from its ``RETURNING``, one into their history (the
     row the history app writes on ``save()``: type ``+``, the user, the time);
   * the answer: a row for each row refused or duplicate (its rule and the figures its refusal names),
     and the entries created in one last row, their keys and ids as two arrays (ADR 0052).

A batch that repeats an idempotency key whose first row is refused (the later row would then be checked
on its own, after rows already decided) is rare and is handed to the row path whole (its writes are rolled
back first), so that the answer stays exactly the row path's. Creating an entry enqueues no task nor
notification in either path (supervisors learn of pending entries from their inbox and the clock's digests).

The statement is planned without JIT compilation and with room to sort in memory (both set for this
transaction only and put back afterwards): at 20,000 rows the JIT alone took seconds, several times the
whole import (docs/bench.md).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import navcache
from core.validation import first_error
from partners import access
from practice import models as practice_models
from practice import rules
from practice.models import EntryStatus, MonthReopening, PracticeLog, RuleSet
from practice.services.logs import (
    BulkEntry,
    BulkOutcome,
    BulkRowStatus,
    entry_hours,
    out_of_reach,
    rule_refusal,
)
from programmes.models import ActivityCategory
from students.models import Placement, PlacementStatus, Student

STAGE = "practice_bulk_stage"

#: The staging table: the rows as sent, in the request's order (``seq``), their hours read (``NULL`` when
#: unreadable) and, for a row whose key an earlier row of the batch already carries, that row's ``seq``.
#: Each column's type is also the binary ``COPY``'s (``_stage``).
_STAGE_COLUMNS = (
    ("seq", "integer NOT NULL"),
    ("first_seq", "integer"),
    ("key", "text NOT NULL"),
    ("placement_id", "bigint NOT NULL"),
    ("category_id", "bigint NOT NULL"),
    ("date", "date NOT NULL"),
    ("hours", "numeric"),
    ("start_time", "time"),
    ("end_time", "time"),
    ("cases", "bigint"),
    ("description", "text NOT NULL"),
)

#: Planner settings for this transaction (put back afterwards): JIT compiles the big statement for
#: longer than it runs, and the staged rows are sorted and hashed several times.
_SETTINGS = {"jit": "off", "work_mem": "64MB"}


class _RowPathNeeded(Exception):
    """The batch needs the row path to keep its exact answer (see the module's docstring)."""


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _scope_sql(by: User) -> tuple[str, tuple[Any, ...]]:
    """The ids of the placements ``by`` may log at, as SQL: the same rule the row path applies."""
    scoped = access.scope(Placement.objects.all(), by, "log").order_by().values("pk")
    try:
        sql, params = scoped.query.sql_with_params()
    except EmptyResultSet:
        return "SELECT NULL::bigint WHERE false", ()
    return sql, tuple(params)


def _tune() -> dict[str, str]:
    """Set ``_SETTINGS`` for the transaction; returns the values they had."""
    names = list(_SETTINGS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join("current_setting(%s)" for _name in names),
            names,
        )
        before = dict(zip(names, cursor.fetchone(), strict=True))
        cursor.execute(
            "SELECT " + ", ".join("set_config(%s, %s, true)" for _name in names),
            [value for name in names for value in (name, _SETTINGS[name])],
        )
    return before


def _restore(before: dict[str, str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {STAGE}")
        cursor.execute(
            "SELECT " + ", ".join("set_config(%s, %s, true)" for _name in before),
            [value for item in before.items() for value in item],
        )


def _stage(rows: Sequence[BulkEntry], hours: Sequence[Decimal | None]) -> bool:
    """COPY the rows into the staging table; returns whether a key is repeated in the batch.

    In binary: the values go as they are (no text to write in Python and parse again in the server), which
    costs about a third less than the text format for this table."""
    columns = ", ".join(name for name, _kind in _STAGE_COLUMNS)
    definition = ", ".join(f"{name} {kind}" for name, kind in _STAGE_COLUMNS)
    types = [kind.removesuffix(" NOT NULL") for _name, kind in _STAGE_COLUMNS]
    first: dict[str, int] = {}
    repeated = False
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{STAGE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} ({definition}) ON COMMIT DROP")
        with cursor.copy(f"COPY {STAGE} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            write = copy.write_row
            for seq, (row, row_hours) in enumerate(zip(rows, hours, strict=True)):
                earlier = first.setdefault(row.idempotency_key, seq)
                if earlier != seq:
                    repeated = True
                write(
                    (
                        seq,
                        earlier if earlier != seq else None,
                        row.idempotency_key,
                        row.placement_id,
                        row.category_id,
                        row.date,
                        row_hours,
                        row.start_time,
                        row.end_time,
                        row.cases,
                        row.description.strip(),
                    )
                )
    return repeated


def _lock_students(placement_ids: set[int], scope: tuple[str, tuple[Any, ...]]) -> tuple[list[int], set[int]]:
    """Serialise entries of one student, as the row path does (the daily maximum is a sum over rows):
    lock the students of the named placements ``by`` may log at. Returns those placements' ids, and their
    students' (the only students the batch can write entries of)."""
    scope_sql, scope_params = scope
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT p.id, s.id FROM {_table(Placement)} p JOIN {_table(Student)} s ON s.id = p.student_id
                WHERE p.id = ANY(%s) AND p.id IN ({scope_sql})
                ORDER BY s.id FOR UPDATE OF s""",  # noqa: S608 (names are ours, values parameters)
            (sorted(placement_ids), *scope_params),
        )
        found = cursor.fetchall()
    return [int(pk) for pk, _student in found], {int(student) for _pk, student in found}


def _span(alias: str) -> str:
    """A time range as microseconds of the day (``NULL`` without times): spans overlap as the row path's
    ``start < other end AND end > other start`` says."""
    return (
        f"int8range((extract(epoch FROM {alias}.start_time) * 1000000)::bigint, "
        f"(extract(epoch FROM {alias}.end_time) * 1000000)::bigint)"
    )


def _insert_sql() -> tuple[str, str]:
    """The columns and values of the entries' ``INSERT`` and of their history's, from ``v`` and ``ins``.
    A new column must be decided here: it raises until it is (not left to a database default)."""
    quote = connection.ops.quote_name
    supervisor = "coalesce(v.supervisor_id = %(by)s, false)"
    values = {
        "student_id": "v.student_id",
        "placement_id": "v.placement_id",
        "date": "v.date",
        "hours": "v.hours",
        "start_time": "v.start_time",
        "end_time": "v.end_time",
        "category_id": "v.category_id",
        "cases": "v.cases",
        "description": "v.description",
        "status": f"CASE WHEN {supervisor} THEN %(approved)s ELSE %(pending)s END",
        "entered_by_id": "%(by)s",
        "entered_by_supervisor": supervisor,
        "entered_at": "%(now)s",
        "decided_by_id": f"CASE WHEN {supervisor} THEN %(by)s END",
        "decided_at": f"CASE WHEN {supervisor} THEN %(now)s END",
        "decided_in_bulk": "false",
        "rejection_reason": "''",
        "rule_version": "v.rule_version",
        "corrects_id": "NULL",
        "correction_reason": "''",
        "idempotency_key": "v.key",
    }
    columns = [str(field.column) for field in PracticeLog._meta.concrete_fields if not field.primary_key]
    missing = set(columns) - set(values)
    if missing:
        raise RuntimeError(f"set-based bulk create does not fill {sorted(missing)}")
    entries = (
        f"INSERT INTO {_table(PracticeLog)} ({', '.join(quote(column) for column in columns)}) "
        f"SELECT {', '.join(values[column] for column in columns)}"
    )
    history = PracticeLog.history.model  # type: ignore[attr-defined]
    extra = {"history_date": "%(now)s", "history_type": "'+'", "history_user_id": "%(by)s"}
    history_columns, history_values = [], []
    for field in history._meta.concrete_fields:
        if field.primary_key:
            continue
        history_columns.append(quote(field.column))
        if field.column in extra:
            history_values.append(extra[field.column])
        elif field.column == "history_change_reason":
            history_values.append("NULL")
        elif field.column == "id" or field.column in columns:
            history_values.append(f"ins.{quote(field.column)}")
        else:
            raise RuntimeError(f"set-based bulk create does not fill history column {field.column}")
    return entries, (
        f"INSERT INTO {_table(history)} ({', '.join(history_columns)}) SELECT {', '.join(history_values)} FROM ins"  # noqa: S608
    )


def _check_and_write(
    *,
    by: User,
    today: datetime.date,
    now: datetime.datetime,
    placement_ids: list[int],
    days: tuple[datetime.date, datetime.date],
    race_safe: bool,
) -> list[tuple[Any, ...]]:
    """The one statement (module docstring, step 3). Returns a row for each row not created, ``(seq,
    rule, id, already, daily_max, window_days, lock_day, start, end, NULL, NULL)``: ``rule`` is
    ``duplicate`` or ``repeat`` (``id`` the entry made before under the key, ``NULL`` for a repeat: its
    first row's), or the rule broken with the figures its words name; and one last row for the entries
    created, ``(NULL, ..., keys, ids)``: two arrays in the same order (one row, not one a created entry:
    reading 20,000 rows cost more than the rules they answer). ``days``: the first and last day the rows
    name. ``race_safe``: skip a row whose key a concurrent
    request took after the check (``ON CONFLICT DO NOTHING``) instead of failing on it; it costs a third
    more per entry, so the first attempt goes without (``bulk_create_set_based``)."""
    log, rule_set = _table(PracticeLog), _table(RuleSet)
    counting = "(l.status = %(approved)s OR (l.status = %(pending)s AND l.hours > 0))"
    insert_entries, insert_history = _insert_sql()
    on_conflict = (
        "ON CONFLICT (entered_by_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING" if race_safe else ""
    )
    month = "date_trunc('month', y.date::timestamp)"
    sql = f"""
    WITH RECURSIVE
    pl AS MATERIALIZED (  -- the named placements in the caller's scope, and the rules in force at each
        SELECT p.id, p.student_id, st.programme_id, p.supervisor_id, p.status, p.start_date, p.end_date,
            least(coalesce(rb.daily_max_hours, %(daily)s), rl.daily_max_hours) AS daily_max,
            least(coalesce(rb.entry_window_days, %(window)s), rl.entry_window_days) AS window_days,
            least(coalesce(rb.lock_day, %(lock)s), rl.lock_day) AS lock_day,
            'P' || coalesce(rb.id, 0) || '/L' || coalesce(rl.id, 0) AS rule_version
        FROM {_table(Placement)} p
        JOIN {_table(Student)} st ON st.id = p.student_id
        LEFT JOIN LATERAL (
            SELECT r.id, r.daily_max_hours, r.entry_window_days, r.lock_day FROM {rule_set} r
            WHERE r.programme_id = st.programme_id AND r.partner_id IS NULL
            ORDER BY r.created_at DESC, r.id DESC LIMIT 1) rb ON true
        LEFT JOIN LATERAL (
            SELECT r.id, r.daily_max_hours, r.entry_window_days, r.lock_day FROM {rule_set} r
            WHERE r.programme_id = st.programme_id AND r.partner_id = p.partner_id
            ORDER BY r.created_at DESC, r.id DESC LIMIT 1) rl ON true
        WHERE p.id = ANY(%(placements)s)
    ),
    x AS (  -- each row and the first rule it breaks that the batch's other rows cannot change
        SELECT y.*,
            CASE
                WHEN y.dup_id IS NOT NULL THEN 'duplicate'
                WHEN y.first_seq IS NOT NULL THEN 'repeat'
                WHEN y.student_id IS NULL THEN 'no_placement'
                WHEN y.category_programme_id IS NULL THEN 'no_category'
                WHEN y.hours IS NULL THEN 'shape'
                WHEN y.p_status = %(cancelled)s THEN 'placement'
                WHEN y.category_programme_id <> y.programme_id THEN 'category'
                WHEN y.date > %(today)s THEN 'future_date'
                WHEN y.date < y.p_start OR y.date > y.p_end THEN 'outside_placement'
                WHEN y.date < %(today)s - y.window_days THEN 'entry_window'
                WHEN %(today)s > ({month} + interval '1 month')::date + (y.lock_day - 1)
                    AND NOT EXISTS (
                        SELECT 1 FROM {_table(MonthReopening)} m
                        WHERE m.programme_id = y.programme_id AND m.month = {month}::date
                          AND m.until >= %(today)s) THEN 'month_closed'
                WHEN y.hours <= 0 OR y.hours > y.daily_max THEN 'hours_range'
            END AS rule
        FROM (
            SELECT s.*, d.id AS dup_id, c.programme_id AS category_programme_id,
                pl.student_id, pl.programme_id, pl.supervisor_id, pl.status AS p_status,
                pl.start_date AS p_start, pl.end_date AS p_end,
                pl.daily_max, pl.window_days, pl.lock_day, pl.rule_version
            FROM {STAGE} s
            LEFT JOIN pl ON pl.id = s.placement_id
            LEFT JOIN {_table(ActivityCategory)} c ON c.id = s.category_id
            LEFT JOIN {log} d ON d.entered_by_id = %(by)s AND d.idempotency_key = s.key
                AND d.idempotency_key IS NOT NULL
        ) y
        OFFSET 0  -- not pulled up into its readers: each reference to the rule would compute it again
    ),
    existing AS MATERIALIZED (  -- the entries already made on the students' days, read in one range scan
        SELECT l.student_id, l.date, coalesce(sum(l.hours) FILTER (WHERE {counting}), 0) AS total,
            range_agg({_span("l")}) FILTER (
                WHERE l.status IN (%(approved)s, %(pending)s) AND l.start_time IS NOT NULL) AS spans
        FROM {log} l
        WHERE l.student_id IN (SELECT pl.student_id FROM pl) AND l.date BETWEEN %(first_day)s AND %(last_day)s
        GROUP BY l.student_id, l.date
    ),
    judged AS MATERIALIZED (  -- and, for a passing row, whether its student-day must be walked
        SELECT c.*, coalesce(e.total, 0) AS existing_total, e.spans AS existing_spans,
            -- its passing rows could refuse each other: above the maximum or overlapping, together
            c.rule IS NULL AND (coalesce(c.clash, false) OR coalesce(e.total, 0) + c.batch_hours > c.tightest)
                AS hard
        FROM (
            SELECT o.*,
                bool_or(o.rule IS NULL AND o.start_time < o.ends_before) OVER day AS clash,
                sum(greatest(o.hours, round(o.hours, 2))) FILTER (WHERE o.rule IS NULL) OVER day AS batch_hours,
                min(o.daily_max) FILTER (WHERE o.rule IS NULL) OVER day AS tightest
            FROM (  -- by start time: a time range overlaps an earlier one iff it starts before their last end
                SELECT x.*, max(x.end_time) FILTER (WHERE x.rule IS NULL) OVER (
                    PARTITION BY x.student_id, x.date ORDER BY x.start_time, x.seq
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS ends_before
                FROM x
            ) o
            WINDOW day AS (PARTITION BY o.student_id, o.date)
        ) c
        LEFT JOIN existing e ON c.rule IS NULL AND e.student_id = c.student_id AND e.date = c.date
    ),
    hard AS MATERIALIZED (
        SELECT j.seq, j.student_id, j.date, j.hours, j.daily_max, j.existing_total, j.existing_spans,
            CASE WHEN j.start_time IS NOT NULL THEN {_span("j")} END AS span,
            row_number() OVER (PARTITION BY j.student_id, j.date ORDER BY j.seq) AS rn
        FROM judged j WHERE j.hard
    ),
    walk AS (  -- the hard days, row by row in the request's order; a refused row adds nothing
        SELECT h.student_id, h.date, 0::bigint AS rn, NULL::integer AS seq, NULL::text AS verdict,
            NULL::numeric AS already, h.existing_total AS total,
            coalesce(h.existing_spans, '{{}}'::int8multirange) AS spans
        FROM hard h WHERE h.rn = 1
        UNION ALL
        SELECT h.student_id, h.date, h.rn, h.seq, v.verdict, w.total,
            w.total + CASE WHEN v.verdict IS NULL THEN round(h.hours, 2) ELSE 0 END,
            CASE WHEN v.verdict IS NULL AND h.span IS NOT NULL THEN w.spans + int8multirange(h.span)
                ELSE w.spans END
        FROM walk w
        JOIN hard h ON h.student_id = w.student_id AND h.date = w.date AND h.rn = w.rn + 1
        CROSS JOIN LATERAL (
            SELECT CASE
                WHEN w.total + h.hours > h.daily_max THEN 'daily_maximum'
                WHEN h.span && w.spans THEN 'overlap'
            END AS verdict
        ) v
    ),
    v AS NOT MATERIALIZED (  -- every row's answer
        SELECT j.*, w.already,
            coalesce(j.rule, w.verdict,
                CASE WHEN NOT j.hard AND j.existing_spans IS NOT NULL AND j.start_time IS NOT NULL
                    AND {_span("j")} && j.existing_spans THEN 'overlap' END,
                'ok') AS verdict
        FROM judged j LEFT JOIN walk w ON j.hard AND w.seq = j.seq
    ),
    ins AS (
        {insert_entries}
        FROM v WHERE v.verdict = 'ok' ORDER BY v.seq
        {on_conflict}
        RETURNING *
    ),
    hist AS (
        {insert_history}
    )
    SELECT v.seq, v.verdict, v.dup_id,
        CASE WHEN v.verdict = 'daily_maximum' THEN v.already END,
        CASE WHEN v.verdict IN ('hours_range', 'daily_maximum') THEN v.daily_max END,
        CASE WHEN v.verdict = 'entry_window' THEN v.window_days END,
        CASE WHEN v.verdict = 'month_closed' THEN v.lock_day END,
        CASE WHEN v.verdict = 'outside_placement' THEN v.p_start END,
        CASE WHEN v.verdict = 'outside_placement' THEN v.p_end END,
        NULL::text[], NULL::bigint[]
    FROM v
    -- only a row with a rule broken, a walked day or an earlier span can be refused: the others are left
    -- out before their answer is worked out (this filter is read on the judged rows, before the join)
    WHERE (v.rule IS NOT NULL OR v.hard OR (v.existing_spans IS NOT NULL AND v.start_time IS NOT NULL))
        AND v.verdict <> 'ok'
    UNION ALL  -- the entries created, in one row: their keys and ids, in the same order
    SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        coalesce(array_agg(ins.idempotency_key::text), '{{}}'), coalesce(array_agg(ins.id), '{{}}')
    FROM ins
    """  # noqa: S608 (names are ours, values parameters)
    params: dict[str, Any] = {
        "today": today,
        "now": now,
        "by": by.pk,
        "placements": placement_ids,
        "first_day": days[0],
        "last_day": days[1],
        "cancelled": PlacementStatus.CANCELLED.value,
        "approved": EntryStatus.APPROVED.value,
        "pending": EntryStatus.PENDING.value,
        "daily": practice_models.DEFAULT_DAILY_MAX_HOURS,
        "window": practice_models.DEFAULT_ENTRY_WINDOW_DAYS,
        "lock": practice_models.DEFAULT_LOCK_DAY,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _outcomes(
    *, rows: Sequence[BulkEntry], by: User, shape: dict[int, ValidationError], found: list[tuple[Any, ...]]
) -> list[BulkOutcome]:
    """Each row's answer, in the row path's words. A row that passed but has no entry lost its key to a
    concurrent request between the check and the insert, and answers that request's entry."""
    made: dict[str, int] = {}
    answers: dict[int, tuple[Any, ...]] = {}
    for seq, *answer, keys, ids in found:
        if seq is None:  # the entries created: their keys and ids
            made = dict(zip(keys, ids, strict=True))
        else:
            answers[seq] = tuple(answer)
    created, duplicate = BulkRowStatus.CREATED, BulkRowStatus.DUPLICATE
    if not answers and len(made) == len(rows):  # every row created: the usual import
        return _all_created(rows, made)
    missing = {row.idempotency_key for seq, row in enumerate(rows) if seq not in answers} - made.keys()
    if missing:
        made.update(
            (str(key), pk)
            for key, pk in PracticeLog.objects.filter(entered_by=by, idempotency_key__in=missing).values_list(
                "idempotency_key", "pk"
            )
        )
    outcomes = []
    for seq, row in enumerate(rows):
        index, key = row.index, row.idempotency_key
        if seq not in answers:
            outcomes.append(
                BulkOutcome(index, key, created, made[key])
                if key not in missing
                else BulkOutcome(index, key, duplicate, made.get(key))
            )
            continue
        rule, pk, already, daily, window, lock, start, end = answers[seq]
        if rule == "duplicate":
            outcomes.append(BulkOutcome(index, key, duplicate, pk))
        elif rule == "repeat":
            outcomes.append(BulkOutcome(index, key, duplicate, made.get(key)))
        elif rule == "no_placement":
            outcomes.append(out_of_reach(index, key, "placement", _("No such placement that you may log hours at.")))
        elif rule == "no_category":
            outcomes.append(out_of_reach(index, key, "category", _("No such activity.")))
        elif rule == "shape":
            outcomes.append(_refused(index, key, shape[seq]))
        else:
            day = row.date
            params = {
                "start": start and start.isoformat(),
                "end": end and end.isoformat(),
                "days": window,
                "month": day.strftime("%Y-%m"),
                "closed": lock and rules.month_closes_on(day, lock).isoformat(),
                "max": daily,
                "already": already,
                "day": day.isoformat(),
            }
            outcomes.append(_refused(index, key, rule_refusal(rule, **params)))
    return outcomes


def _all_created(rows: Sequence[BulkEntry], made: dict[str, int]) -> list[BulkOutcome]:
    """Every row's outcome when each made an entry (``made``: the ids by key).

    ``BulkOutcome`` is a frozen dataclass: its ``__init__`` sets each of its seven fields through
    ``object.__setattr__``, about 1.5 µs a row (30 ms of a 20,000-row import, a tenth of the COPY it is
    measured against). The same object is made by filling its ``__dict__`` (what that ``__init__`` does in
    the end); ``test_bulk_paths`` compares the two."""
    new = object.__new__
    common = {"status": BulkRowStatus.CREATED, "rule": None, "field": None, "message": None}
    outcomes = []
    for row in rows:
        outcome = new(BulkOutcome)
        fields = outcome.__dict__
        fields.update(common)
        fields["index"], fields["idempotency_key"] = row.index, row.idempotency_key
        fields["id"] = made[row.idempotency_key]
        outcomes.append(outcome)
    return outcomes


def _refused(idx: int, key: str, error: ValidationError) -> BulkOutcome:
    field, rule, message = first_error(error)
    return BulkOutcome(idx, key, BulkRowStatus.REFUSED, rule=rule or "invalid", field=field, message=message)


def _hours(rows: Sequence[BulkEntry]) -> tuple[list[Decimal | None], dict[int, ValidationError]]:
    """Each row's hours as the row path reads them (``entry_hours``), and the refusal of the rows whose
    hours cannot be read (a start without an end, ...), by their place in the batch."""
    hours: list[Decimal | None] = []
    errors = {}
    # A time range's hours are its length alone, and an import repeats a few ranges (08:00-12:00, ...).
    lengths: dict[tuple[datetime.time | None, datetime.time | None], Decimal] = {}
    for seq, row in enumerate(rows):
        span = (row.start_time, row.end_time)
        known = lengths.get(span)
        if known is not None:
            hours.append(known)
            continue
        try:
            value = entry_hours(row)
        except ValidationError as error:
            hours.append(None)
            errors[seq] = error
            continue
        if row.start_time or row.end_time:
            lengths[span] = value
        hours.append(value)
    return hours, errors


def bulk_create_set_based(
    *, rows: Sequence[BulkEntry], by: User, today: datetime.date | None = None
) -> list[BulkOutcome] | None:
    """The rows' outcomes, in the rows' order, set-based; ``None`` when the batch must go through the row
    path (nothing was written then). Runs in the caller's transaction.

    The insert first goes without ``ON CONFLICT``: the students are locked and the keys checked, so only a
    request that used one of the batch's keys for a student not in the batch, between the check and the
    insert, can make it fail. Then the whole batch runs again, skipping the keys taken (each such row
    answers the entry made under its key, as the row path does)."""
    if not rows:
        return []
    today = today or timezone.localdate()
    hours, shape = _hours(rows)
    scope = _scope_sql(by)
    for race_safe in (False, True):
        try:
            found = _attempt(rows, hours, by=by, today=today, scope=scope, race_safe=race_safe)
        except IntegrityError as error:
            if race_safe or not _key_taken(error):
                raise
            continue
        except _RowPathNeeded:
            return None
        return _outcomes(rows=rows, by=by, shape=shape, found=found)
    raise AssertionError("unreachable")  # pragma: no cover


def _attempt(
    rows: Sequence[BulkEntry],
    hours: Sequence[Decimal | None],
    *,
    by: User,
    today: datetime.date,
    scope: tuple[str, tuple[Any, ...]],
    race_safe: bool,
) -> list[tuple[Any, ...]]:
    """Lock, stage, check and write, in a savepoint (undone whole when it raises).

    The statements after the lock write the entries of the locked students, their history rows and the
    staging table only; the watcher cannot read that from a ``WITH … INSERT`` or the staging table's DDL
    (every kept page and navigation would end), so they say it (``navcache.declared_writes``, ADR 0069)."""
    with transaction.atomic():
        before = _tune()
        placement_ids, students = _lock_students({row.placement_id for row in rows}, scope)
        history = PracticeLog.history.model._meta.db_table  # type: ignore[attr-defined]
        with navcache.declared_writes({PracticeLog._meta.db_table: students, history: None}):
            repeated = _stage(rows, hours)
            dates = [row.date for row in rows]
            found = _check_and_write(
                by=by,
                today=today,
                now=timezone.now(),
                placement_ids=placement_ids,
                days=(min(dates), max(dates)),
                race_safe=race_safe,
            )
            if repeated and _repeat_of_a_refused_row(found, rows):
                raise _RowPathNeeded
            _restore(before)
    return found


def _key_taken(error: IntegrityError) -> bool:
    """Whether ``error`` is the idempotency key's unique index refusing a key taken meanwhile."""
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == "log_idempotency_unique"


def _repeat_of_a_refused_row(found: list[tuple[Any, ...]], rows: Sequence[BulkEntry]) -> bool:
    """Whether a key repeated in the batch was first carried by a row that was not created (its answer is
    then the row path's to give)."""
    refused = {seq: rule for seq, rule, *_rest in found if seq is not None}
    first: dict[str, int] = {}
    for seq, row in enumerate(rows):
        earlier = first.setdefault(row.idempotency_key, seq)
        if earlier != seq and refused.get(seq) == "repeat" and earlier in refused:
            return True
    return False
