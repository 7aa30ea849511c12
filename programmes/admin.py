"""Admin for programmes, their requirements and cohorts, and agreements (with history).

Agreements are never deleted here: terminating one (with a reason) happens on the agreement page.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from programmes.models import (
    ActivityCategory,
    Agreement,
    AgreementParty,
    Cohort,
    CreditRequirement,
    MilestoneTemplate,
    Objective,
    Participation,
    Programme,
)


class ParticipationInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Participation
    extra = 0


class ObjectiveInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Objective
    extra = 0


class CreditRequirementInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CreditRequirement
    extra = 0


class ActivityCategoryInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ActivityCategory
    extra = 0


class MilestoneTemplateInline(admin.TabularInline):  # type: ignore[type-arg]
    model = MilestoneTemplate
    extra = 0


class CohortInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Cohort
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "degree_type", "lead_university", "status")
    list_filter = ("degree_type", "status")
    search_fields = ("name", "code")
    inlines = [
        ParticipationInline,
        ObjectiveInline,
        CreditRequirementInline,
        ActivityCategoryInline,
        MilestoneTemplateInline,
        CohortInline,
    ]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("programme", "intake_year", "name")
    list_filter = ("programme",)


class AgreementPartyInline(admin.StackedInline):  # type: ignore[type-arg]
    model = AgreementParty
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ("title", "programme", "reference", "start_date", "end_date", "status")
    list_filter = ("status", "programme")
    search_fields = ("title", "reference")
    readonly_fields = ("document_sha256", "created_by", "created_at")
    inlines = [AgreementPartyInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Agreement, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
