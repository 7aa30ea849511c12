"""The projects API: scoped lists (other partner: 404 and absent), verifying an output (office 200, a
reader 403, others 404, twice refused by rule), the points ledger by person, in the schema, and constant
query counts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import services
from projects.models import PointAward
from tests.conftest import World, api_client_for
from tests.projects.helpers import output, project, user

pytestmark = pytest.mark.django_db


def test_project_list_is_scoped_and_other_partner_gets_404(world: World) -> None:
    at_a = project(world)
    at_b = project(world, lead="b", leader="supervisor_b")
    rows = api_client_for(user(world, "coordinator_a")).get("/api/v1/projects/").json()["results"]
    assert [row["id"] for row in rows] == [at_a.pk] or {row["id"] for row in rows} == {at_a.pk}
    assert api_client_for(user(world, "coordinator_a")).get(f"/api/v1/projects/{at_b.pk}/").status_code == 404
    detail = api_client_for(user(world, "supervisor_a")).get(f"/api/v1/projects/{at_a.pk}/").json()
    assert detail["scale"] == "small" and detail["status"] == "running" and detail["partners"] == [world.partner_a.pk]


def test_verify_through_the_api_awards_points_once(world: World) -> None:
    made = project(world)
    paper = output(world, made, by="supervisor_a")
    url = f"/api/v1/project-outputs/{paper.pk}/verify/"
    assert api_client_for(user(world, "supervisor_a")).post(url, {}, format="json").status_code == 403
    assert api_client_for(user(world, "coordinator_b")).post(url, {}, format="json").status_code == 404
    response = api_client_for(user(world, "office")).post(url, {"note": "DOI checked."}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "verified"
    again = api_client_for(user(world, "office")).post(url, {}, format="json")
    assert again.status_code == 400 and again.json()["error"]["code"] == "already_decided"
    assert PointAward.objects.filter(output=paper).count() == 1


def test_reject_needs_a_note(world: World) -> None:
    paper = output(world, project(world))
    url = f"/api/v1/project-outputs/{paper.pk}/reject/"
    refused = api_client_for(user(world, "office")).post(url, {}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "reason_required"


def test_points_ledger_by_person_as_each_reader_sees_it(world: World) -> None:
    made = project(world)
    services.project_member_add(project=made, user=user(world, "student_a"), role="core", by=user(world, "office"))
    services.project_conclude(project=made, by=user(world, "office"), on=datetime.date(2026, 6, 30))
    student_a = user(world, "student_a")
    query = f"/api/v1/points/?person={student_a.pk}"
    own = api_client_for(student_a).get(query).json()["results"]
    assert [(row["points"], row["scheme_version"], row["year"]) for row in own] == [("2.00", 1, 2026)]
    assert len(api_client_for(user(world, "tutor")).get(query).json()["results"]) == 1
    assert len(api_client_for(user(world, "coordinator_a")).get(query).json()["results"]) == 1
    assert api_client_for(user(world, "coordinator_b")).get(query).json()["results"] == []
    assert api_client_for(user(world, "student_b")).get(query).json()["results"] == []


def test_schema_lists_the_projects_endpoints(world: World) -> None:
    schema = api_client_for(user(world, "office")).get("/api/schema/").content.decode()
    for path in ("/api/v1/projects/", "/api/v1/project-outputs/{id}/verify/", "/api/v1/points/"):
        assert path in schema


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_lists_cost_the_same_at_two_sizes(world: World) -> None:
    office = api_client_for(user(world, "office"))
    urls = ["/api/v1/projects/", "/api/v1/project-outputs/", "/api/v1/points/"]

    def grow() -> None:
        made = project(world, status="concluded")
        output(world, made)

    grow()
    first = [_count(office, url) for url in urls]
    for _ in range(3):
        grow()
    assert [_count(office, url) for url in urls] == first


def test_office_reverses_an_award_with_a_reason_and_the_total_drops(world: World) -> None:
    made = project(world, status="concluded")
    award = PointAward.objects.get(project=made)
    url = f"/api/v1/points/{award.pk}/reverse/"
    assert api_client_for(user(world, "supervisor_a")).post(url, {"reason": "x"}, format="json").status_code == 403
    assert api_client_for(user(world, "coordinator_b")).post(url, {"reason": "x"}, format="json").status_code == 404
    done = api_client_for(user(world, "office")).post(url, {"reason": "Counted twice."}, format="json")
    assert done.status_code == 201 and done.json()["points"] == "-3.00" and done.json()["reverses"] == award.pk
    again = api_client_for(user(world, "office")).post(url, {"reason": "Again."}, format="json")
    assert again.status_code == 400 and again.json()["error"]["code"] == "already_reversed"
