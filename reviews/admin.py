"""The admin of internal supervision: read-only, and only what ``partners.access`` lets the signed-in person
see. A staff account that was reviewed by students (a supervisor who is also staff) gets no review rows about
them here either: the admin scopes with the same "view" rule as the pages, so anonymity holds in the admin
too. Forms are the office's to edit here (a form in use is frozen by ``reviews.services.rounds``); schedules and
terms are shown here and edited on the office's pages (``reviews:schedules``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from partners import access
from reviews.models import (
    Concern,
    ConcernMessage,
    Criterion,
    Meeting,
    Review,
    ReviewForm,
    ReviewRound,
    ReviewSchedule,
    ReviewTerm,
)
from reviews.services import rounds


class _ScopedReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return access.scope(super().get_queryset(request), request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReviewRound)
class ReviewRoundAdmin(_ScopedReadOnly):
    list_display = ["title", "kind", "status", "opens_on", "due_on", "closes_on"]
    list_filter = ["status", "kind"]


@admin.register(Review)
class ReviewAdmin(_ScopedReadOnly):
    list_display = ["pk", "direction", "round", "reviewer", "status", "due_on"]
    list_filter = ["direction", "status"]


@admin.register(Concern)
class ConcernAdmin(_ScopedReadOnly):
    list_display = ["pk", "category", "partner", "status", "reply_due_on"]
    list_filter = ["status", "category"]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        # Who raised a concern: the office only (and the person, who has no admin).
        return () if access.is_office(request.user) else ("raised_by",)


@admin.register(ConcernMessage)
class ConcernMessageAdmin(_ScopedReadOnly):
    list_display = ["concern", "kind", "at"]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if access.is_office(request.user) else ("author",)


@admin.register(Meeting)
class MeetingAdmin(_ScopedReadOnly):
    list_display = ["student", "held_on", "minutes_status"]


class CriterionInline(admin.TabularInline):  # type: ignore[type-arg]
    """A form's criteria: the office rewords them while the form is not in use; once a round uses it the form
    is frozen (read-only here, refused by ``reviews.services.rounds.criterion_change``)."""

    model = Criterion
    extra = 0
    fields = ["order", "code", "label", "anchor_low", "anchor_high"]

    def _editable(self, request: HttpRequest, obj: Any) -> bool:
        return access.is_office(request.user) and obj is not None and not obj.in_use

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_office(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Asked without the form too (to list the criteria): the office may; each form answers for itself.
        return access.is_office(request.user) and (obj is None or not obj.in_use)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)


@admin.register(ReviewForm)
class ReviewFormAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Review forms, by direction and version. "Make a new version" copies a form (frozen or not) for later
    rounds; a round always takes the latest version."""

    list_display = ["title", "direction", "version", "in_use"]
    list_filter = ["direction"]
    readonly_fields = ["direction", "version"]
    inlines = [CriterionInline]
    actions = ["new_version"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.is_office(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_office(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_office(request.user) and (obj is None or not obj.in_use)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Make a new version for later rounds"))
    def new_version(self, request: HttpRequest, queryset: QuerySet[ReviewForm]) -> None:
        for form in queryset:
            rounds.review_form_new_version(form=form, by=request.user)  # type: ignore[arg-type]


@admin.register(ReviewTerm)
class ReviewTermAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only here: the office sets terms and schedules up on ``/reviews/schedules/``, whose services check
    what the admin cannot (terms that overlap, a term whose rounds opened, the reminder before the deadline)
    and keep the history."""

    list_display = ["name", "programme", "start_date", "end_date"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.is_office(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.is_office(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReviewSchedule)
class ReviewScheduleAdmin(ReviewTermAdmin):
    list_display = ["programme", "term_rounds", "placement_rounds", "window_days", "min_meetings_per_term"]
