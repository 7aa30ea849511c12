"""A page of the student lists' rows (``students_by_keys``), its statement compiled once per process for each
shape of the reader's rules, number of keys and day.

The at-risk list fetches its page's 25 students by key with everything a row shows (late milestones, the
current partner, the plan's status, one column per reason to be at risk, the reasons other apps add among
them: ``lists._annotated``). PostgreSQL answers in a few milliseconds; building and compiling that queryset
(some thirty subqueries, the reader's rules for students and placements) cost Django several times that in
Python on every page worked out afresh (issue #19, row 1). As for the inspection list
(``supervision.list_queries``, ADR 0060), the statement is built once with marker values in place of the
keys and the reader's rule values (``core.compiled``), and later pages put theirs in the same SQL text.

**The day is part of the key.** The reasons compare dates derived from today (30 days after enrolment, a
review term ending within 30 days or ended in the last 120), which are not values ``Compiled`` can
substitute: the statement is compiled with the real day, and again the first time a process meets another
day (the day before's statements are dropped then).

The rules are applied as their ``Q`` (the OR of the alternatives, as ``scope(correlated=True)`` applies them)
where ``scope`` tests the key against a UNION: the keys pick at most a page of students by primary key, and
the current placement is looked for among one student's. A reader whose rule has no template gets the
reference queryset (``lists.students_by_keys_reference``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet

from accounts.roles import AnyUser
from core import hooks
from core.compiled import Compiled, Kind, kind_of
from core.loaded import Loaded
from partners import access
from students.models import Placement, Student

#: ``lists._annotated``: the students, their current placements (the rule applied), the day.
Annotate = Callable[[QuerySet[Student], QuerySet[Placement], datetime.date], QuerySet[Student]]
Current = Callable[[datetime.date], QuerySet[Placement]]

_COMPILED: dict[tuple[Any, ...], tuple[Compiled, Loaded]] = {}
_DAY: list[datetime.date] = []


def _reasons() -> tuple[str, ...]:
    """The reasons other apps add (``core.hooks.AT_RISK_REASONS``), by key: each is a column of the statement,
    so a reason plugged in later (an app's ``ready``, a test) makes another statement rather than reuse one
    without it."""
    return tuple(reason.key for reason in hooks.AT_RISK_REASONS)


def _compiled(
    students: access.RuleTemplate,
    placements: access.RuleTemplate,
    keys: int,
    today: datetime.date,
    *,
    annotate: Annotate,
    current: Current,
    related: tuple[str, ...],
) -> tuple[Compiled, Loaded]:
    """The statement for these shapes of rules, number of keys and day, compiled on first use (per database)."""
    if [today] != _DAY:  # another day: the statements compiled with the day before's dates go
        _COMPILED.clear()
        _DAY[:] = [today]
    key = (students.key, placements.key, keys, today, _reasons())
    found = _COMPILED.get(key)
    if found is not None:
        return found
    key_names = [f"key{index}" for index in range(keys)]
    student_names = [f"student{index}" for index in range(len(students.values))]
    placement_names = [f"placement{index}" for index in range(len(placements.values))]
    kinds: dict[str, Kind] = dict.fromkeys(key_names, int)
    kinds.update({name: kind_of(value) for name, value in zip(student_names, students.values, strict=True)})
    kinds.update({name: kind_of(value) for name, value in zip(placement_names, placements.values, strict=True)})
    # The annotations' names (the reasons other apps add among them), read off the queryset once.
    names = tuple(annotate(Student.objects.all(), current(today), today).query.annotations)
    loaded = Loaded(Student, related, names)

    def build(**values: Any) -> QuerySet[Any]:
        rows = Student.objects.filter(pk__in=[values[name] for name in key_names])
        if students.q is not None:
            rows = rows.filter(access.with_values(students.q, [values[name] for name in student_names]))
        seen = current(today)
        if placements.q is not None:
            seen = seen.filter(access.with_values(placements.q, [values[name] for name in placement_names]))
        found: QuerySet[Any] = annotate(rows, seen, today).order_by().values(*loaded.columns)
        return found

    compiled = _COMPILED[key] = (Compiled(build, **kinds), loaded)
    return compiled


def read(
    *,
    user: AnyUser,
    keys: Sequence[int],
    today: datetime.date,
    annotate: Annotate,
    current: Current,
    related: tuple[str, ...],
    using: str,
) -> list[Student] | None:
    """The students with these keys that the user may see (in no particular order), as
    ``annotate(scope(students), scope(current(today)), today).select_related(*related)`` answers them; or
    None when a rule has no template (the caller runs the queryset then)."""
    students = access.rule_template(user, "view", Student)
    placements = access.rule_template(user, "view", Placement)
    if students is None or placements is None:
        return None
    wanted = list(dict.fromkeys(keys))  # the ``IN`` list as Django writes it: each key once
    if not wanted:
        return []
    compiled, loaded = _compiled(
        students, placements, len(wanted), today, annotate=annotate, current=current, related=related
    )
    values: dict[str, Any] = {f"key{index}": pk for index, pk in enumerate(wanted)}
    values.update({f"student{index}": value for index, value in enumerate(students.values)})
    values.update({f"placement{index}": value for index, value in enumerate(placements.values)})
    return [loaded.instance(row, using) for row in compiled.dicts(using, **values)]


def compiled_for(user: AnyUser, keys: int, today: datetime.date) -> bool:
    """Whether the statement for this user's shapes of rules, number of keys and day has been compiled (for
    tests: the compiled path was the one taken)."""
    students = access.rule_template(user, "view", Student)
    placements = access.rule_template(user, "view", Placement)
    if students is None or placements is None:
        return False
    return (students.key, placements.key, keys, today, _reasons()) in _COMPILED
