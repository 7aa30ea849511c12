"""/healthz answers for the real database and the real broker (filesystem or Redis, as configured), and
answers 503 within 2 seconds when the broker is down (a closed port) or hung (a socket that never answers)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.test import Client

from config.celery import app as celery_app
from core import health
from core.pdf import cjk_font_installed
from tests.faults import HungServer, broker_at, closed_port

pytestmark = pytest.mark.django_db

DOWN = {"status": "unavailable", "database": "ok", "broker": "down", "pdf_fonts": "ok"}


@pytest.fixture
def unreachable_broker() -> Iterator[str]:
    with broker_at(f"redis://127.0.0.1:{closed_port()}/0") as url:
        yield url


@pytest.fixture
def hung_broker() -> Iterator[HungServer]:
    with HungServer() as server, broker_at(server.url):
        yield server


@pytest.fixture(autouse=True)
def _font_known() -> Iterator[None]:
    # The font is looked up once per process, which takes a second the first time: done before timing. And
    # a check left hanging by an earlier test's probe ends first (it would count as down at once).
    cjk_font_installed()
    assert health.settle()
    yield
    assert health.settle()


def _timed_get() -> tuple[int, dict[str, str], float]:
    started = time.monotonic()
    response = Client().get("/healthz")
    return response.status_code, response.json(), time.monotonic() - started


def test_healthz_is_200_when_database_and_broker_answer() -> None:
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "pdf_fonts": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_broker_is_unreachable_and_answers_quickly(unreachable_broker: str) -> None:
    assert celery_app.conf.broker_url == unreachable_broker

    status, body, elapsed = _timed_get()

    assert (status, body) == (503, DOWN)
    assert elapsed < 2, f"/healthz took {elapsed:.1f}s with the broker down"


def test_healthz_is_503_within_two_seconds_when_the_broker_hangs(hung_broker: HungServer) -> None:
    status, body, elapsed = _timed_get()

    assert (status, body) == (503, DOWN)
    assert elapsed < 2, f"/healthz took {elapsed:.1f}s with the broker hung"
    assert hung_broker.accepted, "the check never reached the hung broker"
    # Probed again while the first check still hangs: down at once, and no second thread on the hung server.
    status, body, elapsed = _timed_get()
    assert (status, body, elapsed < 2) == (503, DOWN, True)


def test_healthz_is_200_again_when_the_broker_is_back() -> None:
    with HungServer() as server, broker_at(server.url):
        assert _timed_get()[0] == 503
    # The check left hanging on the hung server ends with its socket's timeout (2 s); then the broker answers.
    deadline = time.monotonic() + 10
    while _timed_get()[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.5)

    assert _timed_get()[:2] == (200, {"status": "ok", "database": "ok", "broker": "ok", "pdf_fonts": "ok"})
