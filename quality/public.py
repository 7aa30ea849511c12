"""The public version of a report's figures: nothing that names a person, no small cell, no hidden cell that
a shown total gives away.

``public_figures(figures)`` takes a report's frozen figures (``quality.indicators.figures_json``) and returns
a new structure of the same shape, which ``report_publish`` freezes as ``QualityReport.public_figures``:

1. figures and tables marked ``personal`` are dropped (and the previous year's value of a dropped figure);
2. every figure, table cell and previous-year value whose ``people`` is 1 to ``minimum - 1`` is hidden:
   its value becomes None and it is marked ``hidden`` (a figure or previous entry: ``"hidden": true``; a
   row: ``"hidden": [bool per column]``). Zeros and values about nobody in particular (``people`` None,
   such as a fund's budget) are shown;
3. in a row with a hidden cell, the shares are hidden too (a share and its shown denominator give back the
   count), after each step below as well;
4. complementary suppression: in an additive column (a count, hours, credits, points, money), when exactly
   one cell is hidden and the column's total is shown, the smallest other shown non-zero cell is hidden as
   well, or, when there is none, the total itself; likewise along a row when the table has a column keyed
   ``total``. A column's total is a row keyed ``total``, or any shown figure of the section whose value is
   the column's sum (the indicators give "students at risk" beside "at risk, by reason", for instance).
   Repeated until nothing changes, the rule of ``wellbeing.selectors.suppress`` (whose count-matrix
   interface does not fit tables of mixed units, so the rule is applied here to the figures' shape);
5. ``drill`` links are dropped (the public has no list behind a figure).

The result is not readable by ``quality.figures.section_from_json`` (the ``hidden`` marks are extra): the
templates read it as it is (``quality/templatetags/quality_figures.py``).
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings

#: Units whose values add up along a column (so a total minus the shown cells gives a hidden one back).
ADDITIVE_UNITS = frozenset({"count", "hours", "credits", "points", "money"})
#: The key of a total row (or column) in a table, by convention.
TOTAL_KEY = "total"
_EPSILON = 1e-6


def _small(people: Any, minimum: int) -> bool:
    return people is not None and 0 < int(people) < minimum


def public_figures(figures: dict[str, Any], minimum: int | None = None) -> dict[str, Any]:
    """The public version of ``figures`` (see the module's docstring). ``minimum`` defaults to
    ``settings.QUALITY_MIN_CELL``. Pure: ``figures`` is not changed."""
    k = int(minimum if minimum is not None else settings.QUALITY_MIN_CELL)
    data = copy.deepcopy(figures)
    kept_keys: set[str] = set()
    for section in data.get("sections", []):
        section["figures"] = [f for f in section.get("figures", []) if not f.get("personal")]
        section["tables"] = [t for t in section.get("tables", []) if not t.get("personal")]
        # The values before suppression: a total is recognised by the full sum, hidden cells included.
        before = {f["key"]: f.get("value") for f in section["figures"]}
        for figure in section["figures"]:
            kept_keys.add(figure["key"])
            figure["drill"] = ""
            figure["hidden"] = _small(figure.get("people"), k)
            if figure["hidden"]:
                figure["value"] = None
        for table in section["tables"]:
            _primary(table, k)
        _complementary(section, before)
    previous: dict[str, Any] = {}
    for key, entry in (data.get("previous") or {}).items():
        if key not in kept_keys:
            continue
        entry = dict(entry) if isinstance(entry, dict) else {"value": entry, "people": None}
        entry["hidden"] = _small(entry.get("people"), k)
        if entry["hidden"]:
            entry["value"] = None
        previous[key] = entry
    data["previous"] = previous
    data["public"] = {"minimum": k}
    return data


def _primary(table: dict[str, Any], k: int) -> None:
    """Hide the table's small cells, then the shares of each row with a hidden cell."""
    for row in table.get("rows", []):
        values = list(row.get("values", []))
        row["_full"] = list(values)
        people = list(row.get("people", []) or [])
        hidden = [_small(people[i] if i < len(people) else None, k) for i in range(len(values))]
        row["hidden"] = hidden
        row["values"] = [None if h else v for v, h in zip(values, hidden, strict=True)]
    _hide_shares(table)


class _Cell:
    """A place that can be hidden: a table cell or a figure, with its original value for the totals."""

    def __init__(self, value: Any, people: Any, hidden: bool, hide: Any) -> None:
        self.value = float(value) if value is not None else None
        self.people = people
        self.hidden = hidden
        self._hide = hide

    def hide(self) -> None:
        self.hidden = True
        self._hide()


def _table_cell(row: dict[str, Any], index: int, original: Any) -> _Cell:
    def hide() -> None:
        row["hidden"][index] = True
        row["values"][index] = None

    people_list = row.get("people") or []
    people = people_list[index] if index < len(people_list) else None
    return _Cell(original, people, bool(row["hidden"][index]), hide)


def _figure_cell(figure: dict[str, Any], original: Any) -> _Cell:
    def hide() -> None:
        figure["hidden"] = True
        figure["value"] = None

    return _Cell(original, figure.get("people"), bool(figure.get("hidden")), hide)


def _hide_line(cells: list[_Cell], totals: list[_Cell]) -> bool:
    """One line (a column's or a row's cells) and the shown places that give its total: if exactly one
    cell is hidden while a total shows, hide the smallest other shown non-zero cell, or else the totals."""
    shown_totals = [t for t in totals if not t.hidden]
    hidden = [c for c in cells if c.hidden]
    if not shown_totals or len(hidden) != 1:
        return False
    others = sorted((c for c in cells if not c.hidden and c.value), key=lambda c: (c.people or 0, c.value or 0))
    if others:
        others[0].hide()
    else:
        for total in shown_totals:
            total.hide()
    return True


def _complementary(section: dict[str, Any], figures_before: dict[str, Any]) -> None:
    """Complementary suppression over every additive column (and row, with a total column) of the section's
    tables, against the totals the section shows (see the module's docstring), until nothing changes."""
    changed = True
    while changed:
        changed = False
        for table in section["tables"]:
            changed |= _complementary_table(table, section["figures"], figures_before)
    for table in section["tables"]:
        for row in table.get("rows", []):
            row.pop("_full", None)


def _complementary_table(table: dict[str, Any], figures: list[dict[str, Any]], figures_before: dict[str, Any]) -> bool:
    columns = table.get("columns", [])
    rows = table.get("rows", [])
    changed = False
    body = [r for r in rows if r.get("key") != TOTAL_KEY]
    total_rows = [r for r in rows if r.get("key") == TOTAL_KEY]
    for index, column in enumerate(columns):
        if column.get("unit", "count") not in ADDITIVE_UNITS or column.get("key") == TOTAL_KEY:
            continue
        cells = [_table_cell(r, index, _full(r, index)) for r in body if index < len(r["values"])]
        full_sum = sum(c.value or 0.0 for c in cells)
        totals = [_table_cell(r, index, _full(r, index)) for r in total_rows if index < len(r["values"])]
        totals += [
            _figure_cell(f, figures_before.get(f["key"]))
            for f in figures
            if figures_before.get(f["key"]) is not None
            and f.get("unit", "count") == column.get("unit", "count")
            and abs(float(figures_before[f["key"]]) - full_sum) < _EPSILON
        ]
        changed |= _hide_line(cells, totals)
    changed |= _hide_shares(table)
    total_columns = [i for i, c in enumerate(columns) if c.get("key") == TOTAL_KEY]
    for row in rows:
        for t in total_columns:
            parts = [
                _table_cell(row, i, _full(row, i))
                for i, c in enumerate(columns)
                if i != t and i < len(row["values"]) and c.get("unit", "count") in ADDITIVE_UNITS
            ]
            if t < len(row["values"]):
                changed |= _hide_line(parts, [_table_cell(row, t, _full(row, t))])
    return changed


def _hide_shares(table: dict[str, Any]) -> bool:
    """Hide the shares of every row with a hidden cell (a share of a shown total gives the cell back)."""
    changed = False
    columns = table.get("columns", [])
    for row in table.get("rows", []):
        if not any(row["hidden"]):
            continue
        for i, column in enumerate(columns[: len(row["values"])]):
            if column.get("unit") == "share" and not row["hidden"][i] and row["values"][i] is not None:
                row["hidden"][i] = True
                row["values"][i] = None
                changed = True
    return changed


def _full(row: dict[str, Any], index: int) -> Any:
    full = row.get("_full") or row["values"]
    return full[index] if index < len(full) else None
