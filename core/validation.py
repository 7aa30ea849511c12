"""A service's refusal under a named rule, and how to read one.

A service refuses with ``refuse(field, rule, message)``: a Django ``ValidationError`` whose error is a
``Refusal``, its ``code`` the rule (``daily_maximum``, ``conflict_of_interest``, ...). The API answers
that rule as its error ``code`` (``core.api.errors``); any other ``ValidationError`` (a model's
``full_clean``, a form's field) is a request with invalid fields, ``invalid``.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class Refusal(ValidationError):
    """One refusal under a named rule: ``code`` is the rule, the message says it in words."""


def refuse(field: str, rule: str, message: str) -> ValidationError:
    """A refusal that names its rule, about ``field`` (``NON_FIELD_ERRORS`` for the whole object)."""
    return ValidationError({field: [Refusal(message, code=rule)]})


def _first(error: ValidationError) -> tuple[str, ValidationError]:
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        return field, errors[0]
    return NON_FIELD_ERRORS, error.error_list[0]


def first_error(error: ValidationError) -> tuple[str, str | None, str]:
    """The field (Django's name, ``NON_FIELD_ERRORS`` for the whole object), the code (``None`` when
    the error names none) and the message of an error's first refusal."""
    field, first = _first(error)
    return field, first.code, first.messages[0]


def refused_rule(error: ValidationError) -> tuple[str, str] | None:
    """The rule and the message of an error that is a service's ``Refusal``; ``None`` for any other."""
    _field, first = _first(error)
    if isinstance(first, Refusal) and first.code:
        return first.code, first.messages[0]
    return None
