"""Wide tables keep their key columns in view: a long name does not push "At risk" off a tablet's screen,
and an inspection's planned date never breaks in the middle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, ViewportSize, expect

from accounts.models import User

TABLET: ViewportSize = {"width": 900, "height": 1000}


def test_at_risk_column_stays_in_view_with_a_long_name(page: Page, login: Callable[..., Any], live_server: Any) -> None:
    student = User.objects.get(username="student")
    student.full_name = "Huang Xin-Alexandra Maximiliana Konstantinopoulou-Vanderbilt 黄欣"
    student.save()
    page.set_viewport_size(TABLET)
    login(page, "office")
    page.goto(live_server.url + "/students/")
    header = page.get_by_role("columnheader", name="At risk")
    expect(header).to_be_visible()
    box = header.bounding_box()
    assert box is not None and box["x"] + box["width"] <= TABLET["width"], box


def test_inspection_dates_do_not_break(page: Page, login: Callable[..., Any], live_server: Any) -> None:
    page.set_viewport_size(ViewportSize(width=700, height=900))
    login(page, "office")
    page.goto(live_server.url + "/inspections/")
    date_link = page.locator("tr[data-inspection] td:first-child a").first
    expect(date_link).to_be_visible()
    box = date_link.bounding_box()
    assert box is not None and box["height"] < 30, box  # one line
