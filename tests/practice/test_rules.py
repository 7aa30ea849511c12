"""The rule helpers on their own: when a month closes, when it is open, which rules are in force and
under which version, what counts towards a day's total, and what overlaps."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from accounts.models import User
from practice import rules
from practice.models import EntryStatus, MonthReopening
from programmes.models import ActivityCategory
from tests.conftest import World
from tests.factories.practice import PracticeLogFactory, RuleSetFactory
from tests.factories.programmes import ActivityCategoryFactory

D = Decimal
DAY = datetime.date(2026, 11, 19)


@pytest.mark.parametrize(
    ("day", "lock_day", "closes_on"),
    [
        (datetime.date(2026, 10, 1), 5, datetime.date(2026, 11, 5)),
        (datetime.date(2026, 10, 31), 5, datetime.date(2026, 11, 5)),
        (datetime.date(2026, 12, 15), 5, datetime.date(2027, 1, 5)),  # across the new year
        (datetime.date(2027, 1, 31), 28, datetime.date(2027, 2, 28)),  # into the shortest month
        (datetime.date(2026, 2, 28), 1, datetime.date(2026, 3, 1)),
    ],
)
def test_month_closes_on_day_n_of_the_next_month(day: datetime.date, lock_day: int, closes_on: datetime.date) -> None:
    assert rules.month_closes_on(day, lock_day) == closes_on


def test_month_is_open_until_its_closing_day(world: World) -> None:
    october = datetime.date(2026, 10, 12)

    assert rules.is_month_open(programme=world.programme, day=october, today=datetime.date(2026, 11, 5), lock_day=5)
    assert not rules.is_month_open(programme=world.programme, day=october, today=datetime.date(2026, 11, 6), lock_day=5)


def test_reopening_opens_only_its_programme_and_month_until_its_date(world: World, office: User) -> None:
    MonthReopening.objects.create(
        programme=world.programme,
        month=datetime.date(2026, 10, 1),
        until=datetime.date(2026, 11, 20),
        reason="Outage.",
        by=office,
    )
    october, september = datetime.date(2026, 10, 12), datetime.date(2026, 9, 12)

    def open_(day: datetime.date, today: datetime.date, programme: object = world.programme) -> bool:
        return rules.is_month_open(programme=programme, day=day, today=today, lock_day=5)  # type: ignore[arg-type]

    assert open_(october, datetime.date(2026, 11, 20))
    assert not open_(october, datetime.date(2026, 11, 21))
    assert not open_(september, datetime.date(2026, 11, 20))
    other = ActivityCategoryFactory.create().programme
    assert not open_(october, datetime.date(2026, 11, 20), programme=other)


def test_defaults_without_any_rule_set(world: World) -> None:
    in_force = rules.rules_for(programme=world.programme, partner=world.partner_a)

    assert in_force == rules.Rules(D("12"), 14, 5, "P0/L0")
    assert rules.programme_rules(programme=world.programme) == in_force


def test_latest_programme_rules_are_in_force(world: World, office: User) -> None:
    RuleSetFactory.create(programme=world.programme, daily_max_hours=D("10"), created_by=office)
    latest = RuleSetFactory.create(programme=world.programme, daily_max_hours=D("11"), created_by=office)

    in_force = rules.rules_for(programme=world.programme, partner=world.partner_a)

    assert (in_force.daily_max_hours, in_force.version) == (D("11"), f"P{latest.pk}/L0")


def test_partner_rules_take_the_stricter_value_of_each_rule(world: World, office: User) -> None:
    base = RuleSetFactory.create(
        programme=world.programme, daily_max_hours=D("10"), entry_window_days=7, lock_day=5, created_by=office
    )
    # A row written before the programme tightened: its looser window does not loosen anything.
    local = RuleSetFactory.create(
        programme=world.programme,
        partner=world.partner_a,
        daily_max_hours=D("8"),
        entry_window_days=14,
        lock_day=3,
        created_by=office,
    )

    at_a = rules.rules_for(programme=world.programme, partner=world.partner_a)
    at_b = rules.rules_for(programme=world.programme, partner=world.partner_b)

    assert at_a == rules.Rules(D("8"), 7, 3, f"P{base.pk}/L{local.pk}")
    assert at_b == rules.Rules(D("10"), 7, 5, f"P{base.pk}/L0")


def test_rules_of_another_programme_do_not_apply(world: World, office: User) -> None:
    RuleSetFactory.create(daily_max_hours=D("6"), created_by=office)

    assert rules.rules_for(programme=world.programme, partner=world.partner_a).version == "P0/L0"


@pytest.fixture
def category(world: World) -> ActivityCategory:
    return ActivityCategoryFactory.create(programme=world.programme)


def test_day_total_counts_pending_and_approved_only(world: World, category: ActivityCategory) -> None:
    for status, hours in (
        (EntryStatus.PENDING, "2"),
        (EntryStatus.APPROVED, "3"),
        (EntryStatus.REJECTED, "4"),
        (EntryStatus.WITHDRAWN, "5"),
    ):
        PracticeLogFactory.create(
            placement=world.placement_a, category=category, date=DAY, hours=D(hours), status=status
        )
    PracticeLogFactory.create(placement=world.placement_a, category=category, date=DAY - datetime.timedelta(days=1))
    PracticeLogFactory.create(placement=world.placement_b, category=category, date=DAY)

    assert rules.day_total(student_id=world.student_a.pk, day=DAY) == D("5")


def test_day_total_takes_hours_back_only_once_a_correction_is_approved(
    world: World, category: ActivityCategory
) -> None:
    original = PracticeLogFactory.create(
        placement=world.placement_a, category=category, date=DAY, hours=D("8"), approved=True
    )
    correction = PracticeLogFactory.create(
        placement=world.placement_a,
        category=category,
        date=DAY,
        hours=D("-8"),
        corrects=original,
        correction_reason="Wrong site.",
    )
    # Pending, the reversal may still be rejected: the 8 hours still count.
    assert rules.day_total(student_id=world.student_a.pk, day=DAY) == D("8")
    assert rules.day_total(student_id=world.student_a.pk, day=DAY, exclude_pk=original.pk) == D("0")

    correction.status = EntryStatus.APPROVED
    correction.save()
    assert rules.day_total(student_id=world.student_a.pk, day=DAY) == D("0")


def test_overlap_is_a_strict_intersection_of_counting_entries(world: World, category: ActivityCategory) -> None:
    log = PracticeLogFactory.create(
        placement=world.placement_a,
        category=category,
        date=DAY,
        hours=D("2"),
        start_time=datetime.time(9),
        end_time=datetime.time(11),
    )

    def overlaps(start: int, end: int, exclude: int | None = None) -> bool:
        return rules.overlapping_exists(
            student_id=world.student_a.pk,
            day=DAY,
            start=datetime.time(start),
            end=datetime.time(end),
            exclude_pk=exclude,
        )

    assert overlaps(10, 12)
    assert overlaps(8, 10)
    assert overlaps(8, 12)
    assert not overlaps(11, 12)
    assert not overlaps(7, 9)
    assert not overlaps(10, 12, exclude=log.pk)
    log.status = EntryStatus.REJECTED
    log.rejection_reason = "No."
    log.save()
    assert not overlaps(10, 12)
