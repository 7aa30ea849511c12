"""``make bench``'s imports scenario (issue #19, item 6): a bulk import of practice-hour entries through the
set-based path against a raw ``COPY`` of the same rows, and the row-by-row path's rate for comparison.

Loads a population of its own (prefix ``imp``: one partner, one supervisor supervising every student, two
placements a student over the last year) and opens the last year to entries (an entry window of 366 days,
every month reopened), so that every imported row passes every rule. Then, each run inside a transaction
that is rolled back afterwards (so every run imports into the same table):

* the set-based path: ``practice_logs_bulk_create`` of ``rows`` entries by the supervisor (two a weekday
  per placement: 08:00-12:00 and 3.5 hours without times), on PostgreSQL the set-based path
  (``practice.services.bulk``: COPY into a staging table, the rules in SQL, one INSERT into the entries and
  one into their history);
* the floor: ``COPY`` of the same final rows straight into the entries table (indexes and keys in place;
  no rules, no history: the import also writes each entry's history row, the floor does not);
* for reference only, the floor and a raw ``COPY`` of the history rows the import writes beside its entries;
* the row-by-row path (``PRACTICE_BULK_SET_BASED`` off) on the first ``row_path_rows`` rows, as a rate.

The three are timed in turn, run after run (so that a load that comes and goes weighs on each alike), each
on the tables vacuumed of the runs rolled back before (``_vacuum``).

The goal (issue #19) is the set-based path at most 1.5 times the COPY.
"""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TextIO

from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from bench.practice import Population, populate
from practice.models import EntryStatus, MonthReopening, PracticeLog, RuleSet
from practice.services import BulkEntry, BulkRowStatus, practice_logs_bulk_create
from programmes.models import Programme

GOAL = 1.5
_COLUMNS = (
    "student",
    "placement",
    "date",
    "hours",
    "start_time",
    "end_time",
    "category",
    "cases",
    "description",
    "status",
    "entered_by",
    "entered_by_supervisor",
    "entered_at",
    "decided_by",
    "decided_at",
    "decided_in_bulk",
    "rejection_reason",
    "rule_version",
    "corrects",
    "correction_reason",
    "idempotency_key",
)


class _Rollback(Exception):
    """Undo a timed run."""


@dataclass(frozen=True)
class ImportResult:
    rows: int
    set_based: float
    copy: float
    row_path_rows: int
    row_path: float
    queries: int
    #: the floor and a raw COPY of the history rows the import also writes (for reference, not the goal)
    copy_with_history: float = 0.0

    @property
    def ratio(self) -> float:
        return self.set_based / self.copy if self.copy else float("inf")


def _open_the_year(population: Population, today: datetime.date, office: User) -> None:
    """An entry window of a year and every month of it reopened: every generated row passes the rules."""
    programme = Programme.objects.get(pk=population.programme_id)
    RuleSet.objects.create(programme=programme, entry_window_days=366, lock_day=28, created_by=office)
    month = (today - datetime.timedelta(days=366)).replace(day=1)
    reopenings = []
    while month <= today:
        reopenings.append(
            MonthReopening(programme=programme, month=month, until=today, reason="bench import", by=office)
        )
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    MonthReopening.objects.bulk_create(reopenings)


def bulk_rows(population: Population, *, limit: int) -> list[BulkEntry]:
    """Up to ``limit`` entries: two a weekday per placement, from its start (at most 366 days back) to today."""
    rows: list[BulkEntry] = []
    today = population.today
    earliest = today - datetime.timedelta(days=365)
    for placement in population.placements:
        day, last = max(placement.start, earliest), min(placement.end, today)
        while day <= last and len(rows) < limit:
            if day.weekday() < 5:
                common: dict[str, Any] = {
                    "placement_id": placement.id,
                    "category_id": placement.categories[0],
                    "date": day,
                }
                rows.append(
                    BulkEntry(
                        index=len(rows),
                        idempotency_key=f"imp-{len(rows)}",
                        hours=Decimal("4.00"),
                        start_time=datetime.time(8),
                        end_time=datetime.time(12),
                        description="Ward round",
                        **common,
                    )
                )
                if len(rows) < limit:
                    rows.append(
                        BulkEntry(index=len(rows), idempotency_key=f"imp-{len(rows)}", hours=Decimal("3.50"), **common)
                    )
            day += datetime.timedelta(days=1)
    return rows


def _final_rows(rows: list[BulkEntry], population: Population, supervisor: User) -> list[tuple[Any, ...]]:
    """The rows the import writes, as the COPY floor writes them (approved on entry by the supervisor)."""
    students = {placement.id: placement.student_id for placement in population.placements}
    now = timezone.now()
    return [
        (
            students[row.placement_id],
            row.placement_id,
            row.date,
            row.hours,
            row.start_time,
            row.end_time,
            row.category_id,
            row.cases,
            row.description,
            EntryStatus.APPROVED.value,
            supervisor.pk,
            True,
            now,
            supervisor.pk,
            now,
            False,
            "",
            "P0/L0",
            None,
            "",
            row.idempotency_key,
        )
        for row in rows
    ]


def _copy(rows: list[tuple[Any, ...]]) -> None:
    meta = PracticeLog._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(getattr(meta.get_field(name), "column", name))) for name in _COLUMNS)
    with connection.cursor() as cursor, cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _history_rows(rows: list[tuple[Any, ...]], supervisor: User) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The history columns and, for each final row, the history row the import writes beside its entry
    (type ``+``, the supervisor, the time; the entry's id stands in as its place in the batch: the history
    has no key to the entries, and the cost of writing it is the same)."""
    history = PracticeLog.history.model  # type: ignore[attr-defined]
    now = timezone.now()
    extra = {"history_date": now, "history_type": "+", "history_user": supervisor.pk, "history_change_reason": None}
    names = [field.name for field in history._meta.concrete_fields if field.name != "history_id"]
    columns = [str(history._meta.get_field(name).column) for name in names]
    history_rows = []
    for place, row in enumerate(rows):
        values = {**dict(zip(_COLUMNS, row, strict=True)), **extra, "id": place + 1}
        history_rows.append(tuple(values[name] for name in names))
    return columns, history_rows


def _copy_with_history(rows: list[tuple[Any, ...]], history: tuple[list[str], list[tuple[Any, ...]]]) -> None:
    """The floor and a raw ``COPY`` of the history rows: everything the import writes, for reference."""
    _copy(rows)
    quote = connection.ops.quote_name
    table = quote(PracticeLog.history.model._meta.db_table)  # type: ignore[attr-defined]
    columns, history_rows = history
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(quote(c) for c in columns)}) FROM STDIN") as copy,
    ):
        for row in history_rows:
            copy.write_row(row)


def _vacuum() -> None:
    """Clear the entries and their history of the rows earlier runs rolled back, outside the timing.

    Every run writes the same keys and is rolled back, and nothing else vacuums in between (autovacuum may
    be off, and is not prompt): each run would then insert beside the dead rows of all the runs before it
    (the unique key's index checks each dead copy of a key), so a later run costs more than an earlier one
    for the same work, and the COPY, measured last, would pay most. Skipped inside a transaction (the test
    suite's smoke run), where VACUUM cannot run."""
    if connection.in_atomic_block:
        return
    history = PracticeLog.history.model  # type: ignore[attr-defined]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {quote(PracticeLog._meta.db_table)}, {quote(history._meta.db_table)}")


def _once(fn: Callable[[], object], *, vacuum: bool = True) -> float:
    """One timing of ``fn``, in a transaction rolled back afterwards, on the tables as they were before the
    first run (``_vacuum``)."""
    if vacuum:
        _vacuum()
    try:
        with transaction.atomic():
            start = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - start
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


def _timed(fn: Callable[[], object], *, runs: int, vacuum: bool = True) -> float:
    """The median of ``runs`` timings of ``fn`` (``_once``)."""
    return _interleaved({"fn": fn}, runs=runs, vacuum=vacuum)["fn"]


def _interleaved(fns: dict[str, Callable[[], object]], *, runs: int, vacuum: bool = True) -> dict[str, float]:
    """The median of ``runs`` timings of each of ``fns``, taken in turn (one of each, then again), so that
    a load that comes and goes on the machine weighs on each alike (``_once``)."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _run in range(max(runs, 1)):
        for name, fn in fns.items():
            times[name].append(_once(fn, vacuum=vacuum))
    return {name: sorted(values)[len(values) // 2] for name, values in times.items()}


def run_imports(*, rows: int, row_path_rows: int, runs: int, out: TextIO) -> ImportResult:
    """Load the scenario's population, measure, print, and return the figures."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    today = timezone.localdate()
    students = max(rows // 500 + 1, 10)  # about 512 weekday entries a student over the two placements
    started = time.perf_counter()
    if Programme.objects.filter(code="imp-mit").exists():
        raise SystemExit("The bench database already holds the imports scenario: run without --keep.")
    population = populate(students=students, partners=1, supervisors_per_partner=1, today=today, prefix="imp")
    supervisor = User.objects.get(username="imp-sup-0-0")
    office = User.objects.create(username="imp-office", full_name="Imp Office", password="!")  # noqa: S106
    _open_the_year(population, today, office)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    entries = bulk_rows(population, limit=rows)
    final = _final_rows(entries, population, supervisor)
    loaded = time.perf_counter() - started

    def set_based() -> None:
        outcomes = practice_logs_bulk_create(rows=entries, by=supervisor)
        refused = [o for o in outcomes if o.status != BulkRowStatus.CREATED]
        if refused:
            raise SystemExit(f"bench import: {len(refused)} rows not created, e.g. {refused[0]}")

    from django.test.utils import CaptureQueriesContext

    _vacuum()
    with CaptureQueriesContext(connection) as captured:  # the import's statements only
        _timed(set_based, runs=1, vacuum=False)
    history = _history_rows(final, supervisor)
    medians = _interleaved(
        {
            "set_based": set_based,
            "copy": lambda: _copy(final),
            "copy_with_history": lambda: _copy_with_history(final, history),
        },
        runs=runs,
    )
    few = entries[:row_path_rows]
    with override_settings(PRACTICE_BULK_SET_BASED=False):
        row_median = _timed(lambda: practice_logs_bulk_create(rows=few, by=supervisor), runs=1)
    result = ImportResult(
        rows=len(entries),
        set_based=medians["set_based"],
        copy=medians["copy"],
        row_path_rows=len(few),
        row_path=row_median,
        queries=len(captured.captured_queries),
        copy_with_history=medians["copy_with_history"],
    )
    write = out.write
    write(f"\nTandem imports bench: {students:,} students, {len(entries):,} entries a run; set up {loaded:.1f} s\n")
    write(
        f"(i) bulk import, set-based      {result.set_based:8.2f} s  ({result.rows / result.set_based:>9,.0f} rows/s, "
        f"{result.queries} queries)\n"
        f"    raw COPY of the same rows    {result.copy:8.2f} s  ({result.rows / result.copy:>9,.0f} rows/s)\n"
        f"    ratio {result.ratio:.2f}x (goal <= {GOAL}x), median of {runs} runs; load average "
        f"{' '.join(f'{load:.1f}' for load in os.getloadavg())}\n"
        f"    for reference (not the goal): raw COPY of the rows and of their history rows "
        f"{result.copy_with_history:.2f} s, the import {result.set_based / result.copy_with_history:.2f}x that\n"
        f"    row by row, {result.row_path_rows:,} rows   {result.row_path:8.2f} s  "
        f"({result.row_path_rows / result.row_path:>9,.0f} rows/s; "
        f"{result.row_path / result.row_path_rows * 1000:.1f} ms a row)\n"
    )
    return result
