"""A page of the student lists' keys and the list's count, its statement compiled once per process for each
shape of the reader's rule, of the filters and of the day.

The students list and the at-risk list read a page in three statements: the page's keys with the list's
count (``lists.CountedKeys``), the page's rows by key (``list_rows``, compiled since ADR 0060) and the
progress bars. The keys statement was still built and compiled for every page worked out afresh: the
reader's scope, the filters, and for the at-risk list every reason to be at risk, the reasons other apps add
among them. That cost about 6 ms of Python a page at a university's scale, as much as the statement's own
planning (issue #19, row 1). As for the rows, the statement is built once with marker values in place of the
reader's rule values and the chosen programme, cohort and tutor (``core.compiled``), and later pages put
theirs in the same SQL text, with the page's ``LIMIT`` and ``OFFSET`` as parameters.

**What is compiled.** The reader's scope as ``scope`` applies it (``access.scope_as``: the UNION of the
rule's alternatives on PostgreSQL, so each uses its own index over the whole list), the filters that are
values (programme, cohort, tutor: ids; status and plan status: codes, part of the key) and the list's order.
A filter by partner, by supervisor or by a typed name reads the reader's placements or their choices: those
pages, and a reader whose rule has no template, are built for the call (``page`` answers None).

**The day is part of the key**, as for the rows: the reasons compare dates derived from today.

**The at-risk list's keys are kept** (``at_risk_keys``, ADR 0068): its statement answers every key in order,
and the answer is kept between writes to what it weighs (``core.keptreads``), for every reader with the same
rule values and filters; a page is a slice of it, and the office's badge its length. The students list reads
its page and count with ``LIMIT``/``OFFSET`` each time: it is read in an index's order and costs ~1 ms.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet

from accounts.roles import AnyUser
from core import hooks, keptreads
from core.compiled import Compiled, Kind, kind_of
from partners import access
from students.models import Student
from students.selectors import lists

#: The filters whose value is a row's id: compiled with a marker in its place.
ID_FILTERS = ("programme", "cohort", "tutor")
#: The filters whose value is a code: the code is part of the statement's key.
CODE_FILTERS = ("status", "plan_status")
#: Filters that read more than a value (the reader's placements, or the choices matching a typed name).
BUILT_FILTERS = ("partner", "supervisor", "tutor_in", "partner_in", "supervisor_in")

#: The two lists: the at-risk list (oldest problem first, its count a window) and the students list (by
#: number, its count a subquery: see ``lists.CountedKeys``).
AT_RISK, STUDENTS = "at_risk", "students"
TOTAL = {AT_RISK: "window", STUDENTS: "subquery"}

_COMPILED: dict[tuple[Any, ...], Compiled] = {}
_DAY: list[datetime.date] = []


def _reasons() -> tuple[str, ...]:
    """The reasons other apps add, by key (each is a condition of the at-risk statements)."""
    return tuple(reason.key for reason in hooks.AT_RISK_REASONS)


def _plain(filters: Mapping[str, Any]) -> tuple[dict[str, int], tuple[tuple[str, str], ...], bool] | None:
    """The filters as the compiled statement takes them: the ids chosen, the codes chosen, "at risk only";
    None when a filter that reads more than a value is set, or one this module does not know (a filter added
    to the form later is built for the call until it is added here, never ignored)."""
    known = {*ID_FILTERS, *CODE_FILTERS, "at_risk"}
    if any(value is not None and value != "" and name not in known for name, value in filters.items()):
        return None
    ids: dict[str, int] = {}
    for name in ID_FILTERS:
        value = filters.get(name)
        if value is None or value == "":
            continue
        ids[name] = int(value.pk if isinstance(value, Model) else value)
    codes = tuple((name, str(filters[name])) for name in CODE_FILTERS if filters.get(name))
    return ids, codes, bool(filters.get("at_risk"))


def _compiled(
    which: str,
    user: AnyUser,
    rule: access.RuleTemplate,
    ids: Mapping[str, int],
    codes: tuple[tuple[str, str], ...],
    at_risk: bool,
    today: datetime.date,
) -> Compiled:
    """The statement for this list, shape of rule, filters and day, compiled on first use (per database)."""
    if [today] != _DAY:  # another day: the statements compiled with the day before's dates go
        _COMPILED.clear()
        _DAY[:] = [today]
    key = (which, rule.key, tuple(sorted(ids)), codes, at_risk, today, _reasons())
    found = _COMPILED.get(key)
    if found is not None:
        return found
    rule_names = [f"rule{index}" for index in range(len(rule.values))]
    kinds: dict[str, Kind] = {name: kind_of(value) for name, value in zip(rule_names, rule.values, strict=True)}
    kinds.update(dict.fromkeys(ids, int))

    def build(**values: Any) -> QuerySet[Any]:
        students = access.scope_as(Student.objects.all(), rule, [values[name] for name in rule_names])
        # Ids and codes only: ``_apply_filters`` reads the reader only for the filters left to ``BUILT_FILTERS``.
        chosen = {**{name: values[name] for name in ids}, **dict(codes)}
        students = lists._apply_filters(students, user, chosen)
        if which == AT_RISK:  # every key, in order: kept whole (``at_risk_keys``), sliced in Python
            return lists.at_risk_keys_of(students, today)
        return lists.keys_with_total(lists.list_keys_of(students, today, at_risk=at_risk), TOTAL[which])

    compiled = _COMPILED[key] = Compiled(build, **kinds)
    return compiled


def _prepared(
    which: str, user: AnyUser, filters: Mapping[str, Any], today: datetime.date, using: str
) -> tuple[Compiled, dict[str, Any], tuple[Any, ...]] | None:
    """The compiled statement for this reader, filters and day, its values, and the key of its answer for
    this reader's rule (``kept``); None when it is to be built for the call."""
    plain = _plain(filters)
    rule = access.rule_template(user, "view", Student)
    if plain is None or rule is None:
        return None
    ids, codes, at_risk = plain
    compiled = _compiled(which, user, rule, ids, codes, at_risk, today)
    values: dict[str, Any] = {f"rule{index}": value for index, value in enumerate(rule.values)}
    values.update(ids)
    answer = (which, using, rule.key, rule.values, tuple(sorted(ids.items())), codes, at_risk, today, _reasons())
    return compiled, values, answer


def page(
    which: str,
    *,
    user: AnyUser,
    filters: Mapping[str, Any],
    start: int,
    size: int,
    today: datetime.date,
    using: str,
) -> lists.KeysPage | None:
    """The keys of ``which`` list's page from ``start`` (at most ``size``), in the list's order, and the whole
    list's count: what ``lists.CountedKeys`` reads of ``student_at_risk_keys`` or ``student_list_keys``, from
    the statement compiled for this shape (the at-risk list's from ``at_risk_keys``, kept). None when this
    page is to be built for the call: a filter that reads more than a value, a reader whose rule has no
    template, or a page past the end (its count is read the usual way then)."""
    if which not in TOTAL:
        raise ValueError(f"unknown list {which!r}")
    if which == AT_RISK:
        every = at_risk_keys(user=user, filters=filters, today=today, using=using)
        if every is None or (start >= len(every) and start > 0):
            return None
        return every[start : start + size], len(every)
    prepared = _prepared(which, user, filters, today, using)
    if prepared is None:
        return None
    compiled, values, _answer = prepared
    sql, params = compiled.sql(using, **values)
    with connections[using].cursor() as cursor:
        # The page's bounds as parameters: one statement serves every page.
        cursor.execute(f"{sql} LIMIT %s OFFSET %s", (*params, size, start))
        rows = cursor.fetchall()
    if not rows:
        return ([], 0) if start == 0 else None
    return [int(pk) for pk, _total in rows], int(rows[0][1])


def at_risk_keys(*, user: AnyUser, filters: Mapping[str, Any], today: datetime.date, using: str) -> list[int] | None:
    """The keys of every student of ``student_at_risk_keys`` (the reader's, filtered), oldest problem first,
    **kept** between writes to what they weigh (``core.keptreads``, ADR 0068) for every reader with the same
    rule values, filters and day: weighing every reason for every student in scope is the at-risk list's
    and the office's badge's heaviest statement (~140 ms for 10,000 students with a curriculum and a term of
    meetings), and what it reads is written far less often than the pages are read. None when the keys are
    to be built for the call (see ``page``)."""
    prepared = _prepared(AT_RISK, user, filters, today, using)
    if prepared is None:
        return None
    compiled, values, answer = prepared

    def weigh() -> list[int]:
        return [int(pk) for (pk,) in compiled.rows(using, **values)]

    return keptreads.kept("students.at_risk", answer, weigh)


def compiled_for(which: str, user: AnyUser, filters: Mapping[str, Any], today: datetime.date) -> bool:
    """Whether the statement for this list, reader's shape of rule, filters and day has been compiled (for
    tests: the compiled path was the one taken)."""
    plain = _plain(filters)
    rule = access.rule_template(user, "view", Student)
    if plain is None or rule is None:
        return False
    ids, codes, at_risk = plain
    return (which, rule.key, tuple(sorted(ids)), codes, at_risk, today, _reasons()) in _COMPILED
