"""The at-risk reason "too few supervision meetings", in both its forms (``reviews.plugs.meeting_shortfall``,
asked per student for a page of rows; ``meeting_shortfall_over_all``, one set the database builds once per
statement for a whole list, issue #19), picks exactly the students its definition names: a term of the
student's programme that started, ended at most 120 days ago or ends within 30 days, in which fewer meetings
were held (its first and last days included) than the programme's schedule requires. Compared with that
definition worked out in Python over students at and around every boundary, in programmes with two such terms,
with a schedule that requires none, and with no schedule. Run on PostgreSQL and on SQLite (``embedded``).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import Q
from django.utils import timezone

from reviews.models import Meeting, ReviewSchedule, ReviewTerm
from reviews.plugs import meeting_shortfall, meeting_shortfall_over_all
from students.models import Student
from tests.factories.accounts import UserFactory
from tests.factories.programmes import ProgrammeFactory
from tests.factories.reviews import ReviewScheduleFactory, ReviewTermFactory
from tests.factories.students import StudentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _short_by_definition(student: Student, today: datetime.date) -> bool:
    schedule = ReviewSchedule.objects.filter(programme_id=student.programme_id).first()
    if schedule is None or schedule.min_meetings_per_term <= 0:
        return False
    held = list(Meeting.objects.filter(student=student).values_list("held_on", flat=True))
    earliest, latest = today - datetime.timedelta(days=120), today + datetime.timedelta(days=30)
    for term in ReviewTerm.objects.filter(programme_id=student.programme_id):
        counts = term.start_date <= today and earliest <= term.end_date <= latest
        if counts and sum(term.start_date <= day <= term.end_date for day in held) < schedule.min_meetings_per_term:
            return True
    return False


@pytest.mark.parametrize("form", [meeting_shortfall, meeting_shortfall_over_all])
def test_too_few_meetings_is_its_definition(form: Any) -> None:
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    recorder = UserFactory.create()
    two_terms, relaxed, unscheduled = ProgrammeFactory.create(), ProgrammeFactory.create(), ProgrammeFactory.create()
    ReviewScheduleFactory.create(programme=two_terms, min_meetings_per_term=2)
    ReviewScheduleFactory.create(programme=relaxed, min_meetings_per_term=0)
    # Two terms that count: this one (ends in 30 days, the last day that counts) and the one before (ended
    # 120 days ago, the first day that counts). Three that do not: ended 121 days ago, ends in 31 days, and
    # one not started yet.
    current = ReviewTermFactory.create(programme=two_terms, start_date=today - 60 * day, end_date=today + 30 * day)
    earlier = ReviewTermFactory.create(programme=two_terms, start_date=today - 240 * day, end_date=today - 120 * day)
    ReviewTermFactory.create(programme=two_terms, start_date=today - 400 * day, end_date=today - 121 * day)
    ReviewTermFactory.create(programme=relaxed, start_date=today - 60 * day, end_date=today + 31 * day)
    ReviewTermFactory.create(programme=relaxed, start_date=today - 60 * day, end_date=today + 10 * day)
    ReviewTermFactory.create(programme=unscheduled, start_date=today + day, end_date=today + 20 * day)

    def student(programme: object, *days: datetime.date) -> Student:
        made = StudentFactory.create(programme=programme)
        for held_on in days:
            Meeting.objects.create(student=made, held_on=held_on, minutes="Met.", recorded_by=recorder)
        return made

    first, last = current.start_date, current.end_date
    before = (earlier.start_date, earlier.end_date)  # both of the earlier term's boundary days
    short = {
        student(two_terms): True,  # none at all
        student(two_terms, first, last, *before): False,  # each term's first and last days count
        student(two_terms, first, today, earlier.start_date): True,  # the earlier term short by one
        student(two_terms, today, today, *before): False,  # two on one day are two meetings
        student(two_terms, today, *before): True,  # this term short by one
        student(two_terms, first - day, today, *before): True,  # the day before the term does not count
        student(two_terms, today, last + day, *before): True,  # nor the day after it
        student(two_terms, *before, *before): True,  # four meetings, all in the earlier term
        student(relaxed): False,  # a schedule that requires none: never short
        student(unscheduled): False,  # no schedule, and a term not started
    }
    # Another student's meetings count for no one else.
    busy = student(two_terms, first, last, *before)
    short[busy] = False
    short[student(two_terms)] = True

    found = set(Student.objects.filter(form(today)).values_list("pk", flat=True))

    assert {s.pk: _short_by_definition(s, today) for s in short} == {s.pk: b for s, b in short.items()}
    assert found == {s.pk for s, b in short.items() if b}
    # The condition composes as the lists use it: negated, and ORed with another.
    assert set(Student.objects.exclude(form(today)).values_list("pk", flat=True)) == {
        s.pk for s, b in short.items() if not b
    }
    never_short = next(s for s, b in short.items() if not b)
    assert set(Student.objects.filter(form(today) | Q(pk=never_short.pk)).values_list("pk", flat=True)) == {
        *found,
        never_short.pk,
    }


def test_the_over_all_form_is_what_the_at_risk_lists_weigh() -> None:
    """The at-risk keys and the ``at_risk`` filter weigh every student with ``whole``: registered here."""
    from core import hooks

    reason = next(r for r in hooks.AT_RISK_REASONS if r.key == "meetings")
    assert reason.whole is meeting_shortfall_over_all
    assert reason.condition is meeting_shortfall
