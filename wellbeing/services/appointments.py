"""Slots and appointments: a counsellor offers times; a person books, moves or cancels one.

Booking happens within a case of the person: their open case at the slot's service, or, at first contact,
a new one assigned to the slot's counsellor. One booked appointment per slot is a database constraint, so
two people racing for the last slot cannot both get it."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.validation import refuse
from partners import access
from wellbeing.models import (
    Appointment,
    AppointmentStatus,
    Assignment,
    Case,
    CaseStatus,
    Counsellor,
    EventKind,
    Mode,
    Slot,
    Urgency,
)
from wellbeing.services.cases import case_request, has_first_contact_consent, request_wait_record
from wellbeing.services.records import event_record

ACTIVE = (CaseStatus.WAITING, CaseStatus.OPEN, CaseStatus.REFERRED)


def slot_create(
    *, by: User, starts_at: datetime.datetime, minutes: int = 50, mode: str = Mode.IN_PERSON, place: str = ""
) -> Slot:
    """A counsellor offers a time at their service."""
    access.require(by, "create", Slot)
    counsellor = Counsellor.objects.get(user=by)
    if starts_at <= timezone.now():
        raise refuse("starts_at", "past", _("Offer a time in the future."))
    if not 10 <= minutes <= 240:
        raise refuse("minutes", "range", _("A slot lasts from 10 to 240 minutes."))
    if Slot.objects.filter(counsellor=by, starts_at=starts_at).exists():
        raise refuse("starts_at", "duplicate", _("You already offer this time."))
    return Slot.objects.create(
        counsellor=by, service=counsellor.service, starts_at=starts_at, minutes=minutes, mode=mode, place=place.strip()
    )


def counsellor_duty_set(*, by: User, on_duty: bool) -> Counsellor:
    """A counsellor goes on or off duty: those on duty are told at once of urgent requests."""
    access.require(by, "create", Slot)
    Counsellor.objects.filter(user=by).update(on_duty=on_duty)
    return Counsellor.objects.get(user=by)


def slot_withdraw(*, slot: Slot, by: User) -> Slot:
    """The counsellor withdraws a free slot (a booked one is cancelled first, with the person told)."""
    access.require(by, "manage", slot)
    if slot.appointments.filter(status=AppointmentStatus.BOOKED).exists():
        raise refuse("__all__", "booked", _("This time is booked: cancel the appointment first."))
    Slot.objects.filter(pk=slot.pk).update(withdrawn=True)
    slot.refresh_from_db()
    return slot


def _is_free(slot: Slot) -> bool:
    return (
        not slot.withdrawn
        and slot.starts_at > timezone.now()
        and not slot.appointments.filter(status=AppointmentStatus.BOOKED).exists()
    )


def _case_for_booking(*, by: User, slot: Slot, consent_given: bool) -> Case:
    case = (
        Case.objects.filter(person=by, service=slot.service, status__in=ACTIVE)
        .order_by("-urgency", "created_at")
        .first()
    )
    if case is None:
        if not has_first_contact_consent(by) and not consent_given:
            raise refuse("consent", "consent_required", _("Please read what the service keeps and agree to it."))
        case = case_request(
            by=by,
            service=slot.service,
            topic=_("Booked an appointment directly."),
            urgency=Urgency.ROUTINE,
            mode=slot.mode,
            consent_given=consent_given,
        )
    if case.status == CaseStatus.WAITING:
        Case.objects.filter(pk=case.pk, status=CaseStatus.WAITING).update(
            status=CaseStatus.OPEN, taken_at=timezone.now()
        )
    if not Assignment.objects.in_force().filter(case=case, counsellor_id=slot.counsellor_id).exists():
        Assignment.objects.create(case=case, counsellor_id=slot.counsellor_id)
    case.refresh_from_db()
    return case


def appointment_book(
    *, by: User, slot: Slot, consent_given: bool = False, moved_from: Appointment | None = None
) -> Appointment:
    """Book a free slot for oneself. The slot's counsellor is assigned to the person's case."""
    access.require(by, "view", slot)
    if slot.counsellor_id == by.pk:
        raise refuse("slot", "own_slot", _("This is one of your own times."))
    if not _is_free(slot):
        raise refuse("slot", "slot_taken", _("This time is no longer free: choose another."))
    try:
        with transaction.atomic():
            case = _case_for_booking(by=by, slot=slot, consent_given=consent_given)
            appointment = Appointment.objects.create(case=case, person=by, slot=slot, moved_from=moved_from)
            event_record(
                kind=EventKind.APPOINTMENT,
                person=by,
                when=slot.starts_at,
                source_key=f"case:{case.pk}",
                partner=case.partner,
                role=case.role,
            )
            request_wait_record(case=case, first_at=slot.starts_at)
    except IntegrityError:
        raise refuse("slot", "slot_taken", _("This time is no longer free: choose another.")) from None
    return appointment


def appointment_cancel(*, appointment: Appointment, by: User, status: str = AppointmentStatus.CANCELLED) -> Appointment:
    """The person or their counsellor cancels a booked appointment; the slot is free again."""
    access.require(by, "cancel", appointment)
    updated = Appointment.objects.filter(pk=appointment.pk, status=AppointmentStatus.BOOKED).update(
        status=status, cancelled_at=timezone.now(), cancelled_by=by
    )
    if not updated:
        raise refuse("__all__", "not_booked", _("This appointment is not booked any more."))
    appointment.refresh_from_db()
    return appointment


def appointment_move(*, appointment: Appointment, by: User, slot: Slot) -> Appointment:
    """Move an appointment to another free slot: the old one is kept as "moved", the new one points at it."""
    access.require(by, "cancel", appointment)
    if appointment.person_id != by.pk:
        raise refuse("__all__", "not_yours", _("Only the person can move their appointment."))
    if slot.service_id != appointment.slot.service_id:
        raise refuse("slot", "other_service", _("Choose a time at the same service."))
    with transaction.atomic():
        appointment_cancel(appointment=appointment, by=by, status=AppointmentStatus.MOVED)
        return appointment_book(by=by, slot=slot, moved_from=appointment)
