"""The extension points of ``core.hooks``: an entry registered by a (pretend) higher app reaches the lower
app's page or rule. Each test plugs one temporary entry and takes it out again."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.urls import reverse

from core import hooks
from students.models import Milestone, Student, TrainingPlan
from students.selectors.lists import student_list
from students.services import enrolment
from supervision.services import draw as spot
from supervision.services.scorecard import scorecard_of
from tests.conftest import World, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def plug() -> Iterator[Any]:
    """Register entries for one test; unregister them afterwards whatever happens."""
    plugged: list[tuple[hooks.Hook[Any], str]] = []

    def _plug(hook: hooks.Hook[Any], entry: Any) -> None:
        hook.register(entry)
        plugged.append((hook, entry.key))

    yield _plug
    for hook, key in plugged:
        hook.unregister(key)


def _panel(title: str) -> Mapping[str, Any]:
    return {"key": "test", "title": title, "items": [{"label": "Things waiting", "count": 3, "url": "/"}]}


def test_plan_section_shows_on_the_page_and_replaces_the_built_in_block(world: World, plug: Any) -> None:
    client = client_for(world.users["student_a"])
    url = reverse("students:plan", args=[world.student_a.pk])
    assert b'data-testid="project-points"' in client.get(url).content
    plug(
        hooks.PLAN_SECTIONS,
        hooks.PlanSection(
            key="test-points",
            build=lambda *, user, student, today: _panel(f"Points of {student.student_number}"),
            template="core/_panel.html",
            replaces="project_points",
        ),
    )
    page = client.get(url).content.decode()
    assert f"Points of {world.student_a.student_number}" in page
    assert 'data-testid="project-points"' not in page


def test_risk_reason_marks_a_student_at_risk_in_one_query(
    world: World, plug: Any, django_assert_num_queries: Any
) -> None:
    Milestone.objects.all().delete()
    Student.objects.update(enrolled_on=datetime.date.today())  # too early for "no approved plan"
    office = world.users["office"]
    assert not student_list(user=office, filters={"at_risk": True}).filter(pk=world.student_a.pk).exists()
    plug(
        hooks.AT_RISK_REASONS,
        hooks.RiskReason(
            key="test_named",
            label="Named in a test",
            condition=lambda today: Exists(Student.objects.filter(pk=OuterRef("pk"), tutor__isnull=False)),
        ),
    )
    with django_assert_num_queries(1):
        rows = list(student_list(user=office, filters={"at_risk": True}))
    assert [s.pk for s in rows] == [world.student_a.pk]  # only student A has a tutor
    assert rows[0].risk_test_named is True
    page = client_for(office).get(reverse("students:at-risk")).content.decode()
    assert "Named in a test" in page


def test_placement_check_refuses_with_its_message(world: World, plug: Any) -> None:
    def check(**kwargs: Any) -> dict[str, list[str]]:
        return {"supervisor": [f"{kwargs['supervisor'].username} is suspended."]}

    plug(hooks.PLACEMENT_CHECKS, hooks.PlacementCheck(key="test-suspended", check=check))
    plan = TrainingPlan.objects.get(student=world.student_a)
    with pytest.raises(ValidationError) as refused:
        enrolment.placement_create(
            plan=plan,
            by=world.users["student_a"],  # type: ignore[arg-type]
            partner=world.partner_a,
            site=world.site_a,
            supervisor=world.users["supervisor_a"],  # type: ignore[arg-type]
            start_date=datetime.date(2027, 3, 1),
            end_date=datetime.date(2027, 6, 30),
        )
    assert "supervisor_a is suspended." in refused.value.message_dict["supervisor"]


def test_draw_factor_is_stored_weighed_and_named(world: World, plug: Any) -> None:
    today = datetime.date(2026, 12, 1)
    plug(
        hooks.DRAW_FACTORS,
        hooks.DrawFactor(
            key="test_flags",
            label="open test flags",
            compute=lambda ids, day: {world.partner_a.pk: {"test_flags": 2}},
            weight=lambda factors: Decimal("0.5") * int(factors.get("test_flags") or 0),
        ),
    )
    factors = spot.risk_factors([world.partner_a, world.partner_b], today)
    assert factors[world.partner_a.pk]["test_flags"] == 2
    assert "test_flags" not in factors[world.partner_b.pk]
    assert spot.weight_parts(factors[world.partner_a.pk])["test_flags"] == Decimal("1.0000")
    assert spot.weight_parts(factors[world.partner_b.pk])["test_flags"] == Decimal("0.0000")
    draw = spot.draw_run(today=today, picks=1)
    page = client_for(world.users["office"]).get(reverse("supervision:draw-detail", args=[draw.pk])).content.decode()
    assert "open test flags" in page


def test_scorecard_section_shows_and_may_propose_probation(world: World, plug: Any) -> None:
    def build(*, partner_ids: list[int], user: Any, today: datetime.date) -> dict[int, Mapping[str, Any]]:
        return {world.partner_a.pk: {**_panel("Internal reviews"), "probation_reason": "Reviews below 2 of 5."}}

    plug(hooks.SCORECARD_SECTIONS, hooks.ScorecardSection(key="test-reviews", build=build, template="core/_panel.html"))
    card = scorecard_of(user=world.users["office"], partner=world.partner_a)  # type: ignore[arg-type]
    assert card.probation_proposed and card.probation_reason == "Reviews below 2 of 5."
    page = client_for(world.users["office"]).get(reverse("supervision:scorecard", args=[world.partner_a.pk]))
    assert "Internal reviews" in page.content.decode()


def test_nav_item_and_start_panel_show_for_whom_they_say(world: World, plug: Any) -> None:
    plug(
        hooks.NAV_ITEMS,
        hooks.NavItem(
            key="test-nav", label="Test area", url_name="core:notifications", visible=lambda u: u.username == "tutor"
        ),
    )
    plug(
        hooks.START_PANELS,
        hooks.StartPanel(
            key="test-panel",
            build=lambda user: _panel("Your test panel") if user.username == "tutor" else None,
            template="core/_panel.html",
        ),
    )
    tutor_page = client_for(world.users["tutor"]).get(reverse("core:start")).content.decode()
    other_page = client_for(world.users["student_a"]).get(reverse("core:start")).content.decode()
    assert "Test area" in tutor_page and "Your test panel" in tutor_page
    assert "Test area" not in other_page and "Your test panel" not in other_page
