"""Shared curriculum fixtures: a teacher (supervisor A, with a profile at partner A) and an offering of a
course at partner A for the world's programme, open for enrolment today."""

from __future__ import annotations

from typing import Any

import pytest

from curriculum.models import Course, Offering, TeacherProfile
from tests.conftest import World
from tests.factories.curriculum import CourseFactory, OfferingFactory, OfferingTeacherFactory, TeacherProfileFactory


@pytest.fixture
def teacher(world: World) -> TeacherProfile:
    return TeacherProfileFactory.create(user=world.users["supervisor_a"], partner=world.partner_a)


@pytest.fixture
def course(world: World) -> Course:
    return CourseFactory.create(code="MI501", teaching_partner=world.partner_a, title_zh="医学影像物理学")


@pytest.fixture
def offering(world: World, course: Course, teacher: TeacherProfile) -> Offering:
    offering = OfferingFactory.create(course=course, programme=world.programme, site=world.site_a)
    OfferingTeacherFactory.create(offering=offering, teacher=teacher, assigned_by=world.users["office"])
    return offering


def make_offering(world: World, teacher: TeacherProfile, **kwargs: Any) -> Offering:
    """Another offering at site A taught by ``teacher`` (kwargs override the factory's)."""
    kwargs.setdefault("programme", world.programme)
    kwargs.setdefault("site", world.site_a)
    if "course" not in kwargs:
        kwargs["course"] = CourseFactory.create(teaching_partner=world.partner_a)
    offering = OfferingFactory.create(**kwargs)
    OfferingTeacherFactory.create(offering=offering, teacher=teacher, assigned_by=world.users["office"])
    return offering
