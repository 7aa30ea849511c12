"""``make bench``'s quality scenario, smoke-tested on a few hundred rows: the SQL load makes valid rows and
every measurement runs. No timing is asserted."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from bench.practice import populate
from bench.quality import load_entries, load_year, measure
from practice.models import PracticeLog
from quality.figures import Frame
from students.models import Milestone, PlanEvent

# The bench loads its rows with PostgreSQL's SQL (``LEAST``, intervals, ``generate_series``): ``make bench``
# runs on PostgreSQL only (docs/bench.md).
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the bench loads with PostgreSQL's SQL"),
]


def test_quality_bench_loads_valid_rows_and_measures_on_a_few_hundred() -> None:
    today = timezone.localdate()
    population = populate(students=3, partners=2, supervisors_per_partner=1, today=today, prefix="smokeq")
    assert load_entries(population.programme_id, entries=300, today=today, set_aside=False) == 300
    load_year(population.programme_id, today=today)
    for entry in PracticeLog.objects.order_by("?")[:40]:
        entry.full_clean()
    for milestone in Milestone.objects.all():
        milestone.full_clean()
    assert PlanEvent.objects.filter(action="approved").exists()
    results, sections = measure(Frame(programme_id=population.programme_id, year=today.year, as_of=today), runs=1)
    assert [r.name[:3] for r in results] == ["(1)", "(2)"]
    assert all(r.median > 0 and r.floor_median > 0 for r in results)
    assert {"students", "objectives", "process"} <= set(sections)
