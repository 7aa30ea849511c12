"""API filters that name a related row reveal nothing: an id outside the reader's scope and an id that does
not exist get the same answer (200, nothing listed); only a value that is not a whole number is a 400,
naming the filter. Security issue 22: ``?user=999999`` used to be a 400 "Select a valid choice" where an
existing id was a 200."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import World, api_client_for
from tests.factories.programmes import CohortFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

MISSING = 999_999


def _hidden_programme(world: World) -> Any:
    """A programme led by the university that partner B takes no part in (out of coordinator B's scope)."""
    return ProgrammeFactory.create(lead_university=world.university, code="hidden")


def _hidden_cohort(world: World) -> Any:
    return CohortFactory.create(programme=_hidden_programme(world), intake_year=2030)


#: (list, filter, an id that exists but is outside coordinator B's scope)
CASES: list[tuple[str, str, Callable[[World], int]]] = [
    ("/api/v1/memberships/", "user", lambda w: w.users["supervisor_a"].pk),  # type: ignore[union-attr]
    ("/api/v1/memberships/", "partner", lambda w: w.partner_a.pk),
    ("/api/v1/sites/", "partner", lambda w: w.partner_a.pk),
    ("/api/v1/programmes/", "lead_university", lambda w: w.partner_a.pk),
    ("/api/v1/agreements/", "programme", lambda w: _hidden_programme(w).pk),
    ("/api/v1/students/", "programme", lambda w: _hidden_programme(w).pk),
    ("/api/v1/students/", "cohort", lambda w: _hidden_cohort(w).pk),
    ("/api/v1/students/", "tutor", lambda w: w.users["tutor"].pk),  # type: ignore[union-attr]
    ("/api/v1/training-plans/", "student", lambda w: w.student_a.pk),
    ("/api/v1/training-plans/", "programme", lambda w: _hidden_programme(w).pk),
    ("/api/v1/placements/", "student", lambda w: w.student_a.pk),
    ("/api/v1/placements/", "partner", lambda w: w.partner_a.pk),
    ("/api/v1/placements/", "supervisor", lambda w: w.users["supervisor_a"].pk),  # type: ignore[union-attr]
    ("/api/v1/milestones/", "student", lambda w: w.student_a.pk),
    ("/api/v1/practice-logs/", "student", lambda w: w.student_a.pk),
    ("/api/v1/practice-logs/", "placement", lambda w: w.placement_a.pk),
    ("/api/v1/inspections/", "partner", lambda w: w.partner_a.pk),
    ("/api/v1/findings/", "partner", lambda w: w.partner_a.pk),
    ("/api/v1/corrective-actions/", "owner", lambda w: w.users["coordinator_a"].pk),  # type: ignore[union-attr]
    ("/api/v1/inspection-reports/", "inspection", lambda w: MISSING - 1),
    ("/api/v1/courses/", "teaching_partner", lambda w: w.partner_a.pk),
    ("/api/v1/course-offerings/", "programme", lambda w: _hidden_programme(w).pk),
    ("/api/v1/enrolments/", "student", lambda w: w.student_a.pk),
    ("/api/v1/grades/", "student", lambda w: w.student_a.pk),
    ("/api/v1/teachers/", "partner", lambda w: w.partner_a.pk),
]


def _ids(response: Any) -> list[Any]:
    body = response.json()
    return [row["id"] for row in body["results"]] if isinstance(body, dict) and "results" in body else body


@pytest.mark.parametrize(("url", "name", "hidden"), CASES, ids=[f"{u.split('/')[3]}-{n}" for u, n, _ in CASES])
def test_out_of_scope_and_missing_ids_look_the_same(
    url: str, name: str, hidden: Callable[[World], int], world: World
) -> None:
    client = api_client_for(world.users["coordinator_b"])

    out_of_scope = client.get(url, {name: hidden(world)})
    missing = client.get(url, {name: MISSING})

    assert missing.status_code == 200, missing.content
    assert out_of_scope.status_code == 200, out_of_scope.content
    assert _ids(missing) == _ids(out_of_scope) == []


@pytest.mark.parametrize(("url", "name"), sorted({(u, n) for u, n, _ in CASES}))
def test_a_value_that_is_not_an_id_is_a_400_naming_the_filter(url: str, name: str, world: World) -> None:
    response = api_client_for(world.users["coordinator_b"]).get(url, {name: "abc"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [name]


def test_an_id_in_scope_still_filters(world: World) -> None:
    client = api_client_for(world.users["office"])

    response = client.get("/api/v1/memberships/", {"user": world.users["supervisor_a"].pk})  # type: ignore[union-attr]

    assert response.status_code == 200
    assert [row["user"] for row in response.json()["results"]] == [world.users["supervisor_a"].pk]  # type: ignore[union-attr]
    assert _ids(client.get("/api/v1/placements/", {"supervisor": world.users["supervisor_b"].pk})) == [  # type: ignore[union-attr]
        world.placement_b.pk
    ]
