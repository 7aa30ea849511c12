"""The report's objectives section against a world built for it (tests/quality/world_students_process.py):
O1 mastered by a curriculum course, O2 by a placement (a course introduces it), O3 only listed by a
placement (no level), O4 covered only by a course outside the curriculum, O5 reinforced by a course (the
placement that mastered it was cancelled)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from quality.figures import Section
from quality.indicators.objectives import section
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
def test_coverage_by_courses_and_placements_and_what_nothing_masters(world: World) -> None:
    result = section(world.frame())
    got = values(result)
    assert got["objectives.total"] == 5  # the other programme's objective is not ours
    assert got["objectives.covered_by_courses"] == 3  # O1, O2, O5
    assert got["objectives.covered_by_placements"] == 2  # O2, O3
    assert got["objectives.covered_share"] == 0.8
    assert got["objectives.uncovered"] == 1  # O4
    assert got["objectives.mastered_share"] == 0.4  # O1, O2
    assert got["objectives.not_mastered"] == 3
    figure = result.figure("objectives.not_mastered")
    assert figure is not None and figure.drill == f"/curriculum/programmes/{world.programme.pk}/coverage/"
    # Highest level by courses, by placements (a listed objective counts as introduced).
    assert rows(result, "objectives.not_mastered") == {"O3": [0, 1], "O4": [0, 0], "O5": [2, 0]}
    labels = [row.label for row in result.table("objectives.not_mastered").rows]  # type: ignore[union-attr]
    assert labels[0] == "O3 Operate CT equipment safely."
    # objectives, by courses, by placements, mastered, nothing masters
    assert rows(result, "objectives.by_kind") == {
        "knowledge": [1, 1, 0, 1, 0],
        "practical": [2, 1, 2, 1, 1],
        "research": [1, 1, 0, 0, 1],
        "innovation": [1, 0, 0, 0, 1],
    }
    # not covered, introduces, reinforces, masters
    assert rows(result, "objectives.levels") == {"courses": [2, 1, 1, 1], "placements": [3, 1, 0, 1]}
    assert result.table("objectives.levels").chart == "stacked"  # type: ignore[union-attr]


@pytest.mark.django_db
def test_a_cohort_frame_counts_its_students_placements_only(world: World) -> None:
    got = values(section(world.frame(world.cohort_2026)))
    assert got["objectives.covered_by_placements"] == 0  # the placements covering O2, O3 are a 2025 student's
    assert got["objectives.not_mastered"] == 4


@pytest.mark.django_db
def test_the_previous_year_counts_that_years_placements(world: World) -> None:
    got = values(section(world.frame().previous()))
    assert got["objectives.covered_by_placements"] == 0
    assert got["objectives.mastered_share"] == 0.2


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_data(world: World) -> None:
    frame = world.frame()
    with CaptureQueriesContext(connection) as small:
        section(frame)
    grow(world)
    with CaptureQueriesContext(connection) as large:
        result = section(frame)
    assert values(result)["objectives.total"] == 6
    assert len(small.captured_queries) == len(large.captured_queries) <= 3
