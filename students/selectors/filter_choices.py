"""The students lists' large choices (tutor, partner, supervisor), searched as the reader types.

At a university's scale these lists reach tens of thousands of names (issue 19: a third of the students
list's time went into rendering them as drop-downs), so the list page no longer renders them: it shows a
text field, and ``search`` answers the few names that match what was typed. Each set is what the reader
may see, never more: the tutors and supervisors of the students in their scope (other than the reader's
own student record, whose page shows them anyway), and the partners they may see that take part in a
programme.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import connections
from django.db.models import Q, QuerySet

from accounts.models import User
from accounts.roles import AnyUser
from partners import access
from partners.models import Partner
from students.models import Placement, PlacementStatus, Student

#: At most this many matches answer one search (the field narrows as one types).
SEARCH_LIMIT = 20


def _others(user: AnyUser) -> QuerySet[Student]:
    return access.scope(Student.objects.all(), user, "view").exclude(user__pk=user.pk or 0)


def tutor_choices(user: AnyUser) -> QuerySet[User]:
    """The tutors of the students in the reader's scope."""
    return User.objects.filter(pk__in=_others(user).values("tutor_id")).order_by("full_name", "username", "pk")


def supervisor_choices(user: AnyUser) -> QuerySet[User]:
    """The supervisors of the (non-cancelled) placements the reader may see, of students in their scope."""
    placements = access.scope(
        Placement.objects.exclude(status=PlacementStatus.CANCELLED).filter(student__in=_others(user)), user, "view"
    )
    return User.objects.filter(pk__in=placements.values("supervisor_id")).order_by("full_name", "username", "pk")


def partner_choices(user: AnyUser) -> QuerySet[Partner]:
    """The partners the reader may see that take part in a programme (where students are placed)."""
    partners = Partner.objects.filter(pk__in=Partner.objects.filter(participations__isnull=False).values("pk"))
    return access.scope(partners, user, "view").order_by("name", "pk")


#: The searched choices by filter name, with how a match is found and named.
CHOICES: dict[str, Callable[[AnyUser], QuerySet[Any]]] = {
    "tutor": tutor_choices,
    "partner": partner_choices,
    "supervisor": supervisor_choices,
}


def matching(queryset: QuerySet[Any], text: str) -> QuerySet[Any]:
    """The choices whose name contains ``text`` (people: full name or user name; partners: name or short name)."""
    text = text.strip()
    if not text:
        return queryset
    if queryset.model is Partner:
        return queryset.filter(Q(name__icontains=text) | Q(short_name__icontains=text))
    return queryset.filter(Q(full_name__icontains=text) | Q(username__icontains=text))


def label(obj: Any) -> str:
    """How a choice is named in the field and its suggestions."""
    return str(obj.display_name) if isinstance(obj, User) else str(obj.name)


def search(*, user: AnyUser, kind: str, text: str) -> list[tuple[int, str]] | None:
    """Up to ``SEARCH_LIMIT`` ``(pk, name)`` of the ``kind`` choices matching ``text``, in one query; None
    when the kind is unknown or the reader has no such choice at all (the page offers no such filter)."""
    if kind not in CHOICES:
        return None
    choices = CHOICES[kind](user)
    found = [(obj.pk, label(obj)) for obj in matching(choices, text)[:SEARCH_LIMIT]]
    if not found and not text.strip():
        return None
    if not found and not choices.exists():
        return None
    return found


def up_to_two(querysets: Mapping[str, QuerySet[Any]]) -> dict[str, int]:
    """How many rows each queryset has, counted up to two ("none, one or several": whether a filter is
    worth showing), all in one query: ``SELECT (SELECT COUNT(*) FROM (<first two keys>)), ...``. The lists'
    filters ask this of six sets on every page; six round trips and six compilations were a third of the
    list's own queries (issue #19)."""
    if not querysets:
        return {}
    names = list(querysets)
    parts: list[str] = []
    params: list[Any] = []
    for index, name in enumerate(names):
        queryset = querysets[name].order_by().values("pk")[:2]
        if queryset.query.is_empty():
            parts.append("0")
            continue
        sql, sql_params = queryset.query.sql_with_params()
        # Django's own compiled SQL with its parameters kept apart: nothing here comes from the reader.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS up_to_two_{index})")  # noqa: S608
        params.extend(sql_params)
    with connections[next(iter(querysets.values())).db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {name: int(count) for name, count in zip(names, row, strict=True)}
