"""The published quality reports, for everyone without login, under /public/programmes/: the programmes
with a published report, one programme's published reports, a report's public page and its PDFs.

Everything here reads through ``quality.selectors.published_reports``: a report not published, or asked
for under another programme's code, is a 404 for everybody, the office included (the office reads every
version on its own pages). Only the public variant's files are ever fetched here (the queries name the
variant), so nothing of the full report can be reached from these pages, whatever the URL.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import translation
from django.views import View

from core.paging import paged
from programmes.models import Programme
from quality import selectors
from quality.models import QualityReport, QualityReportFile, QualityReportVariant
from quality.views.reports import languages, pdf_response, pick_file

#: Published reports one programme's page lists at once.
PUBLIC_REPORTS_PER_PAGE = 20
#: Programmes the public index lists at once.
PUBLIC_PROGRAMMES_PER_PAGE = 50


def public_files() -> Any:
    """The public renderings of each report (never the full ones), English first, as ``public_files``
    (a ``Prefetch``; typed ``Any`` since django-stubs cannot type a ``to_attr`` prefetch's lookup)."""
    return Prefetch(
        "files",
        queryset=QualityReportFile.objects.filter(variant=QualityReportVariant.PUBLIC).order_by("language"),
        to_attr="public_files",
    )


def published_of(code: str) -> tuple[Programme, QuerySet[QualityReport]]:
    """The programme with this code and its published reports, newest year first; 404 when it has none
    (a programme's existence is not public until it publishes)."""
    programme = Programme.objects.filter(code=code).first()
    if programme is None:
        raise Http404
    reports = selectors.published_reports(programme=programme).select_related("programme", "cohort__programme")
    if not reports.exists():
        raise Http404
    return programme, reports


def _published_or_404(code: str, pk: int) -> QualityReport:
    _programme, reports = published_of(code)
    report = reports.prefetch_related(public_files()).filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


class PublicProgrammeListView(View):
    """``/public/programmes/``: the programmes that have published a quality report, by code."""

    def get(self, request: HttpRequest) -> HttpResponse:
        published = selectors.published_reports().values("programme_id")
        programmes = Programme.objects.filter(pk__in=published).order_by("code")
        section = paged(request, programmes, per_page=PUBLIC_PROGRAMMES_PER_PAGE)
        return render(request, "quality/public/programmes.html", {"section": section})


class PublicReportListView(View):
    """``/public/programmes/<code>/reports/``: the programme's published reports, newest first, each with
    its PDFs by language."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        programme, reports = published_of(code)
        section = paged(request, reports.prefetch_related(public_files()), per_page=PUBLIC_REPORTS_PER_PAGE)
        return render(request, "quality/public/reports.html", {"programme": programme, "section": section})


class PublicReportDetailView(View):
    """``/public/programmes/<code>/reports/<pk>/``: the public version's frozen page, in the reader's
    language if rendered (else English), with every language's PDF and its SHA-256."""

    def get(self, request: HttpRequest, code: str, pk: int) -> HttpResponse:
        report = _published_or_404(code, pk)
        files: list[QualityReportFile] = report.public_files  # type: ignore[attr-defined]
        language = translation.get_language() or languages()[0]
        shown = pick_file(files, QualityReportVariant.PUBLIC, language)
        context = {
            "report": report,
            "programme": report.programme,
            "files": files,
            "shown": shown,
            "other_language": shown is not None and shown.language != language,
        }
        return render(request, "quality/public/report.html", context)


class PublicReportPdfView(View):
    """``/public/programmes/<code>/reports/<pk>/pdf/<language>/``: the public version's frozen PDF,
    checked against its SHA-256 before it is served."""

    def get(self, request: HttpRequest, code: str, pk: int, language: str) -> HttpResponseBase:
        report = _published_or_404(code, pk)
        files: list[QualityReportFile] = report.public_files  # type: ignore[attr-defined]
        file = next((f for f in files if f.language == language), None)
        if file is None:
            raise Http404
        file.report = report
        return pdf_response(file, request)


urlpatterns: list[URLPattern] = [
    path("", PublicProgrammeListView.as_view(), name="programmes"),
    path("<slug:code>/reports/", PublicReportListView.as_view(), name="reports"),
    path("<slug:code>/reports/<int:pk>/", PublicReportDetailView.as_view(), name="report"),
    path("<slug:code>/reports/<int:pk>/pdf/<slug:language>/", PublicReportPdfView.as_view(), name="report-pdf"),
]
