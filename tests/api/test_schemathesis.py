"""The schema is the contract: schemathesis walks every operation of /api/schema/ (whatever apps are installed)
as each role, and fails on any failure of its default checks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from schemathesis.config import SchemathesisConfig

from accounts.services import token_issue
from config.wsgi import application
from tests.conftest import World

ROOT = Path(__file__).resolve().parents[2]
#: Examples per operation and role (CI: a few; run longer with SCHEMATHESIS_EXAMPLES=200, README).
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))
#: The coverage phase (every boundary of every parameter: many requests per operation) only when asked.
COVERAGE = os.environ.get("SCHEMATHESIS_COVERAGE", "") == "1"

config = SchemathesisConfig.from_path(ROOT / "schemathesis.toml")
config.projects.default.phases.coverage.enabled = COVERAGE
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=config)

ROLES = ("office", "coordinator_a", "supervisor_a", "student_a", "inspector", "anonymous")


@pytest.fixture(autouse=True)
def _connection_kept() -> Iterator[None]:
    """Schemathesis calls the WSGI application itself, which closes the database connection after each
    request (``close_old_connections``), and with it the test's transaction; Django's test client keeps it
    open the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(params=ROLES)
def auth(request: pytest.FixtureRequest, world: World) -> dict[str, str]:
    user = world.users[request.param]
    if user is None:
        return {}
    _token, key = token_issue(user=user)
    return {"Authorization": f"Token {key}"}


@schema.parametrize()
@hsettings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_keeps_its_schema(case: Any, auth: dict[str, str]) -> None:
    case.call_and_validate(headers=auth)
