"""Partners: the office finds a partner and its people; a coordinator edits only their own partner."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from partners.models import Partner

HOSPITAL = "Affiliated Hospital of Lead Medical University"


def test_office_finds_the_hospital_and_sees_its_members_and_sites(page: Page, login: Callable[..., Any]) -> None:
    login(page, "office")

    page.locator("#main-nav").get_by_role("link", name="Partners", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partners")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(Partner.objects.count())

    page.get_by_label("Search").fill("Hospital")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]q=Hospital(&|$)"))
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name=HOSPITAL).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(HOSPITAL)
    members = page.locator("table[data-testid=members]")
    expect(members).to_be_visible()
    expect(members.locator("tbody tr")).to_have_count(2)
    expect(members.locator("tr", has_text="Li Na 李娜")).to_contain_text("Coordinator")
    expect(members.locator("tr", has_text="Liu Yang 刘洋")).to_contain_text("Supervisor")
    sites = page.locator("[data-testid=sites]")
    expect(sites.locator("li")).to_have_count(1)
    expect(sites).to_contain_text("Imaging Department")
    expect(sites).to_contain_text("12 places")


def test_coordinator_edits_the_contact_phone_of_their_own_partner(page: Page, login: Callable[..., Any]) -> None:
    hospital = Partner.objects.get(short_name="AH")
    login(page, "coord-hospital")

    page.get_by_test_id("my-memberships").get_by_role("link", name=HOSPITAL).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HOSPITAL)
    page.get_by_role("link", name="Edit", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit {HOSPITAL}")

    # The form opens with the partner's current values.
    expect(page.locator("input[name=name]")).to_have_value(HOSPITAL)
    expect(page.locator("input[name=short_name]")).to_have_value("AH")
    expect(page.locator("input[name=contact_email]")).to_have_value("office@ah.example")

    page.locator("input[name=contact_phone]").fill("+86 10 5555 0101")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_role("status")).to_have_text("Changes saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text(HOSPITAL)
    expect(page.locator("dl")).to_contain_text("+86 10 5555 0101")
    # Nothing else moved.
    expect(page.locator("dl")).to_contain_text("office@ah.example")
    hospital.refresh_from_db()
    assert hospital.contact_phone == "+86 10 5555 0101"
    assert hospital.name == HOSPITAL
    assert hospital.contact_email == "office@ah.example"

    # Reopening the form shows the saved value.
    page.get_by_role("link", name="Edit", exact=True).first.click()
    expect(page.locator("input[name=contact_phone]")).to_have_value("+86 10 5555 0101")


def test_coordinator_gets_404_on_the_edit_page_of_another_partner(
    page: Page, login: Callable[..., Any], live_server: Any
) -> None:
    enterprise = Partner.objects.get(short_name="IMG-E")
    login(page, "coord-hospital")

    response = page.goto(f"{live_server.url}/partners/{enterprise.pk}/edit/")

    assert response is not None
    assert response.status == 404
    expect(page.locator("body")).to_contain_text("Not Found")
    expect(page.locator("input[name=contact_phone]")).to_have_count(0)
    enterprise.refresh_from_db()
    assert enterprise.contact_phone == ""
