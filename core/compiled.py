"""Querysets compiled to SQL once per process, then run or nested with other values.

Building a queryset and compiling it costs Django a few hundred microseconds to milliseconds of Python
(cloning the query at each ``filter``, resolving lookups, compiling nested subqueries), whatever the
database does afterwards. Where the same shape of query is asked on every request with only a few values
changing (a user's id, today, now), that cost is paid again each time for the same SQL text. A
``Compiled`` query is built once per process and database with **marker values** in place of those
values, compiled, and its parameters mapped back to the names they stand for; later uses substitute the
real values into the same SQL. The SQL is exactly what the queryset compiles to (the tests compare both,
text and rows), so the plans are the queryset's own.

Markers are values no caller passes: integers below -900 million, and days in the year 1001. Each must
come out of the compiled parameters as itself (Django passes such values through untouched); if one is
missing, or a marker turns up among the fixed parameters, compiling refuses loudly rather than run a
query that would ignore a value.

A list of ids whose length varies (a page of students) is one value of kind ``Ids``, written into the
query with ``AmongIds`` and passed as **one parameter** (ADR 0059): an array on PostgreSQL (``= ANY(%s)``,
which the planner treats as it treats ``IN (1, 2, ...)``: PostgreSQL rewrites the latter into the
former), a JSON list on SQLite (``IN (SELECT value FROM json_each(%s))``). The SQL text then does not
depend on how many ids there are, and one compiled statement serves every page.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from django.db import connections
from django.db.models import BooleanField, Expression, F, Field, Func, QuerySet
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler


class Ids:
    """The kind of a value that is a list of integer ids (any iterable of ints, any length, duplicates
    allowed), passed to the database as one parameter (see ``AmongIds``)."""


Kind = type[int] | type[datetime.date] | type[datetime.datetime] | type[Ids]

_EPOCH = datetime.datetime(1001, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class IdsMarker:
    """The stand-in for a list of ids while compiling: an object no caller passes, found among the compiled
    parameters as itself (``AmongIds`` passes it through untouched)."""

    index: int


def marker(kind: Kind, index: int) -> Any:
    """The ``index``-th stand-in value of ``kind``: one no caller passes."""
    if kind is datetime.datetime:
        return _EPOCH + datetime.timedelta(days=index, seconds=7)
    if kind is datetime.date:
        return datetime.date(1001, 1, 1) + datetime.timedelta(days=index)
    if kind is int:
        return -918_273_645 - index
    if kind is Ids:
        return IdsMarker(index)
    raise TypeError(f"no marker for {kind!r}")


def kind_of(value: Any) -> Kind:
    """The kind of a rule's value (its user id, today, now) as ``Compiled`` takes it; anything else is refused,
    since no marker could stand in for it."""
    kind = type(value)
    if kind not in (int, datetime.date, datetime.datetime):
        raise TypeError(f"no marker for a rule value of type {kind!r}")
    return kind  # type: ignore[return-value]


def ids_parameter(vendor: str, ids: Iterable[Any]) -> Any:
    """A list of ids as ``AmongIds``'s one parameter: a list (an array) on PostgreSQL, JSON text elsewhere
    (SQLite's ``json_each`` reads it). Each id is made an ``int`` first, so text or a float never reaches the
    SQL as anything but a number."""
    numbers = [int(value) for value in ids]
    return numbers if vendor == "postgresql" else json.dumps(numbers)


class AmongIds(Func):
    """The condition "``field`` is one of ``ids``", with the ids as one parameter (whatever their number):
    ``field = ANY(%s::bigint[])`` on PostgreSQL, ``field IN (SELECT value FROM json_each(%s))`` on SQLite.
    ``ids``: a list of ints, or the ``IdsMarker`` of a ``Compiled`` value of kind ``Ids``."""

    output_field = BooleanField()

    def __init__(self, field: str, ids: Any) -> None:
        super().__init__(F(field))
        self.ids = ids if isinstance(ids, IdsMarker) else [int(value) for value in ids]

    def _parameter(self, connection: Any) -> Any:
        return self.ids if isinstance(self.ids, IdsMarker) else ids_parameter(connection.vendor, self.ids)

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        field_sql, field_params = compiler.compile(self.source_expressions[0])
        sql = f"{field_sql} IN (SELECT value FROM json_each(%s))"  # noqa: S608 (a compiled column; ids a parameter)
        return sql, (*field_params, self._parameter(connection))

    def as_postgresql(
        self, compiler: SQLCompiler, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        field_sql, field_params = compiler.compile(self.source_expressions[0])
        # Cast to the column's type: psycopg sends a list of small ints as ``int2[]``.
        cast = self.source_expressions[0].output_field.cast_db_type(connection)
        return f"{field_sql} = ANY(%s::{cast}[])", (*field_params, self._parameter(connection))


class Compiled:
    """``build(**values)`` (a queryset) compiled once per database; ``sql(using, **values)`` answers its SQL
    and parameters for other values. ``kinds`` names each value and its type (``int``, ``datetime.date``,
    ``datetime.datetime``, or ``Ids``: a list of ids, which ``build`` puts in its query with ``AmongIds``)."""

    def __init__(self, build: Callable[..., QuerySet[Any]], **kinds: Kind) -> None:
        self.build = build
        self.kinds = kinds
        self._by_database: dict[str, tuple[str, tuple[tuple[bool, Any, bool], ...]]] = {}
        self._outputs: dict[str, _Outputs] = {}

    def _adapt(self, using: str, name: str, value: Any) -> Any:
        """``value`` as the database's backend passes it (SQLite: dates and times as text; PostgreSQL: as is)."""
        ops = connections[using].ops
        kind = self.kinds[name]
        if kind is Ids:
            return ids_parameter(connections[using].vendor, value)
        if kind is datetime.datetime:
            return ops.adapt_datetimefield_value(value)
        if kind is datetime.date:
            return ops.adapt_datefield_value(value)
        return value

    def _compile(self, using: str) -> tuple[str, tuple[tuple[bool, Any, bool], ...]]:
        markers = {name: marker(kind, index) for index, (name, kind) in enumerate(self.kinds.items())}
        query = self.build(**markers).query
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        # What ``dicts`` needs to answer as the queryset's ``values()`` would: the names of the columns (in
        # ``ValuesIterable``'s order) and their expressions, whose converters turn the backend's values into
        # the fields' (SQLite's decimals, dates and booleans).
        columns = (
            list(query.selected)
            if query.selected
            else [*query.extra_select, *query.values_select, *query.annotation_select]
        )
        selected = tuple(column for column, _sql, _alias in compiler.select)
        self._outputs[using] = _Outputs(query, tuple(columns), selected, WeakKeyDictionary())
        # A marker comes out as itself, or adapted by the backend (SQLite passes dates as text): either way
        # its slot is known, and a later value is adapted the same way.
        names: dict[tuple[type, Any], tuple[str, bool]] = {}
        for name, value in markers.items():
            if isinstance(value, IdsMarker):  # always passed as the backend's list (``ids_parameter``)
                names[(type(value), value)] = (name, True)
                continue
            adapted = self._adapt(using, name, value)
            names[(type(adapted), adapted)] = (name, adapted is not value)
            names[(type(value), value)] = (name, False)
        slots: list[tuple[bool, Any, bool]] = []
        for param in params:
            found = names.get((type(param), param))
            slots.append((True, found[0], found[1]) if found is not None else (False, param, False))
        used = {value for is_name, value, _adapted in slots if is_name}
        if used != set(markers):
            raise ValueError(f"values not in the compiled SQL: {sorted(set(markers) - used)}")
        return sql, tuple(slots)

    def sql(self, using: str, **values: Any) -> tuple[str, tuple[Any, ...]]:
        """The SQL of ``build(**values)`` and its parameters, on database ``using``."""
        compiled = self._by_database.get(using)
        if compiled is None:
            compiled = self._by_database[using] = self._compile(using)
        sql, slots = compiled
        return sql, tuple(
            (self._adapt(using, value, values[value]) if adapted else values[value]) if is_name else value
            for is_name, value, adapted in slots
        )

    def subquery(self, output_field: Field[Any, Any], **values: Any) -> CompiledSubquery:
        """An expression for ``field__in=...`` (or any place a subquery goes): ``(SELECT ...)``."""
        return CompiledSubquery(self, values, output_field)

    def rows(self, using: str = "default", **values: Any) -> list[tuple[Any, ...]]:
        """Run it: the rows, as tuples."""
        sql, params = self.sql(using, **values)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def dicts(self, using: str = "default", **values: Any) -> list[dict[str, Any]]:
        """Run a ``values()`` queryset: its rows as dicts, each value converted as the queryset converts it
        (Django's converters for the column's field), so the answers are the queryset's, not the driver's."""
        sql, params = self.sql(using, **values)
        outputs = self._outputs[using]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows: Iterable[Sequence[Any]] = cursor.fetchall()
        compiler = outputs.query.get_compiler(connection=connection)
        # Working out the converters costs more than the rest of the Python here: once per connection object
        # (they are the backend's, bound to its operations; weakly held, so a thread's connection can go).
        converters = outputs.converters.get(connection)
        if converters is None:
            converters = outputs.converters[connection] = compiler.get_converters(list(outputs.columns))
        if converters:
            rows = compiler.apply_converters(rows, converters)
        return [dict(zip(outputs.names, row, strict=True)) for row in rows]


class _Outputs(NamedTuple):
    """A compiled ``values()`` queryset's query, column names and column expressions (for ``dicts``)."""

    query: Query
    names: tuple[str, ...]
    columns: tuple[Any, ...]
    converters: WeakKeyDictionary[Any, dict[int, Any]]


class CompiledSubquery(Expression):
    """A ``Compiled`` query nested in another statement, with its values."""

    def __init__(self, compiled: Compiled, values: dict[str, Any], output_field: Field[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.compiled = compiled
        self.values = values

    def as_sql(self, compiler: SQLCompiler, connection: Any, **extra_context: Any) -> tuple[str, tuple[Any, ...]]:  # type: ignore[override]
        sql, params = self.compiled.sql(connection.alias, **self.values)
        return f"({sql})", params

    def get_group_by_cols(self) -> list[Any]:
        return [self]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CompiledSubquery) and other.compiled is self.compiled and other.values == self.values

    def __hash__(self) -> int:
        return hash((id(self.compiled), tuple(sorted(self.values.items()))))
