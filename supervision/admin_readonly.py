"""The read-only base of supervision's admin pages, shared by ``supervision.admin`` and
``supervision.admin_draw`` (both import it; neither imports the other's classes, so the imports go one way:
``admin`` -> ``admin_draw`` -> ``admin_readonly``)."""

from typing import Any

from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from partners import access


class ReadOnlyMixin:
    """Evidence and state changed only by services: the admin reads, and only what ``partners.access``
    lets the signed-in person see (a staff account that is also a partner's coordinator must not learn of
    a planned spot inspection of that partner here either)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return access.scope(super().get_queryset(request), request.user)  # type: ignore[misc]

    def _require_in_scope(self, request: HttpRequest, object_id: str) -> None:
        """The history pages read the historical records, not the scoped queryset: ask the scope first."""
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc,no-any-return]

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        self._require_in_scope(request, object_id)
        return super().history_form_view(  # type: ignore[misc,no-any-return]
            request, object_id, version_id, extra_context
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
