"""Base views that always scope, the per-role start page, and the health check."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView

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
    """Put a service's ``ValidationError`` on the form: per field where the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class StartView(LoginRequiredMixin, TemplateView):
    """The first page after login: the user's partners and roles, and what each role does next."""

    template_name = "core/start.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from core.selectors import start_page_context

        context = super().get_context_data(**kwargs)
        context.update(start_page_context(user=self.request.user))  # type: ignore[arg-type]
        return context


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
    """``/healthz``: 200 when the database and the broker answer, 503 otherwise. No login, no details."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable", **{k: "ok" if v else "down" for k, v in checks.items()}}
    if settings.DEBUG:
        body["broker_url_scheme"] = settings.CELERY_BROKER_URL.split(":", 1)[0]
    return JsonResponse(body, status=200 if healthy else 503)
