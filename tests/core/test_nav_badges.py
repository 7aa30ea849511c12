"""The navigation's waiting counts: the start page's inbox shown as badges on the links behind which the
work waits (sign-off, students for plans to approve, inspections for corrective actions, my entries), for
each role, on the phone's menu button too; read once per request and at a constant number of queries."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import hooks
from students.models import PlanStatus, TrainingPlan
from tests.conftest import World, client_for
from tests.factories.practice import PracticeLogFactory
from tests.supervision import helpers
from tests.supervision.test_pages_actions import _action

pytestmark = pytest.mark.django_db


def _badges(world: World, persona: str, url: str | None = None) -> dict[str, str]:
    """The nav's badges, by link: ``{"/practice/queue/": "3 waiting"}`` (the text a screen reader hears)."""
    html = client_for(world.users[persona]).get(url or reverse("programmes:list")).content.decode()
    nav = html.split('id="main-nav"', 1)[1].split("</ul>", 1)[0]
    badge = r'<span class="badge[^"]*" data-testid="nav-badge">(\d+)<span class="visually-hidden"> ([^<]+)</span>'
    found = re.findall(r'href="([^"]+)">[^<]*' + badge, nav)
    return {href: f"{count} {words}" for href, count, words in found}


def test_a_supervisor_sees_the_entries_to_sign_off_on_sign_off(world: World) -> None:
    PracticeLogFactory.create_batch(3, placement=world.placement_a)

    assert _badges(world, "supervisor_a") == {reverse("practice:queue"): "3 waiting"}
    assert _badges(world, "supervisor_b") == {}


def test_a_student_sees_rejected_entries_on_my_entries(world: World) -> None:
    PracticeLogFactory.create_batch(2, placement=world.placement_a, status="rejected", date=datetime.date.today())

    assert _badges(world, "student_a")[reverse("practice:mine")] == "2 waiting"


def test_a_tutor_sees_plans_waiting_on_students(world: World) -> None:
    TrainingPlan.objects.filter(student=world.student_a).update(status=PlanStatus.SUBMITTED)

    assert _badges(world, "tutor") == {reverse("students:list"): "1 waiting"}


def test_a_coordinator_sees_corrective_actions_on_inspections(world: World) -> None:
    _action(world, helpers.start(world))

    assert _badges(world, "coordinator_a") == {reverse("supervision:list"): "1 waiting"}
    assert _badges(world, "coordinator_b") == {}


def test_the_phone_menu_button_says_how_much_waits(world: World) -> None:
    PracticeLogFactory.create_batch(3, placement=world.placement_a)
    html = client_for(world.users["supervisor_a"]).get(reverse("programmes:list")).content.decode()

    toggler = html.split('class="navbar-toggler', 1)[1].split("</button>", 1)[0]
    assert 'aria-label="Toggle navigation: 3 waiting"' in toggler
    assert 'data-testid="nav-waiting">3<' in toggler
    assert "nav-waiting" not in client_for(world.users["supervisor_b"]).get(reverse("programmes:list")).content.decode()


def test_the_start_page_reads_the_inbox_once_for_its_list_and_the_badges(world: World) -> None:
    calls: list[int] = []

    def counting(user: Any) -> list[hooks.InboxItem]:
        calls.append(user.pk)
        return [hooks.InboxItem("Counted", 4, reverse("practice:queue"))]

    hooks.INBOX.register(hooks.InboxSource(key="test-counting", build=counting))
    try:
        PracticeLogFactory.create(placement=world.placement_a)
        html = client_for(world.users["supervisor_a"]).get(reverse("core:start")).content.decode()
    finally:
        hooks.INBOX.unregister("test-counting")

    assert len(calls) == 1
    assert 'data-testid="nav-badge">5<' in html  # 1 entry + the plug's 4, on "Sign-off"


def _queries(world: World, persona: str, url: str) -> int:
    client = client_for(world.users[persona])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("name", ["programmes:list", "core:start"])
def test_badges_cost_the_same_queries_whatever_waits(world: World, name: str) -> None:
    personas = ("office", "supervisor_a", "student_a", "tutor", "coordinator_a")
    url = reverse(name)
    before = {p: _queries(world, p, url) for p in personas}
    PracticeLogFactory.create_batch(5, placement=world.placement_a)
    PracticeLogFactory.create_batch(4, placement=world.placement_a, status="rejected", date=datetime.date.today())
    TrainingPlan.objects.filter(student=world.student_a).update(status=PlanStatus.SUBMITTED)
    inspection = helpers.start(world)
    for _ in range(3):
        _action(world, inspection)

    assert {p: _queries(world, p, url) for p in personas} == before
    assert _badges(world, "supervisor_a", url)[reverse("practice:queue")] == "5 waiting"
