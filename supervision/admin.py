"""Admin for supervision: checklists are edited here; inspections and their evidence are read here.

Writes to inspections go through ``supervision.services`` (they grant and end access), so the admin
shows inspections, results, findings and corrective actions read-only, with their history.
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
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
