"""``make bench`` smoke test: its generator makes valid entries, and every measurement runs, on a few
hundred rows. No timing is asserted: the bench itself prints ratios (docs/bench.md)."""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from bench.practice import (
    FIELDS,
    Population,
    copy_entries,
    entry_rows,
    measure,
    populate,
    programme_report,
    readers_first,
    weekday_count,
)
from practice.models import EntryStatus, PracticeLog
from students.models import Placement

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def population() -> Population:
    return populate(students=3, partners=2, supervisors_per_partner=2, today=TODAY, prefix="smoke")


def _load(population: Population, limit: int) -> int:
    rows = entry_rows(population, limit=limit)
    if connection.vendor == "postgresql":
        return copy_entries(rows, chunk=64)  # several chunks, the last one partial
    logs = PracticeLog.objects.bulk_create(PracticeLog(**dict(zip(FIELDS, row, strict=True))) for row in rows)
    return len(logs)


def test_bench_generator_makes_the_rows_it_promises(population: Population) -> None:
    rows = list(entry_rows(population, limit=200))

    assert len(rows) == 200
    assert all(len(row) == len(FIELDS) for row in rows)
    assert rows == list(entry_rows(population, limit=200))  # the same seed, the same rows
    assert len(list(entry_rows(population, limit=10**9))) > 200  # the limit, not the data, stopped it


def test_bench_rows_load_into_the_entries_table_and_obey_the_rules(population: Population) -> None:
    assert _load(population, 200) == 200

    logs = list(PracticeLog.objects.select_related("placement"))
    assert len(logs) == 200
    placements = {p.pk: p for p in Placement.objects.filter(student__programme_id=population.programme_id)}
    totals: dict[tuple[int, datetime.date], Decimal] = {}
    for log in logs:
        placement = placements[log.placement_id]
        assert log.student_id == placement.student_id
        assert placement.start_date <= log.date <= min(placement.end_date, TODAY)
        assert log.date.weekday() < 5
        assert Decimal("0") < log.hours <= Decimal("12")
        if log.entered_by_supervisor:
            assert log.entered_by_id == placement.supervisor_id and log.status == EntryStatus.APPROVED
        else:
            assert log.entered_by_id == placement.student.user_id
        if log.status in (EntryStatus.APPROVED, EntryStatus.REJECTED):
            assert log.decided_by_id == placement.supervisor_id and log.decided_at is not None
        else:
            assert log.decided_by_id is None
        key = (log.student_id, log.date)
        totals[key] = totals.get(key, Decimal("0")) + log.hours
    assert max(totals.values()) <= Decimal("12")
    assert {log.status for log in logs} >= {EntryStatus.PENDING, EntryStatus.APPROVED}


def test_bench_measurements_run_on_a_small_load(population: Population) -> None:
    _load(population, 300)

    results = measure(population, runs=1, warmup=0)

    assert [r.name[:3] for r in results] == ["(a)", "(b)", "(c)", "(d)"]
    assert all(r.queries > 0 for r in results)
    report = programme_report(population.programme_id)
    approved = PracticeLog.objects.filter(status=EntryStatus.APPROVED)
    assert sum(row["hours"] for row in report) == sum(log.hours for log in approved)


def _placements_of(rows: list[tuple[object, ...]]) -> list[int]:
    """The placement of each row, in the rows' order."""
    at = FIELDS.index("placement_id")
    return [int(str(row[at])) for row in rows]


def test_readers_first_loads_the_readers_entries_first_and_reaches_the_same_placements() -> None:
    population = populate(students=12, partners=3, supervisors_per_partner=2, today=TODAY, prefix="order")
    placements = population.placements
    for placement in placements:  # the count it orders by is the count the generator makes
        made = list(entry_rows(replace(population, placements=[placement]), limit=10**9))
        assert len(made) == 2 * weekday_count(placement.start, min(placement.end, TODAY))
    limit = sum(2 * weekday_count(p.start, min(p.end, TODAY)) for p in placements[:9]) - 3  # stops inside one
    first = placements[0]
    supervisor = next(p for p in placements[1:] if p.student_id == first.student_id).supervisor_id
    readers = {p.id for p in placements if p.student_id == first.student_id or p.supervisor_id == supervisor}

    before = _placements_of(list(entry_rows(population, limit=limit)))
    after = _placements_of(list(entry_rows(readers_first(population, limit=limit), limit=limit)))

    ours_before = [n for n, placement in enumerate(before) if placement in readers]
    assert ours_before[-1] >= len(ours_before)  # generation order mixes others in (so the test can fail)
    ours_after = [n for n, placement in enumerate(after) if placement in readers]
    assert ours_after == list(range(len(ours_after)))  # the readers' entries come first
    assert len(ours_after) == len(ours_before)
    assert sorted(before) == sorted(after)  # the same placements, each with as many entries
    assert after[0] == first.id
