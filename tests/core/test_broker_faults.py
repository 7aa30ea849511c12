"""A broker that is down (a closed port) or hung (a socket that accepts and never answers) costs a user's
action seconds and loses nothing: the action succeeds with its work waiting in the database, and once the
broker is back the periodic sweeps queue it and a real worker does it exactly once.

The worker runs in this process on the configured broker (filesystem or Redis), on a queue of its own
(tests/workers.py); the broken broker is a real socket on loopback (tests/faults.py).
"""

from __future__ import annotations

import contextlib
import datetime
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction
from django.utils import timezone

from config.celery import app as celery_app
from core import tasks as core_tasks
from core.models import Notification
from core.services import notification_email, notifications
from core.services.notifications import notify
from supervision import services, tasks
from supervision.models import InspectionReport, ReportStatus, ReportVariant
from supervision.services import reports as render
from tests.conftest import World
from tests.factories.accounts import UserFactory
from tests.faults import HungServer, broker_at, closed_port
from tests.supervision import helpers
from tests.workers import forget_queue, table_locked, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

#: What an action may cost with the broker away: one publish attempt's timeouts (2 s each), then none.
ACTION_BUDGET = 5.0


@pytest.fixture
def queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every message of these tests goes to a queue of the test's own (see tests/workers.py)."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(notifications, "_sender", lambda task, pk: lambda: task.apply_async((pk,), queue=name))
    monkeypatch.setattr(
        notification_email, "_send", lambda pk: core_tasks.notification_email_send.apply_async((pk,), queue=name)
    )
    monkeypatch.setattr(render, "_send", lambda pk: tasks.report_render.apply_async((pk,), queue=name))
    try:
        yield name
    finally:
        forget_queue(name)


@contextlib.contextmanager
def _away(how: str) -> Iterator[None]:
    if how == "closed":
        with broker_at(f"redis://127.0.0.1:{closed_port()}/0"):
            yield
    else:
        with HungServer() as server, broker_at(server.url):
            yield


@pytest.fixture(params=["closed", "hung"])
def broker_away(request: pytest.FixtureRequest) -> str:
    """How the broker is away: down (nothing listens: refused at once) or hung (accepts, never answers)."""
    return str(request.param)


def _worker(queue: str) -> Any:
    return start_worker(
        celery_app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue], shutdown_timeout=10
    )


def _drain(queue: str) -> None:
    """Wait until the solo worker has handled every message sent before (it handles them in order); a read
    of the answer that met a table the worker was writing asks again (``tests.workers.table_locked``)."""
    result = core_tasks.ping.apply_async(queue=queue)
    deadline = time.monotonic() + 30
    while True:
        try:
            assert result.get(timeout=30) == "pong"
            return
        except Exception as error:
            if not table_locked(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_notify_with_the_broker_away_succeeds_in_seconds_with_its_emails_waiting_unsent(
    queue: str, broker_away: str
) -> None:
    readers = [UserFactory.create(email=f"reader{n}@example.org") for n in range(3)]
    started = time.monotonic()
    with _away(broker_away), transaction.atomic():
        written = notify(users=readers, kind="test", subject="Your training plan was returned", params={})
    elapsed = time.monotonic() - started

    assert elapsed < ACTION_BUDGET, f"notify took {elapsed:.1f}s with the broker {broker_away}"
    assert Notification.objects.filter(pk__in=[n.pk for n in written], emailed_at__isnull=True).count() == 3
    assert mail.outbox == []


def test_emails_waiting_for_a_broker_that_was_away_are_sent_exactly_once_by_the_sweep(queue: str) -> None:
    readers = [UserFactory.create(email=f"reader{n}@example.org") for n in range(3)]
    with HungServer() as server, broker_at(server.url), transaction.atomic():
        written = notify(users=readers, kind="test", subject="Your training plan was returned", params={})
    pks = [n.pk for n in written]
    later = timezone.now() + notification_email.SWEEP_AFTER + datetime.timedelta(seconds=1)
    assert notification_email.emails_waiting(timezone.now()) == []  # the first five minutes are the message's

    with _worker(queue):
        assert notification_email.notification_emails_sweep(now=later) == 3
        assert wait_for(lambda: not Notification.objects.filter(pk__in=pks, emailed_at__isnull=True).exists(), 30)
        # A second sweep finds nothing to do; a late copy of a lost message (redelivered) sends nothing.
        assert notification_email.notification_emails_sweep(now=later) == 0
        late = core_tasks.notification_email_send.apply_async((pks[0],), queue=queue)
        assert late.get(timeout=30) is False
        _drain(queue)

    assert sorted(message.to[0] for message in mail.outbox) == sorted(r.email for r in readers)


def test_two_sweeps_and_the_original_message_at_once_send_one_email(queue: str) -> None:
    reader = UserFactory.create(email="reader@example.org")
    with transaction.atomic():
        [note] = notify(users=[reader], kind="test", subject="Your training plan was returned", params={})
    later = timezone.now() + notification_email.SWEEP_AFTER + datetime.timedelta(seconds=1)
    # The original message (queued after commit) waits on the broker; two sweeps queue two more copies.
    assert notification_email.notification_emails_sweep(now=later) == 1
    assert notification_email.notification_emails_sweep(now=later) == 1

    with _worker(queue):
        assert wait_for(lambda: Notification.objects.get(pk=note.pk).emailed_at is not None, 30)
        _drain(queue)

    assert [message.to for message in mail.outbox] == [["reader@example.org"]]


def test_an_inspection_closed_with_the_broker_away_is_closed_in_seconds_and_its_report_rendered_once_when_back(
    world: World, queue: str, broker_away: str, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    inspection = helpers.start(world)
    helpers.rate_all(world, inspection)

    with _away(broker_away):
        started = time.monotonic()
        services.inspection_close(inspection=inspection, by=helpers.user(world, "inspector"))
        elapsed = time.monotonic() - started

    assert elapsed < ACTION_BUDGET, f"closing took {elapsed:.1f}s with the broker {broker_away}"
    report = InspectionReport.objects.get(inspection=inspection, variant=ReportVariant.FULL, language="en")
    assert report.status == ReportStatus.PENDING
    reports = InspectionReport.objects.filter(inspection=inspection)
    languages = len(render.report_languages())
    assert reports.count() == languages
    # Every e-mail of the journey (start and close) is still to send: none went, none is lost.
    unsent = Notification.objects.filter(emailed_at__isnull=True).exclude(user__email="")
    told = list(unsent.values_list("pk", flat=True))
    assert told and mail.outbox == []

    # The broker is back: the sweeps queue the render and the e-mails; the worker does each once. The sweeps
    # run before the worker starts, and the test only reads while it works: on SQLite a write of the test's
    # that meets the worker's claim of an e-mail fails the claim as locked, and the task then retries up to a
    # minute later, after this test has ended (seen once in CI).
    # The full report, one version per language (supervision.reports.report_languages).
    assert render.reports_sweep(now=timezone.now() + datetime.timedelta(minutes=11)).requeued == languages
    notification_email.notification_emails_sweep(now=timezone.now() + datetime.timedelta(minutes=6))
    with _worker(queue):
        unsent_told = Notification.objects.filter(pk__in=told, emailed_at__isnull=True)
        assert wait_for(
            lambda: not reports.exclude(status=ReportStatus.READY).exists() and not unsent_told.exists(), 90
        )
        _drain(queue)
        assert render.reports_sweep(now=timezone.now() + datetime.timedelta(minutes=11)).requeued == 0

    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.READY, 1)
    assert len(list(Path(report.pdf.path).parent.iterdir())) == languages
    assert not Notification.objects.filter(pk__in=told, emailed_at__isnull=True).exists()
    assert len(mail.outbox) == len(told)
