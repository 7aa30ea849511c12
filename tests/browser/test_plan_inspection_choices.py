"""Planning an inspection: choosing the partner narrows the sites by itself (htmx), with no button to press."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from partners.models import Partner, Site


def test_choosing_the_partner_updates_the_sites_without_a_click(
    page: Page, login: Callable[..., Any], live_server: Any
) -> None:
    hospital = Partner.objects.get(short_name="AH")
    login(page, "office")
    page.goto(live_server.url + "/inspections/plan/")
    expect(page.get_by_test_id("refresh")).to_be_hidden()  # only for browsers without JavaScript
    page.locator("select[name=partner]").select_option(str(hospital.pk))
    expected = {"", *(str(pk) for pk in Site.objects.filter(partner=hospital).values_list("pk", flat=True))}
    site = page.locator("select[name=site] option")
    expect(site).to_have_count(len(expected))
    assert {o.get_attribute("value") or "" for o in site.all()} == expected
    expect(page.locator("select[name=partner]")).to_have_value(str(hospital.pk))
