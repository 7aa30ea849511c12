"""One page of a long list, with links that keep the rest of the query string (issue #19: no page lists
every row). Several lists on one page each take their own parameter (``param``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


@dataclass(frozen=True)
class Section:
    """A page of rows and the links to its neighbours (``None`` at either end). Two queries on a queryset:
    the count and the page."""

    page: Page[Any]
    previous_url: str | None
    next_url: str | None

    @property
    def rows(self) -> list[Any]:
        return list(self.page.object_list)


def paged(request: HttpRequest, rows: QuerySet[Any] | Sequence[Any], *, per_page: int, param: str = "page") -> Section:
    """The page ``request`` asks for in ``param`` (the last for a number too big, the first for anything
    that is not a number), never more than ``per_page`` rows."""
    page = Paginator(rows, per_page).get_page(request.GET.get(param))

    def link(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}"

    return Section(
        page=page,
        previous_url=link(page.previous_page_number()) if page.has_previous() else None,
        next_url=link(page.next_page_number()) if page.has_next() else None,
    )
