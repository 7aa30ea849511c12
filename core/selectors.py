"""Reads for the start page, the navigation and the notification inbox."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.roles import AnyUser, platform_roles
from core import hooks, navcache
from core.hooks import RenderedBlock
from core.models import Notification
from partners import access


def user_roles(user: AnyUser) -> dict[str, Any]:
    """The user's platform roles and memberships in force, read once per request."""
    memberships = list(access.user_partner_roles(user))
    student = None
    if user.is_authenticated:
        from students.models import Student

        student = Student.objects.filter(user__pk=user.pk).first()
    partner_roles = {m.role for m in memberships}
    return {
        "platform_roles": sorted(platform_roles(user)),
        "memberships": memberships,
        "partner_roles": sorted(partner_roles),
        "student": student,
    }


def start_page_context(*, user: AnyUser) -> dict[str, Any]:
    """What the start page shows: every role the user holds and the partners behind them."""
    roles = user_roles(user)
    sections: list[str] = [*roles["platform_roles"], *roles["partner_roles"]]
    if roles["student"] is not None:
        sections.append("student")
    return {**roles, "sections": sections}


def start_panels(*, user: AnyUser) -> list[RenderedBlock]:
    """The cards other apps put on this person's start page (``core.hooks.START_PANELS``): reviews to
    write, grades to enter, appointments... Each panel decides whether it has anything for this person."""
    panels = []
    for panel in hooks.START_PANELS:
        context = panel.build(user)
        if context is not None:
            panels.append(RenderedBlock(panel.key, panel.template, context))
    return panels


def start_inbox(*, user: AnyUser) -> list[hooks.InboxItem]:
    """What waits for this person now, from every app (``core.hooks.INBOX``): late things first, then the
    rest in the apps' order; lines with nothing waiting are left out."""
    items = [item for source in hooks.INBOX for item in source.build(user) if item.count > 0]
    return sorted(items, key=lambda item: not item.late)


def notification_list(*, user: AnyUser) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return access.scope(Notification.objects.all(), user, "view").order_by("-created_at", "-pk")


def notification_unread_count(*, user: AnyUser) -> int:
    """How many of the user's notifications are unread: one query, none for anonymous visitors."""
    if not user.is_authenticated:
        return 0
    # The rule is "one's own" (``user_id = …``): the count reads this person's rows only, and a navigation kept
    # with it outlives other people's notifications (ADR 0069).
    with navcache.narrowed(Notification._meta.db_table, user.pk):
        return access.scope(Notification.objects.filter(read_at__isnull=True, user_id=user.pk), user, "view").count()
