"""``make bench``'s issue #19 table (``bench/scale.py``) runs on a few hundred rows: every page answers 200
for its reader and every row has a floor. No timing is asserted (the bench prints ratios: docs/bench.md)."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.utils import timezone

from bench import scale
from bench.practice import FIELDS, copy_entries, entry_rows, populate
from practice.models import PracticeLog

pytestmark = pytest.mark.django_db


def test_issue_19_table_runs_on_a_small_load() -> None:
    population = populate(students=3, partners=2, supervisors_per_partner=2, today=timezone.localdate(), prefix="s")
    rows = entry_rows(population, limit=300)
    if connection.vendor == "postgresql":
        copy_entries(rows)
    else:
        PracticeLog.objects.bulk_create(PracticeLog(**dict(zip(FIELDS, row, strict=True))) for row in rows)
    people = scale.personas(population.placements[0].id)
    lists = scale.measure_lists(people, runs=1, warmup=0)

    table = [
        *scale.measure_pages(people, runs=1, warmup=0),
        *scale.compare_lists(lists, lists, small_n=300, large_n=300),
        *scale.measure_scoped(people, runs=1, warmup=0),
        *scale.measure_hours(people, runs=1, warmup=0),
    ]
    out = io.StringIO()
    scale.write_rows(table, out)

    assert [row.name[0] for row in table] == ["1"] * 5 + ["2"] * 4 + ["3"] * 6 + ["4"] * 3
    assert all(row.floor_median > 0 and row.queries > 0 for row in table), [r for r in table if not r.floor_median]
    assert "of 18 measurements meet their goal" in out.getvalue()
