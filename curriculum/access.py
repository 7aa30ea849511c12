"""Who may see and do what with courses, offerings, enrolments, grades and teachers' qualifications: the rules,
registered with the engine (``partners.access``). A model without registered rules is refused, never open.

- The catalogue (courses, their links and objective coverage, programmes' curricula) is read by everyone
  signed in; the office edits it, a partner's coordinators edit the courses their partner teaches.
- Offerings: the office all; a partner's coordinators those at their partner's sites; their teachers; the
  students of the offering's programme (to enrol); a tutor those their tutees are enrolled in.
- Enrolments, withdrawals and grades: the office; the student; their tutor; the offering's teachers; the
  coordinators of the offering's partner. A student withdraws themself; the office withdraws anyone.
  Grades are entered by the offering's teachers; corrected by them or the office.
- Teachers: the office; the coordinators of the teacher's partner; the teacher themself (who also edit the
  profile). The office makes teachers and moves them to another partner.

Added to lower models: ``Programme`` gets ``view_curriculum`` (everyone signed in) and ``manage_curriculum``
(office); ``Student`` gets ``view_transcript`` (office, the student, their tutor).
"""

from __future__ import annotations

from django.db.models import BigIntegerField, Q

from accounts.roles import AnyUser
from core.compiled import Compiled, CompiledSubquery
from curriculum.models import (
    Course,
    CourseLink,
    CourseObjective,
    CurriculumEntry,
    Enrolment,
    EnrolmentWithdrawal,
    Grade,
    GradeCorrection,
    Offering,
    OfferingTeacher,
    PlacementObjective,
    QualificationRule,
    TeacherExperience,
    TeacherProfile,
    TeacherTraining,
)
from partners import access
from partners.access import (
    ALL,
    MANAGERS,
    Rule,
    RuleFn,
    is_office,
    member_partners,
    office_only,
    signed_in,
    user_pk,
    via,
)
from programmes.models import Programme
from students.models import Student


def _managed_by_partner(user: AnyUser, path: str) -> Rule:
    """The office everything; a partner's coordinators the rows at their partner (``path``)."""
    if is_office(user):
        return ALL
    return via(path, member_partners(user, MANAGERS))


# The offerings a user teaches, compiled once per process (``core.compiled``) with the user filled in at each
# use: a rule holding it keeps its shape, so the engine compiles the rule's UNION once for every user
# (``partners.access.compiled_rows``) instead of on every call (the plan page's credits, issue #19).
_TAUGHT = Compiled(lambda user: OfferingTeacher.objects.filter(teacher__user_id=user).values("offering_id"), user=int)
_OFFERING_ID = BigIntegerField()


def _taught(user: AnyUser) -> CompiledSubquery:
    """Subquery: the ids of the offerings the user teaches."""
    return _TAUGHT.subquery(_OFFERING_ID, user=user_pk(user))


def _taught_by(user: AnyUser) -> Q:
    """Offerings the user teaches (a subquery: never multiplies rows)."""
    return Q(pk__in=_taught(user))


def _offering_view(user: AnyUser, path: str) -> Rule:
    """Offerings: office; coordinators of the site's partner; its teachers; students of its programme;
    a tutor those their tutees are enrolled in."""
    if is_office(user):
        return ALL
    uid = user_pk(user)
    own_programmes = Student.objects.filter(user_id=uid).values("programme_id")
    tutees = Enrolment.objects.filter(student__tutor_id=uid).values("offering_id")
    return Rule(
        q=Q(site__partner_id__in=member_partners(user, MANAGERS))
        | _taught_by(user)
        | Q(programme_id__in=own_programmes)
        | Q(pk__in=tutees)
    )


def _offering_teach(user: AnyUser, path: str) -> Rule:
    """Entering grades: the offering's teachers."""
    return Rule(q=_taught_by(user))


def _offering_enrol(user: AnyUser, path: str) -> Rule:
    """Enrolling: the office (anyone of the programme); a student in an offering of their own programme."""
    if is_office(user):
        return ALL
    return Rule(q=Q(programme_id__in=Student.objects.filter(user_id=user_pk(user)).values("programme_id")))


def _records_view(offering: str) -> RuleFn:
    """Enrolments, grades and corrections (``offering`` is the lookup prefix to the offering)."""

    def rule(user: AnyUser, path: str) -> Rule:
        if is_office(user):
            return ALL
        uid = user_pk(user)
        student = offering.replace("offering__", "student__")
        taught = _taught(user)
        return Rule(
            q=Q(**{f"{student}user_id": uid})
            | Q(**{f"{student}tutor_id": uid})
            | Q(**{f"{offering}id__in": taught})
            | Q(**{f"{offering}site__partner_id__in": member_partners(user, MANAGERS)})
        )

    return rule


_enrolment_view = _records_view("offering__")
_grade_view = _records_view("enrolment__offering__")
_correction_view = _records_view("grade__enrolment__offering__")
_withdrawal_view = _records_view("enrolment__offering__")


def _enrolment_withdraw(user: AnyUser, path: str) -> Rule:
    """Withdrawing from an offering: the student themself; the office anyone (teachers, tutors and
    coordinators see the enrolment but do not withdraw it)."""
    if is_office(user):
        return ALL
    return Rule(q=Q(student__user_id=user_pk(user)))


def _grade_enter(user: AnyUser, path: str) -> Rule:
    """A grade is entered (and submitted) by the teachers of its offering."""
    return Rule(q=Q(enrolment__offering_id__in=_taught(user)))


def _grade_correct(user: AnyUser, path: str) -> Rule:
    """A submitted grade is corrected by the teachers of its offering, or the office."""
    return ALL if is_office(user) else _grade_enter(user, path)


def _teacher_view(user: AnyUser, path: str) -> Rule:
    """Teachers: office; coordinators of the teacher's partner; the teacher themself."""
    if is_office(user):
        return ALL
    user_field = "user_id" if path == "partner" else "teacher__user_id"
    return Rule(q=Q(**{f"{path}_id__in": member_partners(user, MANAGERS)}) | Q(**{user_field: user_pk(user)}))


def _transcript_view(user: AnyUser, path: str) -> Rule:
    """A student's transcript: office; the student; their tutor."""
    if is_office(user):
        return ALL
    uid = user_pk(user)
    return Rule(q=Q(user_id=uid) | Q(tutor_id=uid))


access.register(
    Course,
    {"view": signed_in, "create": office_only, "change": _managed_by_partner},
)
access.register(CourseLink, {"view": signed_in})
access.register(CourseObjective, {"view": signed_in})
access.register(PlacementObjective, {"view": office_only})
access.register(CurriculumEntry, {"view": signed_in})
access.register(QualificationRule, {"view": office_only, "change": office_only})
access.register(
    TeacherProfile,
    {"view": _teacher_view, "change": _teacher_view, "create": office_only, "view_faculty": office_only},
)
access.register(TeacherTraining, {"view": _teacher_view})
access.register(TeacherExperience, {"view": _teacher_view})
access.register(
    Offering,
    {
        "view": _offering_view,
        "create": office_only,
        "change": _managed_by_partner,  # its schedule, and assigning teachers
        "override": office_only,  # an unqualified teacher on an I&E or integrated course
        "grade": _offering_teach,
        "enrol": _offering_enrol,
    },
)
access.register(OfferingTeacher, {"view": _managed_by_partner})
access.register(Enrolment, {"view": _enrolment_view, "withdraw": _enrolment_withdraw})
access.register(EnrolmentWithdrawal, {"view": _withdrawal_view})
access.register(Grade, {"view": _grade_view, "enter": _grade_enter, "correct": _grade_correct})
access.register(GradeCorrection, {"view": _correction_view})
access.register(Programme, {"view_curriculum": signed_in, "manage_curriculum": office_only})
access.register(Student, {"view_transcript": _transcript_view})
