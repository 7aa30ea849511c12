"""``make bench``'s funds scenario: 100,000 expenditures, the fund dashboard and the nightly flagging, each as a
ratio to a floor measured in the same run (docs/bench.md).

Loads, on top of the practice scenario's programme and partners (or a small population of its own with
``--scenario funds``): two funds, an allocation of each to every partner with a budget in every category, a
finance officer per partner, and ``expenditures`` entries spread over the last year (``bulk_create``;
95 % with a receipt row, some payees and amounts repeated so that every rule has work; the running totals
rebuilt from them, as the services would have kept them), then runs the nightly
flag check once (untimed: that first run raises the flags a year of spending earns).

Measures:

* (e) ``GET /funds/`` for the office (every fund, allocation, budget line and open flag) against the API root
  through the same client: what the dashboard costs beyond being an authenticated request;
* (g) the dashboard's reads of budgets, spending and flags (``selectors.summaries`` and
  ``selectors.spending_by_month`` over every allocation, from the running totals) against the same SQL replayed
  raw: what the ORM and Python around them add;
* (f) ``funds.services.flags_refresh()`` over every allocation, as the nightly job runs it in steady state
  (nothing new to raise), against the same SQL replayed raw: what the Python around the rules adds (the
  split-purchase rule's sliding window is Python by design).
"""

from __future__ import annotations

import datetime
import hashlib
import random
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import TextIO

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import PlatformRole, grant_platform_role
from bench.practice import Result, _host, _median_seconds
from funds import selectors
from funds.models import (
    Allocation,
    AllocationVersion,
    BudgetLine,
    Category,
    Expenditure,
    ExpenditureStatus,
    Flag,
    Fund,
    Receipt,
)
from funds.services import flags_refresh
from funds.services.totals import spending_totals_rebuild
from partners.models import Membership, MembershipRole, Partner, PartnerKind
from programmes.models import Programme

PAYEES = tuple(f"Supplier {n:03d}" for n in range(300))


def populate_funds(*, programme: Programme, expenditures: int, today: datetime.date, prefix: str = "bench") -> int:
    """The funds, allocations, finance officers and ``expenditures`` entries (see the module's docstring).
    Returns how many entries were made."""
    office = User.objects.create(username=f"{prefix}-office", full_name="Bench Office", password="!")  # noqa: S106
    grant_platform_role(office, PlatformRole.OFFICE)
    source = Partner.objects.create(
        name=f"{prefix} commission", short_name=f"{prefix}-GOV", kind=PartnerKind.GOVERNMENT
    )
    bank = Partner.objects.create(
        name=f"{prefix} bank", short_name=f"{prefix}-BANK", kind=PartnerKind.FINANCIAL_INSTITUTION
    )
    trainers = list(
        Partner.objects.filter(participations__programme=programme).exclude(kind=PartnerKind.UNIVERSITY).order_by("pk")
    )
    start, end = today - datetime.timedelta(days=400), today + datetime.timedelta(days=400)
    per_partner = Decimal("1000000")
    funds = [
        Fund.objects.create(
            name=f"{prefix} fund {n}",
            source=s,
            programme=programme,
            total=per_partner * len(trainers),
            start_date=start,
            end_date=end,
            purpose="bench",
            created_by=office,
        )
        for n, s in enumerate((source, bank))
    ]
    allocations = Allocation.objects.bulk_create(
        Allocation(fund=fund, partner=partner, created_by=office) for fund in funds for partner in trainers
    )
    versions = AllocationVersion.objects.bulk_create(
        AllocationVersion(
            allocation=a,
            number=1,
            start_date=start,
            end_date=end,
            total=per_partner / 2,
            reason="bench",
            created_by=office,
        )
        for a in allocations
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(version=v, category=c, amount=per_partner / 2 / len(Category.values))
        for v in versions
        for c in Category.values
    )
    for allocation, version in zip(allocations, versions, strict=True):
        allocation.current_version = version
    Allocation.objects.bulk_update(allocations, ["current_version"], batch_size=1000)
    officers = User.objects.bulk_create(
        User(username=f"{prefix}-finance-{p.pk}", full_name="Bench Finance", password="!")  # noqa: S106
        for p in trainers
    )
    Membership.objects.bulk_create(
        Membership(user=u, partner=p, role=MembershipRole.FINANCE) for u, p in zip(officers, trainers, strict=True)
    )
    officer_of = {p.pk: u for p, u in zip(trainers, officers, strict=True)}
    made = 0
    batch: list[Expenditure] = []
    for expenditure in _expenditures(allocations, officer_of, office, expenditures, today):
        batch.append(expenditure)
        if len(batch) == 5000:
            made += _save(batch, office)
            batch = []
    if batch:
        made += _save(batch, office)
    spending_totals_rebuild()  # bulk_create bypasses the services that keep the running totals
    return made


def _expenditures(
    allocations: list[Allocation], officer_of: dict[int, User], office: User, count: int, today: datetime.date
) -> Iterator[Expenditure]:
    rng = random.Random(2026)  # noqa: S311 (reproducible data, not secret)
    now = timezone.now()
    for n in range(count):
        allocation = allocations[n % len(allocations)]
        age = rng.randrange(0, 365)
        approved = age > 10 and rng.random() < 0.9
        amount = Decimal(rng.choice((120, 480, 950, 1800, 2400, 3600, 4900, 12000, 26000))) + Decimal(n % 100) / 100
        category = Category.values[n % len(Category.values)]
        yield Expenditure(
            allocation=allocation,
            category=category,
            date=today - datetime.timedelta(days=age),
            amount=amount,
            payee=rng.choice(PAYEES),
            description="bench",
            status=ExpenditureStatus.APPROVED if approved else ExpenditureStatus.PENDING,
            entered_by=officer_of[allocation.partner_id],
            entered_at=now - datetime.timedelta(days=age),
            entered_limit=Decimal("5000.00"),
            approved_by=office if approved else None,
            approved_at=now - datetime.timedelta(days=max(age - 2, 0)) if approved else None,
            approval_role="office" if approved else "",
        )


def _save(batch: list[Expenditure], office: User) -> int:
    saved = Expenditure.objects.bulk_create(batch, batch_size=5000)
    Receipt.objects.bulk_create(
        (
            Receipt(
                expenditure=e,
                file=f"funds/receipts/bench/{e.pk}.pdf",
                sha256=hashlib.sha256(str(e.pk).encode()).hexdigest(),
                size=1000,
                uploaded_by=office,
            )
            for e in saved
            if e.pk % 20
        ),
        batch_size=5000,
    )
    return len(saved)


def measure(*, runs: int, warmup: int, prefix: str = "bench") -> list[Result]:
    """(e), (g) and (f), each against its floor (see the module's docstring)."""
    office = User.objects.get(username=f"{prefix}-office")
    client = Client(HTTP_HOST=_host())
    client.force_login(office)
    url, floor_url = reverse("funds:dashboard"), reverse("api:api-root")

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    def floor() -> None:
        response = client.get(floor_url, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, response.status_code

    with CaptureQueriesContext(connection) as captured:
        page()
    queries = len(captured.captured_queries)
    dashboard = Result(
        f"(e) fund dashboard ({Allocation.objects.count()} allocations)",
        _median_seconds(page, runs=runs, warmup=warmup),
        "API root, same client",
        _median_seconds(floor, runs=runs, warmup=warmup),
        queries,
        runs,
    )
    allocations = list(selectors.allocation_list(user=office))
    reads = _compare_with_selects(
        f"(g) dashboard reads ({len(allocations)} allocations)",
        lambda: (selectors.summaries(allocations), selectors.spending_by_month(allocations)),
        runs=runs,
        warmup=warmup,
    )
    nightly = _compare_with_selects(
        f"(f) nightly flagging ({Expenditure.objects.count():,} entries)",
        flags_refresh,
        runs=max(3, runs // 3),
        warmup=1,
    )
    return [dashboard, reads, nightly]


def _compare_with_selects(name: str, fn: Callable[[], object], *, runs: int, warmup: int) -> Result:
    """``fn`` against the SELECTs it ran, replayed raw (its transaction's BEGIN and COMMIT, and a steady-state
    run writes nothing else, are left out of the floor)."""
    with CaptureQueriesContext(connection) as captured:
        fn()
    statements = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]

    def replay() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return Result(
        name,
        _median_seconds(fn, runs=runs, warmup=warmup),
        "its SELECTs, raw cursor",
        _median_seconds(replay, runs=runs, warmup=warmup),
        len(statements),
        runs,
    )


def run(*, programme: Programme, expenditures: int, runs: int, warmup: int, reuse: bool, out: TextIO) -> list[Result]:
    """Load (unless reused), flag once, measure, and print the funds lines."""
    import time

    today = timezone.localdate()
    if reuse and Expenditure.objects.count() == expenditures:
        out.write("funds: reused the expenditures of an earlier run (--keep)\n")
    else:
        t0 = time.perf_counter()
        made = populate_funds(programme=programme, expenditures=expenditures, today=today)
        t1 = time.perf_counter()
        raised = flags_refresh(today=today)
        t2 = time.perf_counter()
        with connection.cursor() as cursor:
            # as autovacuum would have on a live system (the visibility map lets counts read indexes alone)
            for table in ("funds_expenditure", "funds_receipt", "funds_flag", "funds_spendingtotal"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
            cursor.execute("ANALYZE")
        by_rule = dict(Flag.objects.order_by().values_list("rule").annotate(n=Count("pk")))
        out.write(
            f"funds: {made:,} expenditures by bulk_create {t1 - t0:.1f} s; first nightly flagging {t2 - t1:.1f} s "
            f"raised {raised:,} flags ({', '.join(f'{k} {v:,}' for k, v in sorted(by_rule.items()))})\n"
        )
    return measure(runs=runs, warmup=warmup)
