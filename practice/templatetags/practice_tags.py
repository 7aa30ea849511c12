"""Template helpers for practice hours, so that other apps' pages show progress with a one-line include.

The plan page, the student lists and the start page belong to other apps; these tags let their templates
ask the practice selectors for what they show (a fixed number of queries each) without their views
knowing about practice hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser

from accounts.roles import AnyUser
from practice import selectors
from students.models import Student

register = template.Library()


@register.filter
def hours(value: Any) -> str:
    """Hours as people write them: 3, 2.5, 1.25 (never 3.00)."""
    if value is None or value == "":
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _reader(context: template.Context) -> AnyUser:
    """The person the page is for: progress is summed over what they may see (nothing, without a request)."""
    request = context.get("request")
    return getattr(request, "user", None) or AnonymousUser()


@register.simple_tag(takes_context=True)
def practice_progress(context: template.Context, student: Student) -> selectors.StudentProgress:
    """``{% practice_progress student as progress %}``: the student's progress as the reader may see it
    (two queries)."""
    return selectors.student_progress(student=student, user=_reader(context))


@register.filter
def approved_in(progress: selectors.StudentProgress | None, category_pk: int) -> selectors.CategoryProgress | None:
    """``progress|approved_in:category.pk``: the progress row of one activity category."""
    if progress is None:
        return None
    return next((row for row in progress.categories if row.category.pk == category_pk), None)


@register.simple_tag(takes_context=True)
def practice_progress_map(context: template.Context, students: Iterable[Any]) -> dict[int, selectors.ProgressSummary]:
    """``{% practice_progress_map students as progress_map %}``: overall progress of a page of students as
    the reader may see it (two queries, whatever their number)."""
    return selectors.progress_for_students(student_ids=[student.pk for student in students], user=_reader(context))


@register.filter
def any_partial(mapping: dict[int, selectors.ProgressSummary] | None) -> bool:
    """``progress_map|any_partial``: whether some row counts only the placements the reader may see."""
    return any(summary.partial for summary in (mapping or {}).values())


@register.filter
def progress_of(mapping: dict[int, selectors.ProgressSummary] | None, student_pk: int) -> Any:
    """``progress_map|progress_of:student.pk``."""
    return (mapping or {}).get(student_pk)


@register.simple_tag(takes_context=True)
def practice_pending_count(context: dict[str, Any]) -> int:
    """``{% practice_pending_count as pending %}``: entries waiting for the current user's sign-off."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return 0
    return selectors.supervisor_pending_count(user=user)
