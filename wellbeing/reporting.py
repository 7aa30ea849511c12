"""Error reports that cannot carry a wellbeing record.

Django's error pages and e-mailed reports show a request's POST data and each frame's local variables,
which on a wellbeing page are a note being written or a case just decrypted. For every request to the
wellbeing pages or API, this filter (``settings.DEFAULT_EXCEPTION_REPORTER_FILTER``) hides all POST
parameters and every frame's variables; elsewhere it is Django's own ``SafeExceptionReporterFilter``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter


def is_confidential(request: HttpRequest | None) -> bool:
    """Whether the request is to a wellbeing page or the wellbeing API (under any language prefix)."""
    path = getattr(request, "path", "") or ""
    return "/wellbeing/" in path


class ConfidentialExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, plus: nothing of a wellbeing request's body or frames is shown."""

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        if is_confidential(request) and request is not None:
            return {key: self.cleansed_substitute for key in request.POST}
        return super().get_post_parameters(request)

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        if is_confidential(request):
            return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
        return super().get_traceback_frame_variables(request, tb_frame)

    def get_safe_request_meta(self, request: HttpRequest) -> dict[str, Any]:
        meta = super().get_safe_request_meta(request)
        if is_confidential(request):
            meta.pop("QUERY_STRING", None)
        return meta
