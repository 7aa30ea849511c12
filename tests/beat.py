"""The beat entries an app's data migrations write, written again where a test needs them.

The entries are rows the migrations make when the test database is created (``core.beat``), and nothing
makes them again. In both CI runs of session 10 a parallel worker had lost them before these tests ran (the
table was empty); a transactional test's flush is the only thing in the suite known to empty it, and why one
ran before these tests in that worker is not known yet (the closing note of session 10).

``as_migrated`` applies the app's two beat migrations' own operations again, in their order. Both are
idempotent (an entry of the same name is kept as it is; only old task names are renamed), so where the
migrations' rows survived it changes nothing, and the test still reads what the migrations write.
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
