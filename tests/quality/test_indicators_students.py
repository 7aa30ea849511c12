"""The report's students section against a world built for it (tests/quality/world_students_process.py),
each answer worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from quality.figures import Section
from quality.indicators import figures_json
from quality.indicators.students import section
from tests.quality.world_students_process import World, build, grow


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """The world, built once for the module and rolled back after it."""
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
def test_students_counted_with_their_status_on_the_day_and_at_risk_with_reasons(world: World) -> None:
    result = section(world.frame())
    got = values(result)
    # s1, s2, s3 enrolled; s4 suspended (since October); s5 graduated and s6 withdrew during 2026;
    # s7 enrolled after the day; x is another programme's.
    assert got["students.enrolled"] == 3
    assert got["students.suspended"] == 1
    assert got["students.graduated"] == 1
    assert got["students.withdrawn"] == 1
    assert got["students.new"] == 2  # s3, s4
    # In training: s1-s4. At risk: s1 (project points), s2 (late proposal, no plan, points), s4 (late midterm).
    assert got["students.at_risk"] == 3
    assert got["students.on_track"] == 1
    assert got["students.at_risk_share"] == 0.75
    assert got["students.on_track_share"] == 0.25
    reasons = rows(result, "students.at_risk_reasons")
    assert reasons["late"] == [2]
    assert reasons["no_plan"] == [1]
    assert reasons["project_points"] == [2]
    assert all(value == [0] for key, value in reasons.items() if key not in {"late", "no_plan", "project_points"})
    labels = {row.key: row.label for row in result.table("students.at_risk_reasons").rows}  # type: ignore[union-attr]
    assert labels["project_points"] == "Behind on project points"  # the English message id, translated when shown
    at_risk = result.figure("students.at_risk")
    assert at_risk is not None and at_risk.people == 3
    assert at_risk.drill == f"/students/at-risk/?programme={world.programme.pk}"
    enrolled = result.figure("students.enrolled")
    assert enrolled is not None and enrolled.drill.endswith(f"?programme={world.programme.pk}&status=enrolled")
    by_cohort = rows(result, "students.by_cohort")
    # enrolled, suspended, on track, at risk, graduated, withdrawn
    assert by_cohort[str(world.cohort_2025.pk)] == [2, 0, 0, 2, 1, 1]
    assert by_cohort[str(world.cohort_2026.pk)] == [1, 1, 1, 1, 0, 0]


@pytest.mark.django_db
def test_plan_approval_lead_times_from_the_events_of_the_year(world: World) -> None:
    result = section(world.frame())
    got = values(result)
    # Approvals of 2026: s1 10 days, s3 4 days (from its second submission), s4 10 days; x is not ours.
    assert got["students.plans_approved"] == 3
    assert got["students.plans_returned"] == 1
    assert got["students.plan_approval_days_median"] == 10.0
    assert got["students.plan_approval_days_mean"] == 8.0
    steps = rows(result, "students.plan_approval_steps")
    assert steps["total"] == [10.0, 8.0, 10.0, 3]
    assert steps["tutor"] == [2.0, 2.3, 3.6, 3]  # 4, 1, 2 days
    assert steps["office"] == [6.0, 5.7, 7.6, 3]  # 6, 3, 8 days


@pytest.mark.django_db
def test_a_cohort_frame_counts_that_cohort_only(world: World) -> None:
    got = values(section(world.frame(world.cohort_2026)))
    assert (got["students.enrolled"], got["students.suspended"], got["students.at_risk"]) == (1, 1, 1)
    assert got["students.graduated"] == 0
    assert got["students.plans_approved"] == 2
    assert got["students.plan_approval_days_median"] == 7.0  # 4 and 10 days


@pytest.mark.django_db
def test_the_previous_year_reads_the_statuses_of_then(world: World) -> None:
    got = values(section(world.frame().previous()))
    # On 2025-12-31: s1, s2, s5, s6 enrolled; s2 and s6 had no approved plan (30 days after September).
    assert got["students.enrolled"] == 4
    assert got["students.graduated"] == 0
    assert got["students.at_risk"] == 2
    assert got["students.plans_approved"] == 1
    assert got["students.plan_approval_days_median"] == 10.0
    previous = figures_json(world.frame())["previous"]
    # A previous figure is its value, or (since the public version suppresses it too) {"value", "people"}.
    for key, expected in (("students.enrolled", 4), ("students.at_risk", 2)):
        frozen = previous[key]
        assert (frozen["value"] if isinstance(frozen, dict) else frozen) == expected


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_data(world: World) -> None:
    frame = world.frame()
    with CaptureQueriesContext(connection) as small:
        section(frame)
    grow(world)
    with CaptureQueriesContext(connection) as large:
        result = section(frame)
    assert values(result)["students.enrolled"] == 7
    assert len(small.captured_queries) == len(large.captured_queries) <= 5
