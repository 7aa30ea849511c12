"""The demo's reopening of a closed month that has waiting entries, on a world of its own (the demo's own
entries are read in ``test_demo.py``, which seeds the whole demo once for its module)."""

from __future__ import annotations

import datetime

import pytest

from practice.demo import REOPENED_FOR_DAYS, REOPENING_REASON, _reopen_for_waiting_entries
from practice.models import EntryStatus, MonthReopening
from tests.conftest import World
from tests.factories.practice import PracticeLogFactory

pytestmark = pytest.mark.django_db


def test_a_closed_month_with_waiting_entries_is_reopened_once_and_an_open_one_is_left(world: World) -> None:
    """``_reopen_for_waiting_entries`` on a day of its own: a waiting entry of last month on the 10th (closed
    on the 5th, the default) has its month reopened by the office with the reason, once; an approved entry
    of the same month, or a waiting one of this month, reopens nothing."""
    student = world.placement_a.student
    tenth = datetime.date(2026, 11, 10)
    PracticeLogFactory.create(placement=world.placement_a, date=datetime.date(2026, 10, 20))
    PracticeLogFactory.create(placement=world.placement_a, date=datetime.date(2026, 9, 20), status=EntryStatus.APPROVED)
    PracticeLogFactory.create(placement=world.placement_a, date=datetime.date(2026, 11, 9))

    _reopen_for_waiting_entries(student, tenth)
    _reopen_for_waiting_entries(student, tenth)

    reopened = list(MonthReopening.objects.filter(programme=student.programme).values_list("month", "until", "reason"))
    assert reopened == [
        (datetime.date(2026, 10, 1), tenth + datetime.timedelta(days=REOPENED_FOR_DAYS), REOPENING_REASON)
    ]
