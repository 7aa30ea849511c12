"""Template helpers of the students list and the at-risk list that build a row's markup in Python.

Both lists are worked out afresh after every write to what they read (``core.pagecache``). As a template a
row was some sixty nodes (two ``{% url %}``, three ``{% blocktranslate %}``, a chain of five
``{% if %}`` for the plan's status, a dozen variables), about a third of the Python of a page of 25 rows
(issue #19). ``student_row`` writes the same markup, with the same messages (``gettext`` of the same
message ids, values escaped as ``{% blocktranslate %}`` escapes them), for a few string operations; the
template keeps the table, its header and the loop, and passes in the practice cell (``practice`` sits above
``students``: its tag renders the cell).
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.dateformat import format as date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext, pgettext

from core.templatetags.tandem_hooks import risk_labels
from students.models import PlanStatus, StudentStatus

register = template.Library()

_MARK = 987_654_321
"""A key no database reaches, reversed in its place once and replaced by each row's key."""


@functools.lru_cache(maxsize=32)
def _url_parts(name: str, urlconf: str | None, prefix: str) -> tuple[str, str]:
    """The address of ``name`` around its one key (before, after), reversed once per URL configuration and
    script prefix (the keys): a page of 25 rows called ``reverse`` 50 times."""
    before, after = reverse(name, args=[_MARK], urlconf=urlconf).split(str(_MARK))
    return before, after


def _url(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])``, reversed once (``_url_parts``)."""
    before, after = _url_parts(name, get_urlconf(), get_script_prefix())
    return f"{before}{int(pk)}{after}"


class _Labels(NamedTuple):
    """The column labels (each cell's ``data-label``, the stacked layout on phones) and the plan's badges, in
    one language."""

    name: str
    programme: str
    tutor: str
    placed: str
    plan: str
    hours: str
    why: str
    late: str
    risk: str
    none_yet: str
    plans: dict[str, tuple[str, str]]
    no_plan: tuple[str, str]


@functools.lru_cache(maxsize=8)
def _labels(language: str | None) -> _Labels:
    """The labels in ``language`` (the key: the active language when asked), translated once. Escaped as
    ``{% translate %}`` writes a literal's translation (``render_value_in_context``): a translation with
    ``&`` or a quote stays text, inside an attribute too."""
    plans = {
        PlanStatus.DRAFT: ("text-bg-secondary", _text(gettext("Draft"))),
        PlanStatus.SUBMITTED: ("text-bg-info", _text(gettext("Submitted"))),
        PlanStatus.TUTOR_APPROVED: ("text-bg-primary", _text(gettext("Approved by the tutor"))),
        PlanStatus.APPROVED: ("text-bg-success", _text(gettext("Approved"))),
        PlanStatus.RETURNED: ("text-bg-warning", _text(gettext("Returned"))),
    }
    return _Labels(
        name=_text(pgettext("person", "Name")),
        programme=_text(gettext("Programme")),
        tutor=_text(gettext("Tutor")),
        placed=_text(gettext("Placed at today")),
        plan=_text(gettext("Plan")),
        hours=_text(gettext("Practice hours")),
        why=_text(gettext("Why at risk")),
        late=_text(gettext("Late milestones")),
        risk=_text(gettext("At risk")),
        none_yet=_text(gettext("None yet")),
        plans={str(status): badge for status, badge in plans.items()},
        no_plan=("text-bg-light border", _text(gettext("No plan"))),
    )


def _text(value: Any) -> str:
    """A value as ``{{ value }}`` writes it: escaped (numbers and text here; no thousands separator is set)."""
    return str(conditional_escape(value))


@register.simple_tag
def student_row(student: Any, practice_cell: str, show_reasons: bool = False, plan_days: Any = None) -> SafeString:
    """``{% student_row student cell show_reasons plan_days %}``: one ``<tr>`` of the students list (or of the
    at-risk list, ``show_reasons``) for a row of ``students.selectors.student_list`` (or
    ``students_by_keys``), ``practice_cell`` the progress cell already rendered (``{% progress_cell %}``)."""
    labels = _labels(get_language())
    number = _text(student.student_number)
    name = _text(student.user.display_name)
    if student.status != StudentStatus.ENROLLED:
        name += f' <span class="badge text-bg-light border">{_text(student.get_status_display())}</span>'
    intake = gettext("intake %(year)s") % {"year": _text(student.cohort.intake_year)}
    tutor = _text(student.tutor.display_name) if student.tutor else f'<span class="text-muted">{labels.none_yet}</span>'
    if student.current_partner_id:
        placed = (
            f'<a href="{_url("partners:detail", student.current_partner_id)}">{_text(student.current_partner_name)}</a>'
        )
    else:
        placed = '<span class="text-muted">—</span>'
    badge, plan = labels.plans.get(student.plan_status, labels.no_plan)
    parts = [
        f'<tr data-student="{number}">\n'
        f'      <td><a href="{_url("students:plan", student.pk)}">{number}</a></td>\n'
        f'      <td data-label="{labels.name}" class="col-name">{name}</td>\n'
        f'      <td data-label="{labels.programme}" class="col-low">{_text(student.programme.name)} '
        f'<span class="text-muted small text-nowrap">{intake}</span></td>\n'
        f'      <td data-label="{labels.tutor}" class="col-low">{tutor}</td>\n'
        f'      <td data-label="{labels.placed}">{placed}</td>\n'
        f'      <td data-label="{labels.plan}"><span class="badge {badge}">{plan}</span></td>\n'
        f'      <td data-label="{labels.hours}">{conditional_escape(practice_cell)}</td>\n      '
    ]
    if show_reasons:
        parts.append(_reasons(student, labels, plan_days))
    else:
        late = student.late_milestones
        count = f'<span class="badge text-bg-danger">{_text(late)}</span>' if late else "0"
        risk = f'<span class="badge text-bg-danger">{labels.risk}</span>' if student.at_risk else ""
        parts.append(
            f'\n      <td data-label="{labels.late}" class="text-end">{count}</td>\n'
            f'      <td data-label="{labels.risk}">{risk}</td>\n      '
        )
    parts.append("\n    </tr>")
    return mark_safe("".join(parts))  # noqa: S308 (every value above escaped; the messages as the template wrote them)


def _reasons(student: Any, labels: _Labels, plan_days: Any) -> str:
    """The at-risk list's "why at risk" cell (with the whitespace the template had around it)."""
    late = ""
    if student.risk_late:
        count = student.late_milestones
        message = ngettext(
            "%(count)s late milestone, due %(due)s", "%(count)s late milestones, the first due %(due)s", count
        )
        due = date_format(student.first_late_due, "Y-m-d") if student.first_late_due else ""
        late = f"<li>{message % {'count': _text(count), 'due': _text(due)}}</li>"
    no_plan = ""
    if student.risk_no_plan:
        message = gettext("No approved plan %(days)s days after enrolment (%(enrolled)s)")
        enrolled = date_format(student.enrolled_on, "Y-m-d") if student.enrolled_on else ""
        no_plan = f"<li>{message % {'days': _text(plan_days), 'enrolled': _text(enrolled)}}</li>"
    others = "".join(format_html("<li>{}</li>", label) for label in risk_labels(student))
    return (
        f'\n      <td data-label="{labels.why}"><ul class="list-unstyled mb-0 small">\n'
        f"        {late}\n        {no_plan}\n        {others}\n      </ul></td>\n      "
    )
