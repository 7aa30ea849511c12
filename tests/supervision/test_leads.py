"""A review concern referred to an inspection-to-be: supervision's handler in ``reviews.hooks.CONCERN_OUTCOMES``.

The office refers the concern (page or concerns API) to a planned or in-progress inspection of the partner
concerned; the inspection's inspectors read the point, without the reviewer's name, and record a finding from
it; the partner's people never see the point (a spot inspection stays secret before it starts), and a refused
referral leaves the concern open and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Notification
from partners import access
from reviews.models import Concern, ConcernCategory, ConcernStatus, Direction, MessageKind
from reviews.services import concerns
from supervision import services
from supervision.models import Finding, InspectionLead, Severity
from tests.conftest import World, api_client_for, client_for
from tests.reviews import helpers as review_helpers
from tests.supervision import helpers

pytestmark = pytest.mark.django_db

TEXT = "Left alone on night shifts without a supervisor."


def _concern(world: World) -> Concern:
    """Student A's concern about their placement at partner A (addressed to supervisor A)."""
    round_ = review_helpers.open_round(world)
    review = review_helpers.task(round_, Direction.STUDENT_PLACEMENT, reviewer=world.users["student_a"])
    review_helpers.submit(review, concern_category=ConcernCategory.SUPERVISION, concern_text=TEXT)
    return review.concerns.get()


def _reviewer_names(world: World) -> list[str]:
    student = helpers.user(world, "student_a")
    return [student.display_name, student.username]


def _nothing_written(concern: Concern) -> None:
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.AWAITING_REPLY and concern.outcome_reference == ""
    assert not InspectionLead.objects.exists()
    assert not concern.messages.filter(kind=MessageKind.REFERRED).exists()


def test_the_office_refers_a_concern_and_the_inspector_records_a_finding_from_it(world: World) -> None:
    concern = _concern(world)
    inspection = helpers.plan(world)  # a planned spot inspection of partner A: secret from the partner
    office = client_for(helpers.user(world, "office"))
    concern_url = reverse("reviews:concern", args=[concern.pk])
    page_url = reverse("supervision:lead-from-concern", args=[concern.pk])
    assert page_url in office.get(concern_url).content.decode()
    assert 'value="referred"' not in office.get(reverse("reviews:concern-decide", args=[concern.pk])).content.decode()
    form = office.get(page_url).content.decode()
    assert TEXT in form and "the reviewer" in form
    assert not any(name in form for name in _reviewer_names(world))

    summary = f"Supervision at night (the reviewer): {TEXT}"
    response = office.post(page_url, {"inspection": inspection.pk, "summary": summary, "note": "To check there."})
    detail_url = reverse("supervision:detail", args=[inspection.pk])
    assert response.status_code == 302 and response["Location"] == f"{detail_url}#leads"
    lead = InspectionLead.objects.get(concern=concern)
    assert lead.inspection == inspection and lead.summary == summary and lead.finding is None
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.REFERRED and concern.outcome_reference == ""
    assert concern.messages.filter(kind=MessageKind.REFERRED).count() == 1
    told = Notification.objects.filter(kind="inspection_lead")
    assert list(told.values_list("user__username", flat=True)) == [helpers.user(world, "inspector").username]

    # The concern links to the inspection for the office only; the partner's people learn nothing of it.
    assert detail_url in office.get(concern_url).content.decode()
    for persona in ("coordinator_a", "supervisor_a", "student_a"):
        assert detail_url not in client_for(helpers.user(world, persona)).get(concern_url).content.decode()
        assert client_for(helpers.user(world, persona)).get(detail_url).status_code == 404

    inspector = client_for(helpers.user(world, "inspector"))
    page = inspector.get(detail_url).content.decode()
    assert "Points referred from student reviews" in page and TEXT in page
    assert not any(name in page for name in _reviewer_names(world))
    assert concern_url not in page  # the inspector cannot follow the point back to the concern

    services.inspection_start(inspection=inspection, by=helpers.user(world, "inspector"))
    # Started: coordinator A sees the inspection, never its points from student reviews.
    coordinator_page = client_for(helpers.user(world, "coordinator_a")).get(detail_url).content.decode()
    assert "Points referred from student reviews" not in coordinator_page and TEXT not in coordinator_page

    add_url = reverse("supervision:finding-add", args=[inspection.pk])
    prefilled = inspector.get(f"{add_url}?lead={lead.pk}").content.decode()
    assert summary in prefilled and f'value="{lead.pk}" selected' in prefilled
    done = inspector.post(add_url, {"lead": lead.pk, "severity": Severity.OBSERVATION, "description": summary})
    assert done.status_code == 302
    lead.refresh_from_db()
    finding = Finding.objects.get(inspection=inspection)
    assert lead.finding == finding and lead.history.count() == 2  # created, then linked: both kept
    with pytest.raises(ValidationError) as twice:  # a point gives one finding only
        services.finding_add(
            inspection=inspection,
            severity=Severity.OBSERVATION,
            description="Twice.",
            lead_id=lead.pk,
            by=helpers.user(world, "inspector"),
        )
    assert twice.value.error_dict["lead"][0].code == "already_recorded"
    assert Finding.objects.filter(inspection=inspection).count() == 1


def _api_body(**details: Any) -> dict[str, Any]:
    return {"outcome": "referred", "note": "For the inspectors.", "details": details}


def test_through_the_concerns_api_refusals_name_the_field_and_write_nothing(world: World) -> None:
    concern = _concern(world)
    api = api_client_for(helpers.user(world, "office"))
    url = reverse("api:concern-decide", args=[concern.pk])
    other_partner = helpers.plan(world, partner=world.partner_b)
    closed = helpers.closed(world)
    planned = helpers.plan(world)
    refusals = [
        (_api_body(summary="Look at nights."), "inspection"),
        (_api_body(inspection=str(other_partner.pk), summary="Look at nights."), "inspection"),
        (_api_body(inspection=str(closed.pk), summary="Look at nights."), "inspection"),
        (_api_body(inspection="nonsense", summary="Look at nights."), "inspection"),
        (_api_body(inspection=str(planned.pk), summary="  "), "summary"),
    ]
    for body, field in refusals:
        refused = api.post(url, body, format="json")
        assert refused.status_code == 400 and field in refused.json()["error"]["fields"], body
        _nothing_written(concern)

    done = api.post(url, _api_body(inspection=str(planned.pk), summary="Look at nights."), format="json")
    assert done.status_code == 200 and done.json()["status"] == ConcernStatus.REFERRED
    assert InspectionLead.objects.get(concern=concern).inspection == planned


def test_the_page_refuses_another_partners_or_a_closed_inspection_and_keeps_what_was_typed(world: World) -> None:
    concern = _concern(world)
    office = client_for(helpers.user(world, "office"))
    page_url = reverse("supervision:lead-from-concern", args=[concern.pk])
    empty = office.get(page_url).content.decode()
    assert 'data-testid="no-inspection"' in empty and f"{reverse('supervision:plan')}?partner=" in empty

    helpers.plan(world)  # one to choose, so the form shows
    for inspection in (helpers.plan(world, partner=world.partner_b), helpers.closed(world)):
        response = office.post(page_url, {"inspection": inspection.pk, "summary": "Typed by the office.", "note": "x"})
        body = response.content.decode()
        assert response.status_code == 200 and 'data-field-error="inspection"' in body
        assert "Typed by the office." in body
        _nothing_written(concern)


def test_every_other_persona_gets_a_404_and_cannot_refer(world: World) -> None:
    concern = _concern(world)
    inspection = helpers.plan(world)
    page_url = reverse("supervision:lead-from-concern", args=[concern.pk])
    body = {"inspection": inspection.pk, "summary": "x", "note": "y"}
    personas = [name for name in world.users if name != "office" and world.users[name] is not None]
    assert {"coordinator_a", "supervisor_a", "student_a", "tutor", "inspector", "counsellor"} <= set(personas)
    concern_url = reverse("reviews:concern", args=[concern.pk])
    for persona in personas:
        client = client_for(helpers.user(world, persona))
        assert client.get(page_url).status_code == 404, persona
        assert client.post(page_url, body).status_code == 404, persona
        assert page_url not in client.get(concern_url).content.decode()
    with pytest.raises(PermissionDenied):
        concerns.concern_decide(
            concern=concern,
            outcome="referred",
            note="y",
            details={"inspection": str(inspection.pk), "summary": "x"},
            by=helpers.user(world, "coordinator_a"),
        )
    _nothing_written(concern)


def test_the_partners_people_never_see_the_points_and_the_page_costs_the_same(world: World) -> None:
    concern = _concern(world)
    inspection = helpers.start(world)
    office = helpers.user(world, "office")
    concerns.concern_decide(
        concern=concern,
        outcome="referred",
        note="Check it.",
        details={"inspection": str(inspection.pk), "summary": "First point."},
        by=office,
    )
    for persona in ("coordinator_a", "supervisor_a", "coordinator_b", "tutor", "student_a"):
        assert not access.scope(InspectionLead.objects.all(), helpers.user(world, persona), "view").exists()
    inspector = client_for(helpers.user(world, "inspector"))
    url = reverse("supervision:detail", args=[inspection.pk])
    with CaptureQueriesContext(connection) as one:
        assert "First point." in inspector.get(url).content.decode()

    second = concerns.concern_raise(
        review=concern.review, category=ConcernCategory.SAFETY, text="No gloves.", by=helpers.user(world, "student_a")
    )
    concerns.concern_decide(
        concern=second,
        outcome="referred",
        note="Check it too.",
        details={"inspection": str(inspection.pk), "summary": "Second point."},
        by=office,
    )
    with CaptureQueriesContext(connection) as two:
        assert "Second point." in inspector.get(url).content.decode()
    assert len(two) == len(one)
