"""A notification's e-mail is claimed, sent, then marked sent: a send that fails or a worker killed while
sending leaves it unsent for the next attempt, and two deliveries at once send it once.

The mail backends below are Django's locmem backend with a failure added; the database is the real one.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from core import tasks
from core.claims import claim_timeout
from core.models import Notification
from core.services.notification_email import notification_email_send
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

HERE = "tests.core.test_notification_email"


class WorkerKilled(BaseException):
    """Stands for a worker killed while sending (SIGKILL, lost power): nothing after it runs."""


class FailingOnceBackend(EmailBackend):
    """Raises ``error`` on the first send, then delivers to ``mail.outbox`` like locmem."""

    error: ClassVar[BaseException | None] = None

    def send_messages(self, messages: Any) -> int:
        error, FailingOnceBackend.error = FailingOnceBackend.error, None
        if error is not None:
            raise error
        return super().send_messages(messages)


class SecondDeliveryBackend(EmailBackend):
    """While the first worker is sending, the same message is delivered to a second one (a redelivery, or
    the message twice on the broker): records what that second delivery answered, then delivers."""

    during: ClassVar[list[bool]] = []

    def send_messages(self, messages: Any) -> int:
        if not SecondDeliveryBackend.during:
            notification = Notification.objects.get(user__email=messages[0].to[0])
            SecondDeliveryBackend.during.append(tasks.notification_email_send(notification.pk))
        return super().send_messages(messages)


@pytest.fixture
def note() -> Notification:
    user = UserFactory.create(username="reader", email="reader@example.org")
    return Notification.objects.create(user=user, kind="test", subject="Your training plan was returned")


def _state(note: Notification) -> tuple[bool, bool]:
    note.refresh_from_db()
    return note.emailed_at is not None, note.email_claimed_at is not None


def test_a_send_that_raises_leaves_it_unsent_and_the_next_attempt_sends_it_once(
    note: Notification, settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{HERE}.FailingOnceBackend"
    FailingOnceBackend.error = RuntimeError("the template tag blew up")

    with pytest.raises(RuntimeError):
        tasks.notification_email_send(note.pk)

    assert _state(note) == (False, False)  # neither sent nor claimed
    assert mail.outbox == []
    assert tasks.notification_email_send(note.pk) is True
    assert tasks.notification_email_send(note.pk) is False
    assert [m.to for m in mail.outbox] == [["reader@example.org"]]
    assert _state(note) == (True, False)


def test_a_mail_server_that_does_not_answer_is_retried_by_the_task_and_sends_once(
    note: Notification, settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{HERE}.FailingOnceBackend"
    FailingOnceBackend.error = ConnectionRefusedError("smtp down")

    # Run in process as a worker would: the retry runs at once (in a worker, a minute later).
    result = tasks.notification_email_send.apply(args=[note.pk])

    assert result.get() is True
    assert [m.to for m in mail.outbox] == [["reader@example.org"]]
    assert _state(note) == (True, False)


def test_a_worker_killed_while_sending_leaves_it_claimed_and_unsent_then_a_stale_claim_is_sent_again(
    note: Notification, settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{HERE}.FailingOnceBackend"
    FailingOnceBackend.error = WorkerKilled()

    with pytest.raises(WorkerKilled):
        tasks.notification_email_send(note.pk)

    assert _state(note) == (False, True)  # claimed by the dead worker, not marked sent
    # Redelivered while the claim is fresh: the first worker might still be sending, so nothing is sent.
    assert tasks.notification_email_send(note.pk) is False
    assert mail.outbox == []
    # Once the claim is older than any task may run, the redelivered message takes it over and sends.
    stale = timezone.now() - claim_timeout() - datetime.timedelta(seconds=1)
    Notification.objects.filter(pk=note.pk).update(email_claimed_at=stale)
    assert tasks.notification_email_send(note.pk) is True
    assert tasks.notification_email_send(note.pk) is False
    assert [m.to for m in mail.outbox] == [["reader@example.org"]]
    assert _state(note) == (True, False)


def test_two_deliveries_at_once_send_it_once(note: Notification, settings: Any) -> None:
    settings.EMAIL_BACKEND = f"{HERE}.SecondDeliveryBackend"
    SecondDeliveryBackend.during = []

    first = tasks.notification_email_send(note.pk)

    assert (first, SecondDeliveryBackend.during) == (True, [False])
    assert [m.to for m in mail.outbox] == [["reader@example.org"]]
    assert _state(note) == (True, False)


def test_a_claim_younger_than_the_timeout_is_not_taken(note: Notification) -> None:
    fresh = timezone.now() - claim_timeout() + datetime.timedelta(seconds=30)
    Notification.objects.filter(pk=note.pk).update(email_claimed_at=fresh)

    assert notification_email_send(notification_id=note.pk) is False
    assert mail.outbox == []


def test_the_claim_outlives_the_hard_time_limit(settings: Any) -> None:
    # A task still running (at most CELERY_TASK_TIME_LIMIT) never loses its claim to another worker.
    assert claim_timeout() > datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def test_nobody_to_write_to_sends_nothing_and_marks_nothing_sent(db: Any) -> None:
    user = UserFactory.create(username="no-address", email="")
    note = Notification.objects.create(user=user, kind="test", subject="Hello")

    assert tasks.notification_email_send(note.pk) is False
    assert mail.outbox == []
    assert _state(note) == (False, False)
