"""``manage.py restore --from <backup folder>``: into an empty database and media folder, then checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, backup_restore, smoke_check


class Command(BaseCommand):
    help = (
        "Restore a backup (manage.py backup) into the empty database of DATABASE_URL and MEDIA_ROOT, then check "
        "it: rows per table, every file's SHA-256, every frozen report against its hash. --check-only checks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="source", required=True, help="The backup folder.")
        parser.add_argument("--check-only", action="store_true", help="Only compare the database with the backup.")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["source"])
        try:
            report = smoke_check(folder) if options["check_only"] else backup_restore(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        for problem in report.problems:
            self.stderr.write(problem)
        summary = f"{report.tables} tables, {report.files} media files, {report.frozen} frozen files checked"
        if not report.ok:
            raise CommandError(f"The restore is not whole: {len(report.problems)} problems ({summary}).")
        self.stdout.write(f"Restored and checked: {summary}; all as in the backup.")
