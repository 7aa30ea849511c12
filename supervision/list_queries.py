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
them for every kind of reader). A reader whose rule has no template (a rule holding a queryset: an
assigned inspector's did until session 12) gets the reference queryset.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from django.db.models import QuerySet

from accounts.roles import AnyUser
from core.compiled import Compiled, Kind, kind_of
from core.loaded import Loaded
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
_COMPILED: dict[tuple[Any, int], tuple[Compiled, Compiled]] = {}


@cache
def inspections() -> Loaded:
    """The list's inspections: their columns, their related rows' and their counts."""
    return Loaded(Inspection, RELATED, COUNTS)


@cache
def assignments() -> Loaded:
    """Their inspectors, as ``selectors._inspectors`` reads them (with the inspector's user)."""
    return Loaded(InspectionAssignment, ("inspector",))


def _compiled(
    rule: access.RuleTemplate, keys: int, with_counts: WithCounts, inspectors: QuerySet[InspectionAssignment]
) -> tuple[Compiled, Compiled]:
    """The two statements (the rows, their inspectors) for this shape of rule and number of keys, compiled
    on first use (per database)."""
    key = (rule.key, keys)
    found = _COMPILED.get(key)
    if found is not None:
        return found
    rule_names = [f"rule{index}" for index in range(len(rule.values))]
    key_names = [f"key{index}" for index in range(keys)]
    kinds: dict[str, Kind] = {"today": datetime.date}
    kinds.update({name: int for name in key_names})
    kinds.update({name: kind_of(value) for name, value in zip(rule_names, rule.values, strict=True)})

    def rows(**values: Any) -> QuerySet[Any]:
        found = Inspection.objects.filter(pk__in=[values[name] for name in key_names])
        if rule.q is not None:
            found = found.filter(access.with_values(rule.q, [values[name] for name in rule_names]))
        return with_counts(found, values["today"]).order_by().values(*inspections().columns)

    def inspectors_of(**values: Any) -> QuerySet[Any]:
        keys = [values[name] for name in key_names]
        return inspectors.filter(inspection_id__in=keys).values(*assignments().columns)

    compiled = _COMPILED[key] = (Compiled(rows, **kinds), Compiled(inspectors_of, **dict.fromkeys(key_names, int)))
    return compiled


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
    ``with_counts`` annotates, their related rows and their inspectors (``inspectors``, the same queryset at
    every call, as ``Prefetch("assignments", inspectors)`` leaves them), as the reference queryset answers
    them; or None when the user's rule has no template (the caller runs the queryset then). Two statements,
    the second only when the first found rows."""
    rule = access.rule_template(user, "view", Inspection)
    if rule is None:
        return None
    keys = list(dict.fromkeys(ids))  # the ``IN`` list as Django writes it: each key once
    if not keys:
        return []
    rows_sql, inspectors_sql = _compiled(rule, len(keys), with_counts, inspectors)
    values: dict[str, Any] = {"today": today}
    values.update({f"key{index}": pk for index, pk in enumerate(keys)})
    key_values = dict(values)
    del key_values["today"]
    values.update({f"rule{index}": value for index, value in enumerate(rule.values)})
    rows: list[Inspection] = [inspections().instance(row, using) for row in rows_sql.dicts(using, **values)]
    if rows:
        found = [assignments().instance(row, using) for row in inspectors_sql.dicts(using, **key_values)]
        _prefetched(rows, found, inspectors)
    return rows


def _prefetched(
    rows: list[Inspection], found: list[InspectionAssignment], inspectors: QuerySet[InspectionAssignment]
) -> None:
    """Each inspection's assignments cached as ``prefetch_related_objects`` caches them: the relation's own
    queryset (so a further ``filter`` on it queries that inspection's only) holding the rows found, each with
    its inspection cached on it. The statement may have read the assignments of keys the reader does not see:
    only the rows' are kept."""
    field = InspectionAssignment._meta.get_field("inspection")
    cache_name = field.remote_field.cache_name  # type: ignore[union-attr]
    by_inspection: dict[int, list[InspectionAssignment]] = {}
    for assignment in found:
        by_inspection.setdefault(assignment.inspection_id, []).append(assignment)  # type: ignore[attr-defined]
    for inspection in rows:
        mine = by_inspection.get(inspection.pk, [])
        for assignment in mine:
            field.set_cached_value(assignment, inspection)
        queryset = inspection.assignments._apply_rel_filters(inspectors)  # type: ignore[attr-defined]
        queryset._result_cache = mine
        queryset._prefetch_done = True
        if not hasattr(inspection, "_prefetched_objects_cache"):
            inspection._prefetched_objects_cache = {}  # type: ignore[attr-defined]
        inspection._prefetched_objects_cache[cache_name] = queryset  # type: ignore[attr-defined]


def compiled_for(user: AnyUser, keys: int) -> bool:
    """Whether the statement for this user's shape of rule and this number of keys has been compiled (for
    tests: the compiled path was the one taken)."""
    rule = access.rule_template(user, "view", Inspection)
    return rule is not None and (rule.key, keys) in _COMPILED


__all__ = ["COUNTS", "RELATED", "Loaded", "assignments", "compiled_for", "inspections", "read"]
