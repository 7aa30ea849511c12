"""API throttles that count per client address and survive an outage of the shared cache.

Production counts in Redis, shared by every web process. When Redis does not answer, a throttle that let
the cache error through would turn the token endpoint into a 500 for everyone; one that let every request
through would leave password guessing unthrottled exactly while nobody is watching. Instead the error is
logged and the request is counted in this process's memory until Redis answers again: the limit still
holds, per web process rather than for the whole site.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache as default_cache
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from core.client_ip import client_ip

logger = logging.getLogger(__name__)

#: Each process's own counts, used while the shared cache fails.
FALLBACK_CACHE = LocMemCache("tandem-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


class ResilientCache:
    """The throttle's view of the cache: the shared one, or this process's memory when it fails."""

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return default_cache.get(key, default)
        except Exception:
            logger.exception("Throttle cache unavailable: counting in this process's memory")
            return FALLBACK_CACHE.get(key, default)

    def set(self, key: str, value: Any, timeout: Any = None) -> None:
        try:
            default_cache.set(key, value, timeout)
        except Exception:
            logger.exception("Throttle cache unavailable: counting in this process's memory")
            FALLBACK_CACHE.set(key, value, timeout)


class ResilientThrottleMixin(SimpleRateThrottle):
    """Counts per ``core.client_ip.client_ip`` in a cache that falls back to local memory (see above)."""

    cache = ResilientCache()  # type: ignore[assignment]

    def get_ident(self, request: Request) -> str:
        return client_ip(request._request)


class ResilientAnonRateThrottle(ResilientThrottleMixin, AnonRateThrottle):
    """Anonymous requests, per client address."""
