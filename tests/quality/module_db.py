"""Data built once per test module: the indicator tests read one small world many times and write nothing
that must outlive a test, so the world is made in a transaction opened for the module and rolled back at
its end (each test's own transaction is a savepoint inside it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from django.db import transaction

T = TypeVar("T")


def built_once(django_db_blocker: Any, build: Callable[[], T]) -> Iterator[T]:
    """Yield ``build()``'s result for the module, then roll everything it wrote back."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


__all__ = ["built_once", "pytest"]
