"""People: the custom user model and platform roles (office, inspector, counsellor). The API tokens' admin is
in ``core/admin.py``, which may ask the access engine (``accounts`` stands below it)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts import services
from accounts.models import User


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    """The admin's password form: a new password (or none) also ends the person's API tokens."""

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit)
        if commit:
            services.tokens_revoke_all(user=user)
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    """Users with their platform-role groups; partner roles are edited as memberships."""

    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Tandem"), {"fields": ("full_name", "phone")}),
    )
    list_display = ("username", "full_name", "email", "is_active", "is_staff")
    search_fields = ("username", "full_name", "email")
    change_password_form = AdminPasswordChangeForm
