"""Who may see and do what with check-ins, counselling, appointments and encrypted notes: the rules, registered
with the engine (``partners.access``). A model without registered rules is refused, never open.

Confidentiality is the whole point: a person reads their own records; a counsellor reads a case only while
assigned to it (an assignment in force, break-glass included), and a person's check-ins only while assigned
to one of their active cases. Nobody else: not the office, not tutors, not coordinators, not superusers
(the rules never look at ``is_superuser``, and no wellbeing model is in the admin). The statistics
(``WellbeingEvent``) hold no person and are read by the office and counsellors (all) and coordinators
(their partners'); the pages suppress small cells (``wellbeing.selectors.statistics``).

Nothing is added to lower apps' models.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts.roles import AnyUser, PlatformRole, platform_roles
from partners import access
from partners.access import (
    ALL,
    MANAGERS,
    NONE,
    Rule,
    any_of,
    is_active_member,
    is_office,
    member_partners,
    office_only,
    signed_in,
    user_pk,
)
from wellbeing.models import (
    AccessLogEntry,
    Appointment,
    Assignment,
    Case,
    CaseNote,
    CaseStatus,
    CheckIn,
    Consent,
    Counsellor,
    Hotline,
    Service,
    Sharing,
    Slot,
    WellbeingEvent,
)

ACTIVE = (CaseStatus.WAITING, CaseStatus.OPEN, CaseStatus.REFERRED)


def is_counsellor(user: AnyUser) -> bool:
    """Whether the user holds the counsellor platform role and belongs to a service."""
    if not user.is_authenticated or PlatformRole.COUNSELLOR not in platform_roles(user):
        return False
    return Counsellor.objects.filter(user_id=user.pk).exists()


def can_see_statistics(user: AnyUser) -> bool:
    """The office, counsellors and partners' coordinators read the (suppressed) statistics."""
    if not user.is_authenticated:
        return False
    return is_office(user) or is_counsellor(user) or is_active_member(user, MANAGERS)


def assigned_cases(user: AnyUser) -> QuerySet[Any]:
    """Subquery: ids of the cases the user is assigned to now."""
    return Assignment.objects.in_force().filter(counsellor_id=user_pk(user)).values("case_id")


def _service_of(user: AnyUser) -> QuerySet[Any]:
    """Subquery: the service the user counsels for (none unless they hold the role)."""
    if PlatformRole.COUNSELLOR not in platform_roles(user):
        return Counsellor.objects.none().values("service_id")
    return Counsellor.objects.filter(user_id=user_pk(user)).values("service_id")


def _case_view(user: AnyUser, path: str) -> Rule:
    """A case (the request and what became of it): the person who asked, and the counsellors assigned."""
    uid = user_pk(user)
    return Rule(q=Q(person_id=uid) | Q(pk__in=assigned_cases(user)))


def _case_manage(user: AnyUser, path: str) -> Rule:
    """Notes, consent, sharing, referral, closing, the case page: the counsellors assigned, nobody else."""
    return Rule(q=Q(pk__in=assigned_cases(user)))


def _case_take(user: AnyUser, path: str) -> Rule:
    """Taking a waiting request: the counsellors of its service."""
    return Rule(q=Q(status=CaseStatus.WAITING, service_id__in=_service_of(user)))


def _case_break_glass(user: AnyUser, path: str) -> Rule:
    """Opening a case one is not assigned to, in an emergency, with a reason that is logged and shown to
    the person: the counsellors of its service, for active cases."""
    return Rule(q=Q(status__in=ACTIVE, service_id__in=_service_of(user)))


def _case_own(user: AnyUser, path: str) -> Rule:
    """Withdrawing a request, booking within it: the person who asked (its state is checked by the service)."""
    return Rule(q=Q(person_id=user_pk(user)))


def _in_assigned_case(user: AnyUser, path: str) -> Rule:
    """Notes and the like: the counsellors assigned to their case."""
    return Rule(q=Q(case_id__in=assigned_cases(user)))


def _own_or_assigned(user: AnyUser, path: str) -> Rule:
    """Appointments and consents: the person, and the counsellors assigned to the case."""
    return Rule(q=Q(person_id=user_pk(user)) | Q(case_id__in=assigned_cases(user)))


def _sharing_view(user: AnyUser, path: str) -> Rule:
    """What was shared: its recipient, the person it is about, and the counsellors assigned."""
    uid = user_pk(user)
    return Rule(q=Q(recipient_id=uid) | Q(case__person_id=uid) | Q(case_id__in=assigned_cases(user)))


def _check_in_view(user: AnyUser, path: str) -> Rule:
    """Check-ins: the person; the counsellors assigned to one of the person's active cases (the outcome
    measures on the case page)."""
    persons = Case.objects.filter(pk__in=assigned_cases(user), status__in=ACTIVE).values("person_id")
    return Rule(q=Q(person_id=user_pk(user)) | Q(person_id__in=persons))


def _own_log(user: AnyUser, path: str) -> Rule:
    """The access log: only the person it is about."""
    return Rule(q=Q(subject_id=user_pk(user)))


def _slot_view(user: AnyUser, path: str) -> Rule:
    """Slots (times only, no names of who booked them): anybody signed in, to book."""
    return signed_in(user, path)


def _slot_create(user: AnyUser, path: str) -> Rule:
    """Offering slots, the dashboard, the calendar: counsellors."""
    return ALL if is_counsellor(user) else NONE


def _slot_manage(user: AnyUser, path: str) -> Rule:
    """Withdrawing a slot: the counsellor who offered it."""
    return Rule(q=Q(counsellor_id=user_pk(user)))


def _statistics(user: AnyUser, path: str) -> Rule:
    """Anonymous events: the office and counsellors all; coordinators their partners' (suppressed on show)."""
    if is_office(user) or is_counsellor(user):
        return ALL
    return any_of(Rule(q=Q(partner_id__in=member_partners(user, MANAGERS))))


access.register(
    Case,
    {
        "view": _case_view,
        "manage": _case_manage,
        "take": _case_take,
        "break_glass": _case_break_glass,
        "withdraw": _case_own,
        "create": signed_in,
    },
)
access.register(CaseNote, {"view": _in_assigned_case})
access.register(Appointment, {"view": _own_or_assigned, "cancel": _own_or_assigned})
access.register(Consent, {"view": _own_or_assigned})
access.register(Sharing, {"view": _sharing_view})
access.register(CheckIn, {"view": _check_in_view, "create": signed_in})
access.register(AccessLogEntry, {"view": _own_log})
access.register(Slot, {"view": _slot_view, "create": _slot_create, "manage": _slot_manage})
access.register(Hotline, {"view": signed_in, "manage": office_only})
access.register(Service, {"view": signed_in})
access.register(Counsellor, {"view": signed_in})
access.register(WellbeingEvent, {"view": _statistics})
