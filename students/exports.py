"""Export of the students list to CSV and XLSX, in the columns the import reads (``students.services.imports``).

The caller hands in the user's scoped, filtered students (``students.selectors.student_list``). CSV is
streamed, behind a UTF-8 byte-order mark so that spreadsheet programs read Chinese names correctly; text
that a spreadsheet would run as a formula is prefixed with an apostrophe (``core.spreadsheets``), which the
import takes off again, so an unedited export imports back unchanged. In XLSX such text is a string cell.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.spreadsheets import neutralise
from students.models import Student
from students.services.imports import COLUMNS

EXPORT_COLUMNS = (*COLUMNS, "plan_status", "at_risk")


def export_values(student: Student) -> list[Any]:
    """One student as the export's columns (the import's, then plan status and at risk). Expects the
    annotations of ``students.selectors.student_list``."""
    user = student.user
    return [
        student.student_number,
        user.username,
        user.full_name or user.get_full_name(),
        user.email,
        student.programme.code,
        student.cohort.intake_year,
        student.enrolled_on,
        student.tutor.username if student.tutor is not None else "",
        student.research_direction,
        student.career_intention,
        getattr(student, "plan_status", None) or "",
        "yes" if getattr(student, "at_risk", False) else "no",
    ]


def _csv_safe(value: Any) -> str:
    """Text for a CSV cell; text that a spreadsheet would run as a formula is prefixed with an apostrophe
    (``core.spreadsheets.neutralise``), which the import removes again."""
    text = value.isoformat() if isinstance(value, datetime.date) else str(value)
    return neutralise(text)


class _Echo:
    """A file-like object that hands back what is written, for streaming ``csv.writer`` output."""

    def write(self, value: str) -> str:
        return value


def export_csv(students: QuerySet[Student]) -> Iterator[str]:
    """The students as CSV text, streamed: a BOM (so Excel reads Chinese names), the header, one line each."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow(EXPORT_COLUMNS)
    for student in students.iterator(chunk_size=500):
        yield writer.writerow([_csv_safe(value) for value in export_values(student)])


def export_xlsx(students: Iterable[Student]) -> bytes:
    """The students as an XLSX workbook (openpyxl's write-only mode: rows go straight to the file)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Students"))
    sheet.append(list(EXPORT_COLUMNS))
    for student in students:
        cells = []
        for value in export_values(student):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            elif isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
