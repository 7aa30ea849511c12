"""A partner's file import of practice-hour entries (``practice.services.imports``, ``/practice/import/``,
``POST /api/v1/practice-imports/``): reading the file, every refusal named by row and column with nothing
written, success for a supervisor (approved on entry) and a student (pending), 404 out of scope, the same
file twice, the same per-row answers as the bulk API, and statements that do not grow with the rows.

The import works on the real today (the bulk service's rules do), so the fixture moves the placements to run
around today and entries are dated at most 4 days back (inside the window, in a month still open).
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from practice.models import EntryStatus, PracticeLog
from practice.services import imports
from programmes.models import ActivityCategory
from students.models import Placement
from students.services.imports import MAX_ROWS
from tests.conftest import World, api_client_for, client_for
from tests.factories.practice import PracticeLogFactory
from tests.factories.programmes import ActivityCategoryFactory
from tests.factories.students import PlacementFactory

pytestmark = pytest.mark.django_db

PAGE = "/practice/import/"
API = "/api/v1/practice-imports/"
HEADER = ("student_number", "date", "hours", "start_time", "end_time", "category", "description", "reference")


def _u(world: World, persona: str) -> User:
    user = world.users[persona]
    assert user is not None
    return user


def _day(days_back: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days_back)).isoformat()


@pytest.fixture
def category(world: World) -> ActivityCategory:
    today = timezone.localdate()
    for placement in (world.placement_a, world.placement_b):
        Placement.objects.filter(pk=placement.pk).update(
            start_date=today - datetime.timedelta(days=60), end_date=today + datetime.timedelta(days=60)
        )
        placement.refresh_from_db()
    return ActivityCategoryFactory.create(programme=world.programme, code="ward", name="Ward rounds")


def _csv(rows: list[dict[str, Any]], header: tuple[str, ...] = HEADER, *, bom: bool = False) -> bytes:
    lines = [",".join(header)]
    for row in rows:
        lines.append(",".join(str(row.get(column, "")) for column in header))
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode()


def _row(world: World, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "student_number": world.student_a.student_number,
        "date": _day(1),
        "hours": "2",
        "category": "ward",
        "description": "Ward round",
    }
    row.update(values)
    return row


def _answers(result: imports.ImportResult) -> list[tuple[int, str, str | None, str | None]]:
    """Each row's number, status and first refusal's rule and column."""
    answers: list[tuple[int, str, str | None, str | None]] = []
    for row in result.rows:
        first = row.first_error
        answers.append((row.line, row.status, first.rule if first else None, first.column if first else None))
    return answers


# --- Reading the file ------------------------------------------------------------------------------------------


def test_a_csv_with_a_bom_semicolons_and_the_exports_column_names_is_read(world: World, category: Any) -> None:
    data = (
        "\ufeffStudent Number;Date;Start;End;Activity;Description\r\n"
        f"{world.student_a.student_number};{_day(1)};08:00;10:30;WARD;Théâtre, 手术\r\n"
    ).encode()

    result = imports.import_check(data=data, by=_u(world, "supervisor_a"))

    assert _answers(result) == [(2, "new", None, None)]
    assert not PracticeLog.objects.exists()


def test_an_xlsx_workbook_is_read(world: World, category: Any) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["student_number", "date", "start_time", "end_time", "category", "reference"])
    sheet.append(
        [
            world.student_a.student_number,
            timezone.localdate() - datetime.timedelta(days=2),
            datetime.time(9),
            datetime.time(11, 15),
            "ward",
            "HIS-1",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = imports.import_file(data=buffer.getvalue(), by=_u(world, "supervisor_a"))

    assert _answers(result) == [(2, "created", None, None)]
    entry = PracticeLog.objects.get()
    assert (entry.hours, entry.start_time, entry.idempotency_key) == (Decimal("2.25"), datetime.time(9), "file:HIS-1")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "The file is empty."),
        (b"date,category,hours\r\n2026-01-01,ward,2\r\n", "Missing required columns: student_number"),
        (b"student_number,date,category\r\nS1,2026-01-01,ward\r\n", "needs an hours column"),
        (b"student_number,date,category,hours\r\n", "no rows under its header"),
        (b"%PDF-1.7 not a table", "This is not a spreadsheet"),
        (b"student_number,date,date,category,hours\r\nS,1,2,3,4\r\n", "These columns appear twice: date."),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_on_file(world: World, data: bytes, words: str) -> None:
    with pytest.raises(Exception) as refused:
        imports.import_check(data=data, by=_u(world, "supervisor_a"))

    assert words in " ".join(refused.value.message_dict["file"])  # type: ignore[attr-defined]


def test_size_limits_are_refused_with_the_limit(world: World, category: Any) -> None:
    too_many = _csv([_row(world, reference=f"r{n}") for n in range(MAX_ROWS + 1)])
    too_big = b"student_number,date,category,hours,description\r\n" + b"x" * (imports.MAX_UPLOAD_BYTES + 1)

    for data, words in ((too_many, "more than 2,000 rows"), (too_big, "at most 2 MB")):
        with pytest.raises(Exception) as refused:
            imports.import_check(data=data, by=_u(world, "supervisor_a"))
        assert words in " ".join(refused.value.message_dict["file"])  # type: ignore[attr-defined]


def test_each_shape_error_is_named_by_row_and_column(world: World, category: Any) -> None:
    rows = [
        _row(world, date="05/12/2026"),
        _row(world, hours="two"),
        _row(world, hours="", start_time="8h", end_time="10:00"),
        _row(world, category="nope"),
        _row(world, student_number="NOBODY"),
        _row(world, student_number=world.student_b.student_number),  # another supervisor's student
        _row(world, hours=""),
        _row(world, hours="3", start_time="08:00", end_time="10:00"),
        _row(world, reference="x" * 65),
        _row(world, description="", reference="", hours="1"),
        _row(world, description="", reference="", hours="1"),  # the same row again, no reference
        _row(world, reference="R1"),
        _row(world, reference="R1", hours="1"),
    ]

    result = imports.import_check(data=_csv(rows), by=_u(world, "supervisor_a"))

    assert _answers(result) == [
        (2, "error", "invalid", "date"),
        (3, "error", "invalid", "hours"),
        (4, "error", "invalid", "start_time"),
        (5, "error", "does_not_exist", "category"),
        (6, "error", "does_not_exist", "student_number"),
        (7, "error", "does_not_exist", "student_number"),
        (8, "error", "required", "hours"),
        (9, "error", "invalid", "hours"),
        (10, "error", "invalid", "reference"),
        (11, "new", None, None),
        (12, "error", "repeated", ""),
        (13, "new", None, None),
        (14, "error", "repeated", "reference"),
    ]
    messages = {row.line: row.errors[0].message for row in result.rows if row.errors}
    assert messages[2] == "“05/12/2026” is not a date in the form YYYY-MM-DD."
    assert messages[6] == messages[7] == "No such student at a placement where you may log hours."
    assert messages[9] == "The hours (3.00) do not match the start and end times (2.00 h)."
    assert messages[12] == "This row repeats row 11."
    assert messages[14] == "The reference is also on row 13."
    assert not PracticeLog.objects.exists()


# --- The rules, all or nothing -----------------------------------------------------------------------------------


def test_a_rule_refused_row_stops_the_whole_file_and_is_named(world: World, category: Any) -> None:
    PracticeLogFactory.create(placement=world.placement_a, category=category, date=_day(1), hours=Decimal("10"))
    rows = [
        _row(world, date=_day(2), reference="ok-1"),
        _row(world, date=_day(1), hours="3", reference="too-much"),
        _row(world, date=_day(-1), reference="tomorrow"),
        _row(world, date=_day(2), hours="", start_time="08:00", end_time="07:00", reference="backwards"),
    ]

    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_file(data=_csv(rows), by=_u(world, "supervisor_a"))

    assert _answers(refused.value.result) == [
        (2, "new", None, None),
        (3, "error", "daily_maximum", "hours"),
        (4, "error", "future_date", "date"),
        (5, "error", "hours_range", "end_time"),
    ]
    assert refused.value.result.rows[1].errors[0].message == (
        f"Rule “daily maximum”: 10.00 hours are already logged on {_day(1)}; at most 12 a day."
    )
    assert PracticeLog.objects.count() == 1  # only the entry made before


def test_a_shape_error_also_stops_rows_that_pass_the_rules(world: World, category: Any) -> None:
    rows = [_row(world, reference="good"), _row(world, category="nope", reference="bad")]

    with pytest.raises(imports.ImportRefused):
        imports.import_file(data=_csv(rows), by=_u(world, "supervisor_a"))

    assert not PracticeLog.objects.exists()


def test_a_supervisors_import_is_approved_on_entry(world: World, category: Any) -> None:
    rows = [_row(world, reference="a"), _row(world, date=_day(2), hours="1.5", reference="b")]

    result = imports.import_file(data=_csv(rows), by=_u(world, "supervisor_a"))

    assert result.written and result.counts["created"] == 2
    entries = PracticeLog.objects.order_by("date")
    assert [(e.status, e.entered_by_supervisor, e.decided_by_id) for e in entries] == [
        (EntryStatus.APPROVED, True, world.users["supervisor_a"].pk)  # type: ignore[union-attr]
    ] * 2
    assert {row.entry_id for row in result.rows} == {e.pk for e in entries}


def test_a_students_import_waits_for_the_supervisor(world: World, category: Any) -> None:
    imports.import_file(data=_csv([_row(world, reference="mine")]), by=_u(world, "student_a"))

    entry = PracticeLog.objects.get()
    assert (entry.status, entry.entered_by_supervisor) == (EntryStatus.PENDING, False)


def test_the_same_file_twice_creates_nothing_the_second_time(world: World, category: Any) -> None:
    data = _csv([_row(world), _row(world, date=_day(2)), _row(world, reference="R", date=_day(3))])
    by = _u(world, "supervisor_a")

    first = imports.import_file(data=data, by=by)
    second = imports.import_file(data=data, by=by)

    assert [row.status for row in first.rows] == ["created"] * 3
    assert [row.status for row in second.rows] == ["duplicate"] * 3
    assert [row.entry_id for row in second.rows] == [row.entry_id for row in first.rows]
    assert PracticeLog.objects.count() == 3


def test_the_placement_is_chosen_by_date_or_named_when_ambiguous(world: World, category: Any) -> None:
    today = timezone.localdate()
    Placement.objects.filter(pk=world.placement_a.pk).update(end_date=today - datetime.timedelta(days=10))
    later = PlacementFactory.create(
        student=world.student_a,
        partner=world.partner_a,
        site=world.site_a,
        supervisor=world.users["supervisor_a"],
        start_date=today - datetime.timedelta(days=9),
        end_date=today + datetime.timedelta(days=30),
    )
    rows = [
        _row(world, date=_day(1)),  # only the later placement runs then
        _row(world, date="2020-01-01"),  # neither: ambiguous
        _row(world, date="2020-01-01", placement=world.placement_a.pk),  # named: its own rule answers
        _row(world, date=_day(1), placement=world.placement_b.pk),  # not theirs
    ]

    result = imports.import_check(data=_csv(rows, (*HEADER, "placement")), by=_u(world, "supervisor_a"))

    assert _answers(result) == [
        (2, "new", None, None),
        (3, "error", "ambiguous", "placement"),
        (4, "error", "outside_placement", "date"),
        (5, "error", "does_not_exist", "placement"),
    ]
    assert str(later.pk) in result.rows[1].errors[0].message


# --- The same answers as the bulk API --------------------------------------------------------------------------


@pytest.mark.usefixtures("bulk_path")
def test_each_row_answers_as_the_bulk_api_answers_the_same_rows(world: World, category: Any) -> None:
    PracticeLogFactory.create(
        placement=world.placement_a,
        category=category,
        date=_day(1),
        hours=Decimal("9"),
        start_time=datetime.time(13),
        end_time=datetime.time(22),
    )
    other = ActivityCategoryFactory.create(code="lab", name="Lab")  # another programme's
    rows = [
        {"date": _day(2), "hours": "4"},
        {"date": _day(1), "hours": "4"},  # daily maximum
        {"date": _day(1), "start_time": "14:00", "end_time": "15:00"},  # overlap
        {"date": _day(-2), "hours": "1"},  # future
        {"date": _day(3), "hours": "0"},  # hours range
        {"date": _day(200), "hours": "1"},  # outside the placement
        {"date": _day(2), "hours": "9"},  # daily maximum by the batch's first row
        {"date": _day(2), "hours": "1", "category_code": "lab"},
    ]
    by = _u(world, "supervisor_a")
    file_rows = [
        _row(world, reference=f"k{n}", hours=row.get("hours", ""), **{k: v for k, v in row.items() if k != "hours"})
        for n, row in enumerate(rows)
        if "category_code" not in row
    ]

    checked = imports.import_check(data=_csv(file_rows), by=by)
    api = api_client_for(by).post(
        "/api/v1/practice-logs/bulk/",
        {
            "entries": [
                {
                    "placement": world.placement_a.pk,
                    "category": category.pk,
                    "idempotency_key": f"k{n}",
                    "description": "Ward round",
                    **row,
                }
                for n, row in enumerate(rows)
                if "category_code" not in row
            ]
        },
        format="json",
    )

    assert api.status_code == 200
    from_api = [
        ("new" if r["status"] == "created" else "error", r["rule"], r["message"]) for r in api.json()["results"]
    ]
    from_file = [
        (row.status, row.first_error and row.first_error.rule, row.first_error and row.first_error.message)
        for row in checked.rows
    ]
    assert from_file == from_api
    assert [rule for _s, rule, _m in from_file] == [
        None,
        "daily_maximum",
        "overlap",
        "future_date",
        "hours_range",
        "outside_placement",
        "daily_maximum",
    ]
    assert other.programme_id != world.programme.pk


# --- Statements that do not grow with the rows -----------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based path runs on PostgreSQL only")
def test_the_imports_statements_do_not_grow_with_the_rows(world: World, category: Any, settings: Any) -> None:
    settings.PRACTICE_BULK_SET_BASED = True
    by = _u(world, "supervisor_a")

    def statements(count: int, prefix: str) -> int:
        rows = [
            _row(world, date=_day(1 + n % 4), hours="0.25", reference=f"{prefix}{n}", description=f"n{n}")
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as queries:
            result = imports.import_file(data=_csv(rows), by=by)
        assert result.counts["created"] == count
        return len(queries)

    small, large = statements(3, "small-"), statements(40, "large-")
    assert small == large


# --- The page ---------------------------------------------------------------------------------------------------


def _upload(data: bytes, name: str = "hours.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_the_page_checks_then_imports_on_confirmation(world: World, category: Any) -> None:
    client = client_for(_u(world, "supervisor_a"))

    checked = client.post(PAGE, {"file": _upload(_csv([_row(world, reference="p1")]))})

    assert checked.status_code == 200
    assert not PracticeLog.objects.exists()
    token = checked.context["token"]
    assert b'data-testid="import-confirm"' in checked.content
    done = client.post(PAGE, {"token": token, "action": "import"}, follow=True)
    assert done.redirect_chain == [(PAGE, 302)]
    assert "1 entry created, 0 already imported" in done.content.decode()
    assert PracticeLog.objects.get().idempotency_key == "file:p1"


def test_the_page_lists_refused_rows_and_keeps_the_upload_to_check_again(world: World, category: Any) -> None:
    client = client_for(_u(world, "supervisor_a"))

    checked = client.post(PAGE, {"file": _upload(_csv([_row(world, reference="q", date=_day(-3))]))})

    page = checked.content.decode()
    assert 'data-testid="import-refused"' in page and 'data-rule="future_date"' in page
    assert 'data-testid="import-confirm"' not in page
    # Confirming the kept file anyway imports nothing; checking it again answers the same.
    refused = client.post(PAGE, {"token": checked.context["token"], "action": "import"})
    again = client.post(PAGE, {"token": checked.context["token"], "action": "check"})
    assert refused.status_code == again.status_code == 200
    assert 'data-rule="future_date"' in again.content.decode()
    assert not PracticeLog.objects.exists()


def test_a_token_is_its_uploaders_only(world: World, category: Any) -> None:
    checked = client_for(_u(world, "supervisor_a")).post(PAGE, {"file": _upload(_csv([_row(world)]))})

    other = client_for(_u(world, "supervisor_b")).post(PAGE, {"token": checked.context["token"], "action": "import"})

    assert "expired or is not yours" in other.content.decode()
    assert not PracticeLog.objects.exists()


def test_the_template_names_the_columns(world: World) -> None:
    response = client_for(_u(world, "supervisor_a")).get(f"{PAGE}?template=csv")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.decode("utf-8-sig").splitlines()[0] == ",".join(imports.COLUMNS)


def _workbook(data: bytes) -> Any:
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(data))


def test_the_xlsx_template_has_the_csv_templates_header(world: World) -> None:
    client = client_for(_u(world, "supervisor_a"))

    response = client.get(f"{PAGE}?template=xlsx")
    csv_header = client.get(f"{PAGE}?template=csv").content.decode("utf-8-sig").splitlines()

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="practice-hours-import.xlsx"'
    sheet = _workbook(response.content).worksheets[0]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [csv_header[0].split(",")]
    assert len(csv_header) == 1  # neither template has an example row
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])


def test_the_import_page_offers_both_templates(world: World) -> None:
    page = client_for(_u(world, "supervisor_a")).get(PAGE).content.decode()

    assert f'href="{PAGE}?template=csv"' in page
    assert f'href="{PAGE}?template=xlsx"' in page


def _typed_in(template: bytes, rows: list[dict[str, Any]]) -> bytes:
    """The XLSX template with ``rows`` typed in under its header, as a spreadsheet stores them: each cell
    takes its column's number format (what Excel and LibreOffice do with a typed column)."""
    from openpyxl.utils import get_column_letter

    workbook = _workbook(template)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for line, values in enumerate(rows, start=2):
        for index, name in enumerate(header, start=1):
            if name in values:
                cell = sheet.cell(row=line, column=index, value=values[name])
                cell.number_format = sheet.column_dimensions[get_column_letter(index)].number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_xlsx_template_filled_in_passes_the_check_as_the_same_csv_does(world: World, category: Any) -> None:
    client = client_for(_u(world, "supervisor_a"))
    number = world.student_a.student_number
    day1, day2 = timezone.localdate() - datetime.timedelta(days=1), timezone.localdate() - datetime.timedelta(days=2)
    typed = [
        {"student_number": number, "date": day1, "hours": 2.5, "start_time": datetime.time(8, 30),
         "end_time": datetime.time(11), "category": "ward", "cases": 3, "description": "Ward round"},
        {"student_number": number, "date": day2, "hours": 1.25, "category": "WARD", "cases": 0, "reference": "007"},
    ]  # fmt: skip
    as_text = [
        {"student_number": number, "date": day1.isoformat(), "hours": "2.5", "start_time": "08:30",
         "end_time": "11:00", "category": "ward", "cases": "3", "description": "Ward round"},
        {"student_number": number, "date": day2.isoformat(), "hours": "1.25", "category": "WARD", "cases": "0",
         "reference": "007"},
    ]  # fmt: skip
    xlsx = _typed_in(client.get(f"{PAGE}?template=xlsx").content, typed)
    csv = _csv(as_text, imports.COLUMNS, bom=True)

    from_xlsx = client.post(PAGE, {"file": _upload(xlsx, "hours.xlsx")}).context["result"]
    from_csv = client.post(PAGE, {"file": _upload(csv)}).context["result"]

    assert _answers(from_xlsx) == _answers(from_csv) == [(2, "new", None, None), (3, "new", None, None)]
    # The key of a row without a reference hashes every value the import read: the same entries, to the cent.
    assert [row.key for row in from_xlsx.rows] == [row.key for row in from_csv.rows]
    assert from_xlsx.rows[1].key == "file:007"
    assert not PracticeLog.objects.exists()


@pytest.mark.parametrize("persona", ["office", "coordinator_a", "tutor", "inspector"])
def test_somebody_who_may_log_hours_nowhere_gets_404(world: World, category: Any, persona: str) -> None:
    user = _u(world, persona)
    data = _csv([_row(world)])

    assert client_for(user).get(PAGE).status_code == 404
    assert client_for(user).get(f"{PAGE}?template=csv").status_code == 404
    assert client_for(user).get(f"{PAGE}?template=xlsx").status_code == 404
    assert client_for(user).post(PAGE, {"file": _upload(data)}).status_code == 404
    assert api_client_for(user).post(API, {"file": _upload(data)}, format="multipart").status_code == 404
    assert not PracticeLog.objects.exists()


# --- The API ----------------------------------------------------------------------------------------------------


def test_the_api_imports_all_rows_or_answers_each_refused_one(world: World, category: Any) -> None:
    client = api_client_for(_u(world, "supervisor_a"))
    bad = _csv([_row(world, reference="x1"), _row(world, reference="x2", date=_day(-1))])

    dry = client.post(API, {"file": _upload(_csv([_row(world, reference="x1")])), "dry_run": True}, format="multipart")
    refused = client.post(API, {"file": _upload(bad)}, format="multipart")

    assert dry.status_code == 200 and dry.json()["written"] is False
    assert [row["status"] for row in dry.json()["rows"]] == ["new"]
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "future_date"
    assert [(r["row"], r["status"], r["rule"], r["column"]) for r in error["rows"]] == [
        (2, "new", None, None),
        (3, "error", "future_date", "date"),
    ]
    assert error["fields"]["file"] == ["Row 3, date: Rule “no future dates”: the date cannot be after today."]
    assert not PracticeLog.objects.exists()

    done = client.post(API, {"file": _upload(_csv([_row(world, reference="x1")]))}, format="multipart")
    again = client.post(API, {"file": _upload(_csv([_row(world, reference="x1")]))}, format="multipart")
    assert done.status_code == again.status_code == 200
    assert done.json()["counts"] == {"new": 0, "created": 1, "duplicate": 0, "error": 0}
    assert again.json()["rows"][0]["status"] == "duplicate"
    assert again.json()["rows"][0]["id"] == done.json()["rows"][0]["id"] == PracticeLog.objects.get().pk


def test_the_api_refuses_a_file_it_cannot_read(world: World) -> None:
    response = api_client_for(_u(world, "supervisor_a")).post(
        API, {"file": _upload(b"date\r\n2026-01-01\r\n")}, format="multipart"
    )

    assert response.status_code == 400
    assert "Missing required columns" in response.json()["error"]["fields"]["file"][0]


def test_refusals_are_in_the_users_language(world: World, category: Any) -> None:
    from django.utils import translation

    rows = [_row(world, date="2026/12/01", reference="zh-1"), _row(world, date=_day(-1), reference="zh-2")]
    with translation.override("zh-hans"):
        result = imports.import_check(data=_csv(rows), by=_u(world, "supervisor_a"))

    assert result.rows[0].errors[0].message == "“2026/12/01”不是 YYYY-MM-DD 格式的日期。"
    assert result.rows[1].errors[0].message.startswith("规则“不得填写未来日期”")


def test_the_log_page_links_a_supervisor_to_the_import(world: World, category: Any) -> None:
    page = client_for(_u(world, "supervisor_a")).get("/practice/log/").content.decode()

    assert 'data-testid="import-link"' in page
