"""Bulk create, each rule inside one batch, through both paths (``bulk_path``: row by row, and set-based on
PostgreSQL): rows of one batch that overlap each other, a daily maximum reached only by the batch's own rows,
a key repeated in the batch, every rule's refusal with its words, the partner's stricter rules, the history
row, and (set-based) a number of queries that does not grow with the rows.

Entries are dated relative to the real today, as the API works on it (see ``test_api.py``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from practice.models import EntryStatus, PracticeLog
from practice.services import BulkEntry, month_reopen, practice_logs_bulk_create, rules_set
from programmes.models import ActivityCategory
from students.models import Placement, PlacementStatus
from tests.conftest import World
from tests.factories.practice import PracticeLogFactory
from tests.factories.programmes import ActivityCategoryFactory, ProgrammeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bulk_path")]


def _day(days_back: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days_back)


def _u(world: World, persona: str) -> User:
    user = world.users[persona]
    assert user is not None
    return user


@pytest.fixture
def category(world: World) -> ActivityCategory:
    for placement in (world.placement_a, world.placement_b):
        Placement.objects.filter(pk=placement.pk).update(start_date=_day(150), end_date=_day(-60))
        placement.refresh_from_db()
    return ActivityCategoryFactory.create(programme=world.programme, code="ward", name="Ward rounds")


def _row(world: World, category: ActivityCategory, index: int, key: str, **values: Any) -> BulkEntry:
    fields: dict[str, Any] = {
        "placement_id": world.placement_a.pk,
        "category_id": category.pk,
        "date": _day(1),
        "hours": Decimal("1.00"),
    }
    fields.update(values)
    return BulkEntry(index=index, idempotency_key=key, **fields)


def _create(world: World, rows: list[BulkEntry], persona: str = "student_a") -> list[tuple[Any, ...]]:
    outcomes = practice_logs_bulk_create(rows=rows, by=_u(world, persona))
    assert [outcome.index for outcome in outcomes] == [row.index for row in rows]
    return [(outcome.status, outcome.rule, outcome.field) for outcome in outcomes]


def _keys() -> set[str]:
    return {
        str(key) for key in PracticeLog.objects.exclude(idempotency_key=None).values_list("idempotency_key", flat=True)
    }


def test_rows_of_one_batch_that_overlap_each_other(world: World, category: ActivityCategory) -> None:
    times = [("08:00", "10:00"), ("09:30", "11:00"), ("10:00", "12:00"), ("07:00", "08:30")]
    rows = [
        _row(
            world,
            category,
            n,
            f"t{n}",
            hours=None,
            start_time=datetime.time.fromisoformat(start),
            end_time=datetime.time.fromisoformat(end),
        )
        for n, (start, end) in enumerate(times)
    ]

    assert _create(world, rows) == [
        ("created", None, None),
        ("refused", "overlap", "start_time"),
        ("created", None, None),  # touches the first at 10:00, and the refused second does not count
        ("refused", "overlap", "start_time"),
    ]
    assert _keys() == {"t0", "t2"}


def test_a_batch_row_overlapping_an_earlier_entry(world: World, category: ActivityCategory) -> None:
    PracticeLogFactory.create(
        placement=world.placement_a,
        category=category,
        date=_day(1),
        hours=Decimal("2"),
        start_time=datetime.time(8),
        end_time=datetime.time(10),
    )
    rows = [_row(world, category, 0, "x", hours=None, start_time=datetime.time(9), end_time=datetime.time(9, 30))]

    assert _create(world, rows) == [("refused", "overlap", "start_time")]


def test_a_day_whose_rows_fit_together_refuses_only_the_row_overlapping_an_earlier_entry(
    world: World, category: ActivityCategory
) -> None:
    # Set-based, this day is decided without the walk: its rows fit under the maximum together and do not
    # overlap each other (the second touches the earlier entry's end, the third has no times).
    PracticeLogFactory.create(
        placement=world.placement_a,
        category=category,
        date=_day(1),
        hours=Decimal("2"),
        start_time=datetime.time(8),
        end_time=datetime.time(10),
    )
    rows = [
        _row(world, category, 0, "inside", hours=None, start_time=datetime.time(9), end_time=datetime.time(9, 30)),
        _row(world, category, 1, "after", hours=None, start_time=datetime.time(10), end_time=datetime.time(11)),
        _row(world, category, 2, "untimed", hours=Decimal("1.00")),
        _row(
            world,
            category,
            3,
            "other-day",
            date=_day(2),
            hours=None,
            start_time=datetime.time(9),
            end_time=datetime.time(9, 30),
        ),
    ]

    assert _create(world, rows) == [
        ("refused", "overlap", "start_time"),
        ("created", None, None),
        ("created", None, None),
        ("created", None, None),
    ]
    assert _keys() == {"after", "untimed", "other-day"}


def test_daily_maximum_reached_only_by_the_sum_of_the_batch(world: World, category: ActivityCategory) -> None:
    PracticeLogFactory.create(placement=world.placement_a, category=category, date=_day(1), hours=Decimal("3"))
    rows = [
        _row(world, category, 0, "a", hours=Decimal("5.00")),
        _row(world, category, 1, "b", hours=Decimal("3.00")),
        _row(world, category, 2, "c", hours=Decimal("2.00")),  # 13 that day: refused
        _row(world, category, 3, "d", hours=Decimal("1.00")),  # 12: fits
        _row(world, category, 4, "e", date=_day(2), hours=Decimal("12.00")),  # another day
    ]

    outcomes = practice_logs_bulk_create(rows=rows, by=_u(world, "student_a"))

    assert [(o.status, o.rule) for o in outcomes] == [
        ("created", None),
        ("created", None),
        ("refused", "daily_maximum"),
        ("created", None),
        ("created", None),
    ]
    assert outcomes[2].message == (
        f"Rule “daily maximum”: 11.00 hours are already logged on {_day(1).isoformat()}; at most 12 a day."
    )
    assert _keys() == {"a", "b", "d", "e"}


def test_a_key_repeated_in_the_batch_answers_the_entry_of_its_first_row(
    world: World, category: ActivityCategory
) -> None:
    rows = [
        _row(world, category, 0, "k"),
        _row(world, category, 1, "k", date=_day(2)),
        _row(world, category, 2, "m", hours=Decimal("30")),  # refused: the key is still free
        _row(world, category, 3, "m", date=_day(3)),
    ]

    outcomes = practice_logs_bulk_create(rows=rows, by=_u(world, "student_a"))

    made = dict(PracticeLog.objects.values_list("idempotency_key", "pk"))
    assert [(o.status, o.id, o.rule) for o in outcomes] == [
        ("created", made["k"], None),
        ("duplicate", made["k"], None),
        ("refused", None, "hours_range"),
        ("created", made["m"], None),
    ]
    assert PracticeLog.objects.get(pk=made["m"]).date == _day(3)


def test_a_key_used_before_the_batch_is_a_duplicate_whatever_the_rules_say(
    world: World, category: ActivityCategory
) -> None:
    first = practice_logs_bulk_create(
        rows=[_row(world, category, 0, "old", hours=Decimal("12"))], by=_u(world, "student_a")
    )

    again = practice_logs_bulk_create(
        rows=[_row(world, category, 0, "old", hours=Decimal("12"))], by=_u(world, "student_a")
    )

    assert [(o.status, o.id) for o in again] == [("duplicate", first[0].id)]
    assert PracticeLog.objects.count() == 1


def test_every_rule_refuses_its_row_in_the_same_words(world: World, category: ActivityCategory) -> None:
    other = ActivityCategoryFactory.create(programme=ProgrammeFactory.create(), code="x", name="Elsewhere")
    cancelled = world.placement_b
    rows = [
        _row(world, category, 0, "future", date=_day(-1)),
        _row(world, category, 1, "outside", date=_day(151)),
        _row(world, category, 2, "window", date=_day(20)),
        _row(world, category, 3, "zero", hours=Decimal("0")),
        _row(world, category, 4, "big", hours=Decimal("12.50")),
        _row(world, category, 5, "half", hours=None, start_time=datetime.time(8)),
        _row(world, category, 6, "backwards", hours=None, start_time=datetime.time(9), end_time=datetime.time(8)),
        _row(world, category, 7, "nohours", hours=None),
        _row(world, category, 8, "elsewhere", category_id=other.pk),
        _row(world, category, 9, "nocategory", category_id=0),
        _row(world, category, 10, "theirs", placement_id=cancelled.pk),
        _row(world, category, 11, "noplacement", placement_id=0),
        _row(world, category, 12, "fine"),
    ]

    outcomes = practice_logs_bulk_create(rows=rows, by=_u(world, "student_a"))

    placement = world.placement_a
    assert [(o.status, o.rule, o.field, o.message) for o in outcomes] == [
        ("refused", "future_date", "date", "Rule “no future dates”: the date cannot be after today."),
        (
            "refused",
            "outside_placement",
            "date",
            f"Rule “date inside the placement”: the placement runs from {placement.start_date.isoformat()} "
            f"to {placement.end_date.isoformat()}.",
        ),
        ("refused", "entry_window", "date", "Rule “entry window”: entries can be made at most 14 days back."),
        ("refused", "hours_range", "hours", "Rule “hours”: hours must be above zero and at most 12."),
        ("refused", "hours_range", "hours", "Rule “hours”: hours must be above zero and at most 12."),
        ("refused", "hours_range", "end_time", "Give both a start and an end time, or only hours."),
        ("refused", "hours_range", "end_time", "The end time must be after the start time."),
        ("refused", "hours_range", "hours", "Give the hours, or a start and an end time."),
        ("refused", "category", "category", "Choose an activity of the student's programme."),
        ("refused", "does_not_exist", "category", "No such activity."),
        ("refused", "does_not_exist", "placement", "No such placement that you may log hours at."),
        ("refused", "does_not_exist", "placement", "No such placement that you may log hours at."),
        ("created", None, None, None),
    ]
    assert _keys() == {"fine"}


def test_a_cancelled_placement_and_a_closed_month(world: World, category: ActivityCategory) -> None:
    Placement.objects.filter(pk=world.placement_b.pk).update(status=PlacementStatus.CANCELLED)
    rules_set(programme=world.programme, by=_u(world, "office"), entry_window_days=120, lock_day=1)
    closed = (timezone.localdate().replace(day=1) - datetime.timedelta(days=40)).replace(day=10)
    rows = [
        _row(world, category, 0, "cancelled", placement_id=world.placement_b.pk),
        _row(world, category, 1, "closed", date=closed),
    ]

    outcomes = practice_logs_bulk_create(rows=rows, by=_u(world, "supervisor_b"))
    assert [(o.status, o.rule, o.field) for o in outcomes] == [
        ("refused", "placement", "placement"),
        ("refused", "does_not_exist", "placement"),
    ]
    outcomes = practice_logs_bulk_create(rows=rows[1:], by=_u(world, "student_a"))
    closes = (closed.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    assert [(o.rule, o.message) for o in outcomes] == [
        (
            "month_closed",
            f"Rule “monthly lock”: {closed:%Y-%m} closed on {closes.isoformat()}; the graduate office can reopen it.",
        )
    ]

    month_reopen(
        programme=world.programme, month=closed, until=_day(-3), reason="Late paperwork", by=_u(world, "office")
    )
    assert _create(world, rows[1:]) == [("created", None, None)]


def test_the_partner_s_stricter_rules_and_their_version(world: World, category: ActivityCategory) -> None:
    programme_rules = rules_set(programme=world.programme, by=_u(world, "office"), daily_max_hours=Decimal("10"))
    partner_rules = rules_set(
        programme=world.programme,
        partner=world.placement_a.partner,
        by=_u(world, "office"),
        daily_max_hours=Decimal("6"),
    )
    rows = [_row(world, category, 0, "a", hours=Decimal("4")), _row(world, category, 1, "b", hours=Decimal("3"))]

    outcomes = practice_logs_bulk_create(rows=rows, by=_u(world, "student_a"))

    assert [(o.status, o.rule) for o in outcomes] == [("created", None), ("refused", "daily_maximum")]
    assert outcomes[1].message is not None and "at most 6.00 a day" in outcomes[1].message
    assert PracticeLog.objects.get().rule_version == f"P{programme_rules.pk}/L{partner_rules.pk}"


def test_supervisor_rows_are_approved_and_each_entry_has_its_history(world: World, category: ActivityCategory) -> None:
    supervisor = _u(world, "supervisor_a")
    rows = [_row(world, category, 0, "s0", description="  Ward round  "), _row(world, category, 1, "s1", date=_day(2))]

    outcomes = practice_logs_bulk_create(rows=rows, by=supervisor)

    logs = list(PracticeLog.objects.order_by("pk"))
    assert [o.id for o in outcomes] == [log.pk for log in logs]
    assert [(log.status, log.entered_by_supervisor, log.decided_by_id, log.description) for log in logs] == [
        (EntryStatus.APPROVED, True, supervisor.pk, "Ward round"),
        (EntryStatus.APPROVED, True, supervisor.pk, ""),
    ]
    assert all(log.decided_at is not None and log.rule_version == "P0/L0" for log in logs)
    history = [(h.id, h.history_type, h.history_user_id, h.status, h.hours) for h in PracticeLog.history.order_by("id")]
    assert history == [(log.pk, "+", supervisor.pk, EntryStatus.APPROVED, Decimal("1.00")) for log in logs]


def _queries(world: World, category: ActivityCategory, count: int, prefix: str) -> int:
    rows = [_row(world, category, n, f"{prefix}{n}", hours=Decimal("0.10"), date=_day(n % 5)) for n in range(count)]
    with CaptureQueriesContext(connection) as captured:
        outcomes = practice_logs_bulk_create(rows=rows, by=_u(world, "student_a"))
    assert [o.status for o in outcomes] == ["created"] * count
    return len(captured)


def test_set_based_bulk_create_costs_the_same_queries_for_ten_rows_or_a_hundred(
    world: World, category: ActivityCategory, bulk_path: str
) -> None:
    if bulk_path != "set":
        pytest.skip("the row path's cost per row is test_api.py's test_bulk_create_queries_are_bounded_per_row")

    ten, hundred = _queries(world, category, 10, "a"), _queries(world, category, 100, "b")

    assert ten == hundred <= 15, (ten, hundred)
