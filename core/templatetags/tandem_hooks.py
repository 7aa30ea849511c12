"""Template helpers for the extension points of ``core.hooks`` (lists and pages that show what other apps
plug in)."""

from __future__ import annotations

from typing import Any

from django import template

from core import hooks

register = template.Library()


@register.filter
def risk_labels(student: Any) -> list[Any]:
    """The labels of the at-risk reasons other apps add (``hooks.AT_RISK_REASONS``) that hold for a student
    of the students list (each reason is annotated on the row as ``risk_<key>``)."""
    return [reason.label for reason in hooks.AT_RISK_REASONS if getattr(student, f"risk_{reason.key}", False)]
