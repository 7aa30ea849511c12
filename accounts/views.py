"""Account pages. Django's auth views do the work; this module only adds what they lack."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from accounts import services
from accounts.forms import LoginForm


class TandemLoginView(auth_views.LoginView):
    """The login page; already logged-in visitors go straight to their start page."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing one's password also ends every API token issued under the old one."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.tokens_revoke_all(user=form.user)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password from a reset link also ends every API token of the account."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.tokens_revoke_all(user=form.user)
        return response
