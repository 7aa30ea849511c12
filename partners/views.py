"""Partner pages: directory, detail, create and edit, status changes, sites and memberships.

Views parse input, call one service and render; every object comes through the scoped base views.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core.views import ScopedDetailView, ScopedListView, apply_validation_error
from partners import access, selectors, services
from partners.forms import (
    MembershipEndForm,
    MembershipForm,
    PartnerFilterForm,
    PartnerForm,
    PartnerStatusForm,
    SiteForm,
)
from partners.models import Membership, Partner, Site


class PartnerListView(ScopedListView):
    """The partner directory: everyone signed in sees names, kinds and status."""

    model = Partner
    template_name = "partners/partner_list.html"
    context_object_name = "partners"
    paginate_by = 25

    def get_queryset(self) -> Any:
        self.filter_form = PartnerFilterForm(self.request.GET or None)
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return selectors.partner_list(user=self.request.user, filters=filters)  # type: ignore[arg-type]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["can_create"] = access.can(self.request.user, "create", Partner)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context


class PartnerDetailView(ScopedDetailView):
    """A partner: details, and its people, sites and history for those allowed to see them."""

    model = Partner
    template_name = "partners/partner_detail.html"
    context_object_name = "partner"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        partner: Partner = self.object
        user = self.request.user
        internal = access.can(user, "view_internal", partner)
        context["can_view_internal"] = internal
        context["can_edit"] = access.can(user, "change", partner)
        context["can_change_status"] = access.can(user, "change_status", partner)
        context["can_manage_members"] = access.can(user, "manage_members", partner)
        context["can_manage_sites"] = access.can(user, "manage_sites", partner)
        if internal:
            show_ended = self.request.GET.get("ended") == "1"
            context["show_ended"] = show_ended
            context["memberships"] = selectors.membership_list(
                user=user,
                partner=partner,
                include_ended=show_ended,  # type: ignore[arg-type]
            )
            context["sites"] = selectors.site_list(user=user, partner=partner)  # type: ignore[arg-type]
            context["status_history"] = selectors.partner_status_history(user=user, partner=partner)  # type: ignore[arg-type]
        context["today"] = timezone.localdate()
        return context


class _FormView(LoginRequiredMixin, View):
    """A page with one form whose valid input goes to one service; refusals keep what was typed."""

    template_name = "partners/form.html"
    title = ""

    def render_form(self, form: BaseForm, **extra: Any) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form, "title": self.title, **extra})

    def run_service(self, form: BaseForm, call: Any) -> Any:
        """Call a service; on ``ValidationError`` put the messages on the form and return None."""
        try:
            return call()
        except ValidationError as error:
            apply_validation_error(form, error)
            return None


def _scoped(model: type[Any], request: HttpRequest, action: str, pk: int) -> Any:
    """One row the user may ``action`` on, else 404 (with the denial recorded)."""
    try:
        return get_object_or_404(access.scope(model.objects.all(), request.user, action), pk=pk)
    except Http404:
        access.record_denial(request.user, action, f"{model.__name__}:{pk}")
        raise


class PartnerCreateView(_FormView):
    title = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not access.can(request.user, "create", Partner):
            access.record_denial(request.user, "create", Partner)
            raise Http404
        self.title = _("New partner")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_form(PartnerForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PartnerForm(request.POST)
        if form.is_valid():
            partner = self.run_service(
                form,
                lambda: services.partner_create(by=request.user, data=form.cleaned_data),  # type: ignore[arg-type]
            )
            if partner is not None:
                messages.success(request, _("Partner %(name)s created.") % {"name": partner.name})
                return HttpResponseRedirect(reverse("partners:detail", args=[partner.pk]))
        return self.render_form(form)


class PartnerUpdateView(_FormView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        partner = _scoped(Partner, request, "change", pk)
        return self._render(PartnerForm(instance=partner), partner)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        partner = _scoped(Partner, request, "change", pk)
        form = PartnerForm(request.POST, instance=Partner.objects.get(pk=partner.pk))
        if form.is_valid():
            saved = self.run_service(
                form,
                lambda: services.partner_update(partner=partner, by=request.user, data=form.cleaned_data),  # type: ignore[arg-type]
            )
            if saved is not None:
                messages.success(request, _("Changes saved."))
                return HttpResponseRedirect(reverse("partners:detail", args=[partner.pk]))
        return self._render(form, partner)

    def _render(self, form: BaseForm, partner: Partner) -> HttpResponse:
        self.title = _("Edit %(name)s") % {"name": partner.name}
        return self.render_form(form, partner=partner)


class PartnerStatusView(_FormView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        partner = _scoped(Partner, request, "change_status", pk)
        return self._render(PartnerStatusForm(), partner)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        partner = _scoped(Partner, request, "change_status", pk)
        form = PartnerStatusForm(request.POST)
        if form.is_valid():
            change = self.run_service(
                form,
                lambda: services.partner_change_status(
                    partner=partner,
                    status=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,  # type: ignore[arg-type]
                ),
            )
            if change is not None:
                messages.success(request, _("Status changed."))
                return HttpResponseRedirect(reverse("partners:detail", args=[partner.pk]))
        return self._render(form, partner)

    def _render(self, form: BaseForm, partner: Partner) -> HttpResponse:
        self.title = _("Change the status of %(name)s") % {"name": partner.name}
        return self.render_form(form, partner=partner)


class SiteCreateView(_FormView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        partner = _scoped(Partner, request, "manage_sites", pk)
        return self._render(SiteForm(), partner)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        partner = _scoped(Partner, request, "manage_sites", pk)
        form = SiteForm(request.POST)
        if form.is_valid():
            site = self.run_service(
                form,
                lambda: services.site_create(partner=partner, by=request.user, data=form.cleaned_data),  # type: ignore[arg-type]
            )
            if site is not None:
                messages.success(request, _("Site %(name)s added.") % {"name": site.name})
                return HttpResponseRedirect(reverse("partners:detail", args=[partner.pk]))
        return self._render(form, partner)

    def _render(self, form: BaseForm, partner: Partner) -> HttpResponse:
        self.title = _("New site at %(name)s") % {"name": partner.name}
        return self.render_form(form, partner=partner)


class SiteUpdateView(_FormView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        site = _scoped(Site, request, "change", pk)
        return self._render(SiteForm(instance=site), site)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        site = _scoped(Site, request, "change", pk)
        form = SiteForm(request.POST, instance=Site.objects.get(pk=site.pk))
        if form.is_valid():
            saved = self.run_service(
                form,
                lambda: services.site_update(site=site, by=request.user, data=form.cleaned_data),  # type: ignore[arg-type]
            )
            if saved is not None:
                messages.success(request, _("Changes saved."))
                return HttpResponseRedirect(reverse("partners:detail", args=[site.partner_id]))
        return self._render(form, site)

    def _render(self, form: BaseForm, site: Site) -> HttpResponse:
        self.title = _("Edit site %(name)s") % {"name": site.name}
        return self.render_form(form, partner=site.partner)


class MembershipCreateView(_FormView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        partner = _scoped(Partner, request, "manage_members", pk)
        return self._render(MembershipForm(initial={"start_date": timezone.localdate()}), partner)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        partner = _scoped(Partner, request, "manage_members", pk)
        form = MembershipForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            membership = self.run_service(
                form,
                lambda: services.membership_create(
                    partner=partner,
                    user=data["user"],
                    role=data["role"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    by=request.user,  # type: ignore[arg-type]
                ),
            )
            if membership is not None:
                messages.success(request, _("Membership added."))
                return HttpResponseRedirect(reverse("partners:detail", args=[partner.pk]))
        return self._render(form, partner)

    def _render(self, form: BaseForm, partner: Partner) -> HttpResponse:
        self.title = _("Add a member to %(name)s") % {"name": partner.name}
        return self.render_form(form, partner=partner)


class MembershipEndView(_FormView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        membership = _scoped(Membership, request, "change", pk)
        return self._render(MembershipEndForm(initial={"end_date": timezone.localdate()}), membership)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        membership = _scoped(Membership, request, "change", pk)
        form = MembershipEndForm(request.POST)
        if form.is_valid():
            ended = self.run_service(
                form,
                lambda: services.membership_end(
                    membership=membership,
                    end_date=form.cleaned_data["end_date"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,  # type: ignore[arg-type]
                ),
            )
            if ended is not None:
                messages.success(request, _("Membership ended."))
                return HttpResponseRedirect(reverse("partners:detail", args=[membership.partner_id]))
        return self._render(form, membership)

    def _render(self, form: BaseForm, membership: Membership) -> HttpResponse:
        self.title = _("End the membership of %(person)s") % {"person": membership.user.display_name}
        return self.render_form(form, partner=membership.partner, membership=membership)
