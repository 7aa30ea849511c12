"""Cursor pages of practice-hour entries, newest first, each cursor at one entry's ``(date, id)``.

DRF's ``CursorPagination`` places a cursor by the ordering's first field alone and steps over the rows that
share that value with an offset. Entries share dates by the dozen (by the thousand for the office), so a page
that ended inside a date went wrong twice: an entry logged on that date while someone paged moved the offset
(the next page repeated rows), and walking back with ``previous`` skipped some rows and repeated others. Here a
cursor is the boundary entry's date and id, which no other entry shares, and a page is the entries strictly
beyond it in the list's order. There is no offset, so nothing added or withdrawn elsewhere moves a page.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request

from partners.ordered import ordered_keys
from practice.models import PracticeLog

#: The list's order; the id makes every entry's place unique.
ORDERING = ("-date", "-id")


class KeysFirstQuerySet(QuerySet[PracticeLog]):
    """A slice of it is one statement that finds the page's keys first, then joins that page alone.

    A scoped list's keys come from the scope's UNION (``partners.access.scope``): PostgreSQL cannot know how
    many, and plans the list's joins (student, placement, category) for every entry in scope before sorting
    them for the page: about 10,000 entries joined twice for a coordinator's first page of 100. Sliced, this
    queryset answers ``SELECT ... WHERE id IN (SELECT id ... ORDER BY ... LIMIT n) ORDER BY ...``: the keys
    are sorted from the entries table alone and only the page's rows are joined. Same rows, same order, one
    query.

    When the scope is a UNION of alternatives, the keys are the top of a UNION of one SELECT of ``(date, id)``
    per alternative (``partners.ordered.ordered_keys``, ADR 0054): each reads the sort columns from the index
    it finds its entries by, instead of looking up every key in scope to learn its date (a coordinator's
    10,000)."""

    def __getitem__(self, k: Any) -> Any:
        if not isinstance(k, slice):
            return super().__getitem__(k)
        keys: Any = ordered_keys(self, k)
        if keys is None:
            keys = QuerySet(self.model, query=self.query.chain(), using=self.db).values("pk")[k]
        page: QuerySet[PracticeLog] = QuerySet(self.model, using=self.db).filter(pk__in=keys)
        page.query.select_related = self.query.select_related
        return page.order_by(*self.query.order_by)


def _position(entry: PracticeLog) -> str:
    return f"{entry.date.isoformat()}.{entry.pk}"


def _parse(position: str) -> tuple[datetime.date, int]:
    day, _, key = position.partition(".")
    return datetime.date.fromisoformat(day), int(key)


def _beyond(day: datetime.date, key: int, *, older: bool) -> Q:
    """The entries after ``(day, key)`` in the list's order (``older``), or before it. The first condition
    alone is a range of the ``(date, id)`` indexes; the second settles the rows of ``day`` itself."""
    if older:
        return Q(date__lte=day) & (Q(date__lt=day) | Q(id__lt=key))
    return Q(date__gte=day) & (Q(date__gt=day) | Q(id__gt=key))


class PracticeLogCursorPagination(CursorPagination):
    """Newest first; a cursor stays valid while entries are added (no page drifts), and no count query.
    A page is read keys first (``KeysFirstQuerySet``)."""

    ordering = ORDERING
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        self.request = request
        self.page_size = self.get_page_size(request) or self.page_size
        self.base_url = request.build_absolute_uri()
        self.cursor = self.decode_cursor(request)
        at: tuple[datetime.date, int] | None = None
        if self.cursor is not None:  # every cursor of ours names an entry; the first page has none
            try:
                at = _parse(str(self.cursor.position or ""))
            except ValueError as error:
                raise NotFound(self.invalid_cursor_message) from error
        backwards = bool(self.cursor and self.cursor.reverse)
        keys_first = KeysFirstQuerySet(queryset.model, query=queryset.query.chain(), using=queryset.db)
        ordered: QuerySet[PracticeLog] = keys_first.order_by(*(("date", "id") if backwards else ORDERING))
        if at is not None:
            ordered = ordered.filter(_beyond(*at, older=not backwards))
        rows = list(ordered[: self.page_size + 1])
        page = rows[: self.page_size]
        more = len(rows) > len(page)
        self.page = list(reversed(page)) if backwards else page
        # Beyond the page in the direction read: ``more``; on the side the cursor came from: whatever it
        # came from (the first page, with no cursor, has nothing before it).
        self.has_next, self.has_previous = (at is not None, more) if backwards else (more, at is not None)
        self.display_page_controls = self.has_next or self.has_previous
        return self.page

    def get_next_link(self) -> str | None:
        if not self.has_next or not self.page:
            return None
        # DRF's stubs type the position as an int; DRF itself writes any string into the cursor.
        return self.encode_cursor(Cursor(offset=0, reverse=False, position=_position(self.page[-1])))  # type: ignore[arg-type]

    def get_previous_link(self) -> str | None:
        if not self.has_previous or not self.page:
            return None
        return self.encode_cursor(Cursor(offset=0, reverse=True, position=_position(self.page[0])))  # type: ignore[arg-type]
