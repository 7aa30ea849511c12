"""What a report shows: the template context of one inspection's report, already redacted for the public
variant (a placement-level target is shown as its site).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from students.models import Placement
from supervision.models import (
    ActionStatus,
    Aspect,
    ChecklistResult,
    CorrectiveAction,
    Finding,
    Inspection,
    Rating,
    ReportVariant,
    Severity,
    TargetKind,
)
from supervision.reports.chart import AspectSummary, aspect_chart_svg
from supervision.reports.redaction import inspectors_of, public_inspector_names, redactor_for

#: Severities from the most to the least serious: the order of the findings in a report.
SEVERITY_ORDER: tuple[str, ...] = (Severity.CRITICAL, Severity.MAJOR, Severity.MINOR, Severity.OBSERVATION)


def _as_of(inspection: Inspection) -> datetime.date:
    return timezone.localdate(inspection.closed_at) if inspection.closed_at else timezone.localdate()


def _site_name(placement: Placement | None) -> str:
    return placement.site.name if placement is not None and placement.site_id else ""


def public_target_kind(inspection: Inspection) -> str:
    """The target kind the public is told: a placement-level inspection is shown as one of its site (a
    placement at a small site can point to one student), or of the partner when the placement has no site."""
    if inspection.target_site_id is not None:
        return TargetKind.SITE
    if inspection.target_placement_id is not None:
        return TargetKind.SITE if public_target_site(inspection) else TargetKind.PARTNER
    return TargetKind.PARTNER


def public_target_site(inspection: Inspection) -> str:
    """The name of the narrower target as the public sees it: the site, or a placement's site; "" for a
    partner-level inspection (or a placement without a site). Never a student."""
    if inspection.target_site_id is not None:
        return inspection.target_site.name  # type: ignore[union-attr]
    return _site_name(inspection.target_placement)


def report_context(
    inspection: Inspection, variant: str, *, as_of: datetime.date | None = None, version: int | None = None
) -> dict[str, Any]:
    """Everything a report shows, already redacted for the public variant.

    Facts (kind, target, scope, dates, inspectors, days to publication), checklist results by aspect with
    counts per rating and the chart, findings by severity, corrective actions (status, due, overdue as of
    ``as_of``). For ``ReportVariant.PUBLIC``: no student names or numbers, no person's phone or e-mail,
    supervisors said to be "a supervisor", inspectors by their full name (:func:`public_inspector_names`),
    placements named by their site only (a placement-level target too), and every free text through
    :func:`redact`.
    """
    public = variant == ReportVariant.PUBLIC
    inspection = Inspection.objects.select_related(
        "target_partner", "target_site", "target_placement__site", "target_placement__student__user", "template"
    ).get(pk=inspection.pk)
    day = as_of or _as_of(inspection)
    clean: Callable[[str], str] = redactor_for(inspection) if public else (lambda text: text)

    def placement_label(placement: Placement | None) -> str:
        if placement is None:
            return ""
        site = _site_name(placement)
        if public:
            return _("a placement at %(site)s") % {"site": site} if site else _("a placement")
        student = placement.student
        return f"{student.user.display_name} ({student.student_number}), {site}" if site else str(student)

    def person_label(person: User | None, role: str) -> str:
        if person is None:
            return ""
        return role if public else person.display_name

    inspectors = inspectors_of(inspection)
    target = inspection.target_partner.name
    target_label = _("Site")
    if inspection.target_site_id is not None:
        target_detail = inspection.target_site.name  # type: ignore[union-attr]
    elif inspection.target_placement_id is not None and public:
        # A placement at a small site can point to one student: the public sees the site only.
        target_detail = public_target_site(inspection)
    elif inspection.target_placement_id is not None:
        target_label = _("Placement")
        target_detail = placement_label(inspection.target_placement)
    else:
        target_detail = ""

    # Checklist results, grouped by aspect in the checklist's order.
    results = list(
        ChecklistResult.objects.filter(inspection=inspection)
        .select_related("item")
        .order_by("item__aspect", "item__order", "item__code", "pk")
    )
    rating_labels = dict(Rating.choices)
    aspects: list[AspectSummary] = []
    aspect_labels = dict(Aspect.choices)
    for aspect in Aspect.values:
        rows = [r for r in results if r.item.aspect == aspect]
        counts: dict[str, int] = {}
        for r in rows:
            counts[r.rating] = counts.get(r.rating, 0) + 1
        items = tuple(
            {
                "code": r.item.code,
                "text": r.item.text,
                "rating": r.rating,
                "rating_label": rating_labels.get(r.rating, r.rating),
                "note": clean(r.note),
            }
            for r in rows
        )
        aspects.append(AspectSummary(aspect=aspect, label=str(aspect_labels[aspect]), counts=counts, items=items))

    # Findings by severity, each with its corrective action.
    findings = list(
        Finding.objects.filter(inspection=inspection)
        .select_related("placement__site", "placement__student__user", "supervisor", "corrective_action__owner")
        .annotate(log_count=Count("practice_logs"))
        .order_by("created_at", "pk")
    )
    severity_labels = dict(Severity.choices)
    status_labels = dict(ActionStatus.choices)
    by_severity = []
    actions = []
    for severity in SEVERITY_ORDER:
        group = []
        for finding in (f for f in findings if f.severity == severity):
            action: CorrectiveAction | None = getattr(finding, "corrective_action", None)
            entry = {
                "number": 0,
                "severity": severity,
                "severity_label": severity_labels[severity],
                "description": clean(finding.description),
                "placement": placement_label(finding.placement),
                "supervisor": person_label(finding.supervisor, _("a supervisor")),
                "practice_logs": finding.log_count,  # type: ignore[attr-defined]
                "action": None,
            }
            if action is not None:
                entry["action"] = {
                    "owner": person_label(action.owner, _("the partner's coordinator")),
                    "due_date": action.due_date,
                    "status": action.status,
                    "status_label": status_labels.get(action.status, action.status),
                    "overdue": action.is_overdue_on(day),
                    "answer": "" if public else action.answer,
                    "answered_at": action.answered_at,
                    "verified_at": action.verified_at,
                    "reopen_reason": "" if public else action.reopen_reason,
                }
            group.append(entry)
        if group:
            by_severity.append({"severity": severity, "label": severity_labels[severity], "findings": group})
    number = 0
    for group_entry in by_severity:
        for entry in group_entry["findings"]:
            number += 1
            entry["number"] = number
            if entry["action"] is not None:
                actions.append({"finding": entry, **entry["action"]})

    return {
        "inspection": inspection,
        "variant": variant,
        "public": public,
        "version": version,
        "as_of": day,
        "facts": {
            "kind": inspection.get_kind_display(),
            "target_partner": target,
            "target_partner_kind": inspection.target_partner.get_kind_display(),
            "target_detail": target_detail,
            "target_detail_label": target_label,
            "scope": clean(inspection.scope),
            "checklist": inspection.template.name,
            "planned_date": inspection.planned_date,
            "started_at": inspection.started_at,
            "closed_at": inspection.closed_at,
            "published_at": inspection.published_at,
            "days_to_publication": inspection.days_to_publication,
            "inspectors": public_inspector_names(inspectors) if public else [u.display_name for u in inspectors],
            "summary": clean(inspection.public_summary),
        },
        "aspects": aspects,
        "chart_svg": aspect_chart_svg(aspects),
        "rated": len(results),
        "findings_by_severity": by_severity,
        "finding_count": len(findings),
        "actions": actions,
        "overdue_count": sum(1 for a in actions if a["overdue"]),
    }
