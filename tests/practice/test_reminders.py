"""Practice reminders: the supervisors' digest of entries pending for more than 3 days and the students'
nudge after 7 days without an entry, each at most once per person per day, by the beat job and through a
real worker.

Dates are pinned with ``today=``: the world's placements run from 2026-10-01 to 2027-01-31.
"""

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
from practice import tasks
from practice.models import EntryStatus, PracticeLog
from practice.services.reminders import (
    DIGEST_KIND,
    NUDGE_KIND,
    digest_dedup_key,
    nudge_dedup_key,
    practice_digests_send,
    practice_nudges_send,
    practice_reminders_send,
)
from students.models import Placement, PlacementStatus, Student, StudentStatus
from tests.conftest import World
from tests.factories.practice import PracticeLogFactory
from tests.factories.students import PlacementFactory, StudentFactory
from tests.workers import wait_for

TODAY = datetime.date(2026, 11, 20)


def _u(world: World, persona: str) -> User:
    user = world.users[persona]
    assert user is not None
    return user


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def _pending(placement: Placement, entered: datetime.datetime, **extra: Any) -> PracticeLog:
    values: dict[str, Any] = {"placement": placement, "date": entered.date(), "entered_at": entered, **extra}
    return PracticeLogFactory.create(**values)


def _told(kind: str) -> dict[str, list[Notification]]:
    told: dict[str, list[Notification]] = {}
    for notification in Notification.objects.filter(kind=kind).select_related("user").order_by("pk"):
        told.setdefault(notification.user.username, []).append(notification)
    return told


# --- The supervisors' digest ------------------------------------------------------------------------------


@pytest.mark.django_db
class TestDigest:
    def test_supervisor_gets_one_digest_counting_old_pending_entries_per_student(self, world: World) -> None:
        User.objects.filter(pk=world.student_a.user_id).update(full_name="Li Ming")
        other = StudentFactory.create(programme=world.programme, cohort=world.student_a.cohort)
        User.objects.filter(pk=other.user_id).update(full_name="Wang Fang")
        second = PlacementFactory.create(
            student=other, partner=world.partner_a, site=world.site_a, supervisor=_u(world, "supervisor_a")
        )
        for days in (4, 5, 9):
            _pending(world.placement_a, _at(_days_ago(days)))
        _pending(second, _at(_days_ago(6)))

        created = practice_digests_send(today=TODAY)

        assert [n.user for n in created] == [_u(world, "supervisor_a")]
        (digest,) = created
        assert digest.text == "Practice hours waiting for your sign-off for more than 3 days: 4"
        assert digest.body.splitlines() == [
            f"Li Ming ({world.student_a.student_number}): 3 pending",
            f"Wang Fang ({other.student_number}): 1 pending",
        ]
        assert digest.link == reverse("practice:queue")
        assert digest.dedup_key == digest_dedup_key(TODAY) == "practice-digest:2026-11-20"

    def test_pending_for_three_days_or_less_is_not_in_the_digest(self, world: World) -> None:
        _pending(world.placement_a, _at(_days_ago(3), hour=0))  # the start of today - 3: not older than 3 days
        _pending(world.placement_a, _at(_days_ago(1)))

        assert practice_digests_send(today=TODAY) == []

    def test_entry_from_just_before_the_cutoff_counts(self, world: World) -> None:
        cutoff = timezone.make_aware(datetime.datetime.combine(_days_ago(3), datetime.time.min))
        _pending(world.placement_a, cutoff - datetime.timedelta(seconds=1))

        (digest,) = practice_digests_send(today=TODAY)

        assert digest.params == {"count": "1"}

    def test_decided_and_withdrawn_entries_are_not_in_the_digest(self, world: World) -> None:
        old = _at(_days_ago(10))
        _pending(world.placement_a, old, approved=True)
        _pending(world.placement_a, old, status=EntryStatus.REJECTED, rejection_reason="No.")
        _pending(world.placement_a, old, status=EntryStatus.WITHDRAWN)

        assert practice_digests_send(today=TODAY) == []

    def test_each_supervisor_hears_only_of_their_own_placements(self, world: World) -> None:
        _pending(world.placement_a, _at(_days_ago(5)))
        _pending(world.placement_b, _at(_days_ago(5)))
        _pending(world.placement_b, _at(_days_ago(8)))

        practice_digests_send(today=TODAY)

        told = _told(DIGEST_KIND)
        assert sorted(told) == ["supervisor_a", "supervisor_b"]
        assert told["supervisor_a"][0].params == {"count": "1"}
        assert told["supervisor_b"][0].params == {"count": "2"}
        assert world.student_b.student_number in told["supervisor_b"][0].body
        assert world.student_a.student_number not in told["supervisor_b"][0].body

    def test_running_twice_on_one_day_sends_one_digest(self, world: World) -> None:
        _pending(world.placement_a, _at(_days_ago(5)))

        first = practice_digests_send(today=TODAY)
        _pending(world.placement_a, _at(_days_ago(6)))  # more waiting: still no second digest today
        second = practice_digests_send(today=TODAY)

        assert (len(first), second) == (1, [])
        assert len(_told(DIGEST_KIND)["supervisor_a"]) == 1

    def test_next_day_brings_a_new_digest(self, world: World) -> None:
        _pending(world.placement_a, _at(_days_ago(5)))
        practice_digests_send(today=TODAY)

        practice_digests_send(today=TODAY + datetime.timedelta(days=1))

        assert len(_told(DIGEST_KIND)["supervisor_a"]) == 2

    def test_inactive_supervisor_is_not_told(self, world: World) -> None:
        _pending(world.placement_a, _at(_days_ago(5)))
        User.objects.filter(username="supervisor_a").update(is_active=False)

        assert practice_digests_send(today=TODAY) == []

    def test_digest_is_emailed_once(self, world: World) -> None:
        _pending(world.placement_a, _at(_days_ago(5)))
        (digest,) = practice_digests_send(today=TODAY)

        assert [notification_email_send(digest.pk), notification_email_send(digest.pk)] == [True, False]
        (sent,) = mail.outbox
        assert sent.to == ["supervisor_a@example.org"]
        assert sent.subject == "[Tandem] Practice hours waiting for your sign-off for more than 3 days: 1"
        assert f"({world.student_a.student_number}): 1 pending" in sent.body


# --- The students' nudge -----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestNudge:
    def test_student_on_a_placement_without_entries_for_7_days_is_nudged(self, world: World) -> None:
        PracticeLogFactory.create(placement=world.placement_b, date=_days_ago(2))

        created = practice_nudges_send(today=TODAY)

        (nudge,) = created
        assert nudge.user == world.student_a.user
        assert nudge.text == "No practice hours logged in the last 7 days"
        assert nudge.link == reverse("practice:log")
        assert nudge.dedup_key == nudge_dedup_key(TODAY) == "practice-nudge:2026-11-20"

    @pytest.mark.parametrize(("days_back", "nudged"), [(0, False), (7, False), (8, True)])
    def test_an_entry_in_the_last_7_days_spares_the_nudge(self, world: World, days_back: int, nudged: bool) -> None:
        PracticeLogFactory.create(placement=world.placement_a, date=_days_ago(days_back))

        practice_nudges_send(today=TODAY)

        assert ("student_a" in _told(NUDGE_KIND)) is nudged

    @pytest.mark.parametrize(
        "entry",
        [
            {"status": EntryStatus.PENDING},
            {"status": EntryStatus.REJECTED, "rejection_reason": "No."},
            {"approved": True, "entered_by_supervisor": True},
        ],
    )
    def test_any_entry_but_a_withdrawn_one_counts(self, world: World, entry: dict[str, Any]) -> None:
        PracticeLogFactory.create(placement=world.placement_a, date=_days_ago(3), **entry)
        PracticeLogFactory.create(placement=world.placement_b, date=_days_ago(3), status=EntryStatus.WITHDRAWN)

        practice_nudges_send(today=TODAY)

        assert sorted(_told(NUDGE_KIND)) == ["student_b"]

    @pytest.mark.parametrize(
        "change",
        [
            {"start_date": datetime.date(2026, 11, 21)},
            {"end_date": datetime.date(2026, 11, 19), "start_date": datetime.date(2026, 10, 1)},
            {"status": PlacementStatus.CANCELLED},
            {"status": PlacementStatus.COMPLETED},
        ],
    )
    def test_no_nudge_without_a_placement_running_today(self, world: World, change: dict[str, Any]) -> None:
        Placement.objects.filter(pk=world.placement_a.pk).update(**change)

        practice_nudges_send(today=TODAY)

        assert sorted(_told(NUDGE_KIND)) == ["student_b"]

    def test_students_not_enrolled_or_inactive_are_not_nudged(self, world: World) -> None:
        Student.objects.filter(pk=world.student_a.pk).update(status=StudentStatus.SUSPENDED)
        User.objects.filter(pk=world.student_b.user_id).update(is_active=False)

        assert practice_nudges_send(today=TODAY) == []

    def test_running_twice_on_one_day_nudges_once(self, world: World) -> None:
        first = practice_nudges_send(today=TODAY)
        second = practice_nudges_send(today=TODAY)

        assert (len(first), second) == (2, [])
        assert {name: len(told) for name, told in _told(NUDGE_KIND).items()} == {"student_a": 1, "student_b": 1}


# --- The job ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_task_runs_both_reminders_and_is_safe_to_run_twice(world: World) -> None:
    _pending(world.placement_a, _at(_days_ago(5)))

    first = tasks.practice_reminders_send(TODAY.isoformat())
    second = tasks.practice_reminders_send(TODAY.isoformat())

    # student_a has an entry 5 days back: only student_b is nudged.
    assert first == {"digests": 1, "nudges": 1}
    assert second == {"digests": 0, "nudges": 0}


@pytest.mark.django_db
def test_service_counts_match_the_notifications(world: World) -> None:
    counts = practice_reminders_send(today=TODAY)

    assert (counts.digests, counts.nudges) == (0, 2)
    assert Notification.objects.filter(kind=NUDGE_KIND).count() == 2


@pytest.mark.django_db
def test_beat_runs_the_job_daily_at_eight_in_shanghai() -> None:
    (task,) = PeriodicTask.objects.filter(task="practice.practice_reminders_send")

    assert task.enabled
    assert task.crontab is not None
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("0", "8", "*")
    assert str(task.crontab.timezone) == "Asia/Shanghai"
    assert "practice.practice_reminders_send" in celery_app.tasks


# --- Through a real worker ----------------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_sends_each_reminder_once_by_notification_and_email(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A queue of our own (see tests/core/test_worker.py); the e-mails the reminders enqueue go there too,
    # so this worker sends them and no other worker on the broker can take them.
    queue = f"test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(notifications, "_sender", lambda task, pk: lambda: task.apply_async((pk,), queue=queue))
    today = timezone.localdate()
    for placement in (world.placement_a, world.placement_b):
        Placement.objects.filter(pk=placement.pk).update(
            start_date=today - datetime.timedelta(days=30), end_date=today + datetime.timedelta(days=30)
        )
    # Student A: an entry pending for 5 days (a digest for supervisor A, no nudge). Student B: nothing.
    _pending(
        Placement.objects.get(pk=world.placement_a.pk),
        timezone.now() - datetime.timedelta(days=5),
        date=today - datetime.timedelta(days=5),
    )
    mail.outbox.clear()

    with start_worker(
        celery_app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue], shutdown_timeout=10
    ):
        first = tasks.practice_reminders_send.apply_async(args=[today.isoformat()], queue=queue).get(timeout=20)
        assert wait_for(lambda: len(mail.outbox) >= 2)
        second = tasks.practice_reminders_send.apply_async(args=[today.isoformat()], queue=queue).get(timeout=20)
        time.sleep(0.5)  # room for a wrongly enqueued second e-mail to arrive

    assert first == {"digests": 1, "nudges": 1}
    assert second == {"digests": 0, "nudges": 0}
    told = Notification.objects.filter(kind__in=(DIGEST_KIND, NUDGE_KIND))
    assert sorted(told.values_list("kind", "user__username")) == [
        (DIGEST_KIND, "supervisor_a"),
        (NUDGE_KIND, "student_b"),
    ]
    assert all(n.emailed_at is not None for n in told)
    assert sorted(m.to[0] for m in mail.outbox) == ["student_b@example.org", "supervisor_a@example.org"]
