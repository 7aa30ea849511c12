"""Template helpers for practice hours, so that other apps' pages show progress with a one-line include.

The plan page, the student lists and the start page belong to other apps; these tags let their templates
ask the practice selectors for what they show (a fixed number of queries each) without their views
knowing about practice hours.
"""

from __future__ import annotations

import functools
from collections.abc import Container, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

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


def _blocktranslated(message: str, **values: Any) -> SafeString:
    """``{% blocktranslate %}`` in Python: the translated message, its values escaped (as the tag does)."""
    return mark_safe(message % {name: conditional_escape(value) for name, value in values.items()})  # noqa: S308


def _joined(parts: Sequence[str]) -> SafeString:
    """Parts that are each escaped or built by ``format_html``, as one safe string."""
    return mark_safe("".join(parts))  # noqa: S308


_MARK = 987_654_321
"""An entry id no database reaches, reversed in its place once and replaced by each entry's id."""


@functools.lru_cache(maxsize=32)
def _entry_url_parts(name: str, urlconf: str | None, prefix: str) -> tuple[str, str]:
    """The address of an entry's ``name`` view around its id (before, after), reversed once per URL
    configuration and script prefix (the keys): ``reverse`` cost a queue of a hundred entries 200 calls."""
    before, after = reverse(name, args=[_MARK], urlconf=urlconf).split(str(_MARK))
    return before, after


def _entry_url(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])`` for the queue's entry views, reversed once (``_entry_url_parts``)."""
    before, after = _entry_url_parts(name, get_urlconf(), get_script_prefix())
    return f"{before}{int(pk)}{after}"


@register.simple_tag
def queue_entry(entry: Any, student_pk: int, selected: Container[int]) -> SafeString:
    """``{% queue_entry entry student.pk selected %}``: one pending entry of the sign-off queue, its checkbox,
    facts and buttons, as the queue page shows it. Built in Python: the queue shows up to a hundred entries
    a page and, as a template, each cost some 150 template nodes (two ``{% url %}``, four translations, a
    dozen filters); this is the same markup and the same messages for a few string operations (issue #19)."""
    pk = entry.pk
    day = entry.date.isoformat()
    amount = hours(entry.hours)
    details = []
    if entry.start_time:
        end = f"{entry.end_time:%H:%M}" if entry.end_time else ""
        details.append(f"{entry.start_time:%H:%M}\u2013{end} · ")
    details.append(conditional_escape(entry.placement.partner.name))
    if entry.cases is not None:
        cases = ngettext("%(count)s case", "%(count)s cases", entry.cases)
        details.append(" · " + _blocktranslated(cases, count=entry.cases))
    parts = [
        format_html(
            '<li class="list-group-item queue-entry" data-entry="{pk}">\n'
            '<div class="d-flex gap-2 align-items-start">\n'
            '<input class="form-check-input flex-shrink-0" type="checkbox" name="ids" value="{pk}" '
            'id="entry-{pk}"{checked}>\n'
            '<label class="form-check-label flex-grow-1" for="entry-{pk}">\n'
            '<span class="fw-semibold">{day} · {amount} h · {category}</span>\n'
            '<span class="d-block small text-muted">{details}</span>\n',
            pk=pk,
            checked=_joined([" checked"]) if pk in selected else "",
            day=day,
            amount=amount,
            category=entry.category.name,
            details=_joined(details),
        )
    ]
    if entry.description:
        parts.append(format_html('<span class="d-block small pre-line">{}</span>\n', entry.description))
    if entry.corrects_id:
        corrects = entry.corrects
        said = _blocktranslated(
            gettext("Corrects the entry of %(day)s (%(hours)s h)"),
            day=corrects.date.isoformat(),
            hours=hours(corrects.hours),
        )
        parts.append(
            format_html(
                '<span class="d-block small text-warning-emphasis">{}: {}</span>\n',
                said,
                entry.correction_reason,
            )
        )
    approve_label = _blocktranslated(gettext("Approve %(hours)s h on %(day)s"), hours=amount, day=day)
    parts.append(
        format_html(
            "</label>\n</div>\n"
            '<input type="hidden" name="all-{student}" value="{pk}">\n'
            '<div class="d-flex gap-2 mt-2 justify-content-end">\n'
            '<button type="submit" class="btn btn-sm btn-outline-success" formaction="{approve_url}" '
            'aria-label="{approve_label}">{approve}</button>\n'
            '<a class="btn btn-sm btn-outline-danger" href="{reject_url}">{reject}</a>\n'
            "</div>\n</li>\n",
            student=student_pk,
            pk=pk,
            approve_url=_entry_url("practice:approve", pk),
            approve_label=approve_label,
            approve=gettext("Approve"),
            reject_url=_entry_url("practice:reject", pk),
            reject=gettext("Reject…"),
        )
    )
    return _joined(parts)


@register.simple_tag
def progress_cell(summary: selectors.ProgressSummary | None) -> SafeString:
    """``{% progress_cell summary %}``: a student's overall practice hours in a list row (a bar, its
    percentage, "Behind"), the markup of ``practice/_progress_cell.html`` built in Python: the lists show
    it on every row (25 to 100 a page), where an include cost more than the rest of the row."""
    if not summary or not summary.required_total:
        return _joined(['<span class="text-muted">—</span>'])
    approved = hours(summary.approved_total)
    percent = summary.percent
    text = _blocktranslated(
        gettext("%(approved)s of %(required)s h approved (%(pct)s%%)"),
        approved=approved,
        required=summary.required_total,
        pct=percent,
    )
    behind = (
        format_html(' <span class="badge text-bg-warning" data-testid="behind">{}</span>', gettext("Behind"))
        if summary.behind
        else ""
    )
    return format_html(
        '<div class="d-flex flex-wrap align-items-center gap-1 practice-cell" data-testid="practice-cell">\n'
        '<div class="progress flex-grow-1" role="progressbar" aria-label="{label}" aria-valuemin="0" '
        'aria-valuemax="{required}" aria-valuenow="{approved}" aria-valuetext="{text}">'
        '<div class="progress-bar pw pct-{percent} {colour}"></div></div>\n'
        '<span class="small text-nowrap">{percent}%</span>{behind}\n</div>',
        label=gettext("Practice hours approved"),
        required=str(summary.required_total),
        approved=approved,
        text=text,
        percent=percent,
        colour="bg-warning" if summary.behind else "bg-success",
        behind=behind,
    )
