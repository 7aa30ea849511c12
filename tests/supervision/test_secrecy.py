"""Unannounced means unannounced: a planned spot inspection of partner A leaves no trace for A's people.

Every angle the issue names is tried for coordinator A and supervisor A: list pages and their search, the
start page's counts, notifications, the scorecard, the API (inspections, findings, corrective actions,
reports) and the admin (for a staff account that is also A's coordinator). Each check is paired with a
positive control: once the inspector starts the inspection, the coordinator does see it, so a check that
could not fail would show up here.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import User
from core.models import Notification
from supervision import services
from supervision.models import Inspection, InspectionKind
from tests.conftest import World, api_client_for, client_for
from tests.supervision import helpers

pytestmark = pytest.mark.django_db

SCOPE = "Secret check of the sign-off queue"
PARTNER_PEOPLE = ("coordinator_a", "supervisor_a")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|csrf[^"]*"[^"]*"')


def _page(user: User, route: str, **kwargs: object) -> str:
    response = client_for(user).get(reverse(route, kwargs=kwargs or None))
    assert response.status_code == 200, route
    return CSRF.sub("", response.content.decode())


def _planned(world: World) -> Inspection:
    return helpers.plan(world, scope=SCOPE)


@pytest.mark.parametrize("persona", PARTNER_PEOPLE)
def test_pages_and_counts_do_not_change_when_a_spot_inspection_is_planned(world: World, persona: str) -> None:
    user = helpers.user(world, persona)
    before = {route: _page(user, route) for route in ("core:start", "supervision:list", "supervision:actions")}
    inspection = _planned(world)
    after = {route: _page(user, route) for route in before}
    assert after == before
    assert SCOPE not in after["supervision:list"]
    searched = client_for(user).get(reverse("supervision:list"), {"q": world.partner_a.name}).content.decode()
    assert SCOPE not in searched
    assert client_for(user).get(reverse("supervision:detail", kwargs={"pk": inspection.pk})).status_code == 404
    partner_page = _page(user, "partners:detail", pk=world.partner_a.pk)
    assert SCOPE not in partner_page


def test_the_office_and_the_assigned_inspector_see_it(world: World) -> None:
    _planned(world)
    for persona in ("office", "inspector"):
        assert SCOPE in _page(helpers.user(world, persona), "supervision:list"), persona


def test_coordinator_sees_it_once_started(world: World) -> None:
    inspection = _planned(world)
    coordinator = helpers.user(world, "coordinator_a")
    services.inspection_start(inspection=inspection, by=helpers.user(world, "inspector"))
    assert SCOPE in _page(coordinator, "supervision:list")
    assert client_for(coordinator).get(reverse("supervision:detail", kwargs={"pk": inspection.pk})).status_code == 200
    assert Notification.objects.filter(user=coordinator).exists()


def test_no_notification_before_start(world: World) -> None:
    _planned(world)
    people = [helpers.user(world, persona) for persona in PARTNER_PEOPLE]
    assert not Notification.objects.filter(user__in=people).exists()


def test_scorecard_does_not_count_a_planned_inspection(world: World) -> None:
    coordinator = helpers.user(world, "coordinator_a")
    before = _page(coordinator, "supervision:scorecard", pk=world.partner_a.pk)
    _planned(world)
    assert _page(coordinator, "supervision:scorecard", pk=world.partner_a.pk) == before


@pytest.mark.parametrize("persona", PARTNER_PEOPLE)
def test_api_shows_nothing(world: World, persona: str) -> None:
    inspection = _planned(world)
    client = api_client_for(helpers.user(world, persona))
    for basename in ("inspection", "finding", "corrective-action", "inspection-report"):
        response = client.get(reverse(f"api:{basename}-list"))
        assert response.status_code == 200, basename
        assert response.json()["results"] == [], basename
    assert client.get(reverse("api:inspection-detail", kwargs={"pk": inspection.pk})).status_code == 404


def test_api_shows_it_to_the_coordinator_once_started(world: World) -> None:
    inspection = helpers.start(world, scope=SCOPE)
    client = api_client_for(helpers.user(world, "coordinator_a"))
    ids = [row["id"] for row in client.get(reverse("api:inspection-list")).json()["results"]]
    assert ids == [inspection.pk]


def test_admin_hides_it_from_a_staff_coordinator(world: World) -> None:
    coordinator = helpers.user(world, "coordinator_a")
    coordinator.is_staff = True
    coordinator.save(update_fields=["is_staff"])
    coordinator.user_permissions.set(Permission.objects.filter(content_type__app_label="supervision"))
    inspection = _planned(world)
    client = client_for(User.objects.get(pk=coordinator.pk))
    changelist = client.get(reverse("admin:supervision_inspection_changelist"), {"q": world.partner_a.name})
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == 0
    change = client.get(reverse("admin:supervision_inspection_change", args=[inspection.pk]))
    assert change.status_code in (302, 404)
    office = helpers.user(world, "office")
    office.is_staff = True
    office.save(update_fields=["is_staff"])
    office.user_permissions.set(Permission.objects.filter(content_type__app_label="supervision"))
    seen = client_for(User.objects.get(pk=office.pk)).get(reverse("admin:supervision_inspection_changelist"))
    assert [row.pk for row in seen.context["cl"].result_list] == [inspection.pk]


def test_admin_history_pages_are_scoped_too(world: World) -> None:
    coordinator = helpers.user(world, "coordinator_a")
    coordinator.is_staff = True
    coordinator.save(update_fields=["is_staff"])
    coordinator.user_permissions.set(Permission.objects.filter(content_type__app_label="supervision"))
    inspection = _planned(world)
    client = client_for(User.objects.get(pk=coordinator.pk))
    history = client.get(reverse("admin:supervision_inspection_history", args=[inspection.pk]))
    assert history.status_code == 404
    version = inspection.history.first()
    assert version is not None
    form = client.get(reverse("admin:supervision_inspection_simple_history", args=[inspection.pk, version.history_id]))
    assert form.status_code == 404
    # Once started, the coordinator may read its history.
    services.inspection_start(inspection=inspection, by=helpers.user(world, "inspector"))
    assert client.get(reverse("admin:supervision_inspection_history", args=[inspection.pk])).status_code == 200


def test_a_scheduled_inspection_is_announced_to_the_coordinator(world: World) -> None:
    """Only spot inspections are unannounced: a scheduled one is visible and announced from planning."""
    inspection = helpers.plan(world, kind=InspectionKind.SCHEDULED, scope="Annual review")
    coordinator = helpers.user(world, "coordinator_a")
    assert "Annual review" in _page(coordinator, "supervision:list")
    assert client_for(coordinator).get(reverse("supervision:detail", kwargs={"pk": inspection.pk})).status_code == 200
    assert Notification.objects.filter(user=coordinator, kind="inspection_announced").count() == 1
    # ... but not to the partner's supervisors, nor to another partner's coordinator.
    for persona in ("supervisor_a", "coordinator_b"):
        assert "Annual review" not in _page(helpers.user(world, persona), "supervision:list"), persona
