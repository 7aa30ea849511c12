"""Submitting reviews: every criterion scored 1-5, once, while the round is open; a concern raised with it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reviews.models import ConcernCategory, Direction, ReviewAnswer, ReviewStatus
from reviews.services import review_submit
from tests.conftest import World
from tests.reviews import helpers

pytestmark = pytest.mark.django_db


def _code(error: ValidationError) -> str:
    return str(next(iter(error.error_dict.values()))[0].code)


def test_submit_records_every_score_and_refuses_a_second_submission(world: World) -> None:
    round_ = helpers.open_round(world)
    review = helpers.task(round_, Direction.STUDENT_PLACEMENT, reviewer=world.users["student_a"])
    done = helpers.submit(review, score=5, comment="Good site.", may_share=True)
    assert done.status == ReviewStatus.SUBMITTED and done.submitted_at is not None
    assert ReviewAnswer.objects.filter(review=done).count() == review.form.criteria.count()
    with pytest.raises(ValidationError) as refused:
        helpers.submit(review, score=1)
    assert _code(refused.value) == "already_submitted"


@pytest.mark.parametrize(
    ("scores", "rule"),
    [({}, "scores_incomplete"), ({"site": 6}, "score_out_of_range"), ({"site": 0}, "score_out_of_range")],
)
def test_submit_refuses_incomplete_or_out_of_range_scores(world: World, scores: dict[str, int], rule: str) -> None:
    round_ = helpers.open_round(world)
    review = helpers.task(round_, Direction.STUDENT_PLACEMENT, reviewer=world.users["student_a"])
    full = {c.code: 3 for c in review.form.criteria.all()}
    given = {**full, **scores} if scores else {}
    with pytest.raises(ValidationError) as refused:
        review_submit(review=review, scores=given, by=world.users["student_a"])  # type: ignore[arg-type]
    assert _code(refused.value) == rule
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING


def test_submit_refused_once_the_round_closed(world: World) -> None:
    round_ = helpers.open_round(world)
    review = helpers.task(round_, Direction.STUDENT_TUTOR, reviewer=world.users["student_a"])
    helpers.close(round_, world)
    with pytest.raises(ValidationError) as refused:
        helpers.submit(review)
    assert _code(refused.value) == "round_closed"


def test_nobody_but_the_reviewer_submits(world: World) -> None:
    round_ = helpers.open_round(world)
    review = helpers.task(round_, Direction.STUDENT_TUTOR, reviewer=world.users["student_a"])
    for intruder in ("student_b", "tutor", "office", "supervisor_a"):
        with pytest.raises(PermissionDenied):
            review_submit(review=review, scores={}, by=world.users[intruder])  # type: ignore[arg-type]


def test_a_concern_is_raised_with_the_review_all_or_nothing(world: World) -> None:
    round_ = helpers.open_round(world)
    review = helpers.task(round_, Direction.STUDENT_PLACEMENT, reviewer=world.users["student_a"])
    with pytest.raises(ValidationError):
        helpers.submit(review, concern_category=ConcernCategory.SAFETY, concern_text="  ")
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING and not review.concerns.exists()
    helpers.submit(review, concern_category=ConcernCategory.SAFETY, concern_text="No lead aprons in room 3.")
    concern = review.concerns.get()
    assert concern.addressed_to == world.users["supervisor_a"] and concern.partner == world.partner_a
