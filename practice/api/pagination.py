"""Cursor pages of practice-hour entries, newest first, each cursor at one entry's ``(date, id)``.

DRF's ``CursorPagination`` places a cursor by the ordering's first field alone and steps over the rows that
share that value with an offset. Entries share dates by the dozen (by the thousand for the office), so a page
that ended inside a date went wrong twice: an entry logged on that date while someone paged moved the offset
(the next page repeated rows), and walking back with ``previous`` skipped some rows and repeated others. Here a
cursor is the boundary entry's date and id, which no other entry shares, and a page is the entries strictly
beyond it in the list's order. There is no offset, so nothing added or withdrawn elsewhere moves a page.

A page reached with a cursor can be empty: the rows beyond the cursor left the reader's scope (a supervisor
replaced, entries moved) since the link was made. Its links still lead back towards the data: from the cursor's
own place, the way it came (``previous`` after reading forward, ``next`` after reading back), to the rows up to
and including the cursor's entry. A client reading an empty page follows them instead of starting over.
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
    return _at(entry.date, entry.pk)


def _at(day: datetime.date, key: int) -> str:
    return f"{day.isoformat()}.{key}"


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
        if self.cursor is not None:  # every cursor of ours is a place (date, id); the first page has none
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
        if not self.has_next:
            return None
        position = _position(self.page[-1]) if self.page else self._back_from_empty(reverse=False)
        # DRF's stubs type the position as an int; DRF itself writes any string into the cursor.
        return self.encode_cursor(Cursor(offset=0, reverse=False, position=position))  # type: ignore[arg-type]

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        position = _position(self.page[0]) if self.page else self._back_from_empty(reverse=True)
        return self.encode_cursor(Cursor(offset=0, reverse=True, position=position))  # type: ignore[arg-type]

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """DRF's page schema, its links described: an empty page still has a link back (the module's docstring)."""
        paged: dict[str, Any] = super().get_paginated_response_schema(schema)
        links = paged["properties"]
        links["next"]["description"] = (
            "The next page (older entries), or null when there is none. On an empty page reached through a "
            "`previous` link: the way back to the entries from the cursor on."
        )
        links["previous"]["description"] = (
            "The page before (newer entries), or null on the first page. On an empty page reached through a "
            "`next` link: the way back to the entries up to the cursor."
        )
        links["results"]["description"] = (
            "Empty when the user may see no matching entry or, on a page reached with a cursor, none beyond it."
        )
        return paged

    def _back_from_empty(self, *, reverse: bool) -> str:
        """The place of the link back from an empty page: just beyond the cursor's own ``(date, id)`` (an id
        one past it on the same date), so that the page read from there includes the cursor's entry. That
        entry ended the page the client came from; a link from its own place would leave it out. No query:
        the place is the cursor's. Only a page reached with a cursor is empty with a link to give."""
        assert self.cursor is not None  # an empty page without a cursor has no link (``has_*`` is False)
        day, key = _parse(str(self.cursor.position))
        return _at(day, key - 1 if reverse else key + 1)
