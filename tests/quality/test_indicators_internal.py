"""The internal supervision section of the quality report, against a small world with known answers: review
completion, scores by criterion and partner, concerns (their state on the report's day, read from their
threads) and reply times, and supervision meetings against the programme's minimum per term."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from partners.models import Partner
from programmes.models import Cohort, Programme
from quality.figures import Frame, Section, section_to_json
from quality.indicators import internal
from reviews.models import (
    Concern,
    ConcernMessage,
    ConcernStatus,
    Direction,
    Meeting,
    MessageKind,
    MinutesStatus,
    Review,
    ReviewAnswer,
    ReviewRound,
    ReviewSchedule,
    ReviewStatus,
    ReviewTerm,
    RoundKind,
)
from reviews.services.rounds import current_form
from students.models import Student, StudentStatus
from tests.factories.accounts import UserFactory
from tests.factories.partners import PartnerFactory
from tests.factories.programmes import CohortFactory, ProgrammeFactory
from tests.factories.students import StudentFactory
from tests.quality.module_db import built_once


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


D = datetime.date


@dataclass
class Built:
    programme: Programme
    cohort_2025: Cohort
    round: ReviewRound
    hospital: Partner
    s1: Student
    office: User


def make_round(programme: Programme, due: datetime.date) -> ReviewRound:
    return ReviewRound.objects.create(
        programme=programme,
        key=f"test:{programme.pk}:{due}",
        kind=RoundKind.MID_TERM,
        title=f"Round due {due}",
        opens_on=due - datetime.timedelta(days=14),
        due_on=due,
        closes_on=due + datetime.timedelta(days=7),
    )


def review(
    round_: ReviewRound,
    direction: str,
    reviewer: User,
    partner: Partner,
    scores: tuple[int, ...] = (),
    submitted: datetime.date | None = None,
    **subject: Any,
) -> Review:
    form = current_form(direction)
    made = Review.objects.create(
        round=round_,
        direction=direction,
        form=form,
        reviewer=reviewer,
        partner=partner,
        task_key=f"{direction}:{reviewer.pk}:{Review.objects.count()}",
        due_on=round_.due_on,
        status=ReviewStatus.SUBMITTED if submitted else ReviewStatus.PENDING,
        submitted_at=at(submitted) if submitted else None,
        **subject,
    )
    for criterion, score in zip(form.criteria.order_by("order"), scores, strict=False):
        ReviewAnswer.objects.create(review=made, criterion=criterion, score=score)
    return made


def concern(
    on: Review, raised: datetime.datetime, thread: tuple[tuple[str, datetime.datetime], ...], status: str
) -> Concern:
    assert on.reviewer is not None
    made = Concern.objects.create(
        review=on,
        category="supervision",
        raised_by=on.reviewer,
        partner=on.partner,
        status=status,
        reply_due_on=raised.date() + datetime.timedelta(days=14),
        created_at=raised,
    )
    ConcernMessage.objects.create(concern=made, kind=MessageKind.RAISED, author=on.reviewer, text="x", at=raised)
    for kind, moment in thread:
        ConcernMessage.objects.create(concern=made, kind=kind, author=on.reviewer, text="y", at=moment)
    return made


def build() -> Built:
    university = PartnerFactory.create(name="University U")
    hospital = PartnerFactory.create(name="Hospital H")
    programme = ProgrammeFactory.create(lead_university=university, first_intake_year=2024, duration_months=36)
    other = ProgrammeFactory.create(lead_university=university)
    ReviewSchedule.objects.create(programme=programme, min_meetings_per_term=2)
    for name, start, end in (
        ("2025 autumn", D(2025, 9, 1), D(2026, 1, 31)),
        ("2026 spring", D(2026, 2, 1), D(2026, 7, 31)),
        ("2026 autumn", D(2026, 9, 1), D(2027, 1, 31)),
    ):
        ReviewTerm.objects.create(programme=programme, name=name, start_date=start, end_date=end)
    cohort_2025 = CohortFactory.create(programme=programme, intake_year=2025)
    cohort_2026 = CohortFactory.create(programme=programme, intake_year=2026)
    s1, s2 = (
        StudentFactory.create(programme=programme, cohort=cohort_2025, enrolled_on=D(2025, 9, 1)) for _ in range(2)
    )
    s3 = StudentFactory.create(programme=programme, cohort=cohort_2026, enrolled_on=D(2026, 9, 1))
    s4 = StudentFactory.create(
        programme=programme, cohort=cohort_2025, enrolled_on=D(2025, 9, 1), status=StudentStatus.WITHDRAWN
    )
    q1 = StudentFactory.create(programme=other)
    tutor, office = UserFactory.create(), UserFactory.create()

    r1, r2, r0 = (
        make_round(programme, D(2026, 3, 15)),
        make_round(programme, D(2026, 6, 30)),
        make_round(programme, D(2025, 11, 30)),
    )
    rq = make_round(other, D(2026, 6, 30))
    a = review(r1, Direction.TUTOR_STUDENT, tutor, university, (4, 3, 5), D(2026, 3, 10), subject_student=s1)
    b = review(r1, Direction.STUDENT_PLACEMENT, s1.user, hospital, (2, 3, 4, 5), D(2026, 3, 20), author_student=s1)
    review(r1, Direction.STUDENT_PLACEMENT, s3.user, hospital, author_student=s3)
    d = review(
        r2,
        Direction.STUDENT_TUTOR,
        s2.user,
        university,
        (4, 4, 5),
        D(2026, 6, 1),
        author_student=s2,
        subject_user=tutor,
    )
    e = review(r2, Direction.OFFICE_PARTNER, office, hospital, (3, 3, 3), D(2026, 6, 20), subject_partner=hospital)
    review(r2, Direction.TUTOR_STUDENT, tutor, university, subject_student=s3)
    g = review(r0, Direction.TUTOR_STUDENT, tutor, university, (1, 1, 1), D(2025, 11, 20), subject_student=s1)
    review(rq, Direction.TUTOR_STUDENT, tutor, university, (5, 5, 5), D(2026, 6, 1), subject_student=q1)
    del a

    concern(
        b,
        at(D(2026, 3, 21)),
        ((MessageKind.REPLY, at(D(2026, 3, 23))), (MessageKind.RESOLVED, at(D(2026, 4, 10)))),
        ConcernStatus.RESOLVED,
    )
    concern(d, at(D(2026, 6, 2)), ((MessageKind.ESCALATED, at(D(2026, 6, 17))),), ConcernStatus.ESCALATED)
    # Replied in the year, referred only after it: "replied" on the report's day.
    concern(
        e,
        at(D(2026, 6, 21)),
        ((MessageKind.REPLY, at(D(2026, 7, 1))), (MessageKind.REFERRED, at(D(2027, 1, 5)))),
        ConcernStatus.REFERRED,
    )
    concern(g, at(D(2025, 11, 25)), ((MessageKind.REPLY, at(D(2025, 11, 29))),), ConcernStatus.REPLIED)

    def meeting(student: Student, day: datetime.date, confirmed: datetime.date | None = None) -> None:
        Meeting.objects.create(
            student=student,
            held_on=day,
            minutes="Minutes.",
            recorded_by=tutor,
            minutes_status=MinutesStatus.CONFIRMED if confirmed else MinutesStatus.AWAITING,
            answered_at=at(confirmed) if confirmed else None,
        )

    meeting(s1, D(2025, 10, 1))
    meeting(s1, D(2025, 12, 1))
    meeting(s2, D(2025, 11, 1))
    meeting(s1, D(2026, 3, 1), confirmed=D(2026, 3, 2))
    meeting(s1, D(2026, 5, 1), confirmed=D(2026, 5, 3))
    meeting(s2, D(2026, 4, 1))
    meeting(s2, D(2026, 6, 1))
    meeting(s3, D(2026, 10, 1), confirmed=D(2027, 1, 3))
    meeting(q1, D(2026, 5, 1))
    del s4
    return Built(programme, cohort_2025, r1, hospital, s1, office)


@pytest.fixture(scope="module")
def built(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Built]:
    yield from built_once(django_db_blocker, build)


def values(section: Section) -> dict[str, Any]:
    return {f.key: f.value for f in section.figures}


def frame(built: Built, **extra: Any) -> Frame:
    return Frame(programme_id=built.programme.pk, year=2026, **extra)


def test_review_completion_and_scores(built: Built, db: None) -> None:
    section = internal.section(frame(built))
    figures = values(section)
    assert section.key == "internal"
    # Six reviews due in 2026 (two pending); one submitted after its due day; the other programme's left out.
    assert figures["internal.reviews_due"] == 6
    assert figures["internal.reviews_submitted"] == 4
    assert figures["internal.review_completion"] == round(4 / 6, 4)
    assert figures["internal.reviews_on_time"] == 0.5
    assert section.figure("internal.review_completion").people == 5  # type: ignore[union-attr]
    completion = section.table("internal.completion_by_direction")
    assert completion is not None
    assert {r.key: (r.values, r.people[0]) for r in completion.rows} == {
        Direction.TUTOR_STUDENT: ([0.5, 1, 2], 1),
        Direction.STUDENT_TUTOR: ([1.0, 1, 1], 1),
        Direction.STUDENT_PLACEMENT: ([0.5, 1, 2], 2),
        Direction.OFFICE_PARTNER: ([1.0, 1, 1], 1),
    }
    assert completion.rows[0].translate and completion.rows[0].label == "Tutor reviews student"

    assert figures["internal.mean_score"] == round(48 / 13, 2)
    assert figures["internal.mean_score_partners"] == 3.6
    criteria = section.table("internal.scores_by_criterion")
    assert criteria is not None
    assert [(r.label, r.values[0]) for r in criteria.rows] == [
        ("Progress against the plan", 4.0),
        ("Theoretical grounding", 3.0),
        ("Initiative and independence", 5.0),
        ("Availability and responsiveness", 4.0),
        ("Quality of guidance", 4.0),
        ("Respectful communication", 5.0),
        ("The site: equipment and working conditions", 2.0),
        ("Supervision at the placement", 3.0),
        ("Learning opportunities", 4.0),
        ("Safety", 5.0),
        ("Feasibility: resources and arrangements", 3.0),
        ("Quality of the training given", 3.0),
        ("Results: what students achieved", 3.0),
    ]
    assert criteria.rows[0].people == [1, 1] and not criteria.rows[0].translate
    partners = section.table("internal.scores_by_partner")
    assert partners is not None
    # all, placements, tutors, the office's review
    assert [(r.label, r.values, r.people) for r in partners.rows] == [
        ("Hospital H", [round(23 / 7, 2), 3.5, None, 3.0], [2, 1, 0, 1]),
        ("University U", [round(13 / 3, 2), None, round(13 / 3, 2), None], [1, 0, 1, 0]),
    ]


def test_concerns_and_reply_times(built: Built, db: None) -> None:
    section = internal.section(frame(built))
    figures = values(section)
    assert figures["internal.concerns_raised"] == 3
    assert figures["internal.concerns_closed"] == 1
    assert figures["internal.concerns_open"] == 2
    assert figures["internal.concern_reply_days"] == 6.0  # the median of 2 and 10 days
    assert figures["internal.concerns_replied_on_time"] == round(2 / 3, 4)
    table = section.table("internal.concerns_by_status")
    assert table is not None
    assert {r.key: r.values[0] for r in table.rows} == {
        "awaiting_reply": 0,
        "replied": 1,
        "escalated": 1,
        "resolved": 1,
        "referred": 0,
        "violation": 0,
    }
    # In the middle of the year: the first concern was replied to, not yet resolved.
    midyear = values(internal.section(frame(built, as_of=D(2026, 4, 1))))
    assert midyear["internal.concerns_raised"] == 1
    assert midyear["internal.concerns_closed"] == 0
    assert midyear["internal.concern_reply_days"] == 2.0
    assert midyear["internal.reviews_due"] == 3


def test_meetings_against_the_minimum(built: Built, db: None) -> None:
    section = internal.section(frame(built))
    figures = values(section)
    assert figures["internal.meetings_held"] == 5
    assert figures["internal.students_met"] == 3
    assert figures["internal.minutes_confirmed"] == 0.4  # the third confirmation came after the year
    assert figures["internal.meetings_minimum"] == 2
    # 2025 autumn: s1 (2 meetings) met it, s2 (1) did not; 2026 spring: both. The withdrawn student and s3
    # (enrolled after the terms) are not counted; the 2026 autumn term has not ended.
    assert figures["internal.meetings_requirement_met"] == 0.75
    terms = section.table("internal.meetings_by_term")
    assert terms is not None
    assert [(r.label, r.values, r.people) for r in terms.rows] == [
        ("2025 autumn", [0.5, 1, 2], [2, 2, 2]),
        ("2026 spring", [1.0, 2, 2], [2, 2, 2]),
    ]


def test_cohort_and_previous_year(built: Built, db: None) -> None:
    cohort = values(internal.section(frame(built, cohort_id=built.cohort_2025.pk)))
    assert cohort["internal.reviews_due"] == 3
    assert cohort["internal.reviews_submitted"] == 3
    assert cohort["internal.concerns_raised"] == 2  # the office's concern is about no student
    assert cohort["internal.concern_reply_days"] == 2.0
    assert cohort["internal.meetings_held"] == 4
    previous = values(internal.section(frame(built).previous()))
    assert previous["internal.reviews_due"] == 1
    assert previous["internal.review_completion"] == 1.0
    assert previous["internal.mean_score"] == 1.0
    assert previous["internal.concern_reply_days"] == 4.0
    assert previous["internal.meetings_held"] == 3
    assert previous["internal.meetings_requirement_met"] is None  # no term ended in 2025


def test_queries_do_not_grow_with_the_data(built: Built, db: None) -> None:
    with CaptureQueriesContext(connection) as small:
        internal.section(frame(built))
    for _ in range(4):
        student = StudentFactory.create(programme=built.programme, cohort=built.cohort_2025, enrolled_on=D(2025, 9, 1))
        made = review(
            built.round,
            Direction.STUDENT_PLACEMENT,
            student.user,
            built.hospital,
            (5, 5, 5, 5),
            D(2026, 3, 1),
            author_student=student,
        )
        concern(made, at(D(2026, 3, 2)), ((MessageKind.REPLY, at(D(2026, 3, 3))),), ConcernStatus.REPLIED)
        Meeting.objects.create(student=student, held_on=D(2026, 3, 5), minutes="m", recorded_by=built.office)
    with CaptureQueriesContext(connection) as large:
        section = internal.section(frame(built))
    assert values(section)["internal.concerns_raised"] == 7
    assert len(small) == len(large) <= 15
    # What a report freezes: plain JSON (no Decimal, no lazy string).
    assert json.loads(json.dumps(section_to_json(section)))["key"] == section.key


def test_a_programme_with_nothing_yet(db: None) -> None:
    programme = ProgrammeFactory.create()
    section = internal.section(Frame(programme_id=programme.pk, year=2026))
    assert section.figures and all(f.value in (0, None) for f in section.figures)
    assert all(not t.rows or all(v in (0, None) for r in t.rows for v in r.values) for t in section.tables)
