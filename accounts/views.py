"""Account pages. Django's auth views do the work; this module only adds what they lack."""

from django.contrib.auth import views as auth_views

from accounts.forms import LoginForm


class TandemLoginView(auth_views.LoginView):
    """The login page; already logged-in visitors go straight to their start page."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm
