"""The supervision API tells nobody which ids exist beyond what they may see.

A planned spot inspection is a secret from the target partner's people (docs/permissions.md), and the
people of other partners are nobody's business: naming such an id, in a filter or in a request body, must
answer exactly what naming an id that was never used answers. Each test compares the two answers whole
(status and body), so any difference at all (a 200 against a 400, one message against another) fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Max
from django.urls import reverse

from accounts.models import User
from accounts.roles import PlatformRole, grant_platform_role
from supervision.models import CorrectiveAction, Finding, Inspection, InspectionReport, Severity
from tests.access.routes_supervision_api import ready_report
from tests.conftest import World, api_client_for
from tests.factories.accounts import UserFactory
from tests.supervision import helpers

pytestmark = pytest.mark.django_db

FINDINGS = reverse("api:finding-list")
ACTIONS = reverse("api:corrective-action-list")
REPORTS = reverse("api:inspection-report-list")


def _unused_inspection_id() -> int:
    return int(Inspection.objects.aggregate(top=Max("pk"))["top"] or 0) + 1000


def _unused_user_id() -> int:
    return int(User.objects.aggregate(top=Max("pk"))["top"] or 0) + 1000


def _answer(response: Any, *ids: int) -> tuple[int, str]:
    """Status and body, with the id the request named blanked out (DRF echoes it in "Invalid pk")."""
    body = response.content.decode()
    for pk in ids:
        body = body.replace(f'\\"{pk}\\"', '\\"N\\"').replace(f'"{pk}"', '"N"')
    return response.status_code, body


def _other_inspector() -> User:
    """An inspector assigned to nothing: a planned inspection is as hidden from them as from a partner."""
    user = UserFactory.create(username="inspector_unassigned")
    grant_platform_role(user, PlatformRole.INSPECTOR)
    return user


def _world_with_everything(world: World) -> Inspection:
    """Started, closed (with a report) and planned inspections of partner A, so every list has rows for
    coordinator A; returns the planned one."""
    started = helpers.start(world)
    helpers.add_finding(world, started, Severity.MAJOR)
    ready_report(helpers.closed(world))
    return helpers.plan(world, scope="Unannounced visit")


# --- Filters -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [FINDINGS, ACTIONS, REPORTS])
@pytest.mark.parametrize("persona", ["coordinator_a", "supervisor_a", "coordinator_b", "other_inspector"])
def test_filtering_on_a_hidden_inspection_answers_as_on_an_unused_id(world: World, url: str, persona: str) -> None:
    planned = _world_with_everything(world)
    user = _other_inspector() if persona == "other_inspector" else helpers.user(world, persona)
    client = api_client_for(user)
    hidden = client.get(url, {"inspection": planned.pk})
    unused = client.get(url, {"inspection": _unused_inspection_id()})
    assert hidden.status_code == 200, hidden.content
    assert (hidden.status_code, hidden.content) == (unused.status_code, unused.content)
    assert hidden.json()["count"] == 0


@pytest.mark.parametrize("url", [FINDINGS, ACTIONS, REPORTS])
def test_the_inspection_filter_still_filters(world: World, url: str) -> None:
    first = helpers.closed(world)
    second = helpers.closed(world)
    ready_report(first)
    ready_report(second)
    client = api_client_for(helpers.user(world, "coordinator_a"))
    rows = client.get(url, {"inspection": first.pk}).json()["results"]
    assert rows
    inspection_of: dict[str, Callable[[int], int]] = {
        FINDINGS: lambda pk: Finding.objects.get(pk=pk).inspection_id,
        ACTIONS: lambda pk: CorrectiveAction.objects.get(pk=pk).finding.inspection_id,
        REPORTS: lambda pk: InspectionReport.objects.get(pk=pk).inspection_id,
    }
    assert {inspection_of[url](row["id"]) for row in rows} == {first.pk}
    assert client.get(url, {"inspection": "abc"}).status_code == 400


def test_filtering_actions_by_a_stranger_answers_as_by_an_unused_id(world: World) -> None:
    helpers.add_finding(world, helpers.start(world), Severity.MAJOR)
    client = api_client_for(helpers.user(world, "coordinator_b"))
    stranger = client.get(ACTIONS, {"owner": helpers.user(world, "coordinator_a").pk})
    unused = client.get(ACTIONS, {"owner": _unused_user_id()})
    assert (stranger.status_code, stranger.content) == (unused.status_code, unused.content)
    assert stranger.json()["count"] == 0


def test_the_owner_filter_still_filters(world: World) -> None:
    action = CorrectiveAction.objects.get(finding=helpers.add_finding(world, helpers.start(world), Severity.MAJOR))
    client = api_client_for(helpers.user(world, "coordinator_a"))
    ids = {row["id"] for row in client.get(ACTIONS, {"owner": action.owner_id}).json()["results"]}
    assert ids == {action.pk}
    assert client.get(ACTIONS, {"owner": helpers.user(world, "office").pk}).json()["count"] == 0


# --- Request bodies ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator_a", "supervisor_a", "other_inspector"])
def test_a_finding_on_a_hidden_inspection_answers_as_on_an_unused_id(world: World, persona: str) -> None:
    planned = helpers.plan(world)
    user = _other_inspector() if persona == "other_inspector" else helpers.user(world, persona)
    client = api_client_for(user)
    body = {"severity": Severity.MINOR, "description": "Logbook not countersigned."}
    unused_id = _unused_inspection_id()
    hidden = client.post(FINDINGS, {**body, "inspection": planned.pk}, format="json")
    unused = client.post(FINDINGS, {**body, "inspection": unused_id}, format="json")
    assert _answer(hidden, planned.pk) == _answer(unused, unused_id)
    assert hidden.status_code in (400, 404)
    assert not Finding.objects.exists()


@pytest.mark.parametrize("persona", ["inspector", "coordinator_a"])
def test_a_finding_naming_a_person_out_of_sight_answers_as_an_unused_id(world: World, persona: str) -> None:
    """The inspector reads partner A's people while inspecting it, not partner B's; coordinator A reads
    their own partner's people only."""
    started = helpers.start(world)
    client = api_client_for(helpers.user(world, persona))
    body = {"inspection": started.pk, "severity": Severity.MINOR, "description": "Logbook not countersigned."}
    stranger_id = helpers.user(world, "supervisor_b").pk
    unused_id = _unused_user_id()
    stranger = client.post(FINDINGS, {**body, "supervisor": stranger_id}, format="json")
    unused = client.post(FINDINGS, {**body, "supervisor": unused_id}, format="json")
    assert _answer(stranger, stranger_id) == _answer(unused, unused_id)
    assert stranger.status_code == 400
    assert "supervisor" in stranger.json()["error"]["fields"]
    assert not Finding.objects.exists()


def test_a_finding_may_name_a_supervisor_of_the_partner_inspected(world: World) -> None:
    started = helpers.start(world)
    supervisor = helpers.user(world, "supervisor_a")
    response = api_client_for(helpers.user(world, "inspector")).post(
        FINDINGS,
        {
            "inspection": started.pk,
            "severity": Severity.OBSERVATION,
            "description": "Kind.",
            "supervisor": supervisor.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["supervisor"] == supervisor.pk


# --- Routes naming a hidden inspection -------------------------------------------------------------------------


_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("get", "api:inspection-detail", None),
    ("get", "api:inspection-checklist", None),
    ("post", "api:inspection-checklist", {"item": 1, "rating": "conforming"}),
    ("post", "api:inspection-start", None),
    ("post", "api:inspection-close", None),
]


@pytest.mark.parametrize(("method", "name", "body"), _ROUTES)
@pytest.mark.parametrize("persona", ["coordinator_a", "supervisor_a", "coordinator_b", "other_inspector"])
def test_every_route_naming_a_hidden_inspection_is_a_404(
    world: World, method: str, name: str, body: dict[str, Any] | None, persona: str
) -> None:
    planned = helpers.plan(world)
    user = _other_inspector() if persona == "other_inspector" else helpers.user(world, persona)
    client = api_client_for(user)
    unused_id = _unused_inspection_id()
    send = getattr(client, method)
    hidden = send(reverse(name, args=[planned.pk]), body, format="json")
    unused = send(reverse(name, args=[unused_id]), body, format="json")
    assert hidden.status_code == 404, hidden.content
    assert _answer(hidden, planned.pk) == _answer(unused, unused_id)
    assert Inspection.objects.get(pk=planned.pk).status == "planned"
