"""Flags: what looks wrong in an allocation's spending, each under a named rule with its explanation.

``flags_refresh`` checks every rule for some allocations (on entry: the one spent from; on revising an
allocation; on resolving a flag) or all of them (nightly, ``funds.flags_refresh`` on Celery beat), in a fixed
number of queries per rule, and adds the flags that are new: checking again never raises a flag twice, and a
resolved flag stays resolved while its condition holds. When the condition is gone, the resolved flag is
marked cleared; if it comes back, a new flag (the next ``occurrence``) is raised (ADR 0031). The rules (``FlagRule``):

* ``over_budget_category`` / ``over_budget_total``: recorded spending (pending and approved, reversals
  netted) above the current version's budget for a category, or above its total;
* ``category_not_allowed``: spending on a category the fund does not allow;
* ``outside_period``: an expenditure dated outside the allocation's current period;
* ``receipt_missing``: no receipt ``RECEIPT_GRACE_DAYS`` (14) days after the entry;
* ``duplicate_receipt``: the same receipt file (SHA-256) on two expenditures; ``duplicate_payment``: the
  same payee, amount and date twice at one partner (the later entry is flagged);
* ``split_purchase``: two or more payments by one person to one payee within ``SPLIT_WINDOW_DAYS`` (14)
  days, each under that person's approval limit, together above it;
* ``beyond_authority``: an approval attempted beyond the approver's limit (raised when it is refused);
* ``stipend_without_placement``: a stipend to a student with no placement at the partner on its date.

Expenditure rules look at live entries only: neither a reversal nor an entry it reversed.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.validation import refuse
from funds.models import (
    ZERO,
    Allocation,
    ApprovalAttempt,
    BudgetLine,
    Category,
    Expenditure,
    Flag,
    FlagRule,
    FlagStatus,
    Fund,
    Receipt,
    Resolution,
    SpendingTotal,
    cents,
)
from funds.services.ledger import money
from partners import access
from students.models import Placement, PlacementStatus

RECEIPT_GRACE_DAYS = 14
SPLIT_WINDOW_DAYS = 14


def _flag(
    allocation_id: int,
    rule: str,
    key: str,
    message: str,
    params: dict[str, object],
    *,
    expenditure_id: int | None = None,
    amount: Decimal | None = None,
) -> Flag:
    return Flag(
        allocation_id=allocation_id,
        expenditure_id=expenditure_id,
        rule=rule,
        key=key,
        message=message,
        params=params,
        amount=amount,
    )


def _live(allocations: QuerySet[Allocation]) -> QuerySet[Expenditure]:
    """Entries that count as themselves: not a reversal, not reversed."""
    return Expenditure.objects.filter(allocation__in=allocations, reverses__isnull=True, reversed_by__isnull=True)


def _over_budget(allocations: QuerySet[Allocation]) -> Iterable[Flag]:
    spent: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in (
        SpendingTotal.objects.filter(allocation__in=allocations)
        .order_by()
        .values("allocation_id", "category")
        .annotate(total=Sum("spent"))
    ):
        spent[row["allocation_id"]][row["category"]] = cents(row["total"])
    budgets: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for line in BudgetLine.objects.filter(
        version__allocation__in=allocations, version__allocation__current_version=F("version")
    ).values("version__allocation_id", "category", "amount"):
        budgets[line["version__allocation_id"]][line["category"]] = line["amount"]
    totals = dict(allocations.values_list("pk", "current_version__total"))
    for allocation_id, by_category in spent.items():
        for category, amount in by_category.items():
            budget = budgets[allocation_id].get(category, ZERO)
            if amount > budget:
                yield _flag(
                    allocation_id,
                    FlagRule.OVER_BUDGET_CATEGORY,
                    f"{allocation_id}:{category}",
                    gettext_noop("Spending on %(category)s is %(spent)s against a budget of %(budget)s."),
                    {"category": category, "spent": money(amount), "budget": money(budget)},
                    amount=amount - budget,
                )
        total_spent = sum(by_category.values(), ZERO)
        total_budget = totals.get(allocation_id) or ZERO
        if total_spent > total_budget:
            yield _flag(
                allocation_id,
                FlagRule.OVER_BUDGET_TOTAL,
                f"{allocation_id}",
                gettext_noop("Spending is %(spent)s against the allocation's total of %(budget)s."),
                {"spent": money(total_spent), "budget": money(total_budget)},
                amount=total_spent - total_budget,
            )


def _per_entry(rows: Iterable[Expenditure], rule: str, message: str) -> Iterable[Flag]:
    for row in rows:
        params: dict[str, object] = {
            "date": row.date.isoformat(),
            "amount": money(row.amount),
            "payee": row.payee,
            "category": row.category,
        }
        yield _flag(row.allocation_id, rule, str(row.pk), message, params, expenditure_id=row.pk, amount=row.amount)


def _not_allowed(allocations: QuerySet[Allocation]) -> Iterable[Flag]:
    funds = Fund.objects.filter(pk__in=allocations.values("fund_id")).exclude(allowed_categories=[])
    for fund in funds:
        rows = _live(allocations).filter(allocation__fund=fund).exclude(category__in=fund.allowed_categories)
        yield from _per_entry(
            rows.only("pk", "allocation_id", "date", "amount", "payee", "category"),
            FlagRule.CATEGORY_NOT_ALLOWED,
            gettext_noop("%(category)s is not allowed by the fund: %(amount)s to %(payee)s on %(date)s."),
        )


def _outside_period(allocations: QuerySet[Allocation]) -> Iterable[Flag]:
    rows = _live(allocations).filter(
        Q(date__lt=F("allocation__current_version__start_date"))
        | Q(date__gt=F("allocation__current_version__end_date"))
    )
    yield from _per_entry(
        rows.only("pk", "allocation_id", "date", "amount", "payee", "category"),
        FlagRule.OUTSIDE_PERIOD,
        gettext_noop("Dated %(date)s, outside the allocation's period: %(amount)s to %(payee)s."),
    )


def _receipt_missing(allocations: QuerySet[Allocation], today: datetime.date) -> Iterable[Flag]:
    cutoff = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=RECEIPT_GRACE_DAYS - 1), datetime.time.min)
    )
    rows = (
        _live(allocations)
        .filter(entered_at__lt=cutoff)
        .exclude(Exists(Receipt.objects.filter(expenditure_id=OuterRef("pk"))))
    )
    yield from _per_entry(
        rows.only("pk", "allocation_id", "date", "amount", "payee", "category"),
        FlagRule.RECEIPT_MISSING,
        gettext_noop("No receipt %(days)s days after the entry: %(amount)s to %(payee)s on %(date)s."),
    )


def _duplicate_receipts(allocations: QuerySet[Allocation]) -> Iterable[Flag]:
    live_receipts = Receipt.objects.filter(
        expenditure__reverses__isnull=True, expenditure__reversed_by__isnull=True
    ).order_by()
    groups = dict(
        live_receipts.values("sha256")
        .annotate(entries=Count("expenditure_id", distinct=True), first=Min("expenditure_id"))
        .filter(entries__gt=1)
        .values_list("sha256", "first")
    )
    if not groups:
        return
    seen: set[int] = set()
    rows = live_receipts.filter(sha256__in=list(groups), expenditure__allocation__in=allocations).values(
        "sha256", "expenditure_id", "expenditure__allocation_id", "expenditure__amount", "expenditure__date"
    )
    for row in rows:
        pk = row["expenditure_id"]
        if pk == groups[row["sha256"]] or pk in seen:
            continue
        seen.add(pk)
        yield _flag(
            row["expenditure__allocation_id"],
            FlagRule.DUPLICATE_RECEIPT,
            str(pk),
            gettext_noop("The same receipt file is on entry #%(first)s: %(amount)s on %(date)s."),
            {
                "first": groups[row["sha256"]],
                "amount": money(row["expenditure__amount"]),
                "date": row["expenditure__date"].isoformat(),
            },
            expenditure_id=pk,
            amount=row["expenditure__amount"],
        )


def _duplicate_payments(allocations: QuerySet[Allocation]) -> Iterable[Flag]:
    earlier = Expenditure.objects.filter(
        reverses__isnull=True,
        reversed_by__isnull=True,
        allocation__partner_id=OuterRef("allocation__partner_id"),
        payee=OuterRef("payee"),
        amount=OuterRef("amount"),
        date=OuterRef("date"),
        pk__lt=OuterRef("pk"),
    )
    rows = _live(allocations).filter(Exists(earlier))
    yield from _per_entry(
        rows.only("pk", "allocation_id", "date", "amount", "payee", "category"),
        FlagRule.DUPLICATE_PAYMENT,
        gettext_noop("%(amount)s to %(payee)s on %(date)s was already recorded once."),
    )


class _Entry(NamedTuple):
    day: datetime.date
    pk: int
    amount: Decimal
    limit: Decimal
    allocation_id: int
    payee: str


def _split_purchases(allocations: QuerySet[Allocation]) -> Iterable[Flag]:
    rows = (
        _live(allocations)
        .filter(entered_limit__isnull=False, amount__lt=F("entered_limit"))
        .order_by("allocation__partner_id", "entered_by_id", "payee", "date", "pk")
        .values_list(
            "allocation__partner_id", "entered_by_id", "payee", "date", "pk", "amount", "entered_limit", "allocation_id"
        )
    )
    groups: dict[tuple[int, int, str], list[_Entry]] = defaultdict(list)
    for partner_id, user_id, payee, day, pk, amount, limit, allocation_id in rows:
        groups[(partner_id, user_id, payee.strip().casefold())].append(
            _Entry(day, pk, amount, limit or ZERO, allocation_id, payee)
        )
    window = datetime.timedelta(days=SPLIT_WINDOW_DAYS - 1)
    for entries in groups.values():
        if len(entries) < 2:
            continue
        left, total = 0, ZERO
        right = 0
        while right < len(entries):
            entry = entries[right]
            total += entry.amount
            while entries[left].day < entry.day - window:
                total -= entries[left].amount
                left += 1
            if right > left and total > entry.limit:
                first = entries[left]
                yield _flag(
                    entry.allocation_id,
                    FlagRule.SPLIT_PURCHASE,
                    f"{first.pk}",
                    gettext_noop(
                        "%(count)s payments to %(payee)s between %(first)s and %(last)s total %(total)s, above "
                        "the limit of %(limit)s of the person who recorded them, while each stays under it."
                    ),
                    {
                        "count": right - left + 1,
                        "payee": first.payee,
                        "first": first.day.isoformat(),
                        "last": entry.day.isoformat(),
                        "total": money(total),
                        "limit": money(entry.limit),
                    },
                    expenditure_id=entry.pk,
                    amount=total,
                )
                right += 1
                left, total = right, ZERO
                continue
            right += 1


def _stipends_without_placement(allocations: QuerySet[Allocation]) -> Iterable[Flag]:
    placed = Placement.objects.filter(
        student_id=OuterRef("student_id"),
        partner_id=OuterRef("allocation__partner_id"),
        start_date__lte=OuterRef("date"),
        end_date__gte=OuterRef("date"),
    ).exclude(status=PlacementStatus.CANCELLED)
    rows = _live(allocations).filter(category=Category.STIPENDS, student__isnull=False).exclude(Exists(placed))
    yield from _per_entry(
        rows.only("pk", "allocation_id", "date", "amount", "payee", "category"),
        FlagRule.STIPEND_WITHOUT_PLACEMENT,
        gettext_noop("A stipend of %(amount)s on %(date)s to a student with no placement at this partner then."),
    )


#: Rules whose subjects a check of some allocations sees whole, so it may find their condition gone; the
#: split-purchase rule's groups can span a partner's allocations (only the check of every allocation clears
#: them), and a refused approval (``beyond_authority``) is an event, never cleared.
_CLEARED_BY_ANY_CHECK = frozenset(FlagRule.values) - {FlagRule.SPLIT_PURCHASE, FlagRule.BEYOND_AUTHORITY}
_CLEARED_BY_FULL_CHECK = frozenset(FlagRule.values) - {FlagRule.BEYOND_AUTHORITY}


class _Latest(NamedTuple):
    occurrence: int
    status: str
    cleared: bool


def _store(flags: Iterable[Flag]) -> int:
    """Insert the flags found whose subject has none yet, or whose latest flag was resolved and its
    condition cleared since (the next occurrence); a subject whose flag is open, or resolved while the
    condition still holds, gets nothing."""
    batch = {(f.rule, f.key): f for f in flags}
    if not batch:
        return 0
    rows = (
        Flag.objects.filter(rule__in={r for r, _k in batch}, key__in={k for _r, k in batch})
        if len(batch) <= 500
        else Flag.objects.all()
    )
    latest: dict[tuple[str, str], _Latest] = {}
    for rule, key, occurrence, status, cleared_at in rows.order_by().values_list(
        "rule", "key", "occurrence", "status", "cleared_at"
    ):
        known = latest.get((rule, key))
        if known is None or occurrence > known.occurrence:
            latest[(rule, key)] = _Latest(occurrence, status, cleared_at is not None)
    new: list[Flag] = []
    for subject, flag in batch.items():
        previous = latest.get(subject)
        if previous is None:
            new.append(flag)
        elif previous.status == FlagStatus.RESOLVED and previous.cleared:
            flag.occurrence = previous.occurrence + 1
            new.append(flag)
    Flag.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    return len(new)


def _clear(allocations: QuerySet[Allocation], holding: set[tuple[str, str]], *, everything: bool) -> int:
    """Note on each resolved flag whose condition this check no longer finds that it cleared (so that, if it
    comes back, a new flag is raised). Row by row, so each change is in the flag's history."""
    rules = _CLEARED_BY_FULL_CHECK if everything else _CLEARED_BY_ANY_CHECK
    candidates = Flag.objects.filter(
        allocation__in=allocations, status=FlagStatus.RESOLVED, cleared_at__isnull=True, rule__in=list(rules)
    ).only("pk", "rule", "key", "cleared_at")
    now, cleared = timezone.now(), 0
    for flag in candidates:
        if (flag.rule, flag.key) not in holding:
            flag.cleared_at = now
            flag.save(update_fields=["cleared_at"])
            cleared += 1
    return cleared


def flags_refresh(*, allocation_ids: Sequence[int] | None = None, today: datetime.date | None = None) -> int:
    """Check every rule for these allocations (all when None) and add the flags that are new; returns how
    many. Safe to run twice: the second run adds nothing. A resolved flag whose condition is gone is marked
    cleared; if the condition returns later, the next check raises it again as a new flag."""
    today = today or timezone.localdate()
    allocations = Allocation.objects.filter(current_version__isnull=False)
    if allocation_ids is not None:
        allocations = allocations.filter(pk__in=list(allocation_ids))
    found: list[Flag] = []
    found.extend(_over_budget(allocations))
    found.extend(_not_allowed(allocations))
    found.extend(_outside_period(allocations))
    for flag in _receipt_missing(allocations, today):
        flag.params["days"] = RECEIPT_GRACE_DAYS
        found.append(flag)
    found.extend(_duplicate_receipts(allocations))
    found.extend(_duplicate_payments(allocations))
    found.extend(_split_purchases(allocations))
    found.extend(_stipends_without_placement(allocations))
    with transaction.atomic():
        added = _store(found)
        _clear(allocations, {(f.rule, f.key) for f in found}, everything=allocation_ids is None)
        return added


def flag_beyond_authority(attempt: ApprovalAttempt) -> Flag:
    """The flag of an approval refused as beyond the approver's authority (one per refused attempt)."""
    expenditure = attempt.expenditure
    flag, _created = Flag.objects.get_or_create(
        rule=FlagRule.BEYOND_AUTHORITY,
        key=str(attempt.pk),
        defaults={
            "allocation_id": expenditure.allocation_id,
            "expenditure": expenditure,
            "message": gettext_noop(
                "%(person)s tried to approve %(amount)s beyond their authority (%(role)s, limit %(limit)s)."
            ),
            "params": {
                "person": attempt.by.get_full_name() or attempt.by.get_username(),
                "amount": money(attempt.amount),
                "role": attempt.role,
                "limit": money(attempt.limit),
            },
            "amount": attempt.amount,
        },
    )
    return flag


@transaction.atomic
def flag_resolve(*, flag: Flag, resolution: str, note: str, by: User) -> Flag:
    """The office resolves a flag: accepted, corrected, or referred as a violation, with a note. The flag
    stays visible, resolved, with who and when."""
    access.require(by, "resolve", flag)
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    if flag.status != FlagStatus.OPEN:
        raise refuse("resolution", "not_open", _("This flag is already resolved."))
    if resolution not in Resolution.values:
        raise refuse("resolution", "resolution", _("Choose how the flag is resolved."))
    if not note.strip():
        raise refuse("note", "note", _("Write a note: what was checked, and what was found."))
    flag.status = FlagStatus.RESOLVED
    flag.resolution = resolution
    flag.resolution_note = note.strip()
    flag.resolved_by = by
    flag.resolved_at = timezone.now()
    flag._history_user = by  # type: ignore[attr-defined]
    flag.save()
    # if the condition is already gone, say so now: its return is then a new flag, not this resolved one
    flags_refresh(allocation_ids=[flag.allocation_id])
    flag.refresh_from_db()
    return flag
