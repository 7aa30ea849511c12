"""Filters for the API's lists.

A list is the user's scope, and its filters only narrow it. A filter naming a related row (a partner, a
student, a user) takes the id as a plain integer, never as a choice checked against the database: asking
for a row outside the scope and for one that does not exist both give an empty list, where a choice filter
would answer 400 "Select a valid choice" for the second and so tell the two apart. A value that is not a
whole number is still a 400 naming the filter.
"""

from __future__ import annotations

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.NumberFilter):
    """An integer id (a decimal such as ``1.5`` is refused, not rounded)."""

    field_class = forms.IntegerField
