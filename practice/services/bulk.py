"""Bulk create of practice-hour entries, set-based, on PostgreSQL (issue #19, item 6).

The row-by-row path (``logs.practice_logs_bulk_create`` on SQLite, or with ``PRACTICE_BULK_SET_BASED`` off)
runs the whole single-entry service per row: about 15 queries a row. This path gives the same answer per
row (status, rule, field, message, ids) with a fixed number of statements for the whole batch:

1. the rows are ``COPY``-ed into a temporary staging table (psycopg 3 ``cursor.copy``);
2. the students concerned are locked (``FOR UPDATE``), as the row path locks each one;
3. one ``SELECT`` joins every row to its placement, student, activity, rules in force (programme's and
   partner's latest), the entries already made under its idempotency key (anti-join), the hours already
   logged that day and any overlapping entry, and names the first rule it breaks, in the row path's order;
4. the rules that depend on earlier rows of the same batch (daily maximum and overlaps, per student and
   day) are decided by a recursive walk over each day's rows in the request's order, carrying the hours
   and the time spans accepted so far: a refused row does not count against the rows after it, exactly
   as in the row path;
5. one ``INSERT ... SELECT`` into the entries, and in the same statement one into their history (the row
   the history app writes on ``save()``: type ``+``, the user, the time).

A batch that repeats an idempotency key whose first row is refused (the later row would then be checked
on its own, after rows the walk has already decided) is rare and is handed to the row path whole, so that
the answer stays exactly the row path's. Creating an entry enqueues no task nor notification in either
path (supervisors learn of pending entries from their inbox and the clock's digests).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
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
CHECKED = "practice_bulk_checked"

#: The staging table: the rows as sent, plus whether their hours could be read at all.
_STAGE_COLUMNS = (
    ("idx", "integer PRIMARY KEY"),
    ("key", "text NOT NULL"),
    ("placement_id", "bigint NOT NULL"),
    ("category_id", "bigint NOT NULL"),
    ("date", "date NOT NULL"),
    ("hours", "numeric"),
    ("start_time", "time"),
    ("end_time", "time"),
    ("cases", "bigint"),
    ("description", "text NOT NULL"),
    ("shape_ok", "boolean NOT NULL"),
)


class _RowPathNeeded(Exception):
    """The batch needs the row path to keep its exact answer (see the module's docstring)."""


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _scope_sql(by: User) -> tuple[str, tuple[Any, ...]]:
    """The ids of the placements ``by`` may log at, as SQL: the same rule the row path applies."""
    scoped = access.scope(Placement.objects.all(), by, "log").values("pk")
    try:
        sql, params = scoped.query.sql_with_params()
    except EmptyResultSet:
        return "SELECT NULL::bigint WHERE false", ()
    return sql, tuple(params)


def _stage(rows: Sequence[BulkEntry], shape: dict[int, ValidationError]) -> None:
    columns = ", ".join(name for name, _kind in _STAGE_COLUMNS)
    definition = ", ".join(f"{name} {kind}" for name, kind in _STAGE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{STAGE}, pg_temp.{CHECKED}")
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} ({definition}) ON COMMIT DROP")
        with cursor.copy(f"COPY {STAGE} ({columns}) FROM STDIN") as copy:
            for row in rows:
                hours = None if row.index in shape else entry_hours(row)
                copy.write_row(
                    (
                        row.index,
                        row.idempotency_key,
                        row.placement_id,
                        row.category_id,
                        row.date,
                        hours,
                        row.start_time,
                        row.end_time,
                        row.cases,
                        row.description.strip(),
                        row.index not in shape,
                    )
                )
        cursor.execute(f"ANALYZE {STAGE}")


def _lock_students(scope: tuple[str, tuple[Any, ...]]) -> None:
    """Serialise entries of one student, as the row path does: the daily maximum is a sum over rows."""
    scope_sql, scope_params = scope
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT s.id FROM {_table(Student)} s WHERE s.id IN (
                    SELECT p.student_id FROM {_table(Placement)} p
                    WHERE p.id IN (SELECT placement_id FROM {STAGE}) AND p.id IN ({scope_sql}))
                ORDER BY s.id FOR UPDATE OF s""",  # noqa: S608 (names are ours)
            scope_params,
        )


def _check(*, by: User, today: datetime.date, scope: tuple[str, tuple[Any, ...]]) -> None:
    """Every rule that does not depend on the batch's other rows, in the row path's order: the first one
    broken is the row's ``rule`` (``NULL`` while it may still be created)."""
    scope_sql, scope_params = scope
    log, rule_set = _table(PracticeLog), _table(RuleSet)
    counting = "(l.status = %(approved)s OR (l.status = %(pending)s AND l.hours > 0))"
    sql = f"""
    CREATE TEMPORARY TABLE {CHECKED} ON COMMIT DROP AS
    SELECT x.*,
        CASE
            WHEN x.dup_id IS NOT NULL THEN 'duplicate'
            WHEN x.idx > x.first_idx THEN 'repeat'
            WHEN NOT x.in_scope THEN 'no_placement'
            WHEN x.found_category IS NULL THEN 'no_category'
            WHEN NOT x.shape_ok THEN 'shape'
            WHEN x.p_status = %(cancelled)s THEN 'placement'
            WHEN x.category_programme_id <> x.programme_id THEN 'category'
            WHEN x.date > %(today)s THEN 'future_date'
            WHEN x.date < x.p_start OR x.date > x.p_end THEN 'outside_placement'
            WHEN x.date < %(today)s - x.window_days THEN 'entry_window'
            WHEN %(today)s > x.closes_on AND NOT EXISTS (
                SELECT 1 FROM {_table(MonthReopening)} m
                WHERE m.programme_id = x.programme_id AND m.month = date_trunc('month', x.date)::date
                  AND m.until >= %(today)s) THEN 'month_closed'
            WHEN x.hours <= 0 OR x.hours > x.daily_max THEN 'hours_range'
        END AS rule,
        NULL::numeric AS already
    FROM (
        SELECT s.*,
            d.id AS dup_id,
            min(s.idx) OVER (PARTITION BY s.key) AS first_idx,
            coalesce(s.placement_id IN ({scope_sql}), false) AS in_scope,
            c.id AS found_category, c.programme_id AS category_programme_id,
            p.student_id, st.programme_id, p.supervisor_id, p.status AS p_status,
            p.start_date AS p_start, p.end_date AS p_end,
            least(coalesce(rb.daily_max_hours, %(daily)s), rl.daily_max_hours) AS daily_max,
            least(coalesce(rb.entry_window_days, %(window)s), rl.entry_window_days) AS window_days,
            least(coalesce(rb.lock_day, %(lock)s), rl.lock_day) AS lock_day,
            'P' || coalesce(rb.id, 0) || '/L' || coalesce(rl.id, 0) AS rule_version,
            (date_trunc('month', s.date) + interval '1 month')::date
                + (least(coalesce(rb.lock_day, %(lock)s), rl.lock_day) - 1) AS closes_on,
            coalesce((SELECT sum(l.hours) FROM {log} l
                      WHERE l.student_id = p.student_id AND l.date = s.date AND {counting}), 0) AS existing_total,
            s.start_time IS NOT NULL AND EXISTS (
                SELECT 1 FROM {log} l
                WHERE l.student_id = p.student_id AND l.date = s.date
                  AND l.status IN (%(approved)s, %(pending)s)
                  AND l.start_time < s.end_time AND l.end_time > s.start_time) AS overlaps_existing
        FROM {STAGE} s
        LEFT JOIN {log} d ON d.entered_by_id = %(by)s AND d.idempotency_key = s.key
        LEFT JOIN {_table(Placement)} p ON p.id = s.placement_id
        LEFT JOIN {_table(Student)} st ON st.id = p.student_id
        LEFT JOIN {_table(ActivityCategory)} c ON c.id = s.category_id
        LEFT JOIN LATERAL (
            SELECT r.id, r.daily_max_hours, r.entry_window_days, r.lock_day FROM {rule_set} r
            WHERE r.programme_id = st.programme_id AND r.partner_id IS NULL
            ORDER BY r.created_at DESC, r.id DESC LIMIT 1) rb ON true
        LEFT JOIN LATERAL (
            SELECT r.id, r.daily_max_hours, r.entry_window_days, r.lock_day FROM {rule_set} r
            WHERE r.programme_id = st.programme_id AND r.partner_id = p.partner_id
            ORDER BY r.created_at DESC, r.id DESC LIMIT 1) rl ON true
    ) x
    """  # noqa: S608 (names are ours, values parameters)
    # The scope's own placeholders are positional: number every named one around them.
    named = {
        "today": today,
        "by": by.pk,
        "cancelled": PlacementStatus.CANCELLED.value,
        "approved": EntryStatus.APPROVED.value,
        "pending": EntryStatus.PENDING.value,
        "daily": practice_models.DEFAULT_DAILY_MAX_HOURS,
        "window": practice_models.DEFAULT_ENTRY_WINDOW_DAYS,
        "lock": practice_models.DEFAULT_LOCK_DAY,
    }
    head, tail = sql.split(f"({scope_sql})", 1)
    params = _positional(head, named) + scope_params + _positional(tail, named)
    with connection.cursor() as cursor:
        cursor.execute(_unname(head) + f"({scope_sql})" + _unname(tail), params)


def _positional(sql: str, named: dict[str, Any]) -> tuple[Any, ...]:
    """The values of ``%(name)s`` placeholders in ``sql``, in order (to mix with a subquery's ``%s``)."""
    values = []
    rest = sql
    while "%(" in rest:
        rest = rest[rest.index("%(") + 2 :]
        values.append(named[rest[: rest.index(")s")]])
    return tuple(values)


def _unname(sql: str) -> str:
    out, rest = [], sql
    while "%(" in rest:
        start = rest.index("%(")
        out.append(rest[:start] + "%s")
        rest = rest[rest.index(")s", start) + 2 :]
    out.append(rest)
    return "".join(out)


def _walk() -> None:
    """Daily maximum and overlaps within the batch: each student's day is walked in the request's order,
    carrying the hours and time spans accepted so far (``int8multirange`` of microseconds of the day)."""
    span = (
        "CASE WHEN start_time IS NOT NULL THEN int8range("
        "(extract(epoch FROM start_time) * 1000000)::bigint, (extract(epoch FROM end_time) * 1000000)::bigint) END"
    )
    sql = f"""
    WITH RECURSIVE c AS MATERIALIZED (
        SELECT idx, student_id, date, hours, daily_max, existing_total, overlaps_existing, {span} AS span,
               row_number() OVER (PARTITION BY student_id, date ORDER BY idx) AS rn
        FROM {CHECKED} WHERE rule IS NULL
    ), walk AS (
        SELECT DISTINCT ON (student_id, date) student_id, date, 0::bigint AS rn, NULL::integer AS idx,
               NULL::text AS verdict, NULL::numeric AS already, existing_total AS total,
               '{{}}'::int8multirange AS spans
        FROM c
        UNION ALL
        SELECT c.student_id, c.date, c.rn, c.idx, v.verdict, w.total,
               w.total + CASE WHEN v.verdict IS NULL THEN c.hours ELSE 0 END,
               CASE WHEN v.verdict IS NULL AND c.span IS NOT NULL THEN w.spans + int8multirange(c.span)
                    ELSE w.spans END
        FROM walk w
        JOIN c ON c.student_id = w.student_id AND c.date = w.date AND c.rn = w.rn + 1
        CROSS JOIN LATERAL (
            SELECT CASE
                WHEN w.total + c.hours > c.daily_max THEN 'daily_maximum'
                WHEN c.span IS NOT NULL AND (c.overlaps_existing OR w.spans && c.span) THEN 'overlap'
            END AS verdict
        ) v
    )
    UPDATE {CHECKED} t SET rule = coalesce(walk.verdict, 'ok'), already = walk.already
    FROM walk WHERE walk.idx = t.idx
    """  # noqa: S608 (names are ours)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        cursor.execute(
            f"""SELECT EXISTS (SELECT 1 FROM {CHECKED} r JOIN {CHECKED} f ON f.idx = r.first_idx
                WHERE r.rule = 'repeat' AND f.rule <> 'ok')"""  # noqa: S608
        )
        if cursor.fetchone()[0]:
            raise _RowPathNeeded


def _insert(*, by: User, now: datetime.datetime) -> dict[str, int]:
    """One ``INSERT ... SELECT`` into the entries and, in the same statement, one into their history.
    Returns the new entries' ids by idempotency key (the keys of created rows are distinct)."""
    fields = [field for field in PracticeLog._meta.concrete_fields if not field.primary_key]
    supervisor = "coalesce(supervisor_id = %(by)s, false)"
    values = {
        "student_id": "student_id",
        "placement_id": "placement_id",
        "date": "date",
        "hours": "hours",
        "start_time": "start_time",
        "end_time": "end_time",
        "category_id": "category_id",
        "cases": "cases",
        "description": "description",
        "status": f"CASE WHEN {supervisor} THEN %(approved)s ELSE %(pending)s END",
        "entered_by_id": "%(by)s",
        "entered_by_supervisor": supervisor,
        "entered_at": "%(now)s",
        "decided_by_id": f"CASE WHEN {supervisor} THEN %(by)s END",
        "decided_at": f"CASE WHEN {supervisor} THEN %(now)s END",
        "decided_in_bulk": "false",
        "rejection_reason": "''",
        "rule_version": "rule_version",
        "corrects_id": "NULL",
        "correction_reason": "''",
        "idempotency_key": "key",
    }
    columns = [str(field.column) for field in fields]
    missing = set(columns) - set(values)
    if missing:  # a new column must be decided here, not left to its database default
        raise RuntimeError(f"set-based bulk create does not fill {sorted(missing)}")
    quote = connection.ops.quote_name
    history = PracticeLog.history.model  # type: ignore[attr-defined]
    history_columns, history_values = [], []
    for field in history._meta.concrete_fields:
        if field.primary_key:
            continue
        history_columns.append(quote(field.column))
        extra = {
            "history_date": "%(now)s",
            "history_type": "'+'",
            "history_user_id": "%(by)s",
            "history_change_reason": "NULL",
        }
        if field.column in extra:
            history_values.append(extra[field.column])
        elif field.column == "id" or field.column in columns:
            history_values.append(f"ins.{quote(field.column)}")
        else:
            raise RuntimeError(f"set-based bulk create does not fill history column {field.column}")
    sql = f"""
    WITH ins AS (
        INSERT INTO {_table(PracticeLog)} ({", ".join(quote(column) for column in columns)})
        SELECT {", ".join(values[column] for column in columns)}
        FROM {CHECKED} WHERE rule = 'ok' ORDER BY idx
        ON CONFLICT (entered_by_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        RETURNING *
    ), hist AS (
        INSERT INTO {_table(history)} ({", ".join(history_columns)})
        SELECT {", ".join(history_values)} FROM ins ORDER BY ins.id
    )
    SELECT ins.idempotency_key, ins.id FROM ins
    """  # noqa: S608 (names are ours, values parameters)
    named: dict[str, Any] = {
        "by": by.pk,
        "now": now,
        "approved": EntryStatus.APPROVED.value,
        "pending": EntryStatus.PENDING.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, named)
        return {str(key): int(pk) for key, pk in cursor.fetchall()}


def _outcomes(*, by: User, shape: dict[int, ValidationError], made: dict[str, int]) -> list[BulkOutcome]:
    """Each row's answer, in the row path's words. ``made``: the new entries' ids by key; a row that
    passed but is not among them lost its key to a concurrent request, and answers that request's entry."""
    sql = f"""
    SELECT c.idx, c.key, c.rule, c.dup_id, c.already, c.daily_max, c.window_days, c.lock_day,
           c.p_start, c.p_end, c.date
    FROM {CHECKED} c ORDER BY c.idx
    """  # noqa: S608 (names are ours)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        found = cursor.fetchall()
        cursor.execute(f"DROP TABLE {STAGE}, {CHECKED}")
    raced = {key for _idx, key, rule, *_rest in found if rule == "ok" and key not in made}
    if raced:
        taken = PracticeLog.objects.filter(entered_by=by, idempotency_key__in=raced).values_list(
            "idempotency_key", "pk"
        )
        made = {**made, **{str(key): pk for key, pk in taken}}
    outcomes = []
    for idx, key, rule, dup_id, already, daily, window, lock, start, end, day in found:
        if rule == "ok" and key not in raced:
            outcomes.append(BulkOutcome(idx, key, BulkRowStatus.CREATED, id=made[key]))
        elif rule in ("duplicate", "repeat", "ok"):
            pk = dup_id if rule == "duplicate" else made.get(key)
            outcomes.append(BulkOutcome(idx, key, BulkRowStatus.DUPLICATE, id=pk))
        elif rule == "no_placement":
            outcomes.append(out_of_reach(idx, key, "placement", _("No such placement that you may log hours at.")))
        elif rule == "no_category":
            outcomes.append(out_of_reach(idx, key, "category", _("No such activity.")))
        elif rule == "shape":
            outcomes.append(_refused(idx, key, shape[idx]))
        else:
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
            outcomes.append(_refused(idx, key, rule_refusal(rule, **params)))
    return outcomes


def _refused(idx: int, key: str, error: ValidationError) -> BulkOutcome:
    field, rule, message = first_error(error)
    return BulkOutcome(idx, key, BulkRowStatus.REFUSED, rule=rule or "invalid", field=field, message=message)


def _shape_errors(rows: Sequence[BulkEntry]) -> dict[int, ValidationError]:
    """Rows whose hours cannot be read (a start without an end, ...): refused as the row path refuses them."""
    errors = {}
    for row in rows:
        try:
            entry_hours(row)
        except ValidationError as error:
            errors[row.index] = error
    return errors


def bulk_create_set_based(
    *, rows: Sequence[BulkEntry], by: User, today: datetime.date | None = None
) -> list[BulkOutcome] | None:
    """The rows' outcomes, set-based; ``None`` when the batch must go through the row path (nothing was
    written then). Runs in the caller's transaction."""
    if not rows:
        return []
    today = today or timezone.localdate()
    shape = _shape_errors(rows)
    scope = _scope_sql(by)
    try:
        with transaction.atomic():
            _stage(rows, shape)
            _lock_students(scope)
            _check(by=by, today=today, scope=scope)
            _walk()
            made = _insert(by=by, now=timezone.now())
            return _outcomes(by=by, shape=shape, made=made)
    except _RowPathNeeded:
        return None
