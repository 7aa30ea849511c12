"""The partner rules a new or moved placement must pass: the partner's status and the site's capacity.

A partner's status has effects ("survival of the fittest", docs/decisions/0013):

* **suspended**: no new placement there (nor a change of dates or site of one there); refused for everyone;
* **on probation**: a placement there only with the graduate office's explicit confirmation, with a
  reason, kept as a ``PlacementOverride``; anyone else is refused and told to ask the office;
* **capacity**: a site takes ``capacity`` students at once; a placement that would make more overlap on
  any day is refused with the count; the office may allow it with a reason, kept the same way.

``placement_create`` and ``placement_update`` call ``placement_partner_checks`` after their own field
rules, then ``placement_record_overrides`` once the placement is saved.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.models import User
from core.validation import refuse
from partners import access
from partners.models import Partner, PartnerStatus, Site
from students.models import Placement, PlacementOverride, PlacementOverrideKind, PlacementStatus


@dataclass(frozen=True)
class Override:
    """A rule the office let a placement through, with its reason and the situation at the time."""

    kind: str
    reason: str
    detail: str


def site_peak_load(
    *, site: Site, start_date: datetime.date, end_date: datetime.date, exclude_pk: int | None = None
) -> int:
    """The most placements (not cancelled) running at the site on any one day between the two dates."""
    others = Placement.objects.filter(site=site, start_date__lte=end_date, end_date__gte=start_date).exclude(
        status=PlacementStatus.CANCELLED
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    periods = list(others.values_list("start_date", "end_date"))
    # The load only rises on a start day (or on the first day of the new period): check those days.
    days = {max(start, start_date) for start, _end in periods}
    return max((sum(1 for s, e in periods if s <= day <= e) for day in days), default=0)


def placement_partner_checks(
    *,
    by: User,
    partner: Partner,
    site: Site,
    start_date: datetime.date,
    end_date: datetime.date,
    probation_reason: str = "",
    capacity_reason: str = "",
    exclude_pk: int | None = None,
) -> list[Override]:
    """Refuse (``ValidationError`` naming the rule) a placement the partner's status or the site's capacity
    forbids; return the overrides the office gave, to record once the placement is saved."""
    office = access.is_office(by)
    overrides: list[Override] = []
    if partner.status == PartnerStatus.SUSPENDED:
        raise refuse(
            "partner",
            "partner_suspended",
            _("%(partner)s is suspended and takes no new placements.") % {"partner": partner.name},
        )
    if partner.status == PartnerStatus.PROBATION:
        if not office:
            raise refuse(
                "partner",
                "partner_probation",
                _(
                    "%(partner)s is on probation: a placement there needs the graduate office's confirmation. "
                    "Ask the office to add it."
                )
                % {"partner": partner.name},
            )
        if not probation_reason.strip():
            raise refuse(
                "probation_reason",
                "partner_probation",
                _("%(partner)s is on probation: confirm the placement with a reason.") % {"partner": partner.name},
            )
        overrides.append(
            Override(
                PlacementOverrideKind.PROBATION,
                probation_reason.strip(),
                _("%(partner)s on probation") % {"partner": partner.name},
            )
        )
    load = site_peak_load(site=site, start_date=start_date, end_date=end_date, exclude_pk=exclude_pk)
    if load >= site.capacity:
        situation = _("%(site)s takes %(capacity)s at once; %(load)s placements there already overlap these dates.") % {
            "site": site.name,
            "capacity": site.capacity,
            "load": load,
        }
        if not office:
            raise refuse("site", "site_capacity", situation)
        if not capacity_reason.strip():
            raise refuse(
                "capacity_reason",
                "site_capacity",
                _("%(situation)s Give a reason to allow it.") % {"situation": situation},
            )
        overrides.append(Override(PlacementOverrideKind.CAPACITY, capacity_reason.strip(), situation))
    return overrides


def placement_record_overrides(*, placement: Placement, overrides: list[Override], by: User) -> None:
    """Keep the office's decisions that let the placement through (who, when, why, the situation)."""
    for override in overrides:
        PlacementOverride.objects.create(
            placement=placement, kind=override.kind, reason=override.reason, detail=override.detail[:300], by=by
        )
