"""Hot pages kept in the cache until something they read is written (ADR 0055).

The lists people open many times a day (the plan page, the sign-off queue, the office's student, at-risk
and inspection lists) cost 30 to 90 ms at a university's scale, nearly all of it the page's own queries and
rendering (issue #19). Most visits repeat the previous one with nothing changed in between: a supervisor back
on the queue, the office paging through the at-risk list. So a page marked ``@kept_page`` is kept, per
session, address and language, with the **tables it read** and their versions:

* while the page is worked out, every statement is watched and the tables named after ``FROM`` and ``JOIN``
  are noted (the tables reading itself writes, ``navcache.IGNORED_MODELS``, are left out);
* every statement that writes raises the version of its table (``navcache.written_table``, on every
  connection of every process, again at commit; a statement whose table is not plain to see raises
  ``ANY_TABLE``, which every kept page depends on);
* a kept page is sent again only while each table it read has the version it had, the navigation it showed
  is still what the navigation would show (``core.context_processors``), the day is the same and it is at
  most ``PAGE_CACHE_SECONDS`` old (the backstop for writes outside Django's connections and for the clock
  the page shows, "due in 3 days");
* a page is kept only if nothing at all was written while it was worked out (``navcache.EPOCH_KEY``
  unchanged), so it cannot be kept at versions newer than what it read.

Never kept: anything but a plain ``GET`` answered 200 with HTML by a signed-in person with a session and a
CSRF cookie (the page's form tokens belong to both; both are in the key), a response that sets a cookie,
and a page shown with messages waiting ("Saved."). A cache that does not answer costs the work, never the
page. What the page shows is therefore what working it out afresh would show, as of the last write to what
it reads; a write elsewhere (another app's table) keeps it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any, TypedDict

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone, translation

from core import navcache

logger = logging.getLogger(__name__)

KEPT_HEADER = "X-Tandem-Kept"
"""Set on a page sent from the cache (``1``), so a test or an operator can tell which it was."""

#: Headers that change what a page answers besides its address (htmx asks for parts of a page).
_VARY_HEADERS = ("HTTP_HX_REQUEST", "HTTP_HX_TARGET", "HTTP_HX_TRIGGER", "HTTP_HX_BOOSTED")


class KeptPage(TypedDict):
    """What is kept: the page, the versions of what it read, the navigation it showed, when."""

    body: bytes
    content_type: str
    versions: dict[str, int | None]
    navigation: str
    at: float


def seconds() -> int:
    """How long a kept page may be sent at most (0: pages are never kept)."""
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 60))


def _key(request: HttpRequest) -> str | None:
    """The page's key: the session, the CSRF cookie, the language, the day, the address, htmx's headers.
    ``None`` when the request has no session or CSRF cookie yet (its page would set one)."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if not session_key or not csrf:
        return None
    parts = [
        session_key,
        csrf,
        translation.get_language() or settings.LANGUAGE_CODE,
        timezone.localdate().isoformat(),
        request.get_full_path(),
        *(request.META.get(header, "") for header in _VARY_HEADERS),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"tandem:page:{request.user.pk}:{digest}"


def _navigation(request: HttpRequest) -> str:
    """A fingerprint of the navigation this request shows (links, badges, unread count), or ``""`` when the
    page worked out none. Read through ``core.context_processors``: kept between writes, so usually one
    cache read."""
    bundle = getattr(request, "_tandem_nav_bundle", None)
    if bundle is None:
        return ""
    shown = {"items": bundle["items"], "unread": bundle["unread"]}
    return hashlib.sha256(json.dumps(shown, sort_keys=True, default=str).encode()).hexdigest()


def _current_navigation(request: HttpRequest) -> str:
    from core.context_processors import _bundle

    _bundle(request)
    return _navigation(request)


def _usable(request: HttpRequest) -> bool:
    if seconds() <= 0 or request.method != "GET" or not request.user.is_authenticated:
        return False
    return len(get_messages(request)) == 0


def _send_kept(request: HttpRequest, key: str) -> tuple[HttpResponse | None, int]:
    """The kept page if it is still what working it out would give, and the write epoch now."""
    try:
        found = cache.get_many([key, navcache.EPOCH_KEY])
        kept: KeptPage | None = found.get(key)
        epoch = int(found.get(navcache.EPOCH_KEY) or 0)
        if kept is None or time.time() - kept["at"] > seconds() or not navcache.still_current(kept["versions"]):
            return None, epoch
    except Exception:  # a cache outage: work the page out
        logger.warning("page cache: could not read", exc_info=True)
        return None, 0
    if kept["navigation"] and _current_navigation(request) != kept["navigation"]:
        return None, epoch
    response = HttpResponse(kept["body"], content_type=kept["content_type"])
    response[KEPT_HEADER] = "1"
    return response, epoch


def _keep(request: HttpRequest, key: str, response: HttpResponseBase, read: set[str], epoch: int) -> None:
    """Keep the page just worked out, if nothing was written meanwhile (then it would be kept at versions
    newer than what it read)."""
    if (
        not isinstance(response, HttpResponse)
        or response.status_code != 200
        or response.cookies
        or not response.get("Content-Type", "").startswith("text/html")
        or len(get_messages(request)) > 0
    ):
        return
    try:
        versions = navcache.versions_now(read, epoch=epoch)
        if versions is None:
            return
        kept: KeptPage = {
            "body": response.content,
            "content_type": response["Content-Type"],
            "versions": versions,
            "navigation": _navigation(request),
            "at": time.time(),
        }
        cache.set(key, kept, timeout=seconds())
    except Exception:
        logger.warning("page cache: could not store", exc_info=True)


def kept_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Keep a page between writes to what it reads (see the module). For views whose answer depends only on
    the database, the person, the address, the language and the day: no files, no other cache, no clock
    finer than ``PAGE_CACHE_SECONDS``."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not _usable(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        if key is None:
            return view(request, *args, **kwargs)
        kept, epoch = _send_kept(request, key)
        if kept is not None:
            return kept
        with navcache.noting(skip_unrecorded=True) as statements:
            response = view(request, *args, **kwargs)
            render = getattr(response, "render", None)
            if callable(render):
                response = render() or response
        _keep(request, key, response, navcache.tables_read(statements), epoch)
        return response

    return wrapper
