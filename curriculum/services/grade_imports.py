"""Grades from a CSV or XLSX file: a preview with each row's errors, then all rows or none.

The file names a student by ``student_number`` and gives a ``grade`` (a percentage, or pass/fail for a
pass/fail course). The preview checks every row as the import would; the import re-reads and re-checks the
same rows and refuses the whole file if any row has an error (nothing is written). Cells exported with the
formula neutraliser are read back without it (``core.spreadsheets``).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.spreadsheets import unneutralise
from core.validation import first_error
from curriculum.models import Enrolment, EnrolmentStatus, Grade, Offering
from curriculum.services.grades import grade_record, grade_values, parse_grade
from partners import access

MAX_UPLOAD_BYTES = 1024 * 1024
MAX_ROWS = 1000
XLSX_MAGIC = b"PK\x03\x04"
COLUMNS = ("student_number", "grade")


@dataclass
class GradeRow:
    """One row of the file: whom it grades, the grade, and why it cannot be imported (if so)."""

    line: int
    student_number: str
    grade_text: str
    name: str = ""
    percentage: Decimal | None = None
    passed: bool | None = None
    enrolment_id: int | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class GradePreview:
    rows: list[GradeRow]

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and self.error_count == 0


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read(data: bytes) -> list[tuple[int, list[str]]]:
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": [_("The file is too large: at most 1 MB.")]})
    if data.startswith(XLSX_MAGIC):
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = [
                (number, [_cell(cell) for cell in cells])
                for number, cells in enumerate(sheet.iter_rows(max_col=10, values_only=True), start=1)
            ]
            workbook.close()
        except (zipfile.BadZipFile, IndexError, KeyError, OSError, ValueError):
            raise ValidationError({"file": [_("The file looks like an XLSX workbook but cannot be read.")]}) from None
        return rows
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": [_("Save the file as CSV UTF-8 or XLSX.")]}) from None
    delimiter = max((",", ";", "\t"), key=text.split("\n", 1)[0].count)
    return [
        (number, [unneutralise(cell.strip()) for cell in cells])
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)
    ]


def _rows(data: bytes) -> list[GradeRow]:
    raw = [(number, cells) for number, cells in _read(data) if any(cells)]
    if not raw:
        raise ValidationError({"file": [_("The file is empty.")]})
    header = [cell.strip().lower().replace(" ", "_") for cell in raw[0][1]]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise ValidationError({"file": [_("Missing required columns: %(columns)s.") % {"columns": ", ".join(missing)}]})
    if len(raw) - 1 > MAX_ROWS:
        raise ValidationError({"file": [_("The file has more than %(max)s rows.") % {"max": MAX_ROWS}]})
    at = {name: header.index(name) for name in COLUMNS}
    rows = []
    for number, cells in raw[1:]:
        padded = [*cells, *[""] * len(header)]
        rows.append(GradeRow(line=number, student_number=padded[at["student_number"]], grade_text=padded[at["grade"]]))
    return rows


def grade_import_preview(*, offering: Offering, data: bytes, by: User) -> GradePreview:
    """What importing the file would do, row by row, with each row's errors (nothing is written)."""
    access.require(by, "grade", offering)
    rows = _rows(data)
    course = offering.course
    enrolments = {
        e.student.student_number: e
        for e in Enrolment.objects.filter(offering=offering, status=EnrolmentStatus.ENROLLED).select_related(
            "student__user"
        )
    }
    locked = set(
        Grade.objects.filter(enrolment__offering=offering, status="submitted").values_list(
            "enrolment__student__student_number", flat=True
        )
    )
    seen: dict[str, int] = {}
    for row in rows:
        enrolment = enrolments.get(row.student_number)
        if enrolment is None:
            row.errors.append(_("No student with this number is enrolled in this offering."))
        else:
            row.enrolment_id, row.name = enrolment.pk, enrolment.student.user.display_name
            if row.student_number in locked:
                row.errors.append(_("This student's grade is submitted and locked: correct it with a reason."))
        if row.student_number in seen:
            row.errors.append(_("The same student is on row %(line)s.") % {"line": seen[row.student_number]})
        seen.setdefault(row.student_number, row.line)
        try:
            row.percentage, row.passed = parse_grade(row.grade_text, course)
            grade_values(course=course, percentage=row.percentage, passed=row.passed)
        except ValidationError as error:
            row.errors.append(first_error(error)[2])
    return GradePreview(rows=rows)


@transaction.atomic
def grade_import(*, offering: Offering, data: bytes, by: User, submit: bool = False) -> int:
    """Import every row of the file, or none: a file with any row in error is refused whole. Returns how
    many grades were entered."""
    preview = grade_import_preview(offering=offering, data=data, by=by)
    if not preview.ok:
        raise ValidationError(
            {"file": [_("%(count)s rows have errors; nothing was imported.") % {"count": preview.error_count}]}
        )
    for row in preview.rows:
        grade_record(
            enrolment=Enrolment(pk=row.enrolment_id),
            by=by,
            percentage=row.percentage,
            passed=row.passed,
            submit=submit,
        )
    return len(preview.rows)
