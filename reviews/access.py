"""Who may see and do what with review rounds, mutual reviews, concerns and replies, supervision meetings: the
rules, registered with the engine (``partners.access``). A model without registered rules is refused, never
open.

Honesty without fear: a ``Review`` row names its reviewer, so its "view" rule never reaches the person
reviewed by a student. They read results only through ``reviews.selectors.results``, which builds anonymous
aggregates of groups of at least ``ANONYMITY_THRESHOLD`` from rows it reads for them (the selector is the
one place that reads reviews past the scope, and returns no row, name or small group). The office sees
who wrote what. A review *about a student* reaches the student, with the reviewer's name, once its round
has closed.

Besides its own models, reviews adds actions to lower models: "view_reviews" on ``Site`` (its review
history: aggregates), "record_meeting" on ``Student``.
"""

from __future__ import annotations

from django.db.models import Q

from accounts.roles import AnyUser
from partners import access
from partners.access import (
    ALL,
    ANY_ROLE,
    MANAGERS,
    Rule,
    any_of,
    is_office,
    member_partners,
    office_only,
    signed_in,
    user_pk,
    via,
)
from partners.models import Site
from reviews.models import (
    ABOUT_STUDENT,
    Concern,
    ConcernMessage,
    Criterion,
    Direction,
    Meeting,
    MeetingAction,
    Review,
    ReviewForm,
    ReviewRound,
    ReviewSchedule,
    ReviewStatus,
    ReviewTerm,
    RoundStatus,
)
from students.models import Placement, Student


def _review_view(user: AnyUser, path: str) -> Rule:
    """A review with its reviewer's name: the office all; the reviewer their own; a student the reviews
    about them once the round has closed; a partner's coordinators the office's yearly review of their
    partner once closed. Never the person a student reviewed (they get aggregates only)."""
    if is_office(user):
        return ALL
    uid = user_pk(user)
    closed_submitted = Q(round__status=RoundStatus.CLOSED, status=ReviewStatus.SUBMITTED)
    return Rule(
        q=Q(reviewer_id=uid)
        | (Q(subject_student__user_id=uid, direction__in=ABOUT_STUDENT) & closed_submitted)
        | (
            Q(direction=Direction.OFFICE_PARTNER, subject_partner_id__in=member_partners(user, MANAGERS))
            & closed_submitted
        )
    )


def _review_submit(user: AnyUser, path: str) -> Rule:
    """Submitting: the reviewer named on the task; the office's yearly partner reviews, any office member."""
    rule = Rule(q=Q(reviewer_id=user_pk(user)))
    if is_office(user):
        return any_of(rule, Rule(q=Q(direction=Direction.OFFICE_PARTNER, reviewer__isnull=True)))
    return rule


def _round_view(user: AnyUser, path: str) -> Rule:
    """A round: the office all; anyone else the rounds they have a review to write in."""
    if is_office(user):
        return ALL
    return Rule(q=Q(pk__in=Review.objects.filter(reviewer_id=user_pk(user)).values("round_id")))


def _site_view_reviews(user: AnyUser, path: str) -> Rule:
    """A site's review history (aggregates of 3 or more, no names): the office; the partner's people."""
    if is_office(user):
        return ALL
    return via(path, member_partners(user, ANY_ROLE))


def _concern_view(user: AnyUser, path: str) -> Rule:
    """A concern and its thread: the office; who raised it; the person it is addressed to; the concerned
    partner's coordinators (neither of the last two learns who raised it: the pages and API say "a student")."""
    if is_office(user):
        return ALL
    prefix = path.removesuffix("partner")
    uid = user_pk(user)
    return any_of(
        Rule(q=Q(**{f"{prefix}raised_by_id": uid}) | Q(**{f"{prefix}addressed_to_id": uid})),
        via(path, member_partners(user, MANAGERS)),
    )


def _concern_reply(user: AnyUser, path: str) -> Rule:
    """Replying: the person concerned, or the concerned partner's coordinators."""
    return any_of(Rule(q=Q(addressed_to_id=user_pk(user))), via(path, member_partners(user, MANAGERS)))


def _concern_escalate(user: AnyUser, path: str) -> Rule:
    """Taking a concern to the office: who raised it (the service checks the reply is late), or the office."""
    if is_office(user):
        return ALL
    return Rule(q=Q(raised_by_id=user_pk(user)))


def _meeting_people(user: AnyUser, prefix: str) -> Rule:
    """A student's meetings: the office; the student; their tutor and practice co-supervisor; the meeting's
    attendees and its recorder; the supervisors of the student's placements."""
    if is_office(user):
        return ALL
    uid = user_pk(user)
    supervised = Placement.objects.filter(supervisor_id=uid).values("student_id")
    attended = Meeting.objects.filter(attendees__id=uid).values("pk")
    return Rule(
        q=Q(**{f"{prefix}student__user_id": uid})
        | Q(**{f"{prefix}student__tutor_id": uid})
        | Q(**{f"{prefix}student__practice_supervisor_id": uid})
        | Q(**{f"{prefix}student_id__in": supervised})
        | Q(**{f"{prefix}recorded_by_id": uid})
        | Q(**{f"{prefix}pk__in": attended})
    )


def _meeting_view(user: AnyUser, path: str) -> Rule:
    return _meeting_people(user, "")


def _meeting_confirm(user: AnyUser, path: str) -> Rule:
    """Confirming or disputing minutes: the student only."""
    return Rule(q=Q(student__user_id=user_pk(user)))


def _action_view(user: AnyUser, path: str) -> Rule:
    rule = _meeting_people(user, "meeting__")
    return rule if rule.everything else any_of(rule, Rule(q=Q(owner_id=user_pk(user))))


def _action_complete(user: AnyUser, path: str) -> Rule:
    """Marking an agreed action done: its owner."""
    return Rule(q=Q(owner_id=user_pk(user)))


def _student_record_meeting(user: AnyUser, path: str) -> Rule:
    """Recording a meeting with a student: the office, the student's tutor or practice co-supervisor, and
    the supervisors of the student's placements."""
    if is_office(user):
        return ALL
    uid = user_pk(user)
    return Rule(
        q=Q(tutor_id=uid)
        | Q(practice_supervisor_id=uid)
        | Q(pk__in=Placement.objects.filter(supervisor_id=uid).values("student_id"))
    )


access.register(
    Review,
    {"view": _review_view, "submit": _review_submit, "view_identities": office_only},
)
access.register(ReviewRound, {"view": _round_view, "manage": office_only})
access.register(ReviewForm, {"view": signed_in, "change": office_only})
access.register(Criterion, {"view": signed_in, "change": office_only})
access.register(ReviewTerm, {"view": signed_in, "change": office_only})
access.register(ReviewSchedule, {"view": signed_in, "change": office_only})
access.register(
    Concern,
    {"view": _concern_view, "reply": _concern_reply, "escalate": _concern_escalate, "decide": office_only},
)
access.register(ConcernMessage, {"view": _concern_view})
access.register(Meeting, {"view": _meeting_view, "confirm": _meeting_confirm})
access.register(MeetingAction, {"view": _action_view, "complete": _action_complete})
access.register(Site, {"view_reviews": _site_view_reviews})
access.register(Student, {"record_meeting": _student_record_meeting})
