"""The inspection list's rows statement, compiled once per process for each shape of the reader's rules.

A page of the inspection list fetches its 25 rows by key with nine counts each (items, results, findings by
severity, open, overdue and answered actions: ``selectors._with_counts``), their partner, site, placement,
student, user and checklist. The database answers in a millisecond or two; building and compiling that
queryset (nine nested subqueries, the reader's rules) cost Django tens of milliseconds of Python on every
page worked out afresh (issue #19, row 1). The SQL depends only on the **shape** of the reader's rules for
``Inspection`` "view" (the office reads everything; coordinators, or a supervisor at a partner, get the
same alternatives as any other, with their own user id, today and now) and on how many keys the page holds,
so each such statement is built once with marker values (``core.compiled``) and later readers' values go
into the same SQL text (ADR 0060, after ADR 0053's ``student_progress``).

The statement is the reference queryset's (``selectors._inspection_rows_reference``) as a ``values()`` query,
with the rule applied as its ``Q`` (the OR of its alternatives, as ``scope(correlated=True)`` applies it)
where ``scope`` would test the key against a UNION: the keys already pick at most 25 rows by the primary
key, and testing the alternatives on those is the cheapest way (both answer the same rows; the tests compare
them for every kind of reader). A reader whose rule has no template (an assigned inspector's holds a
queryset) gets the reference queryset.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from django.db import models
from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from accounts.roles import AnyUser
from core.compiled import Compiled, Kind
from partners import access
from supervision.models import Inspection, InspectionAssignment

#: The related rows the list shows beside each inspection, as ``select_related`` paths (a parent before its
#: children): the page reads the partner, site, placement's student's user and checklist of each row.
RELATED = (
    "target_partner",
    "target_site",
    "target_placement",
    "target_placement__student",
    "target_placement__student__user",
    "template",
)
COUNTS = (
    "item_count",
    "rated_count",
    "observation_count",
    "minor_count",
    "major_count",
    "critical_count",
    "open_action_count",
    "overdue_action_count",
    "answered_action_count",
)

WithCounts = Callable[[QuerySet[Inspection], datetime.date], QuerySet[Inspection]]

# (rule shape, number of keys) -> the statement; ``Compiled`` keeps one SQL text per database itself.
_COMPILED: dict[tuple[Any, int], Compiled] = {}


@cache
def _attnames(model: type[models.Model]) -> tuple[str, ...]:
    """A model's columns, in ``from_db``'s order (read once: the models do not change in a process)."""
    return tuple(field.attname for field in model._meta.concrete_fields)


@cache
def _related() -> tuple[tuple[str, str, Any, type[models.Model]], ...]:
    """Each related path: its parent path ("" for the inspection), its field name on the parent, the field,
    and the related model."""
    found = []
    for path in RELATED:
        parent, _sep, name = path.rpartition("__")
        parent_model = Inspection if not parent else _model(parent)
        field = parent_model._meta.get_field(name)
        found.append((parent, name, field, field.related_model))
    return tuple(found)


def _model(path: str) -> type[models.Model]:
    model: type[models.Model] = Inspection
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model  # type: ignore[assignment]
    return model


@cache
def columns() -> tuple[str, ...]:
    """The ``values()`` names of the statement: the inspection's columns, each related row's, the counts."""
    names = list(_attnames(Inspection))
    for path in RELATED:
        names += [f"{path}__{attname}" for attname in _attnames(_model(path))]
    return (*names, *COUNTS)


def _kind(value: Any) -> Kind:
    kind = type(value)
    if kind not in (int, datetime.date, datetime.datetime):
        raise TypeError(f"no marker for a rule value of type {kind!r}")
    return kind  # type: ignore[return-value]


def _compiled(rule: access.RuleTemplate, keys: int, with_counts: WithCounts) -> Compiled:
    """The statement for this shape of rule and number of keys, compiled on first use (per database)."""
    key = (rule.key, keys)
    found = _COMPILED.get(key)
    if found is not None:
        return found
    rule_names = [f"rule{index}" for index in range(len(rule.values))]
    key_names = [f"key{index}" for index in range(keys)]
    kinds: dict[str, Kind] = {"today": datetime.date}
    kinds.update({name: int for name in key_names})
    kinds.update({name: _kind(value) for name, value in zip(rule_names, rule.values, strict=True)})

    def build(**values: Any) -> QuerySet[Any]:
        rows = Inspection.objects.filter(pk__in=[values[name] for name in key_names])
        if rule.q is not None:
            rows = rows.filter(access.with_values(rule.q, [values[name] for name in rule_names]))
        return with_counts(rows, values["today"]).order_by().values(*columns())

    compiled = _COMPILED[key] = Compiled(build, **kinds)
    return compiled


def _inspection(row: dict[str, Any], using: str) -> Inspection:
    """An inspection as the reference queryset's ``select_related`` and ``annotate`` make it: a related row
    whose key is null (no site, no placement) is cached as None, and its own related rows are not set."""
    made: dict[str, models.Model | None] = {
        "": Inspection.from_db(using, list(_attnames(Inspection)), [row[name] for name in _attnames(Inspection)])
    }
    for path, (parent, _name, field, model) in zip(RELATED, _related(), strict=True):
        owner = made[parent]
        if owner is None:
            made[path] = None
            continue
        names = _attnames(model)
        values = [row[f"{path}__{attname}"] for attname in names]
        related = None
        if values[names.index(model._meta.pk.attname)] is not None:  # type: ignore[union-attr]
            related = model.from_db(using, list(names), values)
        field.set_cached_value(owner, related)
        made[path] = related
    inspection = made[""]
    assert isinstance(inspection, Inspection)
    for name in COUNTS:
        setattr(inspection, name, row[name])
    return inspection


def read(
    *,
    user: AnyUser,
    ids: Sequence[int],
    today: datetime.date,
    with_counts: WithCounts,
    inspectors: QuerySet[InspectionAssignment],
    using: str,
) -> list[Inspection] | None:
    """The inspections with these keys that the user may see (in no particular order), with the counts
    ``with_counts`` annotates, their related rows and their inspectors (``inspectors``, prefetched as
    ``assignments``), as the reference queryset answers them; or None when the user's rule has no template
    (the caller runs the queryset then)."""
    rule = access.rule_template(user, "view", Inspection)
    if rule is None:
        return None
    keys = list(dict.fromkeys(ids))  # the ``IN`` list as Django writes it: each key once
    if not keys:
        return []
    values: dict[str, Any] = {"today": today}
    values.update({f"key{index}": pk for index, pk in enumerate(keys)})
    values.update({f"rule{index}": value for index, value in enumerate(rule.values)})
    rows = [_inspection(row, using) for row in _compiled(rule, len(keys), with_counts).dicts(using, **values)]
    prefetch_related_objects(rows, Prefetch("assignments", queryset=inspectors))
    return rows


def compiled_for(user: AnyUser, keys: int) -> bool:
    """Whether the statement for this user's shape of rule and this number of keys has been compiled (for
    tests: the compiled path was the one taken)."""
    rule = access.rule_template(user, "view", Inspection)
    return rule is not None and (rule.key, keys) in _COMPILED


__all__ = ["COUNTS", "RELATED", "columns", "compiled_for", "read"]
