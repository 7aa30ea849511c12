"""The client's address, as far as the proxies in front of Tandem can be trusted to say it.

One function for every place that counts per address (django-axes' login lockouts, the API's throttles),
so they agree. ``TRUSTED_PROXY_COUNT`` is how many proxies in front of the application append to
``X-Forwarded-For``: 0 (the default) when clients connect directly, and then the header is ignored, since
any client can send one; 1 behind one reverse proxy, and then the last address in the header is the one the
proxy saw.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address of the client behind ``TRUSTED_PROXY_COUNT`` proxies (``REMOTE_ADDR`` with none)."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]
