"""The psychological service's writes: check-ins and their scoring, crisis answers, requests and consent,
taking, booking, moving and cancelling, notes, sharing under consent, break-glass, retention."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from core.models import Notification
from core.services.notification_email import notification_email_send
from tests.conftest import World
from tests.factories.wellbeing import CounsellorFactory, ServiceFactory
from tests.wellbeing.helpers import PLANTED, PLANTED_TOPIC, build, in_days
from wellbeing import questionnaires
from wellbeing.crypto import TOKEN_PREFIX
from wellbeing.models import (
    AccessLogEntry,
    Appointment,
    AppointmentStatus,
    Case,
    CaseNote,
    CaseStatus,
    CheckIn,
    ConsentKind,
    EventKind,
    Sharing,
    Urgency,
    WellbeingEvent,
)
from wellbeing.services import appointments, cases, checkins, retention
from wellbeing.services.records import URGENT_KIND

pytestmark = pytest.mark.django_db


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 (names are ours)
        return str(cursor.fetchone()[0])


# --- Scoring -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (15, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_bands_are_the_published_ones(total: int, band: str) -> None:
    answers = [3] * (total // 3) + ([total % 3] if total % 3 else [])
    answers += [0] * (9 - len(answers))
    assert questionnaires.phq9_score(answers) == questionnaires.Score(total, band)


@pytest.mark.parametrize(
    ("total", "band"), [(4, "minimal"), (5, "mild"), (10, "moderate"), (14, "moderate"), (15, "severe"), (21, "severe")]
)
def test_gad7_bands_are_the_published_ones(total: int, band: str) -> None:
    answers = [3] * (total // 3) + ([total % 3] if total % 3 else [])
    answers += [0] * (7 - len(answers))
    assert questionnaires.gad7_score(answers).band == band


def test_a_questionnaire_half_answered_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        checkins.check_in_create(by=world.users["student_a"], mood=3, stress=3, phq9=[1, 1])  # type: ignore[arg-type]
    assert error.value.error_dict["__all__"][0].code == "questionnaire"


# --- Check-ins and crisis ------------------------------------------------------------------------------


def test_check_in_keeps_scores_and_encrypts_the_answers(world: World) -> None:
    result = checkins.check_in_create(
        by=world.users["tutor"],  # type: ignore[arg-type]
        mood=4,
        stress=2,
        phq9=[1, 1, 1, 1, 1, 0, 0, 0, 0],
        gad7=[0, 1, 0, 1, 0, 1, 0],  # type: ignore[arg-type]
    )
    row = CheckIn.objects.get(pk=result.check_in.pk)
    assert (row.phq9_score, row.gad7_score, row.crisis) == (5, 3, False)
    assert row.answers == {"phq9": [1, 1, 1, 1, 1, 0, 0, 0, 0], "gad7": [0, 1, 0, 1, 0, 1, 0]}
    raw = _raw("wellbeing_checkin", "answers", row.pk)
    assert raw.startswith(TOKEN_PREFIX) and "phq9" not in raw
    assert result.urgent_case is None
    assert WellbeingEvent.objects.filter(kind=EventKind.CHECK_IN, band=4, role="tutor").count() == 1


def test_crisis_answer_opens_an_urgent_request_and_tells_the_counsellor_on_duty_nothing_more(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    service = ServiceFactory.create(partner=world.university)
    on_duty = CounsellorFactory.create(user=world.users["counsellor"], service=service, on_duty=True)
    off_duty = CounsellorFactory.create(service=service, on_duty=False)
    with django_capture_on_commit_callbacks(execute=True):
        result = checkins.check_in_create(
            by=world.users["student_b"],  # type: ignore[arg-type]
            mood=1,
            stress=5,
            phq9=[2, 2, 2, 2, 2, 2, 2, 2, 1],  # type: ignore[arg-type]
        )
    assert result.check_in.crisis and result.urgent_case is not None
    assert result.urgent_case.urgency == Urgency.URGENT and result.urgent_case.status == CaseStatus.WAITING
    told = Notification.objects.get(kind=URGENT_KIND)
    assert told.user_id == on_duty.user_id
    assert not Notification.objects.filter(user=off_duty.user).exists()
    assert told.subject == "An urgent request is waiting" and told.body == "" and told.params == {}
    assert "student_b" not in told.link and str(result.urgent_case.pk) not in told.link
    world.users["counsellor"].email = "c@example.org"  # type: ignore[union-attr]
    world.users["counsellor"].save()  # type: ignore[union-attr]
    mail.outbox.clear()
    notification_email_send(notification_id=told.pk)
    sent = mail.outbox[0]
    assert "urgent request is waiting" in sent.subject
    for secret in ("PHQ", "student_b", world.users["student_b"].get_full_name() or "student_b", "check-in"):  # type: ignore[union-attr]
        assert secret not in sent.body and secret not in sent.subject


def test_an_urgent_request_tells_the_counsellor_on_duty(world: World, django_capture_on_commit_callbacks: Any) -> None:
    service = ServiceFactory.create(partner=world.university)
    CounsellorFactory.create(user=world.users["counsellor"], service=service, on_duty=True)
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_request(by=world.users["tutor"], service=service, topic=PLANTED_TOPIC, urgency=Urgency.URGENT)  # type: ignore[arg-type]
    told = Notification.objects.get(kind=URGENT_KIND)
    assert PLANTED_TOPIC not in f"{told.subject}{told.body}{told.params}{told.link}"


def test_a_routine_request_tells_nobody(world: World, django_capture_on_commit_callbacks: Any) -> None:
    service = ServiceFactory.create(partner=world.university)
    CounsellorFactory.create(user=world.users["counsellor"], service=service, on_duty=True)
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_request(by=world.users["tutor"], service=service, topic="sleep")  # type: ignore[arg-type]
    assert not Notification.objects.filter(kind=URGENT_KIND).exists()


# --- Requests, consent, taking ---------------------------------------------------------------------------


def test_first_request_needs_consent_and_records_it(world: World) -> None:
    service = ServiceFactory.create(partner=world.university)
    with pytest.raises(ValidationError) as error:
        cases.case_request(by=world.users["supervisor_a"], service=service, topic="work", consent_given=False)  # type: ignore[arg-type]
    assert error.value.error_dict["consent"][0].code == "consent_required"
    case = cases.case_request(by=world.users["supervisor_a"], service=service, topic="work")  # type: ignore[arg-type]
    assert case.consents.get().kind == ConsentKind.FIRST_CONTACT
    assert _raw("wellbeing_case", "topic", case.pk).startswith(TOKEN_PREFIX)
    event = WellbeingEvent.objects.get(kind=EventKind.REQUEST)
    assert (event.partner_id, event.role) == (world.partner_a.pk, "supervisor")


def test_only_the_service_counsellors_take_a_request_and_only_once(world: World) -> None:
    wb = build(world)
    case = cases.case_request(by=world.users["student_b"], service=wb.service, topic="x")  # type: ignore[arg-type]
    outsider = CounsellorFactory.create().user  # another service
    with pytest.raises(PermissionDenied):
        cases.case_take(case=case, by=outsider)
    with pytest.raises(PermissionDenied):
        cases.case_take(case=case, by=world.users["office"])  # type: ignore[arg-type]
    cases.case_take(case=case, by=wb.colleague)
    with pytest.raises(PermissionDenied):  # no longer waiting: out of the take scope
        cases.case_take(case=case, by=wb.counsellor)


def test_a_waiting_request_can_be_withdrawn_by_its_person_only(world: World) -> None:
    wb = build(world)
    case = cases.case_request(by=world.users["student_b"], service=wb.service, topic="x")  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        cases.case_withdraw(case=case, by=world.users["student_a"])  # type: ignore[arg-type]
    assert cases.case_withdraw(case=case, by=world.users["student_b"]).status == CaseStatus.WITHDRAWN  # type: ignore[arg-type]


# --- Slots and appointments ----------------------------------------------------------------------------


def test_booking_assigns_the_counsellor_and_counts_the_waiting_time(world: World) -> None:
    wb = build(world)
    assert wb.appointment.case_id == wb.case.pk
    assert wb.case.first_appointment_at == wb.appointment.slot.starts_at
    event = WellbeingEvent.objects.get(kind=EventKind.REQUEST, source_key=f"case:{wb.case.pk}")
    assert event.wait_days == (wb.appointment.slot.starts_at - wb.case.created_at).days


def test_a_booked_slot_cannot_be_booked_again(world: World) -> None:
    wb = build(world)
    with pytest.raises(ValidationError) as error:
        appointments.appointment_book(by=world.users["student_b"], slot=wb.appointment.slot, consent_given=True)  # type: ignore[arg-type]
    assert error.value.error_dict["slot"][0].code == "slot_taken"


def test_the_database_holds_one_booking_per_slot_unique(world: World) -> None:
    from django.db import IntegrityError, transaction

    wb = build(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(case=wb.case, person=world.users["student_a"], slot=wb.appointment.slot)  # type: ignore[misc]


def test_booking_first_contact_opens_a_case_with_the_slot_counsellor(world: World) -> None:
    wb = build(world)
    with pytest.raises(ValidationError):
        appointments.appointment_book(by=world.users["student_b"], slot=wb.free_slot)  # type: ignore[arg-type]
    booked = appointments.appointment_book(by=world.users["student_b"], slot=wb.free_slot, consent_given=True)  # type: ignore[arg-type]
    assert booked.case.person_id == world.users["student_b"].pk  # type: ignore[union-attr]
    assert booked.case.status == CaseStatus.OPEN
    assert booked.case.assignments.get().counsellor_id == wb.counsellor.pk


def test_moving_keeps_the_old_appointment_and_frees_its_slot(world: World) -> None:
    wb = build(world)
    moved = appointments.appointment_move(appointment=wb.appointment, by=world.users["student_a"], slot=wb.free_slot)  # type: ignore[arg-type]
    wb.appointment.refresh_from_db()
    assert wb.appointment.status == AppointmentStatus.MOVED and moved.moved_from_id == wb.appointment.pk
    assert moved.slot_id == wb.free_slot.pk
    again = appointments.appointment_book(by=world.users["student_a"], slot=wb.appointment.slot)  # type: ignore[arg-type]
    assert again.status == AppointmentStatus.BOOKED


def test_cancel_by_the_person_or_the_counsellor_not_by_others(world: World) -> None:
    wb = build(world)
    for other in ("tutor", "office", "student_b", "coordinator_a"):
        with pytest.raises(PermissionDenied):
            appointments.appointment_cancel(appointment=wb.appointment, by=world.users[other])  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        appointments.appointment_cancel(appointment=wb.appointment, by=wb.colleague)
    cancelled = appointments.appointment_cancel(appointment=wb.appointment, by=wb.counsellor)
    assert cancelled.status == AppointmentStatus.CANCELLED and cancelled.cancelled_by_id == wb.counsellor.pk


def test_slots_are_offered_by_counsellors_only(world: World) -> None:
    build(world)
    with pytest.raises(PermissionDenied):
        appointments.slot_create(by=world.users["office"], starts_at=in_days(5))  # type: ignore[arg-type]
    slot = appointments.slot_create(by=world.users["counsellor"], starts_at=in_days(5), minutes=30)  # type: ignore[arg-type]
    assert slot.service.name == "University counselling"
    with pytest.raises(ValidationError):
        appointments.slot_create(by=world.users["counsellor"], starts_at=timezone.now() - datetime.timedelta(hours=1))  # type: ignore[arg-type]


# --- Notes, sharing, break-glass, closing ----------------------------------------------------------------


def test_notes_are_encrypted_and_written_by_assigned_counsellors_only(world: World) -> None:
    wb = build(world)
    assert _raw("wellbeing_casenote", "body", wb.note.pk).startswith(TOKEN_PREFIX)
    assert PLANTED not in _raw("wellbeing_casenote", "body", wb.note.pk)
    assert CaseNote.objects.get(pk=wb.note.pk).body.endswith(PLANTED)
    for other in ("office", "tutor", "coordinator_a", "student_a"):
        with pytest.raises(PermissionDenied):
            cases.case_note_add(case=wb.case, by=world.users[other], body="x")  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        cases.case_note_add(case=wb.case, by=wb.colleague, body="x")


def test_nothing_is_shared_without_consent_and_sharing_is_recorded(world: World) -> None:
    wb = build(world)
    first = wb.case.consents.get(kind=ConsentKind.FIRST_CONTACT)
    with pytest.raises(ValidationError) as error:
        cases.sharing_create(case=wb.case, consent=first, by=wb.counsellor, message="x")
    assert error.value.error_dict["consent"][0].code == "no_consent"
    consent = wb.sharing.consent
    cases.consent_withdraw(consent=consent, by=world.users["student_a"])  # type: ignore[arg-type]
    consent.refresh_from_db()
    with pytest.raises(ValidationError):
        cases.sharing_create(case=wb.case, consent=consent, by=wb.counsellor, message="more")
    assert Sharing.objects.filter(case=wb.case).count() == 1
    assert _raw("wellbeing_sharing", "message", wb.sharing.pk).startswith(TOKEN_PREFIX)
    told = Notification.objects.get(user=world.users["tutor"], kind="wellbeing_shared")
    assert "lighter" not in f"{told.subject}{told.body}{told.params}"


def test_break_glass_needs_a_reason_and_is_logged_for_the_person(world: World) -> None:
    wb = build(world)
    with pytest.raises(ValidationError):
        cases.case_break_glass(case=wb.case, by=wb.colleague, reason="")
    cases.case_break_glass(case=wb.case, by=wb.colleague, reason="Counsellor away; person in crisis")
    entry = AccessLogEntry.objects.get(subject=world.users["student_a"], reader=wb.colleague)
    assert entry.reason == "Counsellor away; person in crisis"
    cases.case_note_add(case=wb.case, by=wb.colleague, body="Called the person.")
    with pytest.raises(PermissionDenied):  # another service's counsellor cannot break the glass
        cases.case_break_glass(case=wb.case, by=CounsellorFactory.create().user, reason="x" * 20)


def test_refer_and_close(world: World) -> None:
    wb = build(world)
    cases.case_refer(case=wb.case, by=wb.counsellor, to="City hospital psychiatry")
    closed = cases.case_close(case=wb.case, by=wb.counsellor, summary="Better; referred.")
    assert closed.status == CaseStatus.CLOSED and closed.closed_at is not None
    assert [n.kind for n in closed.notes.all()] == ["note", "referral", "closing"]
    with pytest.raises(ValidationError):
        cases.case_note_add(case=closed, by=wb.counsellor, body="late")


# --- Retention ---------------------------------------------------------------------------------------


def test_closed_cases_are_destroyed_after_the_period_leaving_anonymous_counts(world: World) -> None:
    wb = build(world)
    cases.case_close(case=wb.case, by=wb.counsellor, summary="done")
    open_case = cases.case_request(by=world.users["student_b"], service=wb.service, topic="y")  # type: ignore[arg-type]
    events_before = WellbeingEvent.objects.count()
    with override_settings(WELLBEING_RETENTION_DAYS=30):
        assert retention.wellbeing_records_destroy().cases == 0  # closed today: kept
        later = timezone.now() + datetime.timedelta(days=31)
        destroyed = retention.wellbeing_records_destroy(now=later)
    assert destroyed.cases == 1 and destroyed.check_ins == 1
    assert not Case.objects.filter(pk=wb.case.pk).exists()
    assert not CaseNote.objects.filter(case_id=wb.case.pk).exists()
    assert not Appointment.objects.filter(case_id=wb.case.pk).exists()
    assert Case.objects.filter(pk=open_case.pk).exists()
    assert WellbeingEvent.objects.count() == events_before
    # student A's request, appointment and check-in name nobody now; student B's open request keeps its key
    assert WellbeingEvent.objects.filter(person_key="").count() == 3
    assert WellbeingEvent.objects.exclude(person_key="").count() == 1
    with override_settings(WELLBEING_RETENTION_DAYS=30):
        assert retention.wellbeing_records_destroy(now=later).cases == 0  # twice: harmless


def test_the_retention_job_runs_the_service(world: World) -> None:
    from wellbeing.tasks import wellbeing_records_destroy

    assert wellbeing_records_destroy.apply().get() == {"cases": 0, "check_ins": 0}
