"""Template context shared by every page: the role-aware navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from accounts.roles import PlatformRole, platform_roles


def _items(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    if not user.is_authenticated:
        return []
    items = [
        {"label": _("Start"), "url": reverse("core:start")},
        {"label": _("Partners"), "url": reverse("partners:list")},
    ]
    roles = platform_roles(user)
    if PlatformRole.OFFICE in roles or user.is_staff:
        items.append({"label": _("Admin"), "url": reverse("admin:index")})
    items.append({"label": _("API"), "url": reverse("api-docs")})
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    """``nav_items``: the links this user's roles lead to, computed only if the page shows them."""
    return {"nav_items": SimpleLazyObject(lambda: _items(request))}
