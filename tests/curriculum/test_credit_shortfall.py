"""The at-risk reason "behind on credits", in both its forms (``curriculum.selectors.credit_shortfall``, asked per
student for a page of rows; ``credit_shortfall_over_all``, two sets the database builds once per statement for a
whole list, issue #19), picks exactly the students its definition names: a year or
more into a programme that requires credits, with fewer than half of them earned, counting the credits of
the courses of submitted, passing grades only. Compared with that definition worked out in Python over a
spread of students at and around every boundary, in two programmes with different requirements. Run on
PostgreSQL and on SQLite (``embedded``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from curriculum.models import Grade, GradeStatus
from curriculum.selectors import credit_shortfall, credit_shortfall_over_all
from programmes.models import CourseCategory, CreditRequirement
from students.models import Student
from tests.factories.curriculum import CourseFactory, EnrolmentFactory, GradeFactory, OfferingFactory
from tests.factories.programmes import ProgrammeFactory
from tests.factories.students import StudentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _behind_by_definition(student: Student, today: datetime.date) -> bool:
    required = sum((r.credits for r in CreditRequirement.objects.filter(programme_id=student.programme_id)), Decimal(0))
    earned = sum(
        (
            g.enrolment.offering.course.credits
            for g in Grade.objects.filter(enrolment__student=student).select_related("enrolment__offering__course")
            if g.status == GradeStatus.SUBMITTED and g.passed
        ),
        Decimal(0),
    )
    return student.enrolled_on <= today - datetime.timedelta(days=365) and required > 0 and earned * 2 < required


@pytest.mark.parametrize("form", [credit_shortfall, credit_shortfall_over_all])
def test_behind_on_credits_is_its_definition(form: Any) -> None:
    today = timezone.localdate()
    long_ago, lately = today - datetime.timedelta(days=365), today - datetime.timedelta(days=364)
    strict, lenient, none = ProgrammeFactory.create(), ProgrammeFactory.create(), ProgrammeFactory.create()
    CreditRequirement.objects.create(programme=strict, category=CourseCategory.PROFESSIONAL_CORE, credits=Decimal("6"))
    CreditRequirement.objects.create(programme=strict, category=CourseCategory.INNOVATION, credits=Decimal("1.5"))
    CreditRequirement.objects.create(programme=lenient, category=CourseCategory.PROFESSIONAL_CORE, credits=Decimal("2"))
    small, big = CourseFactory.create(credits=Decimal("1.5")), CourseFactory.create(credits=Decimal("2.5"))
    offered = {
        (p.pk, c.pk): OfferingFactory.create(programme=p, course=c) for p in (strict, lenient) for c in (small, big)
    }

    again = OfferingFactory.create(programme=strict, course=small, term="2025-2")  # small, another term

    def student(programme: object, enrolled: datetime.date, *grades: tuple[object, dict[str, object]]) -> Student:
        made = StudentFactory.create(programme=programme, enrolled_on=enrolled)
        for course, fields in grades:
            offering = course if course is again else offered[(programme.pk, course.pk)]  # type: ignore[attr-defined]
            GradeFactory.create(enrolment=EnrolmentFactory.create(offering=offering, student=made), **fields)
        return made

    passed: dict[str, object] = {}
    behind = {
        # strict requires 7.5: behind below 3.75 earned
        student(strict, long_ago): True,  # nothing earned
        student(strict, long_ago, (small, passed), (again, passed)): True,  # 3: the course twice
        student(strict, long_ago, (big, passed), (small, passed)): False,  # 4
        student(strict, long_ago, (big, passed), (small, {"passed": False})): True,  # a failed grade: 2.5
        student(strict, long_ago, (big, passed), (small, {"status": GradeStatus.DRAFT})): True,  # a draft
        student(strict, lately, (small, passed)): False,  # not a year in yet
        # lenient requires 2: behind below 1
        student(lenient, long_ago, (small, passed)): False,  # 1.5
        student(lenient, long_ago): True,
        student(none, long_ago): False,  # no requirements: never behind
    }
    # Exactly half is not behind: 1 of lenient's 2, with a course of 1 credit.
    one = CourseFactory.create(credits=Decimal("1"))
    half = StudentFactory.create(programme=lenient, enrolled_on=long_ago)
    GradeFactory.create(
        enrolment=EnrolmentFactory.create(offering=OfferingFactory.create(programme=lenient, course=one), student=half)
    )
    behind[half] = False
    # Grades in another programme's offering count, as they always did.
    elsewhere = StudentFactory.create(programme=lenient, enrolled_on=long_ago)
    GradeFactory.create(enrolment=EnrolmentFactory.create(offering=offered[(strict.pk, big.pk)], student=elsewhere))
    behind[elsewhere] = False

    found = set(Student.objects.filter(form(today)).values_list("pk", flat=True))

    assert {s.pk: _behind_by_definition(s, today) for s in behind} == {s.pk: b for s, b in behind.items()}
    assert found == {s.pk for s, b in behind.items() if b}
    # The condition composes as the lists use it: negated, and ORed with another.
    assert set(Student.objects.exclude(form(today)).values_list("pk", flat=True)) == {
        s.pk for s, b in behind.items() if not b
    }
