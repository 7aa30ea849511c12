"""The wellbeing pages: check-in and crisis help, asking, booking, moving and cancelling, the counsellor's
dashboard, case page and calendar; refusals keep what was typed; list pages cost the same at two sizes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Notification
from tests.conftest import World, client_for
from tests.factories.accounts import UserFactory
from tests.factories.wellbeing import SlotFactory
from tests.wellbeing.helpers import PLANTED, build, in_days
from wellbeing.models import (
    Appointment,
    AppointmentStatus,
    Case,
    CaseNote,
    CaseStatus,
    CheckIn,
    Counsellor,
    Urgency,
)
from wellbeing.services import appointments, cases, checkins
from wellbeing.services.records import URGENT_KIND

pytestmark = pytest.mark.django_db


def test_a_check_in_is_saved_and_shown_in_my_history(world: World) -> None:
    build(world)
    client = client_for(world.users["supervisor_b"])
    response = client.post(
        reverse("wellbeing:check-in"), {"mood": 4, "stress": 2, **{f"gad7_{i}": 1 for i in range(1, 8)}}
    )
    assert response.status_code == 302 and response["Location"] == reverse("wellbeing:history")
    check_in = CheckIn.objects.get(person=world.users["supervisor_b"])
    assert check_in.gad7_score == 7 and check_in.phq9_score is None
    page = client.get(reverse("wellbeing:history")).content.decode()
    assert 'data-testid="wb-chart"' in page and "mild" in page


def test_a_crisis_answer_shows_help_at_once_and_tells_the_counsellor_on_duty(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    build(world)
    client = client_for(world.users["student_b"])
    answers = {f"phq9_{i}": 1 for i in range(1, 10)}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("wellbeing:check-in"), {"mood": 1, "stress": 5, **answers})
    assert response.status_code == 302 and response["Location"].endswith("?crisis=1")
    page = client.get(response["Location"]).content.decode()
    assert "400-000-1234" in page and 'data-testid="wb-crisis"' in page
    assert Case.objects.get(person=world.users["student_b"]).urgency == Urgency.URGENT
    assert Notification.objects.filter(user=world.users["counsellor"], kind=URGENT_KIND).count() == 1


def test_a_half_answered_questionnaire_is_refused_and_the_answers_kept(world: World) -> None:
    build(world)
    response = client_for(world.users["tutor"]).post(
        reverse("wellbeing:check-in"), {"mood": 3, "stress": 3, "phq9_1": 2}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert ("Answer every question" in page and 'value="3" checked' in page) or "checked" in page
    assert not CheckIn.objects.filter(person=world.users["tutor"]).exists()


def test_asking_without_consent_keeps_the_text(world: World) -> None:
    wb = build(world)
    response = client_for(world.users["tutor"]).post(
        reverse("wellbeing:request"),
        {"topic": "Workload worries", "urgency": "routine", "service": wb.service.pk, "mode": "online"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Workload worries" in page and "agree" in page
    assert not Case.objects.filter(person=world.users["tutor"]).exists()


def test_a_student_books_moves_and_cancels(world: World) -> None:
    wb = build(world)
    later = SlotFactory.create(counsellor=wb.counsellor, service=wb.service, starts_at=in_days(6))
    client = client_for(world.users["student_a"])
    page = client.get(reverse("wellbeing:book")).content.decode()
    assert str(wb.free_slot.pk) in page and f'value="{wb.appointment.slot_id}"' not in page  # booked: not offered
    response = client.post(reverse("wellbeing:book"), {"slot": wb.free_slot.pk})
    assert response.status_code == 302
    booked = Appointment.objects.get(slot=wb.free_slot, status=AppointmentStatus.BOOKED)
    move_url = f"{reverse('wellbeing:book')}?move={booked.pk}"
    assert client.get(move_url).status_code == 200
    client.post(reverse("wellbeing:book"), {"slot": later.pk, "move": booked.pk})
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.MOVED
    moved = Appointment.objects.get(slot=later)
    client.post(reverse("wellbeing:appointment-cancel", args=[moved.pk]))
    moved.refresh_from_db()
    assert moved.status == AppointmentStatus.CANCELLED


def test_moving_someone_else_s_appointment_is_a_404(world: World) -> None:
    wb = build(world)
    response = client_for(world.users["student_b"]).get(f"{reverse('wellbeing:book')}?move={wb.appointment.pk}")
    assert response.status_code == 404


def test_a_taken_slot_is_refused_on_the_page(world: World) -> None:
    wb = build(world)
    response = client_for(world.users["student_b"]).post(
        reverse("wellbeing:book"), {"slot": wb.appointment.slot_id, "consent": "on"}
    )
    assert response.status_code == 200 and "no longer free" in response.content.decode()


def test_the_counsellor_takes_a_request_writes_a_note_and_closes(world: World) -> None:
    wb = build(world)
    waiting = cases.case_request(by=world.users["student_b"], service=wb.service, topic="sleep", urgency=Urgency.SOON)  # type: ignore[arg-type]
    client = client_for(wb.counsellor)
    dashboard = client.get(reverse("wellbeing:dashboard")).content.decode()
    assert f"Request #{waiting.pk}" in dashboard and "sleep" not in dashboard and "student_b" not in dashboard
    assert client.post(reverse("wellbeing:request-take", args=[waiting.pk])).status_code == 302
    client.post(reverse("wellbeing:case-note", args=[waiting.pk]), {"body": "Talked about sleep."})
    assert CaseNote.objects.get(case=waiting).body == "Talked about sleep."
    response = client.post(reverse("wellbeing:case-close", args=[waiting.pk]), {"summary": ""})
    assert response.status_code == 200  # refused: the summary is required, the page shows again
    client.post(reverse("wellbeing:case-close", args=[waiting.pk]), {"summary": "Sleeping better."})
    waiting.refresh_from_db()
    assert waiting.status == CaseStatus.CLOSED


def test_the_case_page_shows_notes_consent_and_the_outcome_chart(world: World) -> None:
    wb = build(world)
    page = client_for(wb.counsellor).get(reverse("wellbeing:case", args=[wb.case.pk])).content.decode()
    assert PLANTED in page and 'data-testid="wb-chart"' in page and "<polyline" in page
    assert "lighter schedule" in page


def test_a_colleague_not_assigned_gets_a_404_on_the_case(world: World) -> None:
    wb = build(world)
    assert client_for(wb.colleague).get(reverse("wellbeing:case", args=[wb.case.pk])).status_code == 404


def test_the_counsellor_offers_and_withdraws_a_time(world: World) -> None:
    wb = build(world)
    client = client_for(wb.counsellor)
    response = client.post(
        reverse("wellbeing:calendar"),
        {"starts_at": in_days(8).strftime("%Y-%m-%dT%H:%M"), "minutes": 45, "mode": "online", "place": ""},
    )
    assert response.status_code == 302
    page = client.get(reverse("wellbeing:calendar")).content.decode()
    assert "student_a" in page or world.users["student_a"].display_name in page  # type: ignore[union-attr]
    client.post(reverse("wellbeing:slot-withdraw", args=[wb.free_slot.pk]))
    wb.free_slot.refresh_from_db()
    assert wb.free_slot.withdrawn


def test_the_office_keeps_the_hotlines(world: World) -> None:
    build(world)
    client = client_for(world.users["office"])
    client.post(reverse("wellbeing:hotlines"), {"name": "Night line", "number": "400-999", "hours": "22-6"})
    assert "400-999" in client_for(world.users["student_a"]).get(reverse("wellbeing:help")).content.decode()


def test_navigation_and_start_panels(world: World) -> None:
    build(world)
    student_start = client_for(world.users["student_a"]).get(reverse("core:start")).content.decode()
    assert 'data-panel="wellbeing"' in student_start and reverse("wellbeing:home") in student_start
    assert 'data-panel="counselling"' not in student_start
    counsellor_start = client_for(world.users["counsellor"]).get(reverse("core:start")).content.decode()
    assert 'data-panel="counselling"' in counsellor_start and reverse("wellbeing:dashboard") in counsellor_start
    office_start = client_for(world.users["office"]).get(reverse("core:start")).content.decode()
    assert reverse("wellbeing:statistics") in office_start


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _more_people(wb: Any, count: int) -> None:
    for i in range(count):
        person = UserFactory.create()
        case = cases.case_request(by=person, service=wb.service, topic=f"t{i}")
        cases.case_take(case=case, by=wb.counsellor)
        slot = SlotFactory.create(counsellor=wb.counsellor, service=wb.service, starts_at=in_days(1, hour=8 + i))
        appointments.appointment_book(by=person, slot=slot)
        checkins.check_in_create(by=person, mood=3, stress=3)
        cases.case_request(by=UserFactory.create(), service=wb.service, topic="waiting")


def test_list_pages_cost_the_same_at_two_sizes(world: World) -> None:
    wb = build(world)
    counsellor, student = client_for(wb.counsellor), client_for(world.users["student_a"])
    urls = [reverse("wellbeing:dashboard"), reverse("wellbeing:calendar")]
    small = [_count(counsellor, url) for url in urls] + [
        _count(student, reverse("wellbeing:history")),
        _count(student, reverse("wellbeing:home")),
    ]
    _more_people(wb, 4)
    for _i in range(5):
        checkins.check_in_create(by=world.users["student_a"], mood=2, stress=2, phq9=[1] * 9)  # type: ignore[arg-type]
    large = [_count(counsellor, url) for url in urls] + [
        _count(student, reverse("wellbeing:history")),
        _count(student, reverse("wellbeing:home")),
    ]
    assert large == small


def test_the_counsellor_goes_off_and_on_duty(world: World, django_capture_on_commit_callbacks: Any) -> None:
    wb = build(world)
    client = client_for(wb.counsellor)
    client.post(reverse("wellbeing:duty"), {"on_duty": "0"})
    assert "Go on duty" in client.get(reverse("wellbeing:dashboard")).content.decode()
    colleague = Counsellor.objects.get(user=wb.colleague)
    colleague.on_duty = True
    colleague.save()
    with django_capture_on_commit_callbacks(execute=True):
        student_b = world.users["student_b"]
        assert student_b is not None
        cases.case_request(by=student_b, service=wb.service, topic="now", urgency=Urgency.URGENT, consent_given=True)
    told = Notification.objects.filter(kind=URGENT_KIND).values_list("user__username", flat=True)
    assert list(told) == ["colleague"]


def test_a_counsellor_is_not_offered_their_own_times(world: World) -> None:
    wb = build(world)
    page = client_for(wb.counsellor).get(reverse("wellbeing:book")).content.decode()
    assert f'value="{wb.free_slot.pk}"' not in page
