"""The checks behind ``/healthz``: does the database answer, does the broker answer, within a deadline.

A database or broker that is down refuses at once; one that is hung (a server that accepts connections and
never answers, a half-open network) would hold the probe for as long as its socket waits. So each check runs
in a thread of its own and the probe waits for both together at most ``DEADLINE`` seconds: a check not done
by then counts as down. A check still hanging from an earlier probe is not started again (it counts as down
until it ends), so a hung server costs one thread per check, not one per probe; the sockets' own timeouts
(``BROKER_TIMEOUT``, the database's ``connect_timeout``) end it in the end.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connections

#: Seconds the probe waits for all its checks together (a load balancer's probe must get an answer in 2 s).
DEADLINE = 1.5

_running: dict[str, threading.Thread] = {}
_lock = threading.Lock()


def database_ok() -> bool:
    """``SELECT 1`` on a connection of this thread (closed afterwards)."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    finally:
        connections.close_all()


def broker_ok() -> bool:
    """A connection to the broker made and checked (for Redis, a PING), once: no retry within a probe."""
    from django.conf import settings

    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=0, timeout=settings.BROKER_TIMEOUT)
    return True


CHECKS: dict[str, Callable[[], bool]] = {"database": database_ok, "broker": broker_ok}


def _start(name: str, check: Callable[[], bool], results: dict[str, bool]) -> threading.Thread | None:
    def run() -> None:
        try:
            results[name] = bool(check())
        except Exception:
            results[name] = False

    with _lock:
        previous = _running.get(name)
        if previous is not None and previous.is_alive():
            return None  # the last probe's check still hangs: down, and no second thread on the same server
        thread = threading.Thread(target=run, name=f"healthz-{name}", daemon=True)
        _running[name] = thread
        thread.start()
    return thread


def run_checks(
    checks: dict[str, Callable[[], bool]] | None = None, *, optional: tuple[str, ...] = (), deadline: float = DEADLINE
) -> dict[str, bool | None]:
    """Run the checks side by side; each name maps to whether it answered well within ``deadline`` seconds.
    A check named in ``optional`` that has not answered by then maps to ``None`` (not known yet), not False."""
    checks = CHECKS if checks is None else checks
    results: dict[str, bool] = {}
    threads = {name: _start(name, check, results) for name, check in checks.items()}
    ends = time.monotonic() + deadline
    for thread in threads.values():
        if thread is not None:
            thread.join(max(0.0, ends - time.monotonic()))
    return {name: results.get(name, None if name in optional else False) for name in checks}


def settle(timeout: float = 10) -> bool:
    """Wait for checks left running by earlier probes to end; whether none is left (for tests)."""
    ends = time.monotonic() + timeout
    for thread in list(_running.values()):
        thread.join(max(0.0, ends - time.monotonic()))
    return not any(thread.is_alive() for thread in _running.values())
