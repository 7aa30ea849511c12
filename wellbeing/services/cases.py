"""Counselling requests and the cases they become: ask, withdraw, take, break the glass, write notes,
record consent, share under consent, refer, close.

A request's texts are encrypted (``Case.topic``, ``preferred_times``); an urgent one tells the counsellors
on duty at once, with no content. Only the counsellors assigned to a case write on it (``manage``)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.services.notifications import notify
from core.validation import refuse
from partners import access
from wellbeing.models import (
    Assignment,
    Case,
    CaseNote,
    CaseStatus,
    Consent,
    ConsentKind,
    EventKind,
    Mode,
    NoteKind,
    Service,
    Sharing,
    Urgency,
    WellbeingEvent,
)
from wellbeing.services.records import access_log_record, event_record, person_dimensions, urgent_notify

BREAK_GLASS_HOURS = 24


def has_first_contact_consent(person: User) -> bool:
    return Consent.objects.filter(person=person, kind=ConsentKind.FIRST_CONTACT, withdrawn_at__isnull=True).exists()


def case_request(
    *,
    by: User,
    service: Service,
    topic: str,
    urgency: str = Urgency.ROUTINE,
    language: str = "",
    preferred_times: str = "",
    mode: str = Mode.IN_PERSON,
    consent_given: bool = True,
) -> Case:
    """Ask for counselling at ``service``. The first contact records the person's consent (what is kept,
    who sees it, for how long); an urgent request tells the counsellors on duty at once."""
    access.require(by, "create", Case)
    if not topic.strip():
        raise refuse("topic", "required", _("Say in a few words what you would like to talk about."))
    if urgency not in Urgency.values:
        raise refuse("urgency", "choice", _("Choose how urgent it is."))
    if mode not in Mode.values:
        raise refuse("mode", "choice", _("Choose in person or online."))
    first = not has_first_contact_consent(by)
    if first and not consent_given and urgency != Urgency.URGENT:
        raise refuse("consent", "consent_required", _("Please read what the service keeps and agree to it."))
    partner, role = person_dimensions(by)
    with transaction.atomic():
        case = Case.objects.create(
            person=by,
            service=service,
            topic=topic.strip(),
            urgency=urgency,
            language=language.strip()[:40],
            preferred_times=preferred_times.strip(),
            mode=mode,
            partner=partner,
            role=role,
            created_at=timezone.now(),
        )
        if first and consent_given:
            Consent.objects.create(person=by, case=case, kind=ConsentKind.FIRST_CONTACT, recorded_by=by)
        event_record(
            kind=EventKind.REQUEST,
            person=by,
            when=case.created_at,
            source_key=f"case:{case.pk}",
            partner=partner,
            role=role,
        )
        if urgency == Urgency.URGENT:
            transaction.on_commit(lambda: urgent_notify(service=service, dedup=f"case-{case.pk}"))
    return case


def case_withdraw(*, case: Case, by: User) -> Case:
    """The person withdraws a request nobody has taken yet."""
    access.require(by, "withdraw", case)
    with transaction.atomic():
        updated = Case.objects.filter(pk=case.pk, status=CaseStatus.WAITING).update(
            status=CaseStatus.WITHDRAWN, closed_at=timezone.now()
        )
        if not updated:
            raise refuse("__all__", "not_waiting", _("Only a request nobody has taken yet can be withdrawn."))
    case.refresh_from_db()
    return case


def case_take(*, case: Case, by: User) -> Case:
    """A counsellor of the service takes a waiting request: it becomes their case (they are assigned)."""
    access.require(by, "take", case)
    with transaction.atomic():
        taken = Case.objects.filter(pk=case.pk, status=CaseStatus.WAITING).update(
            status=CaseStatus.OPEN, taken_at=timezone.now()
        )
        if not taken:
            raise refuse("__all__", "already_taken", _("Another counsellor has taken this request."))
        Assignment.objects.create(case=case, counsellor=by)
    case.refresh_from_db()
    return case


def case_assign(*, case: Case, counsellor: User, by: User) -> Assignment:
    """An assigned counsellor adds a colleague of the service to the case."""
    access.require(by, "manage", case)
    if not access.can(counsellor, "take", case) and not access.can(counsellor, "break_glass", case):
        raise refuse("counsellor", "not_counsellor", _("Choose a counsellor of this service."))
    return Assignment.objects.create(case=case, counsellor=counsellor)


def case_break_glass(*, case: Case, by: User, reason: str) -> Assignment:
    """In an emergency, a counsellor of the service opens a case not assigned to them, for a day. The
    reason is required, kept, and shown to the person in their access log."""
    access.require(by, "break_glass", case)
    if len(reason.strip()) < 10:
        raise refuse("reason", "reason_required", _("Say why you need to open this case (at least 10 characters)."))
    with transaction.atomic():
        assignment = Assignment.objects.create(
            case=case,
            counsellor=by,
            ends_at=timezone.now() + datetime.timedelta(hours=BREAK_GLASS_HOURS),
            break_glass_reason=reason.strip(),
        )
        access_log_record(subject_id=case.person_id, reader=by, what=f"case #{case.pk} (break-glass)", reason=reason)
    return assignment


def case_note_add(*, case: Case, by: User, body: str, kind: str = NoteKind.NOTE) -> CaseNote:
    """An assigned counsellor writes a note (encrypted; never edited: a correction is a new note)."""
    access.require(by, "manage", case)
    if not body.strip():
        raise refuse("body", "required", _("Write the note."))
    if not case.is_active:
        raise refuse("__all__", "case_closed", _("This case is closed."))
    return CaseNote.objects.create(case=case, author=by, kind=kind, body=body.strip())


def case_refer(*, case: Case, by: User, to: str, note: str = "") -> Case:
    """Refer the person elsewhere (a psychiatrist, a hospital service); the case stays open for follow-up."""
    access.require(by, "manage", case)
    if not to.strip():
        raise refuse("to", "required", _("Say where the person is referred to."))
    if not case.is_active:
        raise refuse("__all__", "case_closed", _("This case is closed."))
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.REFERRED, referred_to=to.strip())
        CaseNote.objects.create(
            case=case, author=by, kind=NoteKind.REFERRAL, body=(f"{to.strip()}\n\n{note.strip()}").strip()
        )
    case.refresh_from_db()
    return case


def case_close(*, case: Case, by: User, summary: str) -> Case:
    """Close the case with a summary. It is destroyed after the retention period (services.retention)."""
    access.require(by, "manage", case)
    if not case.is_active:
        raise refuse("__all__", "case_closed", _("This case is closed already."))
    if not summary.strip():
        raise refuse("summary", "required", _("Write a short closing summary."))
    with transaction.atomic():
        CaseNote.objects.create(case=case, author=by, kind=NoteKind.CLOSING, body=summary.strip())
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=timezone.now())
        Assignment.objects.filter(case=case, ends_at__isnull=False).update(ends_at=timezone.now())
    case.refresh_from_db()
    return case


def consent_record(*, case: Case, by: User, kind: str, recipient: User | None = None, purpose: str = "") -> Consent:
    """An assigned counsellor records the person's consent, given to them: at first contact, or to share
    something with a named person for a stated purpose."""
    access.require(by, "manage", case)
    if kind == ConsentKind.SHARING:
        if recipient is None:
            raise refuse("recipient", "required", _("Name who may be told."))
        if not purpose.strip():
            raise refuse("purpose", "required", _("Say what may be shared, and why."))
    elif kind != ConsentKind.FIRST_CONTACT:
        raise refuse("kind", "choice", _("Choose the kind of consent."))
    else:
        recipient, purpose = None, ""
    return Consent.objects.create(
        person_id=case.person_id, case=case, kind=kind, recipient=recipient, purpose=purpose.strip(), recorded_by=by
    )


def consent_withdraw(*, consent: Consent, by: User) -> Consent:
    """The person (or their counsellor, on their word) withdraws a consent; nothing more is shared under it."""
    access.require(by, "view", consent)
    Consent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
    consent.refresh_from_db()
    return consent


def sharing_create(*, case: Case, consent: Consent, by: User, message: str) -> Sharing:
    """Share ``message`` with the person a consent names. Without that consent in force, nothing is shared.

    The recipient is told that something was shared with them, not what: they read it on its page, and
    that read is in the person's access log."""
    access.require(by, "manage", case)
    if (
        consent.case_id != case.pk
        or consent.kind != ConsentKind.SHARING
        or consent.withdrawn_at is not None
        or consent.recipient_id is None
    ):
        raise refuse("consent", "no_consent", _("Nothing can be shared without the person's consent to it."))
    if not message.strip():
        raise refuse("message", "required", _("Write what is shared."))
    with transaction.atomic():
        sharing = Sharing.objects.create(
            case=case, consent=consent, recipient_id=consent.recipient_id, message=message.strip(), shared_by=by
        )
        recipient = User.objects.get(pk=consent.recipient_id)
        notify(
            users=[recipient],
            kind="wellbeing_shared",
            subject=gettext_noop("The counselling service shared a message with you"),
            params={},
            link=reverse("wellbeing:shared", args=[sharing.pk]),
        )
    return sharing


def request_wait_record(*, case: Case, first_at: datetime.datetime) -> None:
    """The first appointment of a case: the waiting time, request to first appointment, is counted."""
    if case.first_appointment_at is not None:
        return
    Case.objects.filter(pk=case.pk, first_appointment_at__isnull=True).update(first_appointment_at=first_at)
    days = max(0, (first_at - case.created_at).days)
    WellbeingEvent.objects.filter(source_key=f"case:{case.pk}", kind=EventKind.REQUEST).update(wait_days=days)
