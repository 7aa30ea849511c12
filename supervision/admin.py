"""Admin for supervision: checklists are edited here; inspections and their evidence are read here.

Writes to inspections go through ``supervision.services`` (they grant and end access), so the admin
shows inspections, results, findings and corrective actions read-only, with their history.
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from partners import access
from supervision.models import (
    ChecklistItem,
    ChecklistResult,
    ChecklistTemplate,
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionReport,
)


class ChecklistItemInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ChecklistItem
    extra = 0


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "target_kind", "is_active")
    list_filter = ("target_kind", "is_active")
    search_fields = ("name",)
    inlines = [ChecklistItemInline]


class ReadOnlyMixin:
    """Evidence and state changed only by services: the admin reads, and only what ``partners.access``
    lets the signed-in person see (a staff account that is also a partner's coordinator must not learn of
    a planned spot inspection of that partner here either)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return access.scope(super().get_queryset(request), request.user)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InspectionAssignmentInline(ReadOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]
    model = InspectionAssignment
    extra = 0


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("target_partner", "kind", "planned_date", "status")
    list_filter = ("kind", "status")
    search_fields = ("target_partner__name", "scope")
    inlines = [InspectionAssignmentInline]


@admin.register(ChecklistResult)
class ChecklistResultAdmin(ReadOnlyMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("inspection", "item", "rating", "recorded_by", "recorded_at")
    list_filter = ("rating",)


@admin.register(Finding)
class FindingAdmin(ReadOnlyMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("inspection", "severity", "created_by", "created_at")
    list_filter = ("severity",)


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(ReadOnlyMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("finding", "owner", "due_date", "status")
    list_filter = ("status",)


@admin.register(InspectionReport)
class InspectionReportAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("inspection", "variant", "version", "language", "status", "rendered_at")
    list_filter = ("variant", "status")
    exclude = ("html",)


from supervision import admin_draw  # noqa: E402,F401
