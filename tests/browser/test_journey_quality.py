"""The quality report journey on the demo data (with the demo's reports built: last year's published,
this year's to date): the office finds the reports, reads last year's in English and in Chinese, downloads
its PDF, asks for a new version (refused first for a year in the future, keeping what was typed), opens the
live dashboard and the comparison; then anybody, without logging in, finds the programme's published
report on the public pages and downloads its public PDF. AxeWatch checks every page on the way."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from programmes.demo import PROGRAMME_CODE
from programmes.models import Programme


@pytest.fixture
def quality_demo(settings: Any, tmp_path: Any) -> None:
    """The demo's quality reports are off in the test settings (six PDFs for every other journey)."""
    settings.QUALITY_DEMO_REPORT = True
    settings.MEDIA_ROOT = tmp_path / "media"


def test_office_reads_builds_and_compares_and_the_public_reads_the_published_report(
    quality_demo: None, browser: Browser, live_server: Any, login: Callable[..., Any]
) -> None:
    last_year = timezone.localdate().year - 1
    programme_name = Programme.objects.get(code=PROGRAMME_CODE).name
    office = browser.new_context().new_page()
    login(office, "office")

    # --- The reports: last year's published, this year's built.
    office.goto(live_server.url + "/quality/reports/")
    expect(office.get_by_role("heading", level=1)).to_have_text("Quality reports")
    rows = office.get_by_test_id("reports").locator("tbody tr")
    expect(rows).to_have_count(2)
    published = rows.filter(has=office.get_by_test_id("published"))
    expect(published).to_contain_text(str(last_year))
    published.get_by_role("link", name=PROGRAMME_CODE).click()
    expect(office.get_by_role("heading", level=1)).to_contain_text(f"quality report {last_year}")
    report = office.get_by_test_id("report-html")
    expect(report).to_contain_text("Students")
    expect(report).to_contain_text("Curriculum")
    expect(office.get_by_test_id("published-by")).to_be_visible()
    with office.expect_download() as download:
        office.get_by_test_id("download-shown").click()
    pdf = download.value
    assert pdf.suggested_filename.endswith("-en.pdf")
    with open(pdf.path(), "rb") as stored:
        assert stored.read(5) == b"%PDF-"

    # --- The same report in Chinese.
    office.locator("form[data-testid=language-switcher] button[value=zh-hans]").click()
    office.wait_for_function("document.documentElement.lang === 'zh-hans'")
    expect(office.get_by_test_id("report-html")).to_have_attribute("lang", "zh-hans")
    expect(office.get_by_test_id("report-html")).to_contain_text(re.compile("[\u4e00-\u9fff]{2}"))
    office.locator("form[data-testid=language-switcher] button[value=en]").click()
    office.wait_for_function("document.documentElement.lang === 'en'")

    # --- A new version: a year in the future is refused on its field, and the form keeps what was typed.
    office.goto(live_server.url + "/quality/reports/new/")
    expect(office.get_by_role("heading", level=1)).to_have_text("Build a quality report")
    office.get_by_label("Programme").select_option(label=f"{PROGRAMME_CODE} · {programme_name}")
    office.get_by_label("Year").fill(str(last_year + 5))
    office.get_by_role("button", name=re.compile("Build")).click()
    expect(office.get_by_label("Year")).to_have_value(str(last_year + 5))
    expect(office.get_by_label("Programme").locator("option:checked")).to_contain_text(PROGRAMME_CODE)
    expect(office.locator(".invalid-feedback, .errorlist").first).to_be_visible()
    office.get_by_label("Year").fill(str(last_year))
    office.get_by_role("button", name=re.compile("Build")).click()
    expect(office.get_by_role("heading", level=1)).to_contain_text(f"quality report {last_year}")
    expect(office.get_by_test_id("status")).to_be_visible()

    # --- The live dashboard and the comparison.
    office.goto(live_server.url + "/quality/dashboard/")
    expect(office.get_by_test_id("section-cards")).to_contain_text("Students")
    expect(office.get_by_test_id("previous-source")).to_contain_text(str(last_year))
    office.get_by_test_id("compare-link").click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Compare quality reports")

    # --- Anybody, without logging in: the programme's published report and its public PDF.
    public = browser.new_context().new_page()
    public.goto(live_server.url + "/public/programmes/")
    public.get_by_test_id("programmes").get_by_role("link").first.click()
    expect(public.get_by_test_id("public-reports")).to_contain_text(str(last_year))
    public.get_by_test_id("public-reports").get_by_role("link", name=re.compile(str(last_year))).first.click()
    expect(public.get_by_test_id("report-html")).to_contain_text("Students")
    with public.expect_download() as download:
        public.get_by_test_id("public-files").get_by_role("link").first.click()
    with open(download.value.path(), "rb") as stored:
        assert stored.read(5) == b"%PDF-"
