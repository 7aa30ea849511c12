"""URL arguments and request bodies for the programme, student and plan API routes and the notification
pages of the matrix (docs/permissions.md, "Programmes, students and plans (API), notifications").

Object **A** is the world's programme, its agreement, student A, student A's plan, placement or milestone,
or a notification of student A. A workflow action needs its plan at the step it acts on, so those
arguments first put plan A there (the world's plans are drafts): the matrix then shows who may take the
step, not only who is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.models import Notification
from programmes.models import Agreement
from students.models import Milestone, PlanStatus, TrainingPlan
from tests.conftest import World


def _plan_a(world: World) -> TrainingPlan:
    return TrainingPlan.objects.get(student=world.student_a)


def _plan_a_at(status: str) -> Callable[[World], dict[str, Any]]:
    def args(world: World) -> dict[str, Any]:
        plan = _plan_a(world)
        TrainingPlan.objects.filter(pk=plan.pk).update(
            status=status, approved_version=plan.version if status == PlanStatus.APPROVED else None
        )
        return {"pk": plan.pk}

    return args


def _milestone_a(world: World) -> dict[str, Any]:
    return {"pk": Milestone.objects.get(student=world.student_a).pk}


def _notification_of_student_a(world: World) -> dict[str, Any]:
    notification = Notification.objects.create(
        user=world.users["student_a"],  # type: ignore[misc]
        kind="test",
        subject="Your training plan was returned",
        link="/",
    )
    return {"pk": notification.pk}


def _new_student(world: World) -> dict[str, Any]:
    cohort = world.student_a.cohort
    return {
        "username": "matrix-student",
        "full_name": "Matrix Student",
        "email": "matrix-student@example.org",
        "student_number": "M2026001",
        "programme": world.programme.pk,
        "cohort": cohort.pk,
        "enrolled_on": "2026-09-01",
    }


def _new_agreement(world: World) -> dict[str, Any]:
    return {
        "programme": world.programme.pk,
        "title": "Matrix annex",
        "start_date": "2026-01-01",
        "end_date": "2028-12-31",
        "status": "signed",
        "parties": [{"partner": world.partner_a.pk, "obligations": "Host two students a year."}],
    }


def _placement_for_student_a(world: World) -> dict[str, Any]:
    supervisor = world.users["supervisor_a"]
    return {
        "student": world.student_a.pk,
        "partner": world.partner_a.pk,
        "site": world.site_a.pk,
        "supervisor": supervisor.pk if supervisor else None,
        "start_date": "2027-02-01",
        "end_date": "2027-05-31",
    }


ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "api:programme-detail": lambda w: {"pk": w.programme.pk},
    "api:agreement-detail": lambda w: {"pk": Agreement.objects.get(programme=w.programme).pk},
    "api:student-detail": lambda w: {"pk": w.student_a.pk},
    "api:training-plan-detail": lambda w: {"pk": _plan_a(w).pk},
    "api:training-plan-submit": lambda w: {"pk": _plan_a(w).pk},
    "api:training-plan-approve": _plan_a_at(PlanStatus.SUBMITTED),
    "api:training-plan-return": _plan_a_at(PlanStatus.SUBMITTED),
    "api:training-plan-amend": _plan_a_at(PlanStatus.APPROVED),
    "api:placement-detail": lambda w: {"pk": w.placement_a.pk},
    "api:placement-cancel": lambda w: {"pk": w.placement_a.pk},
    "api:milestone-detail": _milestone_a,
    "api:milestone-complete": _milestone_a,
    "api:milestone-waive": _milestone_a,
    "core:notification-read": _notification_of_student_a,
}

BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "api:agreement-list": _new_agreement,
    "api:agreement-detail": lambda w: {"reference": "MX-2026-01"},
    "api:student-list": _new_student,
    "api:student-detail": lambda w: {"research_direction": "Low-dose CT reconstruction"},
    "api:training-plan-return": lambda w: {"reason": "Add a placement at the research institute."},
    "api:training-plan-amend": lambda w: {"reason": "The enterprise placement moves to spring."},
    "api:placement-list": _placement_for_student_a,
    "api:placement-detail": lambda w: {"notes": "Bring the dosimeter."},
    "api:placement-cancel": lambda w: {"reason": "The department closes for renovation."},
    "api:milestone-waive": lambda w: {"reason": "Recognised from a previous degree."},
}
