"""The graduate office sets up next year's programme and its cohort entirely in the browser: copy the demo
programme, change its requirements (a new version), open a cohort (a year outside the programme's intake
years is refused with the reason, the input kept), make it active; then reads the page in Chinese."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from programmes.demo import PROGRAMME_CODE
from programmes.models import Cohort, Programme, ProgrammeStatus, RequirementsVersion


def test_office_sets_up_next_years_programme_and_cohort(page: Page, login: Callable[..., Any]) -> None:
    source = Programme.objects.get(code=PROGRAMME_CODE)
    year = timezone.localdate().year + 1
    login(page, "office")

    page.locator("#main-nav").get_by_role("link", name="Programmes", exact=True).first.click()
    page.get_by_role("link", name=source.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(source.name)

    # Copy for next year: name, code and first intake year come prefilled.
    page.get_by_role("link", name="Copy for next year").click()
    expect(page.locator("input[name=code]")).to_have_value(f"{PROGRAMME_CODE}-{year}")
    page.locator("input[name=name]").fill(f"Medical Imaging Technology {year}")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Medical Imaging Technology {year}")
    expect(page.get_by_role("status")).to_contain_text("set up as a draft")
    copy = Programme.objects.get(code=f"{PROGRAMME_CODE}-{year}")
    assert copy.status == ProgrammeStatus.DRAFT
    assert copy.activity_categories.count() == source.activity_categories.count()

    # Requirements: more project points, kept as a new version.
    page.get_by_role("link", name="Edit requirements").click()
    page.get_by_label("Minimum project points").fill("8")
    page.get_by_label("What changed and why").fill("Two more projects from the next intake.")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_role("status")).to_contain_text("Requirements saved as version")
    latest = RequirementsVersion.objects.filter(programme=copy).order_by("-number").first()
    assert latest is not None and latest.snapshot["project_points"] == 8

    # A cohort a year before the programme's first intake is refused, the input kept; the right year opens.
    page.get_by_role("link", name="New cohort").click()
    page.get_by_label("Intake year").fill(str(year - 1))
    page.get_by_label("Name").fill(f"Class of {year}")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".invalid-feedback")).to_contain_text("outside the programme's intake years")
    expect(page.get_by_label("Name")).to_have_value(f"Class of {year}")
    page.get_by_label("Intake year").fill(str(year))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"Cohort {year} opened.")
    expect(page.get_by_test_id("cohorts")).to_contain_text(f"Class of {year}")
    assert Cohort.objects.filter(programme=copy, intake_year=year).exists()

    # Make it active, then read its changes: who did what.
    page.get_by_test_id("setup-actions").get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Status").select_option("active")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Changes saved.")
    copy.refresh_from_db()
    assert copy.status == ProgrammeStatus.ACTIVE
    page.get_by_role("link", name="Changes", exact=True).click()
    expect(page.get_by_test_id("programme-changes")).to_contain_text("Wang Fang")

    # The same page in Chinese.
    page.locator("form[data-testid=language-switcher] button[value=zh-hans]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=2).first).to_have_text(re.compile("培养要求版本|变更"))
