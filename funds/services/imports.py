"""Import of expenditures from a partner's finance-system export (CSV or XLSX) into one allocation.

Two steps, as the students' import (``students.services.imports``, whose file reading and upload stash this
module reuses): ``expenditures_import_preview`` reads and checks every row and writes nothing;
``expenditures_import`` re-reads the same stored file, checks it again, and records every new row in one
transaction, or none (any row in error refuses the whole file). Each row names its ``reference`` in the
finance system: a reference already imported into the allocation is skipped, so importing the same file twice
adds nothing. Columns: ``reference``, ``date`` (YYYY-MM-DD), ``category`` (code, English or Chinese name),
``amount``, ``payee``, and optionally ``description`` and ``student_number`` (for a stipend). Flags are
computed once, after the rows.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from funds.models import Allocation, Category, Expenditure
from funds.services.flags import flags_refresh
from funds.services.ledger import ExpenditureInput, _check_expenditure, expenditure_create
from partners import access
from students.models import Student
from students.services.imports import MAX_ROWS, MAX_UPLOAD_BYTES, XLSX_MAGIC, _read_csv, _read_xlsx

COLUMNS = ("reference", "date", "category", "amount", "payee", "description", "student_number")
REQUIRED = ("reference", "date", "category", "amount", "payee")


class RowStatus:
    NEW = "new"
    IMPORTED = "imported"
    ERROR = "error"


@dataclass
class ImportRow:
    number: int
    values: dict[str, str]
    status: str = RowStatus.NEW
    errors: list[str] = field(default_factory=list)
    entry: ExpenditureInput | None = None


@dataclass
class ImportPreview:
    rows: list[ImportRow]

    @property
    def is_valid(self) -> bool:
        return not any(row.status == RowStatus.ERROR for row in self.rows)

    @property
    def new_count(self) -> int:
        return sum(1 for row in self.rows if row.status == RowStatus.NEW)

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.status == RowStatus.ERROR)

    @property
    def imported_count(self) -> int:
        return sum(1 for row in self.rows if row.status == RowStatus.IMPORTED)


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _category_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, label in Category.choices:
        names[code.casefold()] = code
        names[str(label).casefold()] = code
        with translation.override("zh-hans"):
            names[str(label).casefold()] = code
    return names


def _rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    if len(data) > MAX_UPLOAD_BYTES:
        raise _file_error(_("The file is too large: at most 2 MB."))
    if not data.strip():
        raise _file_error(_("The file is empty."))
    raw = _read_xlsx(data) if data.startswith(XLSX_MAGIC) else _read_csv(data)
    raw = [(number, cells) for number, cells in raw if any(cells)]
    if not raw:
        raise _file_error(_("The file is empty."))
    header = [re.sub(r"[\s\-]+", "_", cell.strip().lower()) for cell in raw[0][1]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise _file_error(
            _("Missing required columns: %(columns)s. The first row must name the columns.")
            % {"columns": ", ".join(missing)}
        )
    if len(raw) - 1 > MAX_ROWS:
        raise _file_error(_("The file has more than %(max)s rows: split it into smaller files.") % {"max": MAX_ROWS})
    rows = []
    for number, cells in raw[1:]:
        values = {name: "" for name in COLUMNS}
        for index, cell in enumerate(cells):
            if index < len(header) and header[index] in values:
                values[header[index]] = cell.strip()
        rows.append((number, values))
    return rows


def _check(allocation: Allocation, rows: list[tuple[int, dict[str, str]]], today: datetime.date) -> ImportPreview:
    categories = _category_names()
    references = [values["reference"] for _n, values in rows]
    imported = set(
        Expenditure.objects.filter(allocation=allocation, import_key__in=references).values_list(
            "import_key", flat=True
        )
    )
    numbers = {values["student_number"] for _n, values in rows if values["student_number"]}
    students = {s.student_number: s for s in Student.objects.filter(student_number__in=numbers)}
    seen: dict[str, int] = {}
    result = []
    for number, values in rows:
        row = ImportRow(number=number, values=values)
        result.append(row)
        reference = values["reference"]
        if not reference:
            row.errors.append(_("The reference is missing."))
        elif reference in seen:
            row.errors.append(_("The reference is also on row %(row)s.") % {"row": seen[reference]})
        else:
            seen[reference] = number
        if reference in imported:
            row.status = RowStatus.IMPORTED
            continue
        try:
            day = datetime.date.fromisoformat(values["date"])
        except ValueError:
            row.errors.append(_("The date must read YYYY-MM-DD."))
            day = None
        category = categories.get(values["category"].casefold())
        if category is None:
            row.errors.append(_("Unknown category: %(code)s.") % {"code": values["category"]})
        try:
            amount = Decimal(values["amount"].replace(",", ""))
        except InvalidOperation:
            row.errors.append(_("The amount must be a number."))
            amount = None
        student = None
        if values["student_number"]:
            student = students.get(values["student_number"])
            if student is None:
                row.errors.append(_("No student has this number."))
        if not row.errors and day is not None and category is not None and amount is not None:
            entry = ExpenditureInput(
                allocation=allocation,
                category=category,
                date=day,
                amount=amount,
                payee=values["payee"],
                description=values["description"],
                student=student,
            )
            try:
                _check_expenditure(entry, today=today)
                row.entry = entry
            except ValidationError as error:
                row.errors.extend(error.messages)
        if row.errors:
            row.status = RowStatus.ERROR
    return ImportPreview(rows=result)


def expenditures_import_preview(
    *, allocation: Allocation, data: bytes, by: User, today: datetime.date | None = None
) -> ImportPreview:
    """Every row of the file checked: new, already imported, or in error (with why). Writes nothing."""
    access.require(by, "import", allocation)
    allocation = Allocation.objects.select_related("fund").get(pk=allocation.pk)
    return _check(allocation, _rows(data), today or timezone.localdate())


class ImportRefused(ValidationError):
    """The file has rows in error: nothing was imported."""


@transaction.atomic
def expenditures_import(
    *, allocation: Allocation, data: bytes, by: User, today: datetime.date | None = None
) -> list[Expenditure]:
    """Record every new row of the file, or none; rows already imported are skipped. Returns the new
    entries. Flags are computed once, after them."""
    access.require(by, "import", allocation)
    allocation = Allocation.objects.select_for_update(of=("self",)).select_related("fund").get(pk=allocation.pk)
    preview = _check(allocation, _rows(data), today or timezone.localdate())
    if not preview.is_valid:
        raise ImportRefused(_("%(count)s rows have errors: nothing was imported.") % {"count": preview.error_count})
    created = []
    for row in preview.rows:
        if row.status == RowStatus.NEW and row.entry is not None:
            created.append(
                expenditure_create(
                    entry=row.entry, by=by, import_key=row.values["reference"], check_flags=False, today=today
                )
            )
    if created:
        flags_refresh(allocation_ids=[allocation.pk], today=today)
    return created
