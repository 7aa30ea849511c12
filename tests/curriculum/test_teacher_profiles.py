"""Teacher profiles made and changed on their pages: the office makes a teacher (linked from the faculty
page); the office, the coordinators of the teacher's partner and the teacher edit the profile; only the
office moves a teacher to another partner. The qualification rule and its overrides apply to a teacher made
on the page; the faculty and teachers pages keep a constant number of queries as teachers grow."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from curriculum.models import ExperienceKind, OfferingTeacher, TeacherProfile
from curriculum.services import teachers
from programmes.models import CourseCategory
from tests.conftest import World, client_for
from tests.curriculum.conftest import make_offering
from tests.factories.accounts import UserFactory
from tests.factories.curriculum import (
    CourseFactory,
    OfferingFactory,
    OfferingTeacherFactory,
    TeacherProfileFactory,
    TeacherTrainingFactory,
)

pytestmark = pytest.mark.django_db


def _rule(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return str(next(iter(error.value.error_dict.values()))[0].code)


def test_office_makes_a_teacher_from_the_faculty_page(world: World) -> None:
    office = client_for(world.users["office"])
    create = reverse("curriculum:teacher-create")
    assert create in office.get(reverse("curriculum:faculty")).content.decode()
    assert "新增教师" in office.get(create, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    engineer = UserFactory.create(username="engineer-li")
    # A missing partner is named, and what was typed stays.
    bad = office.post(create, {"user": engineer.pk, "position": "Senior engineer", "research_fields": "PACS"})
    assert bad.status_code == 200
    assert "partner" in bad.context["form"].errors and 'value="Senior engineer"' in bad.content.decode()
    assert not TeacherProfile.objects.exists()
    body = {"user": engineer.pk, "partner": world.partner_b.pk, "position": "Senior engineer", "research_fields": "CT"}
    done = office.post(create, body)
    teacher = TeacherProfile.objects.get(user=engineer)
    assert done.status_code == 302 and done["Location"] == reverse("curriculum:teacher-detail", args=[teacher.pk])
    assert (teacher.partner, teacher.position) == (world.partner_b, "Senior engineer")
    assert teacher.history.first().history_user == world.users["office"]  # type: ignore[attr-defined]
    # A person who teaches already is no choice any more; the service names the rule.
    again = office.post(create, {"user": engineer.pk, "partner": world.partner_b.pk})
    assert again.status_code == 200 and "user" in again.context["form"].errors
    with pytest.raises(ValidationError) as refused:
        teachers.teacher_profile_create(user=engineer, partner=world.partner_a, by=world.users["office"])  # type: ignore[arg-type]
    assert _rule(refused) == "teacher_exists"
    # Nobody else makes teachers, nor sees the link.
    assert create not in client_for(world.users["coordinator_a"]).get(reverse("curriculum:teachers")).content.decode()
    assert client_for(world.users["coordinator_a"]).post(create, {"user": engineer.pk}).status_code == 404


def test_the_rule_and_its_override_apply_to_a_teacher_made_on_the_page(world: World) -> None:
    office: Any = world.users["office"]
    person = UserFactory.create()
    client_for(office).post(reverse("curriculum:teacher-create"), {"user": person.pk, "partner": world.partner_a.pk})
    teacher = TeacherProfile.objects.get(user=person)
    ie_course = CourseFactory.create(category=CourseCategory.INNOVATION, teaching_partner=world.partner_a)
    offering = make_offering(world, TeacherProfileFactory.create(partner=world.partner_a), course=ie_course)
    with pytest.raises(ValidationError) as refused:
        teachers.offering_teacher_assign(offering=offering, teacher=teacher, by=office)
    assert _rule(refused) == "teacher_unqualified"
    overridden = teachers.offering_teacher_assign(
        offering=offering, teacher=teacher, by=office, override_reason="The only PACS engineer."
    )
    assert overridden.overridden and not overridden.qualified
    # Once their experience is on the page, they qualify for the next offering.
    detail = reverse("curriculum:teacher-detail", args=[teacher.pk])
    body = {"add": "experience", "kind": ExperienceKind.INDUSTRY, "organisation": "Neusoft", "role": "Engineer"}
    assert client_for(office).post(detail, {**body, "years": "3"}).status_code == 302
    other = OfferingFactory.create(course=ie_course, programme=world.programme, site=world.site_a, term="2026-2")
    assert teachers.offering_teacher_assign(offering=other, teacher=teacher, by=office).qualified


def test_profile_is_edited_by_office_coordinator_and_teacher_only_office_moves_it(
    world: World, teacher: TeacherProfile
) -> None:
    edit = reverse("curriculum:teacher-edit", args=[teacher.pk])
    coordinator = client_for(world.users["coordinator_a"])
    page = coordinator.get(edit)
    assert page.status_code == 200 and list(page.context["form"].fields["partner"].queryset) == [world.partner_a]
    moved = coordinator.post(edit, {"partner": world.partner_b.pk, "position": "Professor"})
    assert moved.status_code == 200 and "partner" in moved.context["form"].errors
    assert 'value="Professor"' in moved.content.decode()
    with pytest.raises(ValidationError) as refused:
        teachers.teacher_profile_update(teacher=teacher, by=world.users["coordinator_a"], partner=world.partner_b)  # type: ignore[arg-type]
    assert _rule(refused) == "partner_office_only"
    own = client_for(world.users["supervisor_a"]).post(edit, {"partner": world.partner_a.pk, "research_fields": "MRI"})
    assert own.status_code == 302
    teacher.refresh_from_db()
    assert (teacher.partner, teacher.research_fields) == (world.partner_a, "MRI")
    for name in ("coordinator_b", "supervisor_b", "student_a", "tutor"):
        assert client_for(world.users[name]).get(edit).status_code == 404, name
    # The office moves the teacher; an assignment keeps the override it was made with.
    assignment = OfferingTeacherFactory.create(
        teacher=teacher, qualified=False, override_reason="Nobody else.", assigned_by=world.users["office"]
    )
    assert client_for(world.users["office"]).post(edit, {"partner": world.partner_b.pk}).status_code == 302
    teacher.refresh_from_db()
    assert teacher.partner == world.partner_b and teacher.history.count() == 3  # type: ignore[attr-defined]
    assert OfferingTeacher.objects.get(pk=assignment.pk).override_reason == "Nobody else."


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow_faculty(world: World, n: int) -> None:
    """``n`` I&E offerings at both partners, each with a teacher (half trained, half overridden)."""
    for index in range(n):
        course = CourseFactory.create(category=CourseCategory.INNOVATION, hours=16)
        site = world.site_a if index % 2 else world.site_b
        offering = OfferingFactory.create(course=course, programme=world.programme, site=site, term=f"202{index % 3}-1")
        teacher = TeacherProfileFactory.create(partner=site.partner)
        if index % 2:
            TeacherTrainingFactory.create(teacher=teacher)
        OfferingTeacherFactory.create(
            offering=offering,
            teacher=teacher,
            hours=16,
            qualified=bool(index % 2),
            override_reason="" if index % 2 else "Nobody else.",
            assigned_by=world.users["office"],
        )


def test_faculty_and_teachers_pages_keep_their_query_count(world: World) -> None:
    office = client_for(world.users["office"])
    pages = (reverse("curriculum:faculty"), reverse("curriculum:teachers"))
    _grow_faculty(world, 2)
    small = [_queries(office, url) for url in pages]
    _grow_faculty(world, 10)
    page = office.get(pages[0]).content.decode()
    assert page.count("Nobody else.") == 6 and "Edit profile" in page
    assert [_queries(office, url) for url in pages] == small
