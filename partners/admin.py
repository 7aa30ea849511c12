"""Admin for partners, with history. Status changes go through the partner page, which keeps a reason."""

from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from partners.models import Membership, Partner, PartnerStatusChange, PartnerUserObjectPermission, Site


class SiteInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Site
    extra = 0


@admin.register(Partner)
class PartnerAdmin(SimpleHistoryAdmin):
    list_display = ("name", "short_name", "kind", "status")
    list_filter = ("kind", "status")
    search_fields = ("name", "short_name")
    readonly_fields = ("status", "created_at", "updated_at")
    inlines = [SiteInline]
    # A website typed without a scheme is https, as on the partner page's form (and Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Site)
class SiteAdmin(SimpleHistoryAdmin):
    list_display = ("name", "partner", "capacity", "is_active")
    list_filter = ("is_active", "partner__kind")
    search_fields = ("name", "partner__name")


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "partner", "role", "start_date", "end_date", "ended_at")
    list_filter = ("role", "partner")
    search_fields = ("user__username", "user__full_name", "partner__name")
    raw_id_fields = ("user",)
    readonly_fields = ("ended_at",)  # set by partners.services.membership_end


@admin.register(PartnerStatusChange)
class PartnerStatusChangeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The status history is evidence: read-only here."""

    list_display = ("partner", "from_status", "to_status", "changed_by", "changed_at")
    list_filter = ("to_status",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(PartnerUserObjectPermission)
class PartnerGrantAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "content_object", "permission", "valid_until", "reason")
    raw_id_fields = ("user",)
