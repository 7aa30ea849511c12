"""Filters for the API's lists.

A list is the user's scope, and its filters only narrow it. A filter naming a related row (a partner, a
student, a user) takes the id as a plain integer, never as a choice checked against the database: asking
for a row outside the scope and for one that does not exist both give an empty list, where a choice filter
would answer 400 "Select a valid choice" for the second and so tell the two apart. A value that is not a
whole number is still a 400 naming the filter.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.NumberFilter):
    """An integer id (a decimal such as ``1.5`` is refused, not rounded)."""

    field_class = forms.IntegerField


#: The largest id a database key holds (64-bit): a larger number names no row and must not reach the database.
MAX_ID = 2**63 - 1
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _refusal(raw: str, filter_: filters.Filter) -> str | None:
    """Why a query value does not keep to what the schema says of its filter, or None when it does."""
    if isinstance(filter_, filters.ChoiceFilter):
        valid = {str(value) for value, _label in filter_.field.choices if value != ""}
        return None if raw in valid else _("Choose one of: %(choices)s.") % {"choices": ", ".join(sorted(valid))}
    if isinstance(filter_, filters.BooleanFilter):
        return None if raw.lower() in {"true", "false"} else _("Enter true or false.")
    if isinstance(filter_, filters.DateFilter):
        return None if ISO_DATE.fullmatch(raw) else _("Enter a date as YYYY-MM-DD.")
    if isinstance(filter_, filters.NumberFilter | filters.ModelChoiceFilter) or filter_.field_class in (
        forms.IntegerField,
        forms.ModelChoiceField,
    ):
        if isinstance(filter_, filters.NumberFilter) and filter_.field_class is not forms.IntegerField:
            return None
        try:
            number = int(raw)
        except ValueError:
            # An empty value would be read as "no filter"; anything else, the filter's own form refuses.
            return _("Enter a whole number.") if not raw.strip() else None
        return None if abs(number) <= MAX_ID else _("Enter a whole number of at most %(max)s.") % {"max": MAX_ID}
    return None


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, strict about what the schema documents: a boolean is ``true`` or ``false``
    and a choice one of its values (not anything else, or nothing, read as "no filter"), a number is not
    empty, a date is ``YYYY-MM-DD`` (not the other formats Django reads),
    and an id beyond what a database key holds is refused (not sent to the database). Refused: 400 naming
    the filter. The API's default backend (``REST_FRAMEWORK``); a view that lists its own uses this one."""

    def get_filterset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        errors: dict[str, list[str]] = {}
        for name, filter_ in filterset.filters.items():
            for raw in request.query_params.getlist(name):
                message = _refusal(raw, filter_)
                if message:
                    errors.setdefault(name, []).append(message)
        if errors:
            raise ValidationError(errors)
        return filterset
