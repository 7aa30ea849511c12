"""Wellbeing factories: services, counsellors, slots, hotlines. Records about people (check-ins, cases,
notes, appointments) are made through ``wellbeing.services`` in tests, so they are encrypted, logged and
counted as in real use."""

import datetime

import factory
from django.utils import timezone

from accounts.roles import PlatformRole, grant_platform_role
from tests.factories.accounts import UserFactory
from tests.factories.partners import PartnerFactory
from wellbeing.models import Counsellor, Hotline, Mode, Service, Slot


class ServiceFactory(factory.django.DjangoModelFactory[Service]):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Counselling service {n}")
    partner = factory.SubFactory(PartnerFactory)


class CounsellorFactory(factory.django.DjangoModelFactory[Counsellor]):
    """A counsellor of a service, holding the counsellor platform role."""

    class Meta:
        model = Counsellor
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    service = factory.SubFactory(ServiceFactory)
    languages = "English, 中文"
    on_duty = False

    @factory.post_generation
    def role(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            grant_platform_role(self.user, PlatformRole.COUNSELLOR)  # type: ignore[arg-type]


class SlotFactory(factory.django.DjangoModelFactory[Slot]):
    class Meta:
        model = Slot

    counsellor = factory.SubFactory(UserFactory)
    service = factory.SubFactory(ServiceFactory)
    starts_at = factory.Sequence(
        lambda n: timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=2, hours=n)
    )
    minutes = 50
    mode = Mode.IN_PERSON
    place = "Room 101"


class HotlineFactory(factory.django.DjangoModelFactory[Hotline]):
    class Meta:
        model = Hotline

    name = factory.Sequence(lambda n: f"Crisis line {n}")
    number = factory.Sequence(lambda n: f"400-161-{n:04d}")
    hours = "24/7"
