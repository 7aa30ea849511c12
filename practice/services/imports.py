"""A training partner's file import of practice-hour entries (issue #19, item 6; docs/decisions/0049).

A hospital or an enterprise keeps hours in its own system and uploads them as a CSV (UTF-8, with or without
the BOM Excel writes; or GB18030) or an XLSX workbook, read by the students' import's reader
(``students.services.imports``: same limits, same file errors, same stash between preview and confirmation).

The file is checked in two layers, and every row is answered:

1. **Shape, per row and column** (here, in Python): the student (``student_number`` or ``username``) among
   the placements the uploader may log hours at, the placement when the student has more than one there,
   the date, the hours or a start and an end time, the activity's code in the student's programme, the
   cases, the reference. A row repeated in the file (same reference, or the same content without one) is
   an error: the partner's system should not send one entry twice.
2. **The rules**, through the bulk service's public function (``practice_logs_bulk_create``): on
   PostgreSQL set-based (COPY into a staging table, every rule in SQL, one INSERT), row by row elsewhere.
   The rows' answers, rule codes and words are the bulk API's.

All or nothing: the file is written only when no row is refused. ``import_check`` runs the rules in a
savepoint that is always rolled back (a dry run: every row would be ``new``, ``duplicate`` or
``refused``); ``import_file`` runs them again on the stored file (the database may have changed since) and
keeps the entries only if no row was refused. Idempotency: each row goes in under an idempotency key of
the uploader (``file:<reference>``, or ``file:<hash of the row>`` when the file has no reference column),
so the same file uploaded again answers ``duplicate`` on every row and creates nothing.

The statements do not grow with the rows: the students' placements and the activities are read in one
query each, whatever the file's size; the rules are the bulk service's (a fixed number on PostgreSQL).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from core import spreadsheets
from partners import access
from practice.services.logs import BulkEntry, BulkOutcome, BulkRowStatus, practice_logs_bulk_create
from programmes.models import ActivityCategory
from students.models import Placement, PlacementStatus
from students.services.imports import MAX_ROWS, MAX_UPLOAD_BYTES, XLSX_MAGIC, _read_csv, _read_xlsx

#: The file's columns, in the template's order. The student is named by ``student_number`` or ``username``.
COLUMNS = (
    "student_number",
    "username",
    "placement",
    "date",
    "hours",
    "start_time",
    "end_time",
    "category",
    "cases",
    "description",
    "reference",
)
REQUIRED = ("date", "category")
#: Other names a partner's export may give a column (the practice export's, the API's).
ALIASES = {
    "start": "start_time",
    "end": "end_time",
    "activity": "category",
    "category_code": "category",
    "activity_code": "category",
    "idempotency_key": "reference",
    "placement_id": "placement",
}
#: A reference is kept as the entry's idempotency key, behind ``file:`` (the key holds 80 characters).
KEY_PREFIX = "file:"
MAX_REFERENCE = 64
MAX_DESCRIPTION = 2000
__all__ = [
    "COLUMNS",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "ImportRefused",
    "ImportResult",
    "ImportRow",
    "RowStatus",
    "import_check",
    "import_file",
    "may_import",
    "read_rows",
    "require_importer",
    "template_csv",
    "template_xlsx",
]


class RowStatus:
    """What a row of the file is, or became: ``new`` (checked, would be created), ``created``,
    ``duplicate`` (already imported under its key), ``error`` (refused: nothing of the file is written)."""

    NEW = "new"
    CREATED = "created"
    DUPLICATE = "duplicate"
    ERROR = "error"


@dataclass
class RowError:
    """Why a row is refused: the file's column (``""`` for the whole row), the rule's code, the words."""

    column: str
    rule: str
    message: str


@dataclass
class ImportRow:
    """One row of the file: its number (the header is row 1), what it says, and what became of it."""

    line: int
    values: dict[str, str]
    status: str = RowStatus.NEW
    errors: list[RowError] = field(default_factory=list)
    key: str = ""
    entry_id: int | None = None

    def error(self, column: str, rule: str, message: str) -> None:
        self.errors.append(RowError(column, rule, message))
        self.status = RowStatus.ERROR

    @property
    def first_error(self) -> RowError | None:
        return self.errors[0] if self.errors else None


@dataclass
class ImportResult:
    """Every row of the file and what became of it; ``written`` when the entries were kept."""

    rows: list[ImportRow]
    written: bool = False
    ignored_columns: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {
            status: self.count(status)
            for status in (RowStatus.NEW, RowStatus.CREATED, RowStatus.DUPLICATE, RowStatus.ERROR)
        }

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.count(RowStatus.ERROR)

    @property
    def has_new(self) -> bool:
        return any(row.status == RowStatus.NEW for row in self.rows)


class ImportRefused(ValidationError):
    """Some rows are refused: nothing of the file was written. ``result`` says which rows and why."""

    def __init__(self, result: ImportResult) -> None:
        count = result.count(RowStatus.ERROR)
        super().__init__(
            ngettext(
                "%(count)s row is refused: nothing was imported.",
                "%(count)s rows are refused: nothing was imported.",
                count,
            )
            % {"count": count},
            code="rows_refused",
        )
        self.result = result


# --- Who ---------------------------------------------------------------------------------------------------


def may_import(by: User) -> bool:
    """Whether ``by`` may import hours: whether they may log hours at any placement (``log`` on Placement:
    the student placed there, the placement's supervisor). The import adds no right of its own; rows at a
    placement out of that scope are refused. The pages and the API answer 404 to anybody else."""
    return access.scope(Placement.objects.all(), by, "log").exists()


def require_importer(by: User) -> None:
    """Raise ``PermissionDenied`` (recorded; a 404 to the user) unless ``by`` may import."""
    if not may_import(by):
        access.record_denial(by, "log", Placement)
        raise PermissionDenied("log not allowed")


# --- Reading the file --------------------------------------------------------------------------------------


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _column_name(value: str) -> str:
    name = re.sub(r"[\s\-]+", "_", value.strip().lower())
    return ALIASES.get(name, name)


def read_rows(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """The file's rows as text by column name, with their row numbers, and the columns ignored. Refuses
    (``ValidationError`` on ``file``) a file too large, unreadable, empty, without the columns it needs, or
    with too many rows."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise _file_error(_("The file is too large: at most 2 MB."))
    if not data.strip():
        raise _file_error(_("The file is empty."))
    raw = _read_xlsx(data) if data.startswith(XLSX_MAGIC) else _read_csv(data)
    raw = [(number, cells) for number, cells in raw if any(cells)]
    if not raw:
        raise _file_error(_("The file is empty."))
    header = [_column_name(cell) for cell in raw[0][1]]
    while header and not header[-1]:
        header.pop()
    errors = []
    duplicates = sorted({name for name in header if name and header.count(name) > 1})
    if duplicates:
        errors.append(_("These columns appear twice: %(columns)s.") % {"columns": ", ".join(duplicates)})
    missing = [name for name in REQUIRED if name not in header]
    if "student_number" not in header and "username" not in header:
        missing.insert(0, "student_number")
    if missing:
        errors.append(
            _("Missing required columns: %(columns)s. The first row must name the columns.")
            % {"columns": ", ".join(missing)}
        )
    if "hours" not in header and not ("start_time" in header and "end_time" in header):
        errors.append(_("The file needs an hours column, or start_time and end_time columns."))
    if len(raw) - 1 > MAX_ROWS:
        errors.append(_("The file has more than %(max)s rows: split it into smaller files.") % {"max": f"{MAX_ROWS:,}"})
    if len(raw) == 1:
        errors.append(_("The file has no rows under its header."))
    if errors:
        raise ValidationError({"file": errors})
    rows = []
    for number, cells in raw[1:]:
        values = {name: "" for name in COLUMNS}
        for index, cell in enumerate(cells):
            name = header[index] if index < len(header) else ""
            if name in values:
                values[name] = cell.strip()
            elif not name and cell.strip():
                values.setdefault("__extra__", cell)
        rows.append((number, values))
    ignored = [name for name in header if name and name not in COLUMNS]
    return rows, ignored


# --- Checking the rows' shape --------------------------------------------------------------------------------


@dataclass
class _Known:
    """What the database holds about the file's students and activities, read in one query each."""

    by_number: dict[str, list[Placement]]
    by_username: dict[str, list[Placement]]
    categories: dict[tuple[int, str], ActivityCategory]


def _known(rows: Sequence[tuple[int, dict[str, str]]], by: User) -> _Known:
    numbers = {v["student_number"] for _line, v in rows if v["student_number"]}
    usernames = {v["username"] for _line, v in rows if v["username"] and not v["student_number"]}
    placements = list(
        access.scope(
            Placement.objects.filter(Q(student__student_number__in=numbers) | Q(student__user__username__in=usernames)),
            by,
            "log",
        )
        .select_related("student__user")
        .order_by("start_date", "pk")
    )
    by_number: dict[str, list[Placement]] = defaultdict(list)
    by_username: dict[str, list[Placement]] = defaultdict(list)
    for placement in placements:
        by_number[placement.student.student_number].append(placement)
        by_username[placement.student.user.username].append(placement)
    programmes = {placement.student.programme_id for placement in placements}
    categories: dict[tuple[int, str], ActivityCategory] = {}
    for category in ActivityCategory.objects.filter(programme_id__in=programmes):
        categories[(category.programme_id, category.code.casefold())] = category
    return _Known(by_number=by_number, by_username=by_username, categories=categories)


def _date(row: ImportRow) -> datetime.date | None:
    text = row.values["date"]
    if not text:
        row.error("date", "required", _("This column is required."))
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return datetime.date.fromisoformat(text)
    except ValueError:
        row.error("date", "invalid", _("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": text[:40]})
        return None


def _time(row: ImportRow, column: str) -> datetime.time | None:
    text = row.values[column]
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::00)?", text)
    try:
        if match is None:
            raise ValueError
        return datetime.time(int(match[1]), int(match[2]))
    except ValueError:
        row.error(column, "invalid", _("“%(value)s” is not a time in the form HH:MM.") % {"value": text[:40]})
        return None


def _hours(row: ImportRow) -> Decimal | None:
    text = row.values["hours"]
    if not text:
        return None
    try:
        value = Decimal(text)
        if not value.is_finite() or value != value.quantize(Decimal("0.01")) or abs(value) >= 100:
            raise InvalidOperation
        return value.quantize(Decimal("0.01"))
    except InvalidOperation:
        row.error("hours", "invalid", _("“%(value)s” is not a number of hours such as 2.5.") % {"value": text[:40]})
        return None


def _cases(row: ImportRow) -> int | None:
    text = row.values["cases"]
    if not text:
        return None
    if not re.fullmatch(r"\d{1,9}", text):
        row.error("cases", "invalid", _("The cases are a whole number, 0 or more."))
        return None
    return int(text)


def _placement(row: ImportRow, known: _Known, day: datetime.date | None) -> Placement | None:
    """The placement the row is logged at: the one the ``placement`` column names, or the student's only
    placement the uploader may log at, or the only one of them that runs on the row's date."""
    number, username = row.values["student_number"], row.values["username"]
    if not number and not username:
        row.error("student_number", "required", _("Name the student: their student number or username."))
        return None
    column = "student_number" if number else "username"
    candidates = known.by_number.get(number, []) if number else known.by_username.get(username, [])
    if not candidates:
        # The same words whether the student exists or not: the file never tells who else is in Tandem.
        row.error(column, "does_not_exist", _("No such student at a placement where you may log hours."))
        return None
    named = row.values["placement"]
    if named:
        chosen = [p for p in candidates if str(p.pk) == named]
        if not chosen:
            row.error(
                "placement",
                "does_not_exist",
                _("No such placement of this student that you may log hours at: choose one of %(ids)s.")
                % {"ids": _placements_text(candidates)},
            )
            return None
        return chosen[0]
    if len(candidates) == 1:
        return candidates[0]
    live = [p for p in candidates if p.status != PlacementStatus.CANCELLED]
    running = [p for p in live if day is not None and p.start_date <= day <= p.end_date]
    if len(running) == 1:
        return running[0]
    if day is not None:  # without a date, the date's error is the row's answer
        row.error(
            "placement",
            "ambiguous",
            _("The student has several placements where you may log hours: name one in the placement column (%(ids)s).")
            % {"ids": _placements_text(candidates)},
        )
    return None


def _placements_text(placements: Sequence[Placement]) -> str:
    return ", ".join(f"{p.pk} ({p.start_date.isoformat()}/{p.end_date.isoformat()})" for p in placements)


def _row_key(row: ImportRow, placement: Placement, entry: dict[str, object]) -> str:
    """The row's idempotency key: its reference, or a hash of what it says when the file has none (so the
    same file sent again is recognised row by row)."""
    reference = row.values["reference"]
    if reference:
        return f"{KEY_PREFIX}{reference}"
    content = "\x1f".join([str(placement.pk), *(str(entry[name]) for name in sorted(entry))])
    return KEY_PREFIX + hashlib.sha256(content.encode()).hexdigest()[:40]


def _check_shape(
    rows: Sequence[tuple[int, dict[str, str]]], known: _Known
) -> tuple[list[ImportRow], list[tuple[ImportRow, BulkEntry]]]:
    """Every row's shape, and the bulk service's entries for the rows that have one."""
    result: list[ImportRow] = []
    entries: list[tuple[ImportRow, BulkEntry]] = []
    seen: dict[str, int] = {}
    for line, values in rows:
        row = ImportRow(line=line, values=values)
        result.append(row)
        if values.get("__extra__"):
            row.error("", "invalid", _("This row has more cells than the header names."))
        day = _date(row)
        placement = _placement(row, known, day)
        hours, start, end = _hours(row), _time(row, "start_time"), _time(row, "end_time")
        cases = _cases(row)
        if hours is None and not values["hours"] and not values["start_time"] and not values["end_time"]:
            row.error("hours", "required", _("Give the hours, or a start and an end time."))
        if hours is not None and start is not None and end is not None and end > start:
            minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
            span = (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"))
            if span != hours:
                row.error(
                    "hours",
                    "invalid",
                    _("The hours (%(hours)s) do not match the start and end times (%(span)s h).")
                    % {"hours": hours, "span": span},
                )
        reference = values["reference"]
        if len(reference) > MAX_REFERENCE:
            row.error("reference", "invalid", _("At most %(max)s characters.") % {"max": MAX_REFERENCE})
        if len(values["description"]) > MAX_DESCRIPTION:
            row.error("description", "invalid", _("At most %(max)s characters.") % {"max": MAX_DESCRIPTION})
        category = None
        code = values["category"]
        if not code:
            row.error("category", "required", _("This column is required."))
        elif placement is not None:
            category = known.categories.get((placement.student.programme_id, code.casefold()))
            if category is None:
                row.error(
                    "category",
                    "does_not_exist",
                    _("No activity “%(code)s” in the student's programme.") % {"code": code[:40]},
                )
        if row.status == RowStatus.ERROR or placement is None or category is None or day is None:
            continue
        fields: dict[str, object] = {
            "date": day,
            "hours": hours if start is None and end is None else None,
            "start_time": start,
            "end_time": end,
            "category_id": category.pk,
            "cases": cases,
            "description": values["description"],
        }
        row.key = _row_key(row, placement, fields)
        if row.key in seen:
            if reference:
                message = _("The reference is also on row %(row)s.") % {"row": seen[row.key]}
            else:
                message = _("This row repeats row %(row)s.") % {"row": seen[row.key]}
            row.error("reference" if reference else "", "repeated", message)
            continue
        seen[row.key] = line
        entries.append(
            (
                row,
                BulkEntry(
                    index=len(entries),
                    idempotency_key=row.key,
                    placement_id=placement.pk,
                    **fields,  # type: ignore[arg-type]
                ),
            )
        )
    return result, entries


# --- The rules, through the bulk service ---------------------------------------------------------------------

#: The file's column for each field the bulk service names.
_COLUMN_OF = {
    "placement": "placement",
    "category": "category",
    "date": "date",
    "hours": "hours",
    "start_time": "start_time",
    "end_time": "end_time",
    "cases": "cases",
    "description": "description",
}


def _apply(row: ImportRow, outcome: BulkOutcome, *, written: bool) -> None:
    if outcome.status == BulkRowStatus.CREATED:
        row.status = RowStatus.CREATED if written else RowStatus.NEW
        row.entry_id = outcome.id if written else None
    elif outcome.status == BulkRowStatus.DUPLICATE:
        row.status, row.entry_id = RowStatus.DUPLICATE, outcome.id
    else:
        column = _COLUMN_OF.get(outcome.field or "", "")
        if column == "hours" and not row.values["hours"]:
            column = "end_time"
        if column == "start_time" and not row.values["start_time"]:
            column = "hours"
        row.error(column, outcome.rule or "invalid", outcome.message or "")


def _run(rows: Sequence[tuple[int, dict[str, str]]], ignored: list[str], *, by: User, write: bool) -> ImportResult:
    """Check every row and, when ``write`` and none is refused, keep the new entries; else roll back."""
    known = _known(rows, by)
    checked, entries = _check_shape(rows, known)
    result = ImportResult(rows=checked, ignored_columns=ignored)
    shape_ok = result.is_valid
    with transaction.atomic():
        outcomes = practice_logs_bulk_create(rows=[entry for _row, entry in entries], by=by) if entries else []
        refused = not shape_ok or any(outcome.status == BulkRowStatus.REFUSED for outcome in outcomes)
        keep = write and not refused
        for (row, _entry), outcome in zip(entries, outcomes, strict=True):
            _apply(row, outcome, written=keep)
        if not keep:
            # A dry run, or a file with a refused row: nothing of it is kept.
            transaction.set_rollback(True)
    result.written = keep
    return result


def import_check(*, data: bytes, by: User) -> ImportResult:
    """Every row of the file checked, shape and rules, as the import would run it now. Writes nothing.
    Raises ``ValidationError`` (on ``file``) when the file itself cannot be used."""
    require_importer(by)
    rows, ignored = read_rows(data)
    return _run(rows, ignored, by=by, write=False)


def import_file(*, data: bytes, by: User) -> ImportResult:
    """Import the file's entries: every new row, or none. Raises ``ImportRefused`` (with each row's
    answer) when a row is refused; rows imported before (same key) answer ``duplicate`` and are left."""
    require_importer(by)
    rows, ignored = read_rows(data)
    result = _run(rows, ignored, by=by, write=True)
    if not result.is_valid:
        raise ImportRefused(result)
    return result


# --- The template ---------------------------------------------------------------------------------------------


def template_csv() -> bytes:
    """The file to fill in: the header row, UTF-8 with the BOM Excel wants to read Chinese names."""
    return ("\ufeff" + ",".join(COLUMNS) + "\r\n").encode()


#: How the XLSX template types each column, so what a person types there reads back as the CSV's text:
#: dates and times as date and time cells (read as YYYY-MM-DD and HH:MM:00), numbers as numbers, and the
#: names and codes as text (a student number or reference keeps its leading zeros).
TEMPLATE_FORMATS = {
    "student_number": spreadsheets.XLSX_TEXT,
    "username": spreadsheets.XLSX_TEXT,
    "placement": spreadsheets.XLSX_INTEGER,
    "date": spreadsheets.XLSX_DATE,
    "hours": spreadsheets.XLSX_DECIMAL,
    "start_time": spreadsheets.XLSX_TIME,
    "end_time": spreadsheets.XLSX_TIME,
    "category": spreadsheets.XLSX_TEXT,
    "cases": spreadsheets.XLSX_INTEGER,
    "description": spreadsheets.XLSX_TEXT,
    "reference": spreadsheets.XLSX_TEXT,
}


def template_xlsx() -> bytes:
    """The template as a workbook: the CSV template's header, with each column typed for a spreadsheet user
    (``TEMPLATE_FORMATS``), for partners who keep their hours in Excel rather than export them."""
    return spreadsheets.template_xlsx(COLUMNS, formats=TEMPLATE_FORMATS, title=_("Practice hours"))
