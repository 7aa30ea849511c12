"""config.env's typed readers, and production settings that refuse a bad environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import (
    ImproperEnvironment,
    env_bool,
    env_broker,
    env_database,
    env_int,
    env_list,
    env_str,
)

ROOT = Path(__file__).resolve().parents[2]
VAR = "TANDEM_TEST_VARIABLE"


# --- Helpers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("TRUE", True), (" yes ", True), ("off", False), ("0", False)]
)
def test_env_bool_reads_true_and_false_words(raw: str, expected: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, raw)

    assert env_bool(VAR) is expected


@pytest.mark.parametrize("raw", ["ture", "2", "enabled"])
def test_env_bool_bad_value_names_the_variable(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, raw)

    with pytest.raises(ImproperEnvironment, match=VAR):
        env_bool(VAR, False)


def test_env_bool_default_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VAR, raising=False)

    assert env_bool(VAR, True) is True


def test_missing_required_variable_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VAR, raising=False)

    with pytest.raises(ImproperEnvironment, match=f"{VAR} is required"):
        env_str(VAR)
    with pytest.raises(ImproperEnvironment, match=VAR):
        env_bool(VAR)


def test_env_int_reads_an_integer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, " 42 ")

    assert env_int(VAR, 1, minimum=1) == 42


def test_env_int_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, "ten")

    with pytest.raises(ImproperEnvironment, match=f"{VAR}='ten' is not an integer"):
        env_int(VAR, 10)


def test_env_int_below_minimum_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, "0")

    with pytest.raises(ImproperEnvironment, match=f"{VAR}=0 must be at least 1"):
        env_int(VAR, 10, minimum=1)


def test_env_int_default_is_checked_against_minimum_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VAR, raising=False)

    with pytest.raises(ImproperEnvironment):
        env_int(VAR, 0, minimum=1)


def test_env_list_drops_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, "tandem.example, ,www.tandem.example,")

    assert env_list(VAR) == ["tandem.example", "www.tandem.example"]


def test_env_database_reads_postgres_and_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, "postgres://tandem:secret@db.internal:5433/tandem")
    postgres = env_database(VAR, "")
    assert postgres["ENGINE"] == "django.db.backends.postgresql"
    assert (postgres["HOST"], postgres["PORT"], postgres["NAME"], postgres["USER"]) == (
        "db.internal",
        5433,
        "tandem",
        "tandem",
    )

    monkeypatch.setenv(VAR, "sqlite:////tmp/tandem.sqlite3")
    assert env_database(VAR, "")["ENGINE"] == "django.db.backends.sqlite3"


@pytest.mark.parametrize("url", ["mysql://root@localhost/tandem", "oracle://x@y/z", "localhost:5432"])
def test_env_database_unsupported_scheme_names_the_variable(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, url)

    with pytest.raises(ImproperEnvironment, match=f"{VAR} has unsupported scheme"):
        env_database(VAR, "")


@pytest.mark.parametrize("url", ["filesystem://", "redis://127.0.0.1:6379/0", "rediss://cache:6380/1", "memory://"])
def test_env_broker_accepts_supported_brokers(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, url)

    assert env_broker(VAR, "filesystem://") == url


@pytest.mark.parametrize("url", ["amqp://guest@localhost//", "sqs://", "127.0.0.1:6379"])
def test_env_broker_unsupported_scheme_names_the_variable(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VAR, url)

    with pytest.raises(ImproperEnvironment, match=f"{VAR} has unsupported scheme"):
        env_broker(VAR, "filesystem://")


# --- Production settings, imported for real in a fresh interpreter ---------------------------------

DEVELOPMENT_KEY = "ew9ZhptxZdBTlvHFMDPW1N9LFkvN_Y8lZQRemh5avBs="  # base.py's public key for make run and the tests
GOOD_PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "k" * 20 + "-production-secret-key-for-tests-only-" + "z" * 20,
    "DATABASE_URL": "postgres://tandem@127.0.0.1:5432/tandem",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "tandem.example",
    "WELLBEING_ENCRYPTION_KEYS": "dGVzdHMtb25seS10ZXN0cy1vbmx5LXRlc3RzLW9ubHk=",
}


def _import_production(**changes: str | None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_"))}
    env.pop("SECRET_KEY", None)
    env.update(GOOD_PRODUCTION_ENV)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.ENVIRONMENT)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_settings_import_with_a_good_environment() -> None:
    result = _import_production()

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "production"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"SECRET_KEY": None}, "Environment variable SECRET_KEY is required"),
        ({"SECRET_KEY": "too-short"}, "SECRET_KEY must be a random value of at least 50 characters"),
        ({"DATABASE_URL": "sqlite:////tmp/tandem.sqlite3"}, "DATABASE_URL must point to PostgreSQL"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"CELERY_BROKER_URL": "filesystem://"}, "CELERY_BROKER_URL must point to Redis"),
        ({"CELERY_BROKER_URL": None}, "CELERY_BROKER_URL"),
        ({"DEBUG": "ture"}, "DEBUG='ture' is not a boolean"),
        ({"WELLBEING_ENCRYPTION_KEYS": None}, "WELLBEING_ENCRYPTION_KEYS must hold"),
        ({"WELLBEING_ENCRYPTION_KEYS": DEVELOPMENT_KEY}, "WELLBEING_ENCRYPTION_KEYS must hold"),
    ],
    ids=[
        "no-secret",
        "short-secret",
        "sqlite",
        "no-database",
        "filesystem-broker",
        "no-broker",
        "bad-debug",
        "no-wellbeing-key",
        "development-wellbeing-key",
    ],
)
def test_production_settings_refuse_a_bad_environment(changes: dict[str, str | None], message: str) -> None:
    result = _import_production(**changes)

    assert result.returncode != 0
    assert "ImproperEnvironment" in result.stderr
    assert message in result.stderr
