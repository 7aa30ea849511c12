"""The plan's timeline as a view-model: lanes, bars, ticks and milestone markers in SVG user units, laid
out on the server so that the page and its PDF need no script.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from partners.models import Partner, PartnerKind
from students.models import Milestone, MilestoneStatus, Placement, PlacementStatus, Student

#: Bar colours of the timeline per partner kind (SVG ``fill`` attributes: the CSP forbids inline styles,
#: and the PDF renders the same partial without the site's stylesheet).
PARTNER_KIND_COLOURS: dict[str, str] = {
    PartnerKind.UNIVERSITY: "#2f5d9e",
    PartnerKind.HOSPITAL: "#b03a2e",
    PartnerKind.ENTERPRISE: "#9a6a00",
    PartnerKind.RESEARCH_INSTITUTE: "#1e7a46",
}
OTHER_KIND_COLOUR = "#5f6b76"

#: Marker colours of milestones per displayed status (pending, late, done, waived).
MILESTONE_COLOURS: dict[str, str] = {
    "pending": "#2f5d9e",
    "late": "#c0392b",
    MilestoneStatus.DONE: "#1e7a46",
    MilestoneStatus.WAIVED: "#8a949e",
}

# Timeline geometry, in SVG user units (the SVG scales to the page width; on phones it scrolls).
TL_WIDTH = 1000
TL_LABEL = 170
TL_RIGHT = 12
TL_HEAD = 40
TL_LANE = 30
TL_BAR = 20
TL_MILESTONE_LANE = 54


@dataclass
class TimelineBar:
    placement: Placement
    x: float
    y: float
    width: float
    colour: str
    #: How many characters of the site's name fit inside the bar (0: none, the bar is too short).
    label_chars: int
    text_x: float
    text_y: float
    #: Where the bar starts and how long it is, in per cent of the programme's span: the PDF draws it as a
    #: plain bar in a table row (students/pdf/_timeline.html) rather than as the page's SVG.
    offset_pct: float = 0.0
    span_pct: float = 0.0


@dataclass
class TimelineLane:
    partner: Partner
    y: float
    text_y: float
    shaded: bool
    bars: list[TimelineBar]


@dataclass
class TimelineTick:
    day: datetime.date
    x: float
    text_x: float
    labelled: bool
    show_year: bool


@dataclass
class TimelineMarker:
    milestone: Milestone
    x: float
    y: float
    label_y: float
    anchor: str
    status: str
    status_label: str
    colour: str
    points: str
    #: The due date's place in per cent of the programme's span (the PDF's milestone rows).
    offset_pct: float = 0.0


@dataclass
class Timeline:
    """The plan as a picture: one lane per partner with its placements as bars over the months of the
    programme, milestones as markers below, and a line for today. Coordinates are SVG user units."""

    start: datetime.date
    end: datetime.date
    width: int
    height: float
    chart_left: int
    chart_right: int
    head: int
    lanes: list[TimelineLane]
    ticks: list[TimelineTick]
    markers: list[TimelineMarker]
    milestone_y: float
    milestone_text_y: float
    empty_text_y: float
    today_x: float | None
    legend: list[tuple[str, str]]
    milestone_legend: list[tuple[str, str]]


def milestone_status_label(status: str) -> str:
    """A milestone's displayed status (pending, late, done, waived) in words."""
    if status == "late":
        return _("Late")
    return str(MilestoneStatus(status).label)


def _month_starts(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    day = start.replace(day=1)
    months = []
    while day <= end:
        if day >= start:
            months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def plan_timeline(
    *, student: Student, placements: list[Placement], milestones: list[Milestone], today: datetime.date
) -> Timeline:
    """Lay the plan out over the programme's months (server-side, so the page needs no script)."""
    start = student.enrolled_on
    end = student.programme_end
    span = max((end - start).days + 1, 1)
    chart_left, chart_right = TL_LABEL, TL_WIDTH - TL_RIGHT
    chart_width = chart_right - chart_left

    def x_of(day: datetime.date) -> float:
        offset = min(max((day - start).days, 0), span)
        return round(chart_left + chart_width * offset / span, 1)

    def pct_of(day: datetime.date) -> float:
        return round(100 * min(max((day - start).days, 0), span) / span, 2)

    lanes: list[TimelineLane] = []
    by_partner: dict[int, TimelineLane] = {}
    live = [p for p in placements if p.status != PlacementStatus.CANCELLED]
    for placement in live:
        lane = by_partner.get(placement.partner_id)
        if lane is None:
            y = TL_HEAD + len(lanes) * TL_LANE
            lane = TimelineLane(partner=placement.partner, y=y, text_y=y + 19, shaded=len(lanes) % 2 == 0, bars=[])
            by_partner[placement.partner_id] = lane
            lanes.append(lane)
        left = x_of(placement.start_date)
        width = max(x_of(placement.end_date + datetime.timedelta(days=1)) - left, 3.0)
        bar_y = lane.y + (TL_LANE - TL_BAR) / 2
        lane.bars.append(
            TimelineBar(
                placement=placement,
                x=left,
                y=bar_y,
                width=round(width, 1),
                colour=PARTNER_KIND_COLOURS.get(placement.partner.kind, OTHER_KIND_COLOUR),
                # Roughly 6.5 units per character at the 11-unit font: longer names are truncated.
                label_chars=int((width - 10) / 6.5) if width > 45 else 0,
                text_x=round(left + 5, 1),
                text_y=bar_y + 14,
                offset_pct=pct_of(placement.start_date),
                # At least a sliver, so a placement of a few days still shows on paper.
                span_pct=max(
                    pct_of(placement.end_date + datetime.timedelta(days=1)) - pct_of(placement.start_date), 0.5
                ),
            )
        )

    months = _month_starts(start, end)
    step = 1 if len(months) <= 15 else 3 if len(months) <= 40 else 6
    ticks = [
        TimelineTick(
            day=month,
            x=x_of(month),
            text_x=round(x_of(month) + 3, 1),
            labelled=(month.month - 1) % step == 0,
            show_year=month.month == 1 or index == 0,
        )
        for index, month in enumerate(months)
    ]

    milestone_y = TL_HEAD + max(len(lanes), 1) * TL_LANE + 14
    markers = []
    for index, milestone in enumerate(milestones):
        status = milestone.display_status
        x, y = x_of(milestone.due_date), milestone_y + 8
        anchor = "end" if x > chart_right - 45 else "start" if x < chart_left + 45 else "middle"
        markers.append(
            TimelineMarker(
                milestone=milestone,
                x=x,
                y=y,
                label_y=y + 22 if index % 2 == 0 else y + 35,
                anchor=anchor,
                status=status,
                status_label=milestone_status_label(status),
                colour=MILESTONE_COLOURS.get(status, MILESTONE_COLOURS["pending"]),
                points=f"{x},{y - 7} {x + 7},{y} {x},{y + 7} {x - 7},{y}",
                offset_pct=pct_of(milestone.due_date),
            )
        )

    kinds_shown = sorted({lane.partner.kind for lane in lanes})
    legend = [(str(PartnerKind(kind).label), PARTNER_KIND_COLOURS.get(kind, OTHER_KIND_COLOUR)) for kind in kinds_shown]
    milestone_legend = [
        (milestone_status_label(status), colour)
        for status, colour in MILESTONE_COLOURS.items()
        if any(m.status == status for m in markers)
    ]
    return Timeline(
        start=start,
        end=end,
        width=TL_WIDTH,
        height=milestone_y + TL_MILESTONE_LANE,
        chart_left=chart_left,
        chart_right=chart_right,
        head=TL_HEAD,
        lanes=lanes,
        ticks=ticks,
        markers=markers,
        milestone_y=milestone_y,
        milestone_text_y=milestone_y + 12,
        empty_text_y=TL_HEAD + 19,
        today_x=x_of(today) if start <= today <= end else None,
        legend=legend,
        milestone_legend=milestone_legend,
    )
