"""Browser journeys: Playwright (sync API) driving Debian's headless Chromium against ``live_server``.

Every test in this folder is marked ``browser`` and ``django_db(transaction=True)``: the live server
runs in another thread, so it only sees rows that are committed. Playwright's sync API runs an event
loop in the test thread, which makes Django's ORM refuse to run there unless
``DJANGO_ALLOW_ASYNC_UNSAFE`` is set; the ORM calls here are plain synchronous test setup, so that is safe.

``make test`` installs Debian's Chromium first where it can (``bin/system-deps.sh test``: root or passwordless
sudo on Debian or Ubuntu). Only where it truly cannot is the folder skipped, with the command that gets it;
``CHROMIUM_PATH`` points at another Chromium build.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread

from tests.browser.axe import AxeWatch

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


class SharedConnectionWSGIServer(ThreadedWSGIServer):
    """The live server's request threads close their own database connections, not the shared one.

    On in-memory SQLite the live server shares the test's connection with its request threads. Django's
    server closes every connection when a request ends; for the shared one that close does nothing (an
    in-memory database would be lost) but first checks the thread, which fails once Chromium's keep-alive
    connections end after the test, and pytest reports "DatabaseWrapper objects created in a thread can
    only be used in that same thread" warnings. PostgreSQL connections are per thread and still closed.
    """

    def _close_connections(self) -> None:
        shared = set(self.connections_override or ())
        for connection in connections.all(initialized_only=True):
            if connection.alias not in shared:
                connection.close()


LiveServerThread.server_class = SharedConnectionWSGIServer

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
BROWSER_DIR = Path(__file__).resolve().parent
LOGIN_PATH = "/accounts/login/"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark this folder's tests (and only them: the hook sees the whole session's items)."""
    skip = pytest.mark.skip(
        reason=f"browser journeys need Chromium at {CHROMIUM}: run `sudo apt-get install chromium` "
        "(make test does it when it runs as root or with passwordless sudo), or set CHROMIUM_PATH"
    )
    for item in items:
        if BROWSER_DIR not in Path(str(item.path)).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        item.add_marker(pytest.mark.django_db(transaction=True))
        if not CHROMIUM.exists():
            item.add_marker(skip)


AXE_WATCH = pytest.StashKey[AxeWatch]()
AXE_TOTALS = pytest.StashKey[list[tuple[int, float]]]()


@pytest.fixture(autouse=True)
def axe_watch(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> AxeWatch:
    """axe-core on every page this test's browser shows (see ``tests/browser/axe.py``), in every context the
    test opens; the test fails (after its own assertions passed) on a serious or critical violation."""
    watch = AxeWatch()
    watch.install(monkeypatch)
    request.node.stash[AXE_WATCH] = watch
    return watch


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """A browser test that passed fails still if a page it showed has a serious or critical axe violation."""
    result = yield
    watch = item.stash.get(AXE_WATCH, None)
    if watch is not None:
        watch.finish()
        item.config.stash.setdefault(AXE_TOTALS, []).append((len(watch.checked), watch.seconds))
        assert not watch.failures, "axe-core (WCAG 2.2 AA, serious or critical):\n\n" + "\n\n".join(watch.failures)
    return result


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """What axe-core cost the browser tests (the CI budget is tight): pages checked and seconds spent."""
    totals = config.stash.get(AXE_TOTALS, [])
    if totals:
        pages, seconds = sum(t[0] for t in totals), sum(t[1] for t in totals)
        terminalreporter.write_line(f"axe-core: {pages} pages checked in {len(totals)} tests, {seconds:.1f} s")


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Debian's Chromium (``playwright install`` cannot download here), headless, without background noise."""
    return {
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


_DEMO_SNAPSHOTS: dict[tuple[Any, ...], list[tuple[str, bytes]]] = {}
"""The demo's rows, table by table (PostgreSQL's binary COPY), once per worker, day and demo setting."""


def _demo_tables() -> list[str]:
    from django.db import connection

    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _take_snapshot() -> list[tuple[str, bytes]]:
    """Every table's rows as PostgreSQL's binary COPY gives them (a few hundred kilobytes for the demo)."""
    from django.db import connection

    tables = []
    with connection.cursor() as cursor:
        for table in _demo_tables():
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} TO STDOUT (FORMAT BINARY)") as copy:
                tables.append((table, b"".join(bytes(block) for block in copy)))
    return tables


def _restore_snapshot(tables: list[tuple[str, bytes]]) -> None:
    """Put the demo's rows back exactly as they were seeded, in one transaction: empty every table (the
    flush that ended the last test made content types and permissions again, with other keys), copy the
    rows in, and let the foreign keys (deferred) be checked at commit. Sequences are left alone: they only
    grow, so they are already past every restored key. Caches that hold keys or counts are emptied."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache
    from django.db import connection, transaction

    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(quote(table) for table, _rows in tables))
        for table, rows in tables:
            with cursor.cursor.copy(f"COPY {quote(table)} FROM STDIN (FORMAT BINARY)") as copy:
                copy.write(rows)
    ContentType.objects.clear_cache()
    cache.clear()


_SQLITE_SNAPSHOTS: dict[tuple[Any, ...], sqlite3.Connection] = {}
"""The seeded SQLite test database, copied whole into a private in-memory database, once per worker, day and
demo setting."""


def _take_sqlite_snapshot() -> sqlite3.Connection:
    """A copy of the whole seeded test database (schema, rows, ``sqlite_sequence``) in a private in-memory
    database, by SQLite's online backup (``sqlite3.Connection.backup``)."""
    from django.db import connection

    connection.ensure_connection()
    kept = sqlite3.connect(":memory:", check_same_thread=False)
    connection.connection.backup(kept)
    return kept


def _restore_sqlite_snapshot(kept: sqlite3.Connection) -> None:
    """Copy the kept database back over the test database, every page of it, through the test's own
    connection (the live server's threads share it), so the rows, their keys and the sequences are the
    seeded ones again, whatever the flush that ended the last test left. Caches that hold keys or counts
    are emptied, as after PostgreSQL's restore."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache
    from django.db import connection

    connection.ensure_connection()
    kept.backup(connection.connection)
    ContentType.objects.clear_cache()
    cache.clear()


@pytest.fixture
def demo(transactional_db: Any, settings: Any) -> None:
    """The demo data of ``manage.py seed_demo``: every role's login, with password ``tandem-demo``.

    Seeding costs tens of seconds and nearly every journey needs it, so each worker seeds once (per day,
    ``QUALITY_DEMO_REPORT`` and media folder, which change what is seeded and where its files are) and later
    journeys get the same rows back: on PostgreSQL by ``COPY`` in about a second, on SQLite (the in-memory
    test database of ``make run``'s defaults) by SQLite's online backup of the whole database, in a few
    milliseconds. The files the demo wrote stay in the media folder."""
    from django.db import connection
    from django.utils import timezone

    from core.demo import seed_demo

    key = (
        connection.vendor,
        timezone.localdate(),
        bool(getattr(settings, "QUALITY_DEMO_REPORT", False)),
        str(settings.MEDIA_ROOT),
    )
    if connection.vendor == "sqlite":
        kept = _SQLITE_SNAPSHOTS.get(key)
        if kept is None:
            seed_demo()
            _SQLITE_SNAPSHOTS[key] = _take_sqlite_snapshot()
        else:
            _restore_sqlite_snapshot(kept)
        return
    snapshot = _DEMO_SNAPSHOTS.get(key)
    if snapshot is None:
        seed_demo()
        _DEMO_SNAPSHOTS[key] = _take_snapshot()
    else:
        _restore_snapshot(snapshot)


@pytest.fixture
def login(live_server: Any, demo: None) -> Callable[..., Any]:
    """``login(page, username)``: sign in through the real login form and land on the start page."""
    from core.demo import DEMO_PASSWORD

    def _login(page: Any, username: str, password: str = DEMO_PASSWORD) -> Any:
        page.goto(live_server.url + LOGIN_PATH)
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(password)
        page.get_by_role("button", name="Log in", exact=True).click()
        page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))
        return page

    return _login
