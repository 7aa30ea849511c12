"""``manage.py fund_totals``: check the running spending totals against the ledger's entries (ADR 0031);
``--rebuild`` computes them again from the entries. Exits non-zero when they differ and were not rebuilt."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from funds.selectors import spending_totals_mismatches
from funds.services.totals import spending_totals_rebuild


class Command(BaseCommand):
    help = "Check the funds' running spending totals against the ledger; --rebuild recomputes them from it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="recompute the totals from the entries")

    def handle(self, *args: Any, **options: Any) -> None:
        mismatches = spending_totals_mismatches()
        if not mismatches:
            self.stdout.write("Spending totals agree with the ledger.")
            return
        for key, ledger, kept in mismatches[:20]:
            self.stdout.write(f"{key}: ledger {ledger}, totals {kept}")
        if not options["rebuild"]:
            raise CommandError(f"{len(mismatches)} spending total(s) differ from the ledger; run with --rebuild.")
        rows = spending_totals_rebuild()
        self.stdout.write(f"Rebuilt {rows} spending total(s) from the ledger.")
