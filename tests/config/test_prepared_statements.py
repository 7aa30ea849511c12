"""Prepared statements and generic plans on PostgreSQL (ADR 0061): what ``DATABASE_PREPARED_STATEMENTS`` and
its two companions put in the database options, for the tests and for production alike, and that they
reach a real connection: parameters bound by the server, a statement prepared after the threshold, and the
plan cache mode PostgreSQL uses for it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from config.env import ImproperEnvironment
from config.settings.base import prepared_statement_options
from tests.config.test_env import GOOD_PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]
VARIABLES = ("DATABASE_PREPARED_STATEMENTS", "DATABASE_PREPARE_THRESHOLD", "DATABASE_PLAN_CACHE_MODE")
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements of PostgreSQL")


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The three variables unset, whatever the run that holds this test was started with."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_off_by_default(environment: pytest.MonkeyPatch) -> None:
    assert prepared_statement_options() == {}
    environment.setenv("DATABASE_PREPARED_STATEMENTS", "false")
    environment.setenv("DATABASE_PLAN_CACHE_MODE", "generic")  # read only when on: not even checked
    assert prepared_statement_options() == {}


def test_on_binds_on_the_server_prepares_after_two_uses_and_leaves_the_plan_to_postgresql(
    environment: pytest.MonkeyPatch,
) -> None:
    environment.setenv("DATABASE_PREPARED_STATEMENTS", "true")

    assert prepared_statement_options() == {
        "server_side_binding": True,
        "prepare_threshold": 2,
        "options": "-c plan_cache_mode=auto",
    }


def test_threshold_and_mode_follow_their_variables(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("DATABASE_PREPARED_STATEMENTS", "1")
    environment.setenv("DATABASE_PREPARE_THRESHOLD", "0")
    environment.setenv("DATABASE_PLAN_CACHE_MODE", "force_generic_plan")

    assert prepared_statement_options() == {
        "server_side_binding": True,
        "prepare_threshold": 0,
        "options": "-c plan_cache_mode=force_generic_plan",
    }


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_PLAN_CACHE_MODE", "generic", "DATABASE_PLAN_CACHE_MODE='generic' must be one of"),
        ("DATABASE_PREPARE_THRESHOLD", "-1", "DATABASE_PREPARE_THRESHOLD=-1 must be at least 0"),
        ("DATABASE_PREPARED_STATEMENTS", "maybe", "DATABASE_PREPARED_STATEMENTS='maybe' is not a boolean"),
    ],
)
def test_a_bad_value_names_its_variable(environment: pytest.MonkeyPatch, name: str, value: str, message: str) -> None:
    environment.setenv("DATABASE_PREPARED_STATEMENTS", "1")
    environment.setenv(name, value)

    with pytest.raises(ImproperEnvironment, match=message):
        prepared_statement_options()


def _production_options(**changes: str) -> str:
    """The default database's OPTIONS as production's settings make them, in a fresh interpreter."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_"))}
    env.pop("SECRET_KEY", None)
    env.update(GOOD_PRODUCTION_ENV)
    env.update(changes)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(sorted(settings.DATABASES['default']['OPTIONS'].items()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_reads_the_same_variables() -> None:
    assert _production_options() == "[('connect_timeout', 5)]"
    assert _production_options(DATABASE_PREPARED_STATEMENTS="true") == (
        "[('connect_timeout', 5), ('options', '-c plan_cache_mode=auto'), "
        "('prepare_threshold', 2), ('server_side_binding', True)]"
    )


@pytest.fixture
def prepared_connection(environment: pytest.MonkeyPatch, db: Any) -> Iterator[Callable[..., Any]]:
    """Second connections to the test database with the options ``DATABASE_PREPARED_STATEMENTS=1`` and the
    given variables make, each closed at the end."""
    opened: list[Any] = []

    def connect(**variables: str) -> Any:
        environment.setenv("DATABASE_PREPARED_STATEMENTS", "1")
        for name, value in variables.items():
            environment.setenv(name, value)
        settings_dict = {**connection.settings_dict}
        settings_dict["OPTIONS"] = {**settings_dict["OPTIONS"], **prepared_statement_options()}
        opened.append(type(connections["default"])(settings_dict, alias="prepared"))
        return opened[-1]

    yield connect
    for other in opened:
        other.close()


STATEMENT = "SELECT count(*) FROM django_content_type WHERE id > %s"
WATCHED = "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s"


def _plans(cursor: Any) -> list[tuple[str, int, int]]:
    cursor.execute(WATCHED, ["%FROM django_content_type%"])
    return list(cursor.fetchall())


@postgres_only
def test_a_statement_is_prepared_after_the_threshold_and_its_plan_reused(prepared_connection: Any) -> None:
    """``auto``: five plans for the values, then the generic plan when it costs no more (as here)."""
    with prepared_connection().cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("auto",)
        for value in (1, 2):  # the threshold's two uses: sent as they are, not prepared
            cursor.execute(STATEMENT, [value])
        assert _plans(cursor) == []

        for value in range(3, 10):  # seven uses of the prepared statement
            cursor.execute(STATEMENT, [value])
        assert _plans(cursor) == [("SELECT count(*) FROM django_content_type WHERE id > $1", 2, 5)]


@postgres_only
def test_the_plan_cache_mode_reaches_the_connection(prepared_connection: Any) -> None:
    other = prepared_connection(DATABASE_PLAN_CACHE_MODE="force_generic_plan", DATABASE_PREPARE_THRESHOLD="0")
    with other.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_generic_plan",)
        for value in (1, 2, 3):  # prepared at once; one plan made once and reused for every value
            cursor.execute(STATEMENT, [value])
        assert _plans(cursor) == [("SELECT count(*) FROM django_content_type WHERE id > $1", 3, 0)]


@postgres_only
@pytest.mark.django_db
def test_the_suite_runs_with_what_its_environment_asks() -> None:
    """A whole-suite run with ``DATABASE_PREPARED_STATEMENTS=1`` (ADR 0061) has it on every connection."""
    on = os.environ.get("DATABASE_PREPARED_STATEMENTS", "").strip().lower() in {"1", "true", "yes", "on"}
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        mode = cursor.fetchone()[0]
    assert mode == (os.environ.get("DATABASE_PLAN_CACHE_MODE", "auto") if on else "auto")
    assert connection.settings_dict["OPTIONS"].get("server_side_binding", False) is on
