"""Builders for funds in tests, through the real services (allocations check the fund's total, spending is
checked and flagged on entry), so a fund in a test is always one the product could have made."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from funds import services
from funds.models import Allocation, Category, Expenditure, Fund
from partners.models import MembershipRole, Partner, PartnerKind
from tests.conftest import World
from tests.factories.accounts import UserFactory
from tests.factories.partners import MembershipFactory, PartnerFactory

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def receipt(content: bytes = PDF, name: str = "receipt.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def user(world: World, persona: str) -> User:
    found = world.users[persona]
    assert found is not None, persona
    return found


def finance_officer(partner: Partner, username: str | None = None) -> User:
    """A finance officer of ``partner`` (made once per name)."""
    name = username or f"finance-{partner.short_name.lower()}"
    existing = User.objects.filter(username=name).first()
    if existing is not None:
        return existing
    officer = UserFactory.create(username=name)
    MembershipFactory.create(user=officer, partner=partner, role=MembershipRole.FINANCE)
    return officer


def government() -> Partner:
    existing = Partner.objects.filter(kind=PartnerKind.GOVERNMENT).first()
    return existing or PartnerFactory.create(
        name="Provincial Education Dept", short_name="GOV", kind=PartnerKind.GOVERNMENT
    )


def fund(world: World, **overrides: Any) -> Fund:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "name": "Provincial training fund",
        "source": government(),
        "programme": world.programme,
        "total": Decimal("500000"),
        "start_date": today - datetime.timedelta(days=200),
        "end_date": today + datetime.timedelta(days=365),
        "purpose": "Joint training of imaging Master's students",
        "by": user(world, "office"),
    }
    values.update(overrides)
    return services.fund_create(**values)


DEFAULT_BUDGET = {
    Category.EQUIPMENT: Decimal("100000"),
    Category.CONSUMABLES: Decimal("30000"),
    Category.STIPENDS: Decimal("40000"),
    Category.TRAVEL: Decimal("10000"),
}


def allocation(
    world: World, partner: Partner | None = None, the_fund: Fund | None = None, **overrides: Any
) -> Allocation:
    the_fund = the_fund or fund(world)
    today = timezone.localdate()
    values: dict[str, Any] = {
        "fund": the_fund,
        "partner": partner or world.partner_a,
        "start_date": max(the_fund.start_date, today - datetime.timedelta(days=120)),
        "end_date": the_fund.end_date,
        "budget": DEFAULT_BUDGET,
        "by": user(world, "office"),
    }
    values.update(overrides)
    return services.allocation_create(**values)


def spend(allocation: Allocation, by: User, **overrides: Any) -> Expenditure:
    """Record spending (with a receipt unless ``receipts=[]``)."""
    receipts = overrides.pop("receipts", None)
    today = overrides.pop("today", None)
    values: dict[str, Any] = {
        "allocation": allocation,
        "category": Category.CONSUMABLES,
        "date": timezone.localdate() - datetime.timedelta(days=3),
        "amount": Decimal("1200.00"),
        "payee": "Contrast Supplies Ltd",
        "description": "Contrast agent",
    }
    values.update(overrides)
    return services.expenditure_create(
        entry=services.ExpenditureInput(**values),
        by=by,
        receipts=[receipt(PDF + str(values).encode())] if receipts is None else receipts,
        today=today,
    )
