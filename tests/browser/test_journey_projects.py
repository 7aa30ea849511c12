"""The projects journey on the demo data: a student asks to join the enterprise's project from the board,
its leader accepts, the student records an output, the office checks the evidence and verifies it, and the
points appear on the student's plan.

Screenshots for a person to look at: /tmp/projects-board.png and /tmp/projects-report.png.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from playwright.sync_api import Browser, Page, expect

PROJECT = "Edge AI for CT dose monitoring"  # the enterprise's board post (projects/demo.py)
OUTPUT = "Journey: dose-monitor prototype"


def _points(page: Page, live_server: Any) -> Decimal:
    page.goto(live_server.url + "/students/mine/")
    text = page.get_by_test_id("points-earned").inner_text()
    return Decimal(re.match(r"([\d.]+)", text).group(1))  # type: ignore[union-attr]


def test_student_joins_from_the_board_output_verified_points_on_the_plan(
    browser: Browser, live_server: Any, login: Callable[..., Any]
) -> None:
    student = browser.new_context().new_page()
    login(student, "student")
    before = _points(student, live_server)
    assert before >= 10  # the demo's small projects already meet the minimum

    # --- The student finds the enterprise's post on the board and asks to join.
    student.goto(live_server.url + "/")
    student.get_by_role("link", name="Projects", exact=True).first.click()
    student.get_by_test_id("board-link").click()
    card = student.locator("[data-post]", has_text=PROJECT)
    expect(card).to_contain_text("Python, DICOM, embedded Linux")
    card.get_by_label("Why you, in a few words").fill("I built the lab's dose dashboard.")
    student.screenshot(path="/tmp/projects-board.png", full_page=True)
    card.get_by_test_id("join").click()
    expect(student.locator("[data-post]", has_text=PROJECT).get_by_test_id("requested")).to_be_visible()

    # --- The leader sees the request waiting on the start page, and accepts it on the project.
    leader = browser.new_context().new_page()
    login(leader, "sup-enterprise")
    expect(leader.get_by_test_id("panel-projects")).to_contain_text("Requests to join your projects")
    leader.goto(live_server.url + "/projects/")
    leader.get_by_role("link", name=PROJECT).click()
    request = leader.locator("[data-request]", has_text="I built the lab's dose dashboard.")
    request.get_by_test_id("accept").click()
    expect(leader.get_by_test_id("members")).to_contain_text("Huang Xin")

    # --- The student, now a member, records an output with its evidence.
    student.goto(live_server.url + "/projects/")
    student.get_by_role("link", name=PROJECT).click()
    student.get_by_test_id("output-create").click()
    student.get_by_label("Type").select_option(label="Prototype")
    student.get_by_label("Title").fill(OUTPUT)
    student.get_by_label("Achieved on").fill("2026-11-20")
    student.get_by_label("Reference").fill("Lab notebook 7, pp. 12-30")
    student.get_by_role("button", name="Save").click()
    expect(student.locator("[data-output]", has_text=OUTPUT).get_by_test_id("output-status")).to_have_text(
        "Awaiting verification"
    )
    assert _points(student, live_server) == before  # nothing until the office has checked the evidence

    # --- The office checks the evidence from its start page and verifies the output.
    office = browser.new_context().new_page()
    login(office, "office")
    office.get_by_test_id("panel-projects").get_by_role("link", name="Project outputs to verify").click()
    office.locator("[data-output]", has_text=OUTPUT).get_by_test_id("verify").click()
    expect(office.locator("[data-output]", has_text=OUTPUT)).to_have_count(0)

    # --- The points are on the student's plan, with where they come from.
    after = _points(student, live_server)
    assert after == before + 2  # a prototype earns 2 points in the demo scheme
    student.get_by_text("Where the points come from").click()
    expect(student.get_by_test_id("ledger").first).to_contain_text(OUTPUT)

    # --- The office's reward report: the chart and the rankings, with the new points in them.
    office.goto(live_server.url + "/projects/report/?year=all")
    expect(office.get_by_test_id("scale-chart").locator("rect").first).to_be_visible()
    expect(office.get_by_test_id("ranking-people")).to_contain_text("Huang Xin")
    office.screenshot(path="/tmp/projects-report.png", full_page=True)
