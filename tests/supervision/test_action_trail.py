"""A corrective action's earlier answers and reopen reasons stay readable on the inspection page: the row
holds only the latest round, its history holds every one (evidence is never silently overwritten)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from supervision import services
from supervision.models import Severity
from tests.conftest import World, client_for
from tests.supervision import helpers

pytestmark = pytest.mark.django_db


def test_every_round_of_answers_and_reasons_is_on_the_page(world: World) -> None:
    inspection = helpers.start(world)
    finding = helpers.add_finding(world, inspection, Severity.MAJOR, "Late sign-off.")
    action = finding.corrective_action
    coordinator, inspector = helpers.user(world, "coordinator_a"), helpers.user(world, "inspector")
    services.corrective_action_answer(action=action, answer="First answer: weekly checks.", by=coordinator)
    services.corrective_action_reopen(action=action, reason="No evidence of the checks.", by=inspector)
    services.corrective_action_answer(action=action, answer="Second answer: logs attached.", by=coordinator)

    page = client_for(coordinator).get(reverse("supervision:detail", kwargs={"pk": inspection.pk}))

    text = page.content.decode()
    assert 'data-testid="action-trail"' in text
    for said in ("First answer: weekly checks.", "No evidence of the checks.", "Second answer: logs attached."):
        assert said in text, said
    trail = text.split('data-testid="action-trail"')[1].split("</details>")[0]
    assert trail.index("First answer") < trail.index("No evidence") < trail.index("Second answer")
