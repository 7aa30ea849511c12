"""Encryption at rest: ciphertext in SQL, in dumps (``dumpdata`` and, on PostgreSQL, ``pg_dump``), and key
rotation by the management command."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from tests.conftest import World
from tests.wellbeing.helpers import PLANTED, PLANTED_TOPIC, build
from wellbeing.crypto import TOKEN_PREFIX, decrypt
from wellbeing.models import Case, CaseNote, CheckIn, Sharing

pytestmark = pytest.mark.django_db

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()


def _column(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY id")  # noqa: S608 (our own names)
        return [str(row[0]) for row in cursor.fetchall() if row[0]]


def test_texts_are_ciphertext_in_sql(world: World) -> None:
    build(world)
    for table, column in (
        ("wellbeing_casenote", "body"),
        ("wellbeing_case", "topic"),
        ("wellbeing_checkin", "answers"),
        ("wellbeing_sharing", "message"),
        ("wellbeing_consent", "purpose"),
    ):
        values = _column(table, column)
        assert values, table
        assert all(v.startswith(TOKEN_PREFIX) for v in values), table
        assert not any(PLANTED in v or PLANTED_TOPIC in v or "lighter" in v for v in values)


def test_dumpdata_holds_ciphertext_only(world: World) -> None:
    build(world)
    out = io.StringIO()
    call_command("dumpdata", "wellbeing", stdout=out)
    dump = out.getvalue()
    assert TOKEN_PREFIX in dump
    for secret in (PLANTED, PLANTED_TOPIC, "lighter schedule", '"phq9"'):
        assert secret not in dump


def test_rotation_re_encrypts_every_row_under_the_new_key(world: World) -> None:
    with override_settings(WELLBEING_ENCRYPTION_KEYS=[OLD]):
        wb = build(world)
        before = _column("wellbeing_casenote", "body")
    with override_settings(WELLBEING_ENCRYPTION_KEYS=[NEW, OLD]):
        assert CaseNote.objects.get(pk=wb.note.pk).body.endswith(PLANTED)  # old rows still read
        out = io.StringIO()
        call_command("wellbeing_rotate_keys", stdout=out)
        assert "wellbeing.CaseNote: 1 rows re-encrypted" in out.getvalue()
        assert PLANTED not in out.getvalue()
    after = _column("wellbeing_casenote", "body")
    assert after != before
    new_only = Fernet(NEW.encode())
    for table, column in (
        ("wellbeing_casenote", "body"),
        ("wellbeing_case", "topic"),
        ("wellbeing_checkin", "answers"),
        ("wellbeing_sharing", "message"),
    ):
        for token in _column(table, column):
            new_only.decrypt(token.encode())  # every row now opens with the new key alone
    with override_settings(WELLBEING_ENCRYPTION_KEYS=[NEW]):
        assert CaseNote.objects.get(pk=wb.note.pk).body.endswith(PLANTED)
        assert PLANTED_TOPIC in Case.objects.get(pk=wb.case.pk).topic
        assert CheckIn.objects.get(pk=wb.check_in.pk).answers["gad7"] == [2] * 7  # type: ignore[index]
        assert Sharing.objects.get(pk=wb.sharing.pk).message.startswith("Needs")
    with override_settings(WELLBEING_ENCRYPTION_KEYS=[OLD]), pytest.raises(ImproperlyConfigured):
        decrypt(after[0])  # the old key alone no longer opens them


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump reads PostgreSQL")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
@pytest.mark.django_db(transaction=True)
def test_pg_dump_of_the_database_holds_ciphertext_only(world: World) -> None:
    build(world)
    settings_dict: dict[str, Any] = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": str(settings_dict.get("PASSWORD") or "")}
    command = ["pg_dump", "--data-only", "--table=wellbeing_*", "--dbname", str(settings_dict["NAME"])]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            command += [flag, str(settings_dict[key])]
    dump = subprocess.run(command, env=env, capture_output=True, text=True, check=True, timeout=120).stdout
    assert "wellbeing_casenote" in dump and TOKEN_PREFIX in dump
    for secret in (PLANTED, PLANTED_TOPIC, "lighter schedule", "Exam stress"):
        assert secret not in dump
