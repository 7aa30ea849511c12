"""Partner pages: directory, detail, create and edit, status changes, sites and memberships.

Views parse input, call one service and render; every object comes through the scoped base views.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.views import ScopedDetailView, ScopedFormView, ScopedListView, ScopedUpdateView, request_user
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


class _PartnerFormView(ScopedFormView):
    """A partner page with one form whose valid input goes to one service; refusals keep what was typed.
    The object is a partner unless the page says otherwise; the template shows ``title`` and links back
    to ``partner``."""

    model: Any = Partner
    template_name = "partners/form.html"

    def title(self) -> str:
        raise NotImplementedError

    def partner(self) -> Partner | None:
        return self.object  # type: ignore[no-any-return]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(title=self.title(), partner=self.partner())
        return context

    def saved(self, message: str, partner_pk: int) -> HttpResponse:
        messages.success(self.request, message)
        return HttpResponseRedirect(reverse("partners:detail", args=[partner_pk]))


class PartnerCreateView(_PartnerFormView):
    access_action = "create"  # no pk: the office creates partners
    form_class = PartnerForm

    def title(self) -> str:
        return _("New partner")

    def form_valid(self, form: PartnerForm) -> HttpResponse:
        by = request_user(self.request)
        partner = self.run_service(form, lambda: services.partner_create(by=by, **form.cleaned_data))
        if partner is None:
            return self.form_invalid(form)
        return self.saved(_("Partner %(name)s created.") % {"name": partner.name}, partner.pk)


class PartnerUpdateView(ScopedUpdateView, _PartnerFormView):
    access_action = "change"
    form_class = PartnerForm

    def title(self) -> str:
        return _("Edit %(name)s") % {"name": self.object.name}

    def form_valid(self, form: PartnerForm) -> HttpResponse:
        by, partner = request_user(self.request), self.object
        saved = self.run_service(form, lambda: services.partner_update(partner=partner, by=by, **form.cleaned_data))
        if saved is None:
            return self.form_invalid(form)
        return self.saved(_("Changes saved."), partner.pk)


class PartnerStatusView(_PartnerFormView):
    access_action = "change_status"
    form_class = PartnerStatusForm

    def title(self) -> str:
        return _("Change the status of %(name)s") % {"name": self.object.name}

    def form_valid(self, form: PartnerStatusForm) -> HttpResponse:
        by, partner, data = request_user(self.request), self.object, form.cleaned_data
        change = self.run_service(
            form,
            lambda: services.partner_change_status(
                partner=partner, status=data["status"], reason=data["reason"], by=by
            ),
        )
        if change is None:
            return self.form_invalid(form)
        return self.saved(_("Status changed."), partner.pk)


class SiteCreateView(_PartnerFormView):
    access_action = "manage_sites"
    form_class = SiteForm

    def title(self) -> str:
        return _("New site at %(name)s") % {"name": self.object.name}

    def form_valid(self, form: SiteForm) -> HttpResponse:
        by, partner = request_user(self.request), self.object
        site = self.run_service(form, lambda: services.site_create(partner=partner, by=by, **form.cleaned_data))
        if site is None:
            return self.form_invalid(form)
        return self.saved(_("Site %(name)s added.") % {"name": site.name}, partner.pk)


class SiteUpdateView(ScopedUpdateView, _PartnerFormView):
    model = Site
    access_action = "change"
    form_class = SiteForm

    def title(self) -> str:
        return _("Edit site %(name)s") % {"name": self.object.name}

    def partner(self) -> Partner | None:
        return self.object.partner  # type: ignore[no-any-return]

    def form_valid(self, form: SiteForm) -> HttpResponse:
        by, site = request_user(self.request), self.object
        saved = self.run_service(form, lambda: services.site_update(site=site, by=by, **form.cleaned_data))
        if saved is None:
            return self.form_invalid(form)
        return self.saved(_("Changes saved."), site.partner_id)


class MembershipCreateView(_PartnerFormView):
    access_action = "manage_members"
    form_class = MembershipForm

    def get_initial(self) -> dict[str, Any]:
        return {"start_date": timezone.localdate()}

    def title(self) -> str:
        return _("Add a member to %(name)s") % {"name": self.object.name}

    def form_valid(self, form: MembershipForm) -> HttpResponse:
        by, partner, data = request_user(self.request), self.object, form.cleaned_data
        membership = self.run_service(
            form,
            lambda: services.membership_create(
                partner=partner,
                user=data["user"],
                role=data["role"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                by=by,
            ),
        )
        if membership is None:
            return self.form_invalid(form)
        return self.saved(_("Membership added."), partner.pk)


class MembershipEndView(_PartnerFormView):
    model = Membership
    access_action = "change"  # ending one
    form_class = MembershipEndForm

    def get_initial(self) -> dict[str, Any]:
        return {"end_date": timezone.localdate()}

    def title(self) -> str:
        return _("End the membership of %(person)s") % {"person": self.object.user.display_name}

    def partner(self) -> Partner | None:
        return self.object.partner  # type: ignore[no-any-return]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(membership=self.object, **kwargs)

    def form_valid(self, form: MembershipEndForm) -> HttpResponse:
        by, membership, data = request_user(self.request), self.object, form.cleaned_data
        ended = self.run_service(
            form,
            lambda: services.membership_end(
                membership=membership, end_date=data["end_date"], reason=data["reason"], by=by
            ),
        )
        if ended is None:
            return self.form_invalid(form)
        return self.saved(_("Membership ended."), membership.partner_id)
