"""``core.compiled``'s ``Ids`` kind: a list of ids of any length is one parameter (``AmongIds``), so one SQL text
serves every length, and it selects exactly the rows ``pk__in=[...]`` selects (ADR 0059). Run on PostgreSQL
(an array) and SQLite (a JSON list read by ``json_each``).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet

from core.compiled import AmongIds, Compiled, Ids, IdsMarker, ids_parameter, marker
from students.models import Placement, Student
from tests.conftest import World
from tests.factories.students import PlacementFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _placements_of(ids: Any, day: datetime.date) -> QuerySet[Any]:
    return Placement.objects.filter(start_date__lte=day).filter(AmongIds("student_id", ids)).order_by("pk").values("pk")


@pytest.fixture
def students(world: World) -> list[int]:
    for _index in range(3):
        PlacementFactory.create(student=world.student_b, partner=world.partner_b, site=world.site_b)
    PlacementFactory.create(
        student=world.student_a, start_date=datetime.date(2027, 3, 1), end_date=datetime.date(2027, 5, 31)
    )
    return [world.student_a.pk, world.student_b.pk]


def _pages(students: list[int]) -> list[list[int]]:
    a, b = students
    return [[], [a], [b], [a, b], [b, a, b], [a, 10**9], [10**9], [*range(1, 200), b]]


def test_the_rows_are_those_of_pk_in_for_any_number_of_ids(students: list[int]) -> None:
    compiled = Compiled(_placements_of, ids=Ids, day=datetime.date)
    for day in (datetime.date(2026, 12, 1), datetime.date(2027, 6, 1)):
        for ids in _pages(students):
            reference = list(
                Placement.objects.filter(start_date__lte=day, student_id__in=ids).order_by("pk").values("pk")
            )
            assert compiled.dicts(connection.alias, ids=ids, day=day) == reference
            assert list(_placements_of(ids, day)) == reference  # the expression built with real ids, too
    assert any(compiled.dicts(connection.alias, ids=students, day=datetime.date(2027, 6, 1)))


def test_one_sql_text_and_one_parameter_whatever_the_number_of_ids(students: list[int]) -> None:
    compiled = Compiled(_placements_of, ids=Ids, day=datetime.date)
    day = datetime.date(2026, 12, 1)
    answers = [compiled.sql(connection.alias, ids=ids, day=day) for ids in _pages(students)]

    assert len({sql for sql, _params in answers}) == 1
    for (_sql, params), ids in zip(answers, _pages(students), strict=True):
        assert len(params) == 2
        assert ids_parameter(connection.vendor, ids) in params
    # The statement is the one the queryset compiles with real ids (the ids parameter aside).
    sql, params = _placements_of([1, 2], day).query.sql_with_params()
    assert sql == answers[0][0]
    assert ids_parameter(connection.vendor, [1, 2]) in params


def test_ids_are_numbers_in_the_parameter(students: list[int]) -> None:
    """Text that is a number is read as that number; anything else is refused before it reaches the SQL."""
    assert ids_parameter("postgresql", ["3", 4]) == [3, 4]
    assert ids_parameter("sqlite", ["3", 4]) == "[3, 4]"
    with pytest.raises(ValueError):
        ids_parameter("postgresql", ["1); DROP TABLE x; --"])
    assert list(Student.objects.filter(AmongIds("pk", [str(students[0])])).values_list("pk", flat=True)) == [
        students[0]
    ]


def test_a_list_of_ids_left_out_of_the_sql_is_refused(students: list[int]) -> None:
    compiled = Compiled(
        lambda ids, day: Placement.objects.filter(start_date__lte=day).values("pk"), ids=Ids, day=datetime.date
    )
    with pytest.raises(ValueError, match="ids"):
        compiled.sql(connection.alias, ids=[1], day=datetime.date(2026, 1, 1))
    assert marker(Ids, 3) == IdsMarker(3) != IdsMarker(4)
