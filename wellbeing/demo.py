"""The psychological service in the demo (``seed_demo`` runs ``seed()`` after the base demo; idempotent).

The university's counselling centre, with ``counsellor`` on duty, and the enterprise's own staff service.
``counsellor``'s caseload: ``student`` (exam stress; weekly check-ins with PHQ-9 and GAD-7 improving, an
upcoming appointment, a sharing consent naming ``tutor`` and a message shared with them), ``tutor``
(workload) and ``sup-enterprise``, an engineer of the enterprise (sleep; referred). Free slots over the
next two weeks; one request waiting to be taken. The statistics show some cells and suppress others: the
months before today hold anonymous counts (what retention leaves), more at the university than elsewhere.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import User
from partners.models import Partner
from wellbeing.models import (
    Appointment,
    Case,
    CaseNote,
    CheckIn,
    ConsentKind,
    Counsellor,
    EventKind,
    Hotline,
    Mode,
    Service,
    Slot,
    Urgency,
    WellbeingEvent,
)
from wellbeing.selectors import log_read
from wellbeing.services import appointments, cases, checkins

CENTRE = "University counselling centre"
HISTORY_KEY = "demo-history"

#: (short name of the partner, people per month for six months, oldest first): the university's cells show,
#: the hospital's sometimes, the enterprise's and the institute's never (fewer than 10 people).
HISTORY = (
    ("LMU", (14, 18, 16, 21, 19, 23)),
    ("AH", (11, 6, 12, 10, 7, 13)),
    ("IMG-E", (3, 2, 4, 1, 5, 2)),
    ("BME-I", (1, 0, 2, 1, 0, 1)),
)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localtime() + datetime.timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def _history(partners: dict[str, Partner]) -> None:
    """Anonymous counts of earlier months (no person key: what stays once records are destroyed)."""
    first = timezone.localdate().replace(day=1)
    months = []
    for _i in range(6):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        months.append(first)
    months.reverse()
    rows = []
    for short, counts in HISTORY:
        for month, count in zip(months, counts, strict=True):
            for i in range(count):
                role = "student" if i % 3 else "supervisor"
                rows.append(
                    WellbeingEvent(
                        kind=EventKind.REQUEST,
                        month=month,
                        partner=partners[short],
                        role=role,
                        source_key=HISTORY_KEY,
                        wait_days=2 + i % 6,
                    )
                )
                rows.append(
                    WellbeingEvent(
                        kind=EventKind.APPOINTMENT,
                        month=month,
                        partner=partners[short],
                        role=role,
                        source_key=HISTORY_KEY,
                    )
                )
                for _n in range(2):
                    rows.append(
                        WellbeingEvent(
                            kind=EventKind.CHECK_IN,
                            month=month,
                            partner=partners[short],
                            role=role,
                            source_key=HISTORY_KEY,
                            band=2 + (i % 4),
                        )
                    )
    WellbeingEvent.objects.bulk_create(rows)


def seed() -> None:
    """Create the demo service once (a second run finds the centre and does nothing)."""
    if Service.objects.filter(name=CENTRE).exists():
        return
    partners = {p.short_name: p for p in Partner.objects.filter(short_name__in=["LMU", "AH", "IMG-E", "BME-I"])}
    counsellor, student, tutor, engineer = (_user(n) for n in ("counsellor", "student", "tutor", "sup-enterprise"))
    centre = Service.objects.create(name=CENTRE, partner=partners["LMU"])
    Service.objects.create(name="Huaxin staff counselling", partner=partners["IMG-E"])
    Counsellor.objects.create(user=counsellor, service=centre, languages="中文, English", on_duty=True)
    Hotline.objects.create(
        name="Lead Medical University 24-hour support line", number="400-123-4567", hours="24/7", order=1
    )
    Hotline.objects.create(name="National psychological assistance hotline", number="12356", hours="24/7", order=2)
    Hotline.objects.create(
        name="Beijing Psychological Crisis Intervention Center", number="010-82951332", hours="24/7", order=3
    )

    # student: weekly check-ins over two months, getting better
    scores = ((11, 10), (12, 11), (10, 9), (9, 9), (8, 7), (7, 6), (6, 5), (5, 4))
    for week, (phq, gad) in enumerate(scores):
        phq9 = [min(3, max(0, phq // 9 + (1 if i < phq % 9 else 0))) for i in range(8)] + [0]
        gad7 = [min(3, max(0, gad // 7 + (1 if i < gad % 7 else 0))) for i in range(7)]
        made = checkins.check_in_create(
            by=student, mood=2 + week // 3, stress=4 - week // 3, phq9=phq9, gad7=gad7
        ).check_in
        CheckIn.objects.filter(pk=made.pk).update(created_at=timezone.now() - datetime.timedelta(weeks=8 - week))

    case = cases.case_request(
        by=student,
        service=centre,
        topic="Exam stress before the qualifying exam; sleeping badly. 资格考试前压力大, 睡不好。",
        language="中文",
        preferred_times="Weekday afternoons",
        mode=Mode.IN_PERSON,
    )
    cases.case_take(case=case, by=counsellor)
    first = Slot.objects.create(
        counsellor=counsellor, service=centre, starts_at=_at(-21, 14), place="Counselling centre, room 2"
    )
    note_texts = (
        "First session. Worried about the qualifying exam; sleeps 5 hours. Agreed a weekly plan.",
        "Second session. Sleep better; asked whether the tutor could lighten the schedule for a month.",
    )
    for days_ago, text in zip((21, 14), note_texts, strict=True):
        note = cases.case_note_add(case=case, by=counsellor, body=text)
        CaseNote.objects.filter(pk=note.pk).update(created_at=timezone.now() - datetime.timedelta(days=days_ago))
    consent = cases.consent_record(
        case=case, by=counsellor, kind=ConsentKind.SHARING, recipient=tutor, purpose="A lighter schedule for a month"
    )
    cases.sharing_create(
        case=case, consent=consent, by=counsellor, message="Huang Xin would benefit from a lighter schedule this month."
    )
    upcoming = Slot.objects.create(
        counsellor=counsellor, service=centre, starts_at=_at(2, 15), place="Counselling centre, room 2"
    )
    appointments.appointment_book(by=student, slot=upcoming)
    Appointment.objects.create(
        case=case, person=student, slot=first, status="cancelled", cancelled_by=counsellor, cancelled_at=first.starts_at
    )
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - datetime.timedelta(days=24))

    tutor_case = cases.case_request(
        by=tutor, service=centre, topic="Workload and supervising too many students.", mode=Mode.ONLINE
    )
    cases.case_take(case=tutor_case, by=counsellor)
    cases.case_note_add(case=tutor_case, by=counsellor, body="Talked about priorities and saying no.")
    appointments.appointment_book(
        by=tutor,
        slot=Slot.objects.create(
            counsellor=counsellor, service=centre, starts_at=_at(3, 10), mode=Mode.ONLINE, place="Video call"
        ),
    )

    engineer_case = cases.case_request(
        by=engineer, service=centre, topic="Night shifts on the CT line; trouble sleeping.", language="中文"
    )
    cases.case_take(case=engineer_case, by=counsellor)
    cases.case_note_add(case=engineer_case, by=counsellor, body="Sleep diary for two weeks.")
    cases.case_refer(
        case=engineer_case, by=counsellor, to="Sleep clinic, Affiliated Hospital", note="Persisting insomnia."
    )

    cases.case_request(
        by=_user("student2"), service=centre, topic="Homesick.", urgency=Urgency.SOON, language="English"
    )

    for day, hour in ((1, 9), (1, 11), (2, 10), (4, 14), (5, 9), (8, 10), (9, 15), (11, 9)):
        Slot.objects.get_or_create(
            counsellor=counsellor,
            starts_at=_at(day, hour),
            defaults={"service": centre, "place": "Counselling centre, room 2"},
        )

    log_read(user=counsellor, subject_id=student.pk, what=f"case #{case.pk}")
    log_read(user=tutor, subject_id=student.pk, what="shared message")
    _history(partners)
