"""What the wellbeing app adds to lower apps' pages (``core.hooks``): navigation and start-page cards.

Everyone signed in: "Wellbeing" (check-in, my appointments); counsellors: their dashboard and the requests
waiting; the office and coordinators: the anonymous statistics. Each costs a fixed number of queries and
shows no one's record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import AnyUser
from core import hooks
from wellbeing import selectors
from wellbeing.access import can_see_statistics, is_counsellor


def _signed_in(user: AnyUser) -> bool:
    return bool(user.is_authenticated)


def _statistics_only(user: AnyUser) -> bool:
    """Statistics in the menu for the office and coordinators (counsellors reach them from their dashboard)."""
    return bool(user.is_authenticated) and not is_counsellor(user) and can_see_statistics(user)


def wellbeing_panel(user: AnyUser) -> Mapping[str, Any] | None:
    """Everyone's card: check in, book, my appointments (how many are coming)."""
    if not user.is_authenticated:
        return None
    upcoming = selectors.appointments_upcoming(user=user).count()
    return {
        "key": "wellbeing",
        "title": _("Wellbeing"),
        "text": _("A private check-in, counselling, and help now. Only you see it."),
        "items": [
            {"label": _("Check in"), "count": None, "url": reverse("wellbeing:check-in")},
            {"label": _("My appointments"), "count": upcoming, "url": reverse("wellbeing:home")},
            {"label": _("Book an appointment"), "count": None, "url": reverse("wellbeing:book")},
        ],
    }


def counselling_panel(user: AnyUser) -> Mapping[str, Any] | None:
    """Counsellors' card: requests waiting at their service, their caseload."""
    if not user.is_authenticated or not is_counsellor(user):
        return None
    return {
        "key": "counselling",
        "title": _("Counselling"),
        "text": _("Requests waiting at your service and your caseload."),
        "items": [
            {
                "label": _("Requests waiting"),
                "count": selectors.requests_waiting(user=user).count(),
                "url": reverse("wellbeing:dashboard"),
            },
            {
                "label": _("My caseload"),
                "count": selectors.caseload(user=user).count(),
                "url": reverse("wellbeing:dashboard"),
            },
            {"label": _("Calendar"), "count": None, "url": reverse("wellbeing:calendar")},
        ],
    }


def register() -> None:
    hooks.NAV_ITEMS.register(
        hooks.NavItem(key="wellbeing", label=_("Wellbeing"), url_name="wellbeing:home", visible=_signed_in, order=80)
    )
    hooks.NAV_ITEMS.register(
        hooks.NavItem(
            key="wellbeing-counselling",
            label=_("Counselling"),
            url_name="wellbeing:dashboard",
            visible=is_counsellor,
            order=81,
        )
    )
    hooks.NAV_ITEMS.register(
        hooks.NavItem(
            key="wellbeing-statistics",
            label=_("Wellbeing statistics"),
            url_name="wellbeing:statistics",
            visible=_statistics_only,
            order=82,
        )
    )
    hooks.START_PANELS.register(
        hooks.StartPanel(key="wellbeing", build=wellbeing_panel, template="core/_panel.html", order=80)
    )
    hooks.START_PANELS.register(
        hooks.StartPanel(key="counselling", build=counselling_panel, template="core/_panel.html", order=10)
    )
