"""Request middleware of our own."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

_LAST_SEEN = "tandem_last_seen"


class IdleSessionTimeoutMiddleware:
    """Log a browser session out after ``SESSION_IDLE_MINUTES`` without a request.

    Shared workstations in hospitals stay logged in otherwise; the cookie age alone counts from login,
    not from the last click.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last_seen = request.session.get(_LAST_SEEN)
            if last_seen is not None and now - float(last_seen) > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
            else:
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
