"""The supervision journey on the demo data, with a real Celery worker rendering the reports.

The inspector, on a tablet, finishes the checklist of the enterprise's spot inspection (in progress in
the demo) and closes it; the worker renders the frozen report. The office publishes it; the worker
renders the redacted public reports. An anonymous visitor finds the results under "Published results",
downloads the PDF, and reads no student's name in it. Then the public page in Chinese.

Screenshots for a person to look at: /tmp/inspection-checklist-tablet.png and /tmp/public-results.png.
"""

from __future__ import annotations

import re
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import Browser, Page, ViewportSize, expect

from config.celery import app as celery_app
from tests.pdfs import pdf_text

TABLET: ViewportSize = {"width": 820, "height": 1180}
ENTERPRISE = "Huaxin Imaging Equipment Co."
SUMMARY = "Induction is now given on the first day; sign-off is timely."
#: The demo's students and supervisors (core/demo.py, students/demo.py): never in public results.
PERSONAL = ("Huang Xin", "黄欣", "Zhou Tao", "周涛", "2025MI001", "Chen Jing", "陈静")


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A real worker in this process (it shares the test database), on a queue of its own that the
    report renders are sent to (see tests/core/test_worker.py for why a queue of its own)."""
    from supervision import tasks
    from supervision.services import reports as render

    queue = f"test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(render, "_sender", lambda pk: lambda: tasks.report_render.apply_async((pk,), queue=queue))
    with start_worker(
        celery_app, pool="solo", concurrency=1, perform_ping_check=False, queues=[queue], shutdown_timeout=10
    ):
        yield


def _until_ready(page: Page, url: str, locator: str, timeout: float = 60) -> None:
    """Reload ``url`` until ``locator`` shows (the worker renders in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(url)
        if page.locator(locator).count():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{locator} never appeared on {url}")
        time.sleep(1)


def test_inspector_closes_office_publishes_and_the_public_downloads_the_pdf(
    browser: Browser, live_server: Any, login: Callable[..., Any], worker: None
) -> None:
    # --- The inspector, on a tablet: the enterprise's inspection from the worklist, then its checklist.
    inspector = browser.new_context(viewport=TABLET).new_page()
    login(inspector, "inspector")
    # The link carries the waiting count when answers wait to be verified ("Inspections 2 waiting").
    inspector.get_by_role("link", name=re.compile(r"^Inspections( \d+ waiting)?$")).click()
    inspector.get_by_role("link", name="My worklist").click()
    card = inspector.locator("[data-testid=in-progress] .card", has_text=ENTERPRISE)
    card.get_by_role("link", name="Checklist").click()
    expect(inspector.get_by_role("heading", level=1)).to_have_text("Checklist")

    # Rate every item still unrated: conforming, but one minor gap that needs a note.
    unrated = inspector.locator(".checklist-card:not(.border-success)")
    first = True
    while unrated.count():
        card_id = unrated.first.get_attribute("id")
        item = inspector.locator(f"#{card_id}")
        code = item.locator("h3 .text-muted").inner_text()
        if first:
            item.locator("label", has_text="Minor gap").click()
            item.get_by_role("button", name=f"Save {code}").click()
            # Refused without a note; the choice is kept, and the note is given.
            expect(item.locator("[data-field-error=note]")).to_be_visible()
            expect(item.locator("input[type=radio][value=minor_gap]")).to_be_checked()
            item.locator("textarea").fill("Feedback forms not yet countersigned.")
            first = False
        else:
            item.locator("label", has_text="Conforming").click()
        item.get_by_role("button", name=f"Save {code}").click()
        expect(item.get_by_test_id("saved-rating")).to_be_visible()
    expect(inspector.get_by_text("0 items left to rate")).to_be_visible()
    inspector.screenshot(path="/tmp/inspection-checklist-tablet.png", full_page=True)

    # Close: every item is rated, so the page closes it at once; the report is rendered by the worker.
    inspector.get_by_role("link", name="Back to the inspection").first.click()
    detail_url = inspector.url
    inspector.get_by_test_id("close").click()
    expect(inspector.locator("[data-testid=inspection-actions]")).not_to_contain_text("Checklist")
    _until_ready(inspector, detail_url, "[data-testid=report-panel] .text-bg-success")
    inspector.get_by_test_id("report-link").click()
    expect(inspector.get_by_test_id("report-html")).to_contain_text("Feedback forms not yet countersigned.")

    # --- The office: the publication queue, then publish with a public summary.
    office = browser.new_context().new_page()
    login(office, "office")
    office.goto(live_server.url + "/inspections/publication/")
    row = office.locator("[data-testid=publication-queue] tr", has_text=ENTERPRISE)
    row.get_by_role("link", name="Publish").click()
    office.get_by_label("Public summary").fill(SUMMARY)
    office.get_by_role("button", name="Publish", exact=True).click()
    expect(office.get_by_role("status").first).to_be_visible()

    # --- Anonymous: the published results, the detail page, the PDF.
    visitor = browser.new_context().new_page()
    visitor.goto(live_server.url + "/")
    visitor.get_by_role("link", name="Published results").click()
    listing = visitor.locator("[data-testid=public-inspections] tr", has_text=ENTERPRISE)
    expect(listing).to_be_visible()
    listing.get_by_role("link", name=ENTERPRISE).click()
    public_url = visitor.url
    _until_ready(visitor, public_url, "[data-testid=public-pdf]")
    expect(visitor.get_by_test_id("report-html")).to_contain_text(SUMMARY)
    page_text = visitor.locator("main").inner_text()
    for personal in PERSONAL:
        assert personal not in page_text, personal
    visitor.screenshot(path="/tmp/public-results.png", full_page=True)

    with visitor.expect_download() as download_info:
        visitor.get_by_test_id("public-pdf").click()
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "report.pdf"
        download_info.value.save_as(pdf)
        assert pdf.read_bytes().startswith(b"%PDF")
        text = pdf_text(pdf)
    assert ENTERPRISE in text
    assert SUMMARY in re.sub(r"\s+", " ", text)
    for personal in PERSONAL:
        assert personal not in text, personal

    # --- The same public page in Chinese.
    visitor.goto(public_url)
    visitor.locator("form[data-testid=language-switcher] button[value=zh-hans]").click()
    expect(visitor.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(visitor.get_by_test_id("public-pdf")).to_be_visible()
    assert re.search(r"[\u4e00-\u9fff]", visitor.locator("main").inner_text())
