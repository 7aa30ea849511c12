"""The practice-hours journey on the demo data: a student logs hours on a phone, the supervisor signs off
several entries at once on a phone, and the student's progress bar moves. Then the queue in Chinese.

Screenshots for a person to look at: /tmp/practice-log-phone.png and /tmp/practice-queue.png.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Browser, Page, ViewportSize, expect

PHONE: ViewportSize = {"width": 390, "height": 844}
CJK = re.compile(r"[\u4e00-\u9fff]")
STUDENT_NUMBER = "2025MI001"  # the demo's ``student`` (students/demo.py)
NOTE = "Journey: helical phantom scans"


def _progress(page: Page, live_server: Any) -> tuple[float, bool]:
    """The approved hours the plan page's practice bar reports (``aria-valuenow``), and whether the page was
    sent as kept (ADR 0055)."""
    response = page.goto(live_server.url + "/students/mine/")
    bar = page.locator("[data-testid=practice-summary] [data-testid=practice-progress]")
    expect(bar).to_have_attribute("role", "progressbar")
    kept = response is not None and response.headers.get("x-tandem-kept") == "1"
    return float(bar.get_attribute("aria-valuenow") or "nan"), kept


def test_student_logs_on_a_phone_supervisor_approves_several_and_the_bar_moves(
    browser: Browser, live_server: Any, login: Callable[..., Any], settings: Any
) -> None:
    # Pages and the navigation kept between writes, as production has them (the test settings turn it off):
    # what one person writes must show on the other's next page all the same.
    settings.PAGE_CACHE_SECONDS = 60
    settings.NAV_CACHE_SECONDS = 60
    # --- The student, on a phone: log three hours today at the enterprise (the placement running now).
    student = browser.new_context(viewport=PHONE).new_page()
    login(student, "student")
    _progress(student, live_server)
    before, kept = _progress(student, live_server)
    assert kept, "a repeat visit to the plan page is sent as kept"

    student.goto(live_server.url + "/")
    student.get_by_test_id("log-hours-link").click()
    expect(student.get_by_role("heading", level=1)).to_have_text("Log hours")
    placement = student.get_by_label("Placement")
    expect(placement.locator("option:checked")).to_contain_text("Huaxin Imaging Equipment Co.")
    student.get_by_label("Hours").fill("3")
    student.get_by_label("Activity").select_option(label="Image post-processing")
    student.get_by_label("Cases or procedures").fill("12")
    student.get_by_label("What you did").fill(NOTE)
    student.get_by_role("button", name="Save hours").click()

    expect(student.get_by_role("status").first).to_contain_text("waiting for your supervisor")
    mine = student.locator("[data-testid=day-entries] li", has_text="Image post-processing")
    expect(mine).to_contain_text("3 h")
    expect(mine.locator("[data-status=pending]")).to_have_text("Pending")
    # The form is back, empty, for the next entry, and the placement still preselected.
    expect(student.get_by_label("Hours")).to_have_value("")
    expect(placement.locator("option:checked")).to_contain_text("Huaxin Imaging Equipment Co.")
    student.screenshot(path="/tmp/practice-log-phone.png", full_page=True)

    # --- The enterprise supervisor, on a phone: tick the new entry and another pending one, approve both.
    supervisor = browser.new_context(viewport=PHONE).new_page()
    login(supervisor, "sup-enterprise")
    expect(supervisor.get_by_test_id("pending-count")).not_to_have_text("0")
    supervisor.get_by_test_id("sign-off-link").click()
    expect(supervisor.get_by_role("heading", level=1)).to_have_text("Sign-off queue")
    card = supervisor.locator(f"section[data-student='{STUDENT_NUMBER}']")
    entries = card.locator("li.queue-entry")
    waiting = entries.count()
    assert waiting >= 2, "the demo leaves pending entries for sup-enterprise"
    new_entry = entries.filter(has_text=NOTE)
    other = entries.filter(has_not_text=NOTE).first
    other_hours = float(re.search(r"· ([\d.]+) h ·", other.inner_text()).group(1))  # type: ignore[union-attr]
    # What a supervisor decides on: the plan a click away, the running total against the requirement.
    expect(card.get_by_test_id("queue-plan-link")).to_be_visible()
    expect(card.get_by_test_id("queue-progress")).to_contain_text("h approved so far")
    expect(supervisor.get_by_test_id("approve-selected")).to_be_disabled()  # nothing ticked yet
    new_entry.get_by_role("checkbox").check()
    expect(supervisor.get_by_test_id("approve-selected")).to_be_enabled()
    other.get_by_role("checkbox").check()
    supervisor.screenshot(path="/tmp/practice-queue.png", full_page=True)
    supervisor.get_by_test_id("approve-selected").click()

    expect(supervisor.get_by_role("status").first).to_have_text("2 entries approved.")
    expect(card.locator("li.queue-entry")).to_have_count(waiting - 2)
    expect(card.locator("li.queue-entry", has_text=NOTE)).to_have_count(0)

    # --- The student's bar moved by exactly what was approved.
    after, kept = _progress(student, live_server)
    assert not kept  # the supervisor's approval wrote to what the plan page reads
    assert after == before + 3 + other_hours, (before, after, other_hours)
    student.goto(live_server.url + "/practice/mine/")
    approved = student.locator("[data-testid=entries] li", has_text=NOTE)
    expect(approved.locator("[data-status=approved]")).to_be_visible()

    # --- The same queue in Chinese.
    supervisor.locator("form[data-testid=language-switcher] button[value=zh-hans]").click()
    expect(supervisor.locator("html")).to_have_attribute("lang", "zh-hans")
    supervisor.goto(live_server.url + "/practice/queue/")
    title = supervisor.get_by_role("heading", level=1).inner_text()
    assert title != "Sign-off queue" and CJK.search(title), (
        f"the queue's title is not translated: {title!r} (run make makemessages and translate the catalogue)"
    )
    expect(supervisor.get_by_test_id("approve-selected")).not_to_have_text("Approve selected")
