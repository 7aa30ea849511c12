"""The ledger's running totals (``SpendingTotal``): added to by the ledger services in the same transaction as
each entry, approval and reversal, rebuilt from the entries when needed.

Why: the fund dashboard, the allocation and partner pages, the scorecard and the over-budget rule all read
spending by allocation and category (and by month). Summing every entry made their cost grow with the ledger
(``make bench``'s funds scenario: about 30 times the floor at 100,000 entries); the totals hold a row per
allocation, category and month, whatever the number of entries. The entries stay the evidence: the totals
are checked against them nightly (``funds.selectors.spending_totals_mismatches``) and can be rebuilt from them
(``spending_totals_rebuild``, ``manage.py fund_totals --rebuild``). docs/decisions/0031-fund-running-totals.md.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F

from funds.models import ZERO, Expenditure, ExpenditureStatus, SpendingTotal


def month_of(day: datetime.date) -> datetime.date:
    """The first day of ``day``'s month: the totals' key."""
    return day.replace(day=1)


def totals_add(*, expenditure: Expenditure, spent: Decimal = ZERO, approved: Decimal = ZERO, entries: int = 0) -> None:
    """Add to the running total of ``expenditure``'s allocation, category and month; called inside the
    service's transaction, so the total and the entry commit (or roll back) together.

    An update of the existing row (a row lock, so concurrent entries add up), else an insert in a savepoint;
    if another transaction inserted the row first, the insert waits for it and fails on the unique key, and
    the update then adds to that row.
    """
    key = {
        "allocation_id": expenditure.allocation_id,
        "category": expenditure.category,
        "month": month_of(expenditure.date),
    }
    changes = {"spent": F("spent") + spent, "approved": F("approved") + approved, "entries": F("entries") + entries}
    if SpendingTotal.objects.filter(**key).update(**changes):
        return
    try:
        with transaction.atomic():
            SpendingTotal.objects.create(**key, spent=spent, approved=approved, entries=entries)
    except IntegrityError:
        SpendingTotal.objects.filter(**key).update(**changes)


def totals_record(expenditure: Expenditure) -> None:
    """A new entry (spending or a reversal) counts in *spent*, and in *approved* when it is approved."""
    approved = expenditure.amount if expenditure.status == ExpenditureStatus.APPROVED else ZERO
    totals_add(expenditure=expenditure, spent=expenditure.amount, approved=approved, entries=1)


def totals_approve(expenditure: Expenditure) -> None:
    """A pending entry approved: its amount moves into *approved* (*spent* already counts it)."""
    totals_add(expenditure=expenditure, approved=expenditure.amount)


@transaction.atomic
def spending_totals_rebuild() -> int:
    """Compute every running total again from the entries (after a bulk load, or to repair a mismatch the
    nightly check reported). Locks the totals table so that no entry is counted while it is rebuilt. Returns
    how many rows it wrote."""
    from django.db import connection

    from funds.selectors import ledger_totals

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {SpendingTotal._meta.db_table} IN EXCLUSIVE MODE")
    SpendingTotal.objects.all().delete()
    rows = [
        SpendingTotal(
            allocation_id=allocation_id, category=category, month=month, spent=spent, approved=approved, entries=n
        )
        for (allocation_id, category, month), (spent, approved, n) in ledger_totals().items()
    ]
    SpendingTotal.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
