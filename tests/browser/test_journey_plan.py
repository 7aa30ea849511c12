"""The training-plan journey of issue #3 on the demo data.

The demo ``student`` (黄欣, 2025MI001) opens their approved plan from the start page, sees the timeline
across the three partners and downloads the PDF; the demo ``tutor`` approves ``student2``'s submitted
plan from the approvals queue, once in English and once in Chinese.

Screenshot for a person to look at: /tmp/plan-student.png.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils import translation
from playwright.sync_api import Page, expect

from tests.pdfs import pdf_text

STUDENT_NAME = "黄欣"  # the demo's ``student`` (core/demo.py LOGINS)
STUDENT_NUMBER = "2025MI001"
STUDENT2_NUMBER = "2025MI002"  # the demo's ``student2``, whose plan the demo leaves submitted
#: The partners the demo student's placements span (students/demo.py), by full name.
PARTNERS = (
    "Affiliated Hospital of Lead Medical University",
    "Huaxin Imaging Equipment Co.",
    "Institute of Biomedical Engineering",
)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _translated(message: str, language: str) -> str:
    """What the page should say in ``language`` (the catalogue's text, or the English until translated)."""
    with translation.override(language):
        return str(translation.gettext(message))


def _pdf_text(path: Path) -> str:
    return pdf_text(path)


def test_student_opens_their_plan_sees_the_timeline_and_downloads_the_pdf(
    page: Page, login: Callable[..., Any], live_server: Any, tmp_path: Path
) -> None:
    login(page, "student")
    page.locator(".card[data-role=student]").get_by_role("link", name="My training plan").click()

    # students:plan-mine redirects to the student's own students:plan page.
    page.wait_for_url(re.compile(r"/students/\d+/$"))
    expect(page.get_by_test_id("plan-status")).to_have_text("Approved")
    expect(page.locator("[data-testid=plan-header]")).to_be_visible()

    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_be_visible()
    assert timeline.evaluate("node => node.tagName.toLowerCase()") == "svg"
    placements = page.get_by_test_id("placements")
    for partner in PARTNERS:
        # One bar per placement in the timeline, and one card below it.
        expect(timeline.locator(f"a[aria-label^='{partner},']")).to_have_count(1)
        expect(placements.get_by_role("heading", name=partner, exact=True)).to_be_visible()
    page.screenshot(path="/tmp/plan-student.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_test_id("plan-actions").get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"plan-{STUDENT_NUMBER}.pdf"
    pdf_path = tmp_path / download.suggested_filename
    download.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    text = _pdf_text(pdf_path)
    assert STUDENT_NAME in text, f"the student's name is missing from the PDF: {text[:500]!r}"
    assert STUDENT_NUMBER in text


def _language(page: Page) -> str:
    """The page's language, as ``<html lang>`` says."""
    return page.locator("html").get_attribute("lang") or "en"


def _tutor_approves_student2(page: Page) -> None:
    """From the start page: the approvals queue, ``student2``'s plan, the tutor's approve button."""
    page.locator(".card[data-role=tutor]").locator("a[href$='/students/approvals/']").click()
    row = page.get_by_test_id("queue-mine").locator(f"tr[data-student='{STUDENT2_NUMBER}']")
    expect(row).to_be_visible()
    row.get_by_role("link").click()
    expect(page.get_by_test_id("plan-status")).to_have_text(_translated("Submitted", _language(page)))
    page.get_by_test_id("plan-actions").locator("form[action$='/tutor-approve/'] button[type=submit]").click()


def test_tutor_approves_a_submitted_plan_from_the_queue(
    page: Page, login: Callable[..., Any], live_server: Any
) -> None:
    login(page, "tutor")
    _tutor_approves_student2(page)

    expect(page.get_by_role("status").first).to_have_text("Plan approved; it goes to the graduate office.")
    expect(page.get_by_test_id("plan-status")).to_have_text("Approved by the tutor")
    expect(page.get_by_test_id("plan-status")).to_have_class(re.compile(r"\bplan-status-tutor_approved\b"))
    # The decision is made: the button is gone and the queue no longer lists the plan.
    expect(page.get_by_test_id("plan-actions").locator("form[action$='/tutor-approve/']")).to_have_count(0)
    page.goto(live_server.url + "/students/approvals/")
    expect(page.locator(f"tr[data-student='{STUDENT2_NUMBER}']")).to_have_count(0)


def test_tutor_approves_a_submitted_plan_in_chinese(page: Page, login: Callable[..., Any]) -> None:
    login(page, "tutor")
    page.locator("form[data-testid=language-switcher] button[value=zh-hans]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    _tutor_approves_student2(page)

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("status").first).to_have_text(
        _translated("Plan approved; it goes to the graduate office.", "zh-hans")
    )
    expect(page.get_by_test_id("plan-status")).to_have_text(_translated("Approved by the tutor", "zh-hans"))
    expect(page.get_by_test_id("plan-status")).to_have_class(re.compile(r"\bplan-status-tutor_approved\b"))
    # The page chrome comes from the zh_Hans catalogue (manage.py compile_catalogues).
    heading = page.locator("#timeline-heading").inner_text()
    assert heading == _translated("Timeline across partners", "zh-hans")
    logout = page.locator("form[action$='/accounts/logout/'] button[type=submit]")
    assert CJK.search(logout.text_content() or ""), "the user menu is not in Chinese: is the catalogue compiled?"
