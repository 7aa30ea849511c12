"""URL arguments and request bodies for the curriculum routes of the matrix (docs/permissions.md,
"Curriculum").

Object **A**: course A (taught by partner A); the programme (its curriculum and coverage); offering A at
site A, open for enrolment, taught by supervisor A (a teacher profile at partner A); student A's
submitted grade and enrolment in a second offering at A that supervisor A teaches; supervisor A's teacher
profile; student A's transcript. The withdraw routes withdraw student A from that second offering. Bodies
are valid for the people allowed to act, so allowed means done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from curriculum.models import Course, Enrolment, Grade, Offering, TeacherProfile
from tests.conftest import World
from tests.factories.accounts import UserFactory
from tests.factories.curriculum import (
    CourseFactory,
    EnrolmentFactory,
    GradeFactory,
    OfferingFactory,
    OfferingTeacherFactory,
    TeacherProfileFactory,
)
from tests.factories.programmes import ObjectiveFactory


def _course(world: World) -> Course:
    course = Course.objects.filter(code="MATRIX-A").first()
    return course or CourseFactory.create(code="MATRIX-A", teaching_partner=world.partner_a)


def _teacher(world: World) -> TeacherProfile:
    user = world.users["supervisor_a"]
    profile = TeacherProfile.objects.filter(user=user).first()
    return profile or TeacherProfileFactory.create(user=user, partner=world.partner_a)


def _offering(world: World, term: str = "2026-1") -> Offering:
    offering = Offering.objects.filter(course__code="MATRIX-A", term=term).first()
    if offering is None:
        offering = OfferingFactory.create(
            course=_course(world), programme=world.programme, site=world.site_a, term=term
        )
        OfferingTeacherFactory.create(offering=offering, teacher=_teacher(world), assigned_by=world.users["office"])
    return offering


def _enrolment(world: World) -> Enrolment:
    offering = _offering(world, "2025-2")
    enrolment = Enrolment.objects.filter(offering=offering, student=world.student_a).first()
    return enrolment or EnrolmentFactory.create(offering=offering, student=world.student_a)


def _grade(world: World) -> Grade:
    enrolment = _enrolment(world)
    grade = Grade.objects.filter(enrolment=enrolment).first()
    return grade or GradeFactory.create(enrolment=enrolment, entered_by=world.users["supervisor_a"])


def _other_teacher(world: World) -> TeacherProfile:
    """A second teacher at partner A (A's coordinator may assign A's teachers, and sees only those)."""
    user = world.users["coordinator_a"]
    profile = TeacherProfile.objects.filter(user=user).first()
    return profile or TeacherProfileFactory.create(user=user, partner=world.partner_a)


ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "curriculum:course-detail": lambda w: {"pk": _course(w).pk},
    "curriculum:course-edit": lambda w: {"pk": _course(w).pk},
    "curriculum:course-link": lambda w: {"pk": _course(w).pk},
    "curriculum:course-objective": lambda w: {"pk": _course(w).pk},
    "curriculum:curriculum": lambda w: {"pk": w.programme.pk},
    "curriculum:coverage": lambda w: {"pk": w.programme.pk},
    "curriculum:coverage-export": lambda w: {"pk": w.programme.pk},
    "curriculum:offering-detail": lambda w: {"pk": _offering(w).pk},
    "curriculum:enrol": lambda w: {"pk": _offering(w).pk},
    "curriculum:offering-teacher": lambda w: {"pk": _offering(w).pk},
    "curriculum:grade-sheet": lambda w: {"pk": _offering(w).pk},
    "curriculum:grade-upload": lambda w: {"pk": _offering(w).pk},
    "curriculum:grade-correct": lambda w: {"pk": _grade(w).pk},
    "curriculum:teacher-detail": lambda w: {"pk": _teacher(w).pk},
    "curriculum:teacher-edit": lambda w: {"pk": _teacher(w).pk},
    "curriculum:withdraw": lambda w: {"pk": _enrolment(w).pk},
    "curriculum:transcript": lambda w: {"pk": w.student_a.pk},
    "curriculum:transcript-pdf": lambda w: {"pk": w.student_a.pk},
    "api:course-detail": lambda w: {"pk": _course(w).pk},
    "api:course-offering-detail": lambda w: {"pk": _offering(w).pk},
    "api:enrolment-detail": lambda w: {"pk": _enrolment(w).pk},
    "api:enrolment-withdraw": lambda w: {"pk": _enrolment(w).pk},
    "api:grade-detail": lambda w: {"pk": _grade(w).pk},
    "api:teacher-detail": lambda w: {"pk": _teacher(w).pk},
}


def _link_body(world: World) -> dict[str, Any]:
    other = CourseFactory.create(teaching_partner=world.partner_b)
    return {"kind": "prerequisite", "other": other.pk, "note": ""}


def _bulk_body(world: World) -> dict[str, Any]:
    offering = _offering(world)
    enrolment = Enrolment.objects.filter(offering=offering, student=world.student_b).first()
    enrolment = enrolment or EnrolmentFactory.create(offering=offering, student=world.student_b)
    return {"grades": [{"enrolment": enrolment.pk, "percentage": "72", "idempotency_key": "matrix-1"}]}


BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "curriculum:course-link": _link_body,
    "curriculum:course-objective": lambda w: {
        "objective": ObjectiveFactory.create(programme=w.programme).pk,
        "level": "3",
    },
    "curriculum:enrol": lambda w: {"student_number": w.student_b.student_number},
    "curriculum:offering-teacher": lambda w: {"teacher": _other_teacher(w).pk, "hours": "8"},
    "api:enrolment-list": lambda w: {"offering": _offering(w).pk},
    "api:enrolment-withdraw": lambda w: {"reason": "A timetable clash with the hospital rota."},
    "curriculum:withdraw": lambda w: {"reason": "A timetable clash with the hospital rota."},
    "curriculum:teacher-create": lambda w: {"user": UserFactory.create().pk, "partner": w.partner_a.pk},
    "curriculum:teacher-edit": lambda w: {"partner": w.partner_a.pk, "position": "Lecturer", "research_fields": "CT"},
    "api:grade-bulk": _bulk_body,
}
