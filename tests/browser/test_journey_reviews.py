"""The internal-supervision journey on the demo data: a student reviews their enterprise placement and raises a
concern; the supervisor sees no result while the group is under 3 responses, and the aggregate (without a name)
once the office has closed the round and the group is large enough; the supervisor answers the concern, and the
student reads the answer.

Set-up beyond the demo (through the services): one more student at the enterprise this term has reviewed the
placement in a round of its own, already closed. With the demo's one held-back review of last term, the
journey's review makes the third.

Screenshot for a person to look at: /tmp/reviews-results.png.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

STUDENT_NAME = "Huang Xin"  # the demo's ``student``
SHARED = "Journey: the prototype scanner room is well organised."


def _another_enterprise_review() -> None:
    from accounts.models import User
    from partners.models import Partner
    from programmes.demo import PROGRAMME_CODE
    from programmes.models import Programme
    from reviews.models import Direction, Review, ReviewTerm, RoundKind
    from reviews.services import review_submit, rounds
    from students import services as students
    from tests.factories.accounts import UserFactory

    today = timezone.localdate()
    office = User.objects.get(username="office")
    programme = Programme.objects.get(code=PROGRAMME_CODE)
    partner = Partner.objects.get(short_name="IMG-E")
    user = UserFactory.create(username="journey-student", full_name="Journey Student")
    student = students.student_create(
        by=office,
        user=user,
        student_number="2025MI099",
        programme=programme,
        cohort=students.cohort_for(programme, today.year - 1),
        enrolled_on=datetime.date(today.year - 1, 9, 1),
    )
    placement = students.placement_create(
        plan=student.plan,
        by=user,
        partner=partner,
        site=partner.sites.order_by("pk").first(),  # type: ignore[arg-type]
        supervisor=User.objects.get(username="sup-enterprise"),
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=60),
    )
    round_, _created = rounds.review_round_open(
        programme=programme,
        key=f"placement:{placement.pk}:{RoundKind.PLACEMENT_HALF}",
        kind=RoundKind.PLACEMENT_HALF,
        opens_on=today - datetime.timedelta(days=1),
        title="Journey placement halfway",
        term=ReviewTerm.objects.get(programme=programme, name="This term"),
        placement=placement,
    )
    review = Review.objects.get(round=round_, direction=Direction.STUDENT_PLACEMENT)
    review_submit(review=review, scores={c.code: 4 for c in review.form.criteria.all()}, by=user)
    rounds.review_round_close(round=round_, by=office)


def _results(page: Page, live_server: Any) -> Any:
    page.goto(live_server.url + "/reviews/results/")
    return page.locator("[data-testid=placement-results]", has_text="Huaxin Imaging Equipment Co.")


def test_student_reviews_placement_supervisor_sees_aggregate_at_three_and_answers_concern(
    browser: Browser, live_server: Any, login: Callable[..., Any]
) -> None:
    _another_enterprise_review()

    # --- The student reviews the enterprise placement, shares the comment, raises a safety concern.
    student = browser.new_context().new_page()
    login(student, "student")
    student.goto(live_server.url + "/reviews/")
    row = student.locator("[data-testid=to-do] li", has_text="Huaxin Imaging Equipment Co.").filter(
        has_text="Student reviews placement"
    )
    row.get_by_role("link", name="Write the review").click()
    expect(student.get_by_test_id("anonymity-note")).to_be_visible()
    fieldsets = student.locator("form fieldset")
    for i in range(fieldsets.count()):
        fieldsets.nth(i).get_by_label("4", exact=True).check()
    student.get_by_label("Comments", exact=True).fill(SHARED)
    student.get_by_label("My comments may be shared with the person reviewed, without my name").check()
    student.get_by_label("Raise a concern that needs an answer (optional)").select_option(label="Safety")
    student.get_by_label("What is the concern about?").fill("The emergency stop of the test bench sticks.")
    student.get_by_role("button", name="Submit the review").click()
    expect(student.locator("body")).to_contain_text("your review has been submitted")

    # --- The supervisor: the group is under 3 (the round is still open): nothing shown.
    supervisor = browser.new_context().new_page()
    login(supervisor, "sup-enterprise")
    section = _results(supervisor, live_server)
    expect(section.get_by_test_id("no-group")).to_be_visible()
    expect(section.get_by_test_id("group")).to_have_count(0)

    # --- The office closes the round on its dashboard.
    office = browser.new_context().new_page()
    login(office, "office")
    office.goto(live_server.url + "/reviews/rounds/")
    office.get_by_role("link", name="This term · Mid-term").click()
    expect(office.get_by_test_id("who-wrote")).to_contain_text(STUDENT_NAME)  # the office sees who wrote what
    office.get_by_role("button", name="Close the round now").click()
    expect(office.locator("body")).to_contain_text("The round is closed.")

    # --- The supervisor now sees the aggregate of 3, with the shared comment and no name.
    section = _results(supervisor, live_server)
    group = section.get_by_test_id("group")
    expect(group).to_have_count(1)
    expect(group).to_contain_text("3 responses")
    expect(group.get_by_test_id("shared-comments")).to_contain_text(SHARED)
    expect(supervisor.locator("body")).not_to_contain_text(STUDENT_NAME)
    supervisor.screenshot(path="/tmp/reviews-results.png", full_page=True)

    # --- The supervisor answers the concern, without learning who raised it.
    supervisor.goto(live_server.url + "/reviews/concerns/")
    supervisor.locator("[data-testid=concerns] li", has_text="Safety").get_by_role("link").click()
    expect(supervisor.get_by_test_id("thread")).to_contain_text("the reviewer")
    expect(supervisor.locator("body")).not_to_contain_text(STUDENT_NAME)
    supervisor.get_by_label("Your reply").fill("The bench is out of use until the stop is replaced on Friday.")
    supervisor.get_by_role("button", name="Send the reply").click()
    expect(supervisor.get_by_test_id("concern-status")).to_have_text("Replied")

    # --- The student reads the reply.
    student.goto(live_server.url + "/reviews/concerns/")
    student.locator("[data-testid=concerns] li", has_text="Safety").get_by_role("link").click()
    expect(student.get_by_test_id("thread")).to_contain_text("out of use until the stop is replaced")
