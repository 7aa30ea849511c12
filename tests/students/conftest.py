"""Fixtures of the student lists' tests: a spread of students of every kind a list shows."""

from __future__ import annotations

import datetime

import pytest

from programmes.models import MilestoneKind
from students.models import Placement, PlacementStatus, PlanStatus, Student, StudentStatus, TrainingPlan
from tests.conftest import World
from tests.factories.students import MilestoneFactory, PlacementFactory, StudentFactory, TrainingPlanFactory

#: The day the spread is seen on.
TODAY = datetime.date(2026, 11, 20)

#: Every kind of reader of the student lists (the world's personas, anonymous aside).
READERS = [
    "office",
    "tutor",
    "coordinator_a",
    "coordinator_b",
    "supervisor_a",
    "supervisor_b",
    "student_a",
    "student_b",
    "counsellor",
    "inspector",
]


@pytest.fixture
def spread(world: World) -> list[Student]:
    """World's two students and six more: late milestones due on known days (one done, so not late), one
    with no plan at all, one whose plan was never approved 100 days after enrolment, a withdrawn one, one
    without a tutor; student B placed at B now, student A's placement now cancelled."""
    long_ago = TODAY - datetime.timedelta(days=400)
    made = []
    for n in range(6):
        student = StudentFactory.create(
            programme=world.programme,
            cohort=world.student_a.cohort,
            tutor=world.users["tutor"] if n in (1, 3) else None,
            enrolled_on=long_ago if n != 3 else TODAY - datetime.timedelta(days=100),
        )
        if n != 2:
            TrainingPlanFactory.create(student=student)
        if n not in (2, 3):
            TrainingPlan.objects.filter(student=student).update(status=PlanStatus.APPROVED, approved_version=1)
        if n in (0, 1, 4):
            MilestoneFactory.create(
                student=student, kind=MilestoneKind.PROPOSAL, due_date=TODAY - datetime.timedelta(days=9 + n)
            )
        made.append(student)
    MilestoneFactory.create(
        student=made[0],
        kind=MilestoneKind.THESIS,
        due_date=TODAY - datetime.timedelta(days=900),
        status="done",
        completed_on=TODAY,
    )
    MilestoneFactory.create(
        student=world.student_a, kind=MilestoneKind.MIDTERM, due_date=TODAY - datetime.timedelta(days=3)
    )
    Student.objects.filter(pk=made[4].pk).update(status=StudentStatus.WITHDRAWN)
    PlacementFactory.create(
        student=world.student_b,
        partner=world.partner_b,
        site=world.site_b,
        supervisor=world.users["supervisor_b"],
        start_date=TODAY - datetime.timedelta(days=10),
        end_date=TODAY + datetime.timedelta(days=10),
    )
    PlacementFactory.create(
        student=world.student_a,
        partner=world.partner_a,
        site=world.site_a,
        supervisor=world.users["supervisor_a"],
        start_date=TODAY - datetime.timedelta(days=10),
        end_date=TODAY + datetime.timedelta(days=10),
    )
    Placement.objects.filter(student=world.student_a, start_date=TODAY - datetime.timedelta(days=10)).update(
        status=PlacementStatus.CANCELLED
    )
    return [world.student_a, world.student_b, *made]
