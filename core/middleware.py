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
