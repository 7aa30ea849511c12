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

from core.views import (
    FilteredListMixin,
    ScopedListView,
    apply_validation_error,
    not_found,
    request_user,
    require_or_404,
    scoped_object,
)
from integrity import selectors
from integrity.forms import (
    CaseAnswerForm,
    CaseDecideForm,
    CaseFilterForm,
    CaseFromConcernForm,
    CaseOpenForm,
    CaseStepForm,
)
from integrity.models import Case, CaseSource, CaseStatus, OriginalityReport, SubjectKind
from integrity.services import cases
from integrity.services.concerns import concern_evidence, concern_subjects
from partners import access
from reviews.models import OPEN_CONCERN, Concern, ConcernStatus
from reviews.services.concerns import concern_decide


class CaseListView(FilteredListMixin, ScopedListView):
    """``/integrity/cases/``: the cases the reader may know of, filtered by programme, cohort and status (the
    quality dashboard's "Cases awaiting a decision" links here)."""

    template_name = "integrity/cases/list.html"
    paginate_by = 25
    context_object_name = "cases"
    filter_form_class = CaseFilterForm

    def get_queryset(self) -> Any:
        return selectors.case_list(user=self.request.user, filters=self.list_filters())

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


class CaseFromConcernView(LoginRequiredMixin, View):
    """``/integrity/cases/from-concern/<pk>/``: the office closes a review concern by opening a violation case
    about the person it was addressed to or the partner. The concern is fetched for "decide" (the office) and
    the page needs "open" on cases: anybody else gets a 404. One service call (``concern_decide``), which
    calls integrity's handler: the case and the concern's closing are written together or not at all."""

    template_name = "integrity/cases/from_concern.html"

    def _concern(self, request: HttpRequest, pk: int) -> Concern:
        require_or_404(request, "open", Case)
        rows = Concern.objects.select_related("partner", "addressed_to", "review__round")
        return scoped_object(request, rows, "decide", pk=pk)

    def _form(self, concern: Concern, data: Any = None) -> CaseFromConcernForm:
        labels = {
            SubjectKind.STUDENT: _("The student: %(name)s"),
            SubjectKind.PERSON: _("The person concerned: %(name)s"),
            SubjectKind.PARTNER: _("The partner: %(name)s"),
        }
        subjects = []
        for key, (_kind, student, person, partner) in concern_subjects(concern).items():
            name = student.user.display_name if student else person.display_name if person else partner
            subjects.append((key, labels[SubjectKind(key)] % {"name": name}))
        initial = {"subject": subjects[0][0], "evidence": concern_evidence(concern)}
        return CaseFromConcernForm(data, initial=initial, subjects=subjects)

    def _render(self, request: HttpRequest, concern: Concern, form: CaseFromConcernForm) -> HttpResponse:
        return render(request, self.template_name, {"concern": concern, "form": form})

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        concern = self._concern(request, pk)
        if concern.status not in OPEN_CONCERN:
            messages.error(request, _("This concern has been closed by the office."))
            return HttpResponseRedirect(reverse("reviews:concern", args=[concern.pk]))
        return self._render(request, concern, self._form(concern))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        concern = self._concern(request, pk)
        form = self._form(concern, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                concern_decide(
                    concern=concern,
                    outcome=ConcernStatus.VIOLATION,
                    note=data["note"],
                    details={"subject": data["subject"], "kind": data["kind"], "evidence": data["evidence"]},
                    by=request_user(request),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                case = Case.objects.get(source_concern=concern)
                messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
                return HttpResponseRedirect(reverse("integrity:case", args=[case.pk]))
        return self._render(request, concern, form)


def _case(request: HttpRequest, pk: int, action: str = "view") -> Case:
    rows = Case.objects.select_related(
        "subject_student__user", "subject_user", "subject_partner", "source_report", "source_concern"
    )
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
            "concern_visible": case.source_concern is not None and access.can(user, "view", case.source_concern),
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
