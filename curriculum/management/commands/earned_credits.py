"""``manage.py earned_credits``: check the credits kept per student against their grades (ADR 0070);
``--rebuild`` works them out again from the grades. Exits non-zero when they differ and were not rebuilt."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from curriculum.selectors import earned_credits_mismatches
from curriculum.services.credits import earned_credits_rebuild


class Command(BaseCommand):
    help = "Check the credits kept per student against their grades; --rebuild works them out again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="work the credits out again from the grades")

    def handle(self, *args: Any, **options: Any) -> None:
        mismatches = earned_credits_mismatches()
        if not mismatches:
            self.stdout.write("Credits earned agree with the grades.")
            return
        for row in mismatches[:20]:
            self.stdout.write(f"student {row.student_id}: grades {row.from_grades}, kept {row.kept}")
        if not options["rebuild"]:
            raise CommandError(f"{len(mismatches)} student(s)' credits differ from their grades; run with --rebuild.")
        students = earned_credits_rebuild()
        self.stdout.write(f"Rebuilt the credits of {students} student(s) from their grades.")
