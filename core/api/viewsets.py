"""The API's base viewsets: the only API classes that fetch objects, and they always scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404
from rest_framework import exceptions, viewsets

from core.api.filters import MAX_ID
from partners import access


class ScopedViewSetMixin:
    """``get_queryset`` is the user's scope for ``view``; writes re-check with their own action.

    Out of the view scope is a 404 (the row seems not to exist). A row the user may see but not change
    answers 403 to a write, since its existence is no secret to that user.
    """

    queryset: Any
    request: Any
    action: Any
    #: the access action a write needs on the row, per viewset action
    write_actions: dict[str, str] = {"update": "change", "partial_update": "change", "destroy": "delete"}

    def get_queryset(self) -> QuerySet[Any]:
        return access.scope(self.queryset.all(), self.request.user, "view")

    def get_object(self) -> Any:
        """The row in scope, else 404; the denial is kept, as the pages keep theirs (core/views.py). An id too
        large for a database key names no row: 404 before the database is asked (it would fail on it)."""
        lookup = getattr(self, "lookup_url_kwarg", None) or getattr(self, "lookup_field", "pk")
        raw = str(getattr(self, "kwargs", {}).get(lookup, ""))
        if raw.lstrip("-").isdigit() and abs(int(raw)) > MAX_ID:
            raise Http404
        try:
            return super().get_object()  # type: ignore[misc]
        except Http404:
            model = self.queryset.model.__name__
            access.record_denial(self.request.user, "view", f"{model}:{getattr(self, 'kwargs', {})}")
            raise

    def check_object_permissions(self, request: Any, obj: Model) -> None:
        super().check_object_permissions(request, obj)  # type: ignore[misc]
        needed = self.write_actions.get(self.action or "")
        if needed and not access.can(request.user, needed, obj):
            access.record_denial(request.user, needed, obj)
            raise exceptions.PermissionDenied()


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """List and retrieve, scoped."""


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):  # type: ignore[type-arg]
    """List, retrieve, create and update, scoped; subclasses route writes through services."""
