"""CSV and XLSX exports of practice-hour entries: read back, scoped, filtered, streamed, and the same at
the API (``/api/v1/practice-logs/export/``) and on the pages (``practice:export``)."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from practice import exports
from practice.models import EntryStatus, PracticeLog
from tests.conftest import World, api_client_for, client_for
from tests.factories.practice import PracticeLogFactory
from tests.factories.programmes import ActivityCategoryFactory

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/practice-logs/export/"
DAY = datetime.date(2026, 11, 19)
HEADER = [
    "id",
    "date",
    "student number",
    "student name",
    "partner",
    "placement from",
    "placement to",
    "activity",
    "hours",
    "start",
    "end",
    "cases",
    "status",
    "entered by",
    "entered by supervisor",
    "decided by",
    "decided at",
    "rule version",
    "corrects (id)",
    "reason",
]


def _u(world: World, persona: str) -> User:
    user = world.users[persona]
    assert user is not None
    return user


@pytest.fixture
def logs(world: World) -> dict[str, PracticeLog]:
    """At A: a pending entry with a time range, an approved one and its correction, a rejected one.
    At B: one approved entry."""
    User.objects.filter(pk=world.student_a.user_id).update(full_name="李明")
    User.objects.filter(pk=_u(world, "supervisor_a").pk).update(full_name="Dr Supervisor A")
    category = ActivityCategoryFactory.create(programme=world.programme, code="ct", name="CT operation")
    approved = PracticeLogFactory.create(
        placement=world.placement_a, category=category, date=DAY, hours=Decimal("4"), approved=True, cases=3
    )
    return {
        "pending": PracticeLogFactory.create(
            placement=world.placement_a,
            category=category,
            date=DAY + datetime.timedelta(days=1),
            hours=Decimal("2.5"),
            start_time=datetime.time(8, 0),
            end_time=datetime.time(10, 30),
        ),
        "approved": approved,
        "correction": PracticeLogFactory.create(
            placement=world.placement_a,
            category=category,
            date=DAY,
            hours=Decimal("-1"),
            corrects=approved,
            correction_reason="Left at noon.",
            entered_by=_u(world, "supervisor_a"),
            entered_by_supervisor=True,
            approved=True,
        ),
        "rejected": PracticeLogFactory.create(
            placement=world.placement_a,
            category=category,
            date=DAY - datetime.timedelta(days=1),
            status=EntryStatus.REJECTED,
            rejection_reason='=HYPERLINK("http://evil")',
            decided_by=_u(world, "supervisor_a"),
            decided_at=timezone.make_aware(datetime.datetime(2026, 11, 19, 9, 30)),
        ),
        "at_b": PracticeLogFactory.create(placement=world.placement_b, date=DAY, approved=True),
    }


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, getattr(response, "content", b"")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="practice-hours-' in response["Content-Disposition"]
    body = b"".join(response.streaming_content)  # type: ignore[arg-type]
    assert body.startswith("\ufeff".encode())
    reader = csv.reader(io.StringIO(body.decode("utf-8-sig")))
    header, *rows = list(reader)
    assert header == HEADER
    return [dict(zip(header, row, strict=True)) for row in rows]


def _xlsx(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == exports.XLSX_TYPE
    assert response["Content-Disposition"].endswith('.xlsx"')
    # Reading the content to its end closes the response (and its temporary file), as a server would.
    body = b"".join(response.streaming_content)  # type: ignore[arg-type]
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header == HEADER
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_csv_holds_every_column_of_each_entry(world: World, logs: dict[str, PracticeLog]) -> None:
    rows = {int(row["id"]): row for row in _csv(api_client_for(_u(world, "office")).get(EXPORT))}

    assert set(rows) == {log.pk for log in logs.values()}
    pending = rows[logs["pending"].pk]
    placement = world.placement_a
    assert pending == {
        "id": str(logs["pending"].pk),
        "date": "2026-11-20",
        "student number": world.student_a.student_number,
        "student name": "李明",
        "partner": "Hospital A",
        "placement from": placement.start_date.isoformat(),
        "placement to": placement.end_date.isoformat(),
        "activity": "CT operation",
        "hours": "2.50",
        "start": "08:00:00",
        "end": "10:30:00",
        "cases": "",
        "status": "Pending",
        "entered by": "李明",
        "entered by supervisor": "no",
        "decided by": "",
        "decided at": "",
        "rule version": "P0/L0",
        "corrects (id)": "",
        "reason": "",
    }
    correction = rows[logs["correction"].pk]
    assert (correction["hours"], correction["corrects (id)"]) == ("-1.00", str(logs["approved"].pk))
    assert (correction["entered by"], correction["entered by supervisor"]) == ("Dr Supervisor A", "yes")
    assert correction["reason"] == "Left at noon."
    assert rows[logs["approved"].pk]["cases"] == "3"
    rejected = rows[logs["rejected"].pk]
    assert (rejected["status"], rejected["decided by"]) == ("Rejected", "Dr Supervisor A")
    assert rejected["decided at"] == "2026-11-19 09:30:00"
    # Text a spreadsheet would run as a formula is neutralised; negative hours are not.
    assert rejected["reason"] == '\'=HYPERLINK("http://evil")'


def test_csv_is_oldest_first(world: World, logs: dict[str, PracticeLog]) -> None:
    rows = _csv(api_client_for(_u(world, "office")).get(EXPORT))

    assert [row["date"] for row in rows] == sorted(row["date"] for row in rows)


def test_xlsx_reads_back_with_typed_cells(world: World, logs: dict[str, PracticeLog]) -> None:
    rows = {row["id"]: row for row in _xlsx(api_client_for(_u(world, "office")).get(EXPORT, {"format": "xlsx"}))}

    assert set(rows) == {log.pk for log in logs.values()}
    pending = rows[logs["pending"].pk]
    assert pending["date"] == datetime.datetime(2026, 11, 20)
    assert pending["student name"] == "李明"
    assert pending["hours"] == 2.5
    assert (pending["start"], pending["end"]) == (datetime.time(8, 0), datetime.time(10, 30))
    assert pending["placement from"] == datetime.datetime.combine(world.placement_a.start_date, datetime.time())
    rejected = rows[logs["rejected"].pk]
    assert rejected["decided at"] == datetime.datetime(2026, 11, 19, 9, 30)
    assert rejected["reason"] == '=HYPERLINK("http://evil")'  # kept as text, never run as a formula
    assert rows[logs["correction"].pk]["corrects (id)"] == logs["approved"].pk


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_coordinator_of_b_gets_none_of_as_entries(world: World, logs: dict[str, PracticeLog], kind: str) -> None:
    response = api_client_for(_u(world, "coordinator_b")).get(EXPORT, {"format": kind})

    rows = _csv(response) if kind == "csv" else _xlsx(response)

    assert [int(row["id"]) for row in rows] == [logs["at_b"].pk]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_is_scoped_for_each_persona(world: World, logs: dict[str, PracticeLog], kind: str) -> None:
    at_a = {logs[name].pk for name in ("pending", "approved", "correction", "rejected")}
    for persona, expected in (
        ("supervisor_a", at_a),
        ("student_a", at_a),
        ("supervisor_b", {logs["at_b"].pk}),
        ("student_b", {logs["at_b"].pk}),
        ("inspector", set()),
    ):
        response = api_client_for(_u(world, persona)).get(EXPORT, {"format": kind})
        rows = _csv(response) if kind == "csv" else _xlsx(response)
        assert {int(row["id"]) for row in rows} == expected, persona


def test_export_takes_the_lists_filters(world: World, logs: dict[str, PracticeLog]) -> None:
    client = api_client_for(_u(world, "office"))

    def ids(**query: Any) -> set[int]:
        return {int(row["id"]) for row in _csv(client.get(EXPORT, query))}

    assert ids(status="approved") == {logs["approved"].pk, logs["correction"].pk, logs["at_b"].pk}
    assert ids(partner=world.partner_b.pk) == {logs["at_b"].pk}
    assert ids(student=world.student_a.pk, date_from="2026-11-20") == {logs["pending"].pk}
    assert ids(placement=world.placement_a.pk, date_to="2026-11-18") == {logs["rejected"].pk}


def test_export_refuses_an_unknown_format_or_a_bad_filter(world: World, logs: dict[str, PracticeLog]) -> None:
    client = api_client_for(_u(world, "office"))

    wrong = client.get(EXPORT, {"format": "pdf"})
    bad = client.get(EXPORT, {"date_from": "soon"})

    assert (wrong.status_code, list(wrong.json()["error"]["fields"])) == (400, ["format"])
    assert (bad.status_code, list(bad.json()["error"]["fields"])) == (400, ["date_from"])
    assert api_client_for(None).get(EXPORT).status_code == 401


def test_export_answers_the_file_whatever_the_client_accepts(world: World, logs: dict[str, PracticeLog]) -> None:
    response = api_client_for(_u(world, "office")).get(EXPORT, {"format": "csv"}, HTTP_ACCEPT="text/csv")

    assert len(_csv(response)) == 5


def test_csv_export_costs_the_same_queries_at_two_sizes(world: World, logs: dict[str, PracticeLog]) -> None:
    client = api_client_for(_u(world, "coordinator_a"))
    _csv(client.get(EXPORT))
    with CaptureQueriesContext(connection) as small:
        assert len(_csv(client.get(EXPORT))) == 4
    for n in range(40):
        PracticeLogFactory.create(placement=world.placement_a, date=DAY - datetime.timedelta(days=n % 10))
    with CaptureQueriesContext(connection) as large:
        assert len(_csv(client.get(EXPORT))) == 44

    assert len(large) == len(small)


def test_xlsx_is_built_in_a_temporary_file(world: World, logs: dict[str, PracticeLog]) -> None:
    target = exports.export_xlsx(PracticeLog.objects.all())
    try:
        assert target.fileno() >= 0  # a real file on disk, not a buffer in memory
        assert target.tell() == 0
        assert len(list(openpyxl.load_workbook(target, read_only=True).worksheets[0].iter_rows())) == 6
    finally:
        target.close()


# --- The page route ----------------------------------------------------------------------------------------


def test_page_export_downloads_csv_and_xlsx_in_scope(world: World, logs: dict[str, PracticeLog]) -> None:
    client = client_for(_u(world, "coordinator_b"))

    csv_rows = _csv(client.get(reverse("practice:export")))
    xlsx_rows = _xlsx(client.get(reverse("practice:export"), {"format": "xlsx", "status": "approved"}))

    assert [int(row["id"]) for row in csv_rows] == [logs["at_b"].pk]
    assert [row["id"] for row in xlsx_rows] == [logs["at_b"].pk]


def test_page_export_refuses_bad_input_and_anonymous(world: World, logs: dict[str, PracticeLog]) -> None:
    client = client_for(_u(world, "office"))

    assert client.get(reverse("practice:export"), {"format": "pdf"}).status_code == 400
    assert client.get(reverse("practice:export"), {"student": "x"}).status_code == 400
    assert client_for(None).get(reverse("practice:export")).status_code == 302
