"""An unedited export of the students imports back unchanged, values that start like a formula included:
the CSV export's neutralising apostrophe comes off on import, and nothing would save it into a name."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from students.models import Student
from students.services.imports import RowStatus
from tests.conftest import World, client_for

pytestmark = pytest.mark.django_db

#: Starts that a spreadsheet runs as a formula, the export's apostrophe before one (a value saved by the
#: old import, or typed so), and an apostrophe before ordinary text.
STARTS = ["=", "+", "-", "@", "\t", "\r", "'=", "'-", "'"]
#: Usernames allow only these of them; e-mail addresses' local parts these.
USERNAME_STARTS = {"+", "-", "@"}
EMAIL_STARTS = {"=", "+", "-", "'=", "'-", "'"}


def _formulaic(world: World, start: str) -> Student:
    """Student A with every free-text column starting with ``start`` (where the column allows it)."""
    student = Student.objects.select_related("user").get(pk=world.student_a.pk)
    student.student_number = f"{start}2026A"
    student.research_direction = f'{start}HYPERLINK("http://evil", "CT")'
    student.save()
    user = student.user
    user.full_name = f"{start}SUM(1+1) Li"
    if start in USERNAME_STARTS:
        user.username = f"{start}student.a"
    if start in EMAIL_STARTS:
        user.email = f"{start}student.a@example.org"
    user.save()
    return student


def _export(client: Client, file_format: str) -> bytes:
    response = client.get(reverse("students:export"), {"format": file_format})
    assert response.status_code == 200
    if file_format == "csv":
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return bytes(response.content)


def _preview(client: Client, data: bytes, name: str) -> Any:
    response = client.post(reverse("students:import"), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 200
    return response.context["preview"]


@pytest.mark.parametrize("start", STARTS, ids=repr)
def test_an_exported_csv_imports_back_with_no_changes(office: User, world: World, start: str) -> None:
    student = _formulaic(world, start)
    client = client_for(office)
    exported = _export(client, "csv")
    if start in ("=", "+", "-", "@"):
        assert f"'{start}SUM(1+1) Li".encode() in exported  # neutralised on the way out

    preview = _preview(client, exported, "students.csv")

    rows = {row.values["student_number"]: row for row in preview.rows}
    assert {number: row.status for number, row in rows.items()} == {
        student.student_number: RowStatus.UNCHANGED,
        world.student_b.student_number: RowStatus.UNCHANGED,
    }, [(row.line, row.changes, row.errors) for row in preview.rows]
    assert rows[student.student_number].values["full_name"] == f"{start}SUM(1+1) Li"
    assert not preview.has_changes


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "'=", "'"], ids=repr)
def test_an_exported_xlsx_imports_back_with_no_changes(office: User, world: World, start: str) -> None:
    _formulaic(world, start)
    client = client_for(office)

    preview = _preview(client, _export(client, "xlsx"), "students.xlsx")

    assert [row.status for row in preview.rows] == [RowStatus.UNCHANGED, RowStatus.UNCHANGED], [
        (row.line, row.changes, row.errors) for row in preview.rows
    ]


def test_an_edited_export_changes_only_the_edited_cell_and_saves_no_apostrophe(office: User, world: World) -> None:
    student = _formulaic(world, "=")
    client = client_for(office)
    exported = _export(client, "csv")
    assert b'""CT""' in exported
    edited = exported.replace(b'""CT""', b'""MRI""')
    preview = client.post(reverse("students:import"), {"file": SimpleUploadedFile("students.csv", edited)})
    changed = [row for row in preview.context["preview"].rows if row.status == RowStatus.UPDATE]
    assert [row.changes for row in changed] == [["research_direction"]]

    client.post(reverse("students:import"), {"token": preview.context["confirm_form"].initial["token"]})

    student.refresh_from_db()
    student.user.refresh_from_db()
    assert student.user.full_name == "=SUM(1+1) Li"
    assert student.research_direction == '=HYPERLINK("http://evil", "MRI")'
