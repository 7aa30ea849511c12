from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services as account_services
from accounts.models import ApiToken
from core.models import AccessDenial, Notification
from partners import access

# One word for the administration everywhere (docs/glossary.md): the navigation, the start page and the
# admin site's own header and title say "Administration", not "Django administration".
admin.site.site_header = _("Tandem administration")
admin.site.site_title = _("Administration")
admin.site.index_title = _("Administration")


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


class TokenStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("live", _("Live")), ("expired", _("Expired"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> QuerySet[ApiToken]:
        if self.value() == "live":
            return queryset.filter(expires_at__gt=timezone.now())
        if self.value() == "expired":
            return queryset.filter(expires_at__lte=timezone.now())
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The API tokens in use, for the office: who holds one, since when, until when, last used when.

    Tokens are only issued by logging in through the API and are never edited; the office revokes them
    (the person's client must log in again). Only the office's staff accounts and superusers see them.
    """

    list_display = ("prefix", "user", "created_at", "expires_at", "last_used_at", "is_live")
    list_filter = (TokenStateFilter,)
    search_fields = ("user__username", "user__full_name", "prefix")
    list_select_related = ("user",)
    readonly_fields = ("prefix", "user", "created_at", "expires_at", "last_used_at")
    fields = readonly_fields
    actions = ["revoke"]

    @admin.display(boolean=True, description=_("live"))
    def is_live(self, token: ApiToken) -> bool:
        return not token.is_expired()

    def _office(self, request: HttpRequest) -> bool:
        """Staff accounts the engine lets see every token (the office: ``partners/access.py``), and superusers."""
        user = request.user
        return bool(user.is_active and user.is_staff and (user.is_superuser or access.can(user, "view", ApiToken)))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._office(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._office(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._office(request)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return self._office(request)

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # "Revoke" says what it does
        return actions

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset:
            account_services.token_revoke(token=token)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count) % {"count": count},
            messages.SUCCESS,
        )
