"""What every wellbeing write shares: the access log, the anonymous events the statistics count, where a
person stands (partner and role) for those counts, the service a request goes to by default, and telling
the counsellors on duty that an urgent request is waiting (and nothing more)."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.roles import PlatformRole, platform_roles
from core.services.notifications import notify
from partners.models import Membership, Partner, PartnerKind
from students.models import Placement, Student
from wellbeing.models import AccessLogEntry, Counsellor, EventKind, Service, WellbeingEvent

#: The notification kind of an urgent request: its subject is all it says.
URGENT_KIND = "wellbeing_urgent"
URGENT_SUBJECT = gettext_noop("An urgent request is waiting")


def access_log_record(*, subject_id: int, reader: User | None, what: str, reason: str = "") -> AccessLogEntry:
    """Keep one read of a person's record (who, when, what, why). ``what`` names the record, never its
    content (e.g. "case #12", "check-in history")."""
    return AccessLogEntry.objects.create(
        subject_id=subject_id, reader=reader, what=what[:200], reason=reason[:300], at=timezone.now()
    )


def person_key(person_id: int) -> str:
    """A keyed hash of a person: lets the statistics count people, not rows, without naming anyone."""
    return salted_hmac("tandem.wellbeing.person", str(person_id)).hexdigest()


def person_dimensions(person: User, *, today: datetime.date | None = None) -> tuple[Partner | None, str]:
    """Where the person trains or works, and as what: a student's placement partner today (else their
    programme's lead university), a member's partner and role, else a platform role."""
    today = today or timezone.localdate()
    student = Student.objects.select_related("programme__lead_university").filter(user=person).first()
    if student is not None:
        placement = (
            Placement.objects.select_related("partner")
            .filter(student=student, start_date__lte=today, end_date__gte=today)
            .order_by("start_date")
            .first()
        )
        return (placement.partner if placement else student.programme.lead_university), "student"
    membership = Membership.objects.active().select_related("partner").filter(user=person).order_by("pk").first()
    if membership is not None:
        return membership.partner, membership.role
    roles = sorted(platform_roles(person))
    return None, roles[0] if roles else "other"


def default_service(person: User) -> Service | None:
    """The service of the person's own partner, else the university's, else any."""
    partner, _role = person_dimensions(person)
    services = Service.objects.select_related("partner")
    own = services.filter(partner=partner).first() if partner else None
    return own or services.filter(partner__kind=PartnerKind.UNIVERSITY).first() or services.first()


def event_record(
    *,
    kind: EventKind,
    person: User,
    when: datetime.datetime,
    source_key: str,
    partner: Partner | None = None,
    role: str | None = None,
    band: int | None = None,
) -> WellbeingEvent:
    """Count one request, appointment or check-in for the statistics (month, partner, role; no content)."""
    if role is None:
        partner, role = person_dimensions(person)
    local = timezone.localtime(when).date()
    return WellbeingEvent.objects.create(
        kind=kind,
        month=local.replace(day=1),
        partner=partner,
        role=role,
        person_key=person_key(person.pk),
        source_key=source_key,
        band=band,
    )


def counsellors_on_duty(service: Service | None) -> list[User]:
    """Who is told of an urgent request: the service's counsellors on duty, else any on duty, else the
    service's counsellors; only people who still hold the counsellor role."""
    base = Counsellor.objects.select_related("user").filter(
        user__is_active=True, user__groups__name=PlatformRole.COUNSELLOR.value
    )
    for rows in (
        base.filter(service=service, on_duty=True) if service else base.none(),
        base.filter(on_duty=True),
        base.filter(Q(service=service)) if service else base.none(),
    ):
        people = [row.user for row in rows]
        if people:
            return people
    return []


def urgent_notify(*, service: Service | None, dedup: str) -> int:
    """Tell the counsellors on duty that an urgent request is waiting: that sentence and a link to their
    dashboard, nothing about who or what (the notification and its e-mail carry no content)."""
    users = counsellors_on_duty(service)
    sent = notify(
        users=users,
        kind=URGENT_KIND,
        subject=URGENT_SUBJECT,
        params={},
        link=reverse("wellbeing:dashboard"),
        dedup_key=f"wellbeing-urgent-{dedup}",
    )
    return len(sent)
