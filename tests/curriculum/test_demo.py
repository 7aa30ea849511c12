"""The demo curriculum: every flag of the curriculum has something to show after ``seed_demo``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.demo import seed_demo
from curriculum import selectors
from curriculum.models import Course, CourseLink, LinkKind, OfferingTeacher
from programmes.models import CourseCategory, Programme
from students.models import Student
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_demo_curriculum_shows_every_flag() -> None:
    seed_demo()
    courses = Course.objects.all()
    assert courses.count() >= 14
    assert set(courses.values_list("category", flat=True)) == set(CourseCategory.values)
    assert courses.filter(category=CourseCategory.INTEGRATED, ie_credits__gt=0).count() == 2
    chain = dict(CourseLink.objects.filter(kind=LinkKind.PREREQUISITE).values_list("course__code", "other__code"))
    assert chain["MI504"] == "MI502" and chain["MI502"] == "MI501"
    override = OfferingTeacher.objects.get(override_reason__gt="")
    assert override.offering.course.category == CourseCategory.INNOVATION and not override.qualified
    programme = Programme.objects.get(code="mit-pm")
    flags = {row.objective.code: row.flags for row in selectors.coverage_matrix(programme=programme).rows}
    assert any("Nothing masters" in f for f in flags["R1"]) and any("only by electives" in f for f in flags["I1"])
    assert selectors.curriculum_check(programme=programme).shortfalls
    student = Student.objects.get(user__username="student")
    rows, _whole = selectors.credits_earned(user=student.user, student=student)
    assert sum(row.earned for row in rows) > 0
    page = client_for(student.user).get(reverse("students:plan", args=[student.pk])).content.decode()
    assert 'data-testid="credits-earned"' in page
    teacher_start = client_for(OfferingTeacher.objects.filter(teacher__user__username="teacher").first().teacher.user)  # type: ignore[union-attr]
    assert "Grades to enter" in teacher_start.get(reverse("core:start")).content.decode()
    seed_demo()  # idempotent
    assert Course.objects.count() == courses.count()
