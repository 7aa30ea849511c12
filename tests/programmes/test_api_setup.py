"""The office sets up next year's programme through the API, as on the pages; refusals name their rule;
everyone else is refused (403 when they see the programme, 404 when they do not)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from programmes.models import Cohort, Participation, Programme, RequirementsVersion
from tests.conftest import World, api_client_for
from tests.factories.programmes import ProgrammeFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/programmes/"


def _u(world: World, persona: str) -> User:
    user = world.users[persona]
    assert user is not None
    return user


def _ok(response: Any, code: int = 200) -> dict[str, Any]:
    assert response.status_code == code, response.content
    return response.json()  # type: ignore[no-any-return]


def test_office_sets_up_next_years_programme_and_cohort_through_the_api(world: World) -> None:
    client = api_client_for(_u(world, "office"))
    copy = _ok(
        client.post(
            f"{BASE}{world.programme.pk}/copy/",
            {"name": "MIT 2028", "code": "mit-2028", "first_intake_year": 2028},
            format="json",
        ),
        201,
    )
    pk = copy["id"]
    assert copy["status"] == "draft"
    _ok(
        client.post(f"{BASE}{pk}/objectives/", {"kind": "practical", "code": "P1", "description": "CT"}, format="json"),
        201,
    )
    category = _ok(client.post(f"{BASE}{pk}/activity-categories/", {"code": "ct", "name": "CT"}, format="json"), 201)
    requirements = _ok(
        client.put(
            f"{BASE}{pk}/requirements/",
            {
                "credits": {"professional_core": "12"},
                "hours": {"ct": 240},
                "milestones": {"proposal": 6},
                "project_points": 4,
                "summary": "2028 requirements",
            },
            format="json",
        )
    )
    assert requirements["hours"] == {"ct": 240} and requirements["version"] >= 2
    cohort = _ok(client.post(f"{BASE}{pk}/cohorts/", {"intake_year": 2028, "name": "2028"}, format="json"), 201)
    _ok(client.patch(f"{BASE}{pk}/cohorts/{cohort['id']}/", {"name": "Class of 2028"}, format="json"))
    updated = _ok(client.patch(f"{BASE}{pk}/", {"status": "active"}, format="json"))

    assert updated["status"] == "active"
    assert Cohort.objects.get(programme_id=pk).name == "Class of 2028"
    assert updated["activity_categories"][0]["id"] == category["id"]
    assert RequirementsVersion.objects.filter(programme_id=pk).count() >= 2


def test_hours_for_a_category_the_programme_lacks_are_refused_naming_the_rule(world: World) -> None:
    response = api_client_for(_u(world, "office")).put(
        f"{BASE}{world.programme.pk}/requirements/", {"hours": {"nope": 10}}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "category_not_in_programme"
    assert "hours" in error["fields"]


def test_cohort_outside_the_intake_years_is_refused(world: World) -> None:
    client = api_client_for(_u(world, "office"))
    _ok(
        client.patch(
            f"{BASE}{world.programme.pk}/", {"first_intake_year": 2026, "last_intake_year": 2027}, format="json"
        )
    )
    response = client.post(f"{BASE}{world.programme.pk}/cohorts/", {"intake_year": 2029}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "cohort_outside_programme"


def test_office_creates_a_programme_and_its_lead_takes_part(world: World) -> None:
    body = {
        "name": "New",
        "code": "new-1",
        "degree_type": "academic",
        "duration_months": 24,
        "lead_university": world.university.pk,
    }
    created = _ok(api_client_for(_u(world, "office")).post(BASE, body, format="json"), 201)
    assert Participation.objects.get(programme_id=created["id"]).partner == world.university
    assert Programme.objects.get(pk=created["id"]).history.first().history_user == _u(world, "office")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("persona", "code"),
    [("coordinator_a", 403), ("tutor", 403), ("student_a", 403), ("inspector", 404), ("counsellor", 404)],
)
def test_only_the_office_writes(persona: str, code: int, world: World) -> None:
    client = api_client_for(_u(world, persona))
    assert client.patch(f"{BASE}{world.programme.pk}/", {"name": "x"}, format="json").status_code == code
    assert client.post(f"{BASE}{world.programme.pk}/cohorts/", {"intake_year": 2027}, format="json").status_code == code
    assert not Cohort.objects.filter(intake_year=2027).exists()


def test_programme_list_query_count_does_not_grow(world: World) -> None:
    client = api_client_for(_u(world, "office"))
    client.get(BASE)  # warm up what a first request reads once (the user's roles)
    with CaptureQueriesContext(connection) as small:
        client.get(BASE)
    for _ in range(4):
        ProgrammeFactory.create(lead_university=world.university)
    with CaptureQueriesContext(connection) as large:
        client.get(BASE)
    assert len(large) == len(small)


def test_requirements_never_set_answer_a_null_version_the_schema_allows(world: World) -> None:
    """A programme made without requirements (no version yet) answers ``version: null``; the schema says so
    (schemathesis found the schema claiming an integer)."""
    from drf_spectacular.generators import SchemaGenerator

    bare = ProgrammeFactory.create(lead_university=world.university, code="bare")
    assert not RequirementsVersion.objects.filter(programme=bare).exists()

    body = _ok(api_client_for(_u(world, "office")).get(f"{BASE}{bare.pk}/requirements/"))

    assert body["version"] is None
    schema = SchemaGenerator().get_schema(request=None, public=True)
    version = schema["components"]["schemas"]["Requirements"]["properties"]["version"]
    assert version["type"] == "integer" and version["nullable"] is True
