"""The credits each student has earned, kept beside the grades (``EarnedCredits``, ADR 0070): every service
that changes what a student has earned keeps the sum in step, in its own transaction; a write past the
services is found by ``manage.py earned_credits`` and repaired by ``--rebuild``; two grades written for one
student at the same moment are both counted. Run on PostgreSQL and on SQLite (``embedded``), the race on
PostgreSQL only."""

from __future__ import annotations

import importlib
import threading
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.utils import timezone

from curriculum.models import Course, EarnedCredits, Grade, GradeStatus, Offering, TeacherProfile
from curriculum.selectors import earned_credits_mismatches
from curriculum.services import courses, grade_imports, grades
from students.models import Student
from tests.conftest import World
from tests.curriculum.conftest import make_offering
from tests.factories.curriculum import CourseFactory, EnrolmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _kept(student: Student) -> Decimal | None:
    row = EarnedCredits.objects.filter(student=student).first()
    return None if row is None else row.credits


def _in_step() -> None:
    assert earned_credits_mismatches() == []


def test_the_grade_services_keep_the_credits_earned(world: World, offering: Offering, teacher: TeacherProfile) -> None:
    teacher_user, office = world.users["supervisor_a"], world.users["office"]
    Course.objects.filter(pk=offering.course_id).update(credits=Decimal("3"))
    enrolment = EnrolmentFactory.create(offering=offering, student=world.student_a)

    grades.grade_record(enrolment=enrolment, by=teacher_user, percentage=Decimal("80"))  # type: ignore[arg-type]
    assert _kept(world.student_a) is None  # a draft earns nothing
    _in_step()
    grade = grades.grade_record(enrolment=enrolment, by=teacher_user, percentage=Decimal("80"), submit=True)  # type: ignore[arg-type]
    assert _kept(world.student_a) == Decimal("3")
    _in_step()

    # A correction that fails the student takes the credits away; one that passes them again gives them back.
    grades.grade_correct(grade=grade, by=teacher_user, reason="Q3 marked twice.", percentage=Decimal("40"))  # type: ignore[arg-type]
    assert _kept(world.student_a) == Decimal("0")
    grades.grade_correct(grade=grade, by=teacher_user, reason="Q3 remarked.", percentage=Decimal("75"))  # type: ignore[arg-type]
    assert _kept(world.student_a) == Decimal("3")
    _in_step()

    # A second course, its drafts submitted together; the other student's failing draft earns nothing.
    other = make_offering(world, teacher, course=CourseFactory.create(teaching_partner=world.partner_a, credits=2))
    for student, mark in ((world.student_a, "90"), (world.student_b, "30")):
        grades.grade_record(
            enrolment=EnrolmentFactory.create(offering=other, student=student),
            by=teacher_user,  # type: ignore[arg-type]
            percentage=Decimal(mark),
        )
    assert grades.grades_submit(offering=other, by=teacher_user) == 2  # type: ignore[arg-type]
    assert (_kept(world.student_a), _kept(world.student_b)) == (Decimal("5"), Decimal("0"))
    _in_step()

    # The course's credits change: every student who passed it has earned more.
    courses.course_update(course=Course.objects.get(pk=offering.course_id), data={"credits": Decimal("4.5")}, by=office)  # type: ignore[arg-type]
    assert (_kept(world.student_a), _kept(world.student_b)) == (Decimal("6.5"), Decimal("0"))
    _in_step()


def test_the_bulk_and_file_paths_keep_the_credits_earned(world: World, offering: Offering) -> None:
    teacher_user = world.users["supervisor_a"]
    Course.objects.filter(pk=offering.course_id).update(credits=Decimal("2.5"))
    a = EnrolmentFactory.create(offering=offering, student=world.student_a)
    grades.grades_bulk_record(
        rows=[grades.BulkGrade(index=0, enrolment_id=a.pk, idempotency_key="k-a", percentage=Decimal("70"))],
        by=teacher_user,  # type: ignore[arg-type]
    )
    assert _kept(world.student_a) == Decimal("2.5")
    EnrolmentFactory.create(offering=offering, student=world.student_b)
    data = f"student_number,grade\n{world.student_b.student_number},65\n".encode()
    assert grade_imports.grade_import(offering=offering, data=data, by=teacher_user, submit=True) == 1  # type: ignore[arg-type]
    assert _kept(world.student_b) == Decimal("2.5")
    _in_step()


def test_a_write_past_the_services_is_found_and_rebuilt(world: World, offering: Offering) -> None:
    teacher_user = world.users["supervisor_a"]
    Course.objects.filter(pk=offering.course_id).update(credits=Decimal("2"))
    enrolment = EnrolmentFactory.create(offering=offering, student=world.student_a)
    grades.grade_record(enrolment=enrolment, by=teacher_user, percentage=Decimal("80"), submit=True)  # type: ignore[arg-type]
    call_command("earned_credits")  # in step: says so, exits 0

    # A bulk load writes grades without the services (as the bench does).
    other = EnrolmentFactory.create(offering=offering, student=world.student_b)
    Grade.objects.bulk_create(
        [
            Grade(
                enrolment=other,
                percentage=Decimal("90"),
                passed=True,
                status=GradeStatus.SUBMITTED,
                entered_by=teacher_user,
                submitted_at=timezone.now(),
            )
        ]
    )
    Grade.objects.filter(enrolment=enrolment).update(passed=False)
    wrong = {(m.student_id, m.from_grades, m.kept) for m in earned_credits_mismatches()}
    assert wrong == {(world.student_a.pk, Decimal("0"), Decimal("2")), (world.student_b.pk, Decimal("2"), Decimal("0"))}
    with pytest.raises(CommandError, match="2 student"):
        call_command("earned_credits")
    call_command("earned_credits", "--rebuild")
    _in_step()
    assert (_kept(world.student_a) or Decimal(0), _kept(world.student_b)) == (Decimal("0"), Decimal("2"))


def test_the_migration_fills_the_credits_earned_so_far(world: World, teacher: TeacherProfile) -> None:
    course = CourseFactory.create(teaching_partner=world.partner_a, credits=Decimal("1.5"))
    offering = make_offering(world, teacher, course=course)
    for student in (world.student_a, world.student_b):
        enrolment = EnrolmentFactory.create(offering=offering, student=student)
        Grade.objects.create(
            enrolment=enrolment,
            percentage=Decimal("80"),
            passed=student == world.student_a,
            status=GradeStatus.SUBMITTED,
            entered_by=world.users["supervisor_a"],  # type: ignore[misc]
            submitted_at=timezone.now(),
        )
    EarnedCredits.objects.all().delete()
    importlib.import_module("curriculum.migrations.0003_earned_credits").fill(apps, None)
    assert dict(EarnedCredits.objects.values_list("student_id", "credits")) == {world.student_a.pk: Decimal("1.5")}
    _in_step()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections writing at once: PostgreSQL's locks")
def test_two_grades_for_one_student_at_once_are_both_counted(
    world: World, offering: Offering, teacher: TeacherProfile
) -> None:
    """The second transaction's sum is worked out after the first commits (it waits on the student's row), so
    it counts the first's grade: without the lock, it summed before the first committed and overwrote the
    first's sum with one that missed it."""
    teacher_user = world.users["supervisor_a"]
    Course.objects.filter(pk=offering.course_id).update(credits=Decimal("2"))
    other = make_offering(world, teacher, course=CourseFactory.create(teaching_partner=world.partner_a, credits=3))
    first = EnrolmentFactory.create(offering=offering, student=world.student_a)
    second = EnrolmentFactory.create(offering=other, student=world.student_a)
    first_written, second_started, errors = threading.Event(), threading.Event(), []

    def first_teacher() -> None:
        try:
            with transaction.atomic():
                grades.grade_record(enrolment=first, by=teacher_user, percentage=Decimal("80"), submit=True)  # type: ignore[arg-type]
                first_written.set()
                second_started.wait(10)
                threading.Event().wait(1.0)  # the second is writing meanwhile, or waiting for this one
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    def second_teacher() -> None:
        try:
            first_written.wait(10)
            second_started.set()
            grades.grade_record(enrolment=second, by=teacher_user, percentage=Decimal("80"), submit=True)  # type: ignore[arg-type]
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first_teacher), threading.Thread(target=second_teacher)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert _kept(Student.objects.get(pk=world.student_a.pk)) == Decimal("5")
    _in_step()
