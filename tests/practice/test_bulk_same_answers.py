"""The set-based bulk create against the row path on one mixed batch, compared in full (ADR 0052): every
row's outcome (status, rule, field, words), the entries written and their history rows. Each path runs in a
savepoint undone afterwards, on the same data. And the outcomes of an all-created batch, which the
set-based path builds without ``BulkOutcome``'s ``__init__``, equal the constructor's; and a row whose key
another request took between the check and the insert answers that request's entry.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from practice.models import PracticeLog
from practice.services import BulkEntry, BulkOutcome, BulkRowStatus, practice_logs_bulk_create
from practice.services.bulk import _all_created, _outcomes
from programmes.models import ActivityCategory
from students.models import Placement
from tests.conftest import World
from tests.factories.practice import PracticeLogFactory, RuleSetFactory
from tests.factories.programmes import ActivityCategoryFactory

pytestmark = pytest.mark.django_db

_ENTRY = (
    "idempotency_key",
    "placement_id",
    "student_id",
    "category_id",
    "date",
    "hours",
    "start_time",
    "end_time",
    "cases",
    "description",
    "status",
    "entered_by_id",
    "entered_by_supervisor",
    "decided_by_id",
    "decided_in_bulk",
    "rejection_reason",
    "rule_version",
    "corrects_id",
    "correction_reason",
)


class _Undo(Exception):
    """Roll a path's writes back."""


def _day(days_back: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days_back)


def _time(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


@pytest.fixture
def category(world: World) -> ActivityCategory:
    for placement in (world.placement_a, world.placement_b):
        Placement.objects.filter(pk=placement.pk).update(start_date=_day(150), end_date=_day(-60))
    # The batch reaches nine days back: with the default lock on the 5th, from the 6th to the 9th of a month
    # its rows of the month before were refused as closed (one created row fewer), on every path alike. The
    # last day allowed keeps the month before open whatever today is; the lock has tests of its own.
    RuleSetFactory.create(programme=world.programme, lock_day=28, created_by=world.users["office"])
    return ActivityCategoryFactory.create(programme=world.programme, code="ward", name="Ward rounds")


def _batch(world: World, category: ActivityCategory) -> list[BulkEntry]:
    """Rows that pass and rows that break each kind of rule, with the same time ranges repeated (the
    set-based path reads a range's hours once) and a day walked row by row (11 h, 2 h refused, 1 h)."""
    placement, category_id = world.placement_a.pk, category.pk
    spec: list[dict[str, Any]] = [
        {"date": _day(1), "start_time": _time("08:00"), "end_time": _time("12:00"), "description": " Ward "},
        {"date": _day(2), "start_time": _time("08:00"), "end_time": _time("12:00"), "cases": 3},
        {"date": _day(2), "start_time": _time("11:00"), "end_time": _time("12:00")},  # overlaps the row before
        {"date": _day(3), "start_time": _time("08:00")},  # no end
        {"date": _day(3), "start_time": _time("12:00"), "end_time": _time("08:00")},  # backwards
        {"date": _day(3), "hours": Decimal("3.50")},
        {"date": _day(4), "hours": Decimal("11.00")},
        {"date": _day(4), "hours": Decimal("2.00")},  # above the day's 12 hours
        {"date": _day(4), "hours": Decimal("1.00")},  # fits: the refused row does not count
        {"date": _day(5), "start_time": _time("09:00"), "end_time": _time("10:30")},  # overlaps an entry
        {"date": _day(-1), "hours": Decimal("1.00")},  # future
        {"date": _day(6), "hours": Decimal("0")},
        {"date": _day(6), "hours": Decimal("1.25"), "category_id": 0},
        {"date": _day(6), "hours": Decimal("1.25"), "placement_id": 0},
        {"date": _day(7), "start_time": _time("13:00"), "end_time": _time("14:15")},
    ]
    rows = []
    for index, values in enumerate(spec):
        fields = {"placement_id": placement, "category_id": category_id, **values}
        rows.append(BulkEntry(index=index, idempotency_key=f"k{index}", **fields))
    rows.append(
        BulkEntry(
            index=len(rows),
            idempotency_key="k0",
            placement_id=placement,
            category_id=category_id,
            date=_day(8),
            hours=Decimal("1.00"),
        )
    )  # the first row's key again
    rows.append(
        BulkEntry(
            index=len(rows),
            idempotency_key="before",
            placement_id=placement,
            category_id=category_id,
            date=_day(8),
            hours=Decimal("1.00"),
        )
    )  # a key used before the batch
    return rows


def _run(rows: list[BulkEntry], by: User, *, set_based: bool) -> tuple[list[tuple[Any, ...]], list[Any], list[Any]]:
    """The outcomes (ids as the created entries' keys), the entries and the history rows a path writes."""
    before = set(PracticeLog.objects.values_list("pk", flat=True))
    result: tuple[list[tuple[Any, ...]], list[Any], list[Any]] = ([], [], [])
    try:
        with transaction.atomic(), override_settings(PRACTICE_BULK_SET_BASED=set_based):
            outcomes = practice_logs_bulk_create(rows=rows, by=by)
            keys: dict[int | None, str | None] = dict(PracticeLog.objects.values_list("pk", "idempotency_key"))
            result[0].extend(
                (o.index, o.idempotency_key, o.status, keys.get(o.id), o.rule, o.field, o.message) for o in outcomes
            )
            new = PracticeLog.objects.exclude(pk__in=before).order_by("pk")
            result[1].extend(new.values_list(*_ENTRY))
            history = PracticeLog.history.filter(id__in=new.values("pk")).order_by("history_id")  # type: ignore[attr-defined]
            result[2].extend(history.values_list("history_type", "history_user_id", *_ENTRY))
            assert [entry.pk for entry in new] == sorted(entry.pk for entry in new)
            raise _Undo
    except _Undo:
        pass
    return result


def test_the_set_based_path_answers_and_writes_what_the_row_path_does(world: World, category: ActivityCategory) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the set-based path runs on PostgreSQL only")
    supervisor = world.users["supervisor_a"]
    assert supervisor is not None
    PracticeLogFactory.create(
        placement=world.placement_a,
        category=category,
        date=_day(5),
        start_time=_time("10:00"),
        end_time=_time("11:00"),
        hours=Decimal("1.00"),
    )
    PracticeLogFactory.create(
        placement=world.placement_a,
        category=category,
        date=_day(9),
        hours=Decimal("1.00"),
        entered_by=supervisor,
        idempotency_key="before",
    )
    rows = _batch(world, category)

    by_set = _run(rows, supervisor, set_based=True)
    by_rows = _run(rows, supervisor, set_based=False)

    assert by_set == by_rows
    statuses = [outcome[2] for outcome in by_set[0]]
    assert statuses.count("created") == 6 and statuses.count("duplicate") == 2  # the batch tests something
    assert len(by_set[1]) == len(by_set[2]) == 6


def test_an_all_created_batch_s_outcomes_are_the_constructor_s() -> None:
    rows = [BulkEntry(index=n, idempotency_key=f"k{n}", placement_id=1, category_id=1, date=_day(1)) for n in range(3)]
    made = {"k0": 10, "k1": 11, "k2": 12}

    outcomes = _all_created(rows, made)

    expected = [BulkOutcome(n, f"k{n}", BulkRowStatus.CREATED, 10 + n) for n in range(3)]
    assert outcomes == expected
    assert [asdict(o) for o in outcomes] == [asdict(o) for o in expected]
    assert [vars(o) == vars(e) for o, e in zip(outcomes, expected, strict=True)] == [True] * 3
    assert {hash(o) for o in outcomes} == {hash(e) for e in expected}


def test_a_row_whose_key_was_taken_meanwhile_answers_that_entry(world: World, category: ActivityCategory) -> None:
    # The set-based path's answer when its insert skipped a row (``ON CONFLICT DO NOTHING``: another
    # request took the key between the check and the insert): the created entries come as two arrays in
    # the statement's last row, and the skipped row answers the entry made under its key.
    supervisor = world.users["supervisor_a"]
    assert supervisor is not None
    taken = PracticeLogFactory.create(
        placement=world.placement_a, category=category, date=_day(3), entered_by=supervisor, idempotency_key="k1"
    )
    rows = [
        BulkEntry(
            index=n,
            idempotency_key=f"k{n}",
            placement_id=world.placement_a.pk,
            category_id=category.pk,
            date=_day(1 + n),
            hours=Decimal("1.00"),
        )
        for n in range(2)
    ]
    found = [(None, None, None, None, None, None, None, None, None, ["k0"], [taken.pk + 1000])]

    outcomes = _outcomes(rows=rows, by=supervisor, shape={}, found=found)

    assert outcomes == [
        BulkOutcome(0, "k0", BulkRowStatus.CREATED, taken.pk + 1000),
        BulkOutcome(1, "k1", BulkRowStatus.DUPLICATE, taken.pk),
    ]
