"""Admin for students, their plans, placements and milestones (with history).

Plan versions and workflow events are evidence of who changed and decided what: read-only here, as
inlines of their plan and on their own. Workflow steps happen on the plan page, through the services.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from students.models import Milestone, Placement, PlacementHours, PlanEvent, PlanVersion, Student, TrainingPlan


class _ReadOnlyMixin:
    """Neither added, changed nor deleted through the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Student)
class StudentAdmin(SimpleHistoryAdmin):
    list_display = ("student_number", "user", "programme", "cohort", "status", "tutor")
    list_filter = ("status", "programme", "cohort")
    search_fields = ("student_number", "user__username", "user__full_name")
    raw_id_fields = ("user", "tutor", "practice_supervisor")
    list_select_related = ("user", "programme", "cohort", "tutor")


class PlanVersionInline(_ReadOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]
    model = PlanVersion
    extra = 0
    fields = ("number", "summary", "created_by", "created_at")
    readonly_fields = fields
    ordering = ("-number",)


class PlanEventInline(_ReadOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]
    model = PlanEvent
    extra = 0
    fields = ("at", "version", "action", "by", "reason")
    readonly_fields = fields


@admin.register(TrainingPlan)
class TrainingPlanAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Plans change through the plan page (versions and approvals); here they are read."""

    list_display = ("student", "status", "version", "approved_version", "is_amendment", "updated_at")
    list_filter = ("status", "is_amendment")
    search_fields = ("student__student_number", "student__user__username", "student__user__full_name")
    readonly_fields = ("student", "status", "version", "approved_version", "is_amendment", "updated_at")
    list_select_related = ("student__user",)
    inlines = [PlanVersionInline, PlanEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PlanVersion)
class PlanVersionAdmin(_ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("plan", "number", "summary", "created_by", "created_at")
    search_fields = ("plan__student__student_number", "summary")
    readonly_fields = ("plan", "number", "snapshot", "summary", "created_by", "created_at")
    list_select_related = ("plan__student__user", "created_by")


@admin.register(PlanEvent)
class PlanEventAdmin(_ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("plan", "version", "action", "by", "at")
    list_filter = ("action",)
    search_fields = ("plan__student__student_number", "reason")
    readonly_fields = ("plan", "version", "action", "reason", "by", "at")
    list_select_related = ("plan__student__user", "by")


class PlacementHoursInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PlacementHours
    extra = 0


@admin.register(Placement)
class PlacementAdmin(SimpleHistoryAdmin):
    inlines = [PlacementHoursInline]
    list_display = ("student", "partner", "site", "supervisor", "start_date", "end_date", "status")
    list_filter = ("status", "partner")
    search_fields = ("student__student_number", "student__user__full_name", "partner__name")
    raw_id_fields = ("student", "supervisor")
    list_select_related = ("student__user", "partner", "site", "supervisor")


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ("student", "kind", "due_date", "status", "completed_on")
    list_filter = ("status", "kind")
    search_fields = ("student__student_number", "student__user__full_name")
    raw_id_fields = ("student",)
    list_select_related = ("student__user",)
