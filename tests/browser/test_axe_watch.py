"""The watch that runs axe-core on every page of the browser tests: it sees a violation the test brought
about, before the test's next action, and checks each page pattern once (on the login page: no demo data)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.browser.axe import AxeWatch, url_pattern

LOGIN = "/accounts/login/"
#: A link in a grey too faint to read (1.4:1): axe-core's color-contrast, a serious violation. Set through
#: the DOM, which the content security policy allows.
FAINT_LINK = """() => { const a = document.createElement('a'); a.href = '#'; a.textContent = 'Faint link';
    a.style.color = '#ddd'; document.querySelector('main').append(a); }"""


def test_url_pattern_stands_numbers_for_any() -> None:
    assert url_pattern("http://x/students/12/plan/?page=2") == "/students/<n>/plan/"
    assert url_pattern("http://x/funds/3/statement.pdf") == "/funds/<n>/statement.pdf"
    assert url_pattern("http://x/reviews/") == "/reviews/"


def test_a_violation_is_found_before_the_next_action_once_per_page_pattern(
    page: Page, live_server: Any, axe_watch: AxeWatch
) -> None:
    page.goto(live_server.url + LOGIN)
    page.evaluate(FAINT_LINK)
    page.locator("input[name=username]").fill("someone")  # an action: the page is checked first
    assert len(axe_watch.failures) == 1, axe_watch.failures
    assert "color-contrast (serious" in axe_watch.failures[0]
    assert LOGIN in axe_watch.failures[0]

    page.goto(live_server.url + LOGIN + "?next=/students/")  # the same pattern: not checked again
    page.evaluate(FAINT_LINK)
    page.locator("input[name=username]").fill("someone")
    assert len(axe_watch.failures) == 1
    assert len(axe_watch.checked) == 1
    axe_watch.failures.clear()  # the violation was this test's own
