"""Small helpers for the grade sheet: the value typed (or stored) for a row, and its error."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def value_for(values: dict[int, str], pk: int, grade: Any) -> str:
    """What the row's input shows: what was typed (after a refusal), else the draft grade, else nothing."""
    if pk in values:
        return values[pk]
    return str(getattr(grade, "display", "") or "")


@register.simple_tag
def error_for(errors: dict[int, str], pk: int) -> str:
    return errors.get(pk, "")
