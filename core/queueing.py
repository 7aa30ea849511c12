"""Handing work to the broker without letting the broker decide whether a user's action succeeds.

Every piece of background work is first a database row saying what is to be done (a notification not yet
e-mailed, a report PENDING), committed with the user's change. The message to the worker is only a nudge,
sent after commit by :func:`enqueue_on_commit`: when the broker is down or hung, the send fails within
seconds (``BROKER_TIMEOUT`` in the settings), is logged, and the action still succeeds; the periodic sweep of
the row's app (``core.notification_emails_sweep``, ``supervision.reports_sweep``) queues what is still
waiting once the broker is back, and the row's claim keeps a job queued twice from being done twice
(docs/decisions/0011 and 0015).

After one failed send, sends are skipped for ``SKIP_AFTER_FAILURE`` seconds in this process, so an action
that queues many messages (a notification to every office user) pays the broker's timeout once, not once per
message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger("tandem.queueing")

#: Seconds during which this process sends nothing more after a send failed (the sweep catches up).
SKIP_AFTER_FAILURE = 30.0

_lock = threading.Lock()
_skip_until = 0.0


def broker_skipped() -> bool:
    """Whether a recent failure makes this process skip sends for now."""
    return time.monotonic() < _skip_until


def reset() -> None:
    """Forget a recent failure (tests; and a worker that knows the broker is back)."""
    global _skip_until
    with _lock:
        _skip_until = 0.0


def enqueue(send: Callable[[], Any], *, what: str) -> bool:
    """Call ``send`` (a task's ``delay``/``apply_async``/``send_task``); ``True`` when the broker took it.

    Never raises: a broker that refuses or does not answer is logged and ``False`` is returned; the work
    stays waiting in its row for the sweep.
    """
    global _skip_until
    if broker_skipped():
        logger.warning("broker skipped after a recent failure; %s waits for its sweep", what)
        return False
    try:
        send()
    except Exception:
        logger.exception("could not queue %s; it waits for its sweep", what)
        with _lock:
            _skip_until = time.monotonic() + SKIP_AFTER_FAILURE
        return False
    return True


def enqueue_on_commit(send: Callable[[], Any], *, what: str) -> None:
    """:func:`enqueue` once the current transaction commits (at once outside one); nothing on rollback."""
    transaction.on_commit(lambda: enqueue(send, what=what))
