"""Corrective actions: the list (a coordinator's to answer first and overdue ones flagged, the office's
"overdue only" overview, an inspector's to verify) at a constant query count; answering (the inspectors
are told), verifying and reopening (the owner is told, with the reason), answering again after a
reopening (told again); refusals on their field with what was typed kept, and nothing changed.
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

from core.models import Notification
from supervision import services
from supervision.models import ActionStatus, CorrectiveAction, Inspection, Severity
from tests.conftest import World, client_for
from tests.supervision import helpers

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _c(world: World, persona: str) -> Client:
    return client_for(helpers.user(world, persona))


def _html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def _field_errors(html: str, field: str) -> list[str]:
    return re.findall(rf'data-field-error="{field}">([^<]*)<', html)


def _listed(html: str) -> list[int]:
    """The actions on the list page, in order."""
    return [int(pk) for pk in re.findall(r'<tr data-action="(\d+)"', html)]


def _action(world: World, inspection: Inspection, severity: str = Severity.MAJOR) -> CorrectiveAction:
    return CorrectiveAction.objects.get(finding=helpers.add_finding(world, inspection, severity))


def _overdue(action: CorrectiveAction, days: int = 3) -> CorrectiveAction:
    action.due_date = TODAY - datetime.timedelta(days=days)
    action.save()
    return action


def _answer(world: World, action: CorrectiveAction, text: str = "Fixed.") -> CorrectiveAction:
    return services.corrective_action_answer(action=action, answer=text, by=helpers.user(world, "coordinator_a"))


URL = reverse("supervision:actions")


# --- The list ----------------------------------------------------------------------------------------------------


def test_coordinator_sees_actions_to_answer_first_overdue_flagged_first(world: World) -> None:
    inspection = helpers.start(world)
    answered = _answer(world, _action(world, inspection, Severity.MINOR))
    later = _action(world, inspection, Severity.MINOR)
    late = _overdue(_action(world, inspection, Severity.CRITICAL))

    html = _html(_c(world, "coordinator_a").get(URL))

    assert _listed(html) == [late.pk, later.pk, answered.pk]
    late_row = html.split(f'<tr data-action="{late.pk}"')[1].split("</tr>")[0]
    assert 'data-overdue="1"' in late_row and 'data-testid="overdue"' in late_row
    assert 'data-testid="to-answer"' in late_row
    answered_row = html.split(f'<tr data-action="{answered.pk}"')[1].split("</tr>")[0]
    assert 'data-testid="to-answer"' not in answered_row


def test_coordinator_never_sees_another_partners_actions(world: World) -> None:
    mine = _action(world, helpers.start(world))
    theirs = _action(world, helpers.start(world, partner=world.partner_b))

    assert _listed(_html(_c(world, "coordinator_a").get(URL))) == [mine.pk]
    assert _listed(_html(_c(world, "coordinator_b").get(URL))) == [theirs.pk]
    assert _c(world, "coordinator_a").get(reverse("supervision:action-answer", args=[theirs.pk])).status_code == 404


def test_office_overview_filters_overdue_only(world: World) -> None:
    on_time = _action(world, helpers.start(world))
    late = _overdue(_action(world, helpers.start(world, partner=world.partner_b)))

    everything = _html(_c(world, "office").get(URL))
    overdue = _html(_c(world, "office").get(URL, {"overdue": "on"}))

    assert set(_listed(everything)) == {on_time.pk, late.pk}
    assert _listed(overdue) == [late.pk]
    # The office sees them all but answers none of them.
    assert 'data-testid="to-answer"' not in everything


def test_inspector_sees_answers_to_verify_first(world: World) -> None:
    inspection = helpers.start(world)
    still_open = _action(world, inspection)
    answered = _answer(world, _action(world, inspection))

    html = _html(_c(world, "inspector").get(URL))

    assert _listed(html) == [answered.pk, still_open.pk]
    assert 'data-testid="to-verify"' in html.split(f'<tr data-action="{answered.pk}"')[1].split("</tr>")[0]


def test_people_without_actions_get_an_empty_state(world: World) -> None:
    _action(world, helpers.start(world))

    for persona in ("student_a", "supervisor_a", "tutor", "counsellor"):
        assert 'data-testid="empty"' in _html(_c(world, persona).get(URL))


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("persona", ["office", "coordinator_a", "inspector"])
def test_actions_query_count_does_not_grow_with_inspections(world: World, persona: str) -> None:
    _overdue(_action(world, helpers.start(world)))
    client = _c(world, persona)
    one = _queries(client)
    for _ in range(4):
        inspection = helpers.start(world)
        _answer(world, _action(world, inspection))
        _action(world, inspection, Severity.MINOR)

    nine = _queries(client)

    assert len(_listed(_html(client.get(URL)))) == 9
    assert nine == one


# --- Answering, verifying, reopening ---------------------------------------------------------------------------


def test_coordinator_answers_and_the_inspectors_are_told(world: World) -> None:
    action = _action(world, helpers.start(world))

    response = _c(world, "coordinator_a").post(
        reverse("supervision:action-answer", args=[action.pk]), {"answer": "Logbooks are signed weekly now."}
    )

    action.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == URL
    assert (action.status, action.answer) == (ActionStatus.ANSWERED, "Logbooks are signed weekly now.")
    told = Notification.objects.get(user=helpers.user(world, "inspector"), kind="corrective_action_answered")
    assert told.body == "Logbooks are signed weekly now."
    assert told.link.endswith(f"#action-{action.pk}")


def test_an_empty_answer_is_refused_on_the_field_and_changes_nothing(world: World) -> None:
    action = _action(world, helpers.start(world))

    html = _html(
        _c(world, "coordinator_a").post(reverse("supervision:action-answer", args=[action.pk]), {"answer": "   "})
    )

    action.refresh_from_db()
    assert _field_errors(html, "answer") == ["Say what was done."]
    assert action.status == ActionStatus.OPEN
    assert not Notification.objects.filter(kind="corrective_action_answered").exists()


def test_answering_an_answered_action_is_refused_keeping_the_text(world: World) -> None:
    action = _answer(world, _action(world, helpers.start(world)))

    html = _html(
        _c(world, "coordinator_a").post(
            reverse("supervision:action-answer", args=[action.pk]), {"answer": "A second go."}
        )
    )

    assert "This action is not awaiting an answer." in html
    assert "A second go." in html
    action.refresh_from_db()
    assert action.answer == "Fixed."


def test_inspector_verifies_and_the_owner_is_told(world: World) -> None:
    action = _answer(world, _action(world, helpers.start(world)))

    response = _c(world, "inspector").post(reverse("supervision:action-verify", args=[action.pk]))

    action.refresh_from_db()
    assert response.status_code == 302
    assert action.status == ActionStatus.VERIFIED
    assert action.verified_by == helpers.user(world, "inspector")
    assert Notification.objects.filter(user=action.owner, kind="corrective_action_verified").count() == 1


def test_verify_of_an_open_action_explains_and_changes_nothing(world: World) -> None:
    action = _action(world, helpers.start(world))

    response = _c(world, "inspector").post(reverse("supervision:action-verify", args=[action.pk]), follow=True)

    assert "Only an answered action can be verified." in _html(response)
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_the_coordinator_cannot_verify_their_own_answer(world: World) -> None:
    action = _answer(world, _action(world, helpers.start(world)))

    response = _c(world, "coordinator_a").post(reverse("supervision:action-verify", args=[action.pk]))

    action.refresh_from_db()
    assert response.status_code == 404
    assert action.status == ActionStatus.ANSWERED


def test_reopen_needs_a_reason_then_tells_the_owner_who_answers_again(world: World) -> None:
    action = _answer(world, _action(world, helpers.start(world)))
    url = reverse("supervision:action-reopen", args=[action.pk])

    refused = _html(_c(world, "inspector").post(url, {"reason": ""}))
    action.refresh_from_db()
    assert _field_errors(refused, "reason") == ["Say why the answer is not enough."]
    assert action.status == ActionStatus.ANSWERED

    response = _c(world, "inspector").post(url, {"reason": "No evidence of the weekly signature."})

    action.refresh_from_db()
    assert response.status_code == 302
    assert action.status == ActionStatus.REOPENED
    told = Notification.objects.get(user=action.owner, kind="corrective_action_reopened")
    assert told.body == "No evidence of the weekly signature."
    # The reopened action is the coordinator's to answer again; the inspectors are told a second time.
    assert 'data-testid="to-answer"' in _html(_c(world, "coordinator_a").get(URL))
    _c(world, "coordinator_a").post(
        reverse("supervision:action-answer", args=[action.pk]), {"answer": "Signed sheets attached."}
    )
    assert Notification.objects.filter(kind="corrective_action_answered").count() == 2


def test_the_answer_page_shows_the_finding_and_a_reopening_reason(world: World) -> None:
    action = _answer(world, _action(world, helpers.start(world)))
    services.corrective_action_reopen(action=action, reason="Show the sheets.", by=helpers.user(world, "inspector"))

    html = _html(_c(world, "coordinator_a").get(reverse("supervision:action-answer", args=[action.pk])))

    assert action.finding.description in html
    assert "Show the sheets." in html
