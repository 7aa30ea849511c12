"""The projects admin: read-only, scoped by ``partners.access``. Projects, outputs, awards and schemes change
only through the services (pages and API), which check the rules and keep who did what."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from projects.models import BoardPost, JoinRequest, PointAward, PointsScheme, Project, ProjectOutput
from supervision.admin_readonly import ReadOnlyMixin


@admin.register(Project)
class ProjectAdmin(ReadOnlyMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("title_en", "kind", "scale", "status", "lead_partner", "leader", "start_date")
    list_filter = ("status", "kind", "scale")
    search_fields = ("title_en", "title_zh")


@admin.register(ProjectOutput)
class ProjectOutputAdmin(ReadOnlyMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("title", "output_type", "status", "project", "achieved_on")
    list_filter = ("status", "output_type")


@admin.register(PointAward)
class PointAwardAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("person", "points", "source", "scale", "project", "scheme", "year", "awarded_on")
    list_filter = ("year", "source", "scale")


@admin.register(PointsScheme)
class PointsSchemeAdmin(ReadOnlyMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("programme", "version", "valid_from", "frozen_at")


@admin.register(BoardPost)
class BoardPostAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("project", "places", "is_open", "posted_at")


@admin.register(JoinRequest)
class JoinRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("post", "student", "status", "requested_at", "answered_at")
