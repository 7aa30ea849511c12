"""Integrity in the admin: the programmes' similarity thresholds are edited here (by staff of the office);
everything else is evidence changed only by the services, so the admin lists it read-only, scoped."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from integrity.models import Case, OriginalityReport, ThresholdPolicy
from partners import access


@admin.register(ThresholdPolicy)
class ThresholdPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("programme", "review_from", "refer_above")


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return access.scope(super().get_queryset(request), request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OriginalityReport)
class OriginalityReportAdmin(_ReadOnly):
    list_display = ("submission", "status", "outcome", "similarity", "queued_at")
    list_filter = ("status", "outcome")
    exclude = ("result",)


@admin.register(Case)
class CaseAdmin(_ReadOnly):
    list_display = ("number", "kind", "subject_kind", "status", "decision", "opened_at")
    list_filter = ("status", "kind")
