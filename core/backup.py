"""Backups that restore: a PostgreSQL dump and the media files, each with its SHA-256, and the checks that a
restore is whole (``make backup``, ``make restore``; README, "Production"; docs/decisions/0015).

A backup is one folder::

    database.dump     pg_dump's custom format (restored by pg_restore)
    media/...         a copy of every uploaded or rendered file (MEDIA_ROOT)
    counts.json       rows per table at the time of the dump
    SHA256SUMS        the SHA-256 of every file above (``sha256sum -c SHA256SUMS`` checks it by hand)

``restore`` checks every hash first, refuses a database that already has tables, restores the dump, copies
the media files back, then runs :func:`smoke_check`: every table has the rows it had, every file is there
with its hash, and every frozen file a row vouches for (a model with a file field and a ``sha256`` field,
such as an inspection report's PDF) still matches that row's hash. Found by introspection, so apps above
``core`` need nothing here.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction

DUMP = "database.dump"
MEDIA = "media"
COUNTS = "counts.json"
SUMS = "SHA256SUMS"


class BackupError(Exception):
    """A backup cannot be made or restored (the message says why)."""


@dataclass
class CheckReport:
    """What :func:`smoke_check` found: each problem in words (none when the restore is whole)."""

    tables: int = 0
    files: int = 0
    frozen: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        raise BackupError("Backups are made of PostgreSQL (DATABASE_URL); SQLite is for development.")
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--host", str(db.get("HOST") or "127.0.0.1"), "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return env, [*args, "--dbname", str(db["NAME"])]


def _tool(name: str) -> str:
    """The full path of a PostgreSQL client program (Debian: the postgresql-client package)."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def row_counts() -> dict[str, int]:
    """Rows in every table of the project (each model's table once; history tables included)."""
    counts: dict[str, int] = {}
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if table not in counts and not model._meta.proxy and model._meta.managed:
            counts[table] = model._base_manager.using("default").count()
    return dict(sorted(counts.items()))


def _media_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def backup_make(target: Path) -> Path:
    """Write a backup folder under ``target`` (named after the time); returns it."""
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = target / f"tandem-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    env, args = _pg_env_and_args()
    # The rows are counted in the very snapshot pg_dump dumps (exported from this transaction), so the counts
    # match the dump even while the site keeps writing.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = row_counts()
        dump = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
        result = subprocess.run(  # noqa: S603 (pg_dump with our own arguments)
            [*dump, "--file", str(folder / DUMP), *args], env=env, capture_output=True, text=True, check=False
        )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[-2000:]}")
    media_root = Path(settings.MEDIA_ROOT)
    for source in _media_files(media_root):
        copy = folder / MEDIA / source.relative_to(media_root)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, copy)
    (folder / COUNTS).write_text(json.dumps(counts, indent=1) + "\n")
    _write_sums(folder)
    return folder


def _write_sums(folder: Path) -> None:
    lines = [
        f"{sha256_of(path)}  {path.relative_to(folder).as_posix()}"
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != SUMS
    ]
    (folder / SUMS).write_text("\n".join(lines) + "\n")


def backup_verify(folder: Path) -> int:
    """Check every file of the backup against ``SHA256SUMS`` (and that none is missing or extra); returns
    how many files were checked. Raises :class:`BackupError` naming the first problem."""
    sums = folder / SUMS
    if not sums.exists():
        raise BackupError(f"{folder} has no {SUMS}: not a Tandem backup.")
    listed: dict[str, str] = {}
    for line in sums.read_text().splitlines():
        digest, _sep, name = line.partition("  ")
        listed[name] = digest
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != SUMS}
    if present != set(listed):
        raise BackupError(f"Files missing or added since the backup: {sorted(present ^ set(listed))[:5]}")
    for name, digest in listed.items():
        if sha256_of(folder / name) != digest:
            raise BackupError(f"{name} does not match its SHA-256: the backup is damaged.")
    return len(listed)


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
        row = cursor.fetchone()
    return bool(row and row[0] == 0)


def backup_restore(folder: Path) -> CheckReport:
    """Restore a backup into the empty database of DATABASE_URL and MEDIA_ROOT, then check it (see the
    module's docstring). Refuses a damaged backup, a database with tables, or a media file already there."""
    backup_verify(folder)
    if not _database_is_empty():
        raise BackupError("The database already has tables: restore into an empty database (createdb).")
    media_root = Path(settings.MEDIA_ROOT)
    copies = _media_files(folder / MEDIA)
    clashes = [c for c in copies if (media_root / c.relative_to(folder / MEDIA)).exists()]
    if clashes:
        raise BackupError(
            f"{len(clashes)} media files are already in MEDIA_ROOT ({media_root}); restore into an empty one."
        )
    env, args = _pg_env_and_args()
    connection.close()
    result = subprocess.run(  # noqa: S603 (pg_restore with our own arguments)
        [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", *args, str(folder / DUMP)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()[-2000:]}")
    for copy in copies:
        destination = media_root / copy.relative_to(folder / MEDIA)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(copy, destination)
    return smoke_check(folder)


def _frozen_file_fields() -> list[tuple[type[models.Model], str]]:
    """Each model with a file field beside a ``sha256`` field: the file is frozen, the row keeps its hash."""
    found = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.get_fields()}
        if "sha256" not in names:
            continue
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.FileField):
                found.append((model, model_field.name))
    return found


def smoke_check(folder: Path) -> CheckReport:
    """Compare what is in the database and MEDIA_ROOT now with the backup: rows per table, every media file
    and its hash, and every frozen file against the hash its row keeps."""
    report = CheckReport()
    expected: dict[str, int] = json.loads((folder / COUNTS).read_text())
    actual = row_counts()
    report.tables = len(expected)
    for table, count in expected.items():
        if actual.get(table) != count:
            report.problems.append(f"table {table}: {actual.get(table)} rows, the backup had {count}")
    media_root = Path(settings.MEDIA_ROOT)
    for copy in _media_files(folder / MEDIA):
        restored = media_root / copy.relative_to(folder / MEDIA)
        report.files += 1
        if not restored.exists() or sha256_of(restored) != sha256_of(copy):
            report.problems.append(f"media file {restored.relative_to(media_root)} is missing or differs")
    for model, name in _frozen_file_fields():
        rows: Any = model._base_manager.exclude(**{name: ""}).exclude(sha256="").values_list("pk", name, "sha256")
        for pk, stored, digest in rows:
            report.frozen += 1
            path = media_root / stored
            if not path.exists():
                report.problems.append(f"{model._meta.label} {pk}: its file {stored} is missing")
            elif sha256_of(path) != digest:
                report.problems.append(f"{model._meta.label} {pk}: its file {stored} does not match its SHA-256")
    return report
