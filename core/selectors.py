"""Reads for the start page and the navigation."""

from __future__ import annotations

from typing import Any

from accounts.roles import AnyUser, platform_roles
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
