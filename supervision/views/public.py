"""Published inspection results for everyone, without login: the list, one inspection's redacted
report, and its PDF.

Everything here reads through ``supervision.services.publication.published_inspections``: an inspection that is
not published is a 404 for everybody, the office included (the office reads it on its own pages). What
is shown was redacted before it was stored: the public summary when publishing, the report when rendered.
A placement-level inspection is shown as one of its site (``reports.public_target_site``); inspectors are
named by their full name (``reports.public_inspector_names``).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import translation
from django.views import View
from django.views.generic import ListView

from supervision.models import Inspection
from supervision.reports import inspectors_of, public_inspector_names, public_target_site
from supervision.services import publication
from supervision.views.reports import pdf_response


def _published_or_404(pk: int) -> Inspection:
    inspection = publication.published_inspections().filter(pk=pk).first()
    if inspection is None:
        raise Http404
    return inspection


class PublicInspectionListView(ListView):  # type: ignore[type-arg]
    """Published inspections, newest first: partner, kind, dates, days from closing to publication (red
    when it was late, ``publication.is_publication_overdue``), and the checklist results per aspect as
    small stacked bars."""

    template_name = "supervision/public/list.html"
    context_object_name = "inspections"
    paginate_by = 20

    def get_queryset(self) -> Any:
        return publication.published_inspections()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        inspections = list(context["inspections"])
        counts = publication.aspect_counts(i.pk for i in inspections)
        context["rows"] = [
            {
                "inspection": inspection,
                "site": public_target_site(inspection),
                "late": publication.is_publication_overdue(inspection.days_to_publication),
                "aspects": counts[inspection.pk],
                "languages": sorted({r.language for r in inspection.public_reports}),  # type: ignore[attr-defined]
            }
            for inspection in inspections
        ]
        context["publication_days"] = publication.PUBLICATION_DAYS
        return context


class PublicInspectionDetailView(View):
    """One published inspection: its redacted report in the visitor's language (else English)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = _published_or_404(pk)
        report = publication.public_report(inspection, translation.get_language())
        context = {
            "inspection": inspection,
            "site": public_target_site(inspection),
            "inspectors": public_inspector_names(inspectors_of(inspection)),
            "report": report,
            "aspects": publication.aspect_counts([inspection.pk])[inspection.pk],
        }
        return render(request, "supervision/public/detail.html", context)


class PublicInspectionPdfView(View):
    """The redacted report's frozen PDF, in the visitor's language if rendered, else English."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        inspection = _published_or_404(pk)
        report = publication.public_report(inspection, request.GET.get("lang") or translation.get_language())
        if report is None:
            raise Http404
        return pdf_response(report, request)
