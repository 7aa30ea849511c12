"""What several inspection pages share: an inspection or a corrective action in the user's scope for an
action, with what its pages show (``core.views.scoped_object``: out of scope, a 404 with the denial
recorded).

Write pages ask for the write action directly: a row the user sees but may not act on is a 404 too, as on
the practice pages, so the page's existence says nothing."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.views import scoped_object
from supervision.models import CorrectiveAction, Inspection


def inspection_or_404(request: HttpRequest, pk: Any, action: str = "view") -> Inspection:
    inspections = Inspection.objects.select_related("target_partner", "target_site", "target_placement", "template")
    return scoped_object(request, inspections, action, pk=pk)


def action_or_404(request: HttpRequest, pk: Any, action: str = "view") -> CorrectiveAction:
    actions = CorrectiveAction.objects.select_related(
        "owner", "finding__inspection__target_partner", "finding__placement__student__user"
    )
    return scoped_object(request, actions, action, pk=pk)
