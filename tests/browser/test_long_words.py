"""One long unbroken word in a practice entry's description does not widen the page on a phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from practice.models import PracticeLog

PHONE = {"width": 390, "height": 844}
LONG_WORD = "https://pacs.example.org/" + "x" * 600


def _page_fits(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_long_word_wraps_in_my_entries_and_the_sign_off_queue(
    page: Page, login: Callable[..., Any], live_server: Any
) -> None:
    entries = PracticeLog.objects.filter(student__user__username="student")
    pending = entries.filter(status="pending").first()
    assert pending is not None, "the demo has pending entries of student"
    pending.description = LONG_WORD  # a pending entry is still the student's to change (history kept)
    pending.save()
    page.set_viewport_size(PHONE)

    login(page, "student")
    page.goto(live_server.url + "/practice/mine/")
    expect(page.get_by_text(LONG_WORD[:30]).first).to_be_visible()
    assert _page_fits(page)

    page.context.clear_cookies()
    supervisor = pending.placement.supervisor.username
    login(page, supervisor)
    page.goto(live_server.url + "/practice/queue/")
    expect(page.get_by_text(LONG_WORD[:30]).first).to_be_visible()
    assert _page_fits(page)
