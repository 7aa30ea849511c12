"""WCAG 2.2 AA with axe-core: the pages each role uses most have no serious or critical violation, in
English and in Chinese. New pages join ``PAGES``; the journeys check every page they visit as well
(``AxeWatch`` in ``tests/browser/axe.py``), so a page a journey shows needs no row here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Browser, Page

from tests.browser.axe import AxeWatch

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
        "/curriculum/",
        "/curriculum/offerings/",
        "/curriculum/faculty/",
        "/reviews/rounds/",
        "/reviews/concerns/",
        "/funds/",
        "/funds/flags/",
        "/integrity/dashboard/",
        "/integrity/cases/",
        "/projects/",
        "/projects/outputs/",
        "/projects/report/",
        "/wellbeing/statistics/",
    ],
    "student": [
        "/",
        "/students/mine/",
        "/practice/log/",
        "/practice/mine/",
        "/curriculum/transcript/",
        "/reviews/",
        "/reviews/concerns/",
        "/integrity/",
        "/integrity/submit/",
        "/projects/",
        "/projects/board/",
        "/projects/points/",
        "/wellbeing/",
        "/wellbeing/book/",
        "/wellbeing/check-in/",
    ],
    "sup-hospital": ["/", "/practice/queue/", "/students/"],
    "sup-enterprise": ["/", "/reviews/results/", "/reviews/meetings/", "/projects/"],
    "coord-enterprise": ["/", "/partners/", "/funds/"],
    "inspector": ["/", "/inspections/"],
    "teacher": ["/", "/curriculum/", "/curriculum/offerings/", "/curriculum/teachers/"],
    "finance-enterprise": ["/", "/funds/"],
    "counsellor": ["/", "/wellbeing/counsellor/", "/wellbeing/calendar/", "/wellbeing/help/"],
}
#: The apps whose pages are checked in Chinese too (the rest: each role's first three pages).
CHINESE_TOO = ("/curriculum/", "/reviews/", "/funds/", "/integrity/", "/projects/", "/wellbeing/")


def _visit(page: Page, base: str, paths: list[str], watch: AxeWatch) -> None:
    for path in paths:
        page.goto(base + path)
        watch.check(page)


def test_pages_pass_axe_in_english_and_chinese(
    browser: Browser, login: Callable[..., Any], live_server: Any, axe_watch: AxeWatch
) -> None:
    """Every page is checked where it is visited; the watch fails the test with every violation found.

    One test for all the roles: the demo data is loaded once (each test loads it anew, the slow part)."""
    for username, paths in PAGES.items():
        context = browser.new_context()
        page = context.new_page()
        login(page, username)
        _visit(page, live_server.url, paths, axe_watch)
        page.locator("form[data-testid=language-switcher] button[value=zh-hans]").click()
        page.wait_for_function("document.documentElement.lang === 'zh-hans'")
        chinese = paths[:3] + [p for p in paths[3:] if p.startswith(CHINESE_TOO)]
        _visit(page, live_server.url, chinese, axe_watch)
        context.close()
    assert len(axe_watch.checked) >= sum(len(paths) for paths in PAGES.values()), "a page was not checked"
