"""Curriculum factories. Rows made here skip the services' rules on purpose (to build a state quickly);
tests of the rules go through ``curriculum.services``."""

import datetime
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from curriculum.models import (
    Course,
    CurriculumEntry,
    Enrolment,
    Grade,
    GradeStatus,
    Offering,
    OfferingTeacher,
    TeacherProfile,
    TeacherTraining,
)
from curriculum.services.credits import earned_credits_refresh
from programmes.models import CourseCategory
from tests.factories.accounts import UserFactory
from tests.factories.partners import PartnerFactory, SiteFactory
from tests.factories.programmes import ProgrammeFactory
from tests.factories.students import StudentFactory


class CourseFactory(factory.django.DjangoModelFactory[Course]):
    class Meta:
        model = Course

    code = factory.Sequence(lambda n: f"C{n:04d}")
    title_en = factory.Sequence(lambda n: f"Course {n}")
    title_zh = "医学影像课程"
    category = CourseCategory.PROFESSIONAL_CORE
    credits = Decimal("2")
    hours = 32
    teaching_partner = factory.SubFactory(PartnerFactory)


class CurriculumEntryFactory(factory.django.DjangoModelFactory[CurriculumEntry]):
    class Meta:
        model = CurriculumEntry

    programme = factory.SubFactory(ProgrammeFactory)
    course = factory.SubFactory(CourseFactory)
    kind = "compulsory"
    term = 1


class TeacherProfileFactory(factory.django.DjangoModelFactory[TeacherProfile]):
    class Meta:
        model = TeacherProfile

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)


class TeacherTrainingFactory(factory.django.DjangoModelFactory[TeacherTraining]):
    class Meta:
        model = TeacherTraining

    teacher = factory.SubFactory(TeacherProfileFactory)
    title = "Teaching I&E"
    provider = "Teacher Development Centre"
    hours = 24
    taken_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=100))


class OfferingFactory(factory.django.DjangoModelFactory[Offering]):
    """An offering open for enrolment today (window around today), Monday 8:00-10:00."""

    class Meta:
        model = Offering

    course = factory.SubFactory(CourseFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    term = "2026-1"
    site = factory.SubFactory(SiteFactory)
    capacity = 30
    weekday = 0
    starts_at = datetime.time(8, 0)
    ends_at = datetime.time(10, 0)
    enrol_opens = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=5))
    enrol_closes = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=5))


class OfferingTeacherFactory(factory.django.DjangoModelFactory[OfferingTeacher]):
    class Meta:
        model = OfferingTeacher

    offering = factory.SubFactory(OfferingFactory)
    teacher = factory.SubFactory(TeacherProfileFactory)
    hours = 32
    qualified = True
    assigned_by = factory.SubFactory(UserFactory)


class EnrolmentFactory(factory.django.DjangoModelFactory[Enrolment]):
    class Meta:
        model = Enrolment

    offering = factory.SubFactory(OfferingFactory)
    student = factory.SubFactory(StudentFactory)
    enrolled_by = factory.SelfAttribute("student.user")


class GradeFactory(factory.django.DjangoModelFactory[Grade]):
    """A submitted, passing grade."""

    class Meta:
        model = Grade

    enrolment = factory.SubFactory(EnrolmentFactory)
    percentage = Decimal("80")
    passed = True
    status = GradeStatus.SUBMITTED
    entered_by = factory.SubFactory(UserFactory)
    submitted_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class: type[Grade], *args: Any, **kwargs: Any) -> Grade:
        """Made as the grade services make one: the student's credits earned kept in step (ADR 0070)."""
        grade = super()._create(model_class, *args, **kwargs)
        earned_credits_refresh([grade.enrolment.student_id])
        return grade
