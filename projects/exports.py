"""The performance reward report as a file (XLSX, PDF) and its chart (inline SVG geometry).

XLSX cells holding text are written as text cells (``data_type = "s"``), never formulas, whatever the
text starts with (see ``core.spreadsheets``: XLSX needs no neutraliser, the cell type does the job).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from core.pdf import render_pdf
from projects.models import Scale
from projects.selectors import RankRow, RewardReport

CHART_WIDTH, CHART_HEIGHT, BAR_AREA = 560, 220, 170
SCALE_COLOURS = {Scale.SMALL: "#2e7d32", Scale.MEDIUM: "#f9a825", Scale.LARGE: "#1565c0"}


def scale_chart(report: RewardReport) -> dict[str, Any]:
    """Bars per year for points from small, medium and large projects (so the office sees whether small
    projects are in fact rewarded): coordinates for an inline SVG, no script."""
    years = list(report.by_year_scale.items())
    top = max([v for _, by in years for v in by.values()] + [Decimal("1")])
    group = (CHART_WIDTH - 40) / max(len(years), 1)
    bar = min(28.0, group / 4)
    bars, labels = [], []
    for index, (year, by_scale) in enumerate(years):
        left = 40 + index * group + (group - 3 * bar) / 2
        labels.append({"x": round(left + 1.5 * bar, 1), "text": str(year)})
        for offset, scale in enumerate(Scale.values):
            value = by_scale.get(scale, Decimal("0"))
            height = float(value / top) * BAR_AREA if value > 0 else 0.0
            bars.append(
                {
                    "x": round(left + offset * bar, 1),
                    "y": round(10 + BAR_AREA - height, 1),
                    "w": round(bar - 2, 1),
                    "h": round(height, 1),
                    "colour": SCALE_COLOURS[Scale(scale)],
                    "label": f"{year} {Scale(scale).label}: {value}",
                }
            )
    legend = [{"scale": Scale(s).label, "colour": SCALE_COLOURS[Scale(s)]} for s in Scale.values]
    totals = {
        str(Scale(s).label): sum((by.get(s, Decimal("0")) for _, by in years), Decimal("0")) for s in Scale.values
    }
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "axis_y": 10 + BAR_AREA,
        "bars": bars,
        "labels": labels,
        "legend": legend,
        "top": top,
        "totals": totals,
        "empty": not years,
    }


def _rank_rows(rows: list[RankRow]) -> list[list[Any]]:
    return [[r.rank, r.name, r.total, r.small, r.medium, r.large, r.outputs, r.awards] for r in rows]


def report_xlsx(report: RewardReport) -> bytes:
    """The report as a workbook: one sheet per ranking and one with every award behind them."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    header = [
        _("Rank"),
        _("Name"),
        _("Points"),
        _("From small projects"),
        _("From medium projects"),
        _("From large projects"),
        _("From outputs"),
        _("Awards"),
    ]
    for title, rows in (
        (_("People"), report.people),
        (_("Tutors' teams"), report.tutors),
        (_("Supervisors' teams"), report.supervisors),
        (_("Partners"), report.partners),
    ):
        sheet = workbook.create_sheet(title[:31])
        sheet.append(header)
        for values in _rank_rows(rows):
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in values])
        _text_cells(sheet)
    sheet = workbook.create_sheet(_("Breakdown")[:31])
    sheet.append(
        [_("Person"), _("Year"), _("Project"), _("Scale"), _("For"), _("Output"), _("Role"), _("Scheme"), _("Points")]
    )
    names = {r.key: r.name for r in report.people}
    for person, awards in report.breakdown.items():
        for award in awards:
            sheet.append(
                [
                    names.get(person, str(person)),
                    award.year,
                    award.project.title_en,
                    award.get_scale_display(),
                    award.get_source_display(),
                    award.output.title if award.output else "",
                    award.get_role_display(),
                    award.scheme.label,
                    float(award.points),
                ]
            )
    _text_cells(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text_cells(sheet: Any) -> None:
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula


def report_pdf(report: RewardReport) -> bytes:
    """The report as a PDF (the rankings, the chart and the breakdown), through ``core.pdf``."""
    names = {r.key: r.name for r in report.people}
    breakdown = [(names.get(person, str(person)), awards) for person, awards in report.breakdown.items()]
    return render_pdf(
        "projects/pdf/report.html", {"report": report, "chart": scale_chart(report), "breakdown": breakdown}
    )
