"""The shape of a quality report's figures: sections of figures and tables, frozen as JSON.

Every indicator module (``quality.indicators.<section>``) returns one :class:`Section` for a
:class:`Frame` (a programme, optionally a cohort, and a calendar year, judged as of a day). A report
freezes the sections as JSON (``QualityReport.figures``); the page, the PDF in each language, the public
version, the comparison and the dashboard are all drawn from that one structure, so a figure is computed
in exactly one place.

Labels are English message ids (marked with ``gettext_noop``) and are translated when shown, so the same
frozen figures render in English and in Chinese. Row labels that are data (a partner's name, a criterion)
are kept as they are (``Row.translate`` false).

Two fields serve the public version (``quality.public``): ``people`` (how many people a figure or cell
counts or is computed from: 1 to ``QUALITY_MIN_CELL - 1`` is a small cell and is suppressed) and
``personal`` (the figure or table names a person: never public).
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

#: How a value reads: a count, a share (0 to 1, shown as a percentage), days, hours, credits, points,
#: money (yuan), or a score (a mean rating).
Unit = Literal["count", "share", "days", "hours", "credits", "points", "money", "score"]
#: Which way is better, for the comparison's best/worst highlight ("" when neither is).
Better = Literal["higher", "lower", ""]
Value = int | float | None


@dataclass(frozen=True)
class Frame:
    """What a report is about: a programme (and a cohort, or all cohorts) over a calendar year, judged
    as of ``as_of`` (the end of the year for a past year; the day of the build for the current one)."""

    programme_id: int
    year: int
    cohort_id: int | None = None
    as_of: datetime.date | None = None

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)

    @property
    def today(self) -> datetime.date:
        """The day judgements such as "overdue" or "on track" are made on: ``as_of``, at most the year's end."""
        return min(self.as_of or self.end, self.end)

    def previous(self) -> Frame:
        """The same programme and cohort one year earlier, judged at that year's end."""
        return Frame(programme_id=self.programme_id, year=self.year - 1, cohort_id=self.cohort_id)


@dataclass
class Figure:
    """One number with its label, unit and what the public version needs to know about it.

    ``drill`` is a path (with query) to the list behind the figure (the at-risk students, the overdue
    actions): the dashboard links it, the frozen report does not."""

    key: str
    label: str
    value: Value
    unit: Unit = "count"
    people: int | None = None
    personal: bool = False
    better: Better = ""
    drill: str = ""
    note: str = ""


@dataclass
class Column:
    key: str
    label: str
    unit: Unit = "count"
    better: Better = ""


@dataclass
class Row:
    """A table row: a label and one value per column. ``people`` (one per column, or empty) counts the
    people behind each cell, for small-cell suppression."""

    label: str
    values: list[Value]
    people: list[int | None] = field(default_factory=list)
    translate: bool = False
    key: str = ""


@dataclass
class Table:
    """A breakdown (by partner, category, severity...). ``chart`` says how the page draws it beside the
    table: "bar" (the first column as horizontal bars), "stacked" (the columns stacked per row), or ""."""

    key: str
    label: str
    columns: list[Column]
    rows: list[Row]
    chart: Literal["bar", "stacked", ""] = ""
    personal: bool = False
    note: str = ""


@dataclass
class Section:
    """One part of the report (students, objectives, process, ...), in the order the registry gives."""

    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def figure(self, key: str) -> Figure | None:
        """The figure with this key, or None."""
        return next((f for f in self.figures if f.key == key), None)

    def table(self, key: str) -> Table | None:
        """The table with this key, or None."""
        return next((t for t in self.tables if t.key == key), None)


def section_to_json(section: Section) -> dict[str, Any]:
    """A section as JSON-ready data (what ``QualityReport.figures`` keeps)."""
    return asdict(section)


def section_from_json(data: dict[str, Any]) -> Section:
    """The inverse of :func:`section_to_json`."""
    return Section(
        key=data["key"],
        title=data["title"],
        figures=[Figure(**f) for f in data.get("figures", [])],
        tables=[
            Table(
                **{
                    **t,
                    "columns": [Column(**c) for c in t["columns"]],
                    "rows": [Row(**r) for r in t["rows"]],
                }
            )
            for t in data.get("tables", [])
        ],
        notes=list(data.get("notes", [])),
    )


def share(part: int | float | None, whole: int | float | None) -> float | None:
    """``part / whole`` rounded to four places, or None when there is no whole (never a division by zero)."""
    if part is None or not whole:
        return None
    return round(float(part) / float(whole), 4)
