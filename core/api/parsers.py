"""The API's JSON parser: DRF's, with a limit on depth.

Python's JSON parser recurses, so ``[[[[...`` a hundred thousand deep raised ``RecursionError``, a 500;
anything deeper than ``MAX_JSON_DEPTH`` is now a 400 in the API's error shape, before a serializer or the
error handler (which recurse too) see it. The body's size is capped before any parser runs: DRF reads JSON
and form bodies through ``request.body``, which applies ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (a 413, see
``core.api.errors``); multipart bodies go through Django's parser, which applies it to the fields and
``core.uploads.LimitedUploadHandler`` to the files.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

#: Nesting deeper than this is refused; Tandem's bodies are three or four levels deep.
MAX_JSON_DEPTH = 32


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
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep_error() from None
        if _too_deep(data, MAX_JSON_DEPTH):
            raise _too_deep_error()
        return data
