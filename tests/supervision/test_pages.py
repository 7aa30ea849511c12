"""Inspection pages: the list for each persona (office filters and "Plan an inspection", an inspector's
assigned ones, a coordinator's started ones, an empty state for others) at a constant query count;
planning (a conflict of interest refused on the inspectors field with what was typed kept, choices
narrowed to the partner chosen); the detail page with progress, results by aspect, findings, actions,
history and the buttons each viewer may press; starting (the coordinators are told, only then);
closing (confirmation when items are unrated); and the inspector's worklist.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import PlatformRole, grant_platform_role
from core.models import Notification
from partners.models import MembershipRole
from supervision.models import (
    ChecklistTemplate,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Rating,
    Severity,
    TargetKind,
)
from tests.conftest import World, client_for
from tests.factories.accounts import UserFactory
from tests.factories.partners import MembershipFactory
from tests.factories.supervision import ChecklistTemplateFactory
from tests.supervision import helpers

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _c(world: World, persona: str) -> Client:
    return client_for(helpers.user(world, persona))


def _html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def _rows(html: str) -> set[int]:
    """The inspections listed on the page (their ``data-inspection`` ids)."""
    return {int(pk) for pk in re.findall(r'data-inspection="(\d+)"', html)}


def _field_errors(html: str, field: str) -> list[str]:
    return re.findall(rf'data-field-error="{field}">([^<]*)<', html)


def _select(html: str, name: str) -> str:
    """The options of one ``<select>`` of the page."""
    found = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert found is not None, name
    return found.group(0)


def _url(name: str, *args: Any) -> str:
    return reverse(f"supervision:{name}", args=args)


# --- The list --------------------------------------------------------------------------------------------------


def test_office_sees_every_inspection_with_filters_and_the_plan_button(world: World) -> None:
    planned_a = helpers.plan(world)
    started_b = helpers.start(world, partner=world.partner_b)

    html = _html(_c(world, "office").get(_url("list")))

    assert _rows(html) == {planned_a.pk, started_b.pk}
    assert 'data-testid="plan-link"' in html
    assert 'name="partner"' in html  # the office filters by partner
    only_planned = _html(_c(world, "office").get(_url("list"), {"status": InspectionStatus.PLANNED}))
    assert _rows(only_planned) == {planned_a.pk}
    only_b = _html(_c(world, "office").get(_url("list"), {"partner": world.partner_b.pk}))
    assert _rows(only_b) == {started_b.pk}


def test_inspector_sees_only_inspections_assigned_to_them(world: World) -> None:
    other = UserFactory.create(username="other-inspector")
    grant_platform_role(other, PlatformRole.INSPECTOR)
    mine = helpers.plan(world)
    theirs = helpers.plan(world, inspectors=[other])

    html = _html(_c(world, "inspector").get(_url("list")))

    assert _rows(html) == {mine.pk}
    assert theirs.pk not in _rows(html)
    assert 'data-testid="plan-link"' not in html


def test_coordinator_sees_started_inspections_of_their_partner_only(world: World) -> None:
    started_a = helpers.start(world)
    planned_a = helpers.plan(world)
    started_b = helpers.start(world, partner=world.partner_b)

    html = _html(_c(world, "coordinator_a").get(_url("list")))

    assert _rows(html) == {started_a.pk}
    assert planned_a.pk not in _rows(html) and started_b.pk not in _rows(html)
    assert 'name="partner"' not in html


def test_student_gets_an_empty_state_not_an_error(world: World) -> None:
    helpers.start(world)

    html = _html(_c(world, "student_a").get(_url("list")))

    assert _rows(html) == set()
    assert 'data-testid="empty"' in html


def test_list_shows_findings_and_overdue_actions_badges(world: World) -> None:
    inspection = helpers.start(world)
    finding = helpers.add_finding(world, inspection, Severity.CRITICAL)
    action = finding.corrective_action
    action.due_date = TODAY - datetime.timedelta(days=2)
    action.save()

    html = _html(_c(world, "office").get(_url("list")))

    assert 'data-testid="overdue-count">1 overdue' in html
    assert "1 critical" in html
    on_time = helpers.start(world)
    overdue_only = _html(_c(world, "office").get(_url("list"), {"overdue": "on"}))
    assert _rows(overdue_only) == {inspection.pk} != {inspection.pk, on_time.pk}


def _list_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("persona", ["office", "coordinator_a", "inspector"])
def test_list_query_count_does_not_grow_with_inspections(world: World, persona: str) -> None:
    first = helpers.start(world)
    helpers.add_finding(world, first, Severity.MAJOR)
    client = _c(world, persona)
    one = _list_queries(client, _url("list"))
    for _ in range(4):
        inspection = helpers.start(world)
        helpers.add_finding(world, inspection, Severity.MINOR)
        helpers.rate_all(world, inspection)

    five = _list_queries(client, _url("list"))

    assert len(_rows(_html(client.get(_url("list"))))) == 5
    assert five == one


# --- Planning --------------------------------------------------------------------------------------------------


def _plan_data(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": InspectionKind.SPOT,
        "partner": world.partner_a.pk,
        "template": helpers.template_for(TargetKind.PARTNER).pk,
        "planned_date": (TODAY + datetime.timedelta(days=3)).isoformat(),
        "scope": "Logbooks and supervision hours.",
        "inspectors": [helpers.user(world, "inspector").pk],
    }
    data.update(overrides)
    return data


def test_office_plans_an_inspection_and_only_the_inspector_is_told(world: World) -> None:
    response = _c(world, "office").post(_url("plan"), _plan_data(world))

    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("detail", inspection.pk)
    assert inspection.status == InspectionStatus.PLANNED
    assert inspection.scope == "Logbooks and supervision hours."
    assert Notification.objects.filter(user=helpers.user(world, "inspector"), kind="inspection_assigned").count() == 1
    assert not Notification.objects.filter(user=helpers.user(world, "coordinator_a")).exists()


def test_plan_refuses_a_conflict_of_interest_on_the_inspectors_field_keeping_what_was_typed(world: World) -> None:
    insider = UserFactory.create(username="insider", full_name="Ida Insider")
    grant_platform_role(insider, PlatformRole.INSPECTOR)
    MembershipFactory.create(user=insider, partner=world.partner_a, role=MembershipRole.STAFF)

    response = _c(world, "office").post(_url("plan"), _plan_data(world, inspectors=[insider.pk]))

    html = _html(response)
    errors = _field_errors(html, "inspectors")
    assert errors and "Conflict of interest" in errors[0] and "Ida Insider" in errors[0]
    assert "Logbooks and supervision hours." in html
    assert re.search(rf'value="{insider.pk}"[^>]*checked', html)
    assert not Inspection.objects.exists()


def test_plan_without_inspectors_names_the_field(world: World) -> None:
    html = _html(_c(world, "office").post(_url("plan"), _plan_data(world, inspectors=[])))

    assert _field_errors(html, "inspectors") == ["Assign at least one inspector."]
    assert not Inspection.objects.exists()


def test_plan_refuses_a_site_of_another_partner(world: World) -> None:
    site_template = ChecklistTemplateFactory.create(target_kind=TargetKind.SITE)

    html = _html(
        _c(world, "office").post(_url("plan"), _plan_data(world, site=world.site_b.pk, template=site_template.pk))
    )

    assert _field_errors(html, "site")
    assert not Inspection.objects.exists()


def test_plan_refuses_a_checklist_for_another_kind_of_target(world: World) -> None:
    html = _html(_c(world, "office").post(_url("plan"), _plan_data(world, site=world.site_a.pk)))

    assert _field_errors(html, "template") == ["This checklist is for another kind of target."]
    assert not Inspection.objects.exists()


def test_update_choices_narrows_sites_placements_and_checklists_saving_nothing(world: World) -> None:
    partner_template = helpers.template_for(TargetKind.PARTNER)
    site_template: ChecklistTemplate = ChecklistTemplateFactory.create(target_kind=TargetKind.SITE, name="Site list")

    html = _html(
        _c(world, "office").post(
            _url("plan"), {**_plan_data(world, site=world.site_a.pk), "refresh": "1", "template": ""}
        )
    )

    sites, placements, templates = (_select(html, name) for name in ("site", "placement", "template"))
    assert f'<option value="{world.site_a.pk}" selected>' in sites
    assert f'<option value="{world.site_b.pk}"' not in sites
    assert f'<option value="{world.placement_a.pk}"' in placements
    assert f'<option value="{world.placement_b.pk}"' not in placements
    assert f'<option value="{site_template.pk}"' in templates
    assert f'<option value="{partner_template.pk}"' not in templates
    assert not re.findall(r'data-field-error="', html)
    assert not Inspection.objects.exists()


# --- The detail page --------------------------------------------------------------------------------------------


def test_detail_shows_progress_results_by_aspect_findings_actions_and_history(world: World) -> None:
    inspection = helpers.closed(world)

    html = _html(_c(world, "coordinator_a").get(_url("detail", inspection.pk)))

    assert 'aria-valuetext="3 of 3 items rated"' in html
    assert "pct-100" in html
    assert html.count("data-aspect=") == 3
    assert "Supervision hours not met." in html and "Good induction material." in html
    assert html.count("data-finding=") == 2
    assert html.count('id="action-') == 1
    assert re.search(r'data-step="closed">\s*<span class="fw-semibold">Closed</span>\s*<span[^>]*>\d{4}-', html)
    assert 'data-testid="answer"' in html  # the coordinator answers the open action
    assert 'data-testid="checklist-link"' not in html and 'data-testid="start"' not in html


def test_detail_offers_the_inspector_checklist_findings_and_close_while_in_progress(world: World) -> None:
    inspection = helpers.start(world)

    inspector_html = _html(_c(world, "inspector").get(_url("detail", inspection.pk)))
    coordinator_html = _html(_c(world, "coordinator_a").get(_url("detail", inspection.pk)))

    for testid in ("checklist-link", "finding-link", "close"):
        assert f'data-testid="{testid}"' in inspector_html
        assert f'data-testid="{testid}"' not in coordinator_html


def test_detail_offers_start_to_the_assigned_inspector_of_a_planned_inspection(world: World) -> None:
    inspection = helpers.plan(world)

    assert 'data-testid="start"' in _html(_c(world, "inspector").get(_url("detail", inspection.pk)))
    assert _c(world, "coordinator_a").get(_url("detail", inspection.pk)).status_code == 404


def test_detail_of_another_partners_inspection_is_404(world: World) -> None:
    inspection = helpers.start(world, partner=world.partner_b)

    assert _c(world, "coordinator_a").get(_url("detail", inspection.pk)).status_code == 404
    assert _c(world, "coordinator_b").get(_url("detail", inspection.pk)).status_code == 200


def test_report_panel_spot_is_on_the_detail_page(world: World) -> None:
    response = _c(world, "office").get(_url("detail", helpers.start(world).pk))

    assert "supervision/includes/report_panel.html" in [t.name for t in response.templates]


# --- Starting and closing -----------------------------------------------------------------------------------------


def test_inspector_starts_and_only_then_the_coordinator_is_told(world: World) -> None:
    inspection = helpers.plan(world)
    coordinator = helpers.user(world, "coordinator_a")
    assert not Notification.objects.filter(user=coordinator).exists()

    response = _c(world, "inspector").post(_url("start", inspection.pk))

    inspection.refresh_from_db()
    assert response.status_code == 302
    assert inspection.status == InspectionStatus.IN_PROGRESS
    told = Notification.objects.get(user=coordinator)
    assert told.kind == "inspection_started"
    assert told.params == {"partner": world.partner_a.name}
    assert told.link == _url("detail", inspection.pk)
    assert not Notification.objects.filter(user=helpers.user(world, "supervisor_a")).exists()


def test_starting_twice_tells_the_coordinator_once_and_explains(world: World) -> None:
    inspection = helpers.plan(world)
    client = _c(world, "inspector")
    client.post(_url("start", inspection.pk))

    response = client.post(_url("start", inspection.pk), follow=True)

    assert "Only a planned inspection can be started." in _html(response)
    assert Notification.objects.filter(kind="inspection_started").count() == 1


def test_close_with_unrated_items_asks_for_confirmation_first(world: World) -> None:
    inspection = helpers.start(world)
    first = inspection.template.items.order_by("pk").first()
    assert first is not None
    from supervision import services

    services.checklist_record(
        inspection=inspection, item=first, rating=Rating.CONFORMING, by=helpers.user(world, "inspector")
    )
    client = _c(world, "inspector")

    page = _html(client.get(_url("close", inspection.pk)))
    refused = _html(client.post(_url("close", inspection.pk), {}))

    assert "2 checklist items are not rated." in page
    assert _field_errors(refused, "confirm_unrated") == [
        "2 items are not rated yet. Rate them, or tick the box to close anyway."
    ]
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.IN_PROGRESS

    confirmed = client.post(_url("close", inspection.pk), {"confirm_unrated": "on"})

    inspection.refresh_from_db()
    assert confirmed.status_code == 302
    assert inspection.status == InspectionStatus.CLOSED


def test_close_with_every_item_rated_needs_no_confirmation(world: World) -> None:
    inspection = helpers.start(world)
    helpers.rate_all(world, inspection)

    response = _c(world, "inspector").post(_url("close", inspection.pk), {})

    inspection.refresh_from_db()
    assert response.status_code == 302
    assert inspection.status == InspectionStatus.CLOSED


def test_coordinator_cannot_close_the_inspection_of_their_partner(world: World) -> None:
    inspection = helpers.start(world)

    response = _c(world, "coordinator_a").post(_url("close", inspection.pk), {"confirm_unrated": "on"})

    inspection.refresh_from_db()
    assert response.status_code == 404
    assert inspection.status == InspectionStatus.IN_PROGRESS


# --- The inspector's worklist -----------------------------------------------------------------------------------


def test_worklist_shows_upcoming_in_progress_and_answers_to_verify(world: World) -> None:
    from supervision import services

    planned = helpers.plan(world, planned_date=TODAY + datetime.timedelta(days=5))
    running = helpers.start(world)
    action = helpers.add_finding(world, running, Severity.MINOR).corrective_action
    services.corrective_action_answer(action=action, answer="Done.", by=helpers.user(world, "coordinator_a"))

    html = _html(_c(world, "inspector").get(_url("mine")))

    upcoming = html.split('data-testid="upcoming"')[1].split("</ul>")[0]
    in_progress = html.split('data-testid="in-progress"')[1].split("</section>")[0]
    assert f'data-inspection="{planned.pk}"' in upcoming
    assert f'data-inspection="{running.pk}"' in in_progress
    assert f'data-action="{action.pk}"' in html.split('data-testid="to-verify"')[1]


def test_worklist_is_an_empty_state_for_people_with_nothing_assigned(world: World) -> None:
    helpers.start(world)

    for persona in ("coordinator_a", "student_a"):
        assert 'data-testid="empty"' in _html(_c(world, persona).get(_url("mine")))


def test_inspector_role_is_needed_for_the_worklist_rows(world: World) -> None:
    """An assignment stays on record after the role is taken away, but the worklist follows the role."""
    from accounts.roles import revoke_platform_role

    helpers.plan(world)
    inspector: User = helpers.user(world, "inspector")
    revoke_platform_role(inspector, PlatformRole.INSPECTOR)

    assert 'data-testid="empty"' in _html(client_for(inspector).get(_url("mine")))


def test_search_finds_by_partner_and_scope_within_the_users_scope(world: World) -> None:
    by_scope = helpers.start(world, scope="Night-shift supervision")
    other = helpers.start(world, partner=world.partner_b)

    assert _rows(_html(_c(world, "office").get(_url("list"), {"q": "night-shift"}))) == {by_scope.pk}
    assert _rows(_html(_c(world, "office").get(_url("list"), {"q": "ENT-B"}))) == {other.pk}
    # Searching never widens: coordinator A finds nothing of partner B's.
    assert _rows(_html(_c(world, "coordinator_a").get(_url("list"), {"q": "Enterprise"}))) == set()
