"""Admin for supervision: checklists are edited here; inspections and their evidence are read here.

Writes to inspections go through ``supervision.services`` (they grant and end access), so the admin
shows inspections, results, findings and corrective actions read-only, with their history.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from supervision.admin_readonly import ReadOnlyMixin
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
    """A checklist's items, editable until an inspection uses the checklist: after that its wording is
    what inspectors rated (reports rendered later must show the same), so a change needs a new checklist."""

    model = ChecklistItem
    extra = 0

    def _in_use(self, obj: Any) -> bool:
        return obj is not None and obj.pk is not None and Inspection.objects.filter(template=obj).exists()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._in_use(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._in_use(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._in_use(obj) and super().has_delete_permission(request, obj)


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "target_kind", "is_active")
    list_filter = ("target_kind", "is_active")
    search_fields = ("name",)
    inlines = [ChecklistItemInline]


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


# The draws' admin is a module of its own; it imports ReadOnlyMixin from admin_readonly, never this module.
from supervision import admin_draw  # noqa: E402,F401
