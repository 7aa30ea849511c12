"""``progress_for_students``'s two statements, compiled once per process for each shape of the reader's rules.

The progress column of the sign-off queue, the office's student list and the at-risk list sums a page of
students' approved hours and requirements in two statements (``practice.selectors.progress_for_students``).
Building and compiling them (the reader's rules for entries and placements nested three times over) was two
thirds of the selector's time, the database a third (issue #19 row 1, docs/bench.md "The plan page and the
sign-off queue worked out afresh, session 9"). As for ``student_progress`` (ADR 0053, ``progress_queries``),
the SQL depends only on the **shape** of the reader's rules (``PracticeLog`` "view", ``Placement`` "view"
and "view_hours") and, here, on the page's student ids, whose number varies from page to page: they are one
value of kind ``core.compiled.Ids``, one parameter whatever their number (ADR 0059), so one SQL text per
shape of rules serves every page.

The statements are the reference querysets' (``practice.selectors._progress_list_rows_reference``) with
the ids as ``AmongIds`` where the reference writes ``pk__in=[...]``; the tests compare both for every kind
of reader (tests/practice/test_progress_list_compiled.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet

from accounts.roles import AnyUser
from core.compiled import Compiled, Ids, Kind, kind_of
from partners import access
from practice.models import PracticeLog
from practice.progress_queries import rule_q
from students.models import Placement

Rows = list[dict[str, Any]]
BuildQuerysets = Callable[..., tuple[QuerySet[Any], QuerySet[Any]]]
"""``build(ids=..., logs=..., view=..., hours=...)``: the totals' and the placements' ``values()``
querysets, for rules given as ``Q`` (None: everything)."""

# The rules the statements nest, by the name of their values: entries the reader sees (the approved sums),
# placements they see, placements whose hours they read.
_RULES: tuple[tuple[str, str, type[Any]], ...] = (
    ("logs", "view", PracticeLog),
    ("view", "view", Placement),
    ("hours", "view_hours", Placement),
)

#: The rules the totals statement reads (the entries the reader sees); the placements' statement reads all three.
_TOTALS_RULES = ("logs",)

# By the rules' shapes (``using`` is not part of the key: ``Compiled`` keeps one SQL text per database). Few
# keys: one per combination of roles a reader holds, whatever the number of readers or of ids.
_COMPILED: dict[tuple[Any, ...], tuple[Compiled, Compiled]] = {}


def scoped(qs: QuerySet[Any], q: Any, *, correlated: bool) -> QuerySet[Any]:
    """``access.scope(qs, user, ..., correlated=...)`` with a rule template's ``q`` (None: everything) in place
    of the user's rule: the same conditions, the same SQL (an OR inside a correlated subquery; a UNION of the
    alternatives, ``pk = ANY(ARRAY(...))`` on PostgreSQL, otherwise)."""
    if q is None:
        return qs
    if correlated or len(access.branches(q)) == 1:
        return qs.filter(q)
    return qs.filter(access.PkAmong(access.rows_matching(qs.model, q), rule=q))


def _names(name: str, template: access.RuleTemplate) -> list[str]:
    return [f"{name}{index}" for index in range(len(template.values))]


def _compiled(templates: Sequence[access.RuleTemplate], build: BuildQuerysets) -> tuple[Compiled, Compiled]:
    """The two statements for this shape of rules, compiled on first use (per database)."""
    key = tuple(template.key for template in templates)
    found = _COMPILED.get(key)
    if found is not None:
        return found
    names = {name: _names(name, template) for (name, _action, _model), template in zip(_RULES, templates, strict=True)}
    kinds: dict[str, Kind] = {"ids": Ids}
    for (name, _action, _model), template in zip(_RULES, templates, strict=True):
        kinds.update({slot: kind_of(value) for slot, value in zip(names[name], template.values, strict=True)})

    def querysets(values: dict[str, Any], used: Sequence[str]) -> tuple[QuerySet[Any], QuerySet[Any]]:
        # A rule the statement does not read is given as None (everything): ``Compiled`` refuses a value its
        # SQL ignores, so the statement is compiled with the values it reads only.
        rules = {
            name: rule_q(template, names[name], values) if name in used else None
            for (name, _action, _model), template in zip(_RULES, templates, strict=True)
        }
        return build(ids=values["ids"], **rules)

    def totals(**values: Any) -> QuerySet[Any]:
        return querysets(values, _TOTALS_RULES)[0]

    def placements(**values: Any) -> QuerySet[Any]:
        return querysets(values, [name for name, _action, _model in _RULES])[1]

    totals_kinds = {slot: kind for slot, kind in kinds.items() if _reads(slot, _TOTALS_RULES)}
    compiled = _COMPILED[key] = (Compiled(totals, **totals_kinds), Compiled(placements, **kinds))
    return compiled


def _reads(slot: str, rules: Sequence[str]) -> bool:
    """Whether a value (``ids``, ``logs0``, ``view2``...) is one a statement reading ``rules`` takes."""
    return slot == "ids" or slot.rstrip("0123456789") in rules


def read(*, ids: list[int], user: AnyUser, build: BuildQuerysets, using: str) -> tuple[Rows, Rows] | None:
    """The rows of the two statements (as ``values()`` gives them) for these students and this reader; or None
    when a rule has no template (it holds a queryset or an expression, or allows nothing): the caller builds
    the querysets then."""
    templates = [access.rule_template(user, action, model) for _name, action, model in _RULES]
    if any(template is None for template in templates):
        return None
    known = [template for template in templates if template is not None]
    totals_sql, placements_sql = _compiled(known, build)
    values: dict[str, Any] = {"ids": ids}
    for (name, _action, _model), template in zip(_RULES, known, strict=True):
        values.update(zip(_names(name, template), template.values, strict=True))
    totals_values = {slot: value for slot, value in values.items() if _reads(slot, _TOTALS_RULES)}
    return totals_sql.dicts(using, **totals_values), placements_sql.dicts(using, **values)
