"""Milestone reminders: who is told, about what, at most once per person per day, by the beat job."""

from __future__ import annotations

import datetime
import time
import uuid
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts.models import User
from config.celery import app as celery_app
from core.models import Notification
from core.services import notifications
from core.tasks import notification_email_send
from programmes.models import MilestoneKind
from students import tasks
from students.models import Milestone, MilestoneStatus, Student, StudentStatus
from students.services.reminders import milestone_reminders_send, reminder_dedup_key
from tests.conftest import World
from tests.factories.accounts import UserFactory
from tests.factories.students import MilestoneFactory, StudentFactory
from tests.workers import wait_for

# Far from the world's milestones (due 2027-06-01), so only the milestones a test moves are due soon.
TODAY = datetime.date(2027, 3, 1)


def _due_in(student: Student, days: int, **extra: Any) -> Milestone:
    """Move the student's milestone (the world gives each one) to ``days`` after ``TODAY``."""
    milestone = Milestone.objects.get(student=student, kind=MilestoneKind.PROPOSAL)
    for field, value in {"due_date": TODAY + datetime.timedelta(days=days), **extra}.items():
        setattr(milestone, field, value)
    milestone.save()
    return milestone


def _told(user: User | None) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind="milestone_due"))


@pytest.mark.django_db
class TestWhoIsTold:
    def test_student_and_tutor_are_told_of_a_milestone_due_within_14_days(self, world: World) -> None:
        _due_in(world.student_a, 10)

        created = milestone_reminders_send(today=TODAY)

        assert {n.user for n in created} == {world.users["student_a"], world.users["tutor"]}
        (to_student,) = _told(world.users["student_a"])
        assert to_student.text == "Milestones due within 14 days: 1"
        name = world.users["student_a"].display_name  # type: ignore[union-attr]
        assert to_student.body == f"2027-03-11: Thesis proposal, {name} ({world.student_a.student_number})"
        assert to_student.link == reverse("students:plan", args=[world.student_a.pk])
        assert to_student.dedup_key == reminder_dedup_key(TODAY)

    def test_running_twice_on_one_day_tells_each_person_once(self, world: World) -> None:
        _due_in(world.student_a, 3)

        first = milestone_reminders_send(today=TODAY)
        second = milestone_reminders_send(today=TODAY)

        assert len(first) == 2
        assert second == []
        assert len(_told(world.users["student_a"])) == 1
        assert len(_told(world.users["tutor"])) == 1

    def test_next_day_brings_a_new_reminder(self, world: World) -> None:
        _due_in(world.student_a, 3)
        milestone_reminders_send(today=TODAY)

        milestone_reminders_send(today=TODAY + datetime.timedelta(days=1))

        assert len(_told(world.users["student_a"])) == 2

    @pytest.mark.parametrize(("days", "told"), [(-1, False), (0, True), (14, True), (15, False)])
    def test_window_is_today_to_14_days_and_late_milestones_are_not_reminded(
        self, days: int, told: bool, world: World
    ) -> None:
        _due_in(world.student_a, days)

        milestone_reminders_send(today=TODAY)

        assert bool(_told(world.users["student_a"])) is told

    @pytest.mark.parametrize(
        "extra",
        [
            {"status": MilestoneStatus.DONE, "completed_on": datetime.date(2027, 2, 1)},
            {"status": MilestoneStatus.WAIVED, "waived_reason": "Prior degree."},
        ],
    )
    def test_done_or_waived_milestones_are_not_reminded(self, extra: dict[str, Any], world: World) -> None:
        _due_in(world.student_a, 5, **extra)

        assert milestone_reminders_send(today=TODAY) == []

    def test_students_who_are_not_enrolled_are_not_reminded(self, world: World) -> None:
        _due_in(world.student_a, 5)
        Student.objects.filter(pk=world.student_a.pk).update(status=StudentStatus.SUSPENDED)

        assert milestone_reminders_send(today=TODAY) == []

    def test_student_without_tutor_is_told_alone(self, world: World) -> None:
        _due_in(world.student_b, 5)

        created = milestone_reminders_send(today=TODAY)

        assert [n.user for n in created] == [world.users["student_b"]]

    def test_one_digest_per_person_however_many_milestones(self, world: World) -> None:
        _due_in(world.student_a, 5)
        MilestoneFactory.create(
            student=world.student_a, kind=MilestoneKind.MIDTERM, due_date=TODAY + datetime.timedelta(days=9)
        )
        other = StudentFactory.create(
            programme=world.programme, cohort=world.student_a.cohort, tutor=world.users["tutor"]
        )
        MilestoneFactory.create(student=other, due_date=TODAY + datetime.timedelta(days=1))

        milestone_reminders_send(today=TODAY)

        (to_student,) = _told(world.users["student_a"])
        assert to_student.params == {"count": "2"}
        (to_tutor,) = _told(world.users["tutor"])
        assert to_tutor.params == {"count": "3"}
        assert to_tutor.body.splitlines()[0].startswith("2027-03-02: Thesis proposal")
        assert len(to_tutor.body.splitlines()) == 3
        # About several students: no single plan to open, the inbox lists them.
        assert to_tutor.link == ""

    def test_inactive_tutor_is_not_told(self, world: World) -> None:
        _due_in(world.student_a, 5)
        User.objects.filter(username="tutor").update(is_active=False)

        created = milestone_reminders_send(today=TODAY)

        assert [n.user for n in created] == [world.users["student_a"]]

    def test_reminder_is_emailed_once(self, world: World) -> None:
        _due_in(world.student_a, 5)
        created = milestone_reminders_send(today=TODAY)

        sent = [notification_email_send(n.pk) for n in created]
        again = [notification_email_send(n.pk) for n in created]

        assert sent == [True, True] and again == [False, False]
        assert sorted(m.to[0] for m in mail.outbox) == ["student_a@example.org", "tutor@example.org"]
        assert all(m.subject == "[Tandem] Milestones due within 14 days: 1" for m in mail.outbox)
        assert "Thesis proposal" in mail.outbox[0].body


@pytest.mark.django_db
def test_task_runs_the_service_for_the_given_day(world: World) -> None:
    _due_in(world.student_a, 5)

    assert tasks.milestone_reminders_send(TODAY.isoformat()) == 2
    assert tasks.milestone_reminders_send(TODAY.isoformat()) == 0


@pytest.mark.django_db
def test_beat_runs_the_job_daily_at_seven_in_shanghai() -> None:
    task = PeriodicTask.objects.get(task="students.milestone_reminders_send")

    assert task.enabled
    assert task.crontab is not None
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("0", "7", "*")
    assert str(task.crontab.timezone) == "Asia/Shanghai"
    assert PeriodicTask.objects.filter(task="students.milestone_reminders_send").count() == 1
    assert "students.milestone_reminders_send" in celery_app.tasks


# --- Through a real worker --------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_sends_each_reminder_once_by_notification_and_email(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A queue of our own (see tests/core/test_worker.py); the e-mails a reminder enqueues go there too, so
    # this worker sends them and no other worker on the broker can take them.
    queue = f"test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(notifications, "_sender", lambda task, pk: lambda: task.apply_async((pk,), queue=queue))
    today = timezone.localdate()
    milestone = Milestone.objects.get(student=world.student_a)
    milestone.due_date = today + datetime.timedelta(days=7)
    milestone.save()
    UserFactory.create(username="bystander")
    mail.outbox.clear()

    with start_worker(
        celery_app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue], shutdown_timeout=10
    ):
        first = tasks.milestone_reminders_send.apply_async(args=[today.isoformat()], queue=queue).get(timeout=20)
        assert wait_for(lambda: len(mail.outbox) >= 2)
        second = tasks.milestone_reminders_send.apply_async(args=[today.isoformat()], queue=queue).get(timeout=20)
        time.sleep(0.5)  # room for a wrongly enqueued second e-mail to arrive

    assert (first, second) == (2, 0)
    told = Notification.objects.filter(kind="milestone_due")
    assert sorted(told.values_list("user__username", flat=True)) == ["student_a", "tutor"]
    assert all(n.emailed_at is not None for n in told)
    assert sorted(m.to[0] for m in mail.outbox) == ["student_a@example.org", "tutor@example.org"]
    # The e-mail task claims the row first: sending again sends nothing.
    assert [notification_email_send(n.pk) for n in told] == [False, False]
    assert len(mail.outbox) == 2
