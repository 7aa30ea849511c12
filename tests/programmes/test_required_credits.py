"""``RequiredCredits``, the view that sums each programme's credit requirements (ADR 0071): its total is the
requirements' sum whatever is written to them (added, changed, removed), a programme without requirements has
no row, and the view cannot be written to. The statements that weigh every student join it
(``curriculum.selectors.credit_shortfall_over_all``; ``tests/curriculum/test_credit_shortfall.py`` runs that
against its definition). Run on PostgreSQL and on SQLite (``embedded``): the view is the same SQL on both.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction

from programmes.models import CourseCategory, CreditRequirement, Programme, RequiredCredits
from tests.factories.programmes import ProgrammeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _totals(*programmes: Programme) -> dict[int, Decimal]:
    return dict(
        RequiredCredits.objects.filter(programme__in=programmes).values_list("programme_id", "total").order_by()
    )


def test_the_total_is_the_sum_of_the_requirements_as_they_are_now() -> None:
    two, one, none = ProgrammeFactory.create(), ProgrammeFactory.create(), ProgrammeFactory.create()
    core = CreditRequirement.objects.create(
        programme=two, category=CourseCategory.PROFESSIONAL_CORE, credits=Decimal("6")
    )
    CreditRequirement.objects.create(programme=two, category=CourseCategory.INNOVATION, credits=Decimal("1.5"))
    CreditRequirement.objects.create(programme=one, category=CourseCategory.PROFESSIONAL_CORE, credits=Decimal("2"))

    assert _totals(two, one, none) == {two.pk: Decimal("7.5"), one.pk: Decimal("2")}
    assert two.required_credits.total == Decimal("7.5")  # the relation the statements join

    core.credits = Decimal("10.5")
    core.save()
    assert _totals(two) == {two.pk: Decimal("12")}
    core.delete()
    assert _totals(two) == {two.pk: Decimal("1.5")}
    CreditRequirement.objects.filter(programme=one).delete()
    assert _totals(two, one, none) == {two.pk: Decimal("1.5")}


def test_the_view_is_read_only() -> None:
    programme = ProgrammeFactory.create()
    with pytest.raises(DatabaseError), transaction.atomic():
        RequiredCredits.objects.create(programme=programme, total=Decimal("3"))
    assert not RequiredCredits.objects.filter(programme=programme).exists()
