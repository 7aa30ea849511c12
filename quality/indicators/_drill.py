"""The drill links of the figures: the address of the list behind a figure, narrowed to what it counts.

A figure counts the rows of one programme (and cohort) in one year; the list it links to shows every row in
the reader's scope unless told otherwise, so the link carries the frame's programme, its cohort where the
list can narrow by cohort, the year where the list is dated, and the figure's state ("open", "awaiting a
decision"). Each list reads these as its filter form's fields (``programmes.forms.ProgrammeFilterForm`` and
the app's own), so an office clerk who clicks "Cases awaiting a decision: 3" lands on those three cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from django.urls import reverse

from quality.figures import Frame


def drill(
    name: str,
    frame: Frame,
    *,
    args: Sequence[object] = (),
    programme: bool = True,
    cohort: bool = True,
    year: bool = False,
    **filters: str | int,
) -> str:
    """The address of the list ``name`` narrowed to ``frame``: its programme (``programme``: unless the
    address names it already), its cohort when it has one and the list filters by cohort (``cohort``), its
    year when the list is dated (``year``), and the figure's own ``filters``."""
    query: dict[str, str | int] = {}
    if programme:
        query["programme"] = frame.programme_id
    if cohort and frame.cohort_id is not None:
        query["cohort"] = frame.cohort_id
    if year:
        query["year"] = frame.year
    query.update(filters)
    path = reverse(name, args=list(args))
    return f"{path}?{urlencode(query)}" if query else path
