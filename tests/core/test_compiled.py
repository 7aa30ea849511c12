"""``core.compiled``: a queryset compiled once per process answers exactly what the queryset answers.

The SQL text and parameters must be the queryset's own for any values (so the plans are the queryset's),
the rows must be the same, and a value that does not reach the SQL is refused rather than ignored.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import BigIntegerField, BooleanField, ExpressionWrapper, Q, QuerySet, Sum
from django.utils import timezone

from core.compiled import Compiled
from practice.models import EntryStatus, PracticeLog
from programmes.models import ActivityCategory
from students.models import Placement, Student
from tests.conftest import World
from tests.factories.practice import PracticeLogFactory
from tests.factories.programmes import ActivityCategoryFactory

pytestmark = pytest.mark.django_db


def _approved_by_category(student: int) -> QuerySet[Any]:
    return (
        PracticeLog.objects.filter(student_id=student, status=EntryStatus.APPROVED)
        .values("category_id")
        .annotate(hours=Sum("hours"))
        .order_by("category_id")
    )


def _placements_from(user: int, day: datetime.date, now: datetime.datetime) -> QuerySet[Any]:
    return Placement.objects.filter(supervisor_id=user, end_date__gte=day, student__user__date_joined__lt=now).values(
        "student_id"
    )


def _entries(world: World, per_category: int) -> tuple[ActivityCategory, ActivityCategory]:
    ct = ActivityCategoryFactory.create(programme=world.programme, code="ct", name="CT")
    mr = ActivityCategoryFactory.create(programme=world.programme, code="mr", name="MR")
    for placement in (world.placement_a, world.placement_b):
        for index in range(per_category):
            for category, hours in ((ct, "2.5"), (mr, "1.25")):
                PracticeLogFactory.create(
                    placement=placement,
                    category=category,
                    hours=Decimal(hours),
                    date=placement.start_date + datetime.timedelta(days=index),
                    approved=index % 3 != 0,
                )
    return ct, mr


def test_the_sql_is_the_querysets_for_any_values(world: World) -> None:
    compiled = Compiled(_approved_by_category, student=int)
    placements = Compiled(_placements_from, user=int, day=datetime.date, now=datetime.datetime)
    now = timezone.now()

    for student in (world.student_a.pk, world.student_b.pk, 10**12):
        assert compiled.sql("default", student=student) == _approved_by_category(student).query.sql_with_params()
    for user, day in ((1, datetime.date(2026, 1, 1)), (77, datetime.date(2027, 6, 30))):
        expected = _placements_from(user, day, now).query.sql_with_params()
        assert placements.sql("default", user=user, day=day, now=now) == expected


def test_a_nested_compiled_subquery_selects_the_same_rows(world: World) -> None:
    compiled = Compiled(_placements_from, user=int, day=datetime.date, now=datetime.datetime)
    now, day = timezone.now(), world.placement_a.start_date
    supervisor = world.placement_a.supervisor_id
    assert supervisor is not None

    nested = Student.objects.filter(pk__in=compiled.subquery(BigIntegerField(), user=supervisor, day=day, now=now))
    direct = Student.objects.filter(pk__in=_placements_from(supervisor, day, now))

    assert list(nested.order_by("pk")) == list(direct.order_by("pk")) == [world.student_a]


def test_a_value_that_does_not_reach_the_sql_is_refused() -> None:
    ignored = Compiled(lambda student: PracticeLog.objects.all(), student=int)

    with pytest.raises(ValueError, match="student"):
        ignored.sql("default", student=1)


def _placement_figures(student: int, day: datetime.date) -> QuerySet[Any]:
    """A ``values()`` queryset whose columns need the backend's converters (a date, a decimal sum, a boolean)."""
    return (
        Placement.objects.filter(student_id=student, start_date__lte=day)
        .annotate(
            approved=Sum("practice_logs__hours", filter=Q(practice_logs__status=EntryStatus.APPROVED)),
            started=ExpressionWrapper(Q(start_date__lt=day), output_field=BooleanField()),
        )
        .values("pk", "start_date", "approved", "started")
        .order_by("pk")
    )


@pytest.mark.embedded
def test_dicts_are_the_values_querysets_rows_converted_alike(world: World) -> None:
    """``dicts`` answers what ``values()`` answers, value for value and type for type (on SQLite the driver
    gives text dates and float sums: Django's converters make them dates and exact decimals)."""
    _entries(world, per_category=5)
    compiled = Compiled(_placement_figures, student=int, day=datetime.date)

    for student in (world.student_a.pk, world.student_b.pk):
        for day in (world.placement_a.start_date, datetime.date(2030, 1, 1)):
            rows = compiled.dicts("default", student=student, day=day)
            expected = list(_placement_figures(student, day))
            assert rows == expected
            assert [tuple(map(type, row.values())) for row in rows] == [
                tuple(map(type, row.values())) for row in expected
            ]
    (row,) = compiled.dicts("default", student=world.student_a.pk, day=datetime.date(2030, 1, 1))
    assert row["approved"] == Decimal("11.25") and row["started"] is True  # 3 of 5 days of 2.5 + 1.25 h
