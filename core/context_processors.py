"""Template context shared by every page: the role-aware navigation and the unread notification count."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from core import hooks
from partners import access


def _items(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    published = {"label": _("Published results"), "url": reverse("public:inspection-list")}
    if not user.is_authenticated:
        return [published]
    items = [{"label": _("Start"), "url": reverse("core:start")}]
    is_member = access.is_office(user) or access.user_partner_roles(user).exists()
    items.extend(_student_items(user, is_member=is_member))
    from supervision.selectors import shows_inspections

    if shows_inspections(user):  # office, inspectors, coordinators (one query at most)
        items.append({"label": _("Inspections"), "url": reverse("supervision:list")})
    items.extend({"label": item.label, "url": reverse(item.url_name)} for item in hooks.NAV_ITEMS if item.visible(user))
    items.append({"label": _("Partners"), "url": reverse("partners:list")})
    items.append(published)
    if access.is_office(user) or user.is_staff:
        items.append({"label": _("Admin"), "url": reverse("admin:index")})
    if is_member or access.is_inspector(user):
        # Students and counsellors have no use for the API: the footer's link is enough for them.
        items.append({"label": _("API"), "url": reverse("api-docs")})
    return items


def _student_items(user: Any, *, is_member: bool) -> list[dict[str, Any]]:
    """Students (office, and anyone with a membership in force: their scope may hold students), My plan
    Log hours and My entries (students), Sign-off (supervisors of a placement), Programmes (all of those; not
    counsellors or inspectors who hold no other role). Three queries, once per request."""
    from practice.selectors import supervises_any
    from students.models import Student

    is_student = Student.objects.filter(user__pk=user.pk).exists()
    items = []
    if is_member:
        items.append({"label": _("Students"), "url": reverse("students:list")})
    if is_student:
        items.append({"label": _("My plan"), "url": reverse("students:plan-mine")})
        items.append({"label": _("Log hours"), "url": reverse("practice:log")})
        items.append({"label": _("My entries"), "url": reverse("practice:mine")})
    if supervises_any(user=user):
        items.append({"label": _("Sign-off"), "url": reverse("practice:queue")})
    if is_member or is_student:
        items.append({"label": _("Programmes"), "url": reverse("programmes:list")})
    return items


def _unread(request: HttpRequest) -> int:
    from core.selectors import notification_unread_count

    return notification_unread_count(user=request.user)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """``nav_items``: the links this user's roles lead to; ``unread_notifications``: the badge count (one
    query, and none for anonymous visitors). Both are computed only if the page shows them."""
    return {
        "nav_items": SimpleLazyObject(lambda: _items(request)),
        "unread_notifications": SimpleLazyObject(lambda: _unread(request)),
    }
