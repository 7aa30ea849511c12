"""Request middleware of our own."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

_LAST_SEEN = "tandem_last_seen"
_LAST_SEEN_STEP = 60.0
"""Seconds: the last-seen time is written again only when older than this, so that a session is saved
(an UPDATE of its row) at most once a minute rather than on every request; the idle timeout is then
exact to within a minute."""


def mark_seen_at_login(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """Logging in counts as being seen (``user_logged_in``): the session is saved by the login anyway, so
    the pages of the next minute write nothing."""
    session = getattr(request, "session", None)
    if session is not None:
        session[_LAST_SEEN] = time.time()


class IdleSessionTimeoutMiddleware:
    """Log a browser session out after ``SESSION_IDLE_MINUTES`` without a request.

    Shared workstations in hospitals stay logged in otherwise; the cookie age alone counts from login,
    not from the last click. The time of the last click is written only when it is older than a minute:
    writing it on every request saved the session (a database write) on every page and API call.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last_seen = request.session.get(_LAST_SEEN)
            idle = None if last_seen is None else now - float(last_seen)
            if idle is not None and idle > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
            elif idle is None or idle >= _LAST_SEEN_STEP:
                request.session[_LAST_SEEN] = now
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers for every response: ``Permissions-Policy`` (``PERMISSIONS_POLICY``) always, and
    ``Cache-Control: no-store`` on whatever answers a signed-in person, pages and API alike, so that no
    browser or proxy cache keeps a copy of their records (a shared hospital workstation's back button, say).

    It sits before whitenoise: static files pass by without a user and stay cacheable. An API request
    signed in by a token is seen as signed in too, since DRF sets the user on the request it wraps.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response
