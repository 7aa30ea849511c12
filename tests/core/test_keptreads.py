"""Reads kept between writes to what they read (``core.keptreads``, ADR 0068): a second call with the same key
answers what the first worked out, without its statements; a write to a table it read, another key, age past
``READ_CACHE_SECONDS`` or a write while it was worked out each make it be worked out again; a write elsewhere
keeps it; a kept answer reports the tables it stands for to the ``noting`` blocks around it; a cache that does
not answer costs the work, never the answer."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.test.utils import override_settings

from core import keptreads, navcache
from core.models import Notification
from students.models import Milestone, MilestoneStatus, Student
from tests.conftest import UNANSWERING_CACHE, World
from tests.factories.students import MilestoneFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture(autouse=True)
def _keeping_on(settings: Any) -> None:
    settings.READ_CACHE_SECONDS = 60
    cache.clear()


class Counted:
    """The late milestones' students, counting how often they were worked out."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> list[int]:
        self.calls += 1
        late = Milestone.objects.filter(status=MilestoneStatus.PENDING, due_date=LONG_AGO)
        return sorted(set(late.values_list("student_id", flat=True)))


#: A due date no other milestone of the world has: the milestones ``_late`` marks.
LONG_AGO = datetime.date(2001, 1, 1)


def _late(student: Student) -> None:
    """One of the student's milestones made pending and due ``LONG_AGO`` (a write to the milestones table)."""
    milestone = Milestone.objects.filter(student=student).order_by("pk").first()
    if milestone is None:
        MilestoneFactory.create(student=student, due_date=LONG_AGO)
        return
    milestone.status, milestone.due_date, milestone.completed_on = MilestoneStatus.PENDING, LONG_AGO, None
    milestone.save()


def test_a_second_call_answers_what_the_first_worked_out(world: World) -> None:
    _late(world.student_a)
    weigh = Counted()

    first = keptreads.kept("test.late", ("a",), weigh)
    second = keptreads.kept("test.late", ("a",), weigh)
    other = keptreads.kept("test.late", ("b",), weigh)  # another key: worked out

    assert first == second == other == [world.student_a.pk]
    assert weigh.calls == 2


def test_a_write_to_what_it_read_ends_it_and_a_write_elsewhere_keeps_it(world: World) -> None:
    weigh = Counted()
    assert keptreads.kept("test.late", (), weigh) == []

    Notification.objects.create(user=world.users["office"], kind="test", subject="Elsewhere")  # type: ignore[misc]
    assert keptreads.kept("test.late", (), weigh) == []
    assert weigh.calls == 1

    _late(world.student_b)
    assert keptreads.kept("test.late", (), weigh) == [world.student_b.pk]
    assert weigh.calls == 2
    Milestone.objects.filter(student=world.student_b, due_date=LONG_AGO).update(due_date=datetime.date(2099, 1, 1))
    assert keptreads.kept("test.late", (), weigh) == []
    assert weigh.calls == 3


def test_nothing_is_kept_when_something_was_written_meanwhile_or_keeping_is_off(world: World) -> None:
    def writes() -> list[int]:
        Notification.objects.create(user=world.users["office"], kind="test", subject="Meanwhile")  # type: ignore[misc]
        return Counted()()

    keptreads.kept("test.meanwhile", (), writes)
    assert cache.get(keptreads.cache_key("test.meanwhile", ())) is None

    weigh = Counted()
    with override_settings(READ_CACHE_SECONDS=0):
        keptreads.kept("test.off", (), weigh)
        keptreads.kept("test.off", (), weigh)
    assert weigh.calls == 2


def test_a_kept_answer_older_than_the_limit_is_worked_out_again(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    weigh = Counted()
    keptreads.kept("test.age", (), weigh)
    later = keptreads.time.time() + 61
    monkeypatch.setattr(keptreads.time, "time", lambda: later)
    keptreads.kept("test.age", (), weigh)
    assert weigh.calls == 2


def test_a_kept_answer_reports_the_tables_it_stands_for(world: World) -> None:
    weigh = Counted()
    with navcache.noting() as worked_out:
        keptreads.kept("test.report", (), weigh)
    with navcache.noting() as outer, navcache.noting() as inner:
        keptreads.kept("test.report", (), weigh)

    assert weigh.calls == 1
    milestones = Milestone._meta.db_table
    assert milestones in navcache.tables_read(worked_out)
    assert milestones in navcache.tables_read(outer) and milestones in navcache.tables_read(inner)
    with navcache.noting(skip_unrecorded=True) as skipping, navcache.unrecorded():
        keptreads.kept("test.report", (), weigh)
    assert skipping == []  # as the statements it stands for would not have been noted there


@override_settings(CACHES=UNANSWERING_CACHE)
def test_a_cache_that_does_not_answer_costs_the_work(world: World) -> None:
    weigh = Counted()
    _late(world.student_a)
    assert keptreads.kept("test.down", (), weigh) == [world.student_a.pk]
    assert keptreads.kept("test.down", (), weigh) == [world.student_a.pk]
    assert weigh.calls == 2
