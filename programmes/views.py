"""Programme pages: the programmes a person may see, a programme's partners, objectives, requirements,
cohorts and agreements, and the office's agreement pages (create, terminate, the signed document).

Views parse input, call one selector or service and render; every object comes through the scoped base
(``core.views``), so one out of scope is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core import kept_uploads
from core.uploads import validate_pdf
from core.views import (
    ScopedFormView,
    ScopedListView,
    ScopedObjectMixin,
    apply_validation_error,
    request_user,
    require_or_404,
)
from partners import access
from programmes import selectors, services
from programmes.forms import (
    ActivityCategoryForm,
    AgreementFilterForm,
    AgreementForm,
    AgreementTerminateForm,
    CohortForm,
    CohortNameForm,
    ObjectiveForm,
    ParticipationForm,
    ProgrammeCopyForm,
    ProgrammeForm,
    RequirementsForm,
)
from programmes.models import ActivityCategory, Agreement, Cohort, Objective, Participation, Programme


class ProgrammeListView(ScopedListView):
    """The programmes the user may see: all for the office and tutors, those their partner takes part in
    for a partner's people, their own for a student."""

    model = Programme
    template_name = "programmes/programme_list.html"
    context_object_name = "programmes"
    paginate_by = 25

    def get_queryset(self) -> QuerySet[Programme]:
        return selectors.programme_list(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_create"] = access.can(self.request.user, "create", Programme)
        return context


class ProgrammeDetailView(ScopedObjectMixin, View):
    """A programme: partners and their roles, objectives, requirements, cohorts and agreements."""

    queryset = Programme.objects.select_related("lead_university")

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        programme = self.get_object()
        context = {
            "programme": programme,
            "overview": selectors.programme_overview(user=request.user, programme=programme),
            "can_create_agreement": access.can(request.user, "create", Agreement),
            "can_set_up": access.can(request.user, "change", programme),
            "requirements_version": selectors.requirements_versions(user=request.user, programme=programme).first(),
            "today": timezone.localdate(),
        }
        return render(request, "programmes/programme_detail.html", context)


class AgreementListView(ScopedListView):
    """The agreements the user may see, those ending within 60 days first and flagged."""

    model = Agreement
    template_name = "programmes/agreement_list.html"
    context_object_name = "agreements"
    paginate_by = 25

    def get_queryset(self) -> QuerySet[Agreement]:
        self.filter_form = AgreementFilterForm(self.request.GET or None)
        filters: dict[str, Any] = {}
        if self.filter_form.is_valid():
            filters = {
                "ending_soon": self.filter_form.cleaned_data["ending"] == "soon",
                "status": self.filter_form.cleaned_data["status"],
            }
        return selectors.agreement_list(user=self.request.user, filters=filters)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        context["filtered"] = any(value for key, value in self.request.GET.items() if key != "page")
        return context


class AgreementDetailView(ScopedObjectMixin, View):
    """An agreement: its terms, parties, the signed document's fingerprint, and how it ended if it did."""

    model = Agreement

    def get_queryset(self) -> QuerySet[Agreement]:
        return selectors.agreement_list(user=self.request.user)  # with its programme and parties

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        agreement: Agreement = self.get_object()
        context = {
            "agreement": agreement,
            "programme": agreement.programme,
            "termination": selectors.agreement_termination(agreement=agreement),
            "can_change": access.can(request.user, "change", agreement),
        }
        return render(request, "programmes/agreement_detail.html", context)


class AgreementDocumentView(ScopedObjectMixin, View):
    """The signed document of an agreement the user may see, as a download."""

    model = Agreement

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        agreement = self.get_object()
        if not agreement.document:
            raise Http404
        try:
            handle = agreement.document.open("rb")
        except OSError:
            raise Http404 from None
        filename = f"agreement-{agreement.reference or agreement.pk}.pdf".replace("/", "-")
        return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")


#: The purpose a kept agreement document is signed for (``core.kept_uploads``).
KEPT_DOCUMENT = "programmes.agreement.document"


class AgreementCreateView(ScopedObjectMixin, View):
    """A new agreement of a programme (office), with its parties and the signed PDF."""

    queryset = Programme.objects.select_related("lead_university")

    def _programme(self, request: HttpRequest, pk: int) -> Programme:
        programme: Programme = self.get_object()
        require_or_404(request, "create", Agreement)
        return programme

    def _participations(self, programme: Programme) -> list[Participation]:
        return selectors.programme_participations(programme=programme)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        programme = self._programme(request, pk)
        form = AgreementForm(participations=self._participations(programme), lead_id=programme.lead_university_id)
        return self._render(form, programme)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        programme = self._programme(request, pk)
        by = request_user(request)
        files = request.FILES.copy()
        kept = self._kept(request, by.pk)
        if kept is not None and "document" not in files and not request.POST.get("document_forget"):
            files["document"] = kept[1]
        form = AgreementForm(
            request.POST,
            files,
            participations=self._participations(programme),
            lead_id=programme.lead_university_id,
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                agreement = services.agreement_create(
                    programme=programme,
                    by=by,
                    title=data["title"],
                    reference=data["reference"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    status=data["status"],
                    parties=form.parties(),
                    document=data.get("document"),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                if kept is not None:
                    kept_uploads.discard(kept[0])
                messages.success(request, _("Agreement “%(title)s” recorded.") % {"title": agreement.title})
                return HttpResponseRedirect(reverse("programmes:agreement-detail", args=[agreement.pk]))
        return self._render(form, programme, kept_document=self._keep(form, files.get("document"), kept, by.pk))

    @staticmethod
    def _kept(request: HttpRequest, by_pk: int) -> tuple[kept_uploads.KeptUpload, Any] | None:
        """The document kept from this person's previous post of the form, if its token is still good."""
        token = request.POST.get("document_kept", "")
        return kept_uploads.restore(token, by_pk=by_pk, purpose=KEPT_DOCUMENT) if token else None

    @staticmethod
    def _keep(
        form: AgreementForm, upload: Any, kept: tuple[kept_uploads.KeptUpload, Any] | None, by_pk: int
    ) -> kept_uploads.KeptUpload | None:
        """After an error elsewhere on the form, keep the chosen PDF for the next post (issue 18: it was
        dropped, and people did not notice they had to choose it again). A refused file is not kept:
        its error says to choose another."""
        if upload is None or "document" in form.errors:
            return None
        if kept is not None and upload is kept[1]:
            return kept[0]
        try:
            validate_pdf(upload, field="document", max_bytes=services.MAX_DOCUMENT_BYTES)
        except ValidationError:
            return None
        return kept_uploads.keep(upload, by_pk=by_pk, purpose=KEPT_DOCUMENT)

    def _render(
        self, form: AgreementForm, programme: Programme, kept_document: kept_uploads.KeptUpload | None = None
    ) -> HttpResponse:
        context = {"form": form, "programme": programme, "title": _("New agreement"), "kept_document": kept_document}
        return render(self.request, "programmes/agreement_form.html", context)


class AgreementTerminateView(ScopedObjectMixin, View):
    """End an agreement early with a reason (office). It stays on record, marked terminated."""

    queryset = Agreement.objects.select_related("programme")
    access_action = "change"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        agreement = self.get_object()
        return self._render(AgreementTerminateForm(), agreement)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        agreement = self.get_object()
        form = AgreementTerminateForm(request.POST)
        if form.is_valid():
            user = request_user(request)
            try:
                services.agreement_terminate(agreement=agreement, by=user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The agreement is terminated."))
                return HttpResponseRedirect(reverse("programmes:agreement-detail", args=[agreement.pk]))
        return self._render(form, agreement)

    def _render(self, form: AgreementTerminateForm, agreement: Agreement) -> HttpResponse:
        context = {"form": form, "agreement": agreement, "programme": agreement.programme}
        return render(self.request, "programmes/agreement_terminate.html", context)


# --- Programme set-up (office) ----------------------------------------------------------------------------


class _SetupFormView(ScopedFormView):
    """An office page with one form about a programme (or one of its parts, ``model``) whose valid input
    goes to one service; a refusal lands on the form with what was typed kept."""

    model: Any = Programme
    access_action = "change"
    template_name = "programmes/setup_form.html"

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        return queryset if self.model is Programme else queryset.select_related("programme")

    def title(self) -> str:
        raise NotImplementedError

    def programme(self) -> Programme | None:
        if self.object is None:
            return None
        return self.object if isinstance(self.object, Programme) else self.object.programme  # type: ignore[no-any-return]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(title=self.title(), programme=self.programme())
        return context

    def saved(self, message: str, programme_pk: int) -> HttpResponse:
        messages.success(self.request, message)
        return HttpResponseRedirect(reverse("programmes:detail", args=[programme_pk]))


class ProgrammeCreateView(_SetupFormView):
    """A new programme (office): degree type, duration, lead university, status, intake years."""

    access_action = "create"
    form_class = ProgrammeForm

    def title(self) -> str:
        return _("New programme")

    def get_form_kwargs(self) -> dict[str, Any]:
        return super().get_form_kwargs() | {"universities": selectors.programme_lead_choices(user=self.request.user)}

    def form_valid(self, form: ProgrammeForm) -> HttpResponse:
        by = request_user(self.request)
        programme = self.run_service(form, lambda: services.programme_create(by=by, **form.cleaned_data))
        if programme is None:
            return self.form_invalid(form)
        return self.saved(_("Programme %(name)s set up.") % {"name": programme.name}, programme.pk)


class ProgrammeUpdateView(_SetupFormView):
    """Edit a programme's own fields (office); a change to a programme in use is kept with who and when."""

    form_class = ProgrammeForm

    def title(self) -> str:
        return _("Edit %(name)s") % {"name": self.object.name}

    def get_initial(self) -> dict[str, Any]:
        return ProgrammeForm.initial_for(self.object)

    def get_form_kwargs(self) -> dict[str, Any]:
        return super().get_form_kwargs() | {"universities": selectors.programme_lead_choices(user=self.request.user)}

    def form_valid(self, form: ProgrammeForm) -> HttpResponse:
        by, programme = request_user(self.request), self.object
        saved = self.run_service(
            form, lambda: services.programme_update(programme=programme, by=by, **form.cleaned_data)
        )
        if saved is None:
            return self.form_invalid(form)
        return self.saved(_("Changes saved."), programme.pk)


class ProgrammeCopyView(_SetupFormView):
    """Start next year's programme from this one (office): a draft with the same set-up, no cohorts."""

    form_class = ProgrammeCopyForm

    def title(self) -> str:
        return _("Copy %(name)s for a new year") % {"name": self.object.name}

    def get_initial(self) -> dict[str, Any]:
        year = timezone.localdate().year + 1
        return {"name": f"{self.object.name} {year}", "code": f"{self.object.code}-{year}", "first_intake_year": year}

    def form_valid(self, form: ProgrammeCopyForm) -> HttpResponse:
        by, programme = request_user(self.request), self.object
        copy = self.run_service(form, lambda: services.programme_copy(programme=programme, by=by, **form.cleaned_data))
        if copy is None:
            return self.form_invalid(form)
        message = _("%(name)s set up as a draft from %(source)s: check it, add its cohort and make it active.")
        return self.saved(message % {"name": copy.name, "source": programme.code}, copy.pk)


class RequirementsView(_SetupFormView):
    """The programme's requirements (office): credits, hours, milestones, project points. Saving makes a
    new version; plans approved earlier keep theirs."""

    form_class = RequirementsForm
    template_name = "programmes/requirements_form.html"

    def title(self) -> str:
        return _("Requirements of %(name)s") % {"name": self.object.name}

    def get_initial(self) -> dict[str, Any]:
        return RequirementsForm.initial_for(services.programme_requirements(self.object))

    def get_form_kwargs(self) -> dict[str, Any]:
        categories = selectors.programme_overview(user=self.request.user, programme=self.object).activity_categories
        return super().get_form_kwargs() | {"categories": categories}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["versions"] = list(selectors.requirements_versions(user=self.request.user, programme=self.object)[:5])
        return context

    def form_valid(self, form: RequirementsForm) -> HttpResponse:
        by, programme = request_user(self.request), self.object
        version = self.run_service(
            form,
            lambda: services.programme_requirements_set(
                programme=programme, by=by, requirements=form.requirements(), summary=form.cleaned_data["summary"]
            ),
        )
        if version is None:
            return self.form_invalid(form)
        return self.saved(_("Requirements saved as version %(number)s.") % {"number": version.number}, programme.pk)


class ObjectiveCreateView(_SetupFormView):
    form_class = ObjectiveForm

    def title(self) -> str:
        return _("New objective of %(name)s") % {"name": self.object.name}

    def form_valid(self, form: ObjectiveForm) -> HttpResponse:
        by, programme = request_user(self.request), self.object
        done = self.run_service(
            form, lambda: services.objective_create(programme=programme, by=by, **form.cleaned_data)
        )
        if done is None:
            return self.form_invalid(form)
        return self.saved(_("Objective %(code)s added.") % {"code": done.code}, programme.pk)


class ObjectiveUpdateView(_SetupFormView):
    model = Objective
    form_class = ObjectiveForm

    def title(self) -> str:
        return _("Edit objective %(code)s") % {"code": self.object.code}

    def get_initial(self) -> dict[str, Any]:
        return {"kind": self.object.kind, "code": self.object.code, "description": self.object.description}

    def form_valid(self, form: ObjectiveForm) -> HttpResponse:
        by, objective = request_user(self.request), self.object
        done = self.run_service(
            form, lambda: services.objective_update(objective=objective, by=by, **form.cleaned_data)
        )
        if done is None:
            return self.form_invalid(form)
        return self.saved(_("Changes saved."), objective.programme_id)


class ActivityCategoryCreateView(_SetupFormView):
    form_class = ActivityCategoryForm

    def title(self) -> str:
        return _("New activity category of %(name)s") % {"name": self.object.name}

    def form_valid(self, form: ActivityCategoryForm) -> HttpResponse:
        by, programme = request_user(self.request), self.object
        done = self.run_service(
            form, lambda: services.activity_category_create(programme=programme, by=by, **form.cleaned_data)
        )
        if done is None:
            return self.form_invalid(form)
        message = _("Category %(name)s added: set the hours it requires under Requirements.")
        return self.saved(message % {"name": done.name}, programme.pk)


class ActivityCategoryUpdateView(_SetupFormView):
    model = ActivityCategory
    form_class = ActivityCategoryForm

    def title(self) -> str:
        return _("Edit activity category %(name)s") % {"name": self.object.name}

    def get_initial(self) -> dict[str, Any]:
        return {"code": self.object.code, "name": self.object.name}

    def form_valid(self, form: ActivityCategoryForm) -> HttpResponse:
        by, category = request_user(self.request), self.object
        done = self.run_service(
            form, lambda: services.activity_category_update(category=category, by=by, **form.cleaned_data)
        )
        if done is None:
            return self.form_invalid(form)
        return self.saved(_("Changes saved."), category.programme_id)


class CohortCreateView(_SetupFormView):
    form_class = CohortForm

    def title(self) -> str:
        return _("New cohort of %(name)s") % {"name": self.object.name}

    def get_initial(self) -> dict[str, Any]:
        return {"intake_year": self.object.first_intake_year or timezone.localdate().year + 1}

    def form_valid(self, form: CohortForm) -> HttpResponse:
        by, programme = request_user(self.request), self.object
        done = self.run_service(form, lambda: services.cohort_create(programme=programme, by=by, **form.cleaned_data))
        if done is None:
            return self.form_invalid(form)
        return self.saved(_("Cohort %(year)s opened.") % {"year": done.intake_year}, programme.pk)


class CohortUpdateView(_SetupFormView):
    model = Cohort
    form_class = CohortNameForm

    def title(self) -> str:
        return _("Rename the cohort of %(year)s") % {"year": self.object.intake_year}

    def get_initial(self) -> dict[str, Any]:
        return {"name": self.object.name}

    def form_valid(self, form: CohortNameForm) -> HttpResponse:
        by, cohort = request_user(self.request), self.object
        done = self.run_service(form, lambda: services.cohort_update(cohort=cohort, by=by, **form.cleaned_data))
        if done is None:
            return self.form_invalid(form)
        return self.saved(_("Changes saved."), cohort.programme_id)


class ParticipationCreateView(_SetupFormView):
    form_class = ParticipationForm

    def title(self) -> str:
        return _("Add a partner to %(name)s") % {"name": self.object.name}

    def get_form_kwargs(self) -> dict[str, Any]:
        partners = selectors.programme_new_partner_choices(user=self.request.user, programme=self.object)
        return super().get_form_kwargs() | {"partners": partners}

    def form_valid(self, form: ParticipationForm) -> HttpResponse:
        by, programme = request_user(self.request), self.object
        done = self.run_service(
            form, lambda: services.participation_create(programme=programme, by=by, **form.cleaned_data)
        )
        if done is None:
            return self.form_invalid(form)
        return self.saved(_("%(partner)s takes part now.") % {"partner": done.partner.name}, programme.pk)


class ParticipationUpdateView(_SetupFormView):
    model = Participation
    form_class = ParticipationForm

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("partner")

    def title(self) -> str:
        return _("%(partner)s in %(code)s") % {"partner": self.object.partner.name, "code": self.object.programme.code}

    def get_initial(self) -> dict[str, Any]:
        return {"role": self.object.role, "responsibilities": self.object.responsibilities}

    def form_valid(self, form: ParticipationForm) -> HttpResponse:
        by, participation = request_user(self.request), self.object
        done = self.run_service(
            form, lambda: services.participation_update(participation=participation, by=by, **form.cleaned_data)
        )
        if done is None:
            return self.form_invalid(form)
        return self.saved(_("Changes saved."), participation.programme_id)


class ProgrammeHistoryView(ScopedObjectMixin, View):
    """Who changed what in a programme, and when (office), with its requirements versions."""

    model = Programme
    access_action = "change"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        programme = self.get_object()
        context = {
            "programme": programme,
            "changes": selectors.programme_changes(programme=programme),
            "versions": selectors.requirements_versions(user=request.user, programme=programme),
        }
        return render(request, "programmes/programme_history.html", context)
