"""``manage.py check_catalogue``: fail when a string is not translated into Simplified Chinese.

Checks that every entry of the zh_Hans catalogue has a translation and none is fuzzy. Where GNU gettext
is installed (CI installs it), it also extracts the strings from the code into a scratch copy of the
catalogue and fails when the committed catalogue lacks any of them: a new string without ``make
makemessages`` and a translation is caught before it ships.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

LOCALE = "zh_Hans"


def _untranslated(po: polib.POFile) -> list[str]:
    problems = []
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif entry.msgid_plural:
            if not all(entry.msgstr_plural.values()):
                problems.append(f"untranslated plural: {entry.msgid!r}")
        elif not entry.msgstr:
            problems.append(f"untranslated: {entry.msgid!r}")
    return problems


class Command(BaseCommand):
    help = "Fail when the Simplified Chinese catalogue is incomplete or behind the code."

    def handle(self, *args: Any, **options: Any) -> None:
        po_path = Path(settings.LOCALE_PATHS[0]) / LOCALE / "LC_MESSAGES" / "django.po"
        committed = polib.pofile(str(po_path))
        problems = _untranslated(committed)
        if shutil.which("xgettext"):
            problems += [
                f"missing from the catalogue: {m!r}" for m in sorted(self._extracted(po_path) - self._ids(committed))
            ]
        else:
            self.stdout.write("GNU gettext not installed: checked translations only, not extraction.")
        if problems:
            raise CommandError(
                "The zh_Hans catalogue is incomplete (run `make makemessages`, then translate):\n  "
                + "\n  ".join(problems[:50])
            )
        self.stdout.write(f"zh_Hans catalogue complete: {len(committed)} entries.")

    @staticmethod
    def _ids(po: polib.POFile) -> set[str]:
        return {entry.msgid for entry in po if not entry.obsolete}

    def _extracted(self, po_path: Path) -> set[str]:
        """The msgids makemessages finds in the code. makemessages writes into the project's catalogue,
        so the committed file is kept aside and put back, whatever happens."""
        with tempfile.TemporaryDirectory() as scratch:
            backup = Path(scratch) / "django.po"
            shutil.copy2(po_path, backup)
            try:
                call_command(
                    "makemessages",
                    locale=[LOCALE],
                    ignore_patterns=[".venv/*", "var/*", "staticfiles/*", "tests/*", "bin/*"],
                    verbosity=0,
                )
                return self._ids(polib.pofile(str(po_path)))
            finally:
                shutil.copy2(backup, po_path)
