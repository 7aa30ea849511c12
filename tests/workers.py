"""Helpers for tests that run a real Celery worker in this process (``celery.contrib.testing.worker``).

Each such test sends its tasks to a queue of its own, so a developer's ``make run`` worker on the same
broker cannot take them and messages left by earlier runs are not consumed; ``forget_queue`` removes that
queue afterwards. ``wait_for`` polls for what the worker does in the background.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from kombu import Exchange, Queue

from config.celery import app as celery_app


def forget_queue(queue: str) -> None:
    """Remove the test queue and its exchange from the broker, so runs leave nothing behind."""
    with celery_app.connection_for_write() as conn:
        channel = conn.default_channel
        # Declared again on this channel so that the transport knows the bindings it has to remove.
        Queue(queue, Exchange(queue), routing_key=queue)(channel).declare()
        channel.queue_delete(queue)
        channel.exchange_delete(queue)
    # The filesystem transport keeps each exchange's bindings in a file of its own.
    control_folder = (celery_app.conf.broker_transport_options or {}).get("control_folder")
    if control_folder:
        Path(control_folder, f"{queue}.exchange").unlink(missing_ok=True)


def table_locked(error: BaseException) -> bool:
    """Whether ``error`` is SQLite refusing a table that another connection of this process is writing.

    On SQLite the test database is Django's shared in-memory one, and the worker runs in a thread of the
    test's process: their connections share one cache, whose table locks fail at once instead of waiting
    ("database table is locked"). That is this harness's database, not the app's (PostgreSQL, or ``make
    run``'s SQLite file, whose locks wait): a test reading while the worker writes asks again."""
    return isinstance(error, DatabaseError | sqlite3.OperationalError) and "table is locked" in str(error)


@contextlib.contextmanager
def _reading_without_table_locks() -> Iterator[None]:
    """On SQLite, the test's own reads take no table locks while it waits (``PRAGMA read_uncommitted`` on
    the shared cache, see ``table_locked``): a check that held a read lock made the worker's write to the
    same table fail at once, and the worker's task count a failed attempt (a report built at its second
    attempt, seen on a slow machine). Elsewhere nothing changes."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA read_uncommitted = 1")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 0")


def wait_for(condition: Callable[[], bool], timeout: float = 15) -> bool:
    """Whether ``condition`` holds within ``timeout`` seconds (checked every 0.1 s; a check that met a
    table the worker was writing counts as not yet, see ``table_locked``; on SQLite the checks read without
    table locks, ``_reading_without_table_locks``)."""
    deadline = time.monotonic() + timeout
    with _reading_without_table_locks():
        while time.monotonic() < deadline:
            try:
                if condition():
                    return True
            except Exception as error:
                if not table_locked(error):
                    raise
            time.sleep(0.1)
        return condition()


def forget_test_broker() -> int:
    """Remove everything this run left on its own broker (config/settings/test.py); returns what was removed.

    The filesystem broker's folder goes whole; on Redis, the keys under the run's prefix. Called when the
    session (or the parallel worker's session) ends, so a test run leaves the broker as it found it.
    """
    options = celery_app.conf.broker_transport_options or {}
    prefix = options.get("global_keyprefix")
    if prefix:
        client = redis.Redis.from_url(celery_app.conf.broker_url)
        try:
            keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
            if keys:
                client.delete(*keys)
            return len(keys)
        finally:
            client.close()
    folder = Path(getattr(settings, "CELERY_BROKER_FOLDER", ""))
    if options.get("data_folder_in") and "test-celery" in folder.parts and folder.exists():
        removed = sum(1 for _ in folder.rglob("*") if _.is_file())
        shutil.rmtree(folder, ignore_errors=True)
        return removed
    return 0
