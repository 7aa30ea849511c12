"""The spot-inspection draw pages (office only): the history of draws, one draw with every candidate's
factors and share of the weight and the recomputation check, and running this period's draw now.

Everybody but the office gets a 404 (``SpotDraw``'s rules in ``supervision.access``), the denial recorded.
The draw itself is ``supervision.services.draw``; these views read and call it, nothing more.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import ListView

from core import hooks
from core.views import ScopedObjectMixin, request_user, require_or_404
from supervision import selectors
from supervision.models import SpotDraw
from supervision.services import draw as spot

#: The labels of ``supervision.services.draw.weight_parts`` on the detail page.
PART_LABELS = {
    "base": gettext_lazy("base"),
    "probation": gettext_lazy("on probation"),
    "open_actions": gettext_lazy("open corrective actions"),
    "overdue_actions": gettext_lazy("overdue corrective actions"),
    "entered_by_others": gettext_lazy("entries made by others"),
    "late_approval": gettext_lazy("late approvals"),
    "bulk_approval": gettext_lazy("bulk approvals"),
    "time_since_inspection": gettext_lazy("time since the last inspection"),
}


class OfficeOnlyMixin(ScopedObjectMixin):
    """Only the office reaches these pages; anyone else signed in gets a 404 (not a 403 that confirms them)."""

    model: Any = SpotDraw
    access_action = "view"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            require_or_404(request, self.access_action, SpotDraw)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]


class DrawListView(OfficeOnlyMixin, ListView):  # type: ignore[type-arg]
    """Every draw, newest first: period, when, seed, how many candidates, and the picks with their
    inspections. Four queries for the page however many draws and picks it shows."""

    template_name = "supervision/draw/list.html"
    context_object_name = "draws"
    paginate_by = 25

    def get_queryset(self) -> QuerySet[SpotDraw]:
        return selectors.draw_list(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        period = spot.period_of(timezone.localdate())
        context["current_period"] = period
        context["current_draw"] = selectors.draw_of_period(user=self.request.user, period=period)
        return context


class DrawDetailView(OfficeOnlyMixin, View):
    """One draw: the seed, each candidate with its factors and a bar of its share of the total weight,
    the picks marked, and whether recomputing the picks from the stored seed and weights gives them back."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        draw: SpotDraw = self.get_object()
        candidates = selectors.draw_candidates(user=request.user, draw=draw)
        total = sum((c.weight for c in candidates), Decimal("0"))
        rows = []
        labels = {**PART_LABELS, **{factor.key: factor.label for factor in hooks.DRAW_FACTORS}}
        for candidate in candidates:
            share = candidate.weight / total * 100 if total else Decimal("0")
            parts = spot.weight_parts(candidate.factors)
            rows.append(
                {
                    "candidate": candidate,
                    "share": share.quantize(Decimal("0.1")),
                    "percent": max(1, min(100, round(share))) if share else 0,
                    "parts": [
                        (labels.get(name, name), value) for name, value in parts.items() if value and name != "base"
                    ],
                    "skipped_reason": _(candidate.skipped_reason) if candidate.skipped_reason else "",
                }
            )
        stored = spot.draw_picks(draw)
        try:
            recomputed: list[int] | None = spot.draw_recompute(draw)
        except ValueError:
            recomputed = None
        context = {
            "draw": draw,
            "rows": rows,
            "total": total,
            "picked_count": len(stored),
            "matches": recomputed == stored,
            "recomputable": recomputed is not None,
            "note_lines": [_(line) for line in draw.note.splitlines() if line.strip()],
        }
        return render(request, "supervision/draw/detail.html", context)


class DrawRunView(OfficeOnlyMixin, View):
    """POST: the office runs this period's draw now and lands on it; a period already drawn is shown as it
    is, with a message saying so (the draw is once per period)."""

    access_action = "run"
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        outcome = spot.draw_run_outcome(by=request_user(request))
        draw = outcome.draw
        if outcome.created:
            planned = spot.draw_inspections_created(draw)
            text = ngettext(
                "Draw %(period)s made: %(planned)s spot inspection planned.",
                "Draw %(period)s made: %(planned)s spot inspections planned.",
                planned,
            )
            messages.success(request, text % {"period": draw.period, "planned": planned})
        else:
            messages.info(request, _("%(period)s has already been drawn; here is its draw.") % {"period": draw.period})
        return HttpResponseRedirect(reverse("supervision:draw-detail", kwargs={"pk": draw.pk}))
