"""Curriculum pages: the catalogue, curriculum check and coverage matrix (constant queries), enrolment,
the grade sheet (one by one and by file), corrections, the plan's credits, the transcript and its PDF,
the faculty page; each with the "other partner gets 404" case beside the positive control."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from curriculum.models import CourseObjective, CoverageLevel, Enrolment, Grade, GradeStatus, Offering, TeacherProfile
from programmes.models import CourseCategory, CreditRequirement
from tests.conftest import World, client_for
from tests.factories.curriculum import (
    CourseFactory,
    CurriculumEntryFactory,
    EnrolmentFactory,
    GradeFactory,
    OfferingFactory,
    OfferingTeacherFactory,
    TeacherProfileFactory,
)
from tests.factories.programmes import ObjectiveFactory
from tests.pdfs import pdf_text

pytestmark = pytest.mark.django_db


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _grow_curriculum(world: World, n: int) -> None:
    objectives = [ObjectiveFactory.create(programme=world.programme) for _ in range(2)]
    for index in range(n):
        course = CourseFactory.create(teaching_partner=world.partner_a if index % 2 else world.partner_b)
        CurriculumEntryFactory.create(programme=world.programme, course=course, kind="elective", term=index % 4 + 1)
        CourseObjective.objects.create(course=course, objective=objectives[index % 2], level=CoverageLevel.REINFORCES)


def test_requirement_check_and_coverage_matrix_keep_their_query_count(world: World) -> None:
    CreditRequirement.objects.create(programme=world.programme, category=CourseCategory.PROFESSIONAL_CORE, credits=8)
    client = client_for(world.users["coordinator_b"])
    curriculum = reverse("curriculum:curriculum", args=[world.programme.pk])
    coverage = reverse("curriculum:coverage", args=[world.programme.pk])
    _grow_curriculum(world, 2)
    small = (_queries(client, curriculum), _queries(client, coverage))
    _grow_curriculum(world, 12)
    assert (_queries(client, curriculum), _queries(client, coverage)) == small
    page = client.get(curriculum).content.decode()
    assert "8 credits required, 0 offered as compulsory" in page


def test_catalogue_and_offerings_keep_their_query_count(world: World) -> None:
    client = client_for(world.users["office"])
    CourseFactory.create()
    offering = OfferingFactory.create(programme=world.programme, site=world.site_a)
    OfferingTeacherFactory.create(offering=offering, assigned_by=world.users["office"])
    small = (_queries(client, reverse("curriculum:catalogue")), _queries(client, reverse("curriculum:offerings")))
    for _ in range(6):
        CourseFactory.create()
        more = OfferingFactory.create(programme=world.programme, site=world.site_b)
        OfferingTeacherFactory.create(offering=more, assigned_by=world.users["office"])
        EnrolmentFactory.create(offering=more, student=world.student_b)
    large = (_queries(client, reverse("curriculum:catalogue")), _queries(client, reverse("curriculum:offerings")))
    assert large == small


def test_catalogue_filters_by_category_and_text(world: World) -> None:
    CourseFactory.create(code="IE601", title_en="I&E Foundations", category=CourseCategory.INNOVATION)
    CourseFactory.create(code="MI501", title_en="Imaging Physics")
    client = client_for(world.users["student_a"])
    page = client.get(reverse("curriculum:catalogue"), {"category": CourseCategory.INNOVATION}).content.decode()
    assert "IE601" in page and "MI501" not in page
    page = client.get(reverse("curriculum:catalogue"), {"q": "physics"}).content.decode()
    assert "MI501" in page and "IE601" not in page


def test_course_detail_draws_its_links(world: World, offering: Offering) -> None:
    advanced = CourseFactory.create(code="MI502", teaching_partner=world.partner_a)
    client = client_for(world.users["coordinator_a"])
    response = client.post(
        reverse("curriculum:course-link", args=[advanced.pk]), {"kind": "prerequisite", "other": offering.course.pk}
    )
    assert response.status_code == 302
    page = client.get(reverse("curriculum:course-detail", args=[advanced.pk])).content.decode()
    assert 'data-testid="course-graph"' in page and offering.course.code in page
    # The cycle is refused on the page, with what was chosen kept.
    back = client.post(
        reverse("curriculum:course-link", args=[offering.course.pk]), {"kind": "prerequisite", "other": advanced.pk}
    )
    assert back.status_code == 200 and "cycle is refused" in back.content.decode()


def test_coordinator_of_another_partner_cannot_edit_the_course(world: World, offering: Offering) -> None:
    url = reverse("curriculum:course-edit", args=[offering.course.pk])
    assert client_for(world.users["coordinator_b"]).get(url).status_code == 404
    assert client_for(world.users["coordinator_a"]).get(url).status_code == 200


def test_student_enrols_and_sees_a_refusal_reason(world: World, offering: Offering) -> None:
    client = client_for(world.users["student_a"])
    detail = reverse("curriculum:offering-detail", args=[offering.pk])
    assert "Enrol" in client.get(detail).content.decode()
    assert client.post(reverse("curriculum:enrol", args=[offering.pk])).status_code == 302
    assert Enrolment.objects.filter(offering=offering, student=world.student_a).exists()
    Offering.objects.filter(pk=offering.pk).update(capacity=1)
    other = client_for(world.users["student_b"])
    response = other.post(reverse("curriculum:enrol", args=[offering.pk]))
    assert response.status_code == 200 and "full" in response.content.decode()


def test_teacher_enters_grades_on_the_sheet_then_submits(world: World, offering: Offering) -> None:
    enrolment = EnrolmentFactory.create(offering=offering, student=world.student_a)
    client = client_for(world.users["supervisor_a"])
    sheet = reverse("curriculum:grade-sheet", args=[offering.pk])
    refused = client.post(sheet, {f"grade-{enrolment.pk}": "abc", "action": "save"})
    assert refused.status_code == 200 and 'value="abc"' in refused.content.decode()
    assert client.post(sheet, {f"grade-{enrolment.pk}": "78", "action": "submit"}).status_code == 302
    grade = Grade.objects.get(enrolment=enrolment)
    assert grade.status == GradeStatus.SUBMITTED and grade.percentage == Decimal("78.0")
    assert client.get(sheet).content.decode().count("Correct") >= 1
    # A teacher of another partner's offering, and the coordinator of another partner, get 404.
    assert client_for(world.users["supervisor_b"]).get(sheet).status_code == 404
    assert client_for(world.users["coordinator_b"]).get(sheet).status_code == 404


def test_grade_upload_previews_then_imports_all(world: World, offering: Offering) -> None:
    EnrolmentFactory.create(offering=offering, student=world.student_a)
    client = client_for(world.users["supervisor_a"])
    url = reverse("curriculum:grade-upload", args=[offering.pk])
    bad = SimpleUploadedFile("g.csv", f"student_number,grade\n{world.student_a.student_number},x\n".encode())
    page = client.post(url, {"file": bad}).content.decode()
    assert 'data-testid="preview-errors"' in page and "Import all rows" not in page
    good = SimpleUploadedFile("g.csv", f"student_number,grade\n{world.student_a.student_number},66\n".encode())
    preview = client.post(url, {"file": good})
    token = preview.context["token"]
    assert not Grade.objects.exists()  # the preview writes nothing
    assert client.post(url, {"token": token, "submit": "1"}).status_code == 302
    assert Grade.objects.get().status == GradeStatus.SUBMITTED
    # Another teacher cannot replay the signed file.
    TeacherProfileFactory.create(user=world.users["supervisor_b"], partner=world.partner_b)
    OfferingTeacherFactory.create(
        offering=offering,
        teacher=TeacherProfile.objects.get(user=world.users["supervisor_b"]),
        assigned_by=world.users["office"],
    )
    assert client_for(world.users["supervisor_b"]).post(url, {"token": token}).status_code == 302
    assert Grade.objects.count() == 1


def test_correction_page_keeps_the_reason(world: World, offering: Offering) -> None:
    grade = GradeFactory.create(enrolment=EnrolmentFactory.create(offering=offering, student=world.student_a))
    client = client_for(world.users["supervisor_a"])
    url = reverse("curriculum:grade-correct", args=[grade.pk])
    assert client.post(url, {"grade": "91", "reason": "Re-marked the project."}).status_code == 302
    assert "Re-marked the project." in client.get(url).content.decode()
    assert client_for(world.users["coordinator_a"]).get(url).status_code == 404


def test_plan_shows_credits_earned_and_a_partial_reader_is_told(world: World, offering: Offering) -> None:
    CreditRequirement.objects.create(programme=world.programme, category=CourseCategory.PROFESSIONAL_CORE, credits=6)
    GradeFactory.create(enrolment=EnrolmentFactory.create(offering=offering, student=world.student_a))
    other = OfferingFactory.create(
        course=CourseFactory.create(credits=Decimal("3")), programme=world.programme, site=world.site_b
    )
    GradeFactory.create(enrolment=EnrolmentFactory.create(offering=other, student=world.student_a))
    url = reverse("students:plan", args=[world.student_a.pk])
    own = client_for(world.users["student_a"]).get(url).content.decode()
    assert (
        'data-testid="credits-earned"' in own
        and "5.0" in own
        and "not yet recorded" not in own.split("Credits")[1][:400]
    )
    partial = client_for(world.users["coordinator_a"]).get(url).content.decode()
    assert "Counted at the offerings you may see." in partial
    assert "5.0" not in partial.split('data-testid="credits-earned"')[1][:600]
    pdf = client_for(world.users["student_a"]).get(reverse("students:plan-pdf", args=[world.student_a.pk]))
    assert "5.0" in pdf_text(pdf.content)


def test_transcript_page_and_pdf_with_chinese(world: World, offering: Offering) -> None:
    GradeFactory.create(enrolment=EnrolmentFactory.create(offering=offering, student=world.student_a))
    client = client_for(world.users["tutor"])
    page = client.get(reverse("curriculum:transcript", args=[world.student_a.pk])).content.decode()
    assert offering.course.code in page and "医学影像物理学" in page
    pdf = client.get(reverse("curriculum:transcript-pdf", args=[world.student_a.pk]))
    text = pdf_text(pdf.content)
    assert offering.course.code in text and "医学影像物理学" in text
    assert (
        client_for(world.users["coordinator_a"])
        .get(reverse("curriculum:transcript", args=[world.student_a.pk]))
        .status_code
        == 404
    )


def test_teacher_start_panel_lists_grades_to_enter(world: World, offering: Offering) -> None:
    EnrolmentFactory.create(offering=offering, student=world.student_a)
    page = client_for(world.users["supervisor_a"]).get(reverse("core:start")).content.decode()
    assert "Grades to enter" in page and offering.course.code in page
    assert "Grades to enter" not in client_for(world.users["supervisor_b"]).get(reverse("core:start")).content.decode()


def test_faculty_page_shows_the_share_and_the_override(world: World) -> None:
    from curriculum.services import teachers

    ie = CourseFactory.create(category=CourseCategory.INNOVATION, hours=32)
    offering = OfferingFactory.create(course=ie, programme=world.programme, site=world.site_a)
    unqualified = TeacherProfileFactory.create(user=world.users["supervisor_b"], partner=world.partner_b)
    teachers.offering_teacher_assign(
        offering=offering,
        teacher=unqualified,
        by=world.users["office"],  # type: ignore[arg-type]
        override_reason="Only one available.",
    )
    page = client_for(world.users["office"]).get(reverse("curriculum:faculty")).content.decode()
    assert "Only one available." in page and "0%" in page
    assert client_for(world.users["coordinator_a"]).get(reverse("curriculum:faculty")).status_code == 404


def test_coverage_export_is_a_workbook(world: World) -> None:
    import io

    import openpyxl

    _grow_curriculum(world, 2)
    response = client_for(world.users["office"]).get(reverse("curriculum:coverage-export", args=[world.programme.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(1, 1).value == "Objective" and sheet.max_row == 3


def test_pages_speak_chinese(world: World, offering: Offering) -> None:
    EnrolmentFactory.create(offering=offering, student=world.student_a)
    client = client_for(world.users["supervisor_a"])
    sheet = client.get(reverse("curriculum:grade-sheet", args=[offering.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "提交成绩" in sheet.content.decode()
    catalogue = client.get(reverse("curriculum:catalogue"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "课程目录" in catalogue


def test_office_sets_the_qualification_rule_and_a_placements_level(world: World) -> None:
    from curriculum.models import PlacementObjective, QualificationRule

    objective = ObjectiveFactory.create(programme=world.programme, code="P1")
    office = client_for(world.users["office"])
    curriculum = reverse("curriculum:curriculum", args=[world.programme.pk])
    saved = office.post(curriculum, {"form": "rule", "training_years": "2", "experience_years": "3"})
    assert saved.status_code == 302
    rule = QualificationRule.objects.get(programme=world.programme)
    assert (rule.training_years, rule.experience_years) == (2, Decimal("3"))
    assert "within the last 2 years" in office.get(curriculum).content.decode()
    coverage = reverse("curriculum:coverage", args=[world.programme.pk])
    body = {"placement": world.placement_a.pk, "objective": objective.pk, "level": "3"}
    assert office.post(coverage, body).status_code == 302
    assert PlacementObjective.objects.get(placement=world.placement_a).level == CoverageLevel.MASTERS
    assert "Nothing masters" not in office.get(coverage).content.decode()
    # A coordinator reads both pages and changes neither.
    coordinator = client_for(world.users["coordinator_a"])
    assert (
        coordinator.post(curriculum, {"form": "rule", "training_years": "9", "experience_years": "9"}).status_code
        == 404
    )
    assert coordinator.post(coverage, body).status_code == 404
    assert QualificationRule.objects.get(programme=world.programme).training_years == 2


def test_course_is_mapped_to_an_objective_and_the_matrix_reads_it(world: World, offering: Offering) -> None:
    objective = ObjectiveFactory.create(programme=world.programme, code="R9")
    CurriculumEntryFactory.create(programme=world.programme, course=offering.course)
    url = reverse("curriculum:course-objective", args=[offering.course.pk])
    coordinator = client_for(world.users["coordinator_a"])
    bad = coordinator.post(url, {"objective": objective.pk, "level": "7"})
    assert bad.status_code == 200 and "level" in bad.context["objective_form"].errors
    assert coordinator.post(url, {"objective": objective.pk, "level": "3"}).status_code == 302
    assert CourseObjective.objects.get(course=offering.course, objective=objective).level == CoverageLevel.MASTERS
    coverage = client_for(world.users["office"]).get(reverse("curriculum:coverage", args=[world.programme.pk]))
    assert "Nothing masters" not in coverage.content.decode()
    assert coordinator.post(url, {"objective": objective.pk, "level": ""}).status_code == 302
    assert not CourseObjective.objects.filter(course=offering.course).exists()
    assert (
        client_for(world.users["coordinator_b"]).post(url, {"objective": objective.pk, "level": "3"}).status_code == 404
    )
