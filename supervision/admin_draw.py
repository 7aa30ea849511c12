"""Admin for the spot-inspection draws: read-only, like every other record of what happened.

A draw is evidence that nobody chose the targets: its seed, candidates, weights and picks are never edited
here (``supervision.services.draw`` writes them once). Its schedule is edited in the admin under django-celery-beat's
periodic tasks ("Spot-inspection draw (weekly)").
"""

from django.contrib import admin

from supervision.admin_readonly import ReadOnlyMixin
from supervision.models import DrawCandidate, SpotDraw


class DrawCandidateInline(ReadOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]
    model = DrawCandidate
    extra = 0
    fields = ("position", "partner", "weight", "factors", "pick_order", "inspection", "skipped_reason")
    readonly_fields = fields
    ordering = ("position",)


@admin.register(SpotDraw)
class SpotDrawAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("period", "drawn_at", "seed", "picks_wanted", "algorithm")
    search_fields = ("period",)
    readonly_fields = ("period", "seed", "picks_wanted", "drawn_at", "algorithm", "note")
    inlines = [DrawCandidateInline]
