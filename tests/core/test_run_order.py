"""``tests.ordering`` finds a rolled-back database test placed after a flushing one, as session 10's run had
them (a browser journey moved in among the plain database tests), and lets the order pytest-django sorts pass."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.ordering import flushes, misplaced, reads_migrated_rows


@dataclass
class Item:
    """What the check reads of a collected test: its ``django_db`` marker and its fixtures."""

    nodeid: str
    marker: Any = None
    fixturenames: list[str] = field(default_factory=list)
    cls: type | None = None

    def get_closest_marker(self, name: str) -> Any:
        return self.marker if name == "django_db" else None


ROLLED_BACK = Item("tests/practice/test_reminders.py::test_beat", pytest.mark.django_db.mark)
JOURNEY = Item("tests/browser/test_journey.py::test_journey[chromium]", fixturenames=["live_server", "page"])
TRANSACTIONAL = Item("tests/core/test_worker.py::test_worker", pytest.mark.django_db(transaction=True).mark)
NO_DB = Item("tests/config/test_env.py::test_env")


def test_each_kind_is_told_apart() -> None:
    assert reads_migrated_rows(ROLLED_BACK) and not flushes(ROLLED_BACK)  # type: ignore[arg-type]
    assert flushes(JOURNEY) and flushes(TRANSACTIONAL)  # type: ignore[arg-type]
    assert not reads_migrated_rows(JOURNEY) and not reads_migrated_rows(NO_DB)  # type: ignore[arg-type]
    assert reads_migrated_rows(Item("t::fixture_only", fixturenames=["db"]))  # type: ignore[arg-type]
    assert flushes(Item("t::positional", pytest.mark.django_db(True).mark))  # type: ignore[arg-type]


def test_the_sorted_order_passes() -> None:
    assert misplaced([ROLLED_BACK, JOURNEY, TRANSACTIONAL, NO_DB]) == []  # type: ignore[list-item]


def test_each_rolled_back_test_after_a_flushing_one_is_named_with_the_first_flush() -> None:
    later = Item("tests/students/test_reminders.py::test_beat", pytest.mark.django_db.mark)

    found = misplaced([ROLLED_BACK, JOURNEY, NO_DB, ROLLED_BACK, TRANSACTIONAL, later])  # type: ignore[list-item]

    assert found == [(JOURNEY, ROLLED_BACK), (JOURNEY, later)]
