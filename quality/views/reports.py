"""The office's quality-report pages under /quality/reports/: the list, a request for a new build, one
version's frozen page with its PDFs, hashes, publication and the other versions, a PDF download, retrying
a failed or stuck build, and publishing the public version.

Every page is the office's (``quality/access.py``): for anybody else each answers 404, the denial
recorded, as for a report that does not exist. Reports are fetched through the scoped base
(``core.views``); writes call one service each (``quality.services``); the page shown is the frozen HTML
the build stored (``QualityReportFile.html``), never rendered again, so it is what the PDF says.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import View

from core.paging import paged
from core.views import ScopedFormView, not_found, request_user, require_or_404, scoped_object, scoped_queryset
from partners import access
from quality import selectors, services
from quality.forms import ReportFilterForm, ReportRequestForm
from quality.models import STUCK_AFTER, QualityReport, QualityReportFile, QualityReportStatus, QualityReportVariant

logger = logging.getLogger("tandem.quality.reports")

#: Reports the list shows at once.
REPORTS_PER_PAGE = 25
#: How far each status has come, for the list's progress-like badge (a percentage; .pct-N classes).
PROGRESS: dict[str, int] = {
    QualityReportStatus.PENDING: 10,
    QualityReportStatus.BUILDING: 50,
    QualityReportStatus.READY: 100,
    QualityReportStatus.FAILED: 100,
}


def languages() -> list[str]:
    """The languages reports are rendered in (``settings.LANGUAGES``), English first."""
    return [code for code, _name in settings.LANGUAGES]


def pick_file(files: list[QualityReportFile], variant: str, language: str) -> QualityReportFile | None:
    """The rendering of ``variant`` in ``language``, else in English, else in any language; None if none."""
    of_variant = [f for f in files if f.variant == variant]
    for wanted in (language, languages()[0]):
        for file in of_variant:
            if file.language == wanted:
                return file
    return of_variant[0] if of_variant else None


def download_name(file: QualityReportFile) -> str:
    """``quality-<programme code>[-c<intake year>]-<year>-v<version>[-public]-<language>.pdf``: ASCII only
    (a programme code is a slug), and the same for the same file whoever downloads it."""
    report = file.report
    cohort = f"-c{report.cohort.intake_year}" if report.cohort_id and report.cohort else ""
    public = "-public" if file.variant == QualityReportVariant.PUBLIC else ""
    return f"quality-{report.programme.code}{cohort}-{report.year}-v{report.version}{public}-{file.language}.pdf"


def pdf_response(file: QualityReportFile, request: HttpRequest) -> HttpResponseBase:
    """The frozen PDF as an attachment, after checking it against the SHA-256 taken when it was rendered:
    a stored file that differs is never handed out (409, and an error in the log, as ``funds`` does for its
    documents). The hash is the ETag and ``X-Content-SHA256``; a client holding it gets a 304."""
    digest = hashlib.sha256()
    try:
        with file.pdf.open("rb") as stored:
            for chunk in stored.chunks():
                digest.update(chunk)
    except FileNotFoundError:
        logger.error("Quality report file %s: its PDF is missing from storage", file.pk)
        raise Http404 from None
    if digest.hexdigest() != file.sha256:
        logger.error(
            "Quality report file %s: the stored PDF's SHA-256 differs from the one taken at rendering", file.pk
        )
        return HttpResponse(
            _("The stored PDF does not match the SHA-256 recorded when it was rendered."),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    etag = f'"{file.sha256}"'
    if etag in {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
        response: HttpResponseBase = HttpResponse(status=304)
    else:
        response = FileResponse(
            file.pdf.open("rb"), as_attachment=True, filename=download_name(file), content_type="application/pdf"
        )
    response["ETag"] = etag
    response["X-Content-SHA256"] = file.sha256
    return response


def _reports(request: HttpRequest, action: str = "view") -> QuerySet[QualityReport]:
    """The reports in the user's scope for ``action``, with what every page shows of them."""
    return scoped_queryset(request, QualityReport.objects.select_related("programme", "cohort__programme"), action)


class ReportListView(LoginRequiredMixin, View):
    """``/quality/reports/``: every version of every report, newest year first, filtered by programme,
    year and status, a page at a time; an empty list says how to build the first report."""

    template_name = "quality/report_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        require_or_404(request, "view", QualityReport)
        form = ReportFilterForm(request.GET or None)
        filters = form.filters() if form.is_bound else {}
        rows = selectors.report_list(user=request_user(request), filters=filters).select_related(
            "programme", "cohort__programme"
        )
        section = paged(request, rows, per_page=REPORTS_PER_PAGE)
        now = timezone.now()
        context = {
            "filter_form": form,
            "filtered": bool(filters),
            "section": section,
            "rows": [
                {"report": report, "progress": PROGRESS.get(report.status, 0), "stuck": report.is_stuck(now)}
                for report in section.rows
            ],
            "last_year": now.year - 1,
        }
        return render(request, self.template_name, context)


class ReportRequestView(ScopedFormView):
    """``/quality/reports/new/``: ask for a new build (``services.report_request``), then go to it; a
    refusal keeps the form as typed, with the service's message on the field it names."""

    model = QualityReport
    access_action = "request"
    form_class = ReportRequestForm
    template_name = "quality/report_request.html"

    def get_initial(self) -> dict[str, Any]:
        programme = self.request.GET.get("programme", "")
        return {"programme": int(programme)} if programme.isdigit() else {}

    def form_valid(self, form: Any) -> HttpResponse:
        data = form.cleaned_data
        report = self.run_service(
            form,
            lambda: services.report_request(
                programme=data["programme"], cohort=data.get("cohort"), year=data["year"], by=request_user(self.request)
            ),
        )
        if report is None:
            return self.form_invalid(form)
        messages.success(self.request, _("The report is queued to be built. This page shows its progress."))
        return HttpResponseRedirect(reverse("quality:report", args=[report.pk]))


class ReportDetailView(LoginRequiredMixin, View):
    """``/quality/reports/<pk>/``: one version. Ready: its frozen page in the reader's language (else
    English), each PDF with its SHA-256, Publish (or who published it and when). Waiting or building: its
    progress, and Retry once it is stuck. Failed: the error and Retry. Always: the other versions."""

    template_name = "quality/report_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = scoped_object(
            request,
            QualityReport.objects.select_related("programme", "cohort__programme", "requested_by", "published_by"),
            pk=pk,
        )
        files = list(report.files.order_by("variant", "language"))
        language = translation.get_language() or languages()[0]
        shown = pick_file(files, QualityReportVariant.FULL, language)
        versions = (
            _reports(request)
            .filter(programme_id=report.programme_id, year=report.year)
            .filter(**({"cohort_id": report.cohort_id} if report.cohort_id else {"cohort__isnull": True}))
            .order_by("-version")
        )
        stuck = report.is_stuck()
        context = {
            "report": report,
            "files": files,
            "shown": shown,
            "other_language": shown is not None and shown.language != language,
            "versions": versions,
            "stuck": stuck,
            "stuck_minutes": int(STUCK_AFTER.total_seconds() // 60),
            "progress": PROGRESS.get(report.status, 0),
            "can_retry": (report.status == QualityReportStatus.FAILED or stuck)
            and access.can(request.user, "retry", report),
            "can_publish": report.status == QualityReportStatus.READY
            and report.published_at is None
            and access.can(request.user, "publish", report),
            "public_files": [f for f in files if f.variant == QualityReportVariant.PUBLIC],
        }
        return render(request, self.template_name, context)


class ReportPdfView(LoginRequiredMixin, View):
    """``/quality/reports/<pk>/pdf/<variant>/<language>/``: one frozen PDF, checked against its hash."""

    def get(self, request: HttpRequest, pk: int, variant: str, language: str) -> HttpResponseBase:
        report = scoped_object(request, QualityReport.objects.select_related("programme", "cohort__programme"), pk=pk)
        if variant not in QualityReportVariant.values or language not in languages():
            raise not_found(request, "view", f"QualityReportFile:report={pk},{variant},{language}")
        file = report.files.filter(variant=variant, language=language).first()
        if file is None:
            raise not_found(request, "view", f"QualityReportFile:report={pk},{variant},{language}")
        file.report = report  # the download's name reads the programme and cohort already fetched
        return pdf_response(file, request)


class ReportRetryView(LoginRequiredMixin, View):
    """POST ``/quality/reports/<pk>/retry/``: queue a failed or stuck build again (``services.report_retry``)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = scoped_object(request, QualityReport, "retry", pk=pk)
        try:
            services.report_retry(report=report, by=request_user(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The report is queued to be built again."))
        return HttpResponseRedirect(reverse("quality:report", args=[report.pk]))


class ReportPublishView(LoginRequiredMixin, View):
    """POST ``/quality/reports/<pk>/publish/``: publish the public version of a ready report
    (``services.report_publish``: no person, no small cell), after the page's confirmation."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = scoped_object(request, QualityReport, "publish", pk=pk)
        try:
            services.report_publish(report=report, by=request_user(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Published. The public version is on the programme's public page, in every language.")
            )
        return HttpResponseRedirect(reverse("quality:report", args=[report.pk]))


urlpatterns: list[URLPattern] = [
    path("reports/", ReportListView.as_view(), name="reports"),
    path("reports/new/", ReportRequestView.as_view(), name="report-new"),
    path("reports/<int:pk>/", ReportDetailView.as_view(), name="report"),
    path("reports/<int:pk>/pdf/<slug:variant>/<slug:language>/", ReportPdfView.as_view(), name="report-pdf"),
    path("reports/<int:pk>/retry/", ReportRetryView.as_view(), name="report-retry"),
    path("reports/<int:pk>/publish/", ReportPublishView.as_view(), name="report-publish"),
]
