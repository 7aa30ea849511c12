"""Production details of security issue 22, item 9: the client address behind proxies, security headers,
gunicorn's Server header, and throttles that survive a Redis outage. (Upload limits: test_uploads.py.)"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import services
from core.client_ip import client_ip
from core.throttling import FALLBACK_CACHE
from tests.config.test_env import GOOD_PRODUCTION_ENV
from tests.conftest import World, client_for
from tests.factories.accounts import UserFactory

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "/api/v1/auth/token/"
LOGIN = reverse("accounts:login")


@pytest.fixture(autouse=True)
def _fresh_counts() -> Iterator[None]:
    cache.clear()
    FALLBACK_CACHE.clear()
    yield
    cache.clear()
    FALLBACK_CACHE.clear()


def _production(code: str, **env_changes: str) -> str:
    """Run ``code`` after ``django.setup()`` with production settings in a fresh interpreter; its output."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_"))}
    env.pop("SECRET_KEY", None)
    env.pop("TRUSTED_PROXY_COUNT", None)
    env.update(GOOD_PRODUCTION_ENV)
    env.update(env_changes)
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings; {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# --- Sessions: saved when their last-seen time moves, not on every request (issue #19, item 4) ------------


def test_production_saves_a_session_at_most_once_a_minute(world: World, settings: Any) -> None:
    saves_always, age, idle = _production(
        "print(settings.SESSION_SAVE_EVERY_REQUEST, settings.SESSION_COOKIE_AGE, settings.SESSION_IDLE_MINUTES)"
    ).split()
    settings.SESSION_SAVE_EVERY_REQUEST, settings.SESSION_COOKIE_AGE = saves_always == "True", int(age)
    user = world.users["office"]
    assert user is not None
    client = client_for(user)
    root = reverse("api:api-root")
    assert client.get(root).status_code == 200  # the first request since login notes the time

    with CaptureQueriesContext(connection) as queries:
        again = client.get(root)

    assert again.status_code == 200
    writes = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]]
    assert writes == []
    assert django_settings.SESSION_COOKIE_NAME not in again.cookies
    # A session saved up to a minute before its last click outlives the idle limit (the middleware decides).
    assert int(age) >= int(idle) * 60 + 60


# --- (a) The client's address: X-Forwarded-For is ignored unless a proxy is declared ---------------


def _token_attempt(forwarded_for: str | None = None) -> int:
    extra: dict[str, Any] = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    response = APIClient().post(TOKEN, {"username": "nobody", "password": "wrong"}, format="json", **extra)
    status: int = response.status_code
    return status


def test_production_trusts_no_proxy_unless_told() -> None:
    assert _production("print(settings.TRUSTED_PROXY_COUNT, settings.REST_FRAMEWORK['NUM_PROXIES'])") == "0 0"
    assert _production("print(settings.TRUSTED_PROXY_COUNT)", TRUSTED_PROXY_COUNT="1") == "1"
    assert _production("print(settings.AXES_CLIENT_IP_CALLABLE)") == "core.client_ip.client_ip"


@pytest.mark.django_db
def test_without_a_proxy_a_forged_x_forwarded_for_does_not_escape_the_token_throttle() -> None:
    statuses = [_token_attempt(f"203.0.113.{n}") for n in range(21)]

    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429


@pytest.mark.django_db
def test_behind_one_proxy_the_throttle_counts_the_address_the_proxy_saw(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forges the left part; the proxy appends the address it saw, which is what counts.
    statuses = [_token_attempt(f"198.51.100.{n}, 203.0.113.7") for n in range(21)]

    assert statuses[20] == 429
    assert _token_attempt("203.0.113.8") == 400  # another client behind the same proxy


@pytest.mark.django_db
def test_lockouts_follow_the_same_address_as_the_throttle(settings: Any) -> None:
    UserFactory.create(username="li.na", password="correct-horse-battery")

    def attempt(forwarded_for: str, password: str) -> int:
        response = Client().post(LOGIN, {"username": "li.na", "password": password}, HTTP_X_FORWARDED_FOR=forwarded_for)
        status: int = response.status_code
        return status

    # No proxy declared: forging a new address per attempt does not dodge the lockout.
    for n in range(django_settings.AXES_FAILURE_LIMIT):
        attempt(f"203.0.113.{n}", "wrong-password")
    assert attempt("203.0.113.99", "correct-horse-battery") == 429

    # Behind one proxy: the lockout is per client behind it, not for everyone who comes through the proxy.
    settings.TRUSTED_PROXY_COUNT = 1
    assert attempt("127.0.0.1, 198.51.100.1", "correct-horse-battery") == 302


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "1.1.1.1", "10.0.0.1"),
        (1, None, "10.0.0.1"),
        (1, "1.1.1.1", "1.1.1.1"),
        (1, "6.6.6.6, 1.1.1.1", "1.1.1.1"),
        (2, "6.6.6.6, 1.1.1.1, 10.1.1.1", "1.1.1.1"),
        (2, "1.1.1.1", "1.1.1.1"),
    ],
)
def test_client_ip(count: int, forwarded: str | None, expected: str, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")
    if forwarded:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded

    assert client_ip(request) == expected


# --- (b) Permissions-Policy everywhere, no-store for signed-in people ------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", [LOGIN, "/healthz", "/api/v1/partners/", "/api/v1/public/inspections/", "/nowhere/"])
def test_every_response_carries_a_permissions_policy(url: str) -> None:
    response = Client().get(url)

    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy


@pytest.mark.django_db
def test_anonymous_pages_may_be_cached(world: World) -> None:
    response = Client().get("/api/v1/public/inspections/")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_pages_for_a_signed_in_person_are_not_stored(world: World) -> None:
    client = client_for(world.users["office"])

    for url in (reverse("core:start"), reverse("partners:list"), "/api/v1/partners/", "/nowhere/"):
        response = client.get(url)
        assert response["Cache-Control"] == "no-store", url
        assert "Permissions-Policy" in response


@pytest.mark.django_db
def test_api_answers_to_a_token_are_not_stored(world: World) -> None:
    _token, key = services.token_issue(user=world.users["tutor"])  # type: ignore[arg-type]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get("/api/v1/partners/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_the_evidence_inputs_need_no_camera_permission() -> None:
    # Photos come through a file input (the tablet's own camera app): nothing asks for getUserMedia.
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        assert "getUserMedia" not in text and "capture=" not in text, path
    for path in (ROOT / "static").rglob("*.js"):
        assert "getUserMedia" not in path.read_text(errors="ignore"), path


# --- (c) gunicorn does not announce itself -------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _gunicorn_headers(*config: str) -> dict[str, str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *config, "--bind", f"127.0.0.1:{port}", "tests.core.plain_wsgi:app"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    return {key.lower(): value for key, value in response.getheaders()}
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_gunicorn_sends_no_server_header_with_the_images_configuration() -> None:
    assert "server" in _gunicorn_headers()  # gunicorn's default: "Server: gunicorn"
    headers = _gunicorn_headers("--config", "python:config.gunicorn")

    assert "server" not in headers
    assert "date" in headers


def test_the_image_and_its_entrypoint_load_that_configuration() -> None:
    assert '"--config", "python:config.gunicorn"' in (ROOT / "Dockerfile").read_text()
    assert "--config python:config.gunicorn" in (ROOT / "bin" / "docker-entrypoint.sh").read_text()


# --- (e) A Redis outage does not turn the token endpoint into a 500 ------------------------------------

UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.mark.django_db
def test_with_redis_down_logins_still_answer_and_are_still_throttled(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    user = UserFactory.create(username="li.na", password="correct-horse-battery")
    settings.CACHES = UNREACHABLE_REDIS

    good = APIClient().post(TOKEN, {"username": "li.na", "password": "correct-horse-battery"}, format="json")
    statuses = [_token_attempt() for _ in range(20)]

    assert good.status_code == 200
    assert user.api_tokens.count() == 1
    assert statuses[:19] == [400] * 19
    assert statuses[19] == 429  # counted in this process's memory meanwhile
    assert "Throttle cache unavailable" in caplog.text


def test_production_gives_redis_short_timeouts() -> None:
    options = _production("print(sorted(settings.CACHES['default']['OPTIONS'].items()))")

    assert options == "[('socket_connect_timeout', 1), ('socket_timeout', 1)]"
