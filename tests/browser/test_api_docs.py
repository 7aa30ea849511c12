"""The API docs (Swagger UI) draw the operations in a real browser under the content security policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.axe import assert_accessible


def test_api_docs_show_the_operations_without_a_csp_violation(
    page: Page, login: Callable[..., Any], live_server: Any
) -> None:
    errors: list[str] = []

    def remember(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", remember)
    login(page, "office")
    page.goto(live_server.url + "/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=15_000)
    expect(page.locator(".swagger-ui .title")).to_contain_text("Tandem API")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_api_docs_pass_axe_with_operations_open_and_a_form_to_try(
    page: Page, login: Callable[..., Any], live_server: Any
) -> None:
    """Swagger UI's own markup nests a link in each operation's button, leaves parameter drop-downs unnamed and
    greys its badges below 4.5:1; static/js/swagger-a11y.js and static/css/swagger-page.css fix them."""
    login(page, "office")
    page.goto(live_server.url + "/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=15_000)
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator(".swagger-ui .opblock-get .opblock-summary").first.click()
    page.locator(".swagger-ui .opblock-get .try-out__btn").first.click()
    page.locator(".swagger-ui .opblock-post .opblock-summary").first.click()
    page.locator(".swagger-ui .opblock-post .try-out__btn").first.click()
    expect(page.locator(".swagger-ui .opblock-post .execute")).to_be_visible()
    assert page.locator(".swagger-ui .opblock-summary-control a").count() == 0
    assert_accessible(page)
