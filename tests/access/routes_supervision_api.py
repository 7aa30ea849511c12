"""URL arguments and request bodies for the supervision API routes of the matrix (docs/permissions.md,
"Supervision API").

Object **A** hangs off an inspection of partner A assigned to ``inspector``, built through the real
services (``tests/supervision/helpers.py``):

* ``inspection-detail`` and ``start``: a *planned* spot inspection, so the matrix shows the secrecy rule
  (only the office and the assigned inspector know it exists);
* ``close`` and ``checklist``: a started one; a new finding names a started one in its body;
* ``finding-detail``: its major finding; ``corrective-action-detail`` and ``answer``: that finding's open
  action; ``verify`` and ``reopen``: the action once coordinator A has answered it;
* ``inspection-report-detail`` and ``pdf``: a ready full report of a closed inspection, made here directly
  (rendering belongs to the reports job) with a small PDF and its SHA-256.

Bodies are valid for the people allowed to act, so allowed means done.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from supervision import services
from supervision.models import (
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionKind,
    InspectionReport,
    ReportStatus,
    ReportVariant,
    Severity,
    TargetKind,
)
from tests.conftest import World
from tests.supervision import helpers

#: A tiny but well-formed PDF, the frozen file of the reports made here.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def started(world: World) -> Inspection:
    """The started spot inspection of partner A (made once per test)."""
    existing = Inspection.objects.filter(target_partner=world.partner_a, status="in_progress").first()
    return existing or helpers.start(world)


def planned(world: World) -> Inspection:
    existing = Inspection.objects.filter(target_partner=world.partner_a, status="planned").first()
    return existing or helpers.plan(world)


def major_finding(world: World) -> Finding:
    inspection = started(world)
    existing = Finding.objects.filter(inspection=inspection, severity=Severity.MAJOR).first()
    return existing or helpers.add_finding(world, inspection, Severity.MAJOR, "Supervision hours not met.")


def open_action(world: World) -> CorrectiveAction:
    return CorrectiveAction.objects.get(finding=major_finding(world))


def answered_action(world: World) -> CorrectiveAction:
    action = open_action(world)
    if action.status == "open":
        action = services.corrective_action_answer(
            action=action, answer="Hours rescheduled.", by=helpers.user(world, "coordinator_a")
        )
    return action


def ready_report(inspection: Inspection, *, variant: str = ReportVariant.FULL) -> InspectionReport:
    """A new ready version of ``inspection``'s report with a PDF file and its SHA-256 (after any version the
    services asked for on closing, which the rendering job would fill in)."""
    latest = InspectionReport.objects.filter(inspection=inspection, variant=variant).order_by("-version").first()
    version = latest.version + 1 if latest is not None else 1
    content = PDF_BYTES + f"% {inspection.pk} {variant} {version}\n".encode()
    report = InspectionReport(
        inspection=inspection,
        variant=variant,
        version=version,
        status=ReportStatus.READY,
        sha256=hashlib.sha256(content).hexdigest(),
        rendered_at=timezone.now(),
    )
    report.pdf.save(f"report-{inspection.pk}-{variant}-{version}.pdf", ContentFile(content), save=False)
    report.save()
    return report


def report_a(world: World) -> InspectionReport:
    existing = InspectionReport.objects.filter(
        inspection__target_partner=world.partner_a, status=ReportStatus.READY
    ).first()
    return existing or ready_report(helpers.closed(world))


def _plan_body(world: World) -> dict[str, Any]:
    return {
        "kind": InspectionKind.SCHEDULED,
        "partner": world.partner_a.pk,
        "template": helpers.template_for(TargetKind.PARTNER).pk,
        "planned_date": timezone.localdate().isoformat(),
        "inspectors": [helpers.user(world, "inspector").pk],
    }


def _rate_body(world: World) -> dict[str, Any]:
    item = started(world).template.items.order_by("aspect", "order").first()
    assert item is not None
    return {"item": item.pk, "rating": "conforming"}


ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "api:inspection-detail": lambda w: {"pk": planned(w).pk},
    "api:inspection-start": lambda w: {"pk": planned(w).pk},
    "api:inspection-close": lambda w: {"pk": started(w).pk},
    "api:inspection-checklist": lambda w: {"pk": started(w).pk},
    "api:finding-detail": lambda w: {"pk": major_finding(w).pk},
    "api:corrective-action-detail": lambda w: {"pk": open_action(w).pk},
    "api:corrective-action-answer": lambda w: {"pk": open_action(w).pk},
    "api:corrective-action-verify": lambda w: {"pk": answered_action(w).pk},
    "api:corrective-action-reopen": lambda w: {"pk": answered_action(w).pk},
    "api:inspection-report-detail": lambda w: {"pk": report_a(w).pk},
    "api:inspection-report-pdf": lambda w: {"pk": report_a(w).pk},
}

BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "api:inspection-list": _plan_body,
    "api:inspection-checklist": _rate_body,
    "api:finding-list": lambda w: {
        "inspection": started(w).pk,
        "severity": Severity.MINOR,
        "description": "Logbook not countersigned.",
    },
    "api:corrective-action-answer": lambda w: {"answer": "Countersigning is now weekly."},
    "api:corrective-action-reopen": lambda w: {"reason": "No evidence of the new schedule."},
}
