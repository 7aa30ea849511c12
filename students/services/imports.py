"""Bulk import of students from CSV or XLSX (the export of the students list is ``students.exports``).

The import runs in two steps so that nobody imports a file they have not seen checked:

1. ``import_preview`` reads the file (by its content: an XLSX workbook is a zip archive, anything else
   must be UTF-8 CSV text) and validates every row against the database. It writes nothing.
2. ``student_import`` (the service) re-reads the same stored file, validates it again (the database may
   have changed since the preview) and writes every row through ``students.services`` in one
   transaction, or nothing at all.

Rows are matched on the student number: a known number updates that student, an unknown one enrols a
new student with a new account (without a usable password: the person sets one through "forgot
password"). Importing the same file twice therefore changes nothing the second time, and neither does
importing an unedited export: the apostrophe the CSV export puts before text a spreadsheet would run as a
formula is taken off again on import (``core.spreadsheets``).

Between the steps the uploaded file waits under ``MEDIA_ROOT/imports/<uuid>``; the page carries only a
signed token naming it and its uploader, so nobody can confirm someone else's upload, or rows that
were never previewed.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.spreadsheets import FORMULA_START, NotText, decode_csv, unneutralise
from partners import access
from partners.models import Membership, MembershipRole, PartnerKind
from programmes.models import Programme
from students.models import CareerIntention, Student
from students.services import enrolment as services
from students.services.enrolment import StudentFields

REQUIRED_COLUMNS = (
    "student_number",
    "username",
    "full_name",
    "email",
    "programme_code",
    "intake_year",
    "enrolled_on",
)
OPTIONAL_COLUMNS = ("tutor_username", "research_direction", "career_intention")
COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
#: A 2 MB workbook may unpack to much more; refuse archives that would (a "zip bomb").
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
MAX_COLUMNS = 60
XLSX_MAGIC = b"PK\x03\x04"

STASH_DIR = "imports"
STASH_SALT = "students.imports.stash"
STASH_MAX_AGE = 60 * 60  # seconds a preview stays confirmable
STASH_KEEP = datetime.timedelta(days=1)  # older leftovers (previews never confirmed) are deleted
_STASH_NAME = re.compile(rf"^{STASH_DIR}/[0-9a-f]{{32}}$")


class RowStatus:
    NEW = "new"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


# --- Reading the file --------------------------------------------------------------------------------


@dataclass
class Table:
    """The file's rows as text, keyed by normalised column name, with their row numbers (header = 1)."""

    columns: list[str]
    ignored_columns: list[str]
    rows: list[tuple[int, dict[str, str]]]


def _column_name(value: str) -> str:
    return re.sub(r"[\s\-]+", "_", value.strip().lower())


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a person typed: numbers without ``.0``, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = decode_csv(data)
    except NotText as refused:
        if refused.kind == "binary":
            raise _file_error(
                _("This is not a spreadsheet: upload an XLSX workbook or a CSV file (Excel: “Save as”, CSV).")
            ) from None
        raise _file_error(
            _("The CSV file is in an encoding Tandem does not read: save it as “CSV UTF-8” or plain “CSV”.")
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, cells in enumerate(reader, start=1):
            # The export's formula neutraliser comes off (after the stripping: it protects what follows).
            rows.append((number, [unneutralise(cell.strip()) for cell in cells]))
            if len(rows) > MAX_ROWS * 2:
                break
    except csv.Error:
        raise _file_error(_("The CSV file is malformed near row %(row)s.") % {"row": len(rows) + 1}) from None
    return rows


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    import openpyxl

    unreadable = _file_error(_("The file looks like an XLSX workbook but cannot be read."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise unreadable from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise _file_error(_("The workbook is too large once unpacked. Keep only the students' sheet."))
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise unreadable from None
    rows: list[tuple[int, list[str]]] = []
    try:
        if not workbook.worksheets:
            raise unreadable
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True), start=1):
            rows.append((number, [_cell_text(cell) for cell in cells]))
            if len(rows) > MAX_ROWS * 2:
                break
    except ValidationError:
        raise
    except Exception:
        raise unreadable from None
    finally:
        workbook.close()
    return rows


def read_table(data: bytes) -> Table:
    """The rows of an uploaded CSV or XLSX file, told apart by content. Refuses (``ValidationError`` on
    ``file``) a file too large, unreadable, without the required columns, or with too many rows."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise _file_error(_("The file is too large: at most 2 MB."))
    if not data.strip():
        raise _file_error(_("The file is empty."))
    raw = _read_xlsx(data) if data.startswith(XLSX_MAGIC) else _read_csv(data)
    raw = [(number, cells) for number, cells in raw if any(cells)]
    if not raw:
        raise _file_error(_("The file is empty."))
    header_cells = [_column_name(cell) for cell in raw[0][1]]
    while header_cells and not header_cells[-1]:
        header_cells.pop()
    errors = []
    duplicates = sorted({name for name in header_cells if name and header_cells.count(name) > 1})
    if duplicates:
        errors.append(_("These columns appear twice: %(columns)s.") % {"columns": ", ".join(duplicates)})
    missing = [name for name in REQUIRED_COLUMNS if name not in header_cells]
    if missing:
        errors.append(
            _("Missing required columns: %(columns)s. The first row must name the columns.")
            % {"columns": ", ".join(missing)}
        )
    data_rows = raw[1:]
    if len(data_rows) > MAX_ROWS:
        errors.append(_("The file has more than %(max)s rows: split it into smaller files.") % {"max": f"{MAX_ROWS:,}"})
    if errors:
        raise ValidationError({"file": errors})
    ignored = [name for name in header_cells if name and name not in COLUMNS]
    rows = []
    for number, cells in data_rows:
        values = {name: "" for name in COLUMNS}
        for index, cell in enumerate(cells):
            name = header_cells[index] if index < len(header_cells) else ""
            if name in values:
                values[name] = cell
            elif not name and cell:
                values.setdefault("__extra__", cell)
        rows.append((number, values))
    return Table(columns=[n for n in header_cells if n in COLUMNS], ignored_columns=ignored, rows=rows)


# --- Checking the rows -------------------------------------------------------------------------------


@dataclass
class ImportRow:
    """One row of the file: what it says, what it would do (new, update, unchanged) or why it cannot."""

    line: int
    values: dict[str, str]
    status: str = RowStatus.NEW
    errors: list[tuple[str, str]] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    programme: Programme | None = None
    intake_year: int | None = None
    enrolled_on: datetime.date | None = None
    tutor: User | None = None
    student: Student | None = None

    def error(self, column: str, message: str) -> None:
        self.errors.append((column, message))
        self.status = RowStatus.ERROR


@dataclass
class ImportPreview:
    """Every row of the file checked against the database; nothing written."""

    rows: list[ImportRow]
    ignored_columns: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {
            status: self.count(status)
            for status in (RowStatus.NEW, RowStatus.UPDATE, RowStatus.UNCHANGED, RowStatus.ERROR)
        }

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.count(RowStatus.ERROR)

    @property
    def has_changes(self) -> bool:
        return any(row.status in (RowStatus.NEW, RowStatus.UPDATE) for row in self.rows)


@dataclass
class _Known:
    """What the database already holds about the file's values, read in a fixed number of queries."""

    programmes: dict[str, Programme]
    students: dict[str, Student]
    users: dict[str, User]
    students_by_user: dict[int, Student]
    email_owners: dict[str, list[User]]
    tutors: dict[str, User]


def _known(rows: list[tuple[int, dict[str, str]]], by: User) -> _Known:
    def column(name: str) -> set[str]:
        return {values[name] for _line, values in rows if values.get(name)}

    usernames = column("username")
    programmes = access.scope(Programme.objects.filter(code__in=column("programme_code")), by, "view")
    students = Student.objects.filter(student_number__in=column("student_number")).select_related(
        "user", "programme", "cohort", "tutor"
    )
    owners: dict[str, list[User]] = defaultdict(list)
    emails = {email.lower() for email in column("email")}
    for user in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails):
        owners[user.email.lower()].append(user)
    tutor_memberships = Membership.objects.active().filter(
        role=MembershipRole.TUTOR, partner__kind=PartnerKind.UNIVERSITY
    )
    tutors = User.objects.filter(
        username__in=column("tutor_username"), is_active=True, pk__in=tutor_memberships.values("user_id")
    )
    return _Known(
        programmes={p.code: p for p in programmes},
        students={s.student_number: s for s in students},
        users={u.username: u for u in User.objects.filter(username__in=usernames)},
        students_by_user={
            s.user_id: s for s in Student.objects.filter(user__username__in=usernames).select_related("user")
        },
        email_owners=owners,
        tutors={u.username: u for u in tutors},
    )


def _duplicates(rows: list[tuple[int, dict[str, str]]], column: str, *, fold: bool = False) -> dict[int, list[int]]:
    """For each row whose value in ``column`` also appears in other rows: those other rows' numbers."""
    lines: dict[str, list[int]] = defaultdict(list)
    for line, values in rows:
        value = values.get(column, "")
        if value:
            lines[value.lower() if fold else value].append(line)
    repeated: dict[int, list[int]] = {}
    for same in lines.values():
        if len(same) > 1:
            for line in same:
                repeated[line] = [other for other in same if other != line]
    return repeated


def _rows_text(lines: list[int]) -> str:
    return ", ".join(str(line) for line in lines)


def _check_row(row: ImportRow, known: _Known) -> None:
    """Fill ``row``'s resolved values, its status and its errors (column, why)."""
    v = row.values
    if v.get("__extra__"):
        row.error("", _("This row has more cells than the header names."))
    required = _("This column is required.")
    for name in REQUIRED_COLUMNS:
        if not v[name]:
            row.error(name, required)

    number = v["student_number"]
    if len(number) > 32:
        row.error("student_number", _("At most 32 characters."))
    student = known.students.get(number) if number else None
    row.student = student

    username = v["username"]
    if username:
        try:
            UnicodeUsernameValidator()(username)
            if len(username) > 150:
                raise ValidationError("")
        except ValidationError:
            row.error("username", _("Use at most 150 letters, digits and @ . + - _ only."))
        existing_user = known.users.get(username)
        if student is not None and student.user.username != username:
            row.error(
                "username",
                _("Student number %(number)s belongs to the account “%(username)s”; import does not change usernames.")
                % {"number": number, "username": student.user.username},
            )
        elif student is None and existing_user is not None:
            other = known.students_by_user.get(existing_user.pk)
            if other is not None:
                row.error(
                    "username",
                    _("“%(username)s” is already taken by another student (%(number)s).")
                    % {"username": username, "number": other.student_number},
                )
            else:
                row.error(
                    "username",
                    _("“%(username)s” is already taken by an account that is not a student.") % {"username": username},
                )

    if len(v["full_name"]) > 150:
        row.error("full_name", _("At most 150 characters."))
    _refuse_new_formulas(row, student)

    email = v["email"]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            row.error("email", _("“%(email)s” is not a valid e-mail address.") % {"email": email})
        own = student.user.pk if student is not None else None
        others = [u for u in known.email_owners.get(email.lower(), []) if u.pk != own]
        if others:
            row.error(
                "email",
                _("This e-mail address already belongs to the account “%(username)s”.")
                % {"username": others[0].username},
            )

    code = v["programme_code"]
    if code:
        row.programme = known.programmes.get(code)
        if row.programme is None:
            row.error("programme_code", _("Unknown programme code “%(code)s”.") % {"code": code})
        elif student is not None and student.programme_id != row.programme.pk:
            row.error(
                "programme_code",
                _("This student is in the programme “%(code)s”; import does not move students between programmes.")
                % {"code": student.programme.code},
            )

    if v["intake_year"]:
        try:
            row.intake_year = int(v["intake_year"])
            if not 2000 <= row.intake_year <= 2100:
                raise ValueError
        except ValueError:
            row.intake_year = None
            row.error("intake_year", _("Enter a year between 2000 and 2100, such as 2026."))

    if v["enrolled_on"]:
        try:
            row.enrolled_on = datetime.date.fromisoformat(v["enrolled_on"])
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v["enrolled_on"]):
                raise ValueError
        except ValueError:
            row.enrolled_on = None
            row.error(
                "enrolled_on", _("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": v["enrolled_on"]}
            )

    if tutor_name := v["tutor_username"]:
        row.tutor = known.tutors.get(tutor_name)
        if row.tutor is None:
            row.error(
                "tutor_username",
                _("“%(username)s” is not a tutor member of a university.") % {"username": tutor_name},
            )

    if len(v["research_direction"]) > 200:
        row.error("research_direction", _("At most 200 characters."))
    if v["career_intention"] and v["career_intention"] not in CareerIntention.values:
        row.error(
            "career_intention",
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(CareerIntention.values)},
        )

    if row.status == RowStatus.ERROR or student is None:
        return
    row.changes = _changes(row, student)
    row.status = RowStatus.UPDATE if row.changes else RowStatus.UNCHANGED


#: Names and codes that a new or changed value may not start with: a spreadsheet would run such a cell as a
#: formula when the data is exported and opened again (values already stored, from before, still round-trip).
_FORMULA_CHECKED = ("student_number", "full_name")


def _refuse_new_formulas(row: ImportRow, student: Student | None) -> None:
    stored = {"student_number": student.student_number, "full_name": student.user.full_name} if student else {}
    for name in _FORMULA_CHECKED:
        value = row.values[name]
        if value.startswith(FORMULA_START) and value != stored.get(name):
            row.error(
                name,
                _(
                    "“%(value)s” starts with “%(sign)s”: a spreadsheet would run it as a formula. "
                    "Names and codes cannot start with = + - @."
                )
                % {"value": value[:40], "sign": value[0]},
            )


def _changes(row: ImportRow, student: Student) -> list[str]:
    """The columns whose values differ from the existing student. Blank optional cells keep what is there."""
    v = row.values
    changed = []
    if v["full_name"] != student.user.full_name:
        changed.append("full_name")
    if v["email"] != student.user.email:
        changed.append("email")
    if row.intake_year != student.cohort.intake_year:
        changed.append("intake_year")
    if row.enrolled_on != student.enrolled_on:
        changed.append("enrolled_on")
    if row.tutor is not None and row.tutor.pk != student.tutor_id:
        changed.append("tutor_username")
    if v["research_direction"] and v["research_direction"] != student.research_direction:
        changed.append("research_direction")
    if v["career_intention"] and v["career_intention"] != student.career_intention:
        changed.append("career_intention")
    return changed


def import_preview(*, data: bytes, by: User) -> ImportPreview:
    """Every row of the file, checked against the database and against the file's other rows. Writes
    nothing. Raises ``ValidationError`` (on ``file``) when the file itself cannot be used."""
    table = read_table(data)
    known = _known(table.rows, by)
    repeated = {
        "student_number": _duplicates(table.rows, "student_number"),
        "username": _duplicates(table.rows, "username"),
        "email": _duplicates(table.rows, "email", fold=True),
    }
    again = {
        "student_number": _("This student number is also in row(s) %(rows)s."),
        "username": _("This username is also in row(s) %(rows)s."),
        "email": _("This e-mail address is also in row(s) %(rows)s."),
    }
    rows = []
    for line, values in table.rows:
        row = ImportRow(line=line, values=values)
        _check_row(row, known)
        for column, lines in repeated.items():
            if line in lines:
                row.error(column, again[column] % {"rows": _rows_text(lines[line])})
        rows.append(row)
    return ImportPreview(rows=rows, ignored_columns=table.ignored_columns)


# --- Writing -------------------------------------------------------------------------------------------


class ImportRefused(ValidationError):
    """The file has rows with errors: nothing was imported. ``preview`` says which rows and why."""

    def __init__(self, preview: ImportPreview) -> None:
        super().__init__(_("Some rows have errors: nothing was imported."))
        self.preview = preview


@dataclass
class ImportOutcome:
    created: int
    updated: int
    unchanged: int


def _student_data(row: ImportRow) -> StudentFields:
    assert row.programme is not None and row.intake_year is not None and row.enrolled_on is not None
    data: StudentFields = {
        "cohort": services.cohort_for(row.programme, row.intake_year),
        "enrolled_on": row.enrolled_on,
    }
    if row.tutor is not None:
        data["tutor"] = row.tutor
    if row.values["research_direction"]:
        data["research_direction"] = row.values["research_direction"]
    if row.values["career_intention"]:
        data["career_intention"] = row.values["career_intention"]
    return data


@transaction.atomic
def student_import(*, data: bytes, by: User) -> ImportOutcome:
    """Import the file's students (the office): all rows or none. Re-checks every row first; any error
    refuses the whole file (``ImportRefused``). New student numbers get an account without a usable
    password and a student record with its draft plan; known ones are updated; unchanged rows are left."""
    access.require(by, "create", Student)
    preview = import_preview(data=data, by=by)
    if not preview.is_valid:
        raise ImportRefused(preview)
    outcome = ImportOutcome(created=0, updated=0, unchanged=0)
    for row in preview.rows:
        try:
            if row.status == RowStatus.NEW:
                _create(row, by)
                outcome.created += 1
            elif row.status == RowStatus.UPDATE:
                _update(row, by)
                outcome.updated += 1
            else:
                outcome.unchanged += 1
        except ValidationError as error:
            # Something changed between the check and the write: the whole file is rolled back.
            raise ValidationError(
                _("Row %(row)s: %(errors)s") % {"row": row.line, "errors": " ".join(error.messages)}
            ) from error
    return outcome


def _create(row: ImportRow, by: User) -> Student:
    v = row.values
    user = User(username=v["username"], email=v["email"], full_name=v["full_name"])
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user._history_user = by  # type: ignore[attr-defined]
    user.save()
    assert row.programme is not None
    fields = _student_data(row)
    fields["student_number"] = v["student_number"]
    fields["programme"] = row.programme
    return services.student_create(by=by, user=user, **fields)


def _update(row: ImportRow, by: User) -> Student:
    assert row.student is not None
    v = row.values
    user = row.student.user
    if user.full_name != v["full_name"] or user.email != v["email"]:
        user.full_name, user.email = v["full_name"], v["email"]
        user._history_user = by  # type: ignore[attr-defined]
        user.save(update_fields=["full_name", "email"])
    return services.student_update(student=row.student, by=by, **_student_data(row))


# --- The upload between preview and confirmation ------------------------------------------------------


def stash_upload(*, data: bytes, by: User) -> str:
    """Keep an uploaded file until its import is confirmed; returns the signed token naming it."""
    _purge_stale_stashes()
    name = default_storage.save(f"{STASH_DIR}/{uuid.uuid4().hex}", ContentFile(data))
    return signing.dumps({"name": name, "by": by.pk}, salt=STASH_SALT)


def load_stash(*, token: str, by: User) -> tuple[str, bytes]:
    """The stored upload a token names, if ``by`` uploaded it within the last hour."""
    expired = ValidationError(_("This preview has expired or is not yours: upload the file again."))
    try:
        payload = signing.loads(token, salt=STASH_SALT, max_age=STASH_MAX_AGE)
    except signing.BadSignature:
        raise expired from None
    name = str(payload.get("name", ""))
    if payload.get("by") != by.pk or not _STASH_NAME.fullmatch(name):
        raise expired
    try:
        with default_storage.open(name, "rb") as stored:
            return name, stored.read()
    except OSError:
        raise expired from None


def discard_stash(name: str) -> None:
    if _STASH_NAME.fullmatch(name):
        default_storage.delete(name)


def _purge_stale_stashes() -> None:
    try:
        _dirs, files = default_storage.listdir(STASH_DIR)
    except OSError:
        return
    cutoff = timezone.now() - STASH_KEEP
    for filename in files:
        name = f"{STASH_DIR}/{filename}"
        try:
            if _STASH_NAME.fullmatch(name) and default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)
        except OSError:
            continue
