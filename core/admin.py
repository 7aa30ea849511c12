from django.contrib import admin

from core.models import AccessDenial, Notification


@admin.register(AccessDenial)
class AccessDenialAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Denied requests, read-only: an audit trail is never edited."""

    list_display = ("at", "user", "action", "target")
    list_filter = ("action",)
    search_fields = ("target", "user__username")
    readonly_fields = ("at", "user", "action", "target", "path")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """What people were told and when: read-only, so support can answer "did I get that e-mail?"."""

    list_display = ("created_at", "user", "kind", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("user__username", "subject")
    raw_id_fields = ("user",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
