"""Projects pages: the list of one's projects, a project with its members, outputs, board posts and join
requests, the forms that change them (each calls one service), the project board, a person's points, the
schemes, the office's verification queue and its performance reward report (page, XLSX, PDF).

Every page fetches through the scoped base (``core.views``): a project, output, post or request out of the
user's scope for the page's action is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.models import User
from core.views import (
    FilteredListMixin,
    ScopedFormView,
    ScopedListView,
    not_found,
    request_user,
    require_or_404,
    scoped_object,
)
from partners import access
from projects import exports, selectors, services
from projects.forms import (
    AllocationForm,
    AnswerForm,
    DecisionForm,
    ExpenditureLinkForm,
    JoinForm,
    MemberForm,
    OutputFilterForm,
    OutputForm,
    PostForm,
    ProjectForm,
    SchemeForm,
    StatusForm,
)
from projects.models import (
    BoardPost,
    JoinRequest,
    PointAward,
    PointsScheme,
    Project,
    ProjectKind,
    ProjectOutput,
    ProjectStatus,
    Scale,
)
from projects.services import board, points
from supervision.uploads import CONTENT_TYPES


class ProjectListView(ScopedListView):
    """The projects the user may see: their own, their partner's, or (office) all."""

    model = Project
    template_name = "projects/list.html"
    context_object_name = "projects"
    paginate_by = 25

    def get_queryset(self) -> QuerySet[Any]:
        filters = {key: self.request.GET.get(key) for key in ("status", "kind", "scale")}
        return selectors.project_list(user=self.request.user, filters=filters)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            statuses=ProjectStatus.choices,
            kinds=ProjectKind.choices,
            scales=Scale.choices,
            current={key: self.request.GET.get(key, "") for key in ("status", "kind", "scale")},
            can_create=selectors.host_partner_choices(user=user).exists(),
            is_office=access.is_office(user),
        )
        return context


class ProjectCreateView(ScopedFormView):
    """Propose a project at a partner the user may host projects at (404 for anyone who may host none)."""

    model = Project
    template_name = "projects/form.html"
    form_class = ProjectForm

    def fetch(self) -> None:
        if not selectors.host_partner_choices(user=self.request.user).exists():
            raise not_found(self.request, "host_project", "Partner")
        self.object = None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        user = self.request.user
        kwargs.update(
            programmes=selectors.programme_choices(user=user),
            hosts=selectors.host_partner_choices(user=user),
            partners=selectors.partner_choices(user=user),
            people=selectors.people_choices(),
            allocations=selectors.allocation_choices(user=user),
        )
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "heading": _("Propose a project")}

    def form_valid(self, form: ProjectForm) -> HttpResponse:
        data = form.cleaned_data
        by = request_user(self.request)
        made = self.run_service(
            form,
            lambda: services.project_create(
                by=by,
                programme=data["programme"],
                title_en=data["title_en"],
                title_zh=data["title_zh"],
                kind=data["kind"],
                lead_partner=data["lead_partner"],
                partners=list(data["partners"]),
                leader=data["leader"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                budget=data["budget"],
                funding_reference=data["funding_reference"],
                fund_allocation=data["fund_allocation"],
                description=data["description"],
            ),
        )
        if made is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Project proposed; the graduate office approves it."))
        return redirect("projects:detail", made.pk)


class ProjectDetailView(LoginRequiredMixin, TemplateView):
    """A project: its facts, members, outputs (with evidence and their verification), board posts and the
    join requests its managers answer."""

    template_name = "projects/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request, user = self.request, self.request.user
        project = scoped_object(request, Project, "view", pk=self.kwargs["pk"])
        project = selectors.project_with_children(project)
        can_manage = access.can(user, "manage", project)
        allocation = project.fund_allocation
        posts = list(project.board_posts.order_by("-posted_at"))
        for post in posts:
            post.left = board.places_left(post)  # type: ignore[attr-defined]
        context.update(
            project=project,
            members=list(project.members.all()),
            outputs=selectors.project_outputs(project=project),
            posts=posts,
            requests=selectors.requests_for_project(user=user, project=project),
            can_manage=can_manage,
            can_submit=access.can(user, "submit_output", project),
            can_verify=access.is_office(user),
            can_approve=access.can(user, "approve", project),
            status_form=StatusForm(),
            decision_form=DecisionForm(),
            answer_form=AnswerForm(),
            can_see_allocation=allocation is not None and access.can(user, "view", allocation),
            can_link_spending=can_manage and allocation is not None and access.can(user, "record", allocation),
            spending=selectors.project_spending(project=project) if allocation is not None else None,
        )
        return context


class ProjectStatusView(LoginRequiredMixin, View):
    """POST: approve, start, conclude or abandon a project (each needs its own right; else 404)."""

    ACTIONS = {"approve": "approve", "start": "manage", "conclude": "conclude", "abandon": "manage"}

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = StatusForm(request.POST)
        action = request.POST.get("action", "")
        if action not in self.ACTIONS or not form.is_valid():
            raise Http404
        project = scoped_object(request, Project, self.ACTIONS[action], pk=pk)
        by = request_user(request)
        try:
            if action == "approve":
                services.project_approve(project=project, by=by)
            elif action == "start":
                services.project_start(project=project, by=by)
            elif action == "conclude":
                services.project_conclude(project=project, by=by)
            else:
                services.project_abandon(project=project, reason=form.cleaned_data["reason"], by=by)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The project's status was changed."))
        return redirect("projects:detail", project.pk)


class AllocationSetView(ScopedFormView):
    """Name (or clear) the fund allocation that pays for a project (its managers; the allocation must be one
    they read, of the lead partner or the university)."""

    model = Project
    access_action = "manage"
    template_name = "projects/form.html"
    form_class = AllocationForm

    def get_initial(self) -> dict[str, Any]:
        return {"fund_allocation": self.object.fund_allocation_id}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "allocations": selectors.allocation_choices(user=self.request.user)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "heading": _("Fund allocation"), "project": self.object}

    def form_valid(self, form: AllocationForm) -> HttpResponse:
        by, project = request_user(self.request), self.object
        allocation = form.cleaned_data["fund_allocation"]
        done = self.run_service(
            form, lambda: services.project_allocation_set(project=project, allocation=allocation, by=by)
        )
        if done is None:
            return self.form_invalid(form)
        messages.success(self.request, _("The project's fund allocation was saved."))
        return redirect("projects:detail", project.pk)


class ExpenditureLinkView(ScopedFormView):
    """Record that an expenditure of the project's allocation serves the project: its managers who record
    spending on that allocation (anyone else, or a project without an allocation: 404)."""

    model = Project
    access_action = "manage"
    template_name = "projects/form.html"
    form_class = ExpenditureLinkForm

    def fetch(self) -> None:
        super().fetch()
        allocation = self.object.fund_allocation
        if allocation is None:
            raise not_found(self.request, "record", "Allocation")
        require_or_404(self.request, "record", allocation)

    def get_form_kwargs(self) -> dict[str, Any]:
        expenditures = selectors.linkable_expenditures(user=self.request.user, project=self.object)
        return {**super().get_form_kwargs(), "expenditures": expenditures}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        heading = _("Link an expenditure to the project")
        return {**super().get_context_data(**kwargs), "heading": heading, "project": self.object}

    def form_valid(self, form: ExpenditureLinkForm) -> HttpResponse:
        by, project = request_user(self.request), self.object
        expenditure = form.cleaned_data["expenditure"]
        done = self.run_service(
            form, lambda: services.project_expenditure_link(project=project, expenditure=expenditure, by=by)
        )
        if done is None:
            return self.form_invalid(form)
        messages.success(self.request, _("The expenditure now serves the project."))
        return redirect("projects:detail", project.pk)


class MemberAddView(ScopedFormView):
    """Add a person to a project (its managers)."""

    model = Project
    access_action = "manage"
    template_name = "projects/form.html"
    form_class = MemberForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "people": selectors.people_choices()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "heading": _("Add a member"), "project": self.object}

    def form_valid(self, form: MemberForm) -> HttpResponse:
        by, project = request_user(self.request), self.object
        data = form.cleaned_data
        added = self.run_service(
            form, lambda: services.project_member_add(project=project, user=data["user"], role=data["role"], by=by)
        )
        return redirect("projects:detail", project.pk) if added else self.form_invalid(form)


class OutputCreateView(ScopedFormView):
    """Record an output with its evidence (members and managers); the office verifies it."""

    model = Project
    access_action = "submit_output"
    template_name = "projects/form.html"
    form_class = OutputForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "heading": _("Record an output"),
            "project": self.object,
            "multipart": True,
        }

    def form_valid(self, form: OutputForm) -> HttpResponse:
        by, project = request_user(self.request), self.object
        data = form.cleaned_data
        made = self.run_service(
            form,
            lambda: services.output_submit(
                project=project,
                output_type=data["output_type"],
                title=data["title"],
                achieved_on=data["achieved_on"],
                reference=data["reference"],
                evidence_url=data["evidence_url"] or "",
                evidence=data["evidence"],
                by=by,
            ),
        )
        if made is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Output recorded; it earns points once the office has checked the evidence."))
        return redirect("projects:detail", project.pk)


class OutputQueueView(FilteredListMixin, ScopedListView):
    """The office's queue: outputs waiting for their evidence to be checked, of one programme (and cohort)
    when filtered."""

    model = ProjectOutput
    access_action = "verify"
    template_name = "projects/outputs.html"
    context_object_name = "outputs"
    paginate_by = 50
    filter_form_class = OutputFilterForm

    def get_queryset(self) -> QuerySet[Any]:
        if not access.is_office(self.request.user):
            raise not_found(self.request, "verify", "ProjectOutput")
        return (
            selectors.outputs_to_verify(user=self.request.user, filters=self.list_filters())
            .select_related("project__lead_partner", "submitted_by")
            .prefetch_related("contributors")
            .order_by("submitted_at", "pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "decision_form": DecisionForm()}


class OutputDecideView(LoginRequiredMixin, View):
    """POST: the office verifies (evidence checked) or rejects an output."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        output = scoped_object(request, ProjectOutput.objects.select_related("project"), "verify", pk=pk)
        form = DecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose verify or reject."))
            return redirect("projects:detail", output.project_id)
        by, note = request_user(request), form.cleaned_data["note"]
        try:
            if form.cleaned_data["decision"] == "verify":
                services.output_verify(output=output, note=note, by=by)
                messages.success(request, _("Output verified: its points are awarded."))
            else:
                services.output_reject(output=output, note=note, by=by)
                messages.success(request, _("Output rejected."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        target = request.POST.get("next")
        if target == "queue":
            return redirect("projects:outputs")
        return redirect("projects:detail", output.project_id)


class OutputEvidenceView(LoginRequiredMixin, View):
    """An output's evidence file, for whoever may see the project; the download's name is ours."""

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        output = scoped_object(request, ProjectOutput, "view", pk=pk)
        if not output.evidence:
            raise Http404
        name = output.evidence.name or ""
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else "bin"
        try:
            handle = output.evidence.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"project-output-{output.pk}.{extension}",
            content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
        )


class PostCreateView(ScopedFormView):
    """Offer places on a project on the board (its managers)."""

    model = Project
    access_action = "manage"
    template_name = "projects/form.html"
    form_class = PostForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "heading": _("Post on the project board"), "project": self.object}

    def form_valid(self, form: PostForm) -> HttpResponse:
        by, project = request_user(self.request), self.object
        data = form.cleaned_data
        made = self.run_service(
            form,
            lambda: board.post_create(
                project=project, places=data["places"], skills_wanted=data["skills_wanted"], pitch=data["pitch"], by=by
            ),
        )
        return redirect("projects:board") if made else self.form_invalid(form)


class BoardView(ScopedListView):
    """The project board: open places on projects, for every signed-in person; students ask to join."""

    model = BoardPost
    template_name = "projects/board.html"
    context_object_name = "posts"
    paginate_by = 25

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.board_list(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["is_student"] = hasattr(self.request.user, "student")
        context["is_office"] = access.is_office(self.request.user)
        context["join_form"] = JoinForm()
        return context


class JoinView(LoginRequiredMixin, View):
    """POST: a student asks to join the project of a board post."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        post = scoped_object(request, BoardPost, "view", pk=pk)
        form = JoinForm(request.POST)
        message = form.cleaned_data["message"] if form.is_valid() else ""
        try:
            board.join_request_create(post=post, message=message, by=request_user(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your request was sent to the project's leader."))
        return redirect("projects:board")


class RequestAnswerView(LoginRequiredMixin, View):
    """POST: the leader (or another of the project's managers) accepts or declines a join request."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        join = scoped_object(request, JoinRequest.objects.select_related("post"), "answer", pk=pk)
        form = AnswerForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Accept or decline."))
        else:
            try:
                board.join_request_answer(
                    request=join,
                    accept=form.cleaned_data["accept"],
                    answer=form.cleaned_data["answer"],
                    by=request_user(request),
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Your answer was sent to the student."))
        return redirect("projects:detail", join.post.project_id)


class PointsView(LoginRequiredMixin, TemplateView):
    """A person's points: the signed-in person's own, or (``?person=``) someone's whose points the user may
    see; per year and in total, with every row's project, output and scheme version."""

    template_name = "projects/points.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        raw = self.request.GET.get("person")
        try:
            person_id = int(raw) if raw else int(user.pk)  # type: ignore[arg-type]
        except ValueError:
            raise not_found(self.request, "view", f"PointAward:person={raw}") from None
        ledger = selectors.points_ledger(user=user, person=person_id)
        if person_id != user.pk and not ledger.exists():
            raise not_found(self.request, "view", f"PointAward:person={person_id}")
        person = User.objects.filter(pk=person_id).first()
        student = getattr(person, "student", None) if person else None
        context.update(
            person=person,
            summary=selectors.points_summary(ledger),
            required=student.programme.min_project_points if student else None,
            own=person_id == user.pk,
            is_office=access.is_office(user),
            can_reverse=access.is_office(user),
        )
        return context


class AwardReverseView(LoginRequiredMixin, View):
    """POST: the office takes an award back with a reason (a reversal row; the award stays on record)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        award = scoped_object(request, PointAward, "reverse", pk=pk)
        try:
            points.award_reverse(award=award, reason=request.POST.get("reason", ""), by=request_user(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The points were taken back."))
        return redirect(f"{reverse('projects:points')}?person={award.person_id}")


class SchemeListView(ScopedListView):
    """The programmes' points schemes, every version, newest first (every signed-in person reads them)."""

    model = PointsScheme
    template_name = "projects/schemes.html"
    context_object_name = "schemes"

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.scheme_list(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_create"] = access.can(self.request.user, "create", PointsScheme)
        context["scales"] = Scale.choices
        return context


class SchemeCreateView(ScopedFormView):
    """The office adds a scheme version, applying from a date (never backwards)."""

    model = PointsScheme
    access_action = "create"
    template_name = "projects/form.html"
    form_class = SchemeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "programmes": selectors.programme_choices(user=self.request.user)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "heading": _("New points scheme version")}

    def form_valid(self, form: SchemeForm) -> HttpResponse:
        data, by = form.cleaned_data, request_user(self.request)
        made = self.run_service(
            form,
            lambda: points.scheme_create(
                programme=data["programme"],
                valid_from=data["valid_from"],
                medium_budget_from=data["medium_budget_from"],
                large_budget_from=data["large_budget_from"],
                medium_months_from=data["medium_months_from"],
                large_months_from=data["large_months_from"],
                notes=data["notes"],
                by=by,
                **form.rates(),
            ),
        )
        return redirect("projects:schemes") if made else self.form_invalid(form)


def _report_year(request: HttpRequest) -> int | None:
    raw = request.GET.get("year", "")
    if raw == "all":
        return None
    try:
        return int(raw) if raw else timezone.localdate().year
    except ValueError:
        return timezone.localdate().year


class ReportView(LoginRequiredMixin, TemplateView):
    """The office's performance reward report: per person and per team, ranked, with the chart of points
    from small against large projects."""

    template_name = "projects/report.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_or_404(request, "reverse", PointAward)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        year = _report_year(self.request)
        report = selectors.reward_report(user=self.request.user, year=year)
        context.update(report=report, chart=exports.scale_chart(report), year=year)
        return context


class ReportXlsxView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        require_or_404(request, "reverse", PointAward)
        year = _report_year(request)
        report = selectors.reward_report(user=request.user, year=year)
        response = HttpResponse(
            exports.report_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="project-points-{year or "all"}.xlsx"'
        return response


class ReportPdfView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        require_or_404(request, "reverse", PointAward)
        year = _report_year(request)
        report = selectors.reward_report(user=request.user, year=year)
        response = HttpResponse(exports.report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="project-points-{year or "all"}.pdf"'
        return response


__all__ = [
    "AwardReverseView",
    "BoardView",
    "JoinView",
    "MemberAddView",
    "OutputCreateView",
    "OutputDecideView",
    "OutputEvidenceView",
    "OutputQueueView",
    "PointsView",
    "PostCreateView",
    "ProjectCreateView",
    "ProjectDetailView",
    "ProjectListView",
    "ProjectStatusView",
    "ReportPdfView",
    "ReportView",
    "ReportXlsxView",
    "RequestAnswerView",
    "SchemeCreateView",
    "SchemeListView",
]
