"""The phone pass: the pages each role uses most, at 390x844 on a touch screen, fit the width (no sideways
scrolling of the document), pass axe-core (the watch of ``tests/browser/axe.py``) and leave a full-page
screenshot in ``test-results/phone/<role>-<page>.png`` for a person to look at."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, ViewportSize

from tests.browser.axe import AxeWatch

PHONE: ViewportSize = {"width": 390, "height": 844}
SCREENSHOTS = Path("test-results/phone")
FITS = "document.scrollingElement.scrollWidth <= window.innerWidth + 1"


def _pages() -> dict[str, dict[str, str]]:
    """Role → {page name: path}: the start page, the role's main list and form (ids from the demo data)."""
    from partners.models import Membership, MembershipRole
    from supervision.models import InspectionAssignment

    partner = Membership.objects.get(user__username="coord-enterprise", role=MembershipRole.COORDINATOR).partner
    inspection = InspectionAssignment.objects.filter(inspector__username="inspector").order_by("pk").first()
    assert inspection is not None, "the demo assigns the inspector an inspection"
    return {
        "student": {
            "start": "/",
            "plan": "/students/mine/",
            "entries": "/practice/mine/",
            "log": "/practice/log/",
        },
        "supervisor": {"start": "/", "queue": "/practice/queue/"},
        "office": {
            "start": "/",
            "students": "/students/",
            "inspections": "/inspections/",
            "quality": "/quality/dashboard/",
        },
        "coordinator": {"start": "/", "partner": f"/partners/{partner.pk}/"},
        "inspector": {"start": "/", "inspection": f"/inspections/{inspection.inspection_id}/"},
        "counsellor": {"start": "/", "requests": "/wellbeing/counsellor/"},
        "finance": {"start": "/", "dashboard": "/funds/"},
        "teacher": {"start": "/", "offerings": "/curriculum/offerings/"},
    }


#: The demo login of each role.
USERS = {
    "student": "student",
    "supervisor": "sup-enterprise",
    "office": "office",
    "coordinator": "coord-enterprise",
    "inspector": "inspector",
    "counsellor": "counsellor",
    "finance": "finance-enterprise",
    "teacher": "teacher",
}


def test_each_roles_pages_fit_a_phone_and_pass_axe(
    browser: Browser, live_server: Any, login: Callable[..., Any], axe_watch: AxeWatch
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    too_wide = []
    for role, pages in _pages().items():
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        page = context.new_page()
        login(page, USERS[role])
        for name, path in pages.items():
            page.goto(live_server.url + path)
            axe_watch.check(page)
            page.screenshot(path=str(SCREENSHOTS / f"{role}-{name}.png"), full_page=True)
            if not page.evaluate(FITS):
                width = page.evaluate("document.scrollingElement.scrollWidth")
                too_wide.append(f"{role} {path}: {width} px wide")
        context.close()
    assert not too_wide, too_wide
