"""Serializer fields that respect the access layer."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from partners import access


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """A related field that only accepts rows the requesting user may ``action`` on.

    A write naming another partner's object fails exactly like one naming a row that does not exist,
    so it neither creates anything nor confirms that the object is there.
    """

    def __init__(self, *, action: str, **kwargs: Any) -> None:
        self.access_action = action
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        request = self.context.get("request")
        if queryset is None:
            raise TypeError("ScopedPrimaryKeyRelatedField needs a queryset.")
        if request is None:
            return queryset.none()
        return access.scope(queryset, request.user, self.access_action)
