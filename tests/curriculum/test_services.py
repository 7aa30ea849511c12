"""Curriculum services: the catalogue's rules, enrolment refusals, grades (entry, lock, corrections, bulk,
file import), qualification and overrides, and the requirement check and coverage flags."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from curriculum import selectors
from curriculum.models import (
    Course,
    CourseObjective,
    CoverageLevel,
    Enrolment,
    Grade,
    GradeCorrection,
    GradeStatus,
    LinkKind,
    Offering,
    TeacherProfile,
)
from curriculum.services import courses, grade_imports, grades, offerings, teachers
from programmes.models import CourseCategory, CreditRequirement, ObjectiveKind
from tests.conftest import World
from tests.curriculum.conftest import make_offering
from tests.factories.curriculum import (
    CourseFactory,
    CurriculumEntryFactory,
    EnrolmentFactory,
    GradeFactory,
    TeacherProfileFactory,
    TeacherTrainingFactory,
)
from tests.factories.programmes import ObjectiveFactory

pytestmark = pytest.mark.django_db


def _rule(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return str(next(iter(error.value.error_dict.values()))[0].code)


# --- Catalogue ------------------------------------------------------------------------------------------


def test_prerequisite_cycle_is_refused(world: World) -> None:
    office = world.users["office"]
    a, b, c = (CourseFactory.create(teaching_partner=world.partner_a) for _ in range(3))
    courses.course_link_add(course=b, other=a, kind=LinkKind.PREREQUISITE, by=office)  # type: ignore[arg-type]
    courses.course_link_add(course=c, other=b, kind=LinkKind.PREREQUISITE, by=office)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as refused:
        courses.course_link_add(course=a, other=c, kind=LinkKind.PREREQUISITE, by=office)  # type: ignore[arg-type]
    assert _rule(refused) == "prerequisite_cycle"
    # "integrates" links are no prerequisites: they may go both ways.
    courses.course_link_add(course=a, other=c, kind=LinkKind.INTEGRATES, by=office)  # type: ignore[arg-type]


def test_coordinator_changes_only_own_partners_courses(world: World) -> None:
    own = CourseFactory.create(teaching_partner=world.partner_a)
    other = CourseFactory.create(teaching_partner=world.partner_b)
    coordinator = world.users["coordinator_a"]
    courses.course_update(course=own, data={"title_en": "New title"}, by=coordinator)  # type: ignore[arg-type]
    assert Course.objects.get(pk=own.pk).title_en == "New title"
    with pytest.raises(PermissionDenied):
        courses.course_update(course=other, data={"title_en": "Taken"}, by=coordinator)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as refused:
        courses.course_update(course=own, data={"teaching_partner": world.partner_b}, by=coordinator)  # type: ignore[arg-type]
    assert _rule(refused) == "not_your_partner"


def test_only_integrated_courses_have_ie_credits(world: World) -> None:
    data = {
        "code": "X1",
        "title_en": "X",
        "category": CourseCategory.PROFESSIONAL_CORE,
        "credits": Decimal("2"),
        "ie_credits": Decimal("1"),
        "hours": 32,
        "teaching_partner": world.partner_a,
    }
    with pytest.raises(ValidationError) as refused:
        courses.course_create(data=data, by=world.users["office"])  # type: ignore[arg-type]
    assert _rule(refused) == "ie_credits_not_integrated"
    course = courses.course_create(
        data={**data, "category": CourseCategory.INTEGRATED},
        by=world.users["office"],  # type: ignore[arg-type]
    )
    assert course.ie_credits == Decimal("1")


def test_ie_credits_over_the_course_credits_break_a_constraint(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CourseFactory.create(category=CourseCategory.INTEGRATED, credits=Decimal("1"), ie_credits=Decimal("2"))


def test_requirement_check_says_the_shortfall(world: World) -> None:
    programme = world.programme
    CreditRequirement.objects.create(programme=programme, category=CourseCategory.INNOVATION, credits=Decimal("4"))
    CreditRequirement.objects.create(programme=programme, category=CourseCategory.INTEGRATED, credits=Decimal("2"))
    ie = CourseFactory.create(category=CourseCategory.INNOVATION, credits=Decimal("2"))
    integrated = CourseFactory.create(category=CourseCategory.INTEGRATED, credits=Decimal("3"), ie_credits=Decimal("1"))
    CurriculumEntryFactory.create(programme=programme, course=ie, kind="compulsory", term=1)
    CurriculumEntryFactory.create(programme=programme, course=integrated, kind="compulsory", term=2)
    check = selectors.curriculum_check(programme=programme)
    rows = {row.category: row for row in check.requirements}
    assert rows[CourseCategory.INNOVATION].compulsory == Decimal("3")  # 2 + the integrated course's I&E share
    assert rows[CourseCategory.INNOVATION].status == "shortfall"
    assert "4 credits required, 3 offered as compulsory" in rows[CourseCategory.INNOVATION].message
    assert rows[CourseCategory.INTEGRATED].status == "ok"
    assert [term for term, _entries in check.terms] == [1, 2]


def test_coverage_flags_nothing_masters_and_ie_only_by_electives(world: World) -> None:
    programme = world.programme
    knowledge = ObjectiveFactory.create(programme=programme, code="K1", kind=ObjectiveKind.KNOWLEDGE)
    innovation = ObjectiveFactory.create(programme=programme, code="I1", kind=ObjectiveKind.INNOVATION)
    core, elective = CourseFactory.create(), CourseFactory.create()
    CurriculumEntryFactory.create(programme=programme, course=core, kind="compulsory")
    CurriculumEntryFactory.create(programme=programme, course=elective, kind="elective")
    CourseObjective.objects.create(course=core, objective=knowledge, level=CoverageLevel.REINFORCES)
    CourseObjective.objects.create(course=elective, objective=innovation, level=CoverageLevel.MASTERS)
    matrix = selectors.coverage_matrix(programme=programme)
    flags = {row.objective.code: row.flags for row in matrix.rows}
    assert any("Nothing masters" in flag for flag in flags["K1"])
    assert any("only by electives" in flag for flag in flags["I1"])
    CourseObjective.objects.create(course=core, objective=innovation, level=CoverageLevel.INTRODUCES)
    flags = {row.objective.code: row.flags for row in selectors.coverage_matrix(programme=programme).rows}
    assert flags["I1"] == []


# --- Enrolment ------------------------------------------------------------------------------------------


def _enrol(offering: Offering, world: World, today: datetime.date | None = None) -> Enrolment:
    return offerings.enrolment_create(
        offering=offering,
        student=world.student_a,
        by=world.users["student_a"],  # type: ignore[arg-type]
        today=today,
    )


def test_student_enrols_themself(world: World, offering: Offering) -> None:
    enrolment = _enrol(offering, world)
    assert enrolment.student == world.student_a and enrolment.enrolled_by == world.users["student_a"]


def test_enrolment_outside_the_window_is_refused(world: World, offering: Offering) -> None:
    with pytest.raises(ValidationError) as refused:
        _enrol(offering, world, today=offering.enrol_closes + datetime.timedelta(days=1))
    assert _rule(refused) == "outside_window"


def test_enrolment_in_a_full_offering_is_refused(world: World, offering: Offering) -> None:
    Offering.objects.filter(pk=offering.pk).update(capacity=1)
    EnrolmentFactory.create(offering=offering, student=world.student_b)
    with pytest.raises(ValidationError) as refused:
        _enrol(offering, world)
    assert _rule(refused) == "offering_full"


def test_enrolment_without_passed_prerequisites_is_refused(
    world: World, offering: Offering, teacher: TeacherProfile
) -> None:
    advanced = make_offering(world, teacher, weekday=3)
    courses.course_link_add(
        course=advanced.course,
        other=offering.course,
        kind=LinkKind.PREREQUISITE,
        by=world.users["office"],  # type: ignore[arg-type]
    )
    with pytest.raises(ValidationError) as refused:
        _enrol(advanced, world)
    assert _rule(refused) == "prerequisites_not_passed"
    assert offering.course.code in refused.value.messages[0]
    GradeFactory.create(enrolment=EnrolmentFactory.create(offering=offering, student=world.student_a))
    assert _enrol(advanced, world).pk


def test_enrolment_in_a_course_already_passed_is_refused(
    world: World, offering: Offering, teacher: TeacherProfile
) -> None:
    earlier = make_offering(world, teacher, course=offering.course, term="2025-1")
    GradeFactory.create(enrolment=EnrolmentFactory.create(offering=earlier, student=world.student_a))
    with pytest.raises(ValidationError) as refused:
        _enrol(offering, world)
    assert _rule(refused) == "already_passed"


def test_enrolment_with_a_timetable_clash_is_refused(world: World, offering: Offering, teacher: TeacherProfile) -> None:
    same_slot = make_offering(world, teacher, starts_at=datetime.time(9, 0), ends_at=datetime.time(11, 0))
    _enrol(offering, world)
    with pytest.raises(ValidationError) as refused:
        _enrol(same_slot, world)
    assert _rule(refused) == "timetable_clash"
    other_day = make_offering(world, teacher, weekday=2)
    assert _enrol(other_day, world).pk


def test_student_cannot_enrol_someone_else(world: World, offering: Offering) -> None:
    with pytest.raises(ValidationError) as refused:
        offerings.enrolment_create(offering=offering, student=world.student_b, by=world.users["student_a"])  # type: ignore[arg-type]
    assert _rule(refused) == "not_yours"


# --- Grades ---------------------------------------------------------------------------------------------


def test_teacher_enters_submits_and_corrects_with_history(world: World, offering: Offering) -> None:
    teacher_user = world.users["supervisor_a"]
    enrolment = EnrolmentFactory.create(offering=offering, student=world.student_a)
    grade = grades.grade_record(enrolment=enrolment, by=teacher_user, percentage=Decimal("55"))  # type: ignore[arg-type]
    assert grade.status == GradeStatus.DRAFT and grade.passed is False
    grade = grades.grade_record(enrolment=enrolment, by=teacher_user, percentage=Decimal("65"), submit=True)  # type: ignore[arg-type]
    assert grade.is_locked and grade.passed
    with pytest.raises(ValidationError) as refused:
        grades.grade_record(enrolment=enrolment, by=teacher_user, percentage=Decimal("90"))  # type: ignore[arg-type]
    assert _rule(refused) == "grade_locked"
    with pytest.raises(ValidationError) as refused:
        grades.grade_correct(grade=grade, by=teacher_user, reason=" ", percentage=Decimal("70"))  # type: ignore[arg-type]
    assert _rule(refused) == "reason_required"
    grades.grade_correct(grade=grade, by=teacher_user, reason="Marking error in Q3.", percentage=Decimal("70"))  # type: ignore[arg-type]
    correction = GradeCorrection.objects.get(grade=grade)
    assert (correction.old_percentage, correction.new_percentage) == (Decimal("65.0"), Decimal("70.0"))
    assert Grade.objects.get(pk=grade.pk).percentage == Decimal("70.0")
    assert grade.history.count() == 3  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        GradeCorrection.objects.all().delete()


def test_only_the_offerings_teachers_enter_grades(world: World, offering: Offering) -> None:
    enrolment = EnrolmentFactory.create(offering=offering, student=world.student_a)
    for name in ("office", "coordinator_a", "supervisor_b", "student_a"):
        with pytest.raises(PermissionDenied):
            grades.grade_record(enrolment=enrolment, by=world.users[name], percentage=Decimal("80"))  # type: ignore[arg-type]


def test_pass_fail_course_takes_pass_or_fail(world: World, offering: Offering) -> None:
    Course.objects.filter(pk=offering.course_id).update(grading="pass_fail")
    enrolment = EnrolmentFactory.create(offering=offering, student=world.student_a)
    with pytest.raises(ValidationError) as refused:
        grades.grade_record(enrolment=enrolment, by=world.users["supervisor_a"], percentage=Decimal("80"))  # type: ignore[arg-type]
    assert _rule(refused) == "pass_fail_required"
    grade = grades.grade_record(enrolment=enrolment, by=world.users["supervisor_a"], passed=True)  # type: ignore[arg-type]
    assert grade.passed and grade.percentage is None


def test_bulk_grades_are_idempotent_row_by_row(world: World, offering: Offering) -> None:
    teacher_user = world.users["supervisor_a"]
    a = EnrolmentFactory.create(offering=offering, student=world.student_a)
    b = EnrolmentFactory.create(offering=offering, student=world.student_b)
    rows = [
        grades.BulkGrade(index=0, enrolment_id=a.pk, idempotency_key="k-a", percentage=Decimal("80")),
        grades.BulkGrade(index=1, enrolment_id=b.pk, idempotency_key="k-b", percentage=Decimal("120")),
    ]
    first = grades.grades_bulk_record(rows=rows, by=teacher_user)  # type: ignore[arg-type]
    assert [o.status for o in first] == ["created", "refused"]
    assert first[1].rule == "percentage_range"
    again = grades.grades_bulk_record(rows=rows[:1], by=teacher_user)  # type: ignore[arg-type]
    assert again[0].status == "duplicate" and again[0].id == first[0].id
    assert Grade.objects.count() == 1


def test_grade_file_import_is_all_or_nothing(world: World, offering: Offering) -> None:
    teacher_user = world.users["supervisor_a"]
    EnrolmentFactory.create(offering=offering, student=world.student_a)
    EnrolmentFactory.create(offering=offering, student=world.student_b)
    a, b = world.student_a.student_number, world.student_b.student_number
    bad = f"student_number,grade\n{a},85\n{b},abc\nNOPE,70\n".encode()
    preview = grade_imports.grade_import_preview(offering=offering, data=bad, by=teacher_user)  # type: ignore[arg-type]
    assert preview.error_count == 2 and not preview.ok
    with pytest.raises(ValidationError):
        grade_imports.grade_import(offering=offering, data=bad, by=teacher_user)  # type: ignore[arg-type]
    assert not Grade.objects.exists()
    good = f"student_number,grade\n{a},85\n'{b},72\n".replace("'", "").encode()
    assert grade_imports.grade_import(offering=offering, data=good, by=teacher_user, submit=True) == 2  # type: ignore[arg-type]
    assert set(Grade.objects.values_list("status", flat=True)) == {GradeStatus.SUBMITTED}


def test_grade_file_import_reads_xlsx(world: World, offering: Offering) -> None:
    import io

    import openpyxl

    EnrolmentFactory.create(offering=offering, student=world.student_a)
    workbook = openpyxl.Workbook()
    workbook.active.append(["Student number", "Grade"])
    workbook.active.append([world.student_a.student_number, 91])
    out = io.BytesIO()
    workbook.save(out)
    count = grade_imports.grade_import(offering=offering, data=out.getvalue(), by=world.users["supervisor_a"])  # type: ignore[arg-type]
    assert count == 1 and Grade.objects.get().percentage == Decimal("91.0")


# --- Teachers -------------------------------------------------------------------------------------------


def test_qualification_by_recent_training_or_experience() -> None:
    from curriculum.models import QualificationRule, TeacherExperience, TeacherTraining

    today = datetime.date(2026, 6, 1)
    rule = QualificationRule()
    recent = [TeacherTraining(taken_on=datetime.date(2024, 1, 1))]
    old = [TeacherTraining(taken_on=datetime.date(2022, 1, 1))]
    assert teachers.qualification_of(trainings=recent, experience=[], rule=rule, today=today).by_training
    assert not teachers.qualification_of(trainings=old, experience=[], rule=rule, today=today).qualified
    two_years = [TeacherExperience(years=Decimal("1.5")), TeacherExperience(years=Decimal("0.5"))]
    assert teachers.qualification_of(trainings=old, experience=two_years, rule=rule, today=today).by_experience


def test_unqualified_teacher_on_ie_course_needs_the_offices_override(world: World) -> None:
    ie_course = CourseFactory.create(category=CourseCategory.INNOVATION, teaching_partner=world.partner_a)
    offering = make_offering(world, TeacherProfileFactory.create(partner=world.partner_a), course=ie_course)
    unqualified = TeacherProfileFactory.create(partner=world.partner_a)
    with pytest.raises(ValidationError) as refused:
        teachers.offering_teacher_assign(offering=offering, teacher=unqualified, by=world.users["coordinator_a"])  # type: ignore[arg-type]
    assert _rule(refused) == "teacher_unqualified"
    with pytest.raises(ValidationError) as refused:
        teachers.offering_teacher_assign(
            offering=offering,
            teacher=unqualified,
            by=world.users["coordinator_a"],  # type: ignore[arg-type]
            override_reason="Nobody else",
        )
    assert _rule(refused) == "override_office_only"
    assignment = teachers.offering_teacher_assign(
        offering=offering,
        teacher=unqualified,
        by=world.users["office"],  # type: ignore[arg-type]
        override_reason="Nobody else this term.",
    )
    assert assignment.overridden and not assignment.qualified
    trained = TeacherTrainingFactory.create(teacher__partner=world.partner_a).teacher
    ok = teachers.offering_teacher_assign(offering=offering, teacher=trained, by=world.users["coordinator_a"])  # type: ignore[arg-type]
    assert ok.qualified and not ok.overridden
    faculty = selectors.faculty_overview()
    assert [a.pk for a in faculty.overrides] == [assignment.pk]
    assert any(d.teacher == unqualified for d in faculty.due)


def test_credits_earned_count_ie_share_and_drive_the_at_risk_reason(world: World, offering: Offering) -> None:
    from students.selectors.lists import student_list

    programme = world.programme
    CreditRequirement.objects.create(programme=programme, category=CourseCategory.INNOVATION, credits=Decimal("2"))
    CreditRequirement.objects.create(programme=programme, category=CourseCategory.INTEGRATED, credits=Decimal("4"))
    integrated = CourseFactory.create(category=CourseCategory.INTEGRATED, credits=Decimal("3"), ie_credits=Decimal("1"))
    Offering.objects.filter(pk=offering.pk).update(course=integrated)
    world.student_a.enrolled_on = timezone.localdate() - datetime.timedelta(days=400)
    world.student_a.save()
    office: Any = world.users["office"]
    at_risk: Any = student_list(user=office, filters={"at_risk": True}).filter(pk=world.student_a.pk).first()
    assert at_risk is not None and at_risk.risk_credit_shortfall
    GradeFactory.create(enrolment=EnrolmentFactory.create(offering=offering, student=world.student_a))
    rows, whole = selectors.credits_earned(user=office, student=world.student_a)
    earned = {row.category: row.earned for row in rows}
    assert earned == {CourseCategory.INNOVATION: Decimal("1"), CourseCategory.INTEGRATED: Decimal("3")} and whole
    still: Any = student_list(user=office, filters={"at_risk": True}).filter(pk=world.student_a.pk).first()
    assert still is None or not still.risk_credit_shortfall
