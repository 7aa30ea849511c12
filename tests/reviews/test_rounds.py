"""Opening rounds from the schedule (once), their tasks, closing, and the versioned, frozen forms."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reviews.models import Direction, Review, ReviewForm, ReviewRound, ReviewSchedule, RoundKind, RoundStatus
from reviews.services import review_submit, rounds
from tests.conftest import World
from tests.reviews import helpers

pytestmark = pytest.mark.django_db


def test_beat_opens_due_rounds_once_and_a_second_run_creates_nothing(world: World) -> None:
    helpers.term(world)
    ReviewSchedule.objects.filter(programme=world.programme).update(yearly_partner_review=False)
    day = datetime.date(2026, 11, 20)  # after the term's midpoint (16 Nov), before the placement's halfway
    first = rounds.rounds_open_due(today=day)
    assert first.rounds == 1 and first.reviews > 0
    again = rounds.rounds_open_due(today=day)
    assert again.rounds == 0 and again.reviews == 0
    assert ReviewRound.objects.filter(kind=RoundKind.MID_TERM).count() == 1


def test_term_round_creates_every_direction_for_every_student(world: World) -> None:
    round_ = helpers.open_round(world)
    directions = sorted(Review.objects.filter(round=round_).values_list("direction", "reviewer__username"))
    assert directions == sorted(
        [
            (Direction.TUTOR_STUDENT, "tutor"),
            (Direction.STUDENT_TUTOR, "student_a"),
            (Direction.SUPERVISOR_STUDENT, "supervisor_a"),
            (Direction.STUDENT_PLACEMENT, "student_a"),
            (Direction.SUPERVISOR_STUDENT, "supervisor_b"),
            (Direction.STUDENT_PLACEMENT, "student_b"),
        ]
    )
    placement_review = helpers.task(round_, Direction.STUDENT_PLACEMENT, reviewer=world.users["student_a"])
    assert placement_review.partner == world.partner_a and placement_review.subject_site == world.site_a


def test_placement_rounds_open_at_halfway_and_end(world: World) -> None:
    helpers.term(world)
    ReviewSchedule.objects.filter(programme=world.programme).update(term_rounds=False, yearly_partner_review=False)
    halfway = world.placement_a.start_date + (world.placement_a.end_date - world.placement_a.start_date) / 2
    rounds.rounds_open_due(today=halfway)
    kinds = set(ReviewRound.objects.values_list("kind", flat=True))
    assert kinds == {RoundKind.PLACEMENT_HALF}
    rounds.rounds_open_due(today=world.placement_a.end_date)
    assert ReviewRound.objects.filter(kind=RoundKind.PLACEMENT_END).count() == 2  # both placements end that day
    round_ = ReviewRound.objects.filter(kind=RoundKind.PLACEMENT_END, placement=world.placement_a).get()
    assert set(round_.reviews.values_list("direction", flat=True)) == {
        Direction.SUPERVISOR_STUDENT,
        Direction.STUDENT_PLACEMENT,
    }


def test_yearly_round_gives_the_office_a_review_of_each_partner(world: World) -> None:
    helpers.term(world)
    ReviewSchedule.objects.filter(programme=world.programme).update(term_rounds=False, placement_rounds=False)
    rounds.rounds_open_due(today=datetime.date(2026, 12, 3))
    round_ = ReviewRound.objects.get(kind=RoundKind.YEARLY)
    reviews = round_.reviews.all()
    assert {r.subject_partner_id for r in reviews} == {world.partner_a.pk, world.partner_b.pk, world.university.pk}
    assert all(r.reviewer_id is None for r in reviews)
    office = world.users["office"]
    assert office is not None
    done = review_submit(review=reviews[0], scores={c.code: 3 for c in reviews[0].form.criteria.all()}, by=office)
    assert done.reviewer == world.users["office"]


def test_rounds_close_after_their_grace_and_closing_is_idempotent(world: World) -> None:
    round_ = helpers.open_round(world)
    assert rounds.rounds_close_due(today=round_.closes_on) == 0
    assert rounds.rounds_close_due(today=round_.closes_on + datetime.timedelta(days=1)) == 1
    assert rounds.rounds_close_due(today=round_.closes_on + datetime.timedelta(days=2)) == 0
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED and round_.closed_at is not None


def test_a_form_in_use_is_frozen_and_a_new_version_serves_later_rounds(world: World) -> None:
    first = helpers.open_round(world)
    form = ReviewForm.objects.get(direction=Direction.STUDENT_PLACEMENT)
    criterion = form.criteria.first()
    assert criterion is not None
    with pytest.raises(ValidationError) as refused:
        rounds.criterion_change(criterion=criterion, label="Changed", by=world.users["office"])  # type: ignore[arg-type]
    assert "form_in_use" in str(refused.value.error_dict["label"][0].code)
    new = rounds.review_form_new_version(form=form, by=world.users["office"])  # type: ignore[arg-type]
    office = world.users["office"]
    assert office is not None
    changed = rounds.criterion_change(criterion=new.criteria.get(code=criterion.code), label="The site", by=office)
    assert changed.label == "The site"
    later = helpers.open_round(world, kind=RoundKind.END_TERM)
    assert helpers.task(later, Direction.STUDENT_PLACEMENT, reviewer=world.users["student_a"]).form == new
    assert helpers.task(first, Direction.STUDENT_PLACEMENT, reviewer=world.users["student_a"]).form == form
    assert form.criteria.get(code=criterion.code).label == criterion.label


def test_only_the_office_changes_forms(world: World) -> None:
    helpers.open_round(world)
    form = ReviewForm.objects.get(direction=Direction.STUDENT_TUTOR)
    with pytest.raises(PermissionDenied):
        rounds.review_form_new_version(form=form, by=world.users["tutor"])  # type: ignore[arg-type]


def test_the_office_edits_only_unused_forms_in_the_admin_and_makes_new_versions(world: World) -> None:
    from django.urls import reverse

    from tests.conftest import client_for

    helpers.open_round(world)
    office = world.users["office"]
    assert office is not None
    office.is_staff = True
    office.save()
    client = client_for(office)
    form = ReviewForm.objects.get(direction=Direction.STUDENT_PLACEMENT)
    frozen = client.get(reverse("admin:reviews_reviewform_change", args=[form.pk])).content.decode()
    assert 'name="criteria-0-label"' not in frozen
    response = client.post(
        reverse("admin:reviews_reviewform_changelist"), {"action": "new_version", "_selected_action": [form.pk]}
    )
    assert response.status_code == 302
    new = ReviewForm.objects.get(direction=Direction.STUDENT_PLACEMENT, version=2)
    editable = client.get(reverse("admin:reviews_reviewform_change", args=[new.pk])).content.decode()
    assert 'name="criteria-0-label"' in editable
    assert (
        client_for(world.users["coordinator_a"]).get(reverse("admin:reviews_reviewform_changelist")).status_code == 302
    )
