"""The violations register: the register, opening a case, the case page with its timeline, its steps, the
decision, and the subject's statement or appeal.

A coordinator of the subject's partner reaches the case page with "view" only: it shows that the case exists,
its kind, status and outcome, never its evidence, steps or statements (``view_evidence``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.views import ScopedListView, apply_validation_error, not_found, request_user, require_or_404, scoped_object
from integrity import selectors
from integrity.forms import CaseAnswerForm, CaseDecideForm, CaseOpenForm, CaseStepForm
from integrity.models import Case, CaseSource, CaseStatus, OriginalityReport
from integrity.services import cases
from partners import access


class CaseListView(ScopedListView):
    """``/integrity/cases/``: the cases the reader may know of."""

    template_name = "integrity/cases/list.html"
    paginate_by = 25
    context_object_name = "cases"

    def get_queryset(self) -> Any:
        return selectors.case_list(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_open"] = access.can(self.request.user, "open", Case)
        return context


class CaseOpenView(LoginRequiredMixin, View):
    """``/integrity/cases/new/``: the office opens a case (``?report=<pk>``: from an originality report)."""

    template_name = "integrity/cases/open.html"

    def _report(self, request: HttpRequest) -> OriginalityReport | None:
        value = request.POST.get("report") or request.GET.get("report")
        if not value:
            return None
        return scoped_object(
            request, OriginalityReport.objects.select_related("submission__student"), "open_case", pk=value
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        require_or_404(request, "open", Case)
        report = self._report(request)
        initial: dict[str, Any] = {}
        if report is not None:
            initial = {
                "subject_kind": "student",
                "student": report.submission.student_id,
                "kind": "plagiarism",
                "source": CaseSource.ORIGINALITY,
                "evidence": _("Originality report of %(title)s: %(similarity)s %% similarity.")
                % {"title": report.submission.title, "similarity": report.similarity},
            }
        return render(request, self.template_name, {"form": CaseOpenForm(initial=initial), "report": report})

    def post(self, request: HttpRequest) -> HttpResponse:
        require_or_404(request, "open", Case)
        report = self._report(request)
        form = CaseOpenForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = cases.case_open(
                    subject_kind=data["subject_kind"],
                    kind=data["kind"],
                    source=data["source"],
                    evidence=data["evidence"],
                    student=data["student"],
                    person=data["person"],
                    partner=data["partner"],
                    source_report=report,
                    source_reference=data["source_reference"],
                    by=request_user(request),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
                return HttpResponseRedirect(reverse("integrity:case", args=[case.pk]))
        return render(request, self.template_name, {"form": form, "report": report})


def _case(request: HttpRequest, pk: int, action: str = "view") -> Case:
    rows = Case.objects.select_related("subject_student__user", "subject_user", "subject_partner", "source_report")
    return scoped_object(request, rows, action, pk=pk)


class CaseDetailView(LoginRequiredMixin, View):
    """``/integrity/cases/<pk>/``: the case; with its evidence and timeline for the office, its investigators
    and its subject."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case(request, pk)
        user = request.user
        full = access.can(user, "view_evidence", case)
        context: dict[str, Any] = {
            "case": case,
            "full": full,
            "timeline": selectors.case_timeline(user=user, case=case) if full else [],
            "investigators": case.investigators.select_related("user") if full else [],
            "can_advance": access.can(user, "advance", case) and case.status != CaseStatus.CLOSED,
            "can_decide": access.can(user, "decide", case) and case.status in (CaseStatus.HEARING, CaseStatus.APPEALED),
            "can_answer": access.can(user, "answer", case) and case.status in (CaseStatus.HEARING, CaseStatus.DECIDED),
            "report_visible": case.source_report is not None and access.can(user, "view", case.source_report),
        }
        return render(request, "integrity/cases/detail.html", context)


class CaseStepView(LoginRequiredMixin, View):
    """``/integrity/cases/<pk>/step/``: assign investigators (the office), start the investigation, open the
    hearing with its deadline, close a decided case (the office or the case's investigators)."""

    template_name = "integrity/cases/step.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case(request, pk, "advance")
        return render(request, self.template_name, {"case": case, "form": CaseStepForm()})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case(request, pk, "advance")
        form = CaseStepForm(request.POST)
        user = request_user(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["step"] == CaseStepForm.ASSIGN:
                    if not access.can(user, "decide", case):
                        raise not_found(request, "decide", case)
                    cases.case_assign(case=case, investigators=list(data["investigators"]), by=user)
                else:
                    cases.case_advance(
                        case=case, step=data["step"], by=user, note=data["note"], statement_due=data["statement_due"]
                    )
            except ValidationError as error:
                apply_validation_error(form, error)
            except PermissionDenied:
                raise not_found(request, "advance", case) from None
            else:
                messages.success(request, _("Step recorded."))
                return HttpResponseRedirect(reverse("integrity:case", args=[case.pk]))
        return render(request, self.template_name, {"case": case, "form": form})


class CaseDecideView(LoginRequiredMixin, View):
    """``/integrity/cases/<pk>/decide/``: the office decides (or decides again on appeal)."""

    template_name = "integrity/cases/decide.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case(request, pk, "decide")
        return render(request, self.template_name, {"case": case, "form": CaseDecideForm()})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case(request, pk, "decide")
        form = CaseDecideForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                cases.case_decide(
                    case=case,
                    decision=data["decision"],
                    reasons=data["reasons"],
                    remedy=data["remedy"],
                    sanction=data["sanction"],
                    sanction_until=data["sanction_until"],
                    by=request_user(request),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Decision recorded."))
                return HttpResponseRedirect(reverse("integrity:case", args=[case.pk]))
        return render(request, self.template_name, {"case": case, "form": form})


class CaseAnswerView(LoginRequiredMixin, View):
    """``/integrity/cases/<pk>/answer/``: the subject's written statement at the hearing, or their appeal of
    the decision."""

    template_name = "integrity/cases/answer.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case(request, pk, "answer")
        return render(request, self.template_name, {"case": case, "form": CaseAnswerForm()})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case(request, pk, "answer")
        form = CaseAnswerForm(request.POST)
        if form.is_valid():
            user = request_user(request)
            try:
                if case.status == CaseStatus.DECIDED:
                    cases.case_appeal(case=case, grounds=form.cleaned_data["text"], by=user)
                else:
                    cases.case_statement(case=case, text=form.cleaned_data["text"], by=user)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Your answer is on the record."))
                return HttpResponseRedirect(reverse("integrity:case", args=[case.pk]))
        return render(request, self.template_name, {"case": case, "form": form})
