from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    """Users with their platform-role groups; partner roles are edited as memberships."""

    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Tandem"), {"fields": ("full_name", "phone")}),
    )
    list_display = ("username", "full_name", "email", "is_active", "is_staff")
    search_fields = ("username", "full_name", "email")
