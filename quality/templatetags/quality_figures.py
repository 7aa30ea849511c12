"""Template helpers that show a quality report's figures: values by unit, the previous year's value and the
change, table cells (hidden ones included) and the geometry of the tables' SVG charts.

They read the figures' structure of ``quality/figures.py`` either as dataclasses (a live ``Section``, as
the dashboard computes it) or as the frozen JSON (``QualityReport.figures`` / ``public_figures``), so the
same partials (``templates/quality/_figure.html``, ``_table.html``, ``_chart.html``) draw both. The public
version marks what it suppressed with ``hidden`` (a figure, a previous-year entry) and ``hidden`` per cell
(a row): those show as "hidden", never as a number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import template
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

#: Colours of the stacked charts' segments, in column order (also legible in grey on paper).
PALETTE: tuple[str, ...] = ("#0b4f8a", "#5b9bd5", "#f0ad4e", "#d9534f", "#6f42c1", "#20c997", "#adb5bd")
#: The bars' colour.
BAR_FILL = "#0b4f8a"
#: SVG labels longer than this are cut (with "…") in the chart only: the table beside it has them in full.
LABEL_CHARS = 70


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """A field of a dataclass or a key of a dict (the figures are either)."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _number(value: float, places: int) -> str:
    """``1,234`` or ``1,234.5`` (trailing zeros dropped), the grouping both languages use."""
    if places == 0 or float(value).is_integer():
        return f"{round(value):,}"
    text = f"{value:,.{places}f}".rstrip("0").rstrip(".")
    return text


def format_value(value: Any, unit: str = "count") -> str:
    """A value as people read it in its unit: "1,234", "42.5%", "3.5 days", "¥35,000", "1,200 h",
    "12 credits", "30 points", "4.2". "—" when there is no value."""
    if value is None or value == "":
        return "—"
    number = float(value)
    if unit == "share":
        return f"{_number(number * 100, 1)}%"
    if unit == "days":
        return ngettext("%(value)s day", "%(value)s days", 1 if number == 1 else 2) % {"value": _number(number, 1)}
    if unit == "hours":
        return _("%(value)s h") % {"value": _number(number, 1)}
    if unit == "money":
        return _("¥%(value)s") % {"value": _number(number, 2)}
    if unit == "credits":
        return ngettext("%(value)s credit", "%(value)s credits", 1 if number == 1 else 2) % {
            "value": _number(number, 1)
        }
    if unit == "points":
        return ngettext("%(value)s point", "%(value)s points", 1 if number == 1 else 2) % {"value": _number(number, 1)}
    if unit == "score":
        return _number(number, 2)
    return _number(number, 1)


def format_change(delta: float, unit: str = "count") -> str:
    """A difference with its sign: "+3", "-2.5 days", "+4.1 pp" (a share's change is in percentage points)."""
    sign = "+" if delta > 0 else ("-" if delta < 0 else "±")
    size = abs(delta)
    if unit == "share":
        return _("%(sign)s%(value)s pp") % {"sign": sign, "value": _number(size * 100, 1)}
    return f"{sign}{format_value(size, unit)}"


@register.filter
def figure_value(value: Any, unit: str = "count") -> str:
    """``{{ figure.value|figure_value:figure.unit }}``: see :func:`format_value`."""
    return format_value(value, unit or "count")


@register.filter
def message(text: Any) -> str:
    """A label kept as an English message id (``gettext_noop``), translated into the active language."""
    return _(str(text)) if text else ""


@register.filter
def row_label(row: Any) -> str:
    """A row's label: translated when it is a message id (``translate``), as it is when it is data (a name)."""
    label = str(_get(row, "label", ""))
    return _(label) if _get(row, "translate", False) and label else label


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` or None (for ``figures.previous|lookup:figure.key``)."""
    if isinstance(mapping, Mapping):
        return mapping.get(key)
    return None


@register.simple_tag
def min_cell() -> int:
    """The smallest group the public version shows (``settings.QUALITY_MIN_CELL``)."""
    return int(settings.QUALITY_MIN_CELL)


@register.simple_tag
def hidden_text() -> str:
    """What a suppressed value says, for the screen reader and the reader of the PDF."""
    return _("hidden (fewer than %(n)s people)") % {"n": settings.QUALITY_MIN_CELL}


@register.simple_tag
def figure_change(figure: Any, previous: Any) -> dict[str, Any] | None:
    """The previous year's value of ``figure`` and the change, or None when there is none to show.

    ``previous`` is the frozen entry ``{"value": ..., "people": ...}`` (``hidden`` in the public version),
    or a bare number. Returns ``{"previous", "change", "direction" ("up"/"down"/"same"), "good" (True,
    False or None when neither way is better), "hidden"}`` with the values formatted in the figure's unit.
    """
    if previous is None:
        return None
    unit = _get(figure, "unit", "count") or "count"
    if isinstance(previous, Mapping):
        if previous.get("hidden"):
            return {"previous": None, "change": None, "direction": "", "good": None, "hidden": True}
        before = previous.get("value")
    else:
        before = previous
    if before is None:
        return None
    now = _get(figure, "value")
    result: dict[str, Any] = {
        "previous": format_value(before, unit),
        "change": None,
        "direction": "",
        "good": None,
        "hidden": False,
    }
    if now is None or _get(figure, "hidden", False):
        return result
    delta = round(float(now) - float(before), 6)
    result["change"] = format_change(delta, unit)
    result["direction"] = "up" if delta > 0 else ("down" if delta < 0 else "same")
    better = _get(figure, "better", "")
    if delta and better in ("higher", "lower"):
        result["good"] = (delta > 0) == (better == "higher")
    return result


@register.simple_tag
def table_cells(row: Any, columns: Sequence[Any]) -> list[dict[str, Any]]:
    """A row's cells with their column's unit: ``{"value", "text", "hidden", "unit"}`` each (a missing
    value is "—"; a suppressed one is hidden)."""
    values = list(_get(row, "values", []) or [])
    hidden = list(_get(row, "hidden", []) or [])
    cells = []
    for index, column in enumerate(columns):
        value = values[index] if index < len(values) else None
        is_hidden = bool(hidden[index]) if index < len(hidden) else False
        unit = _get(column, "unit", "count") or "count"
        cells.append(
            {
                "value": value,
                "text": "" if is_hidden else format_value(value, unit),
                "hidden": is_hidden,
                "unit": unit,
            }
        )
    return cells


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


@register.simple_tag
def table_chart(table: Any, width: int = 480) -> dict[str, Any] | None:
    """The geometry of ``table``'s chart, or None when it has no chart or nothing to draw.

    "bar": one horizontal bar per row for the first column, scaled to the largest value (to 100% for a
    share). "stacked": one bar per row with a segment per column, scaled to the largest row total, and a
    legend. Each row's label is on its own line above its bar, so a long partner name is not cut short
    by a narrow label column; hidden and missing values draw no bar and say so in words.
    """
    kind = _get(table, "chart", "")
    columns = list(_get(table, "columns", []) or [])
    rows = list(_get(table, "rows", []) or [])
    if kind not in ("bar", "stacked") or not columns or not rows:
        return None
    label_h, bar_h, gap, value_w, top = 15, 14, 9, 110, 4
    bar_w = width - value_w
    used = columns[:1] if kind == "bar" else columns
    per_row = [table_cells(row, used) for row in rows]
    if kind == "bar":
        unit = _get(columns[0], "unit", "count") or "count"
        values = [float(cells[0]["value"] or 0) if not cells[0]["hidden"] else 0.0 for cells in per_row]
        scale = max([*values, 1.0 if unit == "share" else 0.0]) or 1.0
    else:
        totals = [sum(max(float(c["value"] or 0), 0.0) for c in cells if not c["hidden"]) for cells in per_row]
        scale = max(totals) or 1.0
    out_rows = []
    y = top
    for row, cells in zip(rows, per_row, strict=True):
        label = row_label(row)
        segments = []
        x = 0.0
        for index, cell in enumerate(cells):
            if cell["hidden"] or cell["value"] is None:
                continue
            size = max(float(cell["value"]), 0.0)
            w = bar_w * size / scale
            if w <= 0:
                continue
            column_label = message(_get(used[index], "label", ""))
            segments.append(
                {
                    "x": round(x, 1),
                    "w": round(w, 1),
                    "fill": BAR_FILL if kind == "bar" else PALETTE[index % len(PALETTE)],
                    "title": f"{label}, {column_label}: {cell['text']}",
                }
            )
            x += w
        if kind == "bar":
            first = cells[0]
            text = hidden_text() if first["hidden"] else first["text"]
        else:
            shown = [c for c in cells if not c["hidden"] and c["value"] is not None]
            total = sum(float(c["value"]) for c in shown)
            unit = cells[0]["unit"] if cells else "count"
            text = format_value(total, unit) if shown else "—"
            if any(c["hidden"] for c in cells):
                text = f"{text} *"
        out_rows.append(
            {
                "label": _cut(label),
                "label_y": y + 11,
                "bar_y": y + label_h,
                "segments": segments,
                "value_x": round(x + 6, 1),
                "value_y": y + label_h + 11,
                "text": text,
            }
        )
        y += label_h + bar_h + gap
    legend: list[dict[str, Any]] = []
    if kind == "stacked":
        lx, ly = 0.0, y + 2
        for index, column in enumerate(used):
            name = message(_get(column, "label", ""))
            # A CJK character is about as wide as the font size; a Latin one about 0.6 of it.
            needed = 16 + sum(10.5 if ord(ch) > 0x2E80 else 6.5 for ch in name) + 14
            if lx and lx + needed > width:
                lx, ly = 0.0, ly + 18
            fill = PALETTE[index % len(PALETTE)]
            legend.append(
                {"x": round(lx, 1), "y": ly, "text_x": round(lx + 16, 1), "text_y": ly + 10, "text": name, "fill": fill}
            )
            lx += needed
        y = ly + 20
    return {
        "kind": kind,
        "width": width,
        "height": y + 2,
        "bar_h": bar_h,
        "bar_w": bar_w,
        "rows": out_rows,
        "legend": legend,
        "label": message(_get(table, "label", "")),
        "font_family": _svg_font_family(),
        "any_hidden": any(c["hidden"] for cells in per_row for c in cells),
    }


def _svg_font_family() -> str:
    from core.pdf import SVG_FONT_FAMILY

    return SVG_FONT_FAMILY
