"""The office's inspection page: planning an inspection (everyone else: 404).

The list with its filters and the overdue-actions overview are the shared pages in ``pages.py``, which
show the office every row; the draw history has its own module.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.views import apply_validation_error, request_user, require_or_404
from supervision import services
from supervision.forms import PlanForm
from supervision.models import Inspection

#: The fields "Update choices" carries over into the re-shown form.
_PLAN_FIELDS = ("kind", "partner", "site", "placement", "template", "planned_date", "scope")


class InspectionPlanView(LoginRequiredMixin, View):
    """Plan an inspection: kind, target, checklist, date, inspectors. A refusal (a conflict of interest,
    a site of another partner, a checklist for another kind of target) lands on its field with
    everything typed kept. "Update choices" re-shows the form with the sites, placements and checklists
    of what was chosen, saving nothing."""

    template_name = "supervision/pages/plan.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            require_or_404(request, "plan", Inspection)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        initial = {name: request.GET[name] for name in ("partner", "kind") if request.GET.get(name)}
        return self._render(request, PlanForm(initial=initial, user=request.user))

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.POST.get("refresh"):
            initial: dict[str, Any] = {name: request.POST.get(name) for name in _PLAN_FIELDS}
            initial["inspectors"] = request.POST.getlist("inspectors")
            return self._render(request, PlanForm(initial=initial, user=request.user))
        form = PlanForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                inspection = services.inspection_plan(
                    kind=data["kind"],
                    partner=data["partner"],
                    site=data["site"],
                    placement=data["placement"],
                    template=data["template"],
                    planned_date=data["planned_date"],
                    inspectors=list(data["inspectors"]),
                    scope=data["scope"] or "",
                    by=request_user(request),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    _("Inspection of %(partner)s planned for %(date)s. Its inspectors have been told.")
                    % {"partner": inspection.target_partner.name, "date": inspection.planned_date.isoformat()},
                )
                return HttpResponseRedirect(reverse("supervision:detail", args=[inspection.pk]))
        return self._render(request, form)

    def _render(self, request: HttpRequest, form: PlanForm) -> HttpResponse:
        # With JavaScript, changing the target re-renders the form (htmx) as "Update choices" would.
        for name in ("partner", "site", "placement"):
            form.fields[name].widget.attrs.update(
                {
                    "hx-post": reverse("supervision:plan"),
                    "hx-trigger": "change",
                    "hx-target": "#plan-form",
                    "hx-select": "#plan-form",
                    "hx-swap": "outerHTML",
                    "hx-vals": '{"refresh": "1"}',
                }
            )
        return render(request, self.template_name, {"form": form})
