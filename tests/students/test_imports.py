"""Bulk import of students: the preview with row-level errors, all or nothing, idempotent on the student
number; CSV and XLSX told apart by content; and the export read back in."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from partners.models import Membership, MembershipRole, PartnerKind
from programmes.models import MilestoneKind, MilestoneTemplate
from students.models import Milestone, PlanStatus, PlanVersion, Student, TrainingPlan
from students.services import imports
from students.services.imports import RowStatus
from tests.conftest import World, client_for
from tests.factories.accounts import UserFactory
from tests.factories.partners import MembershipFactory, PartnerFactory
from tests.factories.programmes import ProgrammeFactory

pytestmark = pytest.mark.django_db

HEADER = list(imports.COLUMNS)


def _row(number: str = "2026001", username: str = "li.ming", **values: str) -> dict[str, str]:
    row = {
        "student_number": number,
        "username": username,
        "full_name": "李明",
        "email": f"{username}@example.org",
        "programme_code": "mit",
        "intake_year": "2026",
        "enrolled_on": "2026-09-01",
        "tutor_username": "tutor",
        "research_direction": "Low-dose CT reconstruction",
        "career_intention": "hospital",
    }
    row.update(values)
    return row


def _csv(rows: list[dict[str, str]], header: list[str] = HEADER, delimiter: str = ",", bom: bool = True) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


def _xlsx(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client: Client, data: bytes, name: str = "students.csv") -> Any:
    return client.post(reverse("students:import"), {"file": SimpleUploadedFile(name, data)})


def _statuses(response: Any) -> list[str]:
    return [row.status for row in response.context["preview"].rows]


def _errors(response: Any, line: int) -> dict[str, str]:
    row = next(row for row in response.context["preview"].rows if row.line == line)
    return dict(row.errors)


def _confirm(client: Client, preview_response: Any) -> Any:
    token = preview_response.context["confirm_form"].initial["token"]
    return client.post(reverse("students:import"), {"token": token})


# --- Preview ----------------------------------------------------------------------------------------


def test_preview_shows_new_rows_and_writes_nothing(office: User, world: World) -> None:
    users, students = User.objects.count(), Student.objects.count()
    client = client_for(office)

    response = _upload(client, _csv([_row(), _row("2026002", "wang.fang")]))

    assert response.status_code == 200
    assert _statuses(response) == [RowStatus.NEW, RowStatus.NEW]
    assert response.context["confirm_form"] is not None
    assert (User.objects.count(), Student.objects.count()) == (users, students)
    html = response.content.decode()
    assert "李明" in html
    assert 'data-testid="import-confirm"' in html


def test_confirm_creates_accounts_students_plans_and_milestones(office: User, world: World) -> None:
    MilestoneTemplate.objects.create(programme=world.programme, kind=MilestoneKind.PROPOSAL, offset_months=9)
    client = client_for(office)
    preview = _upload(client, _csv([_row(), _row("2026002", "wang.fang", tutor_username="", career_intention="")]))

    response = _confirm(client, preview)

    assert response.status_code == 302
    assert response["Location"] == reverse("students:list")
    student = Student.objects.select_related("user", "cohort", "tutor").get(student_number="2026001")
    assert student.user.username == "li.ming"
    assert student.user.full_name == "李明"
    assert student.user.email == "li.ming@example.org"
    assert not student.user.has_usable_password()
    assert student.cohort.intake_year == 2026
    assert student.enrolled_on == datetime.date(2026, 9, 1)
    assert student.tutor == world.users["tutor"]
    assert student.career_intention == "hospital"
    assert TrainingPlan.objects.get(student=student).status == PlanStatus.DRAFT
    assert PlanVersion.objects.filter(plan__student=student, number=1).exists()
    assert Milestone.objects.get(student=student).due_date == datetime.date(2027, 6, 1)
    other = Student.objects.get(student_number="2026002")
    assert other.tutor is None
    assert other.career_intention == "undecided"


def test_importing_the_same_file_twice_creates_nothing_new(office: User, world: World) -> None:
    client = client_for(office)
    data = _csv([_row(), _row("2026002", "wang.fang")])
    _confirm(client, _upload(client, data))
    counts = (User.objects.count(), Student.objects.count(), TrainingPlan.objects.count())

    again = _upload(client, data)

    assert _statuses(again) == [RowStatus.UNCHANGED, RowStatus.UNCHANGED]
    assert again.context["confirm_form"] is None
    assert 'data-testid="import-nothing"' in again.content.decode()
    assert (User.objects.count(), Student.objects.count(), TrainingPlan.objects.count()) == counts


def test_known_student_number_updates_the_student(office: User, world: World) -> None:
    client = client_for(office)
    _confirm(client, _upload(client, _csv([_row()])))

    preview = _upload(client, _csv([_row(full_name="李明明", research_direction="MR spectroscopy")]))

    row = preview.context["preview"].rows[0]
    assert row.status == RowStatus.UPDATE
    assert set(row.changes) == {"full_name", "research_direction"}
    _confirm(client, preview)
    student = Student.objects.select_related("user").get(student_number="2026001")
    assert student.user.full_name == "李明明"
    assert student.research_direction == "MR spectroscopy"


def test_blank_optional_cells_keep_what_is_recorded(office: User, world: World) -> None:
    client = client_for(office)
    _confirm(client, _upload(client, _csv([_row()])))

    preview = _upload(client, _csv([_row(tutor_username="", research_direction="", career_intention="")]))

    assert _statuses(preview) == [RowStatus.UNCHANGED]


def test_update_of_an_existing_world_student(office: User, world: World) -> None:
    a = world.student_a
    row = _row(
        a.student_number,
        "student_a",
        full_name=world.student_a.user.full_name,
        email=world.student_a.user.email,
        intake_year="2026",
        enrolled_on=a.enrolled_on.isoformat(),
        tutor_username="",
        research_direction="",
        career_intention="research",
    )
    client = client_for(office)

    preview = _upload(client, _csv([row]))

    assert preview.context["preview"].rows[0].changes == ["career_intention"]
    _confirm(client, preview)
    assert Student.objects.get(pk=a.pk).career_intention == "research"


# --- Row errors -------------------------------------------------------------------------------------


def test_row_errors_name_the_column_and_why(office: User, world: World) -> None:
    PartnerFactory.create(kind=PartnerKind.HOSPITAL)
    not_a_tutor = UserFactory.create(username="sup.only")
    MembershipFactory.create(user=not_a_tutor, partner=world.partner_a, role=MembershipRole.SUPERVISOR)
    rows = [
        _row("R1", "u1", programme_code="nope"),
        _row("R2", "u2", enrolled_on="01/09/2026"),
        _row("R3", "u3", tutor_username="sup.only"),
        _row("R4", "u4", intake_year="twenty"),
        _row("R5", "u5", email="not-an-email"),
        _row("R6", "u6", career_intention="astronaut"),
        _row("R7", "", full_name=""),
        _row("R8", "student_b"),
        _row("R9", "supervisor_a"),
        _row("R10", "u10", email="tutor@example.org"),
    ]

    response = _upload(client_for(office), _csv(rows))

    assert set(_statuses(response)) == {RowStatus.ERROR}
    assert "Unknown programme code “nope”" in _errors(response, 2)["programme_code"]
    assert "YYYY-MM-DD" in _errors(response, 3)["enrolled_on"]
    assert "not a tutor member of a university" in _errors(response, 4)["tutor_username"]
    assert "year" in _errors(response, 5)["intake_year"]
    assert "not a valid e-mail address" in _errors(response, 6)["email"]
    assert "hospital" in _errors(response, 7)["career_intention"]
    assert _errors(response, 8).keys() >= {"username", "full_name"}
    assert "already taken by another student" in _errors(response, 9)["username"]
    assert "not a student" in _errors(response, 10)["username"]
    assert "already belongs to the account “tutor”" in _errors(response, 11)["email"]
    html = response.content.decode()
    assert 'data-testid="import-refused"' in html
    assert 'data-testid="import-confirm"' not in html
    assert response.context["confirm_form"] is None


def test_duplicate_student_number_within_the_file_is_an_error_on_both_rows(office: User, world: World) -> None:
    response = _upload(client_for(office), _csv([_row("X1", "a1"), _row("X2", "a2"), _row("X1", "a3")]))

    assert _statuses(response) == [RowStatus.ERROR, RowStatus.NEW, RowStatus.ERROR]
    assert "also in row(s) 4" in _errors(response, 2)["student_number"]
    assert "also in row(s) 2" in _errors(response, 4)["student_number"]


def test_duplicate_username_and_email_within_the_file(office: User, world: World) -> None:
    response = _upload(client_for(office), _csv([_row("X1", "same"), _row("X2", "same", email="SAME@example.org")]))

    assert "also in row(s) 3" in _errors(response, 2)["username"]
    assert "also in row(s) 2" in _errors(response, 3)["email"]


def test_import_does_not_move_a_student_to_another_programme(office: User, world: World) -> None:
    ProgrammeFactory.create(code="other", lead_university=world.university)
    a = world.student_a
    row = _row(a.student_number, "student_a", email=world.student_a.user.email, programme_code="other")

    response = _upload(client_for(office), _csv([row]))

    assert "does not move students between programmes" in _errors(response, 2)["programme_code"]


def test_import_does_not_rename_an_account(office: User, world: World) -> None:
    row = _row(world.student_a.student_number, "someone.else")

    response = _upload(client_for(office), _csv([row]))

    assert "does not change usernames" in _errors(response, 2)["username"]


def test_confirm_is_refused_when_any_row_is_invalid(office: User, world: World) -> None:
    client = client_for(office)
    data = _csv([_row(), _row("2026002", "wang.fang", programme_code="nope")])
    token = imports.stash_upload(data=data, by=office)

    response = client.post(reverse("students:import"), {"token": token})

    assert response.status_code == 200
    assert not Student.objects.filter(student_number="2026001").exists()
    assert not User.objects.filter(username="li.ming").exists()
    assert "nothing was imported" in response.content.decode()


def test_all_or_nothing_when_the_database_changed_since_the_preview(office: User, world: World) -> None:
    client = client_for(office)
    preview = _upload(client, _csv([_row(), _row("2026002", "wang.fang")]))
    UserFactory.create(username="wang.fang")  # someone takes the username before the confirmation

    response = _confirm(client, preview)

    assert response.status_code == 200
    assert _statuses(response)[1] == RowStatus.ERROR
    assert not Student.objects.filter(student_number__in=["2026001", "2026002"]).exists()
    assert not User.objects.filter(username="li.ming").exists()


def test_service_rolls_back_every_row_when_a_write_fails(
    office: User, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Row 3's tutor loses their membership between the check and the write: the service refuses it, and
    # row 2, already written inside the transaction, is rolled back too.
    data = _csv([_row(tutor_username=""), _row("2026002", "wang.fang")])
    original = imports.import_preview

    def stale_preview(*, data: bytes, by: User) -> imports.ImportPreview:
        checked = original(data=data, by=by)
        assert checked.is_valid
        Membership.objects.filter(user__username="tutor").delete()
        return checked

    monkeypatch.setattr(imports, "import_preview", stale_preview)

    with pytest.raises(ValidationError, match="Row 3"):
        imports.student_import(data=data, by=office)

    assert not Student.objects.filter(student_number__in=["2026001", "2026002"]).exists()
    assert not User.objects.filter(username="li.ming").exists()


def test_service_refuses_non_office(tutor: User, world: World) -> None:
    with pytest.raises(PermissionDenied):
        imports.student_import(data=_csv([_row()]), by=tutor)

    assert not Student.objects.filter(student_number="2026001").exists()


# --- The file itself --------------------------------------------------------------------------------


def test_missing_required_column_is_refused_with_its_name(office: User, world: World) -> None:
    header = [name for name in HEADER if name != "enrolled_on"]

    response = _upload(client_for(office), _csv([_row()], header=header))

    assert response.status_code == 200
    assert "Missing required columns: enrolled_on" in response.content.decode()
    assert response.context["form"].errors["file"]


def test_optional_columns_may_be_left_out_and_unknown_ones_are_ignored(office: User, world: World) -> None:
    header = [*imports.REQUIRED_COLUMNS, "notes"]
    rows = [{**_row(), "notes": "whatever"}]

    response = _upload(client_for(office), _csv(rows, header=header))

    assert _statuses(response) == [RowStatus.NEW]
    assert response.context["preview"].ignored_columns == ["notes"]


def test_csv_without_bom_and_with_semicolons_is_read(office: User, world: World) -> None:
    response = _upload(client_for(office), _csv([_row()], delimiter=";", bom=False))

    assert _statuses(response) == [RowStatus.NEW]
    assert response.context["preview"].rows[0].values["full_name"] == "李明"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_csv_saved_by_chinese_excel_is_read(office: User, world: World, encoding: str) -> None:
    """Chinese Excel saves plain "CSV" in GBK: it is read, Chinese names intact."""
    data = _csv([_row(research_direction="低剂量CT重建")], bom=False).decode().encode(encoding)

    response = _upload(client_for(office), data)

    assert _statuses(response) == [RowStatus.NEW]
    values = response.context["preview"].rows[0].values
    assert (values["full_name"], values["research_direction"]) == ("李明", "低剂量CT重建")


def test_csv_in_an_unreadable_encoding_is_refused_with_what_to_do(office: User, world: World) -> None:
    data = _csv([_row()], bom=False) + b"\x80\xff\xfe\x81"  # neither UTF-8 nor GB18030

    response = _upload(client_for(office), data)

    assert "CSV UTF-8" in response.context["form"].errors["file"][0]


def test_renamed_pdf_is_not_a_spreadsheet(office: User, world: World) -> None:
    response = _upload(client_for(office), b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n", name="students.csv")

    (message,) = response.context["form"].errors["file"]
    assert message.startswith("This is not a spreadsheet")


@pytest.mark.parametrize("sign", ["=", "+", "-", "@"])
def test_new_names_and_codes_that_start_like_a_formula_are_row_errors(office: User, world: World, sign: str) -> None:
    data = _csv([_row(full_name=f"{sign}SUM(1+1)"), _row("2026002", "wang.fang", student_number=f"{sign}2026002")])

    response = _upload(client_for(office), data)

    assert _statuses(response) == [RowStatus.ERROR, RowStatus.ERROR]
    assert "would run it as a formula" in _errors(response, 2)["full_name"]
    assert "would run it as a formula" in _errors(response, 3)["student_number"]


def test_binary_file_named_csv_is_refused(office: User, world: World) -> None:
    response = _upload(client_for(office), b"\x00\x01\x02binary", name="students.csv")

    assert response.context["form"].errors["file"]


def test_file_that_starts_like_a_zip_but_is_not_a_workbook_is_refused(office: User, world: World) -> None:
    response = _upload(client_for(office), b"PK\x03\x04not really a zip", name="students.xlsx")

    assert "cannot be read" in response.content.decode()


def test_file_over_two_megabytes_is_refused(office: User, world: World) -> None:
    data = _csv([_row()]) + b"#" * (imports.MAX_UPLOAD_BYTES + 1)

    response = _upload(client_for(office), data)

    assert "too large" in response.content.decode()


def test_more_than_two_thousand_rows_is_refused(office: User, world: World) -> None:
    rows = [_row(f"N{i}", f"user{i}") for i in range(imports.MAX_ROWS + 1)]

    response = _upload(client_for(office), _csv(rows))

    assert "more than 2,000 rows" in response.content.decode()


def test_empty_file_is_refused(office: User, world: World) -> None:
    response = _upload(client_for(office), b"\xef\xbb\xbf\n\n")

    assert "The file is empty." in response.content.decode()


def test_xlsx_is_detected_by_content_with_dates_and_numbers(office: User, world: World) -> None:
    data = _xlsx(
        [
            HEADER,
            [2026003, "zhao.lei", "赵磊", "zhao.lei@example.org", "mit", 2026, datetime.date(2026, 9, 1), "tutor"],
            [],
        ]
    )
    client = client_for(office)

    preview = _upload(client, data, name="students.csv")  # the name is not trusted, the content is

    assert _statuses(preview) == [RowStatus.NEW]
    row = preview.context["preview"].rows[0]
    assert row.values["student_number"] == "2026003"
    assert row.values["enrolled_on"] == "2026-09-01"
    _confirm(client, preview)
    assert Student.objects.get(student_number="2026003").user.full_name == "赵磊"


# --- The token between preview and confirmation -----------------------------------------------------


def test_confirm_with_a_forged_token_imports_nothing(office: User, world: World) -> None:
    response = client_for(office).post(reverse("students:import"), {"token": "forged:token"})

    assert response.status_code == 200
    assert "expired or is not yours" in response.content.decode()


def test_another_office_user_cannot_confirm_my_upload(office: User, world: World) -> None:
    from accounts.roles import PlatformRole, grant_platform_role

    colleague = UserFactory.create()
    grant_platform_role(colleague, PlatformRole.OFFICE)
    token = imports.stash_upload(data=_csv([_row()]), by=office)

    response = client_for(colleague).post(reverse("students:import"), {"token": token})

    assert "expired or is not yours" in response.content.decode()
    assert not Student.objects.filter(student_number="2026001").exists()


def test_confirmed_upload_is_deleted_and_cannot_be_confirmed_again(office: User, world: World) -> None:
    client = client_for(office)
    preview = _upload(client, _csv([_row()]))
    token = preview.context["confirm_form"].initial["token"]
    name, _data = imports.load_stash(token=token, by=office)
    assert name.startswith("imports/")

    client.post(reverse("students:import"), {"token": token})

    assert not default_storage.exists(name)
    again = client.post(reverse("students:import"), {"token": token})
    assert "expired or is not yours" in again.content.decode()
    assert Student.objects.filter(student_number="2026001").count() == 1


# --- Who may import ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["tutor", "coordinator_a", "student_a"])
def test_only_the_office_may_import(persona: str, world: World) -> None:
    client = client_for(world.users[persona])

    assert client.get(reverse("students:import")).status_code == 404
    assert _upload(client, _csv([_row()])).status_code == 404
    assert not Student.objects.filter(student_number="2026001").exists()


# --- Export, then import ----------------------------------------------------------------------------


def test_exported_csv_imports_back_unchanged(office: User, world: World) -> None:
    client = client_for(office)
    exported = b"".join(client.get(reverse("students:export"), {"format": "csv"}).streaming_content)  # type: ignore[attr-defined]

    preview = _upload(client, exported)

    assert _statuses(preview) == [RowStatus.UNCHANGED, RowStatus.UNCHANGED]
    assert set(preview.context["preview"].ignored_columns) == {"plan_status", "at_risk"}


def test_exported_xlsx_imports_back_unchanged(office: User, world: World) -> None:
    client = client_for(office)
    exported = client.get(reverse("students:export"), {"format": "xlsx"}).content

    preview = _upload(client, exported, name="students.xlsx")

    assert _statuses(preview) == [RowStatus.UNCHANGED, RowStatus.UNCHANGED]
