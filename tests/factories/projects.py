import datetime
from decimal import Decimal

import factory

from projects.models import PointsScheme
from tests.factories.accounts import UserFactory
from tests.factories.programmes import ProgrammeFactory

#: The rates of the test scheme: five small projects weigh what one large one does.
PROJECT_POINTS = {
    "small": {"leader": "3", "core": "2", "participant": "2"},
    "medium": {"leader": "6", "core": "5", "participant": "4"},
    "large": {"leader": "12", "core": "10", "participant": "10"},
}
OUTPUT_POINTS = {
    "paper": "3",
    "patent": "5",
    "software_copyright": "2",
    "prototype": "2",
    "evaluation": "2",
    "award": "3",
    "venture": "4",
    "transfer_contract": "4",
}


class PointsSchemeFactory(factory.django.DjangoModelFactory[PointsScheme]):
    """A scheme made directly (the service refuses back-dated ones; tests need one in force already)."""

    class Meta:
        model = PointsScheme

    programme = factory.SubFactory(ProgrammeFactory)
    version = factory.LazyAttribute(lambda o: PointsScheme.objects.filter(programme=o.programme).count() + 1)
    valid_from = datetime.date(2020, 1, 1)
    medium_budget_from = Decimal("100000")
    large_budget_from = Decimal("1000000")
    medium_months_from = 12
    large_months_from = 24
    project_points = factory.LazyFunction(lambda: dict(PROJECT_POINTS))
    output_points = factory.LazyFunction(lambda: dict(OUTPUT_POINTS))
    partner_weights = factory.LazyFunction(dict)
    created_by = factory.SubFactory(UserFactory)
