"""Factories of internal supervision. Rounds and reviews are opened through ``reviews.services.rounds`` in
``tests/reviews/helpers.py`` (the tasks come from the schedule); these factories make the set-up rows."""

import datetime

import factory

from reviews.models import ReviewSchedule, ReviewTerm
from tests.factories.programmes import ProgrammeFactory


class ReviewTermFactory(factory.django.DjangoModelFactory[ReviewTerm]):
    class Meta:
        model = ReviewTerm

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Term {n}")
    start_date = datetime.date(2026, 9, 1)
    end_date = datetime.date(2027, 1, 31)


class ReviewScheduleFactory(factory.django.DjangoModelFactory[ReviewSchedule]):
    class Meta:
        model = ReviewSchedule
        django_get_or_create = ("programme",)

    programme = factory.SubFactory(ProgrammeFactory)
