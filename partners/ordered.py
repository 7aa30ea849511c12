"""A page of a scoped list's keys, read branch by branch in the list's order (ADR 0054).

``access.scope`` applies a rule of several alternatives as ``pk = ANY(ARRAY(<UNION of their keys>))``. For a
list sorted by its own columns that means one lookup in the primary key index and one heap read per key in
scope, only to learn each row's sort columns: a coordinator's entries list (about 10,000 in scope at bench
scale) spent most of its SQL there (issue #19, row 3). Here each alternative's SELECT carries the sort columns
with the key, so it can read them from the index it reaches its rows by (``(placement_id, date, id)``,
``(student_id, date, id)``: index-only), and the page is the top of their UNION. Same rules, same rows:
``split_scope`` says why; the tests compare the answers.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL

from partners.access import split_scope


def _sort_fields(qs: QuerySet[Any]) -> list[tuple[str, bool]] | None:
    """The list's order as (concrete column's attribute name, descending), the key last; None for an order
    this module does not read from the columns (an expression, a related field, a random order)."""
    meta = qs.model._meta
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


def ordered_keys(qs: QuerySet[Any], k: slice) -> RawSQL | None:
    """The keys of ``qs[k]``, in ``qs``'s order, as a subquery (``pk__in=``), read as the UNION of one SELECT of
    (sort columns, key) per alternative of the scope on ``qs``; None when that does not apply (no UNION scope on
    ``qs``, an order not made of its own columns, a slice with a step or no end, a grouped or combined query):
    the caller then slices ``qs`` as it is."""
    if k.step not in (None, 1) or k.stop is None or (k.start or 0) < 0 or k.stop < (k.start or 0):
        return None
    query = qs.query
    if query.combinator or query.distinct or query.group_by is not None or query.annotations or query.extra:
        return None
    fields = _sort_fields(qs)
    split = split_scope(qs) if fields is not None else None
    if fields is None or split is None:
        return None
    base, alternatives = split
    connection = connections[qs.db]
    quote = connection.ops.quote_name
    columns = {f"k{index}": F(name) for index, (name, _descending) in enumerate(fields)}
    parts: list[str] = []
    params: list[Any] = []
    for alternative in alternatives:
        branch = base.filter(alternative).order_by().values(**columns)
        sql, branch_params = branch.query.get_compiler(using=qs.db).as_sql()
        parts.append(sql)
        params.extend(branch_params)
    key = quote(f"k{[name for name, _descending in fields].index(qs.model._meta.pk.attname)}")
    order = ", ".join(
        f"keys.{quote(alias)}{' DESC' if descending else ''}"
        for alias, (_, descending) in zip(columns, fields, strict=True)
    )
    start = k.start or 0
    # UNION, not UNION ALL: a row two alternatives reach is one row of the page.
    # The parts are Django's compiled SQL, the names quoted aliases of our own; the values are parameters.
    sql = f"SELECT keys.{key} FROM ({' UNION '.join(parts)}) keys ORDER BY {order} LIMIT %s OFFSET %s"  # noqa: S608
    return RawSQL(sql, (*params, k.stop - start, start))  # noqa: S611
