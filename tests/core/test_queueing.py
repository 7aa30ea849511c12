"""core.queueing: a send that fails is logged and skipped, never raised, and spares the next sends its wait."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from core import queueing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    queueing.reset()
    yield
    queueing.reset()


def _refuse() -> None:
    raise ConnectionRefusedError("broker down")


def test_a_failed_send_returns_false_and_later_sends_are_skipped_until_the_pause_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[int] = []

    assert queueing.enqueue(_refuse, what="a test job") is False
    assert queueing.broker_skipped()
    assert queueing.enqueue(lambda: sent.append(1), what="another") is False
    assert sent == []

    monkeypatch.setattr(queueing, "_skip_until", 0.0)
    assert queueing.enqueue(lambda: sent.append(2), what="a third") is True
    assert sent == [2]


def test_on_commit_sends_after_commit_and_never_on_rollback(django_capture_on_commit_callbacks: Any) -> None:
    sent: list[str] = []
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            queueing.enqueue_on_commit(lambda: sent.append("rolled back"), what="rolled back")
            raise RuntimeError
        with transaction.atomic():
            queueing.enqueue_on_commit(lambda: sent.append("kept"), what="kept")
            assert sent == []

    assert sent == ["kept"]


def test_a_failing_send_after_commit_does_not_fail_the_committed_action(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queueing.enqueue_on_commit(_refuse, what="a test job")

    assert len(callbacks) == 1
    assert queueing.broker_skipped()
