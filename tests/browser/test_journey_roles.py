"""The first journey: every demo user logs in, finds their start page, and switches to Chinese.

Later issues extend this journey (a supervisor signs off hours, a student logs them, ...).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from core.demo import all_logins

FULL_NAMES = {login.username: login.full_name for login in all_logins()}

#: The role cards (``.card[data-role=...]`` in templates/core/start.html) each demo user's start page shows.
ROLE_CARDS = {
    "office": {"office"},
    "coord-hospital": {"coordinator"},
    "coord-enterprise": {"coordinator"},
    "sup-hospital": {"supervisor"},
    "sup-enterprise": {"supervisor"},
    "sup-institute": {"supervisor"},
    "coord-institute": {"coordinator"},
    "tutor": {"tutor"},
    "student": {"student"},
    "student2": {"student"},
    # reviews/demo.py: students of last term's placements, for the internal reviews
    "student3": {"student"},
    "student4": {"student"},
    "student5": {"student"},
    "inspector": {"inspector"},
    "counsellor": {"counsellor"},
    # Teachers (curriculum/demo.py) hold no partner role: their start page has the "Grades to enter" card.
    "teacher": set(),
    "engineer": set(),
    "teacher-hospital": set(),
    # funds/demo.py: the enterprise's finance officer.
    "finance-enterprise": {"finance"},
}

PHONE = {"width": 390, "height": 844}
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_demo_login_has_a_role_card() -> None:
    """The table above covers every demo login, so a new demo user needs a row here."""
    assert set(ROLE_CARDS) == set(FULL_NAMES)


def assert_start_page(page: Page, username: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {FULL_NAMES[username]}")
    for role in sorted(ROLE_CARDS[username]):
        expect(page.locator(f".card[data-role={role}]")).to_be_visible()
    # ... and no card of a role the user does not hold.
    expect(page.locator("[data-testid=role-sections] .card[data-role]")).to_have_count(len(ROLE_CARDS[username]))


def switch_to_chinese(page: Page) -> None:
    page.locator("form[data-testid=language-switcher] button[value=zh-hans]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def assert_chinese(page: Page, username: str) -> None:
    """The page is in Chinese: ``lang``, the switcher, and strings from the zh_Hans catalogue."""
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("form[data-testid=language-switcher] button[value=zh-hans]")).to_have_attribute(
        "aria-current", "true"
    )
    # The same person and role cards, now in Chinese.
    expect(page.get_by_role("heading", level=1)).to_contain_text(FULL_NAMES[username])
    expect(page.locator("[data-testid=role-sections] .card[data-role]")).to_have_count(len(ROLE_CARDS[username]))
    # Django's own zh_Hans catalogue already translates "Log out"; the heading needs Tandem's
    # (locale/zh_Hans, compiled by manage.py compile_catalogues).
    logout = page.locator("form[action$='/accounts/logout/'] button[type=submit]")
    logout_text = (logout.text_content() or "").strip()
    assert logout_text != "Log out", "the user menu is still in English: is the zh_Hans catalogue compiled?"
    assert CJK.search(logout_text), f"'Log out' is not translated to Chinese: {logout_text!r}"
    heading = page.get_by_role("heading", level=1).inner_text()
    assert not heading.startswith("Welcome"), f"the start page heading is still in English: {heading!r}"


@pytest.mark.parametrize("username", sorted(ROLE_CARDS))
def test_demo_user_logs_in_sees_start_page_and_switches_to_chinese(
    page: Page, login: Callable[..., Any], live_server: Any, username: str
) -> None:
    login(page, username)

    assert page.url == live_server.url + "/"
    assert_start_page(page, username)

    switch_to_chinese(page)
    assert page.url == live_server.url + "/"
    assert_chinese(page, username)

    # The choice sticks: the next page is in Chinese too.
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def test_office_start_page_screenshot(page: Page, login: Callable[..., Any]) -> None:
    login(page, "office")
    assert_start_page(page, "office")
    expect(page.locator(".card[data-role=office]").get_by_role("link", name="Manage partners")).to_be_visible()
    page.screenshot(path="/tmp/office-start.png", full_page=True)


def test_supervisor_on_a_phone_reaches_the_user_menu_and_switches_to_chinese(
    new_context: Callable[..., Any], login: Callable[..., Any], live_server: Any
) -> None:
    """Supervisors use phones: the navbar collapses behind its toggler."""
    from accounts.models import User
    from core.models import Notification

    Notification.objects.create(user=User.objects.get(username="sup-hospital"), kind="test", subject="Waiting")
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    login(page, "sup-hospital")
    assert_start_page(page, "sup-hospital")
    page.screenshot(path="/tmp/phone-start.png", full_page=True)

    # What people use first stays on the bar: the unread count, one tap to the other language.
    expect(page.get_by_test_id("notifications-link")).to_be_visible()
    expect(page.get_by_test_id("unread-count")).to_be_visible()
    expect(page.locator("form[data-testid=language-switcher] button[value=en]")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    user_menu = page.locator("[data-testid=user-menu]")
    expect(user_menu).to_be_hidden()
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    toggler.click()
    # Wait for Bootstrap's collapse animation to end before tapping inside the menu (under load a tap
    # during the animation can land on a moving target).
    expect(page.locator("#main-nav.collapsing")).to_have_count(0)
    expect(user_menu).to_be_visible()
    expect(user_menu).to_have_text(FULL_NAMES["sup-hospital"])
    user_menu.click()
    expect(page.get_by_role("button", name="Log out", exact=True)).to_be_visible()

    # The language switcher stays outside the collapsed menu, reachable with one tap.
    switch_to_chinese(page)
    assert_chinese(page, "sup-hospital")

    page.locator(".navbar-toggler").click()
    expect(page.locator("#main-nav.collapsing")).to_have_count(0)
    page.locator("[data-testid=user-menu]").click()
    logout = page.locator("form[action$='/accounts/logout/'] button[type=submit]")
    expect(logout).to_be_visible()
    logout.click()
    page.wait_for_url(live_server.url + "/accounts/login/")
    expect(page.locator("input[name=username]")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
