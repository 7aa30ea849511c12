import datetime

import factory

from programmes.models import MilestoneKind
from students.models import Milestone, Placement, Student, TrainingPlan
from tests.factories.accounts import UserFactory
from tests.factories.partners import PartnerFactory, SiteFactory
from tests.factories.programmes import CohortFactory, ProgrammeFactory


class StudentFactory(factory.django.DjangoModelFactory[Student]):
    class Meta:
        model = Student

    user = factory.SubFactory(UserFactory)
    student_number = factory.Sequence(lambda n: f"S{n:06d}")
    programme = factory.SubFactory(ProgrammeFactory)
    cohort = factory.SubFactory(CohortFactory, programme=factory.SelfAttribute("..programme"))
    enrolled_on = datetime.date(2026, 9, 1)


class TrainingPlanFactory(factory.django.DjangoModelFactory[TrainingPlan]):
    class Meta:
        model = TrainingPlan
        django_get_or_create = ("student",)

    student = factory.SubFactory(StudentFactory)


class PlacementFactory(factory.django.DjangoModelFactory[Placement]):
    class Meta:
        model = Placement

    student = factory.SubFactory(StudentFactory)
    partner = factory.SubFactory(PartnerFactory)
    site = factory.SubFactory(SiteFactory, partner=factory.SelfAttribute("..partner"))
    supervisor = factory.SubFactory(UserFactory)
    start_date = datetime.date(2026, 10, 1)
    end_date = datetime.date(2027, 1, 31)


class MilestoneFactory(factory.django.DjangoModelFactory[Milestone]):
    class Meta:
        model = Milestone

    student = factory.SubFactory(StudentFactory)
    kind = MilestoneKind.PROPOSAL
    due_date = datetime.date(2027, 6, 1)
