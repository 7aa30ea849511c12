"""Funds pages and API: what each reader sees, recording with a receipt, approving, reversing, resolving, the
inspector's dated grant, the hooks, and query counts that do not grow with the spending."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import hooks
from funds import services
from funds.models import ApprovalAttempt, Category, Expenditure, ExpenditureStatus, Flag, FlagRule, FlagStatus
from supervision.services import draw as spot
from supervision.services.scorecard import scorecard_of
from tests.conftest import World, api_client_for, client_for
from tests.factories import funds as f
from tests.supervision import helpers

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries)


# --- Pages ---------------------------------------------------------------------------------------------------


def test_dashboard_costs_the_same_queries_for_few_or_many_expenditures(world: World) -> None:
    fund = f.fund(world, total=Decimal("5000000"))
    a = f.allocation(world, the_fund=fund)
    b = f.allocation(world, partner=world.partner_b, the_fund=fund)
    officer_a, officer_b = f.finance_officer(world.partner_a), f.finance_officer(world.partner_b)
    f.spend(a, officer_a, payee="P0")
    f.spend(b, officer_b, payee="Q0")
    office = client_for(f.user(world, "office"))
    coordinator = client_for(f.user(world, "coordinator_a"))
    small = (_queries(office, reverse("funds:dashboard")), _queries(coordinator, reverse("funds:dashboard")))
    for index in range(1, 15):
        f.spend(
            a,
            officer_a,
            payee=f"P{index}",
            category=Category.values[index % 8],
            student=world.student_a if Category.values[index % 8] == Category.STIPENDS else None,
            date=TODAY - datetime.timedelta(days=index * 9),
        )
        f.spend(b, officer_b, payee=f"Q{index}", amount=Decimal(100 + index))
    assert (_queries(office, reverse("funds:dashboard")), _queries(coordinator, reverse("funds:dashboard"))) == small


def test_allocation_page_shows_bars_line_and_flags_and_costs_the_same_queries(world: World) -> None:
    allocation = f.allocation(world, budget={Category.TRAVEL: Decimal("1000"), Category.CONSUMABLES: Decimal("5000")})
    officer = f.finance_officer(world.partner_a)
    f.spend(allocation, officer, category=Category.TRAVEL, amount=Decimal("1200"), payee="Air")
    client = client_for(f.user(world, "coordinator_a"))
    url = reverse("funds:allocation", args=[allocation.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="category-bars"' not in page  # bars are rows of the table
    assert 'data-testid="category-table"' in page and 'data-testid="spending-line"' in page
    assert 'data-category="travel"' in page and "table-danger" in page
    assert "over_budget_category" in page
    small = _queries(client, url)
    for index in range(10):
        f.spend(
            allocation,
            officer,
            amount=Decimal(10 + index),
            payee=f"Shop {index}",
            date=TODAY - datetime.timedelta(days=30 * (index % 4)),
        )
    assert _queries(client, url) == small


def test_other_partner_gets_404_on_allocation_expenditure_and_receipt(world: World) -> None:
    allocation = f.allocation(world)
    spent = f.spend(allocation, f.finance_officer(world.partner_a))
    client = client_for(f.user(world, "coordinator_b"))
    for url in (
        reverse("funds:allocation", args=[allocation.pk]),
        reverse("funds:expenditure", args=[spent.pk]),
        reverse("funds:receipt", args=[spent.receipts.get().pk]),
        reverse("funds:partner", args=[world.partner_a.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert "Contrast" not in client.get(reverse("funds:dashboard")).content.decode()


def test_fund_document_downloads_checked_by_its_hash_for_the_funds_readers_only(world: World) -> None:
    content = f.PDF + b"% agreement"
    fund = f.fund(world, reference='GX-2026/07 "协议"', document=f.receipt(content, name='../../a "b".pdf'))
    f.allocation(world, the_fund=fund)
    url = reverse("funds:fund-document", args=[fund.pk])
    assert url in client_for(f.user(world, "office")).get(reverse("funds:dashboard")).content.decode()
    response = client_for(f.user(world, "coordinator_a")).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="fund-{fund.pk}-gx-202607.pdf"'
    assert b"".join(response.streaming_content) == content  # type: ignore[attr-defined]
    assert response["X-Content-SHA256"] == hashlib.sha256(content).hexdigest() == fund.document_sha256
    for persona in ("coordinator_b", "supervisor_a", "student_a"):
        assert client_for(f.user(world, persona)).get(url).status_code == 404, persona
    bare = f.fund(world, name="No paper", total=Decimal("1000"))
    assert client_for(f.user(world, "office")).get(reverse("funds:fund-document", args=[bare.pk])).status_code == 404
    with fund.document.open("wb") as stored:  # changed behind the application's back
        stored.write(content + b"tampered")
    assert client_for(f.user(world, "office")).get(url).status_code == 409


def test_finance_officer_records_spending_with_a_receipt_through_the_page(world: World) -> None:
    allocation = f.allocation(world)
    officer = f.finance_officer(world.partner_a)
    client = client_for(officer)
    url = reverse("funds:expenditure-create", args=[allocation.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "category": Category.EQUIPMENT,
            "date": TODAY.isoformat(),
            "amount": "4800",
            "payee": "Probe Co",
            "receipt": f.receipt(f.PNG, "scan.png"),
        },
    )
    spent = Expenditure.objects.get(payee="Probe Co")
    assert response.status_code == 302 and response["Location"] == reverse("funds:expenditure", args=[spent.pk])
    assert spent.entered_by == officer and spent.receipts.count() == 1
    download = client.get(reverse("funds:receipt", args=[spent.receipts.get().pk]))
    assert download.status_code == 200 and download["Content-Type"] == "image/png"


def test_a_refused_entry_keeps_what_was_typed(world: World) -> None:
    allocation = f.allocation(world)
    client = client_for(f.finance_officer(world.partner_a))
    response = client.post(
        reverse("funds:expenditure-create", args=[allocation.pk]),
        {"category": Category.STIPENDS, "date": TODAY.isoformat(), "amount": "1500", "payee": "Somebody Unnamed"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Somebody Unnamed" in page
    assert "A stipend names the student it is paid to." in page
    assert not Expenditure.objects.exists()


def test_approval_beyond_authority_on_the_page_says_why_and_is_kept(world: World) -> None:
    allocation = f.allocation(world)
    spent = f.spend(
        allocation, f.finance_officer(world.partner_a), category=Category.EQUIPMENT, amount=Decimal("35000")
    )
    client = client_for(f.user(world, "coordinator_a"))
    response = client.post(reverse("funds:expenditure-approve", args=[spent.pk]), follow=True)
    page = response.content.decode()
    assert "Beyond your authority: 35,000 &gt; 20,000." in page
    assert 'data-testid="attempts"' in page and "beyond_authority" in page
    spent.refresh_from_db()
    assert spent.status == ExpenditureStatus.PENDING


def test_office_resolves_a_flag_on_the_page_and_it_stays_under_resolved(world: World) -> None:
    allocation = f.allocation(world, budget={Category.TRAVEL: Decimal("100")})
    f.spend(allocation, f.finance_officer(world.partner_a), category=Category.TRAVEL, amount=Decimal("150"))
    flag = Flag.objects.get(rule=FlagRule.OVER_BUDGET_CATEGORY)
    client = client_for(f.user(world, "office"))
    assert f'data-flag="{flag.pk}"' in client.get(reverse("funds:flags")).content.decode()
    refused = client.post(reverse("funds:flag-resolve", args=[flag.pk]), {"resolution": "accepted", "note": ""})
    assert refused.status_code == 200
    response = client.post(
        reverse("funds:flag-resolve", args=[flag.pk]), {"resolution": "violation", "note": "Referred to the board"}
    )
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == FlagStatus.RESOLVED
    assert f'data-flag="{flag.pk}"' not in client.get(reverse("funds:flags")).content.decode()
    assert "Referred to the board" in client.get(reverse("funds:flags") + "?status=resolved").content.decode()


def test_a_flag_raised_again_shows_as_such_beside_the_resolved_one(world: World) -> None:
    allocation = f.allocation(world, budget={Category.TRAVEL: Decimal("100")})
    officer, office = f.finance_officer(world.partner_a), f.user(world, "office")
    over = f.spend(allocation, officer, category=Category.TRAVEL, amount=Decimal("150"))
    first = Flag.objects.get(rule=FlagRule.OVER_BUDGET_CATEGORY)
    services.expenditure_reverse(expenditure=over, reason="Wrong allocation", by=office)
    services.flag_resolve(flag=first, resolution="corrected", note="Reversed at once", by=office)
    f.spend(allocation, officer, category=Category.TRAVEL, amount=Decimal("120"), payee="Air")
    again = Flag.objects.get(rule=FlagRule.OVER_BUDGET_CATEGORY, status=FlagStatus.OPEN)
    client = client_for(office)
    page = client.get(reverse("funds:flags")).content.decode()
    assert f'data-flag="{again.pk}"' in page and 'data-testid="raised-again"' in page
    history = client.get(reverse("funds:flags") + "?status=resolved").content.decode()
    assert f'data-flag="{first.pk}"' in history and "Reversed at once" in history and "condition gone since" in history


def test_student_sees_own_stipend_payments_only(world: World) -> None:
    allocation = f.allocation(world)
    officer = f.finance_officer(world.partner_a)
    stipend = f.spend(
        allocation,
        officer,
        category=Category.STIPENDS,
        student=world.student_a,
        amount=Decimal("1500"),
        date=world.placement_a.start_date,
        payee="Student A",
    )
    other = f.spend(allocation, officer, amount=Decimal("99"))
    client = client_for(f.user(world, "student_a"))
    assert 'data-testid="own-stipends"' in client.get(reverse("funds:dashboard")).content.decode()
    assert client.get(reverse("funds:expenditure", args=[stipend.pk])).status_code == 200
    assert client.get(reverse("funds:expenditure", args=[other.pk])).status_code == 404
    assert client.get(reverse("funds:allocation", args=[allocation.pk])).status_code == 404
    ids = [
        row["id"] for row in api_client_for(f.user(world, "student_a")).get("/api/v1/expenditures/").json()["results"]
    ]
    assert ids == [stipend.pk]
    assert (
        client_for(f.user(world, "student_b")).get(reverse("funds:expenditure", args=[stipend.pk])).status_code == 404
    )


# --- The inspector's dated grant ----------------------------------------------------------------------------


def test_inspector_reads_a_partners_funds_only_while_an_inspection_is_in_progress(world: World) -> None:
    allocation = f.allocation(world)
    b_allocation = f.allocation(world, partner=world.partner_b, the_fund=allocation.fund)
    spent = f.spend(allocation, f.finance_officer(world.partner_a))
    inspector = f.user(world, "inspector")
    urls = [
        reverse("funds:allocation", args=[allocation.pk]),
        reverse("funds:expenditure", args=[spent.pk]),
        reverse("funds:receipt", args=[spent.receipts.get().pk]),
        reverse("funds:partner", args=[world.partner_a.pk]),
        f"/api/v1/allocations/{allocation.pk}/",
        f"/api/v1/funds/{allocation.fund_id}/",
    ]
    client, api = client_for(inspector), api_client_for(inspector)
    assert [(api if u.startswith("/api") else client).get(u).status_code for u in urls] == [404] * 6
    inspection = helpers.start(world)
    assert [(api if u.startswith("/api") else client).get(u).status_code for u in urls] == [200] * 6
    assert client.get(reverse("funds:allocation", args=[b_allocation.pk])).status_code == 404
    assert api.post(f"/api/v1/expenditures/{spent.pk}/approve/").status_code == 403  # reading only
    from supervision import services as supervision

    helpers.rate_all(world, inspection)
    supervision.inspection_close(inspection=inspection, by=inspector)
    assert [(api if u.startswith("/api") else client).get(u).status_code for u in urls] == [404] * 6


# --- Finance officers in the matrix's place ------------------------------------------------------------------


def test_finance_officer_reads_and_records_like_the_coordinator_but_approves_to_a_lower_limit(world: World) -> None:
    allocation = f.allocation(world)
    officer = f.finance_officer(world.partner_a)
    coordinator_entry = f.spend(
        allocation, f.user(world, "coordinator_a"), amount=Decimal("6000"), category=Category.EQUIPMENT
    )
    api = api_client_for(officer)
    assert api.get(f"/api/v1/allocations/{allocation.pk}/").status_code == 200
    refused = api.post(f"/api/v1/expenditures/{coordinator_entry.pk}/approve/")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "beyond_authority"
    small = f.spend(allocation, f.user(world, "coordinator_a"), amount=Decimal("600"), payee="Small")
    assert api.post(f"/api/v1/expenditures/{small.pk}/approve/").json()["approval_role"] == "finance"
    other = f.finance_officer(world.partner_b)
    assert api_client_for(other).get(f"/api/v1/allocations/{allocation.pk}/").status_code == 404


# --- API -------------------------------------------------------------------------------------------------------


def test_api_records_with_a_receipt_approves_refuses_self_approval_and_reverses(world: World) -> None:
    allocation = f.allocation(world)
    officer = f.finance_officer(world.partner_a)
    api = api_client_for(officer)
    response = api.post(
        "/api/v1/expenditures/",
        {
            "allocation": allocation.pk,
            "category": "consumables",
            "date": TODAY.isoformat(),
            "amount": "320.50",
            "payee": "Gel Ltd",
            "receipts": [f.receipt()],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending" and len(body["receipts"]) == 1 and body["amount"] == "320.50"
    own = api.post(f"/api/v1/expenditures/{body['id']}/approve/")
    assert own.status_code == 400 and own.json()["error"]["code"] == "segregation_of_duties"
    coordinator = api_client_for(f.user(world, "coordinator_a"))
    approved = coordinator.post(f"/api/v1/expenditures/{body['id']}/approve/").json()
    assert approved["approval_limit"] == "20000.00" and approved["approval_role"] == "coordinator"
    reversal = coordinator.post(f"/api/v1/expenditures/{body['id']}/reverse/", {"reason": "Returned"}, format="json")
    assert reversal.status_code == 201 and reversal.json()["amount"] == "-320.50"
    assert ApprovalAttempt.objects.filter(rule="segregation_of_duties").count() == 1


def test_api_expenditure_list_costs_the_same_queries_for_few_or_many(world: World) -> None:
    allocation = f.allocation(world)
    officer = f.finance_officer(world.partner_a)
    api = api_client_for(f.user(world, "coordinator_a"))
    f.spend(allocation, officer, payee="P0")
    _queries(api, "/api/v1/expenditures/")  # the first request of a client also loads its user's roles
    small = (
        _queries(api, "/api/v1/expenditures/"),
        _queries(api, "/api/v1/fund-flags/"),
        _queries(api, "/api/v1/allocations/"),
    )
    for index in range(1, 12):
        f.spend(allocation, officer, payee=f"P{index}", amount=Decimal(index))
    assert (
        _queries(api, "/api/v1/expenditures/"),
        _queries(api, "/api/v1/fund-flags/"),
        _queries(api, "/api/v1/allocations/"),
    ) == small


# --- Hooks -------------------------------------------------------------------------------------------------


def test_open_flags_weigh_in_the_draw_and_show_on_the_scorecard(world: World) -> None:
    allocation = f.allocation(world, budget={Category.TRAVEL: Decimal("100")})
    assert [factor.key for factor in hooks.DRAW_FACTORS if factor.key == "fund_flags"] == ["fund_flags"]
    assert spot.risk_factors([world.partner_a], TODAY)[world.partner_a.pk]["open_fund_flags"] == 0
    f.spend(allocation, f.finance_officer(world.partner_a), category=Category.TRAVEL, amount=Decimal("150"))
    factors = spot.risk_factors([world.partner_a, world.partner_b], TODAY)
    assert factors[world.partner_a.pk]["open_fund_flags"] == 2  # the travel line, and the total
    assert factors[world.partner_b.pk]["open_fund_flags"] == 0
    assert spot.weight_parts(factors[world.partner_a.pk])["fund_flags"] == Decimal("1.0")
    assert spot.weight_parts({"open_fund_flags": 9})["fund_flags"] == Decimal("2.0")
    card = scorecard_of(user=f.user(world, "office"), partner=world.partner_a)
    (block,) = [b for b in card.sections if b.key == "funds"]
    assert block.context["items"][0]["count"] == 2
    coordinator_b_card = scorecard_of(user=f.user(world, "coordinator_b"), partner=world.partner_b)
    assert not [b for b in coordinator_b_card.sections if b.key == "funds"]


def test_nav_shows_funds_to_finance_officers_not_to_supervisors(world: World) -> None:
    officer = f.finance_officer(world.partner_a)
    assert reverse("funds:dashboard") in client_for(officer).get(reverse("core:start")).content.decode()
    page = client_for(f.user(world, "supervisor_a")).get(reverse("core:start")).content.decode()
    assert f'href="{reverse("funds:dashboard")}"' not in page


# --- The office's pages: record a fund, allocate it, revise, set limits ---------------------------------------


def test_office_records_a_fund_allocates_revises_and_sets_a_limit_through_the_pages(world: World) -> None:
    client = client_for(f.user(world, "office"))
    response = client.post(
        reverse("funds:fund-create"),
        {
            "name": "Bank talent fund",
            "source": f.government().pk,
            "programme": world.programme.pk,
            "total": "100000",
            "currency": "CNY",
            "start_date": "2026-01-01",
            "end_date": "2027-12-31",
            "purpose": "Stipends",
            "allowed_categories": ["stipends", "travel"],
        },
    )
    assert response.status_code == 302
    from funds.models import Allocation, AuthorityLimit, Fund

    fund = Fund.objects.get(name="Bank talent fund")
    assert fund.allowed_categories == ["stipends", "travel"]
    too_much = client.post(
        reverse("funds:allocation-create", args=[fund.pk]),
        {
            "partner": world.partner_a.pk,
            "start_date": "2026-01-01",
            "end_date": "2027-12-31",
            "budget_stipends": "90000",
            "budget_travel": "20000",
        },
    )
    assert too_much.status_code == 200 and "Allocations cannot exceed the fund: 110,000 &gt; 100,000." in (
        too_much.content.decode()
    )
    assert (
        client.post(
            reverse("funds:allocation-create", args=[fund.pk]),
            {
                "partner": world.partner_a.pk,
                "start_date": "2026-01-01",
                "end_date": "2027-12-31",
                "budget_stipends": "60000",
            },
        ).status_code
        == 302
    )
    allocation = Allocation.objects.get(fund=fund)
    assert (
        client.post(
            reverse("funds:allocation-revise", args=[allocation.pk]),
            {
                "start_date": "2026-01-01",
                "end_date": "2027-12-31",
                "budget_stipends": "50000",
                "budget_travel": "5000",
                "reason": "Travel added",
            },
        ).status_code
        == 302
    )
    allocation.refresh_from_db()
    assert allocation.current_version is not None and allocation.current_version.number == 2
    assert (
        client.post(
            reverse("funds:limits"), {"role": "coordinator", "partner": world.partner_a.pk, "limit": "30000"}
        ).status_code
        == 302
    )
    assert AuthorityLimit.objects.get().limit == Decimal("30000")
    assert client_for(f.user(world, "coordinator_a")).get(reverse("funds:limits")).status_code == 404
