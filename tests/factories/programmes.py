import datetime

import factory

from partners.models import PartnerKind
from programmes.models import (
    ActivityCategory,
    Agreement,
    AgreementParty,
    AgreementStatus,
    Cohort,
    DegreeType,
    Objective,
    ObjectiveKind,
    Participation,
    ParticipationRole,
    Programme,
)
from tests.factories.accounts import UserFactory
from tests.factories.partners import PartnerFactory


class ProgrammeFactory(factory.django.DjangoModelFactory[Programme]):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Medical Imaging Technology {n}")
    code = factory.Sequence(lambda n: f"mit-{n}")
    degree_type = DegreeType.PROFESSIONAL
    duration_months = 36
    lead_university = factory.SubFactory(PartnerFactory, kind=PartnerKind.UNIVERSITY)


class CohortFactory(factory.django.DjangoModelFactory[Cohort]):
    class Meta:
        model = Cohort
        django_get_or_create = ("programme", "intake_year")

    programme = factory.SubFactory(ProgrammeFactory)
    intake_year = 2026


class ParticipationFactory(factory.django.DjangoModelFactory[Participation]):
    class Meta:
        model = Participation
        django_get_or_create = ("programme", "partner")

    programme = factory.SubFactory(ProgrammeFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = ParticipationRole.TRAINING


class ObjectiveFactory(factory.django.DjangoModelFactory[Objective]):
    class Meta:
        model = Objective

    programme = factory.SubFactory(ProgrammeFactory)
    kind = ObjectiveKind.PRACTICAL
    code = factory.Sequence(lambda n: f"O{n}")
    description = "Operate CT equipment safely."


class ActivityCategoryFactory(factory.django.DjangoModelFactory[ActivityCategory]):
    class Meta:
        model = ActivityCategory

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"cat-{n}")
    name = factory.Sequence(lambda n: f"Category {n}")
    required_hours = 100


class AgreementFactory(factory.django.DjangoModelFactory[Agreement]):
    class Meta:
        model = Agreement

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Cooperation agreement {n}")
    start_date = datetime.date(2025, 1, 1)
    end_date = datetime.date(2030, 12, 31)
    status = AgreementStatus.SIGNED
    created_by = factory.SubFactory(UserFactory)


class AgreementPartyFactory(factory.django.DjangoModelFactory[AgreementParty]):
    class Meta:
        model = AgreementParty

    agreement = factory.SubFactory(AgreementFactory)
    partner = factory.SubFactory(PartnerFactory)
