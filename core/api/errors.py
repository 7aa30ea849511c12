"""One error format for the whole API.

Every error answers ``{"error": {"code": ..., "message": ..., "fields": {field: [messages]}}}``;
``fields`` names each invalid field (``non_field_errors`` for errors about the whole request).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.validation import refused_rule


def api_field(field: str) -> str:
    """The API's name for a field of a Django error: errors about the whole object are ``non_field_errors``."""
    return api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Field errors as ``{field: [messages]}``; a nested serializer's or a list's errors are named by their
    path (``parties.0.partner``), so every value is a list of messages, as the schema says."""
    if isinstance(detail, dict):
        items = list(detail.items())
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        items = [(str(index), item) for index, item in enumerate(detail) if item]
    else:
        messages = detail if isinstance(detail, list) else [detail]
        return {prefix or api_settings.NON_FIELD_ERRORS_KEY: [str(message) for message in messages]}
    flat: dict[str, list[str]] = {}
    for key, value in items:
        for name, messages in _flatten(value, f"{prefix}.{key}" if prefix else str(key)).items():
            flat.setdefault(name, []).extend(messages)
    return flat


class RequestTooLarge(exceptions.APIException):
    """A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (or a file over ``UPLOAD_MAX_BYTES`` read anyway)."""

    status_code = 413
    default_code = "too_large"


def _too_large() -> RequestTooLarge:
    limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return RequestTooLarge(_("The request body is too large: at most %(limit)s.") % {"limit": limit})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, then the body rewritten into Tandem's error format."""
    # Django's own refusals of a body (raised when DRF reads it) answer in the same format, not as a bare 400.
    if isinstance(exc, RequestDataTooBig):
        exc = _too_large()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(str(exc))
    rule: tuple[str, str] | None = None
    if isinstance(exc, DjangoValidationError):
        # A service's refusal names its rule: the answer's code, with the refusal's own message.
        rule = refused_rule(exc)
        if hasattr(exc, "error_dict"):
            # Django names errors about the whole object "__all__"; the API calls them non_field_errors.
            messages = {
                (api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else key): value
                for key, value in exc.message_dict.items()
            }
        else:
            messages = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        exc = exceptions.ValidationError(messages)
    if isinstance(exc, DjangoPermissionDenied):
        # Out of scope is a 404: a 403 would confirm that the object exists.
        exc = Http404()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        code, message = rule or ("invalid", "The request has invalid fields.")
        body = {"code": code, "message": message, "fields": _flatten(fields)}
    else:
        detail = getattr(exc, "detail", None)
        code = getattr(detail, "code", None) or ("not_found" if isinstance(exc, Http404) else "error")
        body = {"code": str(code), "message": str(detail or "Not found."), "fields": {}}
    response.data = {"error": body}
    return response


ERROR_RESPONSE = OpenApiResponse(
    response=inline_serializer(
        "Error",
        {
            "error": inline_serializer(
                "ErrorBody",
                {
                    "code": serializers.CharField(),
                    "message": serializers.CharField(),
                    "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
                },
            )
        },
    ),
    description="Tandem's error format; `fields` names each invalid field.",
)


def page_not_found(request: Any, exception: Exception | None = None) -> Any:
    """The site's 404 (``handler404``): under ``/api/``, in the error format (a path that matches no route,
    such as ``/api/v1/partners/1.5/``); elsewhere Django's page."""
    from django.http import JsonResponse
    from django.views import defaults

    if request.path.startswith("/api/"):
        body = {"code": "not_found", "message": _("Not found."), "fields": {}}
        return JsonResponse({"error": body}, status=404)
    return defaults.page_not_found(request, exception)  # type: ignore[arg-type]


def server_error(request: Any) -> Any:
    """The site's 500 (``handler500``): under ``/api/``, in the error format; elsewhere Django's page."""
    from django.http import JsonResponse
    from django.views import defaults

    if request.path.startswith("/api/"):
        body = {"code": "server_error", "message": _("Something went wrong on our side."), "fields": {}}
        return JsonResponse({"error": body}, status=500)
    return defaults.server_error(request)
