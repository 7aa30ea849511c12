"""Reminders (once a day at most per person), the office's weekly digest, and the beat tasks."""

from __future__ import annotations

import datetime

import pytest

from core.models import Notification
from reviews import tasks
from reviews.models import Direction
from reviews.services import reminders
from tests.conftest import World
from tests.reviews import helpers

pytestmark = pytest.mark.django_db


def test_reviewers_are_reminded_before_the_deadline_and_overdue_once_a_day(world: World) -> None:
    round_ = helpers.open_round(world)
    helpers.submit(helpers.task(round_, Direction.STUDENT_TUTOR, reviewer=world.users["student_a"]))
    early = round_.due_on - datetime.timedelta(days=10)
    assert reminders.review_reminders_send(today=early).people == 0
    soon = round_.due_on - datetime.timedelta(days=2)
    first = reminders.review_reminders_send(today=soon)
    assert first.people == 5  # tutor, supervisors A and B, students A (placement) and B
    assert reminders.review_reminders_send(today=soon).people == 0  # the same day: nobody twice
    overdue = round_.due_on + datetime.timedelta(days=1)
    assert reminders.review_reminders_send(today=overdue).people == 5
    told = Notification.objects.filter(user=world.users["student_a"], kind=reminders.REVIEWS_KIND).order_by("pk")
    assert [n.params for n in told] == [{"overdue": "0", "soon": "1"}, {"overdue": "1", "soon": "0"}]


def test_the_office_digest_counts_completion_by_partner_once_a_week(world: World) -> None:
    round_ = helpers.open_round(world)
    helpers.submit(helpers.task(round_, Direction.STUDENT_PLACEMENT, reviewer=world.users["student_a"]))
    monday = datetime.date(2026, 11, 30)
    assert reminders.office_digest_send(today=monday).people == 1
    assert reminders.office_digest_send(today=monday + datetime.timedelta(days=2)).people == 0
    digest = Notification.objects.get(user=world.users["office"], kind=reminders.DIGEST_KIND)
    assert f"{world.partner_a.name}: 1/2" in digest.body
    assert "student_a" not in digest.body


def test_the_beat_tasks_run_twice_without_doing_anything_twice(world: World) -> None:
    helpers.term(world)
    day = "2026-11-20"
    assert tasks.rounds_open_due(day)["rounds"] >= 1
    assert tasks.rounds_open_due(day)["rounds"] == 0
    assert tasks.concerns_escalate_due(day) == {"escalated": 0}
    assert tasks.meeting_action_reminders_send(day) == {"people": 0, "actions": 0}
