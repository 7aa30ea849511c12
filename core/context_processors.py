"""Template context shared by every page: the role-aware navigation with its waiting-count badges, and the
unread notification count, kept in the cache between writes (``core.navcache``, ADR 0051)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from core import hooks, navcache
from partners import access


def request_inbox(request: HttpRequest) -> list[hooks.InboxItem]:
    """The start page's "Waiting for you" (``core.selectors.start_inbox``), read once per request: the
    navigation's badges and the start page's list share it, so a page that shows both pays once."""
    cached: list[hooks.InboxItem] | None = getattr(request, "_tandem_inbox", None)
    if cached is None:
        from core.selectors import start_inbox

        cached = start_inbox(user=request.user)  # type: ignore[arg-type]
        request._tandem_inbox = cached  # type: ignore[attr-defined]
    return cached


def _with_badges(request: HttpRequest, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each link's ``badge``: the sum of the inbox counts that belong to it (``InboxItem.nav_url``, else
    the line's own page), so the navigation says how much waits behind each link."""
    badges: dict[str, int] = {}
    for line in request_inbox(request):
        path = line.nav_url or line.url.split("?", 1)[0]
        badges[path] = badges.get(path, 0) + line.count
    return [{**item, "badge": badges.get(item["url"], 0)} for item in items]


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
        items.append({"label": _("Administration"), "url": reverse("admin:index")})
    if is_member or access.is_inspector(user):
        # Students and counsellors have no use for the API: the footer's link is enough for them.
        items.append({"label": _("API"), "url": reverse("api-docs")})
    return _with_badges(request, items)


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


def _waiting(request: HttpRequest) -> int:
    """Everything the navigation's badges count, for the phone's menu button (the links are folded away)."""
    return sum(item.get("badge", 0) for item in _nav(request))


def _bundle(request: HttpRequest) -> navcache.Navigation:
    """The links with their badges and the unread count: kept from an earlier page while nothing has been
    written since (``core.navcache``), else counted now and kept. A page that counted the inbox already
    (the start page, whose list it is) always counts afresh."""
    cached: navcache.Navigation | None = getattr(request, "_tandem_nav_bundle", None)
    if cached is not None:
        return cached
    kept, epoch = navcache.read(request)
    if kept is None or hasattr(request, "_tandem_inbox"):
        # A kept page checks the navigation by its fingerprint, not by the tables its count reads.
        with navcache.unrecorded(), navcache.noting() as statements:
            items, unread = _items(request), _unread(request)
        navcache.store(request, items, unread, epoch=epoch, statements=statements)
        kept = {"versions": {}, "items": items, "unread": unread}
    request._tandem_nav_bundle = kept  # type: ignore[attr-defined]
    return kept


def _nav(request: HttpRequest) -> list[dict[str, Any]]:
    return _bundle(request)["items"]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """``nav_items``: the links this user's roles lead to, each with its ``badge`` (what waits behind
    it); ``nav_waiting``: their sum (the phone's menu button); ``unread_notifications``: the badge count
    (one query, and none for anonymous visitors). All are computed only if the page shows them, and kept
    between writes (one cache read a page)."""
    return {
        "nav_items": SimpleLazyObject(lambda: _nav(request)),
        "nav_waiting": SimpleLazyObject(lambda: _waiting(request)),
        "unread_notifications": SimpleLazyObject(lambda: _bundle(request)["unread"]),
    }
