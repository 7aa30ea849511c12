"""The report's funds section, against a ledger built for the purpose: two funds of the programme's (one
allocation spanning 2025-2027 at hospital A, one for 2026 at enterprise B, one of 2024 that no longer
counts), another programme's fund that never counts, and flags with known dates."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.models import User
from accounts.roles import PlatformRole, grant_platform_role
from funds import services
from funds.models import Allocation, Category, Flag, FlagRule, FlagStatus, Resolution
from partners.models import Partner, PartnerKind
from programmes.models import Cohort, Programme
from quality.figures import Frame, Section, section_from_json, section_to_json, share
from quality.indicators import funds
from tests.factories.accounts import UserFactory
from tests.factories.partners import PartnerFactory
from tests.factories.programmes import CohortFactory, ParticipationFactory, ProgrammeFactory

D = datetime.date


@dataclass
class Ledger:
    programme: Programme
    cohort: Cohort
    office: User
    hospital: Partner
    enterprise: Partner
    a1: Allocation
    b1: Allocation


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 12))


def _spend(allocation: Allocation, office: User, category: str, day: datetime.date, amount: str) -> None:
    services.expenditure_create(
        entry=services.ExpenditureInput(
            allocation=allocation, category=category, date=day, amount=Decimal(amount), payee="Supplier Ltd"
        ),
        by=office,
        today=D(2026, 12, 31),
        check_flags=False,
    )


def _flag(allocation: Allocation, rule: str, key: str, raised: datetime.date, resolved: datetime.date | None) -> Flag:
    values: dict[str, Any] = {}
    if resolved is not None:
        office = User.objects.get(username="q-office")
        values = {
            "status": FlagStatus.RESOLVED,
            "resolution": Resolution.ACCEPTED,
            "resolution_note": "Checked.",
            "resolved_by": office,
            "resolved_at": _at(resolved),
        }
    return Flag.objects.create(
        allocation=allocation, rule=rule, key=key, message="Built for the report", raised_at=_at(raised), **values
    )


def _fund(programme: Programme, source: Partner, office: User, name: str) -> Any:
    return services.fund_create(
        name=name,
        source=source,
        programme=programme,
        total=Decimal("500000"),
        start_date=D(2024, 1, 1),
        end_date=D(2027, 12, 31),
        purpose="Joint training",
        by=office,
    )


def _build() -> Ledger:
    office = UserFactory.create(username="q-office")
    grant_platform_role(office, PlatformRole.OFFICE)
    government = PartnerFactory.create(name="Education Dept", short_name="GOV", kind=PartnerKind.GOVERNMENT)
    hospital = PartnerFactory.create(name="Hospital A", short_name="HOSP-A", kind=PartnerKind.HOSPITAL)
    enterprise = PartnerFactory.create(name="Enterprise B", short_name="ENT-B", kind=PartnerKind.ENTERPRISE)
    university = PartnerFactory.create(name="Lead University", short_name="UNI", kind=PartnerKind.UNIVERSITY)
    programme = ProgrammeFactory.create(lead_university=university)
    cohort = CohortFactory.create(programme=programme, intake_year=2025)
    for partner in (university, hospital, enterprise):
        ParticipationFactory.create(programme=programme, partner=partner)
    fund = _fund(programme, government, office, "Provincial fund")
    a1 = services.allocation_create(
        fund=fund,
        partner=hospital,
        start_date=D(2025, 1, 1),
        end_date=D(2027, 12, 31),
        budget={Category.EQUIPMENT: Decimal("100000"), Category.CONSUMABLES: Decimal("30000")},
        by=office,
    )
    b1 = services.allocation_create(
        fund=fund,
        partner=enterprise,
        start_date=D(2026, 1, 1),
        end_date=D(2026, 12, 31),
        budget={Category.CONSUMABLES: Decimal("20000"), Category.TRAVEL: Decimal("10000")},
        by=office,
    )
    # a 2024 allocation without spending: counted in no year of this test
    services.allocation_create(
        fund=fund,
        partner=university,
        start_date=D(2024, 1, 1),
        end_date=D(2024, 12, 31),
        budget={Category.OTHER: Decimal("5000")},
        by=office,
    )
    _spend(a1, office, Category.EQUIPMENT, D(2025, 6, 10), "40000")
    _spend(a1, office, Category.EQUIPMENT, D(2026, 3, 1), "30000")
    _spend(a1, office, Category.CONSUMABLES, D(2026, 5, 5), "1200")
    _spend(b1, office, Category.CONSUMABLES, D(2026, 2, 2), "25000")  # over its 20,000
    _spend(b1, office, Category.TRAVEL, D(2026, 4, 4), "2000")
    _flag(a1, FlagRule.OVER_BUDGET_CATEGORY, "f1", D(2026, 2, 10), None)
    _flag(b1, FlagRule.RECEIPT_MISSING, "f2", D(2026, 3, 1), D(2026, 3, 11))  # 10 days
    _flag(a1, FlagRule.RECEIPT_MISSING, "f3", D(2025, 11, 1), D(2026, 1, 1))  # 61 days
    _flag(b1, FlagRule.DUPLICATE_PAYMENT, "f4", D(2026, 6, 1), D(2027, 1, 5))  # open at the year's end
    # another programme's fund, allocated to the same hospital: never counted
    other = ProgrammeFactory.create(lead_university=university)
    other_allocation = services.allocation_create(
        fund=_fund(other, government, office, "Other fund"),
        partner=hospital,
        start_date=D(2026, 1, 1),
        end_date=D(2026, 12, 31),
        budget={Category.EQUIPMENT: Decimal("90000")},
        by=office,
    )
    _spend(other_allocation, office, Category.EQUIPMENT, D(2026, 7, 7), "9000")
    _flag(other_allocation, FlagRule.RECEIPT_MISSING, "o1", D(2026, 7, 8), None)
    return Ledger(programme, cohort, office, hospital, enterprise, a1, b1)


@pytest.fixture(scope="module")
def ledger(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Ledger]:
    """The ledger, built once for the module inside a transaction rolled back at its end (each test runs in
    a savepoint of it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


def _values(section: Section) -> dict[str, Any]:
    return {f.key: f.value for f in section.figures}


def _rows(section: Section, key: str) -> dict[str, list[Any]]:
    table = section.table(key)
    assert table is not None, key
    return {row.label: row.values for row in table.rows}


def test_budget_against_spending_in_the_year_by_category_and_partner(ledger: Ledger, db: None) -> None:
    with translation.override("zh-hans"):  # labels stay message ids, whatever the language
        section = funds.section(Frame(programme_id=ledger.programme.pk, year=2026))
    assert section_from_json(json.loads(json.dumps(section_to_json(section)))) == section
    values = _values(section)
    assert values["funds.budget"] == 160000.0  # A1's 130,000 and B1's 30,000; the 2024 allocation not
    assert values["funds.spent"] == 98200.0  # everything to the year's end: 71,200 at A, 27,000 at B
    assert values["funds.spent_year"] == 58200.0
    assert values["funds.spent_share"] == share(98200, 160000)
    assert values["funds.lines_over_budget"] == 1  # B's consumables
    assert _rows(section, "funds.by_category") == {
        "Equipment": [70000.0, 100000.0, 0.7, 30000.0],
        "Consumables": [26200.0, 50000.0, share(26200, 50000), 26200.0],
        "Travel": [2000.0, 10000.0, 0.2, 2000.0],
    }
    assert _rows(section, "funds.by_partner") == {
        "Enterprise B": [27000.0, 30000.0, 0.9, 27000.0],
        "Hospital A": [71200.0, 130000.0, share(71200, 130000), 31200.0],
    }
    by_category = section.table("funds.by_category")
    assert by_category is not None and by_category.chart == "bar"
    assert all(row.translate for row in by_category.rows)
    assert section.notes  # how funds belong to the programme


def test_flags_raised_resolved_and_open_in_the_year(ledger: Ledger, db: None) -> None:
    section = funds.section(Frame(programme_id=ledger.programme.pk, year=2026))
    values = _values(section)
    assert values["funds.flags_raised"] == 3  # f1, f2, f4 (not the other programme's)
    assert values["funds.flags_resolved"] == 2  # f2, and f3 raised the year before
    assert values["funds.flags_open"] == 2  # f1, and f4 resolved only after the year's end
    assert values["funds.flag_days"] == 35.5  # (10 + 61) / 2
    assert _rows(section, "funds.flags_by_rule") == {
        "Over budget (category)": [1, 0, 1],
        "Receipt missing": [1, 2, 0],
        "Same payee, amount and date twice": [1, 0, 1],
    }
    open_flags = section.figure("funds.flags_open")
    assert open_flags is not None and open_flags.drill == f"/funds/flags/?programme={ledger.programme.pk}&status=open"
    assert open_flags.better == "lower"


def test_the_previous_year_and_a_day_within_the_year(ledger: Ledger, db: None) -> None:
    frame = Frame(programme_id=ledger.programme.pk, year=2026)
    earlier = _values(funds.section(frame.previous()))
    assert earlier["funds.budget"] == 130000.0  # A1 only: B1's period is 2026
    assert earlier["funds.spent"] == earlier["funds.spent_year"] == 40000.0
    assert earlier["funds.flags_raised"] == 1 and earlier["funds.flags_resolved"] == 0
    assert earlier["funds.flags_open"] == 1 and earlier["funds.flag_days"] is None
    # judged on 5 March 2026: f1 open, f2 still open, f3 resolved; spending to date stops at March
    march = _values(funds.section(Frame(programme_id=ledger.programme.pk, year=2026, as_of=D(2026, 3, 5))))
    assert march["funds.flags_open"] == 2
    assert march["funds.spent"] == 40000.0 + 30000.0 + 25000.0


def test_a_cohort_frame_shows_the_programme_funds_and_says_so(ledger: Ledger, db: None) -> None:
    whole = funds.section(Frame(programme_id=ledger.programme.pk, year=2026))
    cohort = funds.section(Frame(programme_id=ledger.programme.pk, year=2026, cohort_id=ledger.cohort.pk))
    assert _values(cohort) == _values(whole)
    assert len(cohort.notes) == len(whole.notes) + 1


def test_the_section_costs_the_same_queries_at_two_sizes(ledger: Ledger, db: None) -> None:
    frame = Frame(programme_id=ledger.programme.pk, year=2026)
    with CaptureQueriesContext(connection) as small:
        funds.section(frame)
    for category in (Category.CONSUMABLES, Category.TRAVEL, Category.EQUIPMENT):
        for month in range(1, 13):
            _spend(ledger.a1, ledger.office, category, D(2026, month, 3), "10")
    for n in range(20):
        _flag(ledger.b1, FlagRule.SPLIT_PURCHASE, f"more-{n}", D(2026, 8, 1), D(2026, 8, 2) if n % 2 else None)
    with CaptureQueriesContext(connection) as large:
        section = funds.section(frame)
    assert _values(section)["funds.flags_raised"] == 23
    assert len(large) == len(small) <= 5
