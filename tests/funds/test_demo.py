"""The funds demo: two funds allocated to three partners, a month of spending, flags of the four kinds the
issue names, the enterprise's finance officer's login, and idempotence."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from funds.models import Allocation, ApprovalAttempt, Expenditure, Flag, FlagRule, Fund
from funds.selectors import spending_totals_mismatches

pytestmark = pytest.mark.django_db


def test_demo_has_two_funds_spending_and_four_kinds_of_flags() -> None:
    call_command("seed_demo", stdout=None)
    assert Fund.objects.count() == 2 and Allocation.objects.count() == 6
    assert Expenditure.objects.count() >= 15
    rules = set(Flag.objects.values_list("rule", flat=True))
    assert {
        FlagRule.SPLIT_PURCHASE,
        FlagRule.OVER_BUDGET_CATEGORY,
        FlagRule.RECEIPT_MISSING,
        FlagRule.BEYOND_AUTHORITY,
    } <= rules
    assert ApprovalAttempt.objects.filter(rule="beyond_authority", by__username="coord-enterprise").exists()
    assert Expenditure.objects.filter(entered_by__username="finance-enterprise").exists()
    assert Fund.objects.exclude(document="").exclude(document_sha256="").count() == 1  # the provincial agreement
    assert spending_totals_mismatches() == []
    counts = (Expenditure.objects.count(), Flag.objects.count())
    call_command("seed_demo", stdout=None)
    assert (Expenditure.objects.count(), Flag.objects.count()) == counts
