"""The coverage matrix as an XLSX workbook (text cells, so nothing in it runs as a formula)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from curriculum.models import CoverageLevel
from curriculum.selectors import CoverageMatrix


def coverage_xlsx(matrix: CoverageMatrix) -> bytes:
    """One row per objective, one column per course or placement partner, the level in words, then the flags."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Coverage")[:31]
    header = [
        _("Objective"),
        _("Kind"),
        *[f"{c.label} ({_('placement') if c.kind == 'placement' else c.kind})" for c in matrix.columns],
        _("Flags"),
    ]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    labels = dict(CoverageLevel.choices)
    for row in matrix.rows:
        values = [
            f"{row.objective.code} {row.objective.description}",
            str(row.objective.get_kind_display()),
            *[str(labels[level]) if level else "" for level in row.cells],
            " ".join(str(flag) for flag in row.flags),
        ]
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
