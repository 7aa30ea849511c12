"""The wellbeing journey on the demo data: a student books an appointment on a phone, the counsellor writes
a note on the student's case, and the office's statistics page shows counts with small cells hidden and no
individual anywhere.

Screenshots for a person to look at: /tmp/wellbeing-book-phone.png, /tmp/wellbeing-case.png and
/tmp/wellbeing-statistics.png.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Browser, ViewportSize, expect

PHONE: ViewportSize = {"width": 390, "height": 844}
NOTE = "Journey: agreed to try the breathing exercise before exams."


def test_student_books_on_a_phone_counsellor_writes_a_note_office_sees_no_individual(
    browser: Browser, live_server: Any, login: Callable[..., Any]
) -> None:
    # --- The student, on a phone: from the start page's wellbeing card to a free time, booked.
    student = browser.new_context(viewport=PHONE).new_page()
    login(student, "student")
    student.locator("[data-panel=wellbeing]").get_by_role("link", name="Book an appointment").click()
    expect(student.get_by_role("heading", level=1)).to_have_text("Book an appointment")
    slots = student.get_by_test_id("wb-slot")
    assert slots.count() >= 3, "the demo offers free times"
    chosen = slots.first.inner_text().split("\n")[0].split(" · ")[0]
    slots.first.click()
    expect(student.get_by_role("status").first).to_have_text("Your appointment is booked.")
    upcoming = student.get_by_test_id("wb-upcoming").locator("li")
    expect(upcoming).to_have_count(2)  # the demo's upcoming appointment and this one
    expect(student.get_by_test_id("wb-upcoming")).to_contain_text(chosen)
    width = student.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page fits the phone without sideways scrolling"
    student.screenshot(path="/tmp/wellbeing-book-phone.png", full_page=True)

    # --- The counsellor: the dashboard, the student's case, a note.
    counsellor = browser.new_context().new_page()
    login(counsellor, "counsellor")
    counsellor.goto(live_server.url + "/wellbeing/counsellor/")
    counsellor.get_by_test_id("wb-caseload").get_by_role("link", name="Huang Xin 黄欣").click()
    expect(counsellor.get_by_test_id("wb-request")).to_contain_text("Exam stress")
    expect(counsellor.get_by_test_id("wb-chart")).to_be_visible()
    counsellor.get_by_role("textbox", name="Note", exact=True).fill(NOTE)
    counsellor.get_by_test_id("wb-note-save").click()
    expect(counsellor.get_by_role("status").first).to_have_text("Saved.")
    expect(counsellor.get_by_test_id("wb-note").last).to_contain_text(NOTE)
    counsellor.screenshot(path="/tmp/wellbeing-case.png", full_page=True)

    # --- The student sees that the counsellor read their case.
    student.goto(live_server.url + "/wellbeing/access-log/")
    expect(student.get_by_test_id("wb-access-log")).to_contain_text("Xu Li 徐丽")

    # --- The office: counts with small cells hidden, and nobody's name, note or request.
    office = browser.new_context().new_page()
    login(office, "office")
    office.goto(live_server.url + "/wellbeing/statistics/")
    expect(office.get_by_role("heading", level=1)).to_have_text("Wellbeing statistics")
    assert office.get_by_test_id("wb-hidden").count() > 0
    text = office.locator("main").inner_text()
    for individual in ("Huang Xin", "黄欣", "Zhao Lei", "Chen Jing", "Exam stress", NOTE, "student"):
        assert individual not in text
    office.screenshot(path="/tmp/wellbeing-statistics.png", full_page=True)
    assert office.goto(live_server.url + "/wellbeing/cases/1/").status == 404  # type: ignore[union-attr]
