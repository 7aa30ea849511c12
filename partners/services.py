"""Every write about partners, sites and memberships.

Each service checks the caller's right through ``partners.access``, validates, writes inside one
transaction and records who did it. Views and the API only parse input and call these.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from partners import access
from partners.models import (
    Membership,
    MembershipRole,
    Partner,
    PartnerKind,
    PartnerStatus,
    PartnerStatusChange,
    Site,
)

#: Default responsibilities per kind of partner (domain.md); prefilled on creation, editable after.
DEFAULT_RESPONSIBILITIES: dict[str, str] = {
    PartnerKind.UNIVERSITY: "Curriculum, teaching arrangements, tutoring, the theoretical depth of the degree.",
    PartnerKind.RESEARCH_INSTITUTE: "Research level and the ability to innovate.",
    PartnerKind.HOSPITAL: "Practical and operational ability; turning knowledge into results.",
    PartnerKind.ENTERPRISE: "Practical and operational ability; turning knowledge into results.",
    PartnerKind.GOVERNMENT: "Policy support, guidance and funding for the joint programme.",
    PartnerKind.SERVICE_INTERMEDIARY: "Technology transfer, incubation and services between the partners.",
    PartnerKind.FINANCIAL_INSTITUTION: "Financing for projects, innovation and entrepreneurship.",
}


def default_responsibilities(kind: str) -> str:
    """The responsibilities a partner of this kind starts with, translated for the current language."""
    return _(DEFAULT_RESPONSIBILITIES.get(kind, ""))


def _apply(obj: Any, **values: Any) -> None:
    """Set each value given; ``None`` leaves the field as it is (the model's default, on a new row)."""
    for field, value in values.items():
        if value is not None:
            setattr(obj, field, value)


@transaction.atomic
def partner_create(
    *,
    by: User,
    name: str,
    short_name: str,
    kind: str,
    contact_name: str | None = None,
    contact_email: str | None = None,
    contact_phone: str | None = None,
    address: str | None = None,
    website: str | None = None,
    responsibilities: str | None = None,
) -> Partner:
    """Create a partner (office only). Responsibilities default to those of its kind."""
    access.require(by, "create", Partner)
    partner = Partner()
    _apply(
        partner,
        name=name,
        short_name=short_name,
        kind=kind,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        address=address,
        website=website,
        responsibilities=responsibilities,
    )
    if not partner.responsibilities:
        partner.responsibilities = default_responsibilities(partner.kind)
    partner.full_clean()
    partner._history_user = by  # type: ignore[attr-defined]
    partner.save()
    PartnerStatusChange.objects.create(
        partner=partner, from_status="", to_status=partner.status, reason=_("Partner created."), changed_by=by
    )
    return partner


@transaction.atomic
def partner_update(
    *,
    partner: Partner,
    by: User,
    name: str | None = None,
    short_name: str | None = None,
    kind: str | None = None,
    contact_name: str | None = None,
    contact_email: str | None = None,
    contact_phone: str | None = None,
    address: str | None = None,
    website: str | None = None,
    responsibilities: str | None = None,
) -> Partner:
    """Edit a partner's details (office, or the partner's own coordinator); a field left ``None`` keeps
    its value. Status has its own service."""
    access.require(by, "change", partner)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    _apply(
        partner,
        name=name,
        short_name=short_name,
        kind=kind,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        address=address,
        website=website,
        responsibilities=responsibilities,
    )
    partner.full_clean()
    partner._history_user = by  # type: ignore[attr-defined]
    partner.save()
    return partner


@transaction.atomic
def partner_change_status(*, partner: Partner, status: str, reason: str, by: User) -> PartnerStatusChange:
    """Put a partner on probation, suspend or reactivate it (office only), keeping the reason."""
    access.require(by, "change_status", partner)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    errors: dict[str, list[str]] = {}
    if status not in PartnerStatus.values:
        errors["status"] = [_("Choose a valid status.")]
    elif status == partner.status:
        errors["status"] = [_("The partner already has this status.")]
    if not reason.strip():
        errors["reason"] = [_("Give a reason for the change.")]
    if errors:
        raise ValidationError(errors)
    change = PartnerStatusChange.objects.create(
        partner=partner, from_status=partner.status, to_status=status, reason=reason.strip(), changed_by=by
    )
    partner.status = status
    partner._history_user = by  # type: ignore[attr-defined]
    partner._change_reason = reason.strip()  # type: ignore[attr-defined]
    partner.save(update_fields=["status", "updated_at"])
    return change


@transaction.atomic
def site_create(
    *,
    partner: Partner,
    by: User,
    name: str,
    capacity: int,
    description: str | None = None,
    address: str | None = None,
    is_active: bool | None = None,
) -> Site:
    """Add a site to a partner (office, or the partner's coordinator)."""
    access.require(by, "manage_sites", partner)
    site = Site(partner=partner)
    _apply(site, name=name, description=description, address=address, capacity=capacity, is_active=is_active)
    site.full_clean()
    site._history_user = by  # type: ignore[attr-defined]
    site.save()
    return site


@transaction.atomic
def site_update(
    *,
    site: Site,
    by: User,
    name: str | None = None,
    description: str | None = None,
    address: str | None = None,
    capacity: int | None = None,
    is_active: bool | None = None,
) -> Site:
    """Edit a site; a field left ``None`` keeps its value. The partner of a site never changes."""
    access.require(by, "change", site)
    site = Site.objects.select_for_update().get(pk=site.pk)
    _apply(site, name=name, description=description, address=address, capacity=capacity, is_active=is_active)
    site.full_clean()
    site._history_user = by  # type: ignore[attr-defined]
    site.save()
    return site


@transaction.atomic
def membership_create(
    *,
    partner: Partner,
    user: User,
    role: str,
    by: User,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
) -> Membership:
    """Give a person a role at a partner (office, or the partner's coordinator).

    Refused when the person already holds that role there over an overlapping period.
    """
    access.require(by, "manage_members", partner)
    start = start_date or timezone.localdate()
    membership = Membership(partner=partner, user=user, role=role, start_date=start, end_date=end_date)
    membership.full_clean()
    # One ended with immediate effect on the new start day grants nothing any more: no overlap.
    overlapping = (
        Membership.objects.filter(partner=partner, user=user, role=role)
        .exclude(end_date__lt=start)
        .exclude(ended_at__isnull=False, end_date__lte=start)
    )
    if end_date is not None:
        overlapping = overlapping.exclude(start_date__gt=end_date)
    if overlapping.exists():
        raise ValidationError({"user": [_("This person already holds this role at this partner over these dates.")]})
    if role == MembershipRole.TUTOR and partner.kind != PartnerKind.UNIVERSITY:
        raise ValidationError({"role": [_("Tutors are members of a university.")]})
    membership._history_user = by  # type: ignore[attr-defined]
    membership.save()
    return membership


@transaction.atomic
def membership_end(
    *, membership: Membership, by: User, end_date: datetime.date | None = None, reason: str = ""
) -> Membership:
    """End a membership on ``end_date``, its last day (today by default). Kept, never deleted.

    Ended today (or earlier), it grants nothing from this moment (``ended_at``), also when it started
    today; ended on a later day, it grants nothing from the day after that one.
    """
    access.require(by, "change", membership)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    today = timezone.localdate()
    end = end_date or today
    planned = membership.end_date
    # An end can only come earlier, or, for a membership whose planned last day is today, take effect now.
    if membership.ended_at is not None or (planned is not None and (planned < end or (planned == end != today))):
        raise ValidationError({"end_date": [_("This membership has already ended.")]})
    if end < membership.start_date:
        raise ValidationError({"end_date": [_("The end date cannot be before the start date.")]})
    membership.end_date = end
    membership.ended_at = timezone.now() if end <= today else None
    membership.ended_reason = reason.strip()
    membership._history_user = by  # type: ignore[attr-defined]
    membership.save(update_fields=["end_date", "ended_at", "ended_reason"])
    return membership
