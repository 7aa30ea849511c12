"""Submission and report pages: the list, submitting, a submission with its versions, the report (page and
frozen PDF), the written decision, and running a failed check again.

Everything is fetched through the scoped base: out of scope is a 404, the denial recorded. Only the office
reads the sources' authors (``view_sources``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.views import ScopedListView, apply_validation_error, not_found, request_user, scoped_object
from integrity import selectors
from integrity.forms import DecisionForm, SubmissionForm
from integrity.models import CheckStatus, OriginalityReport, Outcome, Submission
from integrity.services import checks, submissions
from partners import access
from students.models import Student


class SubmissionListView(ScopedListView):
    """``/integrity/``: the student's own submissions, a tutor's tutees', the office's all."""

    template_name = "integrity/pages/submissions.html"
    paginate_by = 25
    context_object_name = "submissions"

    def get_queryset(self) -> Any:
        return selectors.submission_list(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["office"] = access.is_office(user)
        context["can_submit"] = Student.objects.filter(user=request_user(self.request)).exists()
        return context


def _own_student(request: HttpRequest) -> Student:
    student = Student.objects.filter(user=request_user(request)).select_related("user").first()
    if student is None or not access.can(request.user, "submit_work", student):
        raise not_found(request, "submit_work", "Student:own")
    return student


class SubmissionCreateView(LoginRequiredMixin, View):
    """``/integrity/submit/``: the student uploads a PDF or DOCX; its check is queued."""

    template_name = "integrity/pages/submit.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        _own_student(request)
        initial = {"kind": request.GET.get("kind", "proposal")}
        return render(request, self.template_name, {"form": SubmissionForm(initial=initial)})

    def post(self, request: HttpRequest) -> HttpResponse:
        student = _own_student(request)
        form = SubmissionForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                submission = submissions.submission_create(
                    student=student,
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    upload=form.cleaned_data["file"],
                    by=request_user(request),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request, _("Submitted. The originality check runs now; you will be told when it is done.")
                )
                return HttpResponseRedirect(reverse("integrity:submission", args=[submission.pk]))
        return render(request, self.template_name, {"form": form}, status=200)


class SubmissionDetailView(LoginRequiredMixin, View):
    """``/integrity/submissions/<pk>/``: one version, its check, and every version of the same work."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        submission = scoped_object(
            request, Submission.objects.select_related("student__user", "report", "corpus_text", "milestone"), pk=pk
        )
        versions = selectors.submission_versions(user=request.user, submission=submission)
        return render(request, "integrity/pages/submission.html", {"submission": submission, "versions": versions})


class SubmissionFileView(LoginRequiredMixin, View):
    """The submitted file itself, for those who see the submission."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        submission = scoped_object(request, Submission, pk=pk)
        name = f"{submission.kind}-v{submission.version}.{submission.file_format}"
        return FileResponse(submission.file.open("rb"), as_attachment=True, filename=name)


def _report(request: HttpRequest, pk: int, action: str = "view") -> OriginalityReport:
    return scoped_object(
        request, OriginalityReport.objects.select_related("submission__student__user", "submission"), action, pk=pk
    )


class ReportView(LoginRequiredMixin, View):
    """``/integrity/reports/<pk>/``: the report; its decisions; the decision and case buttons for those who
    may use them."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = _report(request, pk)
        user = request.user
        show_authors = access.can(user, "view_sources", report)
        context = checks.report_context(report, show_authors=show_authors)
        can_decide = (
            report.status == CheckStatus.DONE
            and access.can(user, "decide", report)
            and (report.outcome == Outcome.REVIEW or (report.outcome == Outcome.REFERRED and access.is_office(user)))
        )
        context.update(
            decisions=report.decisions.select_related("by").order_by("at", "pk"),
            can_decide=can_decide,
            can_open_case=access.can(user, "open_case", report) and report.status == CheckStatus.DONE,
            can_retry=access.can(user, "retry", report) and report.status == CheckStatus.FAILED,
        )
        return render(request, "integrity/pages/report.html", context)


class ReportPdfView(LoginRequiredMixin, View):
    """The frozen PDF, its SHA-256 as the ETag."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        report = _report(request, pk)
        if report.status != CheckStatus.DONE or not report.pdf:
            raise not_found(request, "view", f"OriginalityReport:{pk}:pdf")
        return pdf_response(report, request)


def pdf_response(report: OriginalityReport, request: Any) -> HttpResponseBase:
    etag = f'"{report.sha256}"'
    if request.headers.get("If-None-Match") == etag:
        response: HttpResponseBase = HttpResponse(status=304)
    else:
        response = FileResponse(
            report.pdf.open("rb"),
            as_attachment=True,
            filename=checks.download_name(report),
            content_type="application/pdf",
        )
    response["ETag"] = etag
    response["X-Content-SHA256"] = report.sha256
    return response


class ReportDecideView(LoginRequiredMixin, View):
    """``/integrity/reports/<pk>/decide/``: the tutor's (or the office's) written decision."""

    template_name = "integrity/pages/decide.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = _report(request, pk, "decide")
        return render(request, self.template_name, {"report": report, "form": DecisionForm()})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = _report(request, pk, "decide")
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                submissions.report_decide(
                    report=report,
                    outcome=form.cleaned_data["outcome"],
                    reason=form.cleaned_data["reason"],
                    by=request_user(request),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Decision recorded."))
                return HttpResponseRedirect(reverse("integrity:report", args=[report.pk]))
        return render(request, self.template_name, {"report": report, "form": form})


class ReportRetryView(LoginRequiredMixin, View):
    """Run a failed check again (the office)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = _report(request, pk, "retry")
        try:
            submissions.report_retry(report=report, by=request_user(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The check runs again."))
        return HttpResponseRedirect(reverse("integrity:report", args=[report.pk]))
