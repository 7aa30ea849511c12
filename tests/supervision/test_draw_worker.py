"""The spot-inspection draw through a real Celery worker (in this process, on the configured broker, as in
tests/core/test_worker.py): the first run plans the week's spot inspections and tells their inspector by
e-mail, a second run of the same week creates nothing."""

from __future__ import annotations

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from config.celery import app as celery_app
from core.services import notifications
from supervision.models import DrawCandidate, Inspection, InspectionKind, InspectionStatus, SpotDraw
from supervision.services.draw import period_of
from supervision.tasks import draw_run_outcome
from tests.conftest import World
from tests.supervision import helpers
from tests.workers import wait_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_draws_once_per_week_and_tells_the_inspector(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # A queue of our own (see tests/core/test_worker.py); the e-mails the planning enqueues go there too, so
    # this worker sends them and no other worker on the broker can take them.
    queue = f"test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(notifications, "_sender", lambda task, pk: lambda: task.apply_async((pk,), queue=queue))
    helpers.template_for()
    today = timezone.localdate()
    mail.outbox.clear()

    with start_worker(
        celery_app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue], shutdown_timeout=10
    ):
        first = draw_run_outcome.apply_async(args=[today.isoformat()], queue=queue).get(timeout=30)
        assert wait_for(lambda: len(mail.outbox) >= 2)
        second = draw_run_outcome.apply_async(args=[today.isoformat()], queue=queue).get(timeout=30)
        time.sleep(0.5)  # room for a wrongly enqueued e-mail to arrive

    period = period_of(today)
    assert first == {"period": period, "picks": 2, "created": 2}
    assert second == {"period": period, "picks": 2, "created": 0}
    assert SpotDraw.objects.get().period == period
    drawn = Inspection.objects.filter(draw_candidate__isnull=False)
    assert sorted(drawn.values_list("kind", "status")) == [(InspectionKind.SPOT, InspectionStatus.PLANNED)] * 2
    assert DrawCandidate.objects.filter(inspection__isnull=False).count() == 2
    assert [m.to[0] for m in mail.outbox] == ["inspector@example.org"] * 2
