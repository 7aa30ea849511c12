"""Admin for the curriculum: the catalogue and teachers to read and look up; grades and their corrections
read-only (evidence: written through ``curriculum.services``, which check the rules and record who did it)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from curriculum.models import (
    Course,
    CourseLink,
    CurriculumEntry,
    Enrolment,
    EnrolmentWithdrawal,
    Grade,
    GradeCorrection,
    Offering,
    OfferingTeacher,
    QualificationRule,
    TeacherProfile,
)


class _ReadOnlyMixin:
    """Neither added, changed nor deleted through the admin: an admin form would bypass the services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Course)
class CourseAdmin(_ReadOnlyMixin, SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("code", "title_en", "category", "credits", "ie_credits", "teaching_partner", "status")
    list_filter = ("category", "status", "teaching_partner")
    search_fields = ("code", "title_en", "title_zh")


@admin.register(CourseLink)
class CourseLinkAdmin(_ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("course", "kind", "other")


@admin.register(CurriculumEntry)
class CurriculumEntryAdmin(_ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("programme", "term", "course", "kind")
    list_filter = ("programme", "kind")


@admin.register(QualificationRule)
class QualificationRuleAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    """A programme's qualification rule (one row, two numbers: the office sets it here)."""

    list_display = ("programme", "training_years", "experience_years")


@admin.register(TeacherProfile)
class TeacherProfileAdmin(_ReadOnlyMixin, SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("user", "partner", "position")
    list_filter = ("partner",)


@admin.register(Offering)
class OfferingAdmin(_ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("course", "term", "programme", "site", "capacity")
    list_filter = ("term",)


@admin.register(OfferingTeacher)
class OfferingTeacherAdmin(_ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("offering", "teacher", "hours", "qualified", "override_reason")
    list_filter = ("qualified",)


@admin.register(Enrolment)
class EnrolmentAdmin(_ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("offering", "student", "status", "enrolled_at")


@admin.register(Grade)
class GradeAdmin(_ReadOnlyMixin, SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("enrolment", "percentage", "passed", "status", "submitted_at")
    list_filter = ("status",)


@admin.register(GradeCorrection)
class GradeCorrectionAdmin(_ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("grade", "old_percentage", "new_percentage", "by", "at", "reason")


@admin.register(EnrolmentWithdrawal)
class EnrolmentWithdrawalAdmin(_ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("enrolment", "by", "at", "reason")
