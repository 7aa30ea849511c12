"""Demo internal supervision, built through the services as people would:

* the programme's review schedule (at least 2 supervision meetings a term) and two terms: last term (ended
  about two months ago) and this term;
* a **closed** end-of-term round of last term: three students reviewed the hospital placement (site of
  ``sup-hospital``: the aggregate shows, and its low average weighs in the spot draw) and one student reviewed
  the enterprise placement (too few: held back); the tutor's reviews of their students are visible to them;
* an **open** mid-term round of this term, with reviews to do for ``student``, ``tutor`` and ``sup-hospital``;
* a concern about the enterprise placement waiting for ``sup-enterprise``'s reply;
* a supervision meeting whose minutes wait for ``student``'s confirmation, with an action for ``student``.

Idempotent: rounds are opened by their unique key, reviews submitted only while pending, the meeting looked up
by its student and date.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import User
from core.demo import DemoLogin, demo_user
from partners.models import Partner, Site
from programmes.demo import PROGRAMME_CODE
from programmes.models import Programme
from reviews.models import (
    ConcernCategory,
    Direction,
    Meeting,
    Review,
    ReviewSchedule,
    ReviewStatus,
    ReviewTerm,
    RoundKind,
)
from reviews.services import meetings, review_submit, rounds
from reviews.services.meetings import AgreedAction
from students import services as students
from students.models import Student

DEMO_LOGINS = (
    DemoLogin("student3", "Ma Jun 马骏", "student (hospital placement last term)"),
    DemoLogin("student4", "Gao Yan 高燕", "student (hospital placement last term)"),
    DemoLogin("student5", "Lin Hui 林慧", "student (enterprise placement last term)"),
)

#: Scores given in the closed round: the hospital's three reviews average below 2.5 (a draw risk factor).
HOSPITAL_SCORES = {"student": 2, "student3": 2, "student4": 3}
HOSPITAL_COMMENTS = {
    "student": ("Busy department; the supervisor had little time for us.", True),
    "student3": ("Lead aprons were often missing in the CT room.", True),
    "student4": ("I would like more hands-on time.", False),
}


def _extra_student(office: User, login: DemoLogin, number: str, programme: Programme, partner: str) -> Student:
    user = demo_user(login)
    student = Student.objects.filter(user=user).first()
    today = timezone.localdate()
    if student is None:
        enrolled_on = datetime.date(today.year - 1, 9, 1)
        student = students.student_create(
            by=office,
            user=user,
            student_number=number,
            programme=programme,
            cohort=students.cohort_for(programme, enrolled_on.year),
            enrolled_on=enrolled_on,
            tutor=User.objects.get(username="tutor"),
        )
    if not student.placements.exists():
        site = Site.objects.filter(partner__short_name=partner).order_by("pk").first()
        supervisor = "sup-hospital" if partner == "AH" else "sup-enterprise"
        students.placement_create(
            plan=student.plan,
            by=user,
            partner=Partner.objects.get(short_name=partner),
            site=site,  # type: ignore[arg-type]
            supervisor=User.objects.get(username=supervisor),
            start_date=today - datetime.timedelta(days=200),
            end_date=today - datetime.timedelta(days=70),
        )
    return student


def _scores(review: Review, score: int) -> dict[str, int]:
    return {c.code: score for c in review.form.criteria.all()}


def _submit(review: Review | None, score: int, comment: str = "", may_share: bool = False, **concern: str) -> None:
    if review is None or review.status != ReviewStatus.PENDING or review.reviewer is None:
        return
    review_submit(
        review=review,
        scores=_scores(review, score),
        comment=comment,
        may_share=may_share,
        by=review.reviewer,
        **concern,
    )


def seed() -> None:
    today = timezone.localdate()
    office = User.objects.get(username="office")
    programme = Programme.objects.get(code=PROGRAMME_CODE)
    ReviewSchedule.objects.get_or_create(programme=programme, defaults={"min_meetings_per_term": 2})
    last, _c = ReviewTerm.objects.get_or_create(
        programme=programme,
        name="Last term",
        defaults={"start_date": today - datetime.timedelta(days=210), "end_date": today - datetime.timedelta(days=65)},
    )
    this, _c = ReviewTerm.objects.get_or_create(
        programme=programme,
        name="This term",
        defaults={"start_date": today - datetime.timedelta(days=64), "end_date": today + datetime.timedelta(days=90)},
    )
    for login, number, partner in zip(
        DEMO_LOGINS, ("2025MI003", "2025MI004", "2025MI005"), ("AH", "AH", "IMG-E"), strict=True
    ):
        _extra_student(office, login, number, programme, partner)

    # Last term's end-of-term round: submitted, then closed.
    closed, _created = rounds.review_round_open(
        programme=programme,
        key=f"term:{last.pk}:{RoundKind.END_TERM}",
        kind=RoundKind.END_TERM,
        opens_on=last.end_date,
        title=f"{last.name} · {RoundKind.END_TERM.label}",
        term=last,
    )
    placement_reviews = Review.objects.filter(round=closed, direction=Direction.STUDENT_PLACEMENT).select_related(
        "reviewer", "partner"
    )
    for review in placement_reviews:
        name = review.reviewer.username if review.reviewer else ""
        if review.partner.short_name == "AH" and name in HOSPITAL_SCORES:
            comment, share = HOSPITAL_COMMENTS[name]
            _submit(review, HOSPITAL_SCORES[name], comment, share)
        elif review.partner.short_name == "IMG-E" and name == "student5":
            _submit(
                review,
                3,
                "Interesting projects, but I was often alone in the lab.",
                True,
                concern_category=ConcernCategory.SUPERVISION,
                concern_text="Nobody supervised the evening test runs on the prototype scanner.",
            )
    for review in Review.objects.filter(round=closed, direction=Direction.TUTOR_STUDENT).select_related("reviewer"):
        _submit(review, 4, "Good progress on the reconstruction project; write up the methods chapter.")
    if not closed.is_closed:
        rounds.review_round_close(round=closed, by=office)

    # This term's mid-term round: open, with reviews to do.
    rounds.review_round_open(
        programme=programme,
        key=f"term:{this.pk}:{RoundKind.MID_TERM}",
        kind=RoundKind.MID_TERM,
        opens_on=today - datetime.timedelta(days=3),
        title=f"{this.name} · {RoundKind.MID_TERM.label}",
        term=this,
    )

    # A meeting whose minutes wait for the student's confirmation.
    student = Student.objects.get(user__username="student")
    held_on = today - datetime.timedelta(days=2)
    if not Meeting.objects.filter(student=student, held_on=held_on).exists():
        tutor, sup = User.objects.get(username="tutor"), User.objects.get(username="sup-hospital")
        meetings.meeting_record(
            student=student,
            held_on=held_on,
            minutes="Reviewed the hospital placement and planned the enterprise project. Agreed to focus on "
            "low-dose CT reconstruction for the thesis proposal.",
            attendees=[tutor, sup],
            actions=[
                AgreedAction(
                    "Send the draft thesis proposal to the tutor", student.user, today + datetime.timedelta(days=5)
                ),
                AgreedAction("Arrange access to the CT raw-data archive", sup, today + datetime.timedelta(days=10)),
            ],
            by=tutor,
        )
