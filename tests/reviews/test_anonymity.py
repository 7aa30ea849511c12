"""Honesty without fear, from every side: the person a student reviewed gets averages of groups of 3 or more
responses, never a name, a row or a smaller group (pages, API, notifications, admin, scorecard); the office
sees who wrote what (the positive control); a student sees reviews about them after the round, with names.

One module-wide set-up per test: round 1 (autumn) has 2 student reviews of site A (held back), round 2 (spring)
adds a third (released: a group of 3 spanning both terms). Student names are distinctive, to be searched for.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from core.models import Notification
from reviews import selectors
from reviews.models import ConcernCategory, Direction, Review
from students.models import Placement
from supervision.services.scorecard import scorecard_of
from tests.conftest import World, api_client_for, client_for
from tests.reviews import helpers

pytestmark = pytest.mark.django_db

SECRET_COMMENT = "the autoclave is broken and nobody cares"
PRIVATE_COMMENT = "my private remark about supervision"


def _students(world: World) -> list:  # type: ignore[type-arg]
    extra = helpers.placed_students(world, 2)
    for i, student in enumerate(extra):
        student.user.full_name = f"Whistle Blower{i}"
        student.user.save()
    world.student_a.user.full_name = "Whistle Blower9"
    world.student_a.user.save()
    return [world.student_a, *extra]


def _autumn(world: World) -> tuple:  # type: ignore[type-arg]
    students = _students(world)
    round_ = helpers.open_round(world)
    reviews = helpers.placement_reviews(round_, world.site_a)
    helpers.submit(reviews[0], score=2, comment=SECRET_COMMENT, may_share=True)
    helpers.submit(reviews[1], score=3, comment=PRIVATE_COMMENT, may_share=False)
    helpers.close(round_, world)
    return students, round_, reviews


def _spring(world: World) -> tuple:  # type: ignore[type-arg]
    spring = helpers.term(world, "2027 spring", helpers.SPRING)
    # One student stays at site A into the spring term.
    Placement.objects.filter(student__user__full_name="Whistle Blower0").update(end_date=datetime.date(2027, 6, 30))
    round_ = helpers.open_round(world, spring)
    reviews = helpers.placement_reviews(round_, world.site_a)
    helpers.submit(reviews[0], score=4)
    helpers.close(round_, world)
    return round_, reviews


def _page(world: World, persona: str, name: str, *args: object) -> str:
    response = client_for(world.users[persona]).get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def test_two_responses_are_held_back_from_the_supervisor_and_three_are_shown(world: World) -> None:
    _autumn(world)
    page = _page(world, "supervisor_a", "reviews:results")
    assert 'data-testid="group"' not in page and 'data-testid="no-group"' in page
    assert SECRET_COMMENT not in page
    _spring(world)
    page = _page(world, "supervisor_a", "reviews:results")
    assert page.count('data-testid="group"') == 1
    assert "2026 autumn + 2027 spring" in page  # the held-back group was carried into the later round
    assert "3 responses" in page and "3.00" in page  # (2 + 3 + 4) / 3
    assert SECRET_COMMENT in page  # ticked "may be shared"
    assert PRIVATE_COMMENT not in page
    assert "Whistle Blower" not in page


def test_the_site_history_and_coordinator_get_aggregates_only(world: World) -> None:
    _autumn(world)
    _spring(world)
    for persona in ("coordinator_a", "supervisor_a", "office"):
        page = _page(world, persona, "reviews:site", world.site_a.pk)
        assert 'data-testid="group"' in page
        assert "Whistle Blower" not in page
        assert PRIVATE_COMMENT not in page
    assert (
        client_for(world.users["coordinator_b"]).get(reverse("reviews:site", args=[world.site_a.pk])).status_code == 404
    )


def test_the_api_gives_the_supervisor_aggregates_and_no_rows(world: World) -> None:
    reviews = _autumn(world)[2]
    client = api_client_for(world.users["supervisor_a"])
    listed = client.get(reverse("api:review-list")).json()
    ids = {row["id"] for row in listed["results"]}
    assert not ids & {r.pk for r in reviews}  # only their own tasks
    assert client.get(reverse("api:review-detail", args=[reviews[0].pk])).status_code == 404
    assert client.get(reverse("api:review-results")).json() == [
        {"label": f"{world.partner_a.name} · {world.site_a.name}", "held_back": True, "groups": []}
    ]
    _spring(world)
    results = client.get(reverse("api:review-results")).json()
    assert results[0]["groups"][0]["count"] == 3
    body = str(results)
    assert "Whistle Blower" not in body and PRIVATE_COMMENT not in body


def test_the_office_sees_who_wrote_what(world: World) -> None:
    """The positive control: the same reviews, with names, for the office (page and API)."""
    _students, autumn, reviews = _autumn(world)
    page = _page(world, "office", "reviews:round", autumn.pk)
    assert "Whistle Blower0" in page and PRIVATE_COMMENT in page
    row = api_client_for(world.users["office"]).get(reverse("api:review-detail", args=[reviews[1].pk])).json()
    assert row["reviewer"] == reviews[1].reviewer.display_name and row["comment"] == PRIVATE_COMMENT


def test_the_round_dashboard_is_the_office_s_alone(world: World) -> None:
    autumn = _autumn(world)[1]
    for persona in ("supervisor_a", "coordinator_a", "tutor", "student_a"):
        response = client_for(world.users[persona]).get(reverse("reviews:round", args=[autumn.pk]))
        assert response.status_code == 404


def test_a_concern_keeps_the_student_anonymous_to_those_concerned(world: World) -> None:
    round_ = helpers.open_round(world)
    world.student_a.user.full_name = "Whistle Blower9"
    world.student_a.user.save()
    review = helpers.task(round_, Direction.STUDENT_PLACEMENT, reviewer=world.users["student_a"])
    helpers.submit(review, concern_category=ConcernCategory.SAFETY, concern_text="No dosimeters.")
    concern = review.concerns.get()
    for persona in ("supervisor_a", "coordinator_a"):
        page = _page(world, persona, "reviews:concern", concern.pk)
        assert "No dosimeters." in page and "Whistle Blower" not in page and "the reviewer" in page
        api = api_client_for(world.users[persona]).get(reverse("api:concern-detail", args=[concern.pk])).json()
        assert api["raised_by"] is None and "Whistle Blower" not in str(api)
    told = Notification.objects.filter(user=world.users["supervisor_a"])
    assert told.exists() and all("Whistle" not in f"{n.subject} {n.params} {n.body}" for n in told)
    office = api_client_for(world.users["office"]).get(reverse("api:concern-detail", args=[concern.pk])).json()
    assert office["raised_by"] == "Whistle Blower9"  # positive control
    assert "Whistle Blower9" in _page(world, "office", "reviews:concern", concern.pk)


def test_the_admin_scopes_reviews_like_the_pages(world: World) -> None:
    """A supervisor who is also staff finds no student review of them in the admin; the office does."""
    reviews = _autumn(world)[2]
    staff = world.users["supervisor_a"]
    staff.is_staff = True  # type: ignore[union-attr]
    staff.save()  # type: ignore[union-attr]
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="reviews"))  # type: ignore[union-attr]
    client = client_for(staff)
    listing = client.get(reverse("admin:reviews_review_changelist")).content.decode()
    assert "Whistle Blower" not in listing
    assert client.get(reverse("admin:reviews_review_change", args=[reviews[0].pk])).status_code in (302, 404)


def test_the_scorecard_shows_internal_reviews_only_as_a_group_of_three(world: World) -> None:
    _autumn(world)
    card = scorecard_of(user=world.users["coordinator_a"], partner=world.partner_a)  # type: ignore[arg-type]
    assert not [s for s in card.sections if s.key == "internal-reviews" and s.context.get("responses")]
    _spring(world)
    page = _page(world, "coordinator_a", "supervision:scorecard", world.partner_a.pk)
    assert 'data-testid="scorecard-internal-reviews"' in page and "3 responses" in page
    assert "Whistle Blower" not in page


def test_a_student_sees_reviews_about_them_after_the_round_closes_with_names(world: World) -> None:
    round_ = helpers.open_round(world)
    about = helpers.task(round_, Direction.TUTOR_STUDENT, subject_student=world.student_a)
    helpers.submit(about, score=4, comment="Steady progress.")
    assert "Steady progress." not in _page(world, "student_a", "reviews:results")
    assert not selectors.feedback_about_student(user=world.users["student_a"]).exists()  # type: ignore[arg-type]
    helpers.close(round_, world)
    page = _page(world, "student_a", "reviews:results")
    assert "Steady progress." in page and world.users["tutor"].display_name in page  # type: ignore[union-attr]
    assert "Steady progress." not in _page(world, "student_b", "reviews:results")


def test_a_tutor_never_reads_their_tutees_reviews_of_others(world: World) -> None:
    round_ = helpers.open_round(world)
    review = helpers.task(round_, Direction.STUDENT_PLACEMENT, reviewer=world.users["student_a"])
    helpers.submit(review, comment="Nobody teaches us anything.")
    helpers.close(round_, world)
    client = api_client_for(world.users["tutor"])
    assert client.get(reverse("api:review-detail", args=[review.pk])).status_code == 404
    assert "Nobody teaches" not in _page(world, "tutor", "reviews:results")
    assert Review.objects.filter(pk=review.pk).exists()


def test_the_exports_name_nobody_to_the_reviewed_and_everybody_to_the_office(world: World) -> None:
    _students, autumn, _reviews = _autumn(world)
    site_url = reverse("reviews:site-export", args=[world.site_a.pk])
    held = client_for(world.users["coordinator_a"]).get(site_url).content.decode("utf-8-sig")
    assert held.strip().count("\n") == 0  # the header only: two responses are held back
    _spring(world)
    for persona in ("coordinator_a", "supervisor_a"):
        body = client_for(world.users[persona]).get(site_url).content.decode("utf-8-sig")
        assert "2026 autumn + 2027 spring,3," in body and SECRET_COMMENT in body
        assert "Whistle Blower" not in body and PRIVATE_COMMENT not in body
    round_url = reverse("reviews:round-export", args=[autumn.pk])
    assert client_for(world.users["supervisor_a"]).get(round_url).status_code == 404
    office = client_for(world.users["office"]).get(round_url).content.decode("utf-8-sig")
    assert "Whistle Blower0" in office and PRIVATE_COMMENT in office  # the positive control
