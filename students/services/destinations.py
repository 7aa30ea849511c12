"""Outcomes after training: the office records where each graduate went, beside the plan's career
intention, so intention and destination can be compared by cohort and partner (``students.selectors.outcomes``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.validation import refuse
from partners import access
from partners.models import Partner
from students.models import DestinationKind, Student, StudentDestination, StudentStatus


@transaction.atomic
def destination_record(
    *,
    student: Student,
    by: User,
    kind: str,
    employer: str = "",
    employer_partner: Partner | None = None,
    notes: str = "",
) -> StudentDestination:
    """Record (or correct, history kept) a graduate's destination (office), with the employer when known
    and the career intention the student's plan holds. Only a graduated student has one."""
    access.require(by, "record_destination", student)
    student = Student.objects.select_for_update().get(pk=student.pk)
    if student.status != StudentStatus.GRADUATED:
        raise refuse(
            "kind",
            "not_graduated",
            _("%(student)s has not graduated: record the destination at graduation.")
            % {"student": student.user.display_name},
        )
    if kind not in DestinationKind.values:
        raise refuse("kind", "invalid", _("Choose a destination."))
    employer = employer.strip() or (employer_partner.name if employer_partner is not None else "")
    destination = StudentDestination.objects.filter(student=student).first() or StudentDestination(student=student)
    destination.kind = kind
    destination.employer = employer[:200]
    destination.employer_partner = employer_partner
    destination.career_intention = student.career_intention
    destination.notes = notes.strip()
    destination.recorded_by = by
    destination.recorded_at = timezone.now()
    destination.full_clean()
    destination._history_user = by  # type: ignore[attr-defined]
    destination.save()
    return destination
