"""/healthz answers for the real database and the real broker (filesystem or Redis, as configured)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.test import Client

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def unreachable_broker(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the Celery app at a closed port for one test.

    ``override_settings`` cannot do this: the app read its configuration at import. Celery also
    prefers the ``CELERY_BROKER_URL`` environment variable over its configuration, so both change.
    """
    original = celery_app.conf.broker_url
    monkeypatch.setenv("CELERY_BROKER_URL", CLOSED_PORT_BROKER)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    celery_app.conf.broker_url = CLOSED_PORT_BROKER
    try:
        yield CLOSED_PORT_BROKER
    finally:
        celery_app.conf.broker_url = original


def test_healthz_is_200_when_database_and_broker_answer() -> None:
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "pdf_fonts": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_broker_is_unreachable_and_answers_quickly(unreachable_broker: str) -> None:
    assert celery_app.conf.broker_url == unreachable_broker

    started = time.monotonic()
    response = Client().get("/healthz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "down", "pdf_fonts": "ok"}
    # One retry with a two-second timeout: a load balancer's probe must not hang on a dead broker.
    assert elapsed < 6, f"/healthz took {elapsed:.1f}s with the broker down"
