"""Partner scorecard pages: the office's overview with probation proposals on top, one partner's card, and
the office's decision on a proposal.

Views are thin: partners are fetched through the scoped base (``view_scorecard``: the office every
partner, a coordinator their own; anyone else gets a 404, the denial recorded), cards come from
``supervision.services.scorecard`` and the decision goes through its services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.forms import BootstrapFormMixin
from core.paging import paged
from core.views import ScopedObjectMixin, apply_validation_error, not_found, request_user
from partners import access
from partners.models import Partner
from supervision.services import scorecard

#: Partners the scorecard overview lists at once.
SCORECARDS_PER_PAGE = 50


class ScorecardListView(LoginRequiredMixin, View):
    """``/inspections/scorecards/``: the office sees every partner's card, with the partners the rule
    proposes for probation on top; a coordinator is taken to their partner's card (or sees their
    partners' cards if they coordinate several); anyone else gets a 404."""

    template_name = "supervision/scorecard/list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        partners = access.scope(Partner.objects.order_by("name", "pk"), user, "view_scorecard")
        section = paged(request, partners, per_page=SCORECARDS_PER_PAGE)
        office = access.is_office(user)
        if not office:
            if not section.page.paginator.count:
                raise not_found(request, "view_scorecard", "Partner:scorecards")
            if section.page.paginator.count == 1:
                return HttpResponseRedirect(reverse("supervision:scorecard", args=[section.rows[0].pk]))
        cards = scorecard.scorecard_page(section.rows, user=user)
        # The office's proposals are its to-do list: all of them on every page, whichever partners are listed.
        proposed = scorecard.probation_proposals() if office else []
        return render(
            request,
            self.template_name,
            {
                "proposed": proposed,
                "cards": cards,
                "section": section,
                "office": office,
                "spark_width": scorecard.SPARK_WIDTH,
                "spark_height": scorecard.SPARK_HEIGHT,
            },
        )


class ScorecardDetailView(ScopedObjectMixin, View):
    """``/inspections/scorecards/<pk>/``: one partner's card, with the trend of its results as a sparkline
    and its findings by severity as bars; the office also sees planned inspections and the proposal."""

    template_name = "supervision/scorecard/detail.html"
    model = Partner
    access_action = "view_scorecard"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        partner = self.get_object()
        user = request_user(request)
        card = scorecard.scorecard_of(user=user, partner=partner)
        return render(
            request,
            self.template_name,
            {
                "card": card,
                "partner": partner,
                "office": access.is_office(user),
                "window_days": scorecard.WINDOW_DAYS,
                "spark_width": scorecard.SPARK_WIDTH,
                "spark_height": scorecard.SPARK_HEIGHT,
            },
        )


class Decision:
    ACCEPT = "accept"
    DECLINE = "decline"


class ProbationDecisionForm(BootstrapFormMixin, forms.Form):
    """Accept (the partner goes on probation) or decline the proposal; either way with a reason."""

    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (Decision.ACCEPT, gettext_lazy("Put the partner on probation")),
            (Decision.DECLINE, gettext_lazy("Decline: no probation for these findings")),
        ],
        widget=forms.RadioSelect,
        initial=Decision.ACCEPT,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Kept in the partner's status history."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Radio buttons take Bootstrap's check classes in the template, not the mixin's form-select.
        self.fields["decision"].widget.attrs["class"] = "form-check-input"


class ProbationDecideView(ScopedObjectMixin, View):
    """``/inspections/scorecards/<pk>/probation/``: the office accepts or declines the proposal to put a
    partner on probation, with a reason prefilled from the proposal. Anyone else gets a 404."""

    template_name = "supervision/scorecard/decide.html"
    model = Partner
    access_action = "change_status"

    def _card(self, request: HttpRequest, partner: Partner) -> scorecard.Scorecard:
        return scorecard.scorecard_of(user=request_user(request), partner=partner)

    def _render(self, request: HttpRequest, partner: Partner, card: scorecard.Scorecard, form: Any) -> HttpResponse:
        return render(request, self.template_name, {"partner": partner, "card": card, "form": form})

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        partner = self.get_object()
        card = self._card(request, partner)
        form = ProbationDecisionForm(initial={"reason": card.probation_reason}) if card.probation_proposed else None
        return self._render(request, partner, card, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        partner = self.get_object()
        form = ProbationDecisionForm(request.POST)
        if form.is_valid():
            decide = (
                scorecard.probation_accept
                if form.cleaned_data["decision"] == Decision.ACCEPT
                else scorecard.probation_decline
            )
            try:
                decide(partner=partner, reason=form.cleaned_data["reason"], by=request_user(request))
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                if form.cleaned_data["decision"] == Decision.ACCEPT:
                    messages.success(request, _("%(partner)s is now on probation.") % {"partner": partner.name})
                else:
                    messages.success(
                        request,
                        _("Probation declined for %(partner)s; the decision is kept.") % {"partner": partner.name},
                    )
                return HttpResponseRedirect(reverse("supervision:scorecards"))
        return self._render(request, partner, self._card(request, partner), form)
