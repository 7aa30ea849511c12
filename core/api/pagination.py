"""API pagination."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Pages of ``PAGE_SIZE``; clients may ask for up to 200 rows with ``page_size``.

    A ``page_size`` that is not a whole number from 1 to 200 is refused (400, naming it), not silently
    replaced by the default: the schema says what it accepts, and the answer keeps to it. A page past the
    end is a 404 (DRF's), documented on every list.
    """

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Any) -> int | None:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size or str(size) != raw.strip():
            message = _("Enter a whole number from 1 to %(max)s.") % {"max": self.max_page_size}
            raise exceptions.ValidationError({self.page_size_query_param: [message]})
        return size

    def get_page_number(self, request: Any, paginator: Any) -> Any:
        """The page asked for: a whole number from 1 (or "last"); anything else is refused (400, naming it),
        as the schema documents, whatever the list holds (an empty list used to answer 200 to ``page=``)."""
        raw = request.query_params.get(self.page_query_param)
        if raw is None or raw in self.last_page_strings:
            return super().get_page_number(request, paginator)
        if not raw.isdigit() or int(raw) < 1:
            raise exceptions.ValidationError({self.page_query_param: [_("Enter a whole number from 1.")]})
        return raw

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters
