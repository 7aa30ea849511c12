"""``/inspections/leads/from-concern/<pk>/``: the office refers a review concern to an inspection-to-be.

The concern is fetched for "decide" (the office) and the page needs "plan" on inspections: anybody else gets a
404. One service call (``concern_decide``), which calls supervision's handler: the point for the inspectors
and the concern's closing are written together or not at all."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.views import apply_validation_error, request_user, require_or_404, scoped_object
from reviews.models import OPEN_CONCERN, Concern, ConcernStatus
from reviews.services.concerns import concern_decide
from supervision.forms import LeadFromConcernForm
from supervision.models import Inspection, InspectionLead
from supervision.services.leads import lead_inspections, lead_summary_draft


class LeadFromConcernView(LoginRequiredMixin, View):
    """Choose the inspection (planned or in progress, of the partner concerned), edit the summary drafted
    for its inspectors, give the reason, confirm. No such inspection: say so, with a link to plan one."""

    template_name = "supervision/pages/lead_from_concern.html"

    def _concern(self, request: HttpRequest, pk: int) -> Concern:
        require_or_404(request, "plan", Inspection)
        return scoped_object(request, Concern.objects.select_related("partner"), "decide", pk=pk)

    def _render(self, request: HttpRequest, concern: Concern, form: LeadFromConcernForm) -> HttpResponse:
        context: dict[str, Any] = {
            "concern": concern,
            "form": form,
            "has_inspections": bool(form.fields["inspection"].queryset),  # type: ignore[attr-defined]
            "plan_url": reverse("supervision:plan") + f"?partner={concern.partner_id}",
        }
        return render(request, self.template_name, context)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        concern = self._concern(request, pk)
        if concern.status not in OPEN_CONCERN:
            messages.error(request, _("This concern has been closed by the office."))
            return HttpResponseRedirect(reverse("reviews:concern", args=[concern.pk]))
        form = LeadFromConcernForm(
            initial={"summary": lead_summary_draft(concern)}, inspections=lead_inspections(concern)
        )
        return self._render(request, concern, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        concern = self._concern(request, pk)
        form = LeadFromConcernForm(request.POST, inspections=lead_inspections(concern))
        if form.is_valid():
            data = form.cleaned_data
            try:
                concern_decide(
                    concern=concern,
                    outcome=ConcernStatus.REFERRED,
                    note=data["note"],
                    details={"inspection": str(data["inspection"].pk), "summary": data["summary"]},
                    by=request_user(request),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                lead = InspectionLead.objects.get(concern=concern)
                messages.success(request, _("The concern was referred to the inspection's inspectors."))
                return HttpResponseRedirect(reverse("supervision:detail", args=[lead.inspection_id]) + "#leads")
        return self._render(request, concern, form)
