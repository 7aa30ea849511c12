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

from core.views import (
    ScopedListView,
    ScopedObjectMixin,
    apply_validation_error,
    request_user,
    require_or_404,
)
from partners import access
from programmes import selectors, services
from programmes.forms import AgreementFilterForm, AgreementForm, AgreementTerminateForm
from programmes.models import Agreement, Participation, Programme


class ProgrammeListView(ScopedListView):
    """The programmes the user may see: all for the office and tutors, those their partner takes part in
    for a partner's people, their own for a student."""

    model = Programme
    template_name = "programmes/programme_list.html"
    context_object_name = "programmes"
    paginate_by = 25

    def get_queryset(self) -> QuerySet[Programme]:
        return selectors.programme_list(user=self.request.user)


class ProgrammeDetailView(ScopedObjectMixin, View):
    """A programme: partners and their roles, objectives, requirements, cohorts and agreements."""

    queryset = Programme.objects.select_related("lead_university")

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        programme = self.get_object()
        context = {
            "programme": programme,
            "overview": selectors.programme_overview(user=request.user, programme=programme),
            "can_create_agreement": access.can(request.user, "create", Agreement),
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
        form = AgreementForm(
            request.POST,
            request.FILES,
            participations=self._participations(programme),
            lead_id=programme.lead_university_id,
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                agreement = services.agreement_create(
                    programme=programme,
                    by=request_user(request),
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
                messages.success(request, _("Agreement “%(title)s” recorded.") % {"title": agreement.title})
                return HttpResponseRedirect(reverse("programmes:agreement-detail", args=[agreement.pk]))
        return self._render(form, programme)

    def _render(self, form: AgreementForm, programme: Programme) -> HttpResponse:
        context = {"form": form, "programme": programme, "title": _("New agreement")}
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
