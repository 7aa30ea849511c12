"""Practice-hour factories. Entries made here skip the rules on purpose (to build a state quickly, e.g.
a queue of many entries for a query-count test); tests of the rules go through ``practice.services``."""

import datetime
from decimal import Decimal

import factory

from practice.models import EntryStatus, PracticeLog, RuleSet
from programmes.models import ActivityCategory
from tests.factories.accounts import UserFactory
from tests.factories.programmes import ActivityCategoryFactory, ProgrammeFactory
from tests.factories.students import PlacementFactory


class RuleSetFactory(factory.django.DjangoModelFactory[RuleSet]):
    class Meta:
        model = RuleSet

    programme = factory.SubFactory(ProgrammeFactory)
    partner = None
    daily_max_hours = Decimal("12")
    entry_window_days = 14
    lock_day = 5
    created_by = factory.SubFactory(UserFactory)


def _category_of(log: PracticeLog) -> ActivityCategory:
    """An activity of the student's own programme (a category of another programme breaks a rule)."""
    programme = log.placement.student.programme
    existing = ActivityCategory.objects.filter(programme=programme).order_by("pk").first()
    return existing or ActivityCategoryFactory.create(programme=programme)


class PracticeLogFactory(factory.django.DjangoModelFactory[PracticeLog]):
    """A pending entry of the placement's student, entered by that student, on the placement's first day."""

    class Meta:
        model = PracticeLog

    placement = factory.SubFactory(PlacementFactory)
    student = factory.SelfAttribute("placement.student")
    date = factory.LazyAttribute(lambda log: log.placement.start_date)
    hours = Decimal("4")
    category = factory.LazyAttribute(_category_of)
    status = EntryStatus.PENDING
    entered_by = factory.LazyAttribute(lambda log: log.placement.student.user)
    rejection_reason = factory.LazyAttribute(
        lambda log: "Not on the rota." if log.status == EntryStatus.REJECTED else ""
    )
    rule_version = "P0/L0"

    class Params:
        approved = factory.Trait(
            status=EntryStatus.APPROVED,
            decided_by=factory.SelfAttribute("placement.supervisor"),
            decided_at=factory.LazyFunction(lambda: datetime.datetime.now(tz=datetime.UTC)),
        )
