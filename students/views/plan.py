"""Training-plan pages: one student's plan, its timeline, versions, workflow and milestones, and its PDF.

Views are thin: each fetches its objects through the scoped selectors (out of scope: 404), checks the
action's right with ``access`` (without it: 404 as well, so a page never confirms what it hides), calls
one service and renders. Refusals come from the services: on a form they land on its fields; on the
workflow buttons they come back as an error message on the plan page.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import User
from core.pagecache import kept_page
from core.pdf import render_pdf
from core.prepared import prepared_page
from core.views import apply_validation_error, not_found, request_user, scoped_object, scoped_queryset
from partners import access
from students import selectors, services
from students.forms import (
    MilestoneDoneForm,
    MilestoneEvidenceForm,
    PlacementForm,
    PlanGoalsForm,
    ReasonForm,
)
from students.models import Milestone, MilestoneStatus, Placement, PlanStatus, TrainingPlan

FORM_TEMPLATE = "students/plan_form.html"


def _plan_or_404(request: HttpRequest, student_pk: int, action: str = "view") -> TrainingPlan:
    """The plan of a student in the user's view scope on which the user may ``action``, else 404."""
    plan = selectors.plan_for_student(user=request.user, student_pk=student_pk)
    if plan is None or (action != "view" and not access.can(request.user, action, plan)):
        raise not_found(request, action, f"TrainingPlan:student={student_pk}")
    return plan


def _placement_or_404(request: HttpRequest, pk: int) -> tuple[Placement, TrainingPlan]:
    """A placement the user sees, of a plan the user may edit, else 404."""
    placements = Placement.objects.select_related("partner", "site", "supervisor", "student")
    placement = scoped_object(request, placements, "view", pk=pk)
    plan = _plan_or_404(request, placement.student_id, "edit")
    return placement, plan


def _milestone_or_404(request: HttpRequest, pk: int, action: str) -> Milestone:
    """A milestone the user sees and may ``action`` on, else 404."""
    milestones = Milestone.objects.select_related("student__user")
    if action != "view":
        milestones = scoped_queryset(request, milestones, "view")  # seen first, then the action's own scope
    return scoped_object(request, milestones, action, pk=pk)


def _plan_url(plan: TrainingPlan) -> str:
    return reverse("students:plan", args=[plan.student_id])


def _plan_title(request: HttpRequest, plan: TrainingPlan) -> str:
    if plan.student.user_id == request.user.pk:
        return _("My training plan")
    return _("Training plan of %(name)s") % {"name": plan.student.user.display_name}


def _refused(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


class _PlanFormView(LoginRequiredMixin, View):
    """A page with one form about a plan; valid input goes to one service, refusals keep what was typed."""

    template_name = FORM_TEMPLATE
    submit_label = ""
    #: whether the form changes the plan's content (goals, placements), which only an editable plan allows
    changes_content = False

    def render_form(
        self, request: HttpRequest, plan: TrainingPlan, form: BaseForm, title: str, **extra: Any
    ) -> HttpResponse:
        context = {
            "form": form,
            "title": title,
            "plan": plan,
            # Content forms say up front when the plan cannot change now (the service refuses anyway).
            "locked": self.changes_content and not plan.is_editable,
            "student": plan.student,
            "plan_title": _plan_title(request, plan),
            "submit_label": self.submit_label or _("Save"),
            **extra,
        }
        return render(request, self.template_name, context)

    @staticmethod
    def run_service(form: BaseForm, call: Any) -> Any:
        """Call a service; on ``ValidationError`` put its messages on the form and return None."""
        try:
            return call()
        except ValidationError as error:
            apply_validation_error(form, error)
            return None


# --- Reading the plan ----------------------------------------------------------------------------------


@method_decorator(kept_page, name="dispatch")
@method_decorator(prepared_page, name="get")
class PlanDetailView(LoginRequiredMixin, View):
    """ "My training plan" for the student, "Training plan of X" for the others who may see it."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = _plan_or_404(request, pk)
        user = request.user
        overview = selectors.plan_overview(user=user, plan=plan)
        status = plan.status
        # Every button's right in one query (the rules ``access.can`` applies); milestone rights depend on
        # the student only, so one milestone answers for all of them.
        first_milestone = overview.milestones[0] if overview.milestones else None
        rights = selectors.plan_rights(user=user, plan=plan, milestone=first_milestone)
        can_edit, can_office = rights["edit"], rights["approve"]
        actions = {
            "edit": can_edit and plan.is_editable,
            "amend": can_edit and status == PlanStatus.APPROVED,
            "submit": plan.is_editable and rights["submit"],
            "tutor_approve": status == PlanStatus.SUBMITTED and rights["tutor_approve"],
            "approve": status == PlanStatus.TUTOR_APPROVED and can_office,
            "return": (
                status in (PlanStatus.SUBMITTED, PlanStatus.TUTOR_APPROVED)
                and rights["return"]
                and (status == PlanStatus.SUBMITTED or can_office)
            ),
            "decide": rights["decide"],
            "waive": rights["waive"],
            "evidence": rights["attach_evidence"],
        }
        context = {
            "plan": plan,
            "student": plan.student,
            "overview": overview,
            "title": _plan_title(request, plan),
            "actions": actions,
            "pending": MilestoneStatus.PENDING,
        }
        return render(request, "students/plan_detail.html", context)


class PlanMineView(LoginRequiredMixin, View):
    """The logged-in student's own plan; nobody else has one to go to."""

    def get(self, request: HttpRequest) -> HttpResponse:
        student = selectors.own_student(user=request.user)
        if student is None:
            raise not_found(request, "view", "TrainingPlan:mine")
        return HttpResponseRedirect(reverse("students:plan", args=[student.pk]))


class PlanPdfView(LoginRequiredMixin, View):
    """The plan as a PDF, rendered by ``core.pdf`` (no outside fetches, CJK names included)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = _plan_or_404(request, pk)
        overview = selectors.plan_overview(user=request.user, plan=plan)
        # The request names the reader, so the PDF shows the hours this reader sees on the page (same tag).
        context = {"plan": plan, "student": plan.student, "overview": overview, "request": request}
        pdf = render_pdf("students/pdf/plan.html", context)
        response = HttpResponse(pdf, content_type="application/pdf")
        safe_number = re.sub(r"[^A-Za-z0-9_.-]", "_", plan.student.student_number)
        response["Content-Disposition"] = f'attachment; filename="plan-{safe_number}.pdf"'
        return response


class PlanVersionsView(LoginRequiredMixin, View):
    """Every version of the plan (who, when, what) and the difference between two of them."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = _plan_or_404(request, pk)
        # Snapshots and summaries hold every partner's placements: each reader sees those they may see.
        versions = selectors.plan_version_rows(user=request.user, plan=plan)
        numbers = {v.number for v in versions}
        pair = selectors.plan_default_comparison(plan)
        chosen = (_int(request.GET.get("a")), _int(request.GET.get("b")))
        if chosen[0] in numbers and chosen[1] in numbers:
            pair = (chosen[0], chosen[1])  # type: ignore[assignment]
        diff = None
        if pair is not None and pair[0] in numbers and pair[1] in numbers:
            snapshots = selectors.plan_version_snapshots(user=request.user, plan=plan, numbers=list(pair))
            diff = selectors.plan_version_diff(snapshots.get(pair[0], {}), snapshots.get(pair[1], {}))
        context = {
            "plan": plan,
            "student": plan.student,
            "plan_title": _plan_title(request, plan),
            "versions": versions,
            "pair": pair,
            "diff": diff,
            "partial": not selectors.follows_whole_training(user=request.user, student=plan.student),
        }
        return render(request, "students/plan_versions.html", context)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


# --- Editing the plan ----------------------------------------------------------------------------------


class PlanGoalsView(_PlanFormView):
    changes_content = True

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = _plan_or_404(request, pk, "edit")
        return self._render(request, plan, PlanGoalsForm(initial=PlanGoalsForm.initial_for(plan.student)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = _plan_or_404(request, pk, "edit")
        form = PlanGoalsForm(request.POST)
        if form.is_valid():
            saved = self.run_service(
                form, lambda: services.plan_update_goals(plan=plan, by=request_user(request), **form.cleaned_data)
            )
            if saved is not None:
                messages.success(request, _("Goals saved (version %(version)s).") % {"version": saved.version})
                return HttpResponseRedirect(_plan_url(plan))
        return self._render(request, plan, form)

    def _render(self, request: HttpRequest, plan: TrainingPlan, form: BaseForm) -> HttpResponse:
        return self.render_form(request, plan, form, _("Goals and career intention"))


class _PlacementFormMixin(_PlanFormView):
    template_name = "students/plan_placement_form.html"
    changes_content = True

    def make_form(self, request: HttpRequest, plan: TrainingPlan, placement: Placement | None = None) -> PlacementForm:
        student = plan.student
        user = request.user
        kwargs: dict[str, Any] = {
            "partners": selectors.placement_partner_choices(user=user, student=student),
            "sites": selectors.placement_site_choices(user=user),
            "supervisors": selectors.placement_supervisor_choices(user=user),
            "objectives": selectors.placement_objective_choices(student=student),
            "categories": selectors.placement_category_choices(student=student),
            "fixed_partner": placement.partner if placement is not None else None,
            "office": access.is_office(user),
        }
        if request.method == "POST":
            return PlacementForm(request.POST, **kwargs)
        initial = PlacementForm.initial_for(placement) if placement is not None else {}
        return PlacementForm(initial=initial, **kwargs)


class PlacementCreateView(_PlacementFormMixin):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = _plan_or_404(request, pk, "edit")
        return self._render(request, plan, self.make_form(request, plan))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = _plan_or_404(request, pk, "edit")
        form = self.make_form(request, plan)
        if form.is_valid():
            data = form.cleaned_data
            placement = self.run_service(
                form,
                lambda: services.placement_create(
                    plan=plan,
                    by=request_user(request),
                    partner=data["partner"],
                    site=data["site"],
                    supervisor=data["supervisor"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    objectives=data["objectives"],
                    required_hours=form.required_hours(),
                    notes=data["notes"],
                    **form.override_reasons(),
                ),
            )
            if placement is not None:
                messages.success(request, _("Placement at %(partner)s added.") % {"partner": placement.partner.name})
                return HttpResponseRedirect(_plan_url(plan))
        return self._render(request, plan, form)

    def _render(self, request: HttpRequest, plan: TrainingPlan, form: PlacementForm) -> HttpResponse:
        return self.render_form(request, plan, form, _("Add a placement"))


class PlacementUpdateView(_PlacementFormMixin):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        placement, plan = _placement_or_404(request, pk)
        return self._render(request, plan, placement, self.make_form(request, plan, placement))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        placement, plan = _placement_or_404(request, pk)
        form = self.make_form(request, plan, placement)
        if form.is_valid():
            data = form.cleaned_data
            saved = self.run_service(
                form,
                lambda: services.placement_update(
                    placement=placement,
                    by=request_user(request),
                    site=data["site"],
                    supervisor=data["supervisor"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    objectives=data["objectives"],
                    required_hours=form.required_hours(),
                    notes=data["notes"],
                    **form.override_reasons(),
                ),
            )
            if saved is not None:
                messages.success(request, _("Placement at %(partner)s changed.") % {"partner": placement.partner.name})
                return HttpResponseRedirect(_plan_url(plan))
        return self._render(request, plan, placement, form)

    def _render(
        self, request: HttpRequest, plan: TrainingPlan, placement: Placement, form: PlacementForm
    ) -> HttpResponse:
        title = _("Change the placement at %(partner)s") % {"partner": placement.partner.name}
        return self.render_form(request, plan, form, title, placement=placement)


class PlacementCancelView(_PlanFormView):
    changes_content = True

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        placement, plan = _placement_or_404(request, pk)
        return self._render(request, plan, placement, self._form())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        placement, plan = _placement_or_404(request, pk)
        form = self._form(request.POST)
        if form.is_valid():
            cancelled = self.run_service(
                form,
                lambda: services.placement_cancel(
                    placement=placement, by=request_user(request), reason=form.cleaned_data["reason"]
                ),
            )
            if cancelled is not None:
                messages.success(
                    request, _("Placement at %(partner)s cancelled.") % {"partner": placement.partner.name}
                )
                return HttpResponseRedirect(_plan_url(plan))
        return self._render(request, plan, placement, form)

    @staticmethod
    def _form(data: Any = None) -> ReasonForm:
        return ReasonForm(data, help_text=_("The placement stays on record, marked cancelled, with this reason."))

    def _render(self, request: HttpRequest, plan: TrainingPlan, placement: Placement, form: BaseForm) -> HttpResponse:
        self.submit_label = _("Cancel the placement")
        title = _("Cancel the placement at %(partner)s (%(start)s to %(end)s)") % {
            "partner": placement.partner.name,
            "start": placement.start_date.isoformat(),
            "end": placement.end_date.isoformat(),
        }
        return self.render_form(request, plan, form, title, placement=placement, danger=True)


# --- Workflow --------------------------------------------------------------------------------------------


class _PlanStepView(LoginRequiredMixin, View):
    """A workflow button: POST only (GET answers 405); success and refusal both go back to the plan."""

    http_method_names = ["post", "options"]
    action = ""
    done_message = ""

    def call(self, plan: TrainingPlan, user: User) -> TrainingPlan:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = _plan_or_404(request, pk, self.action)
        try:
            self.call(plan, request_user(request))
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, self.done_message)
        return HttpResponseRedirect(_plan_url(plan))


class PlanSubmitView(_PlanStepView):
    action = "submit"

    def call(self, plan: TrainingPlan, user: User) -> TrainingPlan:
        self.done_message = _("Plan submitted for the tutor's approval.")
        return services.plan_submit(plan=plan, by=user)


class PlanTutorApproveView(_PlanStepView):
    action = "tutor_approve"

    def call(self, plan: TrainingPlan, user: User) -> TrainingPlan:
        self.done_message = _("Plan approved; it goes to the graduate office.")
        return services.plan_tutor_approve(plan=plan, by=user)


class PlanApproveView(_PlanStepView):
    action = "approve"

    def call(self, plan: TrainingPlan, user: User) -> TrainingPlan:
        self.done_message = _("Plan approved.")
        return services.plan_approve(plan=plan, by=user)


class _PlanReasonView(_PlanFormView):
    """A workflow step that needs a reason: a form page; a refused step goes back to the plan."""

    action = ""
    title = ""
    help_text = ""
    done_message = ""

    def call(self, plan: TrainingPlan, user: User, reason: str) -> TrainingPlan:
        raise NotImplementedError

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = _plan_or_404(request, pk, self.action)
        return self._render(request, plan, self._form())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        plan = _plan_or_404(request, pk, self.action)
        form = self._form(request.POST)
        if form.is_valid():
            try:
                self.call(plan, request_user(request), form.cleaned_data["reason"])
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    apply_validation_error(form, error)
                    return self._render(request, plan, form)
                _refused(request, error)
                return HttpResponseRedirect(_plan_url(plan))
            messages.success(request, self.done_message)
            return HttpResponseRedirect(_plan_url(plan))
        return self._render(request, plan, form)

    def _form(self, data: Any = None) -> ReasonForm:
        return ReasonForm(data, help_text=self.help_text)

    def _render(self, request: HttpRequest, plan: TrainingPlan, form: BaseForm) -> HttpResponse:
        return self.render_form(request, plan, form, self.title)


class PlanReturnView(_PlanReasonView):
    action = "return"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.title = _("Return the plan")
        self.submit_label = _("Return the plan")
        self.help_text = _("The student sees this reason and changes the plan before submitting it again.")
        self.done_message = _("Plan returned to the student.")

    def call(self, plan: TrainingPlan, user: User, reason: str) -> TrainingPlan:
        return services.plan_return(plan=plan, by=user, reason=reason)


class PlanAmendView(_PlanReasonView):
    action = "edit"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.title = _("Start an amendment")
        self.submit_label = _("Start the amendment")
        self.help_text = _(
            "The approved version stays on record; the amended plan goes through the same approval again."
        )
        self.done_message = _("Amendment started: change the plan, then submit it again.")

    def call(self, plan: TrainingPlan, user: User, reason: str) -> TrainingPlan:
        return services.plan_amend(plan=plan, by=user, reason=reason)


# --- Milestones ------------------------------------------------------------------------------------------


class _MilestoneFormView(_PlanFormView):
    action = ""

    def milestone_and_plan(self, request: HttpRequest, pk: int) -> tuple[Milestone, TrainingPlan]:
        milestone = _milestone_or_404(request, pk, self.action)
        return milestone, _plan_or_404(request, milestone.student_id)

    def _render(self, request: HttpRequest, plan: TrainingPlan, milestone: Milestone, form: BaseForm) -> HttpResponse:
        return self.render_form(request, plan, form, self.page_title(milestone), milestone=milestone)

    def page_title(self, milestone: Milestone) -> str:
        raise NotImplementedError


class MilestoneDoneView(_MilestoneFormView):
    action = "decide"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        milestone, plan = self.milestone_and_plan(request, pk)
        return self._render(request, plan, milestone, MilestoneDoneForm(initial=MilestoneDoneForm.initial_today()))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        milestone, plan = self.milestone_and_plan(request, pk)
        form = MilestoneDoneForm(request.POST)
        if form.is_valid():
            done = self.run_service(
                form,
                lambda: services.milestone_complete(
                    milestone=milestone, by=request_user(request), completed_on=form.cleaned_data["completed_on"]
                ),
            )
            if done is not None:
                messages.success(request, _("%(milestone)s marked done.") % {"milestone": milestone.get_kind_display()})
                return HttpResponseRedirect(_plan_url(plan))
        return self._render(request, plan, milestone, form)

    def page_title(self, milestone: Milestone) -> str:
        return _("Mark done: %(milestone)s") % {"milestone": milestone.get_kind_display()}


class MilestoneWaiveView(_MilestoneFormView):
    action = "waive"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        milestone, plan = self.milestone_and_plan(request, pk)
        return self._render(request, plan, milestone, ReasonForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        milestone, plan = self.milestone_and_plan(request, pk)
        form = ReasonForm(request.POST)
        if form.is_valid():
            waived = self.run_service(
                form,
                lambda: services.milestone_waive(
                    milestone=milestone, by=request_user(request), reason=form.cleaned_data["reason"]
                ),
            )
            if waived is not None:
                messages.success(request, _("%(milestone)s waived.") % {"milestone": milestone.get_kind_display()})
                return HttpResponseRedirect(_plan_url(plan))
        return self._render(request, plan, milestone, form)

    def page_title(self, milestone: Milestone) -> str:
        self.submit_label = _("Waive the milestone")
        return _("Waive: %(milestone)s") % {"milestone": milestone.get_kind_display()}


class MilestoneEvidenceView(_MilestoneFormView):
    action = "attach_evidence"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        milestone, plan = self.milestone_and_plan(request, pk)
        return self._render(request, plan, milestone, MilestoneEvidenceForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        milestone, plan = self.milestone_and_plan(request, pk)
        form = MilestoneEvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            saved = self.run_service(
                form,
                lambda: services.milestone_attach_evidence(
                    milestone=milestone, by=request_user(request), upload=form.cleaned_data["evidence"]
                ),
            )
            if saved is not None:
                messages.success(request, _("Evidence attached."))
                return HttpResponseRedirect(_plan_url(plan))
        return self._render(request, plan, milestone, form)

    def page_title(self, milestone: Milestone) -> str:
        self.submit_label = _("Upload")
        return _("Evidence for %(milestone)s") % {"milestone": milestone.get_kind_display()}

    def render_form(
        self, request: HttpRequest, plan: TrainingPlan, form: BaseForm, title: str, **extra: Any
    ) -> HttpResponse:
        return super().render_form(request, plan, form, title, multipart=True, **extra)


class MilestoneEvidenceDownloadView(LoginRequiredMixin, View):
    """A milestone's evidence, for whoever may see the milestone; the file name is ours, not the uploader's."""

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        milestone = _milestone_or_404(request, pk, "view")
        if not milestone.evidence:
            raise Http404
        safe_number = re.sub(r"[^A-Za-z0-9_.-]", "_", milestone.student.student_number)
        try:
            handle = milestone.evidence.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"{milestone.kind}-{safe_number}.pdf",
            content_type="application/pdf",
        )
