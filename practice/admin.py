"""Admin for practice hours: entries, rule versions and reopened months, all read-only.

Every one of them is evidence. Entries are logged, decided and corrected through ``practice.services``
(which check the rules and record who did what); rule versions and reopenings are added there too, with
their checks. The admin reads them, and shows an entry's history, but never adds, changes, reverts or
deletes: an admin form would bypass every rule.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from practice.models import MonthReopening, PracticeLog, RuleSet


class _ReadOnlyMixin:
    """Neither added, changed (nor reverted to a past version) nor deleted through the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RuleSet)
class RuleSetAdmin(_ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Rule versions: a programme's defaults (no partner) and partners' tightenings, newest first."""

    list_display = (
        "__str__",
        "programme",
        "partner",
        "daily_max_hours",
        "entry_window_days",
        "lock_day",
        "created_by",
        "created_at",
    )
    list_filter = ("programme", "partner")
    readonly_fields = (
        "programme",
        "partner",
        "daily_max_hours",
        "entry_window_days",
        "lock_day",
        "created_by",
        "created_at",
    )
    list_select_related = ("programme", "partner", "created_by")


@admin.register(MonthReopening)
class MonthReopeningAdmin(_ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("programme", "month", "until", "by", "at", "reason")
    list_filter = ("programme",)
    search_fields = ("reason",)
    readonly_fields = ("programme", "month", "until", "reason", "by", "at")
    list_select_related = ("programme", "by")


@admin.register(PracticeLog)
class PracticeLogAdmin(_ReadOnlyMixin, SimpleHistoryAdmin):
    """Entries and their history (who entered, who decided, corrections); changed only through services."""

    list_display = (
        "date",
        "student",
        "placement",
        "category",
        "hours",
        "status",
        "entered_by",
        "decided_by",
        "rule_version",
    )
    list_filter = ("status", "placement__partner", "entered_by_supervisor", "decided_in_bulk")
    date_hierarchy = "date"
    search_fields = ("student__student_number", "student__user__username", "student__user__full_name", "description")
    raw_id_fields = ("student", "placement", "category", "entered_by", "decided_by", "corrects")
    readonly_fields = (
        "student",
        "placement",
        "date",
        "hours",
        "start_time",
        "end_time",
        "category",
        "cases",
        "description",
        "status",
        "entered_by",
        "entered_by_supervisor",
        "entered_at",
        "decided_by",
        "decided_at",
        "decided_in_bulk",
        "rejection_reason",
        "rule_version",
        "corrects",
        "correction_reason",
        "idempotency_key",
    )
    list_select_related = (
        "student__user",
        "placement__partner",
        "placement__student",
        "category",
        "entered_by",
        "decided_by",
    )
    show_full_result_count = False  # a count(*) over a million entries on every page is not worth it
