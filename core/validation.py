"""Reading a service's refusal: Django's ``ValidationError`` carries the broken rule as its ``code``."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def first_error(error: ValidationError) -> tuple[str, str | None, str]:
    """The field (Django's name, ``NON_FIELD_ERRORS`` for the whole object), the code (the rule, or
    ``None`` when the error names none) and the message of an error's first refusal."""
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        first = errors[0]
        return field, first.code, first.messages[0]
    first = error.error_list[0]
    return NON_FIELD_ERRORS, first.code, first.messages[0]
