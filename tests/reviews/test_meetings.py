"""Supervision meetings: recorded by the tutor or a supervisor, confirmed or disputed by the student (the
minutes stay as recorded), actions on the owners' start pages, the plan section and the at-risk shortfall."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from reviews.models import MinutesStatus, ReviewSchedule, ReviewTerm
from reviews.services import meetings
from reviews.services.meetings import AgreedAction
from students.selectors.lists import student_list
from tests.conftest import World, api_client_for, client_for
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def _meeting(world: World):  # type: ignore[no-untyped-def]
    return meetings.meeting_record(
        student=world.student_a,
        held_on=timezone.localdate(),
        minutes="Discussed the CT protocol project.",
        attendees=[world.users["tutor"], world.users["supervisor_a"]],  # type: ignore[list-item]
        actions=[AgreedAction("Draft the protocol", world.users["student_a"], timezone.localdate())],  # type: ignore[arg-type]
        by=world.users["tutor"],  # type: ignore[arg-type]
    )


def test_the_tutor_records_and_the_student_confirms_once(world: World) -> None:
    meeting = _meeting(world)
    assert meeting.minutes_status == MinutesStatus.AWAITING
    response = client_for(world.users["student_a"]).post(
        reverse("reviews:meeting-answer", args=[meeting.pk]), {"answer": "confirm"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes_status == MinutesStatus.CONFIRMED
    with pytest.raises(ValidationError):
        meetings.meeting_dispute(meeting=meeting, comment="Changed my mind", by=world.users["student_a"])  # type: ignore[arg-type]


def test_a_dispute_needs_a_comment_and_keeps_the_minutes(world: World) -> None:
    meeting = _meeting(world)
    page = client_for(world.users["student_a"]).post(
        reverse("reviews:meeting-answer", args=[meeting.pk]), {"answer": "dispute", "comment": ""}
    )
    assert page.status_code == 200 and "Say what is wrong" in page.content.decode()
    api = api_client_for(world.users["student_a"]).post(
        reverse("api:meeting-dispute", args=[meeting.pk]), {"comment": "We agreed on MR, not CT."}, format="json"
    )
    assert api.status_code == 200 and api.json()["minutes_status"] == MinutesStatus.DISPUTED
    meeting.refresh_from_db()
    assert meeting.minutes == "Discussed the CT protocol project."


def test_only_the_student_s_people_record_and_attend(world: World) -> None:
    with pytest.raises(PermissionDenied):
        meetings.meeting_record(
            student=world.student_a,
            held_on=timezone.localdate(),
            minutes="x",
            by=world.users["supervisor_b"],  # type: ignore[arg-type]
        )
    with pytest.raises(ValidationError):
        meetings.meeting_record(
            student=world.student_a,
            held_on=timezone.localdate(),
            minutes="x",
            attendees=[UserFactory.create()],
            by=world.users["tutor"],  # type: ignore[arg-type]
        )
    response = api_client_for(world.users["supervisor_b"]).post(
        reverse("api:meeting-list"),
        {"student": world.student_a.pk, "held_on": str(timezone.localdate()), "minutes": "x"},
        format="json",
    )
    assert response.status_code == 400


def test_other_partner_gets_404_on_the_meeting(world: World) -> None:
    meeting = _meeting(world)
    for persona in ("supervisor_b", "coordinator_b", "student_b"):
        assert client_for(world.users[persona]).get(reverse("reviews:meeting", args=[meeting.pk])).status_code == 404
    assert client_for(world.users["supervisor_a"]).get(reverse("reviews:meeting", args=[meeting.pk])).status_code == 200


def test_actions_show_on_the_owner_s_start_page_and_are_done_by_the_owner(world: World) -> None:
    meeting = _meeting(world)
    action = meeting.actions.get()
    page = client_for(world.users["student_a"]).get(reverse("core:start")).content.decode()
    assert "Draft the protocol" in page and 'data-panel="reviews"' in page
    assert client_for(world.users["tutor"]).post(reverse("reviews:action-done", args=[action.pk])).status_code == 404
    assert (
        client_for(world.users["student_a"]).post(reverse("reviews:action-done", args=[action.pk])).status_code == 302
    )
    action.refresh_from_db()
    assert action.done_at is not None


def test_the_plan_shows_meetings_against_the_minimum_and_a_shortfall_is_at_risk(world: World) -> None:
    today = timezone.localdate()
    ReviewSchedule.objects.create(programme=world.programme, min_meetings_per_term=2)
    ReviewTerm.objects.create(
        programme=world.programme,
        name="This term",
        start_date=today - datetime.timedelta(days=100),
        end_date=today + datetime.timedelta(days=10),
    )
    _meeting(world)
    page = (
        client_for(world.users["student_a"]).get(reverse("students:plan", args=[world.student_a.pk])).content.decode()
    )
    assert "1 of at least 2 meetings held in This term." in page
    at_risk = student_list(user=world.users["office"], filters={"at_risk": True})  # type: ignore[arg-type]
    rows = {s.pk: s for s in at_risk}
    assert rows[world.student_a.pk].risk_meetings is True  # type: ignore[attr-defined]
    meetings.meeting_record(student=world.student_a, held_on=today, minutes="Second.", by=world.users["tutor"])  # type: ignore[arg-type]
    rows = {s.pk: s for s in student_list(user=world.users["office"], filters={})}  # type: ignore[arg-type]
    assert rows[world.student_a.pk].risk_meetings is False  # type: ignore[attr-defined]
