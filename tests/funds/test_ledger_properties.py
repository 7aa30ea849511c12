"""The ledger always adds up, whatever is recorded, approved and reversed, in whatever order (hypothesis).

Each example runs a random sequence of operations through the real services inside a transaction that is
rolled back afterwards, then checks the invariants against a model kept in Python with ``Decimal``:

* an allocation's spent equals the sum of its categories, and approved plus pending;
* the fund's spent equals the sum of its allocations';
* every reversal nets its original out exactly, and nothing is ever deleted;
* the database's totals equal the model's, to the cent;
* the running totals the services keep (``SpendingTotal``, which the pages read) equal the entries' sums.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funds import selectors, services
from funds.models import Category, Expenditure, ExpenditureStatus
from tests.conftest import World
from tests.factories import funds as f

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("30000"), places=2)
record = st.tuples(st.just("record"), st.integers(0, 1), st.sampled_from(Category.values), amounts)
approve = st.tuples(st.just("approve"), st.integers(0, 50))
reverse = st.tuples(st.just("reverse"), st.integers(0, 50))
operations = st.lists(st.one_of(record, approve, reverse), min_size=1, max_size=10)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_ledger_totals_always_add_up(world: World, ops: list[tuple[object, ...]]) -> None:
    with transaction.atomic():
        _run(world, ops)
        transaction.set_rollback(True)


def _run(world: World, ops: list[tuple[object, ...]]) -> None:
    fund = f.fund(world, total=Decimal("10000000"))
    allocations = [f.allocation(world, the_fund=fund), f.allocation(world, partner=world.partner_b, the_fund=fund)]
    recorders = [f.finance_officer(world.partner_a), f.finance_officer(world.partner_b)]
    office = f.user(world, "office")
    expected: dict[int, Decimal] = {a.pk: Decimal("0") for a in allocations}
    entries: list[Expenditure] = []
    for op in ops:
        if op[0] == "record":
            _kind, which, category, amount = op
            index = int(which)  # type: ignore[call-overload]
            payee = f"Payee {len(entries)}"
            student = world.student_a if category == Category.STIPENDS else None
            entry = f.spend(
                allocations[index],
                recorders[index],
                category=category,
                amount=amount,
                payee=payee,
                student=student,
                receipts=[],
            )
            entries.append(entry)
            expected[allocations[index].pk] += Decimal(str(amount))
        elif op[0] == "approve" and entries:
            entry = entries[int(op[1]) % len(entries)]  # type: ignore[call-overload]
            entry.refresh_from_db()
            if (
                entry.status == ExpenditureStatus.PENDING
                and not entry.is_reversal
                and not hasattr(entry, "reversed_by")
            ):
                services.expenditure_approve(expenditure=entry, by=office)
        elif op[0] == "reverse" and entries:
            entry = entries[int(op[1]) % len(entries)]  # type: ignore[call-overload]
            if not entry.is_reversal and not Expenditure.objects.filter(reverses=entry).exists():
                entries.append(services.expenditure_reverse(expenditure=entry, reason="Correction", by=office))
                expected[entry.allocation_id] -= entry.amount
    summaries = selectors.summaries(allocations)
    for summary in summaries:
        assert summary.spent == expected[summary.allocation.pk]
        assert summary.spent == sum((line.spent for line in summary.lines), Decimal("0"))
        assert summary.spent == summary.approved + summary.pending
        for line in summary.lines:
            assert line.spent == line.approved + line.pending
    fund_spent = sum((Decimal(e.amount) for e in Expenditure.objects.filter(allocation__fund=fund)), Decimal("0"))
    assert fund_spent == sum((s.spent for s in summaries), Decimal("0"))
    assert Expenditure.objects.filter(allocation__fund=fund).count() == len(entries)
    assert selectors.spending_totals_mismatches() == []
    for reversal in Expenditure.objects.filter(reverses__isnull=False):
        original = reversal.reverses
        assert original is not None
        assert reversal.amount + original.amount == 0
        assert reversal.status == original.status or original.status == ExpenditureStatus.APPROVED
