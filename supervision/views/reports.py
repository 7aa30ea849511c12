"""Report pages: an inspection's report and its versions, the frozen PDF, retrying a failed render,
publishing, and the office's publication queue.

Reports are read through ``access.scope(InspectionReport...)``: the office sees all, an inspection's
inspectors and the target partner's coordinators its reports, every inspector the published public
versions; anyone else gets a 404, as for a report that does not exist. Writes (retry, publish) are the
office's; for anybody else they are a 404 too, like in the other supervision pages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView

from core.forms import BootstrapFormMixin
from core.views import apply_validation_error, not_found, request_user, require_or_404, scoped_object
from partners import access
from supervision import selectors
from supervision.models import Inspection, InspectionReport, InspectionStatus, ReportStatus, ReportVariant
from supervision.reports import download_name, redact, report_retry, stuck_minutes
from supervision.services import publication


def _visible_inspection(request: HttpRequest, pk: int) -> Inspection:
    return scoped_object(request, Inspection.objects.select_related("target_partner", "target_site"), pk=pk)


def pdf_response(report: InspectionReport, request: HttpRequest) -> HttpResponseBase:
    """The frozen PDF as a download, its SHA-256 as the ETag (a client holding it gets a 304)."""
    etag = f'"{report.sha256}"'
    if request.headers.get("If-None-Match") == etag:
        response: HttpResponseBase = HttpResponse(status=304)
    else:
        # Offered under its readable name: the stored one has a random part (reports.report_file_name).
        response = FileResponse(
            report.pdf.open("rb"), as_attachment=True, filename=download_name(report), content_type="application/pdf"
        )
    response["ETag"] = etag
    response["X-Content-SHA256"] = report.sha256
    return response


class ReportView(LoginRequiredMixin, View):
    """An inspection's report: the newest ready version the user may see (the full one first), and
    every version with its status, hash and download; a failed one shows its error and a Retry button to
    the office only (the error text may name internal paths; others read that the office was told); a
    pending one says it is being rendered; a stuck one (waiting or rendering for more than
    ``REPORT_STUCK_AFTER``) says so, and offers the office a Retry too."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        reports = sorted(
            selectors.inspection_reports(user=request.user, inspection_id=pk), key=lambda r: (r.variant, -r.version)
        )
        if not reports:
            raise not_found(request, "view", f"InspectionReport:inspection={pk}")
        inspection = reports[0].inspection
        # The full report if the user may see one, else the public one; in the reader's language if rendered.
        language = translation.get_language()
        ready = sorted(
            (r for r in reports if r.status == ReportStatus.READY),
            key=lambda r: (r.variant != ReportVariant.FULL, r.language != language, -r.version),
        )
        shown = ready[0] if ready else None
        # Reports are rendered in every language at closing (ADR 0033); an older inspection, or one whose version
        # in this language is still rendering, shows another language and says so.
        other_language = shown is not None and shown.language != language
        days = publication.days_since(inspection.closed_at)
        context = {
            "inspection": inspection,
            "reports": reports,
            "shown": shown,
            "other_language": other_language,
            "pending": any(r.status in (ReportStatus.PENDING, ReportStatus.RENDERING) for r in reports),
            "stuck": any(r.stuck for r in reports),
            "stuck_minutes": stuck_minutes(),
            "can_retry": access.can(request.user, "retry_report", inspection),
            "can_publish": inspection.status == InspectionStatus.CLOSED
            and access.can(request.user, "publish", inspection),
            "days_since_closing": days,
            "overdue": inspection.status == InspectionStatus.CLOSED and publication.is_publication_overdue(days),
            "publication_days": publication.PUBLICATION_DAYS,
        }
        return render(request, "supervision/reports/report.html", context)


class ReportPdfView(LoginRequiredMixin, View):
    """GET: one frozen report PDF, as stored (never rendered again)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        report = scoped_object(request, InspectionReport.objects.filter(status=ReportStatus.READY), pk=pk)
        return pdf_response(report, request)


class ReportRetryView(LoginRequiredMixin, View):
    """POST: the office renders a failed or stuck version again."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = scoped_object(request, InspectionReport.objects.select_related("inspection"), pk=pk)
        require_or_404(request, "retry_report", report.inspection)
        try:
            report_retry(report=report, by=request_user(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The report is queued to be rendered again."))
        return HttpResponseRedirect(reverse("supervision:report", args=[report.inspection_id]))


class PublishForm(BootstrapFormMixin, forms.Form):
    """The public summary: what the public reads first, redacted on the way in."""

    summary = forms.CharField(
        label=_("Public summary"),
        required=False,
        max_length=publication.SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "No personal data: names, student numbers, e-mail addresses and phone numbers known to Tandem are "
            "replaced by [redacted], but a nickname or a description of a person is not. Check the preview."
        ),
    )


class PublishView(LoginRequiredMixin, View):
    """The office publishes a closed inspection: a summary with a redacted preview, the days since
    closing; "Preview" shows what the public will read without publishing."""

    template_name = "supervision/reports/publish.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not access.can(request.user, "publish", Inspection):
            raise not_found(request, "publish", f"Inspection:{kwargs.get('pk')}")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = _visible_inspection(request, pk)
        return self._render(request, inspection, PublishForm(initial={"summary": inspection.public_summary}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = _visible_inspection(request, pk)
        form = PublishForm(request.POST)
        if form.is_valid() and "preview" not in request.POST:
            try:
                publication.inspection_publish(
                    inspection=inspection, by=request_user(request), summary=form.cleaned_data["summary"]
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Published. The public report is being rendered in English and Chinese."))
                return HttpResponseRedirect(reverse("supervision:report", args=[inspection.pk]))
        return self._render(request, inspection, form)

    def _render(self, request: HttpRequest, inspection: Inspection, form: PublishForm) -> HttpResponse:
        typed = form.data.get("summary", "") if form.is_bound else form.initial.get("summary", "")
        days = publication.days_since(inspection.closed_at)
        context = {
            "inspection": inspection,
            "form": form,
            "preview": redact(str(typed), inspection) if typed else "",
            "days_since_closing": days,
            "overdue": publication.is_publication_overdue(days),
            "publication_days": publication.PUBLICATION_DAYS,
            "closed": inspection.status == InspectionStatus.CLOSED,
        }
        return render(request, self.template_name, context)


class PublicationQueueView(LoginRequiredMixin, ListView):  # type: ignore[type-arg]
    """The office's queue: closed inspections awaiting publication, the longest waiting first, with the
    days since closing; red once overdue (``publication.is_publication_overdue``)."""

    template_name = "supervision/reports/publication_queue.html"
    context_object_name = "inspections"
    paginate_by = 50

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not access.can(request.user, "publish", Inspection):
            raise not_found(request, "publish", "Inspection:publication-queue")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return publication.publication_queue(user=request_user(self.request))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = []
        for inspection in context["inspections"]:
            days = publication.days_since(inspection.closed_at)
            full = inspection.full_reports[0] if inspection.full_reports else None
            rows.append(
                {
                    "inspection": inspection,
                    "days": days,
                    "overdue": publication.is_publication_overdue(days),
                    "report": full,
                }
            )
        context.update(
            rows=rows,
            publication_days=publication.PUBLICATION_DAYS,
            overdue_count=publication.publication_overdue().count(),
        )
        return context
