"""The beat entries an app's data migrations write, written again where a test needs them.

The entries are rows the migrations make when the test database is created (``core.beat``). A transactional
test that ran earlier in the same parallel worker empties every table when it ends (Django's flush), and the
migrations do not run again, so a later test that reads the migrated entries can find none (seen in CI,
session 10, in whichever worker such a test landed before them). ``as_migrated`` applies the app's two beat
migrations' own operations again, in their order: both are idempotent (an entry of the same name is kept as
it is; only old task names are renamed), so on a database where the migrations' rows survived it changes
nothing, and the test still reads what the migrations write.
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps

from core.beat import create_entries, rename_tasks


def as_migrated(app: str, create: str, rename: str) -> None:
    """Apply ``<app>.migrations.<create>``'s ``ENTRY`` and ``<app>.migrations.<rename>``'s ``RENAMES``."""
    created = import_module(f"{app}.migrations.{create}")
    renamed = import_module(f"{app}.migrations.{rename}")
    create_entries(apps, entries=(created.ENTRY,))
    rename_tasks(apps, renames=renamed.RENAMES)
