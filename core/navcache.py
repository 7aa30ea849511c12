"""The navigation's links, badges and unread count, kept in the cache between writes (ADR 0051).

Every page shows the navigation: the links a person's roles lead to, each with what waits behind it (the
inbox of every app, ``core.hooks.INBOX``), and the unread notifications. Working that out is a dozen
scoped queries (for the office, the at-risk count among them): at a university's scale it was half or
more of a hot page's time (issue #19). It changes only when something is written, so it is kept in the
cache, per person and language, and thrown away by any write:

* an **epoch** (one integer in the cache) is raised by every row saved or deleted through the ORM
  (``post_save``, ``post_delete``, ``m2m_changed``) but the rows that reading itself writes (sessions,
  refused-access records, read logs, history rows, login times), by every successful unsafe request
  (a POST that changed rows with ``update()``, which sends no signal), and by every finished Celery task;
* a kept navigation is used only while the epoch is the one it was computed at, and for at most
  ``NAV_CACHE_SECONDS`` (the backstop for writes that none of the above sees: a command's ``update()``);
* the start page, whose list *is* the inbox, always counts afresh and stores what it counted.

So what a page shows is what a fresh count would show, as of the last write; between writes a page pays
one cache read for it. Under a steady stream of writes the navigation is counted on most pages, as
before: the cache makes reading cheap, it never makes a count wrong.
"""

from __future__ import annotations

import logging
from typing import Any, TypedDict

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import translation

logger = logging.getLogger(__name__)

EPOCH_KEY = "tandem:nav:epoch"

#: Rows written by reading (a session's last-seen time, a refused request's record, the wellbeing read
#: log, a login's time and attempts) and history rows, which always come with a row that counts: none of
#: them changes what waits for anyone, and counting them would throw the navigation away on every page.
IGNORED_MODELS = frozenset(
    {
        "sessions.session",
        "core.accessdenial",
        "wellbeing.accesslogentry",
        "axes.accessattempt",
        "axes.accesslog",
        "axes.accessfailurelog",
        "django_celery_beat.periodictask",
        "django_celery_beat.periodictasks",
        "django_celery_results.taskresult",
    }
)


class Navigation(TypedDict):
    """What is kept: the links (label in the reader's language, address, badge) and the unread count."""

    epoch: int
    items: list[dict[str, Any]]
    unread: int


def seconds() -> int:
    """How long a kept navigation may be used at most (0: never kept)."""
    return int(getattr(settings, "NAV_CACHE_SECONDS", 60))


def _key(user_pk: int) -> str:
    return f"tandem:nav:{user_pk}:{translation.get_language() or settings.LANGUAGE_CODE}"


def bump() -> None:
    """Raise the epoch: every kept navigation is stale from now on. Never fails a write: a cache that does
    not answer is logged, and the kept navigations then end by their timeout."""
    try:
        try:
            cache.incr(EPOCH_KEY)
        except ValueError:  # no epoch yet (first write since the cache started)
            cache.set(EPOCH_KEY, 1, timeout=None)
    except Exception:  # a cache outage must not fail a write
        logger.warning("navigation cache: could not raise the epoch", exc_info=True)


def read(request: HttpRequest) -> tuple[Navigation | None, int]:
    """The navigation kept for this person in this language if it is still current, and the epoch now
    (one cache read). Counting afresh, keep the result at *this* epoch: a write during the count raises
    the epoch after it was read, so the entry is stale at once rather than wrong for a minute."""
    if seconds() <= 0 or not request.user.is_authenticated:
        return None, 0
    try:
        found = cache.get_many([EPOCH_KEY, _key(request.user.pk)])
    except Exception:  # a cache outage: count afresh
        logger.warning("navigation cache: could not read", exc_info=True)
        return None, 0
    epoch = int(found.get(EPOCH_KEY) or 0)
    kept: Navigation | None = found.get(_key(request.user.pk))
    if kept is None or kept["epoch"] != epoch:
        return None, epoch
    return kept, epoch


def store(request: HttpRequest, items: list[dict[str, Any]], unread: int, *, epoch: int) -> None:
    """Keep what was just counted, at the epoch ``read`` returned before counting."""
    if seconds() <= 0 or not request.user.is_authenticated:
        return
    kept: Navigation = {
        "epoch": epoch,
        "items": [{**item, "label": str(item["label"])} for item in items],
        "unread": unread,
    }
    try:
        cache.set(_key(request.user.pk), kept, timeout=seconds())
    except Exception:
        logger.warning("navigation cache: could not store", exc_info=True)


# --- What raises the epoch -------------------------------------------------------------------------------


def _counts(sender: Any) -> bool:
    meta = getattr(sender, "_meta", None)
    if meta is None:
        return False
    return not (meta.label_lower in IGNORED_MODELS or meta.model_name.startswith("historical"))


def _changed(sender: Any, **kwargs: Any) -> None:
    """A row was saved or deleted: raise the epoch now (this connection's next read sees it) and again
    when the transaction commits (other requests may have counted the old rows meanwhile and kept them)."""
    if kwargs.get("raw") or not _counts(sender):
        return
    if sender._meta.label_lower == "accounts.user" and kwargs.get("update_fields") == frozenset({"last_login"}):
        return  # logging in
    bump()
    if connection.in_atomic_block:
        transaction.on_commit(bump)


def _m2m_changed(sender: Any, action: str, **kwargs: Any) -> None:
    """Rows added to or removed from a many-to-many relation (``sender``: its table), e.g. a role's group."""
    if action in ("post_add", "post_remove", "post_clear"):
        _changed(sender)


def _task_finished(**kwargs: Any) -> None:
    """A Celery task may have written with ``update()``, which sends no signal."""
    bump()


def connect() -> None:
    """Listen for writes (``CoreConfig.ready``)."""
    from celery.signals import task_postrun
    from django.db.models.signals import m2m_changed, post_delete, post_save

    post_save.connect(_changed, dispatch_uid="core.navcache.saved")
    post_delete.connect(_changed, dispatch_uid="core.navcache.deleted")
    m2m_changed.connect(_m2m_changed, dispatch_uid="core.navcache.m2m")
    task_postrun.connect(_task_finished, dispatch_uid="core.navcache.task", weak=False)
