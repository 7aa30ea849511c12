"""Secrecy on the pages: a planned spot inspection of partner A appears nowhere for A's coordinator and
supervisor (the list, the detail and every page hanging off it, the worklist, the actions page, the
start page's counts, notifications) until an inspector starts it; then the coordinator is told and sees
it. Also the start page's inspection cards and the "Inspections" navigation entry, per role.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from core.models import Notification
from supervision import services
from supervision.models import Inspection, InspectionKind, Severity
from tests.conftest import World, client_for
from tests.supervision import helpers

pytestmark = pytest.mark.django_db

PARTNER_PEOPLE = ("coordinator_a", "supervisor_a")


def _c(world: World, persona: str) -> Client:
    return client_for(helpers.user(world, persona))


def _html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def _counts(html: str, role: str) -> dict[str, int]:
    """The numbers of one role's inspection card on the start page."""
    card = html.split(f'data-testid="inspection-card-{role}"')[1].split("</div>")[0]
    return {name: int(value) for name, value in re.findall(r'data-count="(\w+)">(\d+)', card)}


def _pages(inspection: Inspection) -> list[str]:
    return [
        reverse(f"supervision:{name}", args=[inspection.pk]) for name in ("detail", "checklist", "finding-add", "close")
    ]


@pytest.mark.parametrize("persona", PARTNER_PEOPLE)
def test_a_planned_spot_inspection_appears_nowhere_for_the_partners_people(world: World, persona: str) -> None:
    inspection = helpers.plan(world, kind=InspectionKind.SPOT)
    client = _c(world, persona)

    listed = _html(client.get(reverse("supervision:list")))
    assert f'data-inspection="{inspection.pk}"' not in listed
    assert 'data-testid="empty"' in listed
    for url in _pages(inspection):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("supervision:start", args=[inspection.pk])).status_code == 404
    assert f'data-inspection="{inspection.pk}"' not in _html(client.get(reverse("supervision:mine")))
    assert 'data-testid="empty"' in _html(client.get(reverse("supervision:actions")))
    start = _html(client.get(reverse("core:start")))
    sections = start.split('data-testid="role-sections"')[1].split("my-memberships")[0]
    # The coordinator's card links to their own partner ("People and sites of Hospital A"): that is not the
    # inspection; nothing else in the role sections may name the partner.
    sections = sections.replace(f"People and sites of {world.partner_a.name}", "")
    assert world.partner_a.name not in sections
    assert not Notification.objects.filter(user=helpers.user(world, persona)).exists()


def test_the_coordinators_start_page_counts_do_not_change_when_a_spot_inspection_is_planned(world: World) -> None:
    running = helpers.start(world)
    helpers.add_finding(world, running, Severity.MAJOR)
    client = _c(world, "coordinator_a")
    before = _counts(_html(client.get(reverse("core:start"))), "coordinator")

    planned = helpers.plan(world, kind=InspectionKind.SPOT)
    after = _counts(_html(client.get(reverse("core:start"))), "coordinator")

    assert before == after == {"in_progress": 1, "to_answer": 1}
    # The office's numbers do change: it planned it.
    office = _counts(_html(_c(world, "office").get(reverse("core:start"))), "office")
    assert office["planned"] == 1 and office["in_progress"] == 1
    # Once started, the coordinator's count follows.
    services.inspection_start(inspection=planned, by=helpers.user(world, "inspector"))
    assert _counts(_html(client.get(reverse("core:start"))), "coordinator")["in_progress"] == 2


def test_starting_reveals_it_to_the_coordinator_with_one_notification(world: World) -> None:
    inspection = helpers.plan(world, kind=InspectionKind.SPOT)
    coordinator = _c(world, "coordinator_a")
    assert coordinator.get(reverse("supervision:detail", args=[inspection.pk])).status_code == 404

    _c(world, "inspector").post(reverse("supervision:start", args=[inspection.pk]))

    assert coordinator.get(reverse("supervision:detail", args=[inspection.pk])).status_code == 200
    assert f'data-inspection="{inspection.pk}"' in _html(coordinator.get(reverse("supervision:list")))
    assert Notification.objects.filter(user=helpers.user(world, "coordinator_a")).count() == 1
    # The supervisor of partner A is not one who sees partner-level inspections, started or not.
    assert _c(world, "supervisor_a").get(reverse("supervision:detail", args=[inspection.pk])).status_code == 404


def test_a_started_placement_inspection_is_seen_by_the_placements_supervisor(world: World) -> None:
    from supervision.models import TargetKind

    inspection = helpers.start(world, placement=world.placement_a, template=helpers.template_for(TargetKind.PLACEMENT))

    assert _c(world, "supervisor_a").get(reverse("supervision:detail", args=[inspection.pk])).status_code == 200
    assert _c(world, "supervisor_b").get(reverse("supervision:detail", args=[inspection.pk])).status_code == 404


def test_start_page_cards_per_role(world: World) -> None:
    helpers.plan(world)
    running = helpers.start(world)
    action = helpers.add_finding(world, running, Severity.MINOR).corrective_action
    services.corrective_action_answer(action=action, answer="Done.", by=helpers.user(world, "coordinator_a"))

    inspector = _counts(_html(_c(world, "inspector").get(reverse("core:start"))), "inspector")
    office = _counts(_html(_c(world, "office").get(reverse("core:start"))), "office")
    student = _html(_c(world, "student_a").get(reverse("core:start")))

    assert inspector == {"in_progress": 1, "upcoming": 1, "to_verify": 1}
    assert office == {"planned": 1, "in_progress": 1, "closed": 0, "overdue_actions": 0}
    assert "inspection-card-" not in student


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("office", True),
        ("inspector", True),
        ("coordinator_a", True),
        ("supervisor_a", False),
        ("tutor", False),
        ("student_a", False),
        ("counsellor", False),
    ],
)
def test_navigation_offers_inspections_to_office_inspectors_and_coordinators(
    world: World, persona: str, shown: bool
) -> None:
    html = _html(_c(world, persona).get(reverse("core:start")))

    nav = html.split('id="main-nav"')[1].split("</ul>")[0]
    assert (f'href="{reverse("supervision:list")}"' in nav) is shown
