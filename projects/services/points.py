"""Points: schemes (versioned, frozen once used), a project's scale by the scheme's rule, and the ledger.

Every award is priced by the programme's scheme in force on the day it is earned (``scheme_in_force``) and
keeps what it was priced with; using a scheme freezes it. A person's points are the plain sum of their
ledger rows: nothing caps them and nothing counts only the largest project, so small projects add up.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.validation import refuse
from partners import access
from programmes.models import Programme
from projects.models import (
    AwardSource,
    MemberKind,
    MemberRole,
    OutputType,
    PointAward,
    PointsScheme,
    Project,
    ProjectMember,
    ProjectOutput,
    Scale,
)

CENT = Decimal("0.01")


def _clean_rates(raw: Any, keys: list[str], field: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise refuse(field, "invalid_rates", _("Rates must be a mapping."))
    clean: dict[str, str] = {}
    for key, value in raw.items():
        if key not in keys:
            raise refuse(field, "invalid_rates", _("Unknown key: %(key)s.") % {"key": key})
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            raise refuse(field, "invalid_rates", _("Not a number: %(value)s.") % {"value": value}) from None
        if not number.is_finite() or number < 0 or number > 1000:
            raise refuse(field, "invalid_rates", _("Rates are between 0 and 1000."))
        clean[key] = str(number.quantize(CENT))
    return clean


def scheme_create(
    *,
    programme: Programme,
    valid_from: datetime.date,
    project_points: dict[str, dict[str, Any]],
    output_points: dict[str, Any],
    partner_weights: dict[str, Any] | None = None,
    medium_budget_from: Decimal = Decimal("100000"),
    large_budget_from: Decimal = Decimal("1000000"),
    medium_months_from: int = 12,
    large_months_from: int = 24,
    notes: str = "",
    by: User,
    today: datetime.date | None = None,
) -> PointsScheme:
    """Add a new version of a programme's points scheme, applying from ``valid_from``.

    A scheme never applies backwards: ``valid_from`` is today or later and after every earlier version's
    date, so what was earned under an older version keeps its price.
    """
    access.require(by, "create", PointsScheme)
    today = today or timezone.localdate()
    if valid_from < today:
        raise refuse("valid_from", "scheme_backdated", _("A new scheme applies from today or a later date."))
    if large_budget_from < medium_budget_from or large_months_from < medium_months_from:
        raise refuse("large_budget_from", "scale_order", _("The large thresholds must not be below the medium ones."))
    if not isinstance(project_points, dict):
        raise refuse("project_points", "invalid_rates", _("Rates must be a mapping."))
    rates: dict[str, dict[str, str]] = {}
    for scale, by_role in project_points.items():
        if scale not in Scale.values:
            raise refuse("project_points", "invalid_rates", _("Unknown key: %(key)s.") % {"key": scale})
        rates[scale] = _clean_rates(by_role, MemberRole.values, "project_points")
    outputs = _clean_rates(output_points, OutputType.values, "output_points")
    weights = _clean_rates(partner_weights or {}, list(_partner_kinds()), "partner_weights")
    with transaction.atomic():
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        latest = PointsScheme.objects.filter(programme=programme).order_by("-version").first()
        if latest is not None and valid_from <= latest.valid_from:
            raise refuse("valid_from", "scheme_not_after", _("A new version must apply after the latest one's date."))
        return PointsScheme.objects.create(
            programme=programme,
            version=(latest.version + 1) if latest else 1,
            valid_from=valid_from,
            medium_budget_from=medium_budget_from,
            large_budget_from=large_budget_from,
            medium_months_from=medium_months_from,
            large_months_from=large_months_from,
            project_points=rates,
            output_points=outputs,
            partner_weights=weights,
            notes=notes,
            created_by=by,
        )


def _partner_kinds() -> list[str]:
    from partners.models import PartnerKind

    return list(PartnerKind.values)


def scheme_in_force(*, programme_id: int, on: datetime.date) -> PointsScheme | None:
    """The programme's scheme version that applies on a day: the latest one from that day or before."""
    return PointsScheme.objects.filter(programme_id=programme_id, valid_from__lte=on).order_by("-valid_from").first()


def months_between(start: datetime.date, end: datetime.date) -> int:
    """How many months a period lasts, both days included, rounded (1 Jan to 31 Mar is 3, a year is 12)."""
    days = (end - start).days + 1
    return max(0, round(Decimal(days) / Decimal("30.4375")))


def scale_for(*, scheme: PointsScheme, budget: Decimal, start: datetime.date, end: datetime.date) -> str:
    """A project's scale by the scheme's rule: the larger of what its budget and its duration say."""
    months = months_between(start, end)

    def by(value: Decimal, medium: Decimal, large: Decimal) -> int:
        return 2 if value >= large else 1 if value >= medium else 0

    level = max(
        by(budget, scheme.medium_budget_from, scheme.large_budget_from),
        by(Decimal(months), Decimal(scheme.medium_months_from), Decimal(scheme.large_months_from)),
    )
    return [Scale.SMALL, Scale.MEDIUM, Scale.LARGE][level].value


def _freeze(scheme: PointsScheme) -> None:
    if scheme.frozen_at is None:
        scheme.frozen_at = timezone.now()
        scheme.save(update_fields=["frozen_at"])


def _price(base: Decimal, weight: Decimal) -> Decimal:
    return (base * weight).quantize(CENT, rounding=ROUND_HALF_UP)


def _has_live_award(**lookup: Any) -> bool:
    return PointAward.objects.filter(reverses__isnull=True, reversal__isnull=True, **lookup).exists()


def awards_for_project(*, project: Project, on: datetime.date, by: User) -> list[PointAward]:
    """Award every member of a concluded project their points by scale and role (called by the
    conclusion service, inside its transaction). A member already awarded for the project is skipped."""
    scheme = scheme_in_force(programme_id=project.programme_id, on=on)
    if scheme is None:
        raise refuse("status", "no_scheme", _("The programme has no points scheme in force on that day."))
    weight = scheme.weight(project.lead_partner.kind)
    created = []
    for member in ProjectMember.objects.filter(project=project).select_related("user").order_by("pk"):
        if _has_live_award(person=member.user, project=project, source=AwardSource.PROJECT):
            continue
        base = scheme.project_rate(project.scale, member.role)
        created.append(
            PointAward.objects.create(
                person=member.user,
                programme_id=project.programme_id,
                project=project,
                source=AwardSource.PROJECT,
                scheme=scheme,
                scale=project.scale,
                role=member.role,
                member_kind=member.kind,
                base_points=base,
                weight=weight,
                points=_price(base, weight),
                year=on.year,
                awarded_on=on,
                awarded_by=by,
            )
        )
    _freeze(scheme)
    return created


def awards_for_output(*, output: ProjectOutput, on: datetime.date, by: User) -> list[PointAward]:
    """Award each contributor of a verified output its points by type (inside the verification's
    transaction). A contributor already awarded for the output is skipped."""
    project = output.project
    scheme = scheme_in_force(programme_id=project.programme_id, on=on)
    if scheme is None:
        raise refuse("status", "no_scheme", _("The programme has no points scheme in force on that day."))
    weight = scheme.weight(project.lead_partner.kind)
    members = {m.user_id: m for m in ProjectMember.objects.filter(project=project)}
    base = scheme.output_rate(output.output_type)
    created = []
    for person in output.contributors.order_by("pk"):
        if _has_live_award(person=person, output=output):
            continue
        member = members.get(person.pk)
        created.append(
            PointAward.objects.create(
                person=person,
                programme_id=project.programme_id,
                project=project,
                output=output,
                source=AwardSource.OUTPUT,
                scheme=scheme,
                scale=project.scale,
                role=member.role if member else "",
                member_kind=member.kind if member else MemberKind.PARTNER_STAFF,
                output_type=output.output_type,
                base_points=base,
                weight=weight,
                points=_price(base, weight),
                year=on.year,
                awarded_on=on,
                awarded_by=by,
            )
        )
    _freeze(scheme)
    return created


def award_reverse(*, award: PointAward, reason: str, by: User, today: datetime.date | None = None) -> PointAward:
    """Cancel an award with a reversal row (negative points, who, when, why); the award itself stays."""
    access.require(by, "reverse", award)
    if not reason.strip():
        raise refuse("reason", "reason_required", _("Say why the points are taken back."))
    today = today or timezone.localdate()
    with transaction.atomic():
        award = PointAward.objects.select_for_update().get(pk=award.pk)
        if award.is_reversal:
            raise refuse("award", "is_reversal", _("A reversal cannot itself be reversed."))
        if PointAward.objects.filter(reverses=award).exists():
            raise refuse("award", "already_reversed", _("These points were already taken back."))
        return PointAward.objects.create(
            person_id=award.person_id,
            programme_id=award.programme_id,
            project_id=award.project_id,
            output_id=award.output_id,
            source=award.source,
            scheme_id=award.scheme_id,
            scale=award.scale,
            role=award.role,
            member_kind=award.member_kind,
            output_type=award.output_type,
            base_points=-award.base_points,
            weight=award.weight,
            points=-award.points,
            year=today.year,
            awarded_on=today,
            awarded_by=by,
            reverses=award,
            reason=reason.strip(),
        )
