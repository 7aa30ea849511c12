"""Who may see and do what with students and everything hanging off them (registered with ``partners.access``).

Besides its own models, the students app adds to two lower ones: a student reads their own programme
(``Programme`` "view" is widened with ``extend``), and a training plan offers sites and supervisors
(``Site`` and ``Membership`` get a "choose" action).

``path`` is the model's ``access_student_path``: "" for Student itself, else the lookup to its student.
"""

from __future__ import annotations

import datetime

from django.db.models import BigIntegerField, Q, QuerySet
from django.utils import timezone

from accounts.roles import AnyUser
from core.compiled import Compiled
from partners import access
from partners.access import (
    ALL,
    ANY_ROLE,
    MANAGERS,
    Rule,
    any_of,
    granted_partners,
    granted_partners_of,
    is_office,
    is_tutor,
    member_partners,
    member_partners_of,
    office_only,
    user_pk,
    via,
)
from partners.models import Membership, Site
from programmes.models import Participation, Programme
from students.models import (
    Milestone,
    Placement,
    PlacementOverride,
    PlacementStatus,
    PlanEvent,
    PlanVersion,
    Student,
    StudentDestination,
    TrainingPlan,
)


def _student_lookup(path: str, field: str) -> str:
    return field if not path else f"{path}__{field}"


def _student_id_lookup(path: str) -> str:
    return path or "pk"


def _live_placements() -> QuerySet[Placement]:
    return Placement.objects.exclude(status=PlacementStatus.CANCELLED).order_by()


# The student ids a rule reaches through placements, compiled once per process (``core.compiled``): the
# user, today and now are filled in at each use (see ``partners.access.member_partners``).
_SUPERVISED = Compiled(lambda user: _live_placements().filter(supervisor_id=user).values("student_id"), user=int)
_PLACED_HERE = Compiled(
    lambda user, today, now: (
        _live_placements()
        .filter(partner_id__in=member_partners_of(user, MANAGERS, today=today, now=now))
        .values("student_id")
    ),
    user=int,
    today=datetime.date,
    now=datetime.datetime,
)
_INSPECTED = Compiled(
    lambda user, now: (
        _live_placements()
        .filter(partner_id__in=granted_partners_of(user, "view_partner", now=now))
        .values("student_id")
    ),
    user=int,
    now=datetime.datetime,
)
_STUDENT_ID = BigIntegerField()


def _student_view(user: AnyUser, path: str) -> Rule:
    """A student's record, plan and milestones: office; the student; their tutor; their supervisors
    (co-supervisor, or supervisor of one of their placements); coordinators of partners they are placed at;
    an inspector with an unexpired grant on a partner they are placed at (an inspection in progress)."""
    if is_office(user):
        return ALL
    uid = user_pk(user)
    sid = _student_id_lookup(path)
    now = timezone.now()
    supervised = _SUPERVISED.subquery(_STUDENT_ID, user=uid)
    placed_here = _PLACED_HERE.subquery(_STUDENT_ID, user=uid, today=timezone.localdate(), now=now)
    inspected = _INSPECTED.subquery(_STUDENT_ID, user=uid, now=now)
    return Rule(
        q=Q(**{_student_lookup(path, "user_id"): uid})
        | Q(**{_student_lookup(path, "tutor_id"): uid})
        | Q(**{_student_lookup(path, "practice_supervisor_id"): uid})
        | Q(**{f"{sid}__in": supervised})
        | Q(**{f"{sid}__in": placed_here})
        | Q(**{f"{sid}__in": inspected})
    )


def _own_or_tutor(user: AnyUser, path: str) -> Rule:
    """The student themself, or their tutor (plan drafting and submission)."""
    if not path:
        raise ValueError("_own_or_tutor is for models below a student")
    uid = user_pk(user)
    return Rule(q=Q(**{_student_lookup(path, "user_id"): uid}) | Q(**{_student_lookup(path, "tutor_id"): uid}))


def _own_or_tutor_or_office(user: AnyUser, path: str) -> Rule:
    return ALL if is_office(user) else _own_or_tutor(user, path)


def _tutor_of(user: AnyUser, path: str) -> Rule:
    return Rule(q=Q(**{_student_lookup(path, "tutor_id"): user_pk(user)}))


def _tutor_or_office(user: AnyUser, path: str) -> Rule:
    return ALL if is_office(user) else _tutor_of(user, path)


def _placement_view(user: AnyUser, path: str) -> Rule:
    """Placements: office; the student; their tutor and co-supervisor; the placement's supervisor; the
    coordinator of the partner it is at (only placements at that partner); an inspector with an unexpired
    grant on that partner (an inspection in progress)."""
    if is_office(user):
        return ALL
    uid = user_pk(user)
    return Rule(
        q=Q(student__user_id=uid)
        | Q(student__tutor_id=uid)
        | Q(student__practice_supervisor_id=uid)
        | Q(supervisor_id=uid)
        | Q(partner_id__in=member_partners(user, MANAGERS))
        | Q(partner_id__in=granted_partners(user, "view_partner"))
    )


# --- Added to lower models -------------------------------------------------------------------------------


# A student's programme, compiled once per process so that ``Programme``'s widened rule keeps its shape.
_OWN_PROGRAMME = Compiled(lambda user: Student.objects.filter(user_id=user).values("programme_id"), user=int)
_PROGRAMME_ID = BigIntegerField()


def _own_programme(user: AnyUser, path: str) -> Rule:
    """Programmes, widened: a student reads their own programme."""
    return Rule(q=Q(pk__in=_OWN_PROGRAMME.subquery(_PROGRAMME_ID, user=user_pk(user))))


def _plan_choice(user: AnyUser, path: str) -> Rule:
    """Sites and supervisors a plan editor may pick for a placement: office and tutors any; a student
    those of the partners taking part in their programme; a partner's people their own partner's."""
    if is_office(user) or is_tutor(user):
        return ALL
    own_programmes = Student.objects.filter(user__pk=user_pk(user)).values("programme_id")
    taking_part = Participation.objects.filter(programme_id__in=own_programmes).values("partner_id")
    return any_of(via(path, taking_part), via(path, member_partners(user, ANY_ROLE)))


access.register(
    Student,
    {"view": _student_view, "create": office_only, "change": office_only, "record_destination": office_only},
)
# Destinations after graduation: the office records and compares them.
access.register(StudentDestination, {"view": office_only})
access.register(
    TrainingPlan,
    {
        "view": _student_view,
        "edit": _own_or_tutor_or_office,
        "submit": _own_or_tutor,
        "tutor_approve": _tutor_of,
        "approve": office_only,
        "return": _tutor_or_office,
    },
)
access.register(PlanVersion, {"view": _student_view})
access.register(PlanEvent, {"view": _student_view})
# "move": the office re-homes placements at a suspended partner; "log" (hours) is the practice app's.
access.register(Placement, {"view": _placement_view, "move": office_only})
# The office's decisions letting a placement through a partner rule (probation, capacity): the office's record.
access.register(PlacementOverride, {"view": office_only})
access.register(
    Milestone,
    {
        "view": _student_view,
        "decide": _tutor_or_office,
        "waive": office_only,
        "attach_evidence": _own_or_tutor_or_office,
    },
)

access.extend(Programme, "view", _own_programme)
access.register(Site, {"choose": _plan_choice})  # offered as a placement's site in a training plan
access.register(Membership, {"choose": _plan_choice})  # its person offered as a placement's supervisor
