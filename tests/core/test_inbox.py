"""The start page's "Waiting for you": each role sees what waits for them, late things first, each line a
link; nothing waiting says so; the page costs the same number of queries whatever is waiting."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from programmes.models import MilestoneKind
from students.models import Milestone
from tests.conftest import World, client_for
from tests.factories.practice import PracticeLogFactory
from tests.factories.students import MilestoneFactory

pytestmark = pytest.mark.django_db

PAST = datetime.date(2020, 1, 1)


def _inbox(world: World, persona: str) -> str:
    html = client_for(world.users[persona]).get(reverse("core:start")).content.decode()
    return html.split('data-testid="inbox"', 1)[1].split("</section>", 1)[0]


def test_student_sees_late_milestones_and_rejected_entries(world: World) -> None:
    Milestone.objects.filter(student=world.student_a).update(due_date=PAST)
    PracticeLogFactory.create(placement=world.placement_a, status="rejected", date=datetime.date.today())
    inbox = _inbox(world, "student_a")
    assert "Late milestones in your plan" in inbox
    assert "Rejected entries to correct" in inbox
    assert reverse("students:plan", args=[world.student_a.pk]) in inbox


def test_supervisor_sees_entries_to_sign_off_and_other_supervisors_do_not(world: World) -> None:
    PracticeLogFactory.create_batch(3, placement=world.placement_a)
    assert "Practice-hour entries waiting for your sign-off" in _inbox(world, "supervisor_a")
    assert "Practice-hour entries waiting for your sign-off" not in _inbox(world, "supervisor_b")


def test_office_sees_students_at_risk(world: World) -> None:
    Milestone.objects.filter(student=world.student_b).update(due_date=PAST)
    inbox = _inbox(world, "office")
    assert "Students at risk" in inbox
    assert reverse("students:at-risk") in inbox


def test_nothing_waiting_says_so(world: World) -> None:
    assert 'data-testid="inbox-empty"' in _inbox(world, "counsellor")


def test_start_page_costs_the_same_whatever_waits(world: World, django_assert_max_num_queries: Any) -> None:
    def queries(persona: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            client_for(world.users[persona]).get(reverse("core:start"))
        return len(captured)

    before = {p: queries(p) for p in ("office", "supervisor_a", "student_a", "tutor")}
    PracticeLogFactory.create_batch(5, placement=world.placement_a)
    PracticeLogFactory.create_batch(5, placement=world.placement_a, status="rejected", date=datetime.date.today())
    for student in (world.student_a, world.student_b):
        Milestone.objects.filter(student=student).update(due_date=PAST)
        for kind in (MilestoneKind.MIDTERM, MilestoneKind.THESIS):
            MilestoneFactory.create(student=student, kind=kind, due_date=PAST)
    after = {p: queries(p) for p in before}
    assert after == before
