"""Template helpers of the plan page that build repeated markup in Python.

The plan page is worked out afresh after every write to what it reads (``core.pagecache``), and its
timeline drew one month tick per month of the programme as a template loop: some fifteen template nodes a
tick (three ``{% if %}``, four variables, two date filters), over 36 to 48 months most of the page's nodes
(issue #19). A tick is a few numbers and two labels, so it is built here, to the same markup.
"""

from __future__ import annotations

from django import template
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe

from students.selectors.timeline import Timeline

register = template.Library()

_LABELLED = ("16", "#c5ccd3")
_PLAIN = ("28", "#e6eaee")


@register.simple_tag
def timeline_ticks(tl: Timeline) -> SafeString:
    """``{% timeline_ticks tl %}``: the month ticks of the plan's timeline (a line per month; the year at
    January and at the start, the month's short name where the step labels it), as SVG. Every value is a
    number or a date's year or month name (in the reader's language), none from a person: nothing to
    escape. Numbers as ``{% localize off %}`` writes them (``str``)."""
    height = tl.height
    parts = []
    for tick in tl.ticks:
        y1, stroke = _LABELLED if tick.labelled else _PLAIN
        parts.append(
            f'<line x1="{tick.x}" x2="{tick.x}" y1="{y1}" y2="{height}" stroke="{stroke}" stroke-width="1"/>\n'
        )
        if tick.show_year:
            parts.append(f'<text x="{tick.text_x}" y="12" font-weight="600" fill="#3d4751">{tick.day.year}</text>\n')
        if tick.labelled:
            month = date_format(tick.day, "M")
            parts.append(f'<text x="{tick.text_x}" y="28" fill="#5f6b76" font-size="10">{month}</text>\n')
    return mark_safe("".join(parts))  # noqa: S308
