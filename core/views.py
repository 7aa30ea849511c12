"""Base views that always scope, the per-role start page, the notification inbox, and the health check."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView

from core.models import Notification
from partners import access


class ScopedMixin(LoginRequiredMixin):
    """Fetch objects only through ``access.scope``: a row out of scope is a 404, and the denial is kept."""

    model: Any
    request: HttpRequest
    kwargs: dict[str, Any]
    #: the access action the page needs on its objects
    access_action = "view"

    def get_queryset(self) -> QuerySet[Any]:
        return access.scope(super().get_queryset(), self.request.user, self.access_action)  # type: ignore[misc]

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Any:
        try:
            return super().get_object(queryset)  # type: ignore[misc]
        except Http404:
            access.record_denial(self.request.user, self.access_action, f"{self.model.__name__}:{self.kwargs}")
            raise


class ScopedListView(ScopedMixin, ListView):  # type: ignore[type-arg]
    """A list of the rows in the user's scope."""


class ScopedDetailView(ScopedMixin, DetailView):  # type: ignore[type-arg]
    """One row in the user's scope, else 404."""


def apply_validation_error(form: BaseForm, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: per field where the form has it, else on top, and
    mark the fields it names as invalid (the form's own cleaning marked only the errors it found itself)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            if "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            widget.attrs["aria-invalid"] = "true"


class StartView(LoginRequiredMixin, TemplateView):
    """The first page after login: the user's partners and roles, and what each role does next."""

    template_name = "core/start.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from core.selectors import start_page_context
        from supervision.selectors import start_counts

        context = super().get_context_data(**kwargs)
        context.update(start_page_context(user=self.request.user))  # type: ignore[arg-type]
        context["inspection_counts"] = start_counts(user=self.request.user)
        return context


class NotificationListView(ScopedListView):
    """The user's own notifications, newest first; unread ones stand out."""

    model = Notification
    template_name = "core/notifications.html"
    context_object_name = "notifications"
    paginate_by = 20

    def get_queryset(self) -> QuerySet[Any]:
        from core.selectors import notification_list

        return notification_list(user=self.request.user)  # type: ignore[arg-type]


class NotificationReadView(LoginRequiredMixin, View):
    """POST: mark one of the user's notifications read and go where it points. Another's is a 404."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from core.notifications import notification_mark_read
        from core.selectors import notification_list

        notification = notification_list(user=request.user).filter(pk=pk).first()
        if notification is None:
            access.record_denial(request.user, "mark_read", f"Notification:{pk}")
            raise Http404
        notification_mark_read(notification=notification, by=request.user)  # type: ignore[arg-type]
        link = notification.link
        if link and url_has_allowed_host_and_scheme(
            link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(link)
        return redirect("core:notifications")


class NotificationsReadAllView(LoginRequiredMixin, View):
    """POST: mark all of the user's notifications read."""

    def post(self, request: HttpRequest) -> HttpResponse:
        from core.notifications import notifications_mark_all_read

        count = notifications_mark_all_read(by=request.user)  # type: ignore[arg-type]
        if count:
            messages.success(request, _("All notifications marked as read."))
        return redirect(reverse("core:notifications"))


def _broker_ok() -> bool:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """``/healthz``: 200 when the database and the broker answer and PDFs can set Chinese, 503 otherwise.

    No login, no details beyond which part is down: ``pdf_fonts`` is "missing" when the CJK font is not
    installed, since every Chinese PDF would then be refused (core/pdf.py).
    """
    from core.pdf import cjk_font_installed

    checks = {"database": _database_ok(), "broker": _broker_ok()}
    fonts_ok = cjk_font_installed()
    healthy = all(checks.values()) and fonts_ok
    body = {"status": "ok" if healthy else "unavailable", **{k: "ok" if v else "down" for k, v in checks.items()}}
    body["pdf_fonts"] = "ok" if fonts_ok else "missing"
    if settings.DEBUG:
        body["broker_url_scheme"] = settings.CELERY_BROKER_URL.split(":", 1)[0]
    return JsonResponse(body, status=200 if healthy else 503)
