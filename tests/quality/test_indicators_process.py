"""The report's training process section against a world built for it (tests/quality/world_students_process.py),
each answer worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from quality.figures import Section
from quality.indicators.process import section
from tests.quality.world_students_process import World, build, grow


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build()
        transaction.set_rollback(True)


def values(section: Section) -> dict[str, Any]:
    return {f.key: f.value for f in section.figures}


def rows(section: Section, key: str) -> dict[str, list[Any]]:
    table = section.table(key)
    assert table is not None, key
    return {row.key: row.values for row in table.rows}


@pytest.mark.django_db
def test_placements_by_partner(world: World) -> None:
    result = section(world.frame())
    got = values(result)
    assert got["process.placements"] == 4  # pl1, pl3 at Alpha; pl2, pl6 at Beta (pl4 cancelled, pl5 in 2025)
    assert got["process.placement_partners"] == 2
    assert got["process.placements_cancelled"] == 1
    a, b, c = (str(world.partners[k].pk) for k in "abc")
    table = result.table("process.placements_by_partner")
    assert table is not None and [row.label for row in table.rows] == [
        "Alpha Hospital",
        "Beta Enterprise",
        "Gamma Institute",
    ]
    # placements, students, started in the year, completed, cancelled
    assert rows(result, "process.placements_by_partner") == {
        a: [2, 2, 2, 1, 0],
        b: [2, 2, 2, 1, 1],
        c: [0, 0, 0, 0, 0],  # takes part in the programme, no placement
    }


@pytest.mark.django_db
def test_practice_hours_against_the_requirements(world: World) -> None:
    result = section(world.frame())
    got = values(result)
    # Counted students: s1-s5 (s6 withdrew). Approved by the day: CT 6+4+2 (2026) + 8 (2025); MR 5.
    assert got["process.hours_approved"] == 17.0
    assert got["process.hours_required_share"] == round(25 / 750, 4)
    k1, k2 = (str(world.categories[k].pk) for k in ("k1", "k2"))
    # share, approved, required (hours x 5 students), approved in the year
    assert rows(result, "process.hours_by_category") == {k1: [0.04, 20.0, 500, 12.0], k2: [0.02, 5.0, 250, 5.0]}
    a, b = (str(world.partners[k].pk) for k in "ab")
    # share, approved on the year's placements, what they require, approved in the year
    assert rows(result, "process.hours_by_partner") == {a: [0.0857, 12.0, 140, 12.0], b: [0.125, 5.0, 40, 5.0]}
    assert rows(result, "process.hours_by_partner_and_activity") == {a: [12.0, 0.0], b: [0.0, 5.0]}


@pytest.mark.django_db
def test_sign_off_delays(world: World) -> None:
    result = section(world.frame())
    got = values(result)
    # Decided in 2026 by the day, not entered by a supervisor: 2, 4, 10, 1, 1 days.
    assert got["process.signoffs_decided"] == 5
    assert got["process.signoff_days_median"] == 2.0
    assert got["process.signoff_days_mean"] == 3.6
    assert got["process.signoff_days_p90"] == 7.6
    # Waiting on the day: 20 and 5 days, and one decided only after the day (152 days).
    assert got["process.signoffs_waiting"] == 3
    assert got["process.signoffs_waiting_long"] == 2
    a, b = (str(world.partners[k].pk) for k in "ab")
    # median, mean, p90, decided
    assert rows(result, "process.signoff_by_partner") == {a: [2.0, 2.3, 3.6, 3], b: [5.5, 5.5, 9.1, 2]}
    table = result.table("process.signoff_by_partner")
    assert table is not None and [row.people for row in table.rows] == [[2] * 4, [2] * 4]


@pytest.mark.django_db
def test_milestones_on_time_and_late(world: World) -> None:
    result = section(world.frame())
    got = values(result)
    assert got["process.milestones_due"] == 7
    assert got["process.milestones_on_time"] == 1
    assert got["process.milestones_late"] == 4
    assert got["process.milestones_overdue"] == 3
    assert got["process.milestones_on_time_share"] == 0.2
    # on time, done late, overdue, not yet due, waived
    assert rows(result, "process.milestones_by_kind") == {
        "proposal": [1, 0, 1, 1, 0],
        "midterm": [0, 1, 2, 0, 0],
        "thesis": [0, 0, 0, 0, 1],
    }


@pytest.mark.django_db
def test_a_cohort_frame_and_the_previous_year(world: World) -> None:
    cohort = values(section(world.frame(world.cohort_2026)))
    assert cohort["process.placements"] == 1  # pl3 (pl4 cancelled)
    assert cohort["process.signoffs_decided"] == 1  # the rejection at pl3
    assert cohort["process.milestones_due"] == 2
    previous = values(section(world.frame().previous()))
    assert previous["process.placements"] == 1  # pl5
    assert previous["process.hours_approved"] == 8.0
    assert previous["process.signoffs_decided"] == 1
    assert previous["process.signoff_days_median"] == 1.0


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_data(world: World) -> None:
    frame = world.frame()
    with CaptureQueriesContext(connection) as small:
        section(frame)
    grow(world)
    with CaptureQueriesContext(connection) as large:
        result = section(frame)
    assert values(result)["process.signoffs_decided"] == 13
    assert len(small.captured_queries) == len(large.captured_queries) <= 8
