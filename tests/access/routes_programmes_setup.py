"""URL arguments and request bodies for the programme set-up pages and the placements to move (issue 10;
docs/permissions.md, "Programme set-up, partner status and outcomes").

Object **A** is the world's programme (partners A and B take part), or one of its parts: an objective, an
activity category, its 2026 cohort, partner A's participation. Every body is valid, so the office's
answer is the redirect after saving.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from programmes.models import ActivityCategory, Cohort, Objective, Participation
from tests.conftest import World


def _programme(world: World) -> dict[str, Any]:
    return {"pk": world.programme.pk}


def _objective(world: World) -> dict[str, Any]:
    objective, _ = Objective.objects.get_or_create(
        programme=world.programme, code="M1", defaults={"kind": "practical", "description": "Matrix objective"}
    )
    return {"pk": objective.pk}


def _category(world: World) -> dict[str, Any]:
    category, _ = ActivityCategory.objects.get_or_create(programme=world.programme, code="ct", defaults={"name": "CT"})
    return {"pk": category.pk}


def _cohort(world: World) -> dict[str, Any]:
    return {"pk": Cohort.objects.get(programme=world.programme, intake_year=2026).pk}


def _participation(world: World) -> dict[str, Any]:
    return {"pk": Participation.objects.get(programme=world.programme, partner=world.partner_a).pk}


def _programme_body(world: World) -> dict[str, Any]:
    return {
        "name": "Renamed in the matrix",
        "code": world.programme.code,
        "degree_type": world.programme.degree_type,
        "duration_months": world.programme.duration_months,
        "lead_university": world.university.pk,
        "status": world.programme.status,
    }


def _new_programme_body(world: World) -> dict[str, Any]:
    return _programme_body(world) | {"name": "New in the matrix", "code": "matrix-new"}


def _new_participation(world: World) -> dict[str, Any]:
    from tests.factories.partners import PartnerFactory

    partner = PartnerFactory.create(name="Matrix Institute", short_name="MX-I", kind="research_institute")
    return {"partner": partner.pk, "role": "training", "responsibilities": "Research"}


ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "programmes:edit": _programme,
    "programmes:copy": _programme,
    "programmes:requirements": _programme,
    "programmes:history": _programme,
    "programmes:objective-create": _programme,
    "programmes:category-create": _programme,
    "programmes:cohort-create": _programme,
    "programmes:participation-create": _programme,
    "programmes:objective-edit": _objective,
    "programmes:category-edit": _category,
    "programmes:cohort-edit": _cohort,
    "programmes:participation-edit": _participation,
}

BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "programmes:create": _new_programme_body,
    "programmes:edit": _programme_body,
    "programmes:copy": lambda w: {"name": "Copy in the matrix", "code": "matrix-copy"},
    "programmes:requirements": lambda w: {"project_points": 3, "milestone_proposal": 6},
    "programmes:objective-create": lambda w: {"kind": "research", "code": "R7", "description": "Matrix"},
    "programmes:objective-edit": lambda w: {"kind": "research", "code": "M1", "description": "Changed"},
    "programmes:category-create": lambda w: {"code": "mr", "name": "MR"},
    "programmes:category-edit": lambda w: {"code": "ct", "name": "CT scanning"},
    "programmes:cohort-create": lambda w: {"intake_year": 2027, "name": "Matrix"},
    "programmes:cohort-edit": lambda w: {"name": "Renamed"},
    "programmes:participation-create": _new_participation,
    "programmes:participation-edit": lambda w: {"role": "training", "responsibilities": "Changed"},
}


# --- The API (/api/v1/programmes/...) ---------------------------------------------------------------------


def _with_part(part: Callable[[World], dict[str, Any]]) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"pk": w.programme.pk, "part_pk": part(w)["pk"]}


ARGS.update(
    {
        "api:programme-copy": _programme,
        "api:programme-requirements": _programme,
        "api:programme-objectives": _programme,
        "api:programme-activity-categories": _programme,
        "api:programme-cohorts": _programme,
        "api:programme-participations": _programme,
        "api:programme-objective-detail": _with_part(_objective),
        "api:programme-activity-category-detail": _with_part(_category),
        "api:programme-cohort-detail": _with_part(_cohort),
        "api:programme-participation-detail": _with_part(_participation),
    }
)


def _api_programme(world: World) -> dict[str, Any]:
    return _programme_body(world) | {"name": "API renamed"}


BODIES.update(
    {
        "api:programme-list": lambda w: _new_programme_body(w) | {"code": "api-new"},
        "api:programme-detail": _api_programme,
        "api:programme-copy": lambda w: {"name": "API copy", "code": "api-copy"},
        "api:programme-requirements": lambda w: {"milestones": {"proposal": 6}, "project_points": 2},
        "api:programme-objectives": lambda w: {"kind": "research", "code": "R8", "description": "API"},
        "api:programme-objective-detail": lambda w: {"kind": "research", "code": "M1", "description": "API"},
        "api:programme-activity-categories": lambda w: {"code": "us", "name": "Ultrasound"},
        "api:programme-activity-category-detail": lambda w: {"code": "ct", "name": "CT (API)"},
        "api:programme-cohorts": lambda w: {"intake_year": 2028, "name": "API"},
        "api:programme-cohort-detail": lambda w: {"name": "API"},
        "api:programme-participations": _new_participation,
        "api:programme-participation-detail": lambda w: {"responsibilities": "API"},
    }
)


# --- Outcomes after training ---------------------------------------------------------------------------------


def _graduate_a(world: World) -> dict[str, Any]:
    """Student A, graduated (a destination is recorded at graduation)."""
    from students.models import Student, StudentStatus

    Student.objects.filter(pk=world.student_a.pk).update(status=StudentStatus.GRADUATED)
    return {"pk": world.student_a.pk}


ARGS["students:destination"] = _graduate_a
BODIES["students:destination"] = lambda w: {"kind": "own_venture", "employer": "Imaging start-up"}
