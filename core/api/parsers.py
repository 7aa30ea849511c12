"""The API's request parsers: DRF's, with limits on what a body may cost to read.

DRF reads JSON and form bodies from the request stream itself, so Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``
never sees them: these parsers apply it (a larger body is a 413). JSON is also limited in depth: Python's
parser recurses, and ``[[[[...`` a hundred thousand deep would raise ``RecursionError`` (a 500); anything
deeper than ``MAX_JSON_DEPTH`` is a 400 instead. Multipart bodies go through Django's own parser, which
applies the limit to fields and ``core.uploads.LimitedUploadHandler`` to files.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

#: Nesting deeper than this is refused; Tandem's bodies are three or four levels deep.
MAX_JSON_DEPTH = 32


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(_("The request body is too large: at most %(limit)s.") % {"limit": filesizeformat(limit)})


def _check_length(parser_context: dict[str, Any] | None) -> None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    request = (parser_context or {}).get("request")
    if limit is None or request is None:
        return
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise RequestTooLarge(limit)


def _too_deep(data: Any, limit: int) -> bool:
    """Whether ``data`` nests lists and objects more than ``limit`` levels deep (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _too_deep_error() -> exceptions.ParseError:
    return exceptions.ParseError(
        _("The JSON body is nested too deeply: at most %(depth)s levels.") % {"depth": MAX_JSON_DEPTH}
    )


class JSONParser(parsers.JSONParser):
    """JSON with a size limit and a depth limit (see the module's docstring)."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        _check_length(parser_context)
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep_error() from None
        if _too_deep(data, MAX_JSON_DEPTH):
            raise _too_deep_error()
        return data


class FormParser(parsers.FormParser):
    """URL-encoded forms with a size limit."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        _check_length(parser_context)
        return super().parse(stream, media_type, parser_context)
