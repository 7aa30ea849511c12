"""URL arguments and request bodies for the training-plan page routes of the matrix (docs/permissions.md).

Object A is student A (plan routes take the student's pk), its placement at partner A, or its milestone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from students.models import Milestone
from tests.conftest import World

EVIDENCE_NAME = "milestones/matrix-evidence.pdf"


def _student_a(world: World) -> dict[str, Any]:
    return {"pk": world.student_a.pk}


def _placement_a(world: World) -> dict[str, Any]:
    return {"pk": world.placement_a.pk}


def _milestone_a(world: World) -> dict[str, Any]:
    return {"pk": Milestone.objects.get(student=world.student_a).pk}


def _milestone_a_with_evidence(world: World) -> dict[str, Any]:
    """Student A's milestone with an evidence file, so that downloading it has something to answer."""
    if not default_storage.exists(EVIDENCE_NAME):
        default_storage.save(EVIDENCE_NAME, ContentFile(b"%PDF-1.4\n%matrix\n"))
    milestone = Milestone.objects.get(student=world.student_a)
    Milestone.objects.filter(pk=milestone.pk).update(evidence=EVIDENCE_NAME)
    return {"pk": milestone.pk}


def _placement_body(world: World) -> dict[str, Any]:
    supervisor = world.users["supervisor_a"]
    return {
        "partner": world.partner_a.pk,
        "site": world.site_a.pk,
        "supervisor": supervisor.pk if supervisor else None,
        "start_date": "2027-03-01",
        "end_date": "2027-06-30",
    }


ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "students:plan": _student_a,
    "students:plan-pdf": _student_a,
    "students:plan-goals": _student_a,
    "students:placement-create": _student_a,
    "students:plan-submit": _student_a,
    "students:plan-tutor-approve": _student_a,
    "students:plan-approve": _student_a,
    "students:plan-return": _student_a,
    "students:plan-amend": _student_a,
    "students:plan-versions": _student_a,
    "students:placement-edit": _placement_a,
    "students:placement-cancel": _placement_a,
    "students:milestone-done": _milestone_a,
    "students:milestone-waive": _milestone_a,
    "students:milestone-evidence": _milestone_a,
    "students:milestone-evidence-download": _milestone_a_with_evidence,
}

BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "students:plan-goals": lambda w: {"research_direction": "Matrix", "career_intention": "research"},
    "students:placement-create": _placement_body,
    "students:placement-cancel": lambda w: {"reason": "The department closed for renovation."},
    "students:plan-return": lambda w: {"reason": "Add a research placement."},
    "students:plan-amend": lambda w: {"reason": "The enterprise placement moves by a month."},
    "students:milestone-done": lambda w: {"completed_on": "2026-01-15"},
    "students:milestone-waive": lambda w: {"reason": "Recognised from the previous degree."},
}
