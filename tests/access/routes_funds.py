"""URL arguments and request bodies for the funds routes of the matrix (docs/permissions.md, "Funds").

Object **A** hangs off an allocation of a provincial fund to partner A, built through the real services
(``tests/factories/funds.py``): ``expenditure`` A is a stipend to student A (1,500, recorded by partner A's
finance officer, with a receipt), so student A reads it; the flag A is the travel budget overspent at A.
Partner B has an allocation of the same fund, so "the other partner" has spending of its own. The fund
carries its agreement (a PDF), for ``funds:fund-document``. Bodies are
valid for the people allowed to act, so allowed means done.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from funds.models import Allocation, Category, Expenditure, Flag, FlagRule, Receipt
from tests.conftest import World
from tests.factories import funds as f


def allocation_a(world: World) -> Allocation:
    existing = Allocation.objects.filter(partner=world.partner_a).first()
    if existing is not None:
        return existing
    fund = f.fund(
        world,
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2028, 12, 31),
        reference="GX-2026-07",
        document=f.receipt(name="agreement.pdf"),
    )
    allocation = f.allocation(world, the_fund=fund, start_date=datetime.date(2026, 1, 1))
    f.allocation(world, partner=world.partner_b, the_fund=fund, start_date=datetime.date(2026, 1, 1))
    return allocation


def expenditure_a(world: World) -> Expenditure:
    allocation = allocation_a(world)
    existing = Expenditure.objects.filter(allocation=allocation, category=Category.STIPENDS).first()
    return existing or f.spend(
        allocation,
        f.finance_officer(world.partner_a),
        category=Category.STIPENDS,
        student=world.student_a,
        amount=Decimal("1500"),
        payee="Student A",
        date=world.placement_a.start_date,
    )


def receipt_a(world: World) -> Receipt:
    return Receipt.objects.filter(expenditure=expenditure_a(world)).get()


def flag_a(world: World) -> Flag:
    allocation = allocation_a(world)
    existing = Flag.objects.filter(allocation=allocation, rule=FlagRule.OVER_BUDGET_CATEGORY).first()
    if existing is not None:
        return existing
    f.spend(
        allocation,
        f.finance_officer(world.partner_a),
        category=Category.TRAVEL,
        amount=Decimal("10000.01"),
        payee="Air China",
        date=world.placement_a.start_date,
    )
    return Flag.objects.get(allocation=allocation, rule=FlagRule.OVER_BUDGET_CATEGORY)


def _spend_form(world: World) -> dict[str, Any]:
    allocation_a(world)
    return {
        "category": Category.CONSUMABLES,
        "date": world.placement_a.start_date.isoformat(),
        "amount": "250.00",
        "payee": "Film Supplies",
        "description": "Phantom film",
    }


def _spend_api(world: World) -> dict[str, Any]:
    return {**_spend_form(world), "allocation": allocation_a(world).pk}


ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "funds:allocation": lambda w: {"pk": allocation_a(w).pk},
    "funds:expenditure-create": lambda w: {"pk": allocation_a(w).pk},
    "funds:partner": lambda w: {"pk": w.partner_a.pk},
    "funds:expenditure": lambda w: {"pk": expenditure_a(w).pk},
    "funds:expenditure-approve": lambda w: {"pk": expenditure_a(w).pk},
    "funds:expenditure-reverse": lambda w: {"pk": expenditure_a(w).pk},
    "funds:receipt": lambda w: {"pk": receipt_a(w).pk},
    "funds:flag-resolve": lambda w: {"pk": flag_a(w).pk},
    "funds:fund-statement": lambda w: {"pk": allocation_a(w).fund_id},
    "funds:fund-export": lambda w: {"pk": allocation_a(w).fund_id},
    "funds:fund-document": lambda w: {"pk": allocation_a(w).fund_id},
    "funds:import": lambda w: {"pk": allocation_a(w).pk},
    "funds:allocation-create": lambda w: {"pk": allocation_a(w).fund_id},
    "funds:allocation-revise": lambda w: {"pk": allocation_a(w).pk},
    "api:fund-detail": lambda w: {"pk": allocation_a(w).fund_id},
    "api:allocation-detail": lambda w: {"pk": allocation_a(w).pk},
    "api:expenditure-detail": lambda w: {"pk": expenditure_a(w).pk},
    "api:expenditure-approve": lambda w: {"pk": expenditure_a(w).pk},
    "api:expenditure-reverse": lambda w: {"pk": expenditure_a(w).pk},
    "api:fund-flag-detail": lambda w: {"pk": flag_a(w).pk},
    "api:fund-flag-resolve": lambda w: {"pk": flag_a(w).pk},
}


def _fund_form(world: World) -> dict[str, Any]:
    return {
        "name": "University innovation fund",
        "source": world.university.pk,
        "programme": world.programme.pk,
        "total": "100000",
        "currency": "CNY",
        "start_date": "2026-01-01",
        "end_date": "2027-12-31",
        "purpose": "Innovation projects",
    }


BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "funds:fund-create": _fund_form,
    "funds:limits": lambda w: {"role": "coordinator", "partner": w.partner_a.pk, "limit": "30000"},
    "funds:expenditure-create": _spend_form,
    "funds:expenditure-reverse": lambda w: {"reason": "Paid twice"},
    "funds:flag-resolve": lambda w: {"resolution": "accepted", "note": "Conference travel agreed by the office"},
    "api:expenditure-list": _spend_api,
    "api:expenditure-reverse": lambda w: {"reason": "Paid twice"},
    "api:fund-flag-resolve": lambda w: {"resolution": "accepted", "note": "Agreed"},
}
