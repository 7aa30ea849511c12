"""The target partner's coordinator answers a corrective action: what was done, with evidence.

Their list of inspections and of actions to answer are the shared pages in ``pages.py`` (their scope
holds their partner's started inspections only).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.views import apply_validation_error, request_user
from supervision import services
from supervision.forms import AnswerForm
from supervision.models import CorrectiveAction
from supervision.views.common import action_or_404


class ActionAnswerView(LoginRequiredMixin, View):
    """Answer an open or reopened corrective action (a coordinator of the target partner); the
    inspectors are told and verify it. Anyone else, the office included, gets a 404."""

    template_name = "supervision/pages/action_answer.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = action_or_404(request, pk, "answer")
        return self._render(request, action, AnswerForm(initial={"answer": action.answer}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        action = action_or_404(request, pk, "answer")
        form = AnswerForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.corrective_action_answer(
                    action=action,
                    answer=form.cleaned_data["answer"] or "",
                    evidence=form.cleaned_data["evidence"] or None,
                    by=request_user(request),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Answer sent; the inspectors have been told."))
                return HttpResponseRedirect(reverse("supervision:actions"))
        return self._render(request, action, form)

    def _render(self, request: HttpRequest, action: CorrectiveAction, form: AnswerForm) -> HttpResponse:
        return render(request, self.template_name, {"action": action, "form": form})
