"""What waits for a person on the start page, from inspections (``core.hooks.INBOX``): the office's overdue
corrective actions, an inspector's answers to verify, a coordinator's actions to answer.

The figures are ``supervision.selectors.start_counts``, the same the start page's inspection card shows;
they are read once per request (kept on the request's user object), so the start page, which shows both
the card and the inbox, and the navigation's badges, pay for them once.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.roles import AnyUser
from core.hooks import InboxItem
from supervision.selectors import start_counts

_CACHE_ATTR = "_tandem_start_counts"


def start_counts_once(user: AnyUser) -> dict[str, dict[str, int]]:
    """``start_counts(user=user)`` for today, computed once for this user object (one request's user)."""
    cached: dict[str, dict[str, int]] | None = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = start_counts(user=user)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def supervision_inbox(user: AnyUser) -> list[InboxItem]:
    """The inspection lines of ``user``'s inbox; each one's badge sits on "Inspections"."""
    if not user.is_authenticated:
        return []
    counts = start_counts_once(user)
    inspections = reverse("supervision:list")
    actions = reverse("supervision:actions")
    items: list[InboxItem] = []
    if "office" in counts:
        overdue = counts["office"]["overdue_actions"]
        items.append(
            InboxItem(_("Overdue corrective actions"), overdue, f"{actions}?overdue=on", late=True, nav_url=inspections)
        )
    if "inspector" in counts:
        items.append(InboxItem(_("Answers to verify"), counts["inspector"]["to_verify"], actions, nav_url=inspections))
    if "coordinator" in counts:
        coordinator = counts["coordinator"]
        items.append(
            InboxItem(
                _("Corrective actions to answer"),
                coordinator["to_answer"],
                actions,
                late=bool(coordinator["overdue"]),
                nav_url=inspections,
            )
        )
    return items
