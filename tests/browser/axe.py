"""axe-core in the browser journeys: a page passes WCAG 2.2 AA with no serious or critical violation.

axe-core's own build (``axe.min.js``) comes from PyPI in ``axe-playwright-python`` (no CDN, no npm at test
time). It is evaluated through the DevTools protocol, which the page's content security policy does not
govern, so the page is checked exactly as it is served.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from playwright.sync_api import Page

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
