"""The wellbeing API: one's own check-ins, requests and appointments, a counsellor's cases; reads logged;
lists cost the same at two sizes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import World, api_client_for
from tests.factories.accounts import UserFactory
from tests.factories.wellbeing import SlotFactory
from tests.wellbeing.helpers import PLANTED_TOPIC, build, in_days
from wellbeing.models import AccessLogEntry, AppointmentStatus, CaseStatus
from wellbeing.services import appointments, cases, checkins

pytestmark = pytest.mark.django_db


def _rows(body: Any) -> list[dict[str, Any]]:
    return body["results"] if isinstance(body, dict) else body


def test_a_person_checks_in_and_reads_scores_never_answers(world: World) -> None:
    build(world)
    api = api_client_for(world.users["tutor"])
    made = api.post(
        reverse("api:wellbeing-check-in-list"), {"mood": 2, "stress": 4, "phq9": [1] * 8 + [0]}, format="json"
    )
    assert made.status_code == 201 and made.json()["phq9_score"] == 8 and made.json()["phq9_band"] == "mild"
    rows = _rows(api.get(reverse("api:wellbeing-check-in-list")).json())
    assert len(rows) == 1 and "answers" not in rows[0]


def test_a_half_questionnaire_is_a_400(world: World) -> None:
    build(world)
    api = api_client_for(world.users["tutor"])
    response = api.post(reverse("api:wellbeing-check-in-list"), {"mood": 2, "stress": 4, "phq9": [1, 1]}, format="json")
    assert response.status_code == 400 and response.json()["error"]["fields"]["phq9"]


def test_asking_needs_consent_the_first_time(world: World) -> None:
    wb = build(world)
    api = api_client_for(world.users["tutor"])
    refused = api.post(reverse("api:wellbeing-request-list"), {"service": wb.service.pk, "topic": "x"}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "consent_required"
    made = api.post(
        reverse("api:wellbeing-request-list"), {"service": wb.service.pk, "topic": "x", "consent": True}, format="json"
    )
    assert made.status_code == 201
    withdrawn = api.post(reverse("api:wellbeing-request-withdraw", args=[made.json()["id"]]))
    assert withdrawn.json()["status"] == CaseStatus.WITHDRAWN


def test_the_counsellor_reads_their_case_and_the_read_is_logged(world: World) -> None:
    wb = build(world)
    api = api_client_for(wb.counsellor)
    body = api.get(reverse("api:wellbeing-request-detail", args=[wb.case.pk])).json()
    assert PLANTED_TOPIC in body["topic"]
    assert AccessLogEntry.objects.filter(
        subject=world.users["student_a"], reader=wb.counsellor, what__startswith="request (API)"
    ).exists()


def test_booking_and_cancelling_through_the_api(world: World) -> None:
    wb = build(world)
    api = api_client_for(world.users["student_b"])
    booked = api.post(
        reverse("api:wellbeing-appointment-list"), {"slot": wb.free_slot.pk, "consent": True}, format="json"
    )
    assert booked.status_code == 201
    again = api_client_for(world.users["tutor"]).post(
        reverse("api:wellbeing-appointment-list"), {"slot": wb.free_slot.pk, "consent": True}, format="json"
    )
    assert again.status_code == 400 and again.json()["error"]["code"] == "slot_taken"
    cancelled = api.post(reverse("api:wellbeing-appointment-cancel", args=[booked.json()["id"]]))
    assert cancelled.json()["status"] == AppointmentStatus.CANCELLED


def _count(api: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api.get(url).status_code == 200
    return len(captured.captured_queries)


def test_lists_cost_the_same_at_two_sizes(world: World) -> None:
    wb = build(world)
    api = api_client_for(wb.counsellor)
    urls = [reverse(f"api:wellbeing-{name}-list") for name in ("check-in", "request", "appointment")]
    small = [_count(api, url) for url in urls]
    for i in range(4):
        person = UserFactory.create()
        case = cases.case_request(by=person, service=wb.service, topic=f"t{i}")
        cases.case_take(case=case, by=wb.counsellor)
        appointments.appointment_book(
            by=person,
            slot=SlotFactory.create(counsellor=wb.counsellor, service=wb.service, starts_at=in_days(1, 8 + i)),
        )
        checkins.check_in_create(by=person, mood=3, stress=3)
    large = [_count(api, url) for url in urls]
    assert large == small
