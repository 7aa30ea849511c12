"""The checklist results by aspect and their chart: a stacked bar per aspect, as an inline SVG that the
page and the PDF show alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.pdf import SVG_FONT_FAMILY
from supervision.models import Aspect, Rating

#: The ratings in the order the chart stacks them.
RATING_ORDER: tuple[str, ...] = (Rating.CONFORMING, Rating.MINOR_GAP, Rating.MAJOR_GAP, Rating.NOT_APPLICABLE)
#: Chart colours, as SVG presentation attributes: WeasyPrint (70) does not apply a document's stylesheets
#: to inline SVG, so the PDF needs them in the SVG itself; on the page, static/css/supervision-report.css
#: overrides them through the classes (a presentation attribute is not an inline style, so CSP is kept).
RATING_FILL: dict[str, str] = {
    Rating.CONFORMING: "#198754",
    Rating.MINOR_GAP: "#ffc107",
    Rating.MAJOR_GAP: "#dc3545",
    Rating.NOT_APPLICABLE: "#adb5bd",
}
#: Count labels on light segments are dark, for contrast.
COUNT_FILL: dict[str, str] = {Rating.MINOR_GAP: "#222", Rating.NOT_APPLICABLE: "#222"}


@dataclass(frozen=True)
class AspectSummary:
    """Checklist results of one aspect: how many items got each rating, and the items themselves."""

    aspect: str
    label: str
    counts: dict[str, int]
    items: tuple[dict[str, Any], ...] = ()

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def conforming_percent(self) -> int:
        """Conforming share of the rated items that apply (n.a. left out), rounded down."""
        applicable = self.total - self.counts.get(Rating.NOT_APPLICABLE, 0)
        return (100 * self.counts.get(Rating.CONFORMING, 0)) // applicable if applicable else 0

    @property
    def segments(self) -> list[dict[str, Any]]:
        """The ratings with a count, in chart order (for the lists' stacked bars)."""
        total = self.total or 1
        labels = dict(Rating.choices)
        return [
            {
                "rating": rating,
                "label": labels[rating],
                "count": self.counts.get(rating, 0),
                "percent": (100 * self.counts.get(rating, 0)) // total,
            }
            for rating in RATING_ORDER
            if self.counts.get(rating, 0)
        ]


def summarise_aspects(rows: Iterable[tuple[str, str, int]]) -> list[AspectSummary]:
    """Every aspect in order, with its counts per rating, from ``(aspect, rating, count)`` rows."""
    counts: dict[str, dict[str, int]] = {aspect: {} for aspect in Aspect.values}
    for aspect, rating, number in rows:
        counts.setdefault(aspect, {})
        counts[aspect][rating] = counts[aspect].get(rating, 0) + number
    labels = dict(Aspect.choices)
    return [AspectSummary(aspect=a, label=str(labels.get(a, a)), counts=counts[a]) for a in counts]


def aspect_chart_svg(results: Sequence[AspectSummary]) -> SafeString:
    """A stacked bar per aspect (conforming, minor gap, major gap, not applicable), as an SVG string.

    Built by hand, every label escaped, no script, no style element and no external reference, so it can
    be inlined in the page (CSP 'self') and in the PDF alike. Colours: see ``RATING_FILL``.
    """
    label_w, bar_w, count_w, row_h, top = 150, 380, 110, 30, 8
    legend_h = 26
    width = label_w + bar_w + count_w
    height = top + row_h * max(len(results), 1) + legend_h + 6
    rating_labels = dict(Rating.choices)
    title = escape(_("Checklist results by aspect"))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{title}" font-family="{SVG_FONT_FAMILY}">',
        f"<title>{title}</title>",
    ]
    for index, row in enumerate(results):
        y = top + index * row_h
        out.append(
            f'<text class="chart-label" x="0" y="{y + 18}" font-size="12" fill="#222">{escape(row.label)}</text>'
        )
        out.append(f'<rect class="chart-track" x="{label_w}" y="{y + 4}" width="{bar_w}" height="18" fill="#eef1f4"/>')
        x = float(label_w)
        total = row.total
        for rating in RATING_ORDER:
            count = row.counts.get(rating, 0)
            if not count or not total:
                continue
            w = bar_w * count / total
            name = escape(str(rating_labels[rating]))
            out.append(
                f'<rect class="chart-{rating}" x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="18" '
                f'fill="{RATING_FILL[rating]}"><title>{name}: {count}</title></rect>'
            )
            if w >= 18:
                out.append(
                    f'<text class="chart-count" x="{x + w / 2:.1f}" y="{y + 17}" font-size="11" '
                    f'text-anchor="middle" fill="{COUNT_FILL.get(rating, "#fff")}">{count}</text>'
                )
            x += w
        summary = (
            escape(
                _("%(conforming)d of %(total)d conforming")
                % {
                    "conforming": row.counts.get(Rating.CONFORMING, 0),
                    "total": total,
                }
            )
            if total
            else escape(_("not rated"))
        )
        out.append(
            f'<text class="chart-total" x="{label_w + bar_w + 8}" y="{y + 18}" font-size="11" fill="#555">'
            f"{summary}</text>"
        )
    legend_y = top + row_h * max(len(results), 1) + 6
    x = float(label_w)
    for rating in RATING_ORDER:
        name = escape(str(rating_labels[rating]))
        out.append(
            f'<rect class="chart-{rating}" x="{x:.1f}" y="{legend_y}" width="12" height="12" '
            f'fill="{RATING_FILL[rating]}"/>'
        )
        out.append(
            f'<text class="chart-legend" x="{x + 16:.1f}" y="{legend_y + 11}" font-size="11" fill="#222">{name}</text>'
        )
        x += 16 + 7.5 * len(name) + 14
    out.append("</svg>")
    # Safe: every piece of text above went through escape(); numbers are formatted by us.
    return mark_safe("".join(out))  # noqa: S308
