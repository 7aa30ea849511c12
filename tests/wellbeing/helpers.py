"""A psychological service on top of the personas' world (tests/conftest.py), built through the services.

The university runs the service; ``counsellor`` (the persona) counsels there and is on duty. Student A has
asked for help: counsellor took the case, wrote a note holding ``PLANTED``, recorded consent to tell the
tutor, and shared a message with them; student A has a check-in with PHQ-9 and GAD-7 and a booked
appointment. A second counsellor of the same service is not assigned to the case."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from tests.conftest import World
from tests.factories.accounts import UserFactory
from tests.factories.wellbeing import CounsellorFactory, HotlineFactory, ServiceFactory, SlotFactory
from wellbeing.models import Appointment, Case, CaseNote, CheckIn, ConsentKind, Service, Sharing, Slot
from wellbeing.services import appointments, cases, checkins

PLANTED = "zebra-moonlight-7731"
PLANTED_TOPIC = "harbour-lantern-4420"


@dataclass
class Wellbeing:
    service: Service
    counsellor: User
    colleague: User
    case: Case
    note: CaseNote
    check_in: CheckIn
    appointment: Appointment
    free_slot: Slot
    sharing: Sharing


def in_days(days: int, hour: int = 10) -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def build(world: World) -> Wellbeing:
    counsellor = world.users["counsellor"]
    student = world.users["student_a"]
    assert counsellor is not None and student is not None
    service = ServiceFactory.create(name="University counselling", partner=world.university)
    CounsellorFactory.create(user=counsellor, service=service, on_duty=True)
    colleague = CounsellorFactory.create(service=service, user=UserFactory.create(username="colleague")).user
    HotlineFactory.create(name="Campus crisis line", number="400-000-1234")
    case = cases.case_request(by=student, service=service, topic=f"Exam stress {PLANTED_TOPIC}", language="中文")
    cases.case_take(case=case, by=counsellor)
    note = cases.case_note_add(case=case, by=counsellor, body=f"First session. {PLANTED}")
    check_in = checkins.check_in_create(
        by=student, mood=2, stress=4, phq9=[1, 2, 1, 1, 0, 1, 1, 0, 0], gad7=[2] * 7
    ).check_in
    booked_slot = SlotFactory.create(counsellor=counsellor, service=service, starts_at=in_days(3))
    appointment = appointments.appointment_book(by=student, slot=booked_slot)
    free_slot = SlotFactory.create(counsellor=counsellor, service=service, starts_at=in_days(4))
    tutor = world.users["tutor"]
    consent = cases.consent_record(
        case=case, by=counsellor, kind=ConsentKind.SHARING, recipient=tutor, purpose="lighter schedule"
    )
    sharing = cases.sharing_create(
        case=case, consent=consent, by=counsellor, message="Needs a lighter schedule this month."
    )
    case.refresh_from_db()
    return Wellbeing(service, counsellor, colleague, case, note, check_in, appointment, free_slot, sharing)
