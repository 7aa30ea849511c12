"""Points referred from student reviews: the handler supervision registers in ``reviews.hooks.CONCERN_OUTCOMES``
under "referred" (``supervision.effects.register``), and what the inspectors do with such a point.

The office closes a concern with ``reviews.services.concerns.concern_decide(outcome="referred", ...,
details={"inspection": <pk>, "summary": ...})``, from ``supervision:lead-from-concern`` or the concerns API;
reviews calls ``lead_refer_from_concern`` inside the same transaction, which records an ``InspectionLead`` on
an inspection-to-be of the partner concerned (planned or in progress). A refusal here refuses the whole
decision: the concern stays open and no lead exists.

Anonymity: inspectors must not learn who wrote the review. The summary drafted for them calls whoever raised
the concern "the reviewer" and says nothing of the review (its round, direction or placement would name the
student); the office checks the draft before referring it.

Secrecy: a spot inspection stays unknown to the partner until it starts. The concern's reference and its
thread are read by the partner's people, so the handler stores no reference: only the office (and the
inspection's inspectors) may follow the concern to the inspection (``supervision.effects.concern_lead_link``).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.services.notifications import notify
from core.validation import refuse
from partners import access
from reviews.models import Concern
from supervision.models import Finding, Inspection, InspectionLead, InspectionStatus

#: Inspections a concern may still be referred to: not yet closed.
TO_BE = (InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)


def lead_inspections(concern: Concern) -> QuerySet[Inspection]:
    """The inspections-to-be a concern may be referred to: planned or in progress, of the partner concerned
    (the partner itself, or one of its sites or placements: ``target_partner`` is always the partner)."""
    return (
        Inspection.objects.filter(target_partner_id=concern.partner_id, status__in=TO_BE)
        .select_related("target_partner", "target_site", "target_placement__student__user")
        .order_by("planned_date", "pk")
    )


def lead_summary_draft(concern: Concern) -> str:
    """A first draft of the summary for the inspectors: the category and the thread, with whoever raised
    the concern called "the reviewer" (their own words may still name them: the office reads the draft)."""
    category = concern.get_category_display()
    lines = [_("Concern about %(category)s, raised in a student review.") % {"category": category}]
    for message in concern.messages.select_related("author").order_by("at", "pk"):
        if message.author_id is not None and message.author_id == concern.raised_by_id:
            who = _("the reviewer")
        elif message.author is not None:
            who = message.author.display_name
        else:
            who = _("Tandem")
        lines.append(f"{message.at:%Y-%m-%d} {message.get_kind_display()} ({who}): {message.text}")
    return "\n".join(lines)


def lead_refer_from_concern(*, concern: Concern, note: str, by: User, details: Mapping[str, str]) -> str:
    """Refer a concern the office is closing to an inspection-to-be: ``details`` holds the ``inspection``
    (its id) and the ``summary`` for its inspectors. Only the office (who plans inspections). Refused by
    field: ``inspection`` (missing, not a planned or in-progress inspection of the partner concerned),
    ``summary`` (empty). Returns "" so that the concern, which the partner reads, names no inspection."""
    access.require(by, "plan", Inspection)
    raw = str(details.get("inspection") or "").strip()
    if not raw:
        raise refuse("inspection", "required", _("Choose the inspection to refer the concern to."))
    wanted = int(raw) if raw.isdigit() and len(raw) < 16 else 0  # not an id: refused as any other
    chosen = lead_inspections(concern).select_for_update(of=("self",)).filter(pk=wanted).first()
    if chosen is None:
        raise refuse(
            "inspection",
            "invalid",
            _("Choose a planned or in-progress inspection of %(partner)s.") % {"partner": concern.partner.name},
        )
    summary = (details.get("summary") or "").strip()
    if not summary:
        raise refuse("summary", "required", _("Write what the inspectors should look at."))
    InspectionLead.objects.create(inspection=chosen, concern=concern, summary=summary, created_by=by)
    inspectors = list(User.objects.filter(inspection_assignments__inspection=chosen, is_active=True).order_by("pk"))
    # Only the inspectors are told, never the partner: a spot inspection stays unannounced.
    notify(
        users=inspectors,
        kind="inspection_lead",
        subject=gettext_noop("A point from student reviews was referred to your inspection of %(partner)s"),
        params={"partner": chosen.target_partner.name},
        link=reverse("supervision:detail", args=[chosen.pk]) + "#leads",
    )
    return ""


def lead_for_finding(*, inspection: Inspection, lead_id: int, by: User) -> InspectionLead:
    """The lead a finding is recorded from, locked: one of this inspection's, not yet followed by a finding,
    that the inspector may see. Refused on ``lead``."""
    lead = (
        access.scope(InspectionLead.objects.filter(inspection=inspection, pk=lead_id), by, "view")
        .select_for_update(of=("self",))
        .first()
    )
    if lead is None:
        raise refuse("lead", "invalid", _("This point was not referred to this inspection."))
    if lead.finding_id is not None:
        raise refuse("lead", "already_recorded", _("A finding has already been recorded from this point."))
    return lead


def lead_link_finding(*, lead: InspectionLead, finding: Finding) -> InspectionLead:
    """Keep which finding was recorded from the lead (a change, kept in the lead's history)."""
    with transaction.atomic():
        lead.finding = finding
        lead.save(update_fields=["finding"])
    return lead


__all__ = [
    "TO_BE",
    "lead_for_finding",
    "lead_inspections",
    "lead_link_finding",
    "lead_refer_from_concern",
    "lead_summary_draft",
]
