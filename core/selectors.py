"""Reads for the start page, the navigation and the notification inbox."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.roles import AnyUser, platform_roles
from core import hooks
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


def notification_list(*, user: AnyUser) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return access.scope(Notification.objects.all(), user, "view").order_by("-created_at", "-pk")


def notification_unread_count(*, user: AnyUser) -> int:
    """How many of the user's notifications are unread: one query, none for anonymous visitors."""
    if not user.is_authenticated:
        return 0
    return access.scope(Notification.objects.filter(read_at__isnull=True), user, "view").count()
