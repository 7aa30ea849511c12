"""Reads shared by the funds pages, the API, reports and hooks. Each starts from the scoped queryset
(``access.scope``) and costs a fixed number of queries, however much spending there is.

The ledger's arithmetic: an allocation's *spent* is the sum of every entry recorded against it (pending and
approved; a reversal's negative amount nets its original out), split into *approved* and *pending* by the
entries' status; a category's figures add up to the allocation's, and the allocations' to the fund's.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from accounts.roles import AnyUser
from funds.models import (
    ZERO,
    Allocation,
    BudgetLine,
    Category,
    Expenditure,
    ExpenditureStatus,
    Flag,
    FlagStatus,
    Fund,
    SpendingTotal,
    cents,
)
from partners import access


@dataclass
class CategoryLine:
    """Budget against spending for one category."""

    category: str
    label: str
    budget: Decimal = ZERO
    spent: Decimal = ZERO
    approved: Decimal = ZERO
    pending: Decimal = ZERO

    @property
    def percent(self) -> int:
        """Spending as a share of the budget (capped at 999 for display)."""
        if self.budget <= 0:
            return 999 if self.spent > 0 else 0
        return min(999, round(100 * self.spent / self.budget))

    @property
    def over(self) -> bool:
        return self.spent > self.budget


@dataclass
class AllocationSummary:
    """An allocation with its budget, spending and open flags by category."""

    allocation: Allocation
    lines: list[CategoryLine] = field(default_factory=list)
    open_flags: int = 0

    @property
    def budget(self) -> Decimal:
        return sum((line.budget for line in self.lines), ZERO)

    @property
    def spent(self) -> Decimal:
        return sum((line.spent for line in self.lines), ZERO)

    @property
    def approved(self) -> Decimal:
        return sum((line.approved for line in self.lines), ZERO)

    @property
    def pending(self) -> Decimal:
        return sum((line.pending for line in self.lines), ZERO)

    @property
    def percent(self) -> int:
        budget = self.budget
        return min(999, round(100 * self.spent / budget)) if budget > 0 else 0

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.spent


def allocation_list(*, user: AnyUser) -> QuerySet[Allocation]:
    """The allocations the user may see, with their fund, partner and current version."""
    return access.scope(Allocation.objects.all(), user, "view").select_related(
        "fund__source", "partner", "current_version"
    )


def fund_list(*, user: AnyUser) -> QuerySet[Fund]:
    return access.scope(Fund.objects.all(), user, "view").select_related("source", "programme")


def summaries(allocations: Sequence[Allocation]) -> list[AllocationSummary]:
    """Budget against spending by category, and flags, for these allocations: three queries. Spending comes
    from the running totals (a row per allocation, category and month), not from every entry."""
    ids = [a.pk for a in allocations]
    labels = dict(Category.choices)
    budgets: dict[int, dict[str, Decimal]] = defaultdict(dict)
    allocation_of_version = {a.current_version_id: a.pk for a in allocations if a.current_version_id is not None}
    for version_id, category, amount in (
        BudgetLine.objects.filter(version_id__in=list(allocation_of_version))
        .order_by()
        .values_list("version_id", "category", "amount")
    ):
        budgets[allocation_of_version[version_id]][category] = amount
    spending: dict[int, dict[str, dict[str, Decimal]]] = defaultdict(dict)
    for row in (
        SpendingTotal.objects.filter(allocation_id__in=ids)
        .order_by()
        .values("allocation_id", "category")
        .annotate(spent=Sum("spent"), approved=Sum("approved"))
    ):
        spending[row["allocation_id"]][row["category"]] = {
            "spent": cents(row["spent"]),
            "approved": cents(row["approved"]),
        }
    # counted on the allocation column, so that the (status, allocation) index answers alone
    open_flags: dict[int, int] = dict(
        Flag.objects.filter(allocation_id__in=ids, status=FlagStatus.OPEN)
        .order_by()
        .values("allocation_id")
        .annotate(n=Count("allocation_id"))
        .values_list("allocation_id", "n")
    )
    result = []
    for allocation in allocations:
        summary = AllocationSummary(allocation=allocation)
        budget, spent = budgets.get(allocation.pk, {}), spending.get(allocation.pk, {})
        for category in Category.values:
            if category not in budget and category not in spent:
                continue
            figures = spent.get(category, {})
            line = CategoryLine(
                category=category,
                label=str(labels[category]),
                budget=budget.get(category, ZERO),
                spent=figures.get("spent", ZERO),
                approved=figures.get("approved", ZERO),
            )
            line.pending = line.spent - line.approved
            summary.lines.append(line)
        summary.open_flags = open_flags.get(allocation.pk, 0)
        result.append(summary)
    return result


def merge_lines(all_summaries: Iterable[AllocationSummary]) -> list[CategoryLine]:
    """Several allocations' lines added up by category (a partner's or a fund's budget against spending)."""
    labels = dict(Category.choices)
    merged: dict[str, CategoryLine] = {}
    for summary in all_summaries:
        for line in summary.lines:
            into = merged.setdefault(line.category, CategoryLine(line.category, str(labels[line.category])))
            into.budget += line.budget
            into.spent += line.spent
            into.approved += line.approved
            into.pending += line.pending
    return [merged[c] for c in Category.values if c in merged]


@dataclass(frozen=True)
class MonthPoint:
    month: datetime.date
    spent: Decimal
    cumulative: Decimal


def spending_by_month(allocations: Sequence[Allocation]) -> list[MonthPoint]:
    """Spending per month (by the entries' dates), with the running total: one query over the running
    totals."""
    rows = (
        SpendingTotal.objects.filter(allocation_id__in=[a.pk for a in allocations])
        .order_by()
        .values("month")
        .annotate(spent=Sum("spent"))
        .order_by("month")
    )
    points, running = [], ZERO
    for row in rows:
        running += cents(row["spent"])
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        points.append(MonthPoint(month=month, spent=cents(row["spent"]), cumulative=running))
    return points


def expenditure_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[Expenditure]:
    """The spending the user may see, newest first."""
    filters = filters or {}
    rows = access.scope(Expenditure.objects.all(), user, "view").select_related(
        "allocation__partner", "allocation__fund", "entered_by", "approved_by", "student", "reverses"
    )
    if filters.get("allocation"):
        rows = rows.filter(allocation_id=filters["allocation"])
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    return rows.order_by("-date", "-pk")


def flag_list(
    *, user: AnyUser, status: str | None = FlagStatus.OPEN, filters: Mapping[str, Any] | None = None
) -> QuerySet[Flag]:
    """The flags the user may see (open ones by default), newest first, narrowed by ``filters``
    (``funds.forms.FlagFilterForm``: the ``programme`` of the flag's fund)."""
    rows = access.scope(Flag.objects.all(), user, "view").select_related(
        "allocation__partner", "allocation__fund", "expenditure", "resolved_by"
    )
    if status:
        rows = rows.filter(status=status)
    programme = (filters or {}).get("programme")
    if programme is not None:
        rows = rows.filter(allocation__fund__programme=programme)
    return rows.order_by("-raised_at", "-pk")


def open_flags_by_partner(partner_ids: Sequence[int]) -> dict[int, int]:
    """Open flags per partner (for the spot draw and the scorecard): one query."""
    return dict(
        Flag.objects.filter(status=FlagStatus.OPEN, allocation__partner_id__in=list(partner_ids))
        .order_by()
        .values("allocation__partner_id")
        .annotate(n=Count("pk"))
        .values_list("allocation__partner_id", "n")
    )


#: (allocation id, category, first day of the month) -> (spent, approved, entries)
TotalsByKey = dict[tuple[int, str, datetime.date], tuple[Decimal, Decimal, int]]


def ledger_totals() -> TotalsByKey:
    """The running totals as the entries themselves give them: one aggregate over the whole ledger (for the
    nightly check and the rebuild, never for a page)."""
    approved = Q(status=ExpenditureStatus.APPROVED)
    result: TotalsByKey = {}
    for row in (
        Expenditure.objects.annotate(month=TruncMonth("date"))
        .order_by()
        .values("allocation_id", "category", "month")
        .annotate(spent=Sum("amount"), approved=Sum("amount", filter=approved), n=Count("pk"))
    ):
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        result[(row["allocation_id"], row["category"], month)] = (cents(row["spent"]), cents(row["approved"]), row["n"])
    return result


def spending_totals_mismatches() -> list[tuple[tuple[int, str, datetime.date], object, object]]:
    """Where the running totals differ from the entries: ``(key, from the entries, from the totals)``; empty
    when they agree (rows of nothing but zeros count as absent). Two queries."""
    ledger = ledger_totals()
    kept: TotalsByKey = {
        (row.allocation_id, row.category, row.month): (cents(row.spent), cents(row.approved), row.entries)
        for row in SpendingTotal.objects.order_by()
    }
    empty = (ZERO, ZERO, 0)
    return [
        (key, ledger.get(key), kept.get(key))
        for key in sorted(set(ledger) | set(kept), key=lambda k: (k[0], k[2], k[1]))
        if ledger.get(key, empty) != kept.get(key, empty)
    ]
