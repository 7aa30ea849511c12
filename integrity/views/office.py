"""The office's pages: the integrity dashboard, the reference corpus (list and upload), and the public,
anonymous yearly counts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.views import apply_validation_error, request_user, require_or_404
from integrity import selectors
from integrity.forms import ReferenceForm
from integrity.models import CaseKind, CheckStatus, CorpusText, OriginalityReport, Outcome
from integrity.services import submissions


class DashboardView(LoginRequiredMixin, View):
    """``/integrity/dashboard/``: checks by status and outcome, the referred reports, the similarity
    distribution by programme (bars), open cases, the corpus size."""

    def get(self, request: HttpRequest) -> HttpResponse:
        require_or_404(request, "open_case", OriginalityReport)
        board = selectors.dashboard(user=request.user)
        statuses = [(label, board.by_status.get(value, 0)) for value, label in CheckStatus.choices]
        outcomes = [(label, board.by_outcome.get(value, 0)) for value, label in Outcome.choices]
        rows = []
        for programme, counts in sorted(board.distribution.items()):
            largest = max([*counts, 1])
            rows.append(
                {
                    "programme": programme,
                    "bands": [
                        {"label": f"{low}-{min(high, 100)} %", "count": n, "percent": round(100 * n / largest)}
                        for (low, high), n in zip(selectors.BANDS, counts, strict=True)
                    ],
                }
            )
        return render(
            request,
            "integrity/pages/dashboard.html",
            {"board": board, "statuses": statuses, "outcomes": outcomes, "distribution": rows},
        )


class ReferenceView(LoginRequiredMixin, View):
    """``/integrity/references/``: the reference corpus, and the office's upload of one more document."""

    template_name = "integrity/pages/references.html"

    def _render(self, request: HttpRequest, form: ReferenceForm) -> HttpResponse:
        page = Paginator(selectors.reference_list(user=request.user), 25).get_page(request.GET.get("page"))
        return render(request, self.template_name, {"form": form, "page_obj": page, "references": page.object_list})

    def get(self, request: HttpRequest) -> HttpResponse:
        require_or_404(request, "create", CorpusText)
        return self._render(request, ReferenceForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        require_or_404(request, "create", CorpusText)
        form = ReferenceForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                submissions.reference_upload(
                    title=data["title"],
                    upload=data["file"],
                    author=data["author"],
                    year=data["year"],
                    by=request_user(request),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Added to the reference corpus."))
                return HttpResponseRedirect(reverse("integrity:references"))
        return self._render(request, form)


def public_counts(request: HttpRequest) -> HttpResponse:
    """``/integrity/public/``: upheld cases per year by kind, for anyone; nothing else."""
    return render(
        request,
        "integrity/pages/public.html",
        {"kinds": [label for _value, label in CaseKind.choices], "years": selectors.public_counts()},
    )
