"""A page of a scoped list's keys, read branch by branch in the list's order (ADR 0054).

``access.scope`` applies a rule of several alternatives as ``pk = ANY(ARRAY(<UNION of their keys>))``. For a
list sorted by its own columns that means one lookup in the primary key index and one heap read per key in
scope, only to learn each row's sort columns: a coordinator's entries list (about 10,000 in scope at bench
scale) spent most of its SQL there (issue #19, row 3). Here each alternative's SELECT carries the sort columns
with the key, read with the rows the alternative reaches through its own index (entries by student come
index-only from ``(student_id, date, id)``; by placement, from the placement's index and the rows it points
at, which an alternative reads anyway), and the page is the top of their UNION. Same rules, same rows:
``split_scope`` says why; the tests compare the answers.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, FullResultSet
from django.db import connections
from django.db.models import Lookup, QuerySet
from django.db.models.expressions import Col, RawSQL
from django.db.models.sql.where import WhereNode

from partners.access import compiled_rows, split_scope


def _sort_fields(qs: QuerySet[Any]) -> list[tuple[str, bool]] | None:
    """The list's order as (concrete column's attribute name, descending), the key last; None for an order
    this module does not read from the columns (an expression, a related field, a random order)."""
    meta = qs.model._meta
    if not qs.query.order_by or qs.query.extra_order_by:
        return None  # the model's default order, or an extra one: not read here
    fields: list[tuple[str, bool]] = []
    for item in qs.query.order_by:
        if not isinstance(item, str) or item == "?":
            return None
        name = item.lstrip("-")
        name = meta.pk.attname if name == "pk" else name
        try:
            field = meta.get_field(name)
        except FieldDoesNotExist:  # a lookup through a relation
            return None
        if not getattr(field, "concrete", False) or (getattr(field, "is_relation", False) and field != meta.pk):
            return None
        fields.append((field.attname, item.startswith("-")))
    if meta.pk.attname not in {name for name, _descending in fields}:
        fields.append((meta.pk.attname, False))  # every row once: the UNION's duplicates are whole rows
    return fields


def _on_sort_columns(node: Any, alias: str, columns: set[str]) -> bool:
    """Whether every condition of the ``WHERE`` tree ``node`` compares one of ``columns`` of the table
    ``alias`` with a value (DRF's cursor position: ``date < ...``), so that it can be tested on the UNION's
    rows, which carry those columns and nothing else."""
    if isinstance(node, WhereNode):
        return all(_on_sort_columns(child, alias, columns) for child in node.children)
    return (
        isinstance(node, Lookup)
        and isinstance(node.lhs, Col)
        and node.lhs.alias == alias
        and node.lhs.target.column in columns
        and not hasattr(node.rhs, "resolve_expression")
    )


def ordered_keys(qs: QuerySet[Any], k: slice) -> RawSQL | None:
    """The keys of ``qs[k]``, in ``qs``'s order, as a subquery (``pk__in=``): the top of the UNION of one SELECT
    of (sort columns, key) per alternative of the scope on ``qs``, compiled once per shape of the rule
    (``access.compiled_rows``). None when that does not apply: no UNION scope on ``qs``, an order not made of
    its own columns, other conditions than on those columns (a filter on the status, the student: each
    alternative would need them, and their SQL built for each request, which costs a small scope more than it
    saves), a slice with a step or no end, a grouped or combined query. The caller then slices ``qs`` as it
    is."""
    if k.step not in (None, 1) or k.stop is None or (k.start or 0) < 0 or k.stop < (k.start or 0):
        return None
    query = qs.query
    if query.combinator or query.distinct or query.group_by is not None or query.annotations or query.extra:
        return None
    fields = _sort_fields(qs)
    split = split_scope(qs) if fields is not None else None
    if fields is None or split is None:
        return None
    base, rule = split
    meta = qs.model._meta
    columns = [meta.get_field(name).column for name, _descending in fields]
    alias = base.query.get_initial_alias()
    if not _on_sort_columns(base.query.where, alias, set(columns)):
        return None
    compiler = base.query.get_compiler(using=qs.db)
    quote = connections[qs.db].ops.quote_name
    keys = quote("keys")
    try:
        where, where_params = compiler.compile(base.query.where.relabeled_clone({alias: "keys"}))
    except FullResultSet:  # no condition but the scope's
        where, where_params = "", ()
    except EmptyResultSet:
        return None
    union, union_params = compiled_rows(qs.model, rule, qs.db, tuple(name for name, _descending in fields))
    order = ", ".join(
        f"{keys}.{quote(column)}{' DESC' if descending else ''}"
        for column, (_, descending) in zip(columns, fields, strict=True)
    )
    start = k.start or 0
    # UNION, not UNION ALL: a row two alternatives reach is one row of the page. (A UNION ALL cut to the top
    # ``stop`` times the number of alternatives, made distinct after, was tried: PostgreSQL plans it in
    # parallel workers whose start costs more than the UNION's hash of the keys in scope.)
    # The parts are Django's compiled SQL, the names quoted ones of our own; the values are parameters.
    sql = (
        f"SELECT {keys}.{quote(meta.pk.column)} FROM {union} {keys}"  # noqa: S608
        f"{f' WHERE {where}' if where else ''} ORDER BY {order} LIMIT %s OFFSET %s"
    )
    return RawSQL(sql, (*union_params, *where_params, k.stop - start, start))  # noqa: S611
