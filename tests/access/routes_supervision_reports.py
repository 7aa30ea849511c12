"""URL arguments and request bodies for the report, publication and public-results routes of the matrix
(docs/permissions.md, "Inspection reports and publication" and "Published results (public)").

Object **A** is an inspection of partner A closed by its inspector (``tests.supervision.helpers.closed``):
with its full report pending (report page), rendered (PDF download) or failed (retry); for the public
routes, that inspection published by the office with its English public report rendered. Reports are
rendered for real (WeasyPrint), so these rows take a few seconds each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from supervision.models import Inspection, InspectionReport, ReportStatus, ReportVariant
from supervision.reports import report_render
from supervision.services.publication import inspection_publish
from tests.conftest import World
from tests.supervision import helpers


def _closed(world: World) -> Inspection:
    return helpers.closed(world)


def _full_report(world: World) -> InspectionReport:
    return InspectionReport.objects.get(inspection=_closed(world), variant=ReportVariant.FULL, language="en")


def _ready_full(world: World) -> dict[str, Any]:
    return {"pk": report_render(_full_report(world).pk).pk}


def _failed_full(world: World) -> dict[str, Any]:
    report = _full_report(world)
    InspectionReport.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, error="RuntimeError: matrix")
    return {"pk": report.pk}


def _published(world: World, *, render: bool) -> dict[str, Any]:
    inspection = inspection_publish(inspection=_closed(world), by=helpers.user(world, "office"), summary="Matrix.")
    if render:
        english = InspectionReport.objects.get(inspection=inspection, variant=ReportVariant.PUBLIC, language="en")
        report_render(english.pk)
    return {"pk": inspection.pk}


ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "supervision:report": lambda w: {"pk": _closed(w).pk},
    "supervision:report-pdf": _ready_full,
    "supervision:report-retry": _failed_full,
    "supervision:publish": lambda w: {"pk": _closed(w).pk},
    "public:inspection-detail": lambda w: _published(w, render=False),
    "public:inspection-pdf": lambda w: _published(w, render=True),
    "api:public-inspection-detail": lambda w: _published(w, render=False),
    "api:public-inspection-pdf": lambda w: _published(w, render=True),
}

BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "supervision:publish": lambda w: {"summary": "Well run; supervision hours are now signed weekly."},
}
