"""Practice-hour services: every rule with its bad input and the rule it names, who may decide, bulk
approval all or none, rejection, withdrawal, corrections and their history, evidence that cannot be
bulk-changed, and idempotency keys.

Dates are pinned with ``today=``: placement A runs from 2026-10-01 to 2027-01-31.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from practice import services
from practice.models import EntryStatus, MonthReopening, PracticeLog, RuleSet
from practice.services import DuplicateEntry, EntryInput
from programmes.models import ActivityCategory
from students import services as student_services
from students.models import Placement
from tests.conftest import World
from tests.factories.practice import PracticeLogFactory
from tests.factories.programmes import ActivityCategoryFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
DAY = datetime.date(2026, 11, 19)
D = Decimal


def _u(world: World, persona: str) -> User:
    user = world.users[persona]
    assert user is not None
    return user


@pytest.fixture
def category(world: World) -> ActivityCategory:
    return ActivityCategoryFactory.create(programme=world.programme, code="ct", name="CT operation")


def _entry(world: World, category: ActivityCategory, **overrides: Any) -> EntryInput:
    values: dict[str, Any] = {"placement": world.placement_a, "date": DAY, "category": category, "hours": D("4")}
    values.update(overrides)
    return EntryInput(**values)


def _log(
    world: World,
    category: ActivityCategory,
    by: str = "student_a",
    today: datetime.date = TODAY,
    key: str | None = None,
    **overrides: Any,
) -> PracticeLog:
    return services.practice_log_create(
        entry=_entry(world, category, **overrides), by=_u(world, by), today=today, idempotency_key=key
    )


def _refused(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    """The refusal as {field: [rule codes]}: the code names the rule."""
    return {field: [e.code or "" for e in errors] for field, errors in error.value.error_dict.items()}


# --- Each rule with bad input ------------------------------------------------------------------------


def test_future_date_is_refused_by_rule_future_date(world: World, category: ActivityCategory) -> None:
    with pytest.raises(ValidationError) as error:
        _log(world, category, date=TODAY + datetime.timedelta(days=1))

    assert _refused(error) == {"date": ["future_date"]}
    assert not PracticeLog.objects.exists()


def test_today_is_accepted(world: World, category: ActivityCategory) -> None:
    assert _log(world, category, date=TODAY).date == TODAY


@pytest.mark.parametrize(
    ("day", "today"),
    [
        (datetime.date(2026, 9, 30), datetime.date(2026, 10, 2)),  # the day before the placement starts
        (datetime.date(2027, 2, 1), datetime.date(2027, 2, 2)),  # the day after it ends
    ],
)
def test_date_outside_the_placement_is_refused(
    world: World, category: ActivityCategory, day: datetime.date, today: datetime.date
) -> None:
    with pytest.raises(ValidationError) as error:
        _log(world, category, date=day, today=today)

    assert _refused(error) == {"date": ["outside_placement"]}
    assert "2026-10-01" in str(error.value)


def test_first_and_last_day_of_the_placement_are_inside(world: World, category: ActivityCategory) -> None:
    _log(world, category, date=datetime.date(2026, 10, 1), today=datetime.date(2026, 10, 1))
    _log(world, category, date=datetime.date(2027, 1, 31), today=datetime.date(2027, 1, 31))

    assert PracticeLog.objects.count() == 2


@pytest.mark.parametrize("hours", [D("0"), D("-1"), D("12.5"), D("13")])
def test_hours_zero_or_above_the_daily_maximum_are_refused(
    world: World, category: ActivityCategory, hours: Decimal
) -> None:
    with pytest.raises(ValidationError) as error:
        _log(world, category, hours=hours)

    assert _refused(error) == {"hours": ["hours_range"]}


def test_exactly_the_daily_maximum_is_accepted(world: World, category: ActivityCategory) -> None:
    assert _log(world, category, hours=D("12")).hours == D("12")


def test_missing_hours_and_times_is_refused(world: World, category: ActivityCategory) -> None:
    with pytest.raises(ValidationError) as error:
        _log(world, category, hours=None)

    assert _refused(error) == {"hours": ["hours_range"]}


def test_daily_maximum_counts_pending_and_approved_entries(world: World, category: ActivityCategory) -> None:
    _log(world, category, hours=D("5"))  # pending
    _log(world, category, by="supervisor_a", hours=D("5"))  # approved on entry

    with pytest.raises(ValidationError) as error:
        _log(world, category, hours=D("2.5"))

    assert _refused(error) == {"hours": ["daily_maximum"]}
    assert _log(world, category, hours=D("2")).hours == D("2")  # exactly 12 in all
    assert PracticeLog.objects.count() == 3


def test_daily_maximum_ignores_rejected_and_withdrawn_entries(world: World, category: ActivityCategory) -> None:
    rejected = _log(world, category, hours=D("8"))
    services.practice_log_reject(log=rejected, by=_u(world, "supervisor_a"), reason="Wrong day.", today=TODAY)
    withdrawn = _log(world, category, hours=D("8"))
    services.practice_log_withdraw(log=withdrawn, by=_u(world, "student_a"))

    assert _log(world, category, hours=D("12")).status == EntryStatus.PENDING


def test_daily_maximum_is_per_student(world: World, category: ActivityCategory) -> None:
    _log(world, category, hours=D("12"))

    other = services.practice_log_create(
        entry=EntryInput(placement=world.placement_b, date=DAY, category=category, hours=D("12")),
        by=_u(world, "student_b"),
        today=TODAY,
    )

    assert other.hours == D("12")


def test_overlapping_time_ranges_are_refused(world: World, category: ActivityCategory) -> None:
    first = _log(world, category, hours=None, start_time=datetime.time(9), end_time=datetime.time(11))
    assert first.hours == D("2.00")

    with pytest.raises(ValidationError) as error:
        _log(world, category, hours=None, start_time=datetime.time(10), end_time=datetime.time(12))

    assert _refused(error) == {"start_time": ["overlap"]}
    # Touching ranges do not overlap.
    assert _log(world, category, hours=None, start_time=datetime.time(11), end_time=datetime.time(12, 30)).hours == D(
        "1.50"
    )


def test_overlap_ignores_withdrawn_entries(world: World, category: ActivityCategory) -> None:
    first = _log(world, category, hours=None, start_time=datetime.time(9), end_time=datetime.time(11))
    services.practice_log_withdraw(log=first, by=_u(world, "student_a"))

    assert _log(world, category, hours=None, start_time=datetime.time(9), end_time=datetime.time(11)).pk


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime.time(11), datetime.time(9)),  # end before start
        (datetime.time(9), datetime.time(9)),  # empty range
        (datetime.time(9), None),  # only a start
        (None, datetime.time(9)),  # only an end
    ],
)
def test_start_and_end_must_both_be_given_and_ordered(
    world: World, category: ActivityCategory, start: datetime.time | None, end: datetime.time | None
) -> None:
    with pytest.raises(ValidationError) as error:
        _log(world, category, hours=None, start_time=start, end_time=end)

    assert _refused(error) == {"end_time": ["hours_range"]}


def test_time_range_longer_than_the_daily_maximum_is_refused(world: World, category: ActivityCategory) -> None:
    with pytest.raises(ValidationError) as error:
        _log(world, category, hours=None, start_time=datetime.time(6), end_time=datetime.time(19))

    assert _refused(error) == {"hours": ["hours_range"]}


def test_entry_window_is_fourteen_days_by_default(world: World, category: ActivityCategory) -> None:
    assert _log(world, category, date=TODAY - datetime.timedelta(days=14)).pk

    with pytest.raises(ValidationError) as error:
        _log(world, category, date=TODAY - datetime.timedelta(days=15))

    assert _refused(error) == {"date": ["entry_window"]}
    assert "14" in str(error.value)


def test_month_closes_after_day_five_of_the_next_month(world: World, category: ActivityCategory) -> None:
    october = datetime.date(2026, 10, 31)
    assert _log(world, category, date=october, today=datetime.date(2026, 11, 5)).pk

    with pytest.raises(ValidationError) as error:
        _log(world, category, date=october, today=datetime.date(2026, 11, 6))

    assert _refused(error) == {"date": ["month_closed"]}


def test_office_reopens_a_closed_month_until_a_date(world: World, category: ActivityCategory) -> None:
    october = datetime.date(2026, 10, 31)
    reopening = services.month_reopen(
        programme=world.programme,
        month=october,
        until=datetime.date(2026, 11, 10),
        reason="Hospital system outage in October.",
        by=_u(world, "office"),
        today=datetime.date(2026, 11, 7),
    )
    assert reopening.month == datetime.date(2026, 10, 1)

    assert _log(world, category, date=october, today=datetime.date(2026, 11, 10)).pk
    with pytest.raises(ValidationError) as error:
        _log(world, category, date=october, today=datetime.date(2026, 11, 11))
    assert _refused(error) == {"date": ["month_closed"]}


def test_reopening_a_month_needs_the_office_and_a_reason(world: World) -> None:
    for persona in ("coordinator_a", "supervisor_a", "tutor", "student_a"):
        with pytest.raises(PermissionDenied):
            services.month_reopen(
                programme=world.programme,
                month=datetime.date(2026, 10, 1),
                until=datetime.date(2026, 11, 30),
                reason="Outage.",
                by=_u(world, persona),
                today=TODAY,
            )
    with pytest.raises(ValidationError) as error:
        services.month_reopen(
            programme=world.programme,
            month=datetime.date(2026, 10, 1),
            until=datetime.date(2026, 11, 30),
            reason="  ",
            by=_u(world, "office"),
            today=TODAY,
        )
    assert _refused(error) == {"reason": ["reason_required"]}
    with pytest.raises(ValidationError) as error:
        services.month_reopen(
            programme=world.programme,
            month=datetime.date(2026, 10, 1),
            until=TODAY - datetime.timedelta(days=1),
            reason="Outage.",
            by=_u(world, "office"),
            today=TODAY,
        )
    assert _refused(error) == {"until": ["past"]}
    assert not MonthReopening.objects.exists()


def test_decisions_on_entries_of_a_closed_month_are_refused_until_reopened(
    world: World, category: ActivityCategory
) -> None:
    log = _log(world, category, date=datetime.date(2026, 10, 30), today=datetime.date(2026, 10, 30))
    supervisor = _u(world, "supervisor_a")

    with pytest.raises(ValidationError) as error:
        services.practice_log_approve(log=log, by=supervisor, today=datetime.date(2026, 11, 6))
    assert _refused(error) == {"date": ["month_closed"]}
    with pytest.raises(ValidationError) as error:
        services.practice_log_reject(log=log, by=supervisor, reason="No.", today=datetime.date(2026, 11, 6))
    assert _refused(error) == {"date": ["month_closed"]}
    log.refresh_from_db()
    assert log.status == EntryStatus.PENDING

    services.month_reopen(
        programme=world.programme,
        month=datetime.date(2026, 10, 1),
        until=datetime.date(2026, 11, 30),
        reason="Late sign-off.",
        by=_u(world, "office"),
        today=datetime.date(2026, 11, 6),
    )
    assert services.practice_log_approve(log=log, by=supervisor, today=datetime.date(2026, 11, 6)).status == (
        EntryStatus.APPROVED
    )


def test_category_of_another_programme_is_refused(world: World) -> None:
    foreign = ActivityCategoryFactory.create()  # its own, other programme

    with pytest.raises(ValidationError) as error:
        _log(world, foreign)

    assert _refused(error) == {"category": ["category"]}


def test_cancelled_placement_takes_no_entries(world: World, category: ActivityCategory) -> None:
    student_services.placement_cancel(placement=world.placement_a, by=_u(world, "student_a"), reason="Moved.")

    with pytest.raises(ValidationError) as error:
        _log(world, category)

    assert _refused(error) == {"placement": ["placement"]}


@pytest.mark.parametrize("persona", ["student_b", "supervisor_b", "coordinator_a", "tutor", "office"])
def test_only_the_placed_student_or_its_supervisor_logs_hours(
    world: World, category: ActivityCategory, persona: str
) -> None:
    with pytest.raises(PermissionDenied):
        _log(world, category, by=persona)

    assert not PracticeLog.objects.exists()


# --- Who entered it, and under which rules ------------------------------------------------------------


def test_student_entry_is_pending(world: World, category: ActivityCategory) -> None:
    log = _log(world, category, cases=3, description="  CT head protocols  ")

    assert log.status == EntryStatus.PENDING
    assert log.student == world.student_a
    assert log.entered_by == world.users["student_a"]
    assert not log.entered_by_supervisor
    assert log.decided_by is None and log.decided_at is None
    assert log.cases == 3 and log.description == "CT head protocols"


def test_supervisor_entry_for_a_supervisee_is_approved_on_entry_and_marked(
    world: World, category: ActivityCategory
) -> None:
    log = _log(world, category, by="supervisor_a")

    assert log.status == EntryStatus.APPROVED
    assert log.entered_by_supervisor
    assert log.entered_by == world.users["supervisor_a"]
    assert log.decided_by == world.users["supervisor_a"]
    assert log.decided_at is not None
    assert log.student == world.student_a


def test_entry_stores_the_default_rule_version(world: World, category: ActivityCategory) -> None:
    assert _log(world, category).rule_version == "P0/L0"


def test_new_programme_rules_make_a_new_version(world: World, category: ActivityCategory) -> None:
    rules = services.rules_set(
        programme=world.programme, by=_u(world, "office"), daily_max_hours=D("10"), entry_window_days=7
    )

    log = _log(world, category, hours=D("10"))
    assert log.rule_version == f"P{rules.pk}/L0"
    with pytest.raises(ValidationError) as error:
        _log(world, category, date=TODAY - datetime.timedelta(days=8))
    assert _refused(error) == {"date": ["entry_window"]}


def test_programme_rules_are_set_by_the_office_only(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.rules_set(programme=world.programme, by=_u(world, "coordinator_a"), daily_max_hours=D("8"))

    assert not RuleSet.objects.exists()


def test_partner_tightening_lowers_the_daily_maximum_at_that_partner_only(
    world: World, category: ActivityCategory
) -> None:
    local = services.rules_set(
        programme=world.programme,
        partner=world.partner_a,
        by=_u(world, "coordinator_a"),
        daily_max_hours=D("8"),
    )

    with pytest.raises(ValidationError) as error:
        _log(world, category, hours=D("8.5"))
    assert _refused(error) == {"hours": ["hours_range"]}
    at_a = _log(world, category, hours=D("8"))
    assert at_a.rule_version == f"P0/L{local.pk}"

    at_b = services.practice_log_create(
        entry=EntryInput(placement=world.placement_b, date=DAY, category=category, hours=D("12")),
        by=_u(world, "student_b"),
        today=TODAY,
    )
    assert at_b.rule_version == "P0/L0"


@pytest.mark.parametrize(
    ("field", "value"),
    [("daily_max_hours", D("13")), ("entry_window_days", 30), ("lock_day", 10)],
)
def test_partner_cannot_loosen_the_programme_rules(world: World, field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.rules_set(
            programme=world.programme, partner=world.partner_a, by=_u(world, "coordinator_a"), **{field: value}
        )

    assert field in error.value.message_dict
    assert not RuleSet.objects.exists()


def test_partner_tightening_one_rule_keeps_the_programme_values_of_the_others(
    world: World, category: ActivityCategory
) -> None:
    office = _u(world, "office")
    services.rules_set(programme=world.programme, by=office, entry_window_days=7, lock_day=3)

    local = services.rules_set(
        programme=world.programme,
        partner=world.partner_a,
        by=_u(world, "coordinator_a"),
        daily_max_hours=D("8"),
    )

    assert (local.entry_window_days, local.lock_day) == (7, 3)


def test_another_partners_coordinator_cannot_tighten_rules_here(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.rules_set(
            programme=world.programme,
            partner=world.partner_a,
            by=_u(world, "coordinator_b"),
            daily_max_hours=D("8"),
        )

    assert not RuleSet.objects.exists()


# --- Approval --------------------------------------------------------------------------------------------


def test_placement_supervisor_approves_a_pending_entry(world: World, category: ActivityCategory) -> None:
    log = _log(world, category)

    approved = services.practice_log_approve(log=log, by=_u(world, "supervisor_a"), today=TODAY)

    log.refresh_from_db()
    assert log.status == EntryStatus.APPROVED == approved.status
    assert log.decided_by == world.users["supervisor_a"]
    assert log.decided_at is not None
    assert not log.decided_in_bulk
    assert log.history.first().history_user == world.users["supervisor_a"]  # type: ignore[union-attr]


@pytest.mark.parametrize("persona", ["supervisor_b", "coordinator_a", "coordinator_b", "tutor", "office", "student_a"])
def test_only_the_placement_supervisor_approves_and_nothing_changes_otherwise(
    world: World, category: ActivityCategory, persona: str
) -> None:
    log = _log(world, category)
    history_before = log.history.count()

    with pytest.raises(PermissionDenied):
        services.practice_log_approve(log=log, by=_u(world, persona), today=TODAY)
    with pytest.raises(PermissionDenied):
        services.practice_log_reject(log=log, by=_u(world, persona), reason="No.", today=TODAY)

    log.refresh_from_db()
    assert log.status == EntryStatus.PENDING
    assert log.decided_by is None
    assert log.history.count() == history_before


def test_nobody_approves_their_own_entry(world: World, category: ActivityCategory) -> None:
    # A pending entry the supervisor made (e.g. imported from the hospital's system before they took over).
    log = PracticeLogFactory.create(
        placement=world.placement_a, category=category, date=DAY, entered_by=_u(world, "supervisor_a")
    )

    with pytest.raises(ValidationError) as error:
        services.practice_log_approve(log=log, by=_u(world, "supervisor_a"), today=TODAY)

    assert _refused(error) == {"status": ["own_entry"]}
    log.refresh_from_db()
    assert log.status == EntryStatus.PENDING


def test_an_approved_entry_is_not_approved_again(world: World, category: ActivityCategory) -> None:
    log = _log(world, category, by="supervisor_a")

    with pytest.raises(ValidationError) as error:
        services.practice_log_approve(log=log, by=_u(world, "supervisor_a"), today=TODAY)

    assert _refused(error) == {"status": ["own_entry"]}
    other = _log(world, category)
    services.practice_log_approve(log=other, by=_u(world, "supervisor_a"), today=TODAY)
    with pytest.raises(ValidationError) as error:
        services.practice_log_approve(log=other, by=_u(world, "supervisor_a"), today=TODAY)
    assert _refused(error) == {"status": ["not_pending"]}


def test_bulk_approval_approves_all_and_marks_them(world: World, category: ActivityCategory) -> None:
    logs = [_log(world, category, hours=D("1"), date=DAY - datetime.timedelta(days=n)) for n in range(3)]

    approved = services.practice_logs_approve(
        log_ids=[log.pk for log in logs], by=_u(world, "supervisor_a"), today=TODAY
    )

    assert len(approved) == 3
    assert set(PracticeLog.objects.values_list("status", "decided_in_bulk", "decided_by")) == {
        (EntryStatus.APPROVED, True, _u(world, "supervisor_a").pk)
    }


def test_bulk_approval_with_one_foreign_entry_approves_none(world: World, category: ActivityCategory) -> None:
    mine = [_log(world, category, hours=D("1"), date=DAY - datetime.timedelta(days=n)) for n in range(2)]
    foreign = services.practice_log_create(
        entry=EntryInput(placement=world.placement_b, date=DAY, category=category, hours=D("3")),
        by=_u(world, "student_b"),
        today=TODAY,
    )

    with pytest.raises(ValidationError) as error:
        services.practice_logs_approve(
            log_ids=[mine[0].pk, foreign.pk, mine[1].pk], by=_u(world, "supervisor_a"), today=TODAY
        )

    assert _refused(error) == {"ids": ["not_found"]}
    assert set(PracticeLog.objects.values_list("status", flat=True)) == {EntryStatus.PENDING}


def test_bulk_approval_with_one_entry_not_pending_approves_none(world: World, category: ActivityCategory) -> None:
    first, second, third = (
        _log(world, category, hours=D("1"), date=DAY - datetime.timedelta(days=n)) for n in range(3)
    )
    services.practice_log_withdraw(log=second, by=_u(world, "student_a"))

    with pytest.raises(ValidationError) as error:
        services.practice_logs_approve(
            log_ids=[first.pk, second.pk, third.pk], by=_u(world, "supervisor_a"), today=TODAY
        )

    assert _refused(error) == {"status": ["not_pending"]}
    assert dict(PracticeLog.objects.values_list("pk", "status")) == {
        first.pk: EntryStatus.PENDING,
        second.pk: EntryStatus.WITHDRAWN,
        third.pk: EntryStatus.PENDING,
    }
    assert not PracticeLog.objects.filter(decided_by__isnull=False).exists()


def test_bulk_approval_with_an_unknown_id_approves_none(world: World, category: ActivityCategory) -> None:
    log = _log(world, category)

    with pytest.raises(ValidationError) as error:
        services.practice_logs_approve(log_ids=[log.pk, 999999], by=_u(world, "supervisor_a"), today=TODAY)

    assert _refused(error) == {"ids": ["not_found"]}
    log.refresh_from_db()
    assert log.status == EntryStatus.PENDING


def test_bulk_approval_of_nothing_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        services.practice_logs_approve(log_ids=[], by=_u(world, "supervisor_a"), today=TODAY)

    assert _refused(error) == {"ids": ["empty"]}


# --- Rejection and withdrawal ------------------------------------------------------------------------


def test_rejection_needs_a_reason(world: World, category: ActivityCategory) -> None:
    log = _log(world, category)

    with pytest.raises(ValidationError) as error:
        services.practice_log_reject(log=log, by=_u(world, "supervisor_a"), reason="  ", today=TODAY)

    assert _refused(error) == {"reason": ["reason_required"]}
    log.refresh_from_db()
    assert log.status == EntryStatus.PENDING


def test_rejection_keeps_the_reason_the_student_sees(world: World, category: ActivityCategory) -> None:
    log = _log(world, category)

    services.practice_log_reject(
        log=log, by=_u(world, "supervisor_a"), reason=" Please split CT and MR hours. ", today=TODAY
    )

    log.refresh_from_db()
    assert (log.status, log.rejection_reason) == (EntryStatus.REJECTED, "Please split CT and MR hours.")
    assert log.decided_by == world.users["supervisor_a"]


def test_student_withdraws_their_own_pending_entry(world: World, category: ActivityCategory) -> None:
    log = _log(world, category)

    services.practice_log_withdraw(log=log, by=_u(world, "student_a"))

    log.refresh_from_db()
    assert log.status == EntryStatus.WITHDRAWN


@pytest.mark.parametrize("persona", ["student_b", "supervisor_a", "coordinator_a", "office"])
def test_only_the_student_who_entered_it_withdraws(world: World, category: ActivityCategory, persona: str) -> None:
    log = _log(world, category)

    with pytest.raises(PermissionDenied):
        services.practice_log_withdraw(log=log, by=_u(world, persona))

    log.refresh_from_db()
    assert log.status == EntryStatus.PENDING


def test_approved_or_rejected_entries_are_not_withdrawn(world: World, category: ActivityCategory) -> None:
    approved = _log(world, category, hours=D("2"))
    services.practice_log_approve(log=approved, by=_u(world, "supervisor_a"), today=TODAY)
    rejected = _log(world, category, hours=D("2"))
    services.practice_log_reject(log=rejected, by=_u(world, "supervisor_a"), reason="Duplicate.", today=TODAY)

    for log in (approved, rejected):
        with pytest.raises(ValidationError) as error:
            services.practice_log_withdraw(log=log, by=_u(world, "student_a"))
        assert _refused(error) == {"status": ["not_pending"]}


def test_supervisors_entry_cannot_be_withdrawn_by_the_student(world: World, category: ActivityCategory) -> None:
    log = _log(world, category, by="supervisor_a")

    with pytest.raises(PermissionDenied):
        services.practice_log_withdraw(log=log, by=_u(world, "student_a"))


# --- Corrections ---------------------------------------------------------------------------------------


@pytest.fixture
def approved(world: World, category: ActivityCategory) -> PracticeLog:
    log = _log(world, category, hours=D("8"))
    return services.practice_log_approve(log=log, by=_u(world, "supervisor_a"), today=TODAY)


def test_only_approved_entries_are_corrected(world: World, category: ActivityCategory) -> None:
    pending = _log(world, category)

    with pytest.raises(ValidationError) as error:
        services.practice_log_correct(
            original=pending, by=_u(world, "student_a"), hours=D("-1"), reason="Typo.", today=TODAY
        )

    assert _refused(error) == {"corrects": ["not_approved"]}


def test_correction_needs_a_reason_and_a_change(world: World, approved: PracticeLog) -> None:
    with pytest.raises(ValidationError) as error:
        services.practice_log_correct(original=approved, by=_u(world, "student_a"), hours=D("-1"), reason=" ")
    assert _refused(error) == {"correction_reason": ["reason_required"]}

    with pytest.raises(ValidationError) as error:
        services.practice_log_correct(original=approved, by=_u(world, "student_a"), hours=D("0"), reason="Typo.")
    assert _refused(error) == {"hours": ["hours_range"]}
    assert PracticeLog.objects.count() == 1


def test_negative_correction_reverses_an_entry_and_is_approved_like_any_other(
    world: World, approved: PracticeLog
) -> None:
    correction = services.practice_log_correct(
        original=approved, by=_u(world, "student_a"), hours=D("-8"), reason="Logged at the wrong site.", today=TODAY
    )

    assert correction.status == EntryStatus.PENDING
    assert (correction.corrects, correction.hours, correction.date) == (approved, D("-8"), approved.date)
    assert correction.correction_reason == "Logged at the wrong site."
    services.practice_log_approve(log=correction, by=_u(world, "supervisor_a"), today=TODAY)
    correction.refresh_from_db()
    assert correction.status == EntryStatus.APPROVED
    approved.refresh_from_db()
    assert (approved.status, approved.hours) == (EntryStatus.APPROVED, D("8"))  # the original is untouched


def test_correction_cannot_take_back_more_than_was_approved(world: World, approved: PracticeLog) -> None:
    with pytest.raises(ValidationError) as error:
        services.practice_log_correct(
            original=approved, by=_u(world, "student_a"), hours=D("-8.5"), reason="Too much.", today=TODAY
        )
    assert _refused(error) == {"hours": ["hours_range"]}

    services.practice_log_correct(
        original=approved, by=_u(world, "student_a"), hours=D("-5"), reason="Left early.", today=TODAY
    )
    # 3 hours are left once the pending correction counts: taking back 4 more is too much.
    with pytest.raises(ValidationError) as error:
        services.practice_log_correct(
            original=approved, by=_u(world, "student_a"), hours=D("-4"), reason="And more.", today=TODAY
        )
    assert _refused(error) == {"hours": ["hours_range"]}


def test_positive_correction_respects_the_daily_maximum(world: World, approved: PracticeLog) -> None:
    with pytest.raises(ValidationError) as error:
        services.practice_log_correct(
            original=approved, by=_u(world, "student_a"), hours=D("5"), reason="Stayed late.", today=TODAY
        )
    assert _refused(error) == {"hours": ["daily_maximum"]}

    assert services.practice_log_correct(
        original=approved, by=_u(world, "student_a"), hours=D("4"), reason="Stayed late.", today=TODAY
    ).hours == D("4")


def test_pending_reversal_does_not_free_the_day_until_approved(world: World, approved: PracticeLog) -> None:
    correction = services.practice_log_correct(
        original=approved, by=_u(world, "student_a"), hours=D("-8"), reason="Wrong day.", today=TODAY
    )

    # The reversal may still be rejected: the 8 approved hours keep counting until it is approved.
    with pytest.raises(ValidationError) as error:
        _log(world, category=approved.category, hours=D("12"))
    assert _refused(error) == {"hours": ["daily_maximum"]}

    services.practice_log_approve(log=correction, by=_u(world, "supervisor_a"), today=TODAY)
    assert _log(world, category=approved.category, hours=D("12")).hours == D("12")


def test_supervisors_correction_is_approved_on_entry(world: World, approved: PracticeLog) -> None:
    correction = services.practice_log_correct(
        original=approved, by=_u(world, "supervisor_a"), hours=D("-2"), reason="Break not deducted.", today=TODAY
    )

    assert correction.status == EntryStatus.APPROVED
    assert correction.entered_by_supervisor


def test_correction_of_a_closed_month_is_refused(world: World, category: ActivityCategory) -> None:
    log = _log(world, category, date=datetime.date(2026, 10, 30), today=datetime.date(2026, 10, 30), by="supervisor_a")

    with pytest.raises(ValidationError) as error:
        services.practice_log_correct(
            original=log, by=_u(world, "student_a"), hours=D("-1"), reason="Typo.", today=datetime.date(2026, 11, 6)
        )

    assert _refused(error) == {"date": ["month_closed"]}


def test_correction_is_made_only_by_who_may_log_there(world: World, approved: PracticeLog) -> None:
    with pytest.raises(PermissionDenied):
        services.practice_log_correct(
            original=approved, by=_u(world, "supervisor_b"), hours=D("-1"), reason="Typo.", today=TODAY
        )


def test_history_shows_the_entry_and_its_correction(world: World, approved: PracticeLog) -> None:
    correction = services.practice_log_correct(
        original=approved, by=_u(world, "student_a"), hours=D("-2"), reason="Break not deducted.", today=TODAY
    )
    services.practice_log_approve(log=correction, by=_u(world, "supervisor_a"), today=TODAY)

    rows = list(
        PracticeLog.history.filter(id__in=[approved.pk, correction.pk])
        .order_by("history_id")
        .values_list("id", "status", "hours", "history_user__username")
    )
    assert rows == [
        (approved.pk, EntryStatus.PENDING, D("8.00"), "student_a"),
        (approved.pk, EntryStatus.APPROVED, D("8.00"), "supervisor_a"),
        (correction.pk, EntryStatus.PENDING, D("-2.00"), "student_a"),
        (correction.pk, EntryStatus.APPROVED, D("-2.00"), "supervisor_a"),
    ]
    assert list(approved.corrections.all()) == [correction]


# --- Evidence and idempotency ------------------------------------------------------------------------------


def test_entries_cannot_be_bulk_updated_or_deleted(world: World, category: ActivityCategory) -> None:
    _log(world, category)

    with pytest.raises(TypeError):
        PracticeLog.objects.update(status=EntryStatus.APPROVED)
    with pytest.raises(TypeError):
        PracticeLog.objects.filter(student=world.student_a).delete()
    with pytest.raises(TypeError):
        RuleSet.objects.update(lock_day=1)
    with pytest.raises(TypeError):
        MonthReopening.objects.all().delete()

    assert PracticeLog.objects.get().status == EntryStatus.PENDING


def test_same_idempotency_key_twice_gives_the_first_entry_and_no_second_row(
    world: World, category: ActivityCategory
) -> None:
    first = _log(world, category, key="his-123", hours=D("8"))

    with pytest.raises(DuplicateEntry) as duplicate:
        # A retry of the same request: 8 more hours would break the daily maximum, but it is a duplicate.
        _log(world, category, key="his-123", hours=D("8"))

    assert duplicate.value.existing == first
    assert PracticeLog.objects.count() == 1


def test_idempotency_key_is_per_person_who_enters(world: World, category: ActivityCategory) -> None:
    _log(world, category, key="row-1", hours=D("2"))
    other = services.practice_log_create(
        entry=EntryInput(placement=world.placement_b, date=DAY, category=category, hours=D("2")),
        by=_u(world, "student_b"),
        today=TODAY,
        idempotency_key="row-1",
    )

    assert other.pk
    assert PracticeLog.objects.count() == 2


def test_entries_without_a_key_are_never_duplicates(world: World, category: ActivityCategory) -> None:
    _log(world, category, hours=D("2"))
    _log(world, category, hours=D("2"))

    assert PracticeLog.objects.count() == 2


def test_placement_is_reread_so_a_stale_object_cannot_dodge_the_rules(world: World, category: ActivityCategory) -> None:
    stale = Placement.objects.get(pk=world.placement_a.pk)
    student_services.placement_cancel(placement=world.placement_a, by=_u(world, "student_a"), reason="Moved.")

    with pytest.raises(ValidationError) as error:
        services.practice_log_create(
            entry=_entry(world, category, placement=stale), by=_u(world, "student_a"), today=TODAY
        )

    assert _refused(error) == {"placement": ["placement"]}
