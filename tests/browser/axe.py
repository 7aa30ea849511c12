"""axe-core in the browser journeys: a page passes WCAG 2.2 AA with no serious or critical violation.

axe-core's own build (``axe.min.js``) comes from PyPI in ``axe-playwright-python`` (no CDN, no npm at test
time). It is evaluated through the DevTools protocol, which the page's content security policy does not
govern, so the page is checked exactly as it is served.

Every browser test runs it on every page it visits (``AxeWatch``, wired in ``conftest.py``).
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable
from functools import cache, wraps
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

#: The rule sets checked: WCAG 2.0, 2.1 and 2.2, levels A and AA.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}


@cache
def _axe_source() -> str:
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """The serious and critical violations axe-core finds on the page as it is now."""
    page.evaluate(_axe_source())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    return [v for v in result["violations"] if v.get("impact") in BLOCKING]


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation: rule, impact, how many elements, the first element's selector and summary."""
    lines = []
    for v in violations:
        first = v["nodes"][0]
        summary = (first.get("failureSummary") or "").replace("\n", " ")[:160]
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])}x) {json.dumps(first['target'])}: {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail with a readable list when axe-core finds a serious or critical WCAG 2.2 AA violation."""
    violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}:\n{describe(violations)}"


#: A path's numbers (primary keys, years) stand for one page pattern: ``/students/7/`` is ``/students/<n>/``.
_NUMBER = re.compile(r"/\d+(?=/|$)")
_STATE = """() => [location.href, document.documentElement.lang, document.contentType, document.readyState,
    (document.querySelector('[data-testid=user-menu]')?.textContent || '').trim()]"""
#: The page and locator methods a test acts through: the page is checked before each (when it is new).
PAGE_ACTIONS = ("goto", "reload", "go_back", "screenshot", "click", "fill", "check", "select_option", "press")
LOCATOR_ACTIONS = (
    "click",
    "dblclick",
    "tap",
    "fill",
    "type",
    "press",
    "press_sequentially",
    "check",
    "uncheck",
    "set_checked",
    "select_option",
    "set_input_files",
)


#: Pages left unchecked, each with why. None today: the API docs (Swagger UI) are made to pass by
#: templates/core/swagger_ui.html, static/js/swagger-a11y.js and static/css/swagger-page.css.
NOT_CHECKED: dict[str, str] = {}


def url_pattern(url: str) -> str:
    """The page pattern of ``url``: its path, numbers replaced (the query string is the same page)."""
    return _NUMBER.sub("/<n>", urlsplit(url).path)


class AxeWatch:
    """axe-core on every page a browser test shows, once per page pattern, language and signed-in person.

    Playwright cannot evaluate in a page while one of its navigations is pending, and an event handler runs
    alongside the test, not in step with it; so the page is checked in step: before every action the test
    takes on it (``install`` wraps Playwright's page and locator actions: ``goto``, ``click``, ``fill``,
    ...), and at the end of the test on every page still open. Every page a test reaches is acted on or
    left through an action, so each is checked as the test found it (messages, errors, filled forms), once
    per pattern however often it is reloaded; a page already checked costs one small evaluate.
    """

    def __init__(self) -> None:
        self.checked: set[tuple[str, str, str]] = set()
        self.failures: list[str] = []
        self.pages: dict[int, Page] = {}
        #: Time spent in axe-core (what the watch adds to a test), reported at the end of the session.
        self.seconds = 0.0

    def install(self, monkeypatch: Any) -> None:
        """Check the page before each of Playwright's actions (for this test: ``monkeypatch`` undoes it)."""
        for cls, names, page_of in (
            (Page, PAGE_ACTIONS, lambda obj: obj),
            (Locator, LOCATOR_ACTIONS, lambda obj: obj.page),
        ):
            for name in names:
                monkeypatch.setattr(cls, name, self._checked_first(getattr(cls, name), page_of))

    def _checked_first(self, action: Callable[..., Any], page_of: Callable[[Any], Page]) -> Callable[..., Any]:
        @wraps(action)
        def checked_first(obj: Any, *args: Any, **kwargs: Any) -> Any:
            self.before(page_of(obj))
            return action(obj, *args, **kwargs)

        return checked_first

    def before(self, page: Page) -> None:
        """Check ``page`` as it is now, unless it is gone or between two documents."""
        self.pages[id(page)] = page
        # Closed, or between two documents: the next action or the end of the test checks the new page.
        with contextlib.suppress(PlaywrightError):
            self.check(page)

    def check(self, page: Page) -> None:
        """Run axe-core on ``page`` unless its pattern was checked already; remember what fails."""
        if page.is_closed():
            return
        href, lang, content_type, ready, person = page.evaluate(_STATE)
        if not href.startswith("http") or content_type != "text/html" or ready != "complete":
            return  # not a page of the site, or one still loading (checked at the next action)
        key = (person, url_pattern(href), lang)
        if key in self.checked or key[1] in NOT_CHECKED:
            return
        started = time.perf_counter()
        violations = axe_violations(page)
        self.seconds += time.perf_counter() - started
        self.checked.add(key)
        if violations:
            self.failures.append(f"{href} ({lang}, {person or 'anonymous'}):\n{describe(violations)}")

    def finish(self) -> None:
        """Check the pages still open at the end of the test."""
        for page in self.pages.values():
            with contextlib.suppress(PlaywrightError):
                page.wait_for_load_state()
            self.before(page)
