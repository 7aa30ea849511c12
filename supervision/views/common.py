"""What every inspection page shares: fetching a row through ``access.scope`` (out of scope: a 404 with
the denial recorded) and putting a service's refusal on the form field it names."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from accounts.models import User
from partners import access
from supervision.models import CorrectiveAction, Inspection


def user_of(request: HttpRequest) -> User:
    # Every view here is behind LoginRequiredMixin, so the user is a real one.
    return request.user  # type: ignore[return-value]


def scoped_or_404(queryset: QuerySet[Any], request: HttpRequest, action: str, pk: Any) -> Any:
    """One row of ``queryset`` the user may ``action`` on, else 404 (with the denial recorded).

    Write pages ask for the write action directly: a row the user sees but may not act on is a 404
    too, as on the practice pages, so the page's existence says nothing."""
    try:
        obj = access.scope(queryset, request.user, action).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        obj = None
    if obj is None:
        access.record_denial(request.user, action, f"{queryset.model.__name__}:{pk}")
        raise Http404
    return obj


def inspection_or_404(request: HttpRequest, pk: Any, action: str = "view") -> Inspection:
    inspections = Inspection.objects.select_related("target_partner", "target_site", "target_placement", "template")
    return scoped_or_404(inspections, request, action, pk)  # type: ignore[no-any-return]


def action_or_404(request: HttpRequest, pk: Any, action: str = "view") -> CorrectiveAction:
    actions = CorrectiveAction.objects.select_related(
        "owner", "finding__inspection__target_partner", "finding__placement__student__user"
    )
    return scoped_or_404(actions, request, action, pk)  # type: ignore[no-any-return]
