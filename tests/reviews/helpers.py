"""Building review states through the real services, for the reviews tests and the access matrix."""

from __future__ import annotations

import datetime
from typing import Any

from accounts.models import User
from partners.models import MembershipRole, Site
from reviews.models import Direction, Review, ReviewRound, ReviewStatus, ReviewTerm, RoundKind
from reviews.services import review_submit, rounds
from students.models import Student
from tests.conftest import World
from tests.factories.accounts import UserFactory
from tests.factories.partners import MembershipFactory
from tests.factories.reviews import ReviewScheduleFactory, ReviewTermFactory
from tests.factories.students import PlacementFactory, StudentFactory

AUTUMN = (datetime.date(2026, 9, 1), datetime.date(2027, 1, 31))
SPRING = (datetime.date(2027, 2, 1), datetime.date(2027, 7, 31))


def term(world: World, name: str = "2026 autumn", dates: tuple[datetime.date, datetime.date] = AUTUMN) -> ReviewTerm:
    ReviewScheduleFactory.create(programme=world.programme)
    existing = ReviewTerm.objects.filter(programme=world.programme, name=name).first()
    return existing or ReviewTermFactory.create(
        programme=world.programme, name=name, start_date=dates[0], end_date=dates[1]
    )


def open_round(world: World, the_term: ReviewTerm | None = None, kind: str = RoundKind.MID_TERM) -> ReviewRound:
    """A term round (opened through the service, with every task of the programme's students)."""
    the_term = the_term or term(world)
    round_, _created = rounds.review_round_open(
        programme=world.programme,
        key=f"term:{the_term.pk}:{kind}",
        kind=kind,
        opens_on=the_term.midpoint if kind == RoundKind.MID_TERM else the_term.end_date,
        title=f"{the_term.name} {kind}",
        term=the_term,
    )
    return round_


def close(round_: ReviewRound, world: World) -> ReviewRound:
    return rounds.review_round_close(round=round_, by=world.users["office"])  # type: ignore[arg-type]


def placed_students(
    world: World, count: int, site: Site | None = None, supervisor: User | None = None
) -> list[Student]:
    """More students of the programme placed at ``site`` (site A) under ``supervisor`` (supervisor A)."""
    site = site or world.site_a
    supervisor = supervisor or world.users["supervisor_a"]  # type: ignore[assignment]
    made = []
    for _i in range(count):
        student = StudentFactory.create(programme=world.programme, cohort=world.student_a.cohort)
        PlacementFactory.create(student=student, partner=site.partner, site=site, supervisor=supervisor)
        made.append(student)
    return made


def task(round_: ReviewRound, direction: str, **lookup: Any) -> Review:
    return Review.objects.get(round=round_, direction=direction, **lookup)


def submit(review: Review, score: int = 4, comment: str = "", may_share: bool = False, **extra: Any) -> Review:
    scores = {c.code: score for c in review.form.criteria.all()}
    reviewer = review.reviewer
    return review_submit(review=review, scores=scores, comment=comment, may_share=may_share, by=reviewer, **extra)  # type: ignore[arg-type]


def placement_reviews(round_: ReviewRound, site: Site) -> list[Review]:
    return list(
        Review.objects.filter(
            round=round_, direction=Direction.STUDENT_PLACEMENT, subject_site=site, status=ReviewStatus.PENDING
        ).order_by("pk")
    )


def extra_supervisor(world: World, name: str = "supervisor_a2") -> User:
    user = UserFactory.create(username=name)
    MembershipFactory.create(user=user, partner=world.partner_a, role=MembershipRole.SUPERVISOR)
    return user
