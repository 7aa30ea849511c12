"""The API docs (Swagger UI) draw the operations in a real browser under the content security policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import ConsoleMessage, Page, expect


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
