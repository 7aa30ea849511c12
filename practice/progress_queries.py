"""``student_progress``'s two statements, compiled once per process for each shape of the reader's rules.

Building and compiling the two querysets of a student's progress (a placement's sums, a category's sums,
the reader's rules nested in them) cost Django 6 to 9 ms of Python on every page, against 2 to 3 ms for
the database to answer them (issue #19, row 4). The SQL depends only on the **shape** of the reader's rules
for ``Placement`` "view" and "view_hours" (the office reads everything; a student, tutor, supervisor,
coordinator or inspector gets the same alternatives as any other, with their own user id, today and now),
so each shape's two statements are built once with marker values (``core.compiled``) and later readers'
values go into the same SQL text (ADR 0053).

The statements are the reference querysets' (``practice.selectors._progress_querysets``) but for one change
that fixes their shape: the categories sum the entries and plans of "the student's placements this reader
reads" as a subquery, where the reference passes the ids the first statement found as a list (whose length
varies). Both answer the same rows (tests/practice/test_progress_compiled.py compares them for every kind
of reader); every sum over the entries is still an index-only scan of ``log_progress_idx``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value

from accounts.roles import AnyUser
from core.compiled import Compiled, Kind, kind_of
from partners import access
from partners.models import Partner, Site
from programmes.models import ActivityCategory
from students.models import Placement, Student

_SUMS = ("required", "approved_hours", "pending_hours", "hours_hidden")
_CATEGORY_SUMS = ("planned_hours", "approved_hours", "pending_hours")
_RELATED: tuple[tuple[str, type[models.Model]], ...] = (
    ("partner", Partner),
    ("site", Site),
    ("supervisor", Placement._meta.get_field("supervisor").related_model),  # type: ignore[misc]
)

# (using is not part of the key: ``Compiled`` keeps one SQL text per database itself)
_COMPILED: dict[tuple[Any, Any], tuple[Compiled, Compiled]] = {}

BuildQuerysets = Callable[..., tuple[QuerySet[Any], QuerySet[Any]]]


@cache
def _attnames(model: type[models.Model]) -> list[str]:
    """A model's columns, in ``from_db``'s order (read once: the models do not change in a process)."""
    return [field.attname for field in model._meta.concrete_fields]


def _placement_columns() -> list[str]:
    """A placement's own fields and those of the rows the page shows beside it (as ``select_related``)."""
    columns = _attnames(Placement)
    for name, model in _RELATED:
        columns += [f"{name}__{attname}" for attname in _attnames(model)]
    return columns


def rule_q(template: access.RuleTemplate, names: Sequence[str], values: dict[str, Any]) -> Q | None:
    """The rule's ``q`` with ``values`` (markers, when compiling) in its user's values' places; None for
    "everything"."""
    if template.q is None:
        return None
    return access.with_values(template.q, [values[name] for name in names])


def _compiled(
    view: access.RuleTemplate, hours: access.RuleTemplate, build: BuildQuerysets
) -> tuple[Compiled, Compiled]:
    """The two statements for this shape of rules, compiled on first use (per database)."""
    key = (view.key, hours.key)
    found = _COMPILED.get(key)
    if found is not None:
        return found
    view_names = [f"view{index}" for index in range(len(view.values))]
    hours_names = [f"hours{index}" for index in range(len(hours.values))]
    kinds: dict[str, Kind] = {"student": int, "programme": int}
    kinds.update({name: kind_of(value) for name, value in zip(view_names, view.values, strict=True)})
    kinds.update({name: kind_of(value) for name, value in zip(hours_names, hours.values, strict=True)})

    def querysets(values: dict[str, Any]) -> tuple[QuerySet[Any], QuerySet[Any]]:
        view_q = rule_q(view, view_names, values)
        hours_q = rule_q(hours, hours_names, values)
        return build(student=values["student"], programme=values["programme"], view=view_q, hours=hours_q)

    def placements(**values: Any) -> QuerySet[Any]:
        return querysets({"programme": 0, **values})[0].values(*_placement_columns(), *_SUMS)

    def categories(**values: Any) -> QuerySet[Any]:
        return querysets(values)[1].values(*_attnames(ActivityCategory), *_CATEGORY_SUMS)

    # The placements' statement has no programme in it (``Compiled`` refuses a value its SQL ignores).
    placement_kinds = {name: kind for name, kind in kinds.items() if name != "programme"}
    compiled = _COMPILED[key] = (Compiled(placements, **placement_kinds), Compiled(categories, **kinds))
    return compiled


def hidden_flag(hours_q: Q | None, student: Any) -> ExpressionWrapper | Value:
    """On the student's placements: whether the reader may see the placement but not its hours (``view_hours``
    refuses it). False for every placement when the reader reads every placement's hours (the office)."""
    if hours_q is None:
        return Value(False, output_field=BooleanField())
    readable = Placement.objects.filter(student_id__in=[student]).filter(hours_q).values("pk")
    return ExpressionWrapper(~Q(pk__in=readable), output_field=BooleanField())


def read(
    *, student: Student, user: AnyUser, build: BuildQuerysets, using: str
) -> tuple[list[Placement], list[ActivityCategory]] | None:
    """The student's placements the user sees (with ``required``, ``approved_hours``, ``pending_hours`` and
    ``hours_hidden``; partner, site and supervisor loaded) and the programme's categories (with
    ``planned_hours``, ``approved_hours``, ``pending_hours``), as the reference querysets answer them; or
    None when a rule has no template (the caller runs the querysets then)."""
    view = access.rule_template(user, "view", Placement)
    hours = access.rule_template(user, "view_hours", Placement)
    if view is None or hours is None:
        return None
    placements_sql, categories_sql = _compiled(view, hours, build)
    values: dict[str, Any] = {"student": student.pk, "programme": student.programme_id}
    values.update({f"view{index}": value for index, value in enumerate(view.values)})
    values.update({f"hours{index}": value for index, value in enumerate(hours.values)})
    placement_values = {name: value for name, value in values.items() if name != "programme"}
    return (
        [_placement(row, using) for row in placements_sql.dicts(using, **placement_values)],
        [_category(row, using) for row in categories_sql.dicts(using, **values)],
    )


def _placement(row: dict[str, Any], using: str) -> Placement:
    """A placement as the reference queryset's ``select_related`` and ``annotate`` make it."""
    placement = Placement.from_db(using, _attnames(Placement), [row[name] for name in _attnames(Placement)])
    for name, model in _RELATED:
        names = _attnames(model)
        related = model.from_db(using, names, [row[f"{name}__{attname}"] for attname in names])
        Placement._meta.get_field(name).set_cached_value(placement, related)  # type: ignore[union-attr]
    for name in _SUMS:
        setattr(placement, name, row[name])
    return placement


def _category(row: dict[str, Any], using: str) -> ActivityCategory:
    names = _attnames(ActivityCategory)
    category = ActivityCategory.from_db(using, names, [row[name] for name in names])
    for name in _CATEGORY_SUMS:
        setattr(category, name, row[name])
    return category
