"""The demo's practice hours: a month at the hospital and the enterprise, mostly approved, some waiting
for each supervisor (a few for more than three days), one rejected with its reason."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from practice import rules
from practice.demo import REJECTION_REASON
from practice.models import EntryStatus, PracticeLog

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo, seeded once for the module's tests in a transaction rolled back after the last one.

    Seeding takes about fifteen seconds; each test reads it (and runs in the ``db`` fixture's savepoint inside
    this transaction, so what one test writes, the next does not see), as ``tests/access/test_matrix.py`` does
    with its world."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def logs(seeded: None) -> list[PracticeLog]:
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
