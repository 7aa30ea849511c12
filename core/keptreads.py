"""Reads kept in the cache until something they read is written (ADR 0068), as the navigation (ADR 0051) and
the hot pages (ADR 0055) are.

Some answers weigh a whole table on every call though they change only when a few tables are written: who is
at risk weighs every student's milestones, plan, grades, meetings and project points (issue #19: ~140 ms for
a university's 10,000 students with a curriculum and a term of meetings). ``kept(name, key, compute)``
answers ``compute()`` and keeps it, under ``name`` and ``key``, with the **versions of the tables its
statements read** (``navcache.tables_read``); a later call with the same name and key gets it back while each
of those tables has the version it had, the day is the same (part of every key that depends on it) and it
is at most ``READ_CACHE_SECONDS`` old (the backstop for writes outside Django's connections).

* Every statement that writes raises its table's version (``navcache``), so a kept read ends with the
  first write to anything it read, whichever process made it; a write elsewhere (hours logged, an entry
  approved: most writes) keeps it.
* It is kept only if nothing at all was written while it was worked out (the epoch), as a kept page is.
* A read answered from the cache reports the tables it stands for to the ``noting`` blocks around it
  (``navcache.note_read``): a kept page or navigation that used it depends on them as if its statements
  had run.
* The key must name everything the answer depends on besides the database: the reader's rule as a shape
  and its values (``access.rule_template``), never the person, so that readers with the same rule share
  one answer and readers with different ones never do.

A cache that does not answer costs the work, never the answer.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any, TypedDict, TypeVar

from django.conf import settings
from django.core.cache import cache

from core import navcache

logger = logging.getLogger(__name__)

T = TypeVar("T")

READ_KEY = "tandem:read:{}:{}"
"""A kept read in the cache: its name and a digest of its key."""


class KeptRead(TypedDict):
    """What is kept: the answer, the versions of the tables it read, when."""

    value: Any
    versions: dict[str, int | None]
    at: float


def seconds() -> int:
    """How long a read may be kept at most (0: never kept)."""
    return int(getattr(settings, "READ_CACHE_SECONDS", 60))


def cache_key(name: str, key: tuple[Any, ...]) -> str:
    """The cache key of ``name`` with ``key`` (its ``repr``'s digest: the key's parts are ids, codes, days)."""
    return READ_KEY.format(name, hashlib.sha256(repr(key).encode()).hexdigest()[:32])


def kept(name: str, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``, or what it answered before for this ``name`` and ``key`` if nothing it read has been
    written since (see the module)."""
    limit = seconds()
    if limit <= 0:
        return compute()
    where = cache_key(name, key)
    try:
        found = cache.get_many([where, navcache.EPOCH_KEY])
        epoch = int(found.get(navcache.EPOCH_KEY) or 0)
        earlier: KeptRead | None = found.get(where)
        if earlier is not None and time.time() - earlier["at"] <= limit and navcache.still_current(earlier["versions"]):
            navcache.note_read(earlier["versions"])
            return earlier["value"]  # type: ignore[no-any-return]
    except Exception:  # a cache outage: work it out
        logger.warning("kept reads: could not read %s", name, exc_info=True)
        return compute()
    with navcache.noting() as statements:
        value = compute()
    try:
        versions = navcache.versions_now(navcache.tables_read(statements), epoch=epoch)
        if versions is not None:
            cache.set(where, KeptRead(value=value, versions=versions, at=time.time()), timeout=limit)
    except Exception:
        logger.warning("kept reads: could not store %s", name, exc_info=True)
    return value
