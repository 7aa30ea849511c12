"""The OpenAPI schema says what the API really answers, for every operation of every app.

``document_errors`` is a drf-spectacular post-processing hook (``SPECTACULAR_SETTINGS``): after each app's
views have described their own answers, it adds the error answers that every operation can give, in the one
error format (``core.api.errors``), unless the view already documents that status itself:

- 400 when the operation takes a body or query parameters (invalid fields, a malformed body);
- 401 always (no credentials where a login is needed; a token unknown, expired or revoked anywhere);
- 403 when it needs a login or writes (a permission refused; the CSRF check of a session);
- 404 always (a row out of the user's scope or missing, a page past the end, a path that matches no route);
- 405 never documented: schemathesis does not probe undocumented methods as failures;
- 409 on writes (a request well formed but refused by a rule of the current data: a service's ``refuse``);
- 413 and 415 when it takes a body (too large; a content type it does not parse);
- 429 always (a throttle).

Error answers are JSON whatever the success answer is (a PDF, a spreadsheet), so each is documented as
``application/json`` only. An app's view documents its own success answers and any error body of its own
(``error_responses`` builds the usual dictionary for ``extend_schema``).
"""

from __future__ import annotations

from typing import Any

from core.api.errors import ERROR_RESPONSE

ERROR_COMPONENT = "Error"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}

DESCRIPTIONS = {
    "400": "The request is malformed or has invalid fields (`fields` names each).",
    "401": "No credentials, or a token that is unknown, expired or revoked.",
    "403": "Logged in, but this action is not allowed (or the CSRF check failed for a session).",
    "404": "Not found, or outside what this user may see (the two are not told apart).",
    "409": "Well formed, but refused by a rule of the current data (`code` names the rule).",
    "413": "The request body is too large.",
    "415": "The request's content type is not one this operation reads.",
    "429": "Too many requests: try again later (see `Retry-After`).",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def error_responses(*statuses: int) -> dict[int, Any]:
    """``{status: ERROR_RESPONSE}`` for ``extend_schema(responses=...)``; the hook adds the usual ones anyway."""
    return dict.fromkeys(statuses, ERROR_RESPONSE)


def _error_component() -> dict[str, Any]:
    body = {
        "type": "object",
        "properties": {
            "code": {"type": "string", "description": "What went wrong, for programs (`not_found`, a rule's code)."},
            "message": {"type": "string", "description": "What went wrong, for people (in their language)."},
            "fields": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "description": "Each invalid field and its messages; `non_field_errors` for the whole request.",
            },
        },
        "required": ["code", "message", "fields"],
    }
    return {"type": "object", "properties": {"error": body}, "required": ["error"]}


def _statuses(method: str, operation: dict[str, Any]) -> list[str]:
    has_body = "requestBody" in operation
    security = operation.get("security", [{}])
    needs_login = bool(security) and all(requirement for requirement in security)
    # A token that is unknown or expired is refused wherever it is sent, even where no login is needed.
    statuses = ["401", "404", "429"]
    if has_body or operation.get("parameters"):
        statuses.append("400")
    if needs_login or method in WRITE_METHODS:
        statuses.append("403")
    if method in WRITE_METHODS:
        statuses.append("409")
    if has_body:
        statuses += ["413", "415"]
    return sorted(statuses)


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Add the error answers of every operation (see the module's docstring); returns the schema."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR_COMPONENT, _error_component())
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "put", "post", "patch", "delete", "head", "options", "trace"}:
                continue
            responses = operation.setdefault("responses", {})
            for status in _statuses(method, operation):
                if status not in responses:
                    responses[status] = {
                        "description": DESCRIPTIONS[status],
                        "content": {"application/json": {"schema": ERROR_REF}},
                    }
                else:
                    # An error is JSON even where the success is a file: one content type, the error format's.
                    content = responses[status].get("content") or {}
                    if (content and "application/json" not in content) or not content:
                        responses[status]["content"] = {"application/json": {"schema": ERROR_REF}}
    return result
