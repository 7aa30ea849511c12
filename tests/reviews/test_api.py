"""The API: submitting a review, rounds in scope, list query counts constant at two sizes, and the schema."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews.models import Direction, ReviewStatus
from reviews.services import meetings
from tests.conftest import World, api_client_for
from tests.reviews import helpers

pytestmark = pytest.mark.django_db


def test_a_student_submits_a_placement_review_through_the_api(world: World) -> None:
    round_ = helpers.open_round(world)
    review = helpers.task(round_, Direction.STUDENT_PLACEMENT, reviewer=world.users["student_a"])
    client = api_client_for(world.users["student_a"])
    detail = client.get(reverse("api:review-detail", args=[review.pk])).json()
    scores = {c["code"]: 4 for c in detail["criteria"]}
    response = client.post(
        reverse("api:review-submit", args=[review.pk]),
        {
            "scores": scores,
            "comment": "Good.",
            "may_share": True,
            "concern_category": "safety",
            "concern_text": "Aprons.",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == ReviewStatus.SUBMITTED
    again = client.post(reverse("api:review-submit", args=[review.pk]), {"scores": scores}, format="json")
    assert again.status_code == 400 and again.json()["error"]["code"] == "already_submitted"
    concerns = api_client_for(world.users["supervisor_a"]).get(reverse("api:concern-list")).json()["results"]
    assert len(concerns) == 1 and concerns[0]["raised_by"] is None


def test_another_reviewer_gets_404_and_an_incomplete_review_400(world: World) -> None:
    round_ = helpers.open_round(world)
    review = helpers.task(round_, Direction.STUDENT_PLACEMENT, reviewer=world.users["student_a"])
    url = reverse("api:review-submit", args=[review.pk])
    assert api_client_for(world.users["student_b"]).post(url, {"scores": {}}, format="json").status_code == 404
    response = api_client_for(world.users["student_a"]).post(url, {"scores": {"site": 3}}, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "scores_incomplete"


def test_rounds_are_the_office_s_and_the_reviewers_own(world: World) -> None:
    round_ = helpers.open_round(world)
    for persona, seen in (("office", 1), ("student_a", 1), ("coordinator_a", 0), ("inspector", 0)):
        rows = api_client_for(world.users[persona]).get(reverse("api:review-round-list")).json()["results"]
        assert len(rows) == seen, persona
    assert (
        api_client_for(world.users["coordinator_a"])
        .get(reverse("api:review-round-detail", args=[round_.pk]))
        .status_code
        == 404
    )


@pytest.mark.parametrize("route", ["api:review-list", "api:concern-list", "api:meeting-list", "api:review-round-list"])
def test_list_queries_stay_constant_at_two_sizes(world: World, route: str) -> None:
    office = api_client_for(world.users["office"])
    round_ = helpers.open_round(world)
    helpers.submit(
        helpers.task(round_, Direction.STUDENT_PLACEMENT, reviewer=world.users["student_a"]),
        concern_category="safety",
        concern_text="One",
    )
    office_user = world.users["office"]
    assert office_user is not None
    meetings.meeting_record(student=world.student_a, held_on=timezone.localdate(), minutes="m", by=office_user)
    office.get(reverse(route))  # the first request reads the office's roles once, then they are cached
    with CaptureQueriesContext(connection) as small:
        assert office.get(reverse(route)).status_code == 200
    extra = helpers.placed_students(world, 3)
    round2 = helpers.open_round(world, kind="end_term")
    for student in extra:
        helpers.submit(
            helpers.task(round2, Direction.STUDENT_PLACEMENT, reviewer=student.user),
            concern_category="safety",
            concern_text="More",
        )
    for student in extra:
        meetings.meeting_record(student=student, held_on=timezone.localdate(), minutes="m", by=world.users["office"])  # type: ignore[arg-type]
    with CaptureQueriesContext(connection) as large:
        assert office.get(reverse(route)).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
