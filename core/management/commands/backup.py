"""``manage.py backup [--to var/backups]``: a PostgreSQL dump and the media files, with their hashes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, backup_make, backup_verify


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and the media files, with the SHA-256 of every file (core/backup.py)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", default=str(Path(settings.BASE_DIR) / "var" / "backups"), help="Parent folder.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            folder = backup_make(Path(options["to"]))
            checked = backup_verify(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{folder}\n{checked} files, each with its SHA-256 in {folder / 'SHA256SUMS'}")
