"""A backup of the demo restores into an empty database and passes the smoke checks: every table has its
rows, every media file its hash, every frozen report's PDF the SHA-256 its row keeps; a damaged backup or a
changed file is caught. PostgreSQL only (pg_dump, pg_restore): the restore runs as ``manage.py restore`` in
a process of its own, against a database created for the test and dropped after it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from core.backup import COUNTS, SUMS, BackupError, backup_make, backup_verify, row_counts
from supervision.models import InspectionReport, ReportStatus

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="backups are of PostgreSQL (pg_dump)"),
]


def _url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A new, empty database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:6]}"
    admin = _url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(*args: str, database: str, media: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _url(database),
        "TANDEM_TEST_MEDIA_ROOT": str(media),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_backup_of_the_demo_restores_into_an_empty_database_and_passes_the_smoke_checks(
    settings: Any, tmp_path: Path, empty_database: str
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    reports = InspectionReport.objects.filter(status=ReportStatus.READY)
    assert reports.exists(), "the demo has frozen reports"
    before = row_counts()

    folder = backup_make(tmp_path / "backups")
    assert backup_verify(folder) == len((folder / SUMS).read_text().splitlines())
    assert (folder / COUNTS).exists()
    # Every frozen report's file is in the backup (other apps add files of their own: receipts, submissions).
    assert all((folder / "media" / str(report.pdf.name)).exists() for report in reports)

    restored_media = tmp_path / "restored-media"
    restored = _manage("restore", "--from", str(folder), database=empty_database, media=restored_media)
    assert restored.returncode == 0, restored.stderr[-3000:]
    assert "all as in the backup" in restored.stdout
    frozen = re.search(r"(\d+) frozen files checked", restored.stdout)
    assert frozen and int(frozen.group(1)) >= reports.count()  # inspection reports and other apps' frozen files
    with psycopg.connect(_url(empty_database)) as conn:
        assert conn.execute("SELECT count(*) FROM supervision_inspectionreport").fetchone() == (
            before["supervision_inspectionreport"],
        )

    # A restored report changed afterwards is caught by the check; so is a restore into a database in use.
    report = reports.exclude(pdf="").first()
    assert report is not None
    (restored_media / str(report.pdf.name)).write_bytes(b"%PDF-1.7 not the frozen file")
    checked = _manage("restore", "--from", str(folder), "--check-only", database=empty_database, media=restored_media)
    assert checked.returncode != 0
    assert "does not match its SHA-256" in checked.stderr
    again = _manage("restore", "--from", str(folder), database=empty_database, media=tmp_path / "other")
    assert again.returncode != 0 and "already has tables" in again.stderr


def test_a_damaged_backup_is_refused_before_anything_is_restored(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = backup_make(tmp_path / "backups")
    (folder / COUNTS).write_text("{}\n")

    with pytest.raises(BackupError, match="does not match its SHA-256"):
        backup_verify(folder)
