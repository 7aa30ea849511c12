"""The run's order keeps every flushing test after every test that reads the migrated database.

pytest-django sorts the tests as Django does: database tests in a transaction rolled back at their end first,
then transactional ones (``transaction=True``, ``transactional_db``, ``live_server``), whose end flushes every
table, then tests without a database. A flush also empties the rows the data migrations wrote (the beat
entries of ``core.beat``, groups and permissions), and nothing writes them again, so a test that reads them is
only right while no flush came before it in its process. The sort is not the last word, though: pytest
then groups the tests that share a parameter of a higher-scoped fixture, and moves them together to where the
first of them stands. In session 10 a module's own fixture named ``page`` made pytest-playwright parametrise
its plain database tests with the session-scoped ``browser_name``, and pytest moved every browser journey
(each one transactional) in among the plain database tests: the parallel worker that ran them then read
flushed tables for the rest of the run (the beat-schedule tests failed in both CI runs).

The hook below runs after every reordering and fails each rolled-back database test that comes after a
transactional one, at its setup, before it touches the database, naming the flush before it (the order is
the same in every process, so this is certain, not a matter of which worker ran what). Failing the tests,
not the collection, keeps the message where ``pytest -n`` shows it: a collection error raised in a parallel
worker surfaces only as an INTERNALERROR without it.
"""

from __future__ import annotations

import pytest
from pytest_django.fixtures import validate_django_db


def flushes(item: pytest.Item) -> bool:
    """Whether the test's database ends in a flush (pytest-django's "transactional", as it runs the test)."""
    from django.test import TestCase, TransactionTestCase

    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        return not issubclass(cls, TestCase)
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        transaction, reset_sequences, *_rest = validate_django_db(marker)  # the marker read as pytest-django does
        if transaction or reset_sequences:
            return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


def reads_migrated_rows(item: pytest.Item) -> bool:
    """Whether the test uses the database inside a transaction rolled back at its end (no flush)."""
    from django.test import TestCase

    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, TestCase):
        return True
    uses_db = item.get_closest_marker("django_db") is not None or "db" in getattr(item, "fixturenames", ())
    return uses_db and not flushes(item)


def misplaced(items: list[pytest.Item]) -> list[tuple[pytest.Item, pytest.Item]]:
    """Each rolled-back database test that comes after a transactional one, with the first of those."""
    first_flush: pytest.Item | None = None
    found = []
    for item in items:
        if first_flush is None:
            if flushes(item):
                first_flush = item
        elif reads_migrated_rows(item):
            found.append((first_flush, item))
    return found


MISPLACED = pytest.StashKey[str]()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every rolled-back database test that the final order puts after a flushing one."""
    for flush, item in misplaced(items):
        item.stash[MISPLACED] = (
            f"this database test (rolled back at its end) runs after {flush.nodeid}, a transactional test "
            "whose end flushes the tables the migrations filled. pytest-django sorted them the other way; a "
            "later reordering moved them (tests sharing a parameter of a session- or module-scoped fixture, "
            "such as pytest-playwright's browser_name, which any fixture named page, context or browser "
            "brings). See tests/ordering.py."
        )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Fail a misplaced test before its fixtures run (see ``pytest_collection_modifyitems``)."""
    message = item.stash.get(MISPLACED, None)
    if message is not None:
        pytest.fail(message, pytrace=False)
