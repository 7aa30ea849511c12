"""URL arguments and request bodies for the internal supervision routes of the matrix (docs/permissions.md,
"Internal supervision"), built through the real services (``tests/reviews/helpers.py``).

Object **A**: a mid-term round of the world's programme (tasks for every student); student A's pending review
of their placement at partner A (``review``, ``submit``); a concern student A raised in that review, addressed
to supervisor A (``concern*``); site A (``site``); a meeting of student A recorded by the tutor with supervisor A
attending, with an action owned by student A (``meeting*``, ``action-done``); student A (``meeting-add``); the
programme's review schedule and its autumn term (``schedule``, ``term-*``).
Bodies are valid for the people allowed, so allowed means done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from reviews.models import Concern, ConcernCategory, Direction, Meeting, Review, ReviewSchedule, ReviewStatus
from reviews.services import meetings
from reviews.services.meetings import AgreedAction
from tests.conftest import World
from tests.factories.programmes import ProgrammeFactory
from tests.reviews import helpers


def review_a(world: World) -> Review:
    round_ = helpers.open_round(world)
    return helpers.task(round_, Direction.STUDENT_PLACEMENT, reviewer=world.users["student_a"])


def concern_a(world: World) -> Concern:
    review = review_a(world)
    if review.status == ReviewStatus.PENDING:
        helpers.submit(review, concern_category=ConcernCategory.SAFETY, concern_text="No lead aprons.")
    return review.concerns.get()


def meeting_a(world: World) -> Meeting:
    existing = Meeting.objects.filter(student=world.student_a).first()
    if existing:
        return existing
    return meetings.meeting_record(
        student=world.student_a,
        held_on=timezone.localdate(),
        minutes="Discussed the placement.",
        attendees=[world.users["tutor"], world.users["supervisor_a"]],  # type: ignore[list-item]
        actions=[AgreedAction("Read the protocol", world.users["student_a"], timezone.localdate())],  # type: ignore[arg-type]
        by=world.users["tutor"],  # type: ignore[arg-type]
    )


def schedule_a(world: World) -> ReviewSchedule:
    """The programme's schedule, with its autumn term (``helpers.term``)."""
    helpers.term(world)
    return ReviewSchedule.objects.get(programme=world.programme)


def _schedule_body(world: World) -> dict[str, Any]:
    return {
        "term_rounds": "on",
        "yearly_review_month": "12",
        "window_days": "14",
        "grace_days": "7",
        "remind_days_before": "3",
        "min_meetings_per_term": "1",
        "low_score_threshold": "2.50",
    }


def _scores(world: World) -> dict[str, Any]:
    review = review_a(world)
    return {f"score_{c.code}": "4" for c in review.form.criteria.all()}


ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "reviews:review": lambda w: {"pk": review_a(w).pk},
    "reviews:site": lambda w: {"pk": w.site_a.pk},
    "reviews:site-export": lambda w: {"pk": w.site_a.pk},
    "reviews:round-export": lambda w: {"pk": review_a(w).round_id},
    "reviews:round": lambda w: {"pk": review_a(w).round_id},
    "reviews:round-close": lambda w: {"pk": review_a(w).round_id},
    "reviews:concern": lambda w: {"pk": concern_a(w).pk},
    "reviews:concern-reply": lambda w: {"pk": concern_a(w).pk},
    "reviews:concern-escalate": lambda w: {"pk": concern_a(w).pk},
    "reviews:concern-decide": lambda w: {"pk": concern_a(w).pk},
    "reviews:meeting": lambda w: {"pk": meeting_a(w).pk},
    "reviews:meeting-answer": lambda w: {"pk": meeting_a(w).pk},
    "reviews:meeting-add": lambda w: {"pk": w.student_a.pk},
    "reviews:action-done": lambda w: {"pk": meeting_a(w).actions.get().pk},
    "reviews:schedule": lambda w: {"pk": schedule_a(w).pk},
    "reviews:term-add": lambda w: {"pk": schedule_a(w).pk},
    "reviews:term-edit": lambda w: {"pk": helpers.term(w).pk},
    "api:review-round-detail": lambda w: {"pk": review_a(w).round_id},
    "api:review-round-close": lambda w: {"pk": review_a(w).round_id},
    "api:review-detail": lambda w: {"pk": review_a(w).pk},
    "api:review-submit": lambda w: {"pk": review_a(w).pk},
    "api:concern-detail": lambda w: {"pk": concern_a(w).pk},
    "api:concern-reply": lambda w: {"pk": concern_a(w).pk},
    "api:concern-escalate": lambda w: {"pk": concern_a(w).pk},
    "api:concern-decide": lambda w: {"pk": concern_a(w).pk},
    "api:meeting-detail": lambda w: {"pk": meeting_a(w).pk},
    "api:meeting-confirm": lambda w: {"pk": meeting_a(w).pk},
    "api:meeting-dispute": lambda w: {"pk": meeting_a(w).pk},
}

BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "reviews:review": _scores,
    "reviews:concern-reply": lambda w: {"text": "We ordered new aprons."},
    "reviews:concern-escalate": lambda w: {"text": "Please look at it."},
    "reviews:concern-decide": lambda w: {"outcome": "resolved", "note": "Aprons delivered."},
    "reviews:meeting-answer": lambda w: {"answer": "confirm"},
    "reviews:schedule-add": lambda w: {**_schedule_body(w), "programme": ProgrammeFactory.create().pk},
    "reviews:schedule": _schedule_body,
    "reviews:term-add": lambda w: {"name": "Matrix term", "start_date": "2031-02-01", "end_date": "2031-07-31"},
    "reviews:term-edit": lambda w: {"name": "2026 autumn", "start_date": "2026-09-01", "end_date": "2027-01-31"},
    "reviews:meeting-add": lambda w: {"held_on": timezone.localdate().isoformat(), "minutes": "Talked."},
    "api:review-submit": lambda w: {"scores": {k.removeprefix("score_"): 4 for k in _scores(w)}},
    "api:concern-reply": lambda w: {"text": "We ordered new aprons."},
    "api:concern-escalate": lambda w: {"text": "Please look at it."},
    "api:concern-decide": lambda w: {"outcome": "resolved", "note": "Aprons delivered."},
    "api:meeting-list": lambda w: {
        "student": w.student_a.pk,
        "held_on": timezone.localdate().isoformat(),
        "minutes": "Talked.",
    },
    "api:meeting-confirm": lambda w: {"comment": ""},
    "api:meeting-dispute": lambda w: {"comment": "Not what we agreed."},
}
