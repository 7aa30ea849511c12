"""WCAG 2.2 AA with axe-core: the pages each role uses most have no serious or critical violation, in
English and in Chinese. New pages join ``PAGES`` (or run ``assert_accessible`` in their own journey)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.axe import axe_violations, describe

#: The pages each demo role uses most (paths; redirects are followed).
PAGES: dict[str, list[str]] = {
    "office": [
        "/",
        "/students/",
        "/students/at-risk/",
        "/students/approvals/",
        "/partners/",
        "/programmes/",
        "/inspections/",
        "/inspections/plan/",
        "/inspections/draws/",
        "/inspections/scorecards/",
        "/practice/rules/",
        "/notifications/",
    ],
    "student": ["/", "/students/mine/", "/practice/log/", "/practice/mine/"],
    "sup-hospital": ["/", "/practice/queue/", "/students/"],
    "coord-enterprise": ["/", "/partners/"],
    "inspector": ["/", "/inspections/"],
}


def _check(page: Page, base: str, paths: list[str]) -> list[str]:
    failures = []
    for path in paths:
        page.goto(base + path)
        violations = axe_violations(page)
        if violations:
            failures.append(f"{page.url}\n{describe(violations)}")
    return failures


@pytest.mark.parametrize("username", sorted(PAGES))
def test_pages_pass_axe_in_english_and_chinese(
    page: Page, login: Callable[..., Any], live_server: Any, username: str
) -> None:
    login(page, username)
    failures = _check(page, live_server.url, PAGES[username])
    page.locator("form[data-testid=language-switcher] button[value=zh-hans]").click()
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    failures += _check(page, live_server.url, PAGES[username][:3])
    assert not failures, "\n\n".join(failures)
