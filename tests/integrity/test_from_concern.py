"""A violation opened from a review concern: integrity's handler in ``reviews.hooks.CONCERN_OUTCOMES``.

The office opens the case from the concern (page or concerns API); the case names the concern and the concern
links to the case, for those who may see the case; anybody else cannot reach the page (404) and a refused
case leaves the concern open."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from integrity.models import Case, CaseSource, SubjectKind
from reviews.models import Concern, ConcernCategory, ConcernStatus, Direction, MessageKind
from reviews.services import concerns
from tests.conftest import World, api_client_for, client_for
from tests.reviews import helpers

pytestmark = pytest.mark.django_db


def _concern(world: World) -> Concern:
    """Student A's concern about their placement at partner A, addressed to supervisor A."""
    round_ = helpers.open_round(world)
    review = helpers.task(round_, Direction.STUDENT_PLACEMENT, reviewer=world.users["student_a"])
    helpers.submit(review, concern_category=ConcernCategory.CONDUCT, concern_text="Shouted at in front of patients.")
    return review.concerns.get()


def test_the_office_opens_a_violation_from_a_concern_and_each_links_to_the_other(world: World) -> None:
    concern = _concern(world)
    office = client_for(world.users["office"])
    concern_url = reverse("reviews:concern", args=[concern.pk])
    page_url = reverse("integrity:case-from-concern", args=[concern.pk])
    assert page_url in office.get(concern_url).content.decode()
    decide_form = office.get(reverse("reviews:concern-decide", args=[concern.pk])).content.decode()
    assert 'value="violation"' not in decide_form  # taken on integrity's page, with the case's fields
    form = office.get(page_url).content.decode()
    assert "Shouted at in front of patients." in form and "the reviewer" in form
    assert world.users["student_a"].display_name not in form  # type: ignore[union-attr]

    response = office.post(
        page_url, {"subject": "person", "kind": "breach", "evidence": "As in the thread.", "note": "Serious."}
    )
    case = Case.objects.get(source_concern=concern)
    assert response.status_code == 302 and response["Location"] == reverse("integrity:case", args=[case.pk])
    assert case.source == CaseSource.REVIEW and case.subject_kind == SubjectKind.PERSON
    assert case.subject_user == world.users["supervisor_a"] and case.subject_partner == world.partner_a
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.VIOLATION and concern.outcome_reference == case.number
    assert concern.messages.last().kind == MessageKind.VIOLATION  # type: ignore[union-attr]

    case_url = reverse("integrity:case", args=[case.pk])
    assert case_url in office.get(concern_url).content.decode()
    assert concern_url in office.get(case_url).content.decode()
    # The subject sees their case from the concern; the student who raised it does not learn of the case.
    assert case_url in client_for(world.users["supervisor_a"]).get(concern_url).content.decode()
    assert case_url not in client_for(world.users["student_a"]).get(concern_url).content.decode()


def test_through_the_concerns_api_a_refusal_names_the_field_and_writes_nothing(world: World) -> None:
    concern = _concern(world)
    api = api_client_for(world.users["office"])
    url = reverse("api:concern-decide", args=[concern.pk])
    body = {"outcome": "violation", "note": "Serious.", "details": {"subject": "partner", "evidence": "Thread."}}
    refused = api.post(url, body, format="json")
    assert refused.status_code == 400 and "kind" in refused.json()["error"]["fields"]
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.AWAITING_REPLY and not Case.objects.exists()

    body["details"]["kind"] = "breach"  # type: ignore[index]
    done = api.post(url, body, format="json")
    case = Case.objects.get(source_concern=concern)
    assert done.status_code == 200 and done.json()["outcome_reference"] == case.number
    assert case.subject_kind == SubjectKind.PARTNER and case.subject_partner == world.partner_a
    detail = api.get(reverse("api:case-detail", args=[case.pk])).json()
    assert detail["source_concern"] == concern.pk


def test_only_who_may_open_cases_gets_the_page_or_the_outcome(world: World) -> None:
    concern = _concern(world)
    page_url = reverse("integrity:case-from-concern", args=[concern.pk])
    body = {"subject": "person", "kind": "breach", "evidence": "x", "note": "y"}
    for persona in ("coordinator_a", "supervisor_a", "student_a", "tutor", "coordinator_b", "inspector"):
        client = client_for(world.users[persona])
        assert client.get(page_url).status_code == 404
        assert client.post(page_url, body).status_code == 404
        assert page_url not in client.get(reverse("reviews:concern", args=[concern.pk])).content.decode()
    with pytest.raises(PermissionDenied):
        concerns.concern_decide(
            concern=concern,
            outcome="violation",
            note="y",
            details={"kind": "breach", "evidence": "x"},
            by=world.users["coordinator_a"],  # type: ignore[arg-type]
        )
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.AWAITING_REPLY and not Case.objects.exists()
