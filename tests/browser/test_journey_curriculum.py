"""The curriculum journey on the demo data: a teacher sees the grades to enter on the start page, enters
and submits a grade on the grade sheet, and the student sees the credits on the plan; then the grade is
locked (only a correction with a reason changes it).

Screenshot for a person to look at: /tmp/curriculum-grade-sheet.png.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from playwright.sync_api import Browser, Page, expect

STUDENT_NUMBER = "2025MI001"  # the demo's ``student``


def _core_credits(page: Page, live_server: Any) -> Decimal:
    page.goto(live_server.url + "/students/mine/")
    cell = page.locator("[data-testid=credits-earned] tr[data-category=professional_core] [data-testid=earned]")
    return Decimal(cell.inner_text())


def test_teacher_enters_grades_and_the_student_sees_the_credits_on_the_plan(
    browser: Browser, live_server: Any, login: Callable[..., Any]
) -> None:
    student = browser.new_context().new_page()
    login(student, "student")
    before = _core_credits(student, live_server)

    teacher = browser.new_context().new_page()
    login(teacher, "teacher")
    panel = teacher.get_by_test_id("panel-grades-to-enter")
    expect(panel).to_contain_text("Grades to enter")
    panel.get_by_role("link", name="MI503", exact=False).click()
    expect(teacher.get_by_role("heading", level=1)).to_contain_text("Grades for MI503")
    teacher.get_by_label(STUDENT_NUMBER, exact=False).fill("86")
    teacher.screenshot(path="/tmp/curriculum-grade-sheet.png", full_page=True)
    teacher.get_by_role("button", name="Submit grades").click()
    expect(teacher.get_by_role("status").first).to_contain_text("submitted")
    sheet = teacher.get_by_test_id("grade-sheet")
    expect(sheet).to_contain_text("86")
    expect(sheet.get_by_role("link", name="Correct")).to_be_visible()  # locked: a correction only

    # The student's plan counts MI503's three credits.
    assert _core_credits(student, live_server) == before + 3
    expect(student.get_by_test_id("credits-earned")).to_be_visible()
