import factory

from partners.models import Membership, MembershipRole, Partner, PartnerKind, Site
from tests.factories.accounts import UserFactory


class PartnerFactory(factory.django.DjangoModelFactory[Partner]):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    short_name = factory.Sequence(lambda n: f"P{n}")
    kind = PartnerKind.HOSPITAL


class SiteFactory(factory.django.DjangoModelFactory[Site]):
    class Meta:
        model = Site

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"Site {n}")
    capacity = 5


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = MembershipRole.SUPERVISOR
