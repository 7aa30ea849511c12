"""Django's account forms with Tandem's widgets."""

from django.contrib.auth import forms as auth_forms

from core.forms import BootstrapFormMixin


class LoginForm(BootstrapFormMixin, auth_forms.AuthenticationForm):
    pass


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(BootstrapFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    pass
