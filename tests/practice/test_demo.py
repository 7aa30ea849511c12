"""The demo's practice hours: a month at the hospital and the enterprise, mostly approved, some waiting
for each supervisor (a few for more than three days), one rejected with its reason."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from practice import rules
from practice.demo import REJECTION_REASON, REOPENED_FOR_DAYS, REOPENING_REASON, _reopen_for_waiting_entries
from practice.models import EntryStatus, MonthReopening, PracticeLog
from tests.conftest import World
from tests.factories.practice import PracticeLogFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def logs() -> list[PracticeLog]:
    call_command("seed_demo", stdout=StringIO())
    return list(
        PracticeLog.objects.filter(student__user__username="student").select_related(
            "placement__partner", "placement__supervisor", "decided_by"
        )
    )


def test_demo_student_has_a_month_of_weekday_entries_at_the_hospital_and_the_enterprise(
    logs: list[PracticeLog],
) -> None:
    by_partner = {log.placement.partner.short_name for log in logs}
    assert by_partner == {"AH", "IMG-E"}
    assert all(log.date.weekday() < 5 for log in logs)
    assert all(log.placement.start_date <= log.date <= log.placement.end_date for log in logs)
    assert all(log.date <= timezone.localdate() for log in logs)
    assert len({log.date for log in logs}) >= 15


def test_demo_entries_are_mostly_approved_by_the_placement_supervisor(logs: list[PracticeLog]) -> None:
    approved = [log for log in logs if log.status == EntryStatus.APPROVED]

    assert len(approved) > len(logs) / 2
    assert all(log.decided_by == log.placement.supervisor for log in approved)
    assert any(log.entered_by_supervisor for log in approved)
    assert all(log.rule_version == "P0/L0" for log in logs)


def test_demo_leaves_pending_entries_for_both_supervisors_some_older_than_three_days(logs: list[PracticeLog]) -> None:
    pending = [log for log in logs if log.status == EntryStatus.PENDING]
    three_days_ago = timezone.now() - datetime.timedelta(days=3)

    assert {log.placement.supervisor.username for log in pending} == {"sup-hospital", "sup-enterprise"}
    old = {log.placement.supervisor.username for log in pending if log.entered_at < three_days_ago}
    assert old == {"sup-hospital", "sup-enterprise"}


def test_demo_has_one_rejected_entry_with_its_reason(logs: list[PracticeLog]) -> None:
    rejected = [log for log in logs if log.status == EntryStatus.REJECTED]

    assert [(log.rejection_reason, log.decided_by.username) for log in rejected] == [  # type: ignore[union-attr]
        (REJECTION_REASON, "sup-hospital")
    ]


def test_demo_keeps_every_day_within_the_daily_maximum(logs: list[PracticeLog]) -> None:
    totals: dict[datetime.date, float] = {}
    for log in logs:
        if log.status in (EntryStatus.PENDING, EntryStatus.APPROVED):
            totals[log.date] = totals.get(log.date, 0) + float(log.hours)

    assert max(totals.values()) <= 12


def test_demo_adds_no_entries_when_run_again(logs: list[PracticeLog]) -> None:
    call_command("seed_demo", stdout=StringIO())

    assert PracticeLog.objects.aggregate(n=Count("pk"))["n"] == len(logs)


def test_every_waiting_entry_can_be_decided_today(logs: list[PracticeLog]) -> None:
    """From the 6th of a month the lock has closed last month: the demo's waiting entries of a closed month
    would refuse every approval (the browser journey's supervisor met "this month is closed")."""
    today = timezone.localdate()
    pending = [log for log in logs if log.status == EntryStatus.PENDING]

    assert pending
    for log in pending:
        lock_day = rules.rules_for(programme=log.student.programme, partner=log.placement.partner).lock_day
        assert rules.is_month_open(programme=log.student.programme, day=log.date, today=today, lock_day=lock_day), log


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
