"""What supervision adds to the apps below it through their extension points (registered by
``SupervisionConfig.ready``):

- ``reviews.hooks.CONCERN_OUTCOMES``: the office refers a review concern to an inspection-to-be (on
  ``supervision:lead-from-concern`` or through the concerns API's ``decide`` with ``details``), and the concern
  links to that inspection for those who may see its points (the office; ``supervision.services.leads``).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners import access
from reviews import hooks as reviews_hooks
from supervision.models import Inspection, InspectionLead
from supervision.services.leads import lead_refer_from_concern


def concern_lead_link(concern: Any, user: Any) -> tuple[str, str] | None:
    """The inspection a concern was referred to, if the reader may see its points (one query)."""
    if not user.is_authenticated:
        return None
    lead = (
        access.scope(InspectionLead.objects.filter(concern_id=concern.pk), user, "view")
        .select_related("inspection__target_partner")
        .first()
    )
    if lead is None:
        return None
    inspection = lead.inspection
    label = _("Inspection of %(partner)s planned for %(date)s") % {
        "partner": inspection.target_partner.name,
        "date": inspection.planned_date.isoformat(),
    }
    return label, reverse("supervision:detail", args=[inspection.pk]) + "#leads"


def _may_plan(user: Any) -> bool:
    return access.can(user, "plan", Inspection)


def register() -> None:
    reviews_hooks.CONCERN_OUTCOMES.register(
        reviews_hooks.ConcernOutcome(
            key="referred",
            handle=lead_refer_from_concern,
            label=gettext_lazy("Refer to an inspection"),
            page=lambda concern: reverse("supervision:lead-from-concern", args=[concern.pk]),
            allowed=_may_plan,
            link=concern_lead_link,
        )
    )
