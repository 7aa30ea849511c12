"""The practice file import on the demo data: the enterprise supervisor goes from the log page to the import,
uploads a file with a refused row (nothing is written, the row and its rule are named), uploads the corrected
file, confirms, and sending it once more imports nothing. Then the page in Chinese.

Screenshot for a person to look at: /tmp/practice-import.png.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

STUDENT_NUMBER = "2025MI001"  # the demo's ``student``, placed at the enterprise now (students/demo.py)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _file(*rows: tuple[str, str, str]) -> dict[str, Any]:
    lines = ["student_number,date,hours,category,description,reference"]
    lines += [
        f"{STUDENT_NUMBER},{day},{hours},post-processing,Journey import,{reference}" for day, hours, reference in rows
    ]
    return {"name": "hours.csv", "mimeType": "text/csv", "buffer": ("\r\n".join(lines) + "\r\n").encode()}


def _check(page: Page, file: dict[str, Any]) -> None:
    page.get_by_label("CSV or XLSX file").set_input_files(file)  # type: ignore[arg-type]
    page.get_by_role("button", name="Check the file").click()


def test_supervisor_imports_a_file_after_fixing_the_refused_row(
    browser: Browser, live_server: Any, login: Callable[..., Any]
) -> None:
    today = timezone.localdate()
    tomorrow = today.fromordinal(today.toordinal() + 1)
    page = browser.new_context().new_page()
    login(page, "sup-enterprise")
    page.goto(live_server.url + "/practice/log/")
    page.get_by_test_id("import-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import hours from a file")

    _check(page, _file((today.isoformat(), "0.5", "J-1"), (tomorrow.isoformat(), "0.5", "J-2")))
    expect(page.get_by_test_id("import-refused")).to_be_visible()
    refused = page.locator("[data-testid=import-rows] tr[data-row='3']")
    expect(refused).to_have_attribute("data-status", "error")
    expect(refused.locator("[data-rule=future_date]")).to_contain_text("no future dates")
    expect(page.get_by_test_id("import-confirm")).to_have_count(0)
    page.screenshot(path="/tmp/practice-import.png", full_page=True)

    corrected = _file((today.isoformat(), "0.5", "J-1"), (today.isoformat(), "0.25", "J-2"))
    _check(page, corrected)
    page.get_by_test_id("import-confirm").get_by_role("button").click()
    expect(page.get_by_role("status").first).to_contain_text("2 entries created, 0 already imported")

    _check(page, corrected)
    expect(page.get_by_test_id("import-nothing")).to_be_visible()

    page.locator("form[data-testid=language-switcher] button[value=zh-hans]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.goto(live_server.url + "/practice/import/")
    assert CJK.search(page.get_by_role("heading", level=1).inner_text())
