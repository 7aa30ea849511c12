"""A note's limit is shown while typing: the browser stops at maxlength without a word otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect


def test_description_shows_a_counter_up_to_its_limit(page: Page, login: Callable[..., Any], live_server: Any) -> None:
    login(page, "student")
    page.goto(live_server.url + "/practice/log/")
    area = page.locator("textarea[name=description]")
    counter = page.locator("#" + area.get_attribute("id") + "-counter")  # type: ignore[operator]
    expect(counter).to_have_text("0 / 2000 characters")
    area.fill("x" * 1990)
    expect(counter).to_have_text("1990 / 2000 characters")
    area.press("End")
    area.type("y" * 20)  # the browser stops at the limit; the counter says so
    expect(counter).to_have_text("2000 / 2000 characters")
    expect(counter).to_have_class("form-text text-end char-counter text-danger")
