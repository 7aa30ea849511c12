"""The ledger's services: funds, allocations and versions, spending, approvals under authority, reversals,
and every flag rule with a case that raises it and one that does not."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.validation import refused_rule
from funds import selectors, services, tasks
from funds.models import (
    ApprovalAttempt,
    ApproverRole,
    Category,
    Expenditure,
    ExpenditureStatus,
    Flag,
    FlagRule,
    FlagStatus,
    Resolution,
    SpendingTotal,
)
from students.models import Placement
from tests.conftest import World
from tests.factories import funds as f

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def rule_of(error: ValidationError) -> str:
    found = refused_rule(error)
    assert found is not None, error
    return found[0]


def flags(rule: str) -> list[Flag]:
    return list(Flag.objects.filter(rule=rule))


# --- Funds and allocations -------------------------------------------------------------------------------


def test_allocations_cannot_exceed_the_fund(world: World) -> None:
    fund = f.fund(world, total=Decimal("200000"))
    f.allocation(world, the_fund=fund)  # 180,000
    with pytest.raises(ValidationError) as error:
        f.allocation(world, partner=world.partner_b, the_fund=fund, budget={Category.TRAVEL: Decimal("20000.01")})
    assert rule_of(error.value) == "exceeds_fund"
    f.allocation(world, partner=world.partner_b, the_fund=fund, budget={Category.TRAVEL: Decimal("20000")})


def test_a_revision_is_a_new_version_with_its_reason_and_the_old_one_is_kept(world: World) -> None:
    allocation = f.allocation(world)
    current = allocation.current_version
    assert current is not None
    version = services.allocation_revise(
        allocation=allocation,
        start_date=current.start_date,
        end_date=current.end_date,
        budget={**{str(k): v for k, v in f.DEFAULT_BUDGET.items()}, Category.TRAVEL: Decimal("15000")},
        reason="Conference added",
        by=f.user(world, "office"),
    )
    allocation.refresh_from_db()
    assert allocation.current_version == version and version.number == 2
    assert version.total == Decimal("185000")
    assert [v.reason for v in allocation.versions.order_by("number")][1] == "Conference added"
    with pytest.raises(ValidationError):
        services.allocation_revise(
            allocation=allocation,
            start_date=version.start_date,
            end_date=version.end_date,
            budget={},
            reason=" ",
            by=f.user(world, "office"),
        )


def test_only_the_office_allocates(world: World) -> None:
    fund = f.fund(world)
    with pytest.raises(PermissionDenied):
        f.allocation(world, the_fund=fund, by=f.user(world, "coordinator_a"))


def test_a_fund_from_a_hospital_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        f.fund(world, source=world.partner_a)
    assert rule_of(error.value) == "source_kind"


# --- Spending, receipts ------------------------------------------------------------------------------------


def test_finance_officer_records_spending_with_a_receipt_and_its_hash(world: World) -> None:
    allocation = f.allocation(world)
    officer = f.finance_officer(world.partner_a)
    spent = f.spend(allocation, officer, receipts=[f.receipt(f.PNG, "photo.png")])
    receipt = spent.receipts.get()
    assert spent.status == ExpenditureStatus.PENDING and spent.entered_limit == Decimal("5000.00")
    assert len(receipt.sha256) == 64 and (receipt.file.name or "").endswith(".png")


def test_a_receipt_that_is_not_a_pdf_or_photo_is_refused_whatever_its_name(world: World) -> None:
    allocation = f.allocation(world)
    with pytest.raises(ValidationError) as error:
        f.spend(allocation, f.finance_officer(world.partner_a), receipts=[f.receipt(b"MZ\x90\x00", "receipt.pdf")])
    assert rule_of(error.value) == "file_type"
    assert not Expenditure.objects.exists()


def test_other_partner_cannot_record_at_this_allocation(world: World) -> None:
    allocation = f.allocation(world)
    for persona in ("coordinator_b", "supervisor_a", "student_a", "inspector"):
        with pytest.raises(PermissionDenied):
            f.spend(allocation, f.user(world, persona))


def test_a_stipend_names_its_student(world: World) -> None:
    allocation = f.allocation(world)
    with pytest.raises(ValidationError) as error:
        f.spend(allocation, f.user(world, "coordinator_a"), category=Category.STIPENDS)
    assert rule_of(error.value) == "stipend_student"


# --- Approvals ---------------------------------------------------------------------------------------------


def test_coordinator_approves_up_to_the_limit_and_the_approval_records_the_limit(world: World) -> None:
    allocation = f.allocation(world)
    spent = f.spend(
        allocation, f.finance_officer(world.partner_a), category=Category.EQUIPMENT, amount=Decimal("20000")
    )
    approved = services.expenditure_approve(expenditure=spent, by=f.user(world, "coordinator_a"))
    assert approved.status == ExpenditureStatus.APPROVED
    assert approved.approved_by == f.user(world, "coordinator_a") and approved.approved_at is not None
    assert approved.approval_role == ApproverRole.COORDINATOR and approved.approval_limit == Decimal("20000")


def test_approval_beyond_authority_is_refused_logged_and_flagged(world: World) -> None:
    allocation = f.allocation(world)
    spent = f.spend(
        allocation, f.finance_officer(world.partner_a), category=Category.EQUIPMENT, amount=Decimal("35000")
    )
    with pytest.raises(ValidationError) as error:
        services.expenditure_approve(expenditure=spent, by=f.user(world, "coordinator_a"))
    assert rule_of(error.value) == "beyond_authority"
    assert "35,000 > 20,000" in refused_rule(error.value)[1]  # type: ignore[index]
    attempt = ApprovalAttempt.objects.get()
    assert (attempt.rule, attempt.limit, attempt.role) == ("beyond_authority", Decimal("20000"), "coordinator")
    assert [flag.expenditure for flag in flags(FlagRule.BEYOND_AUTHORITY)] == [spent]
    spent.refresh_from_db()
    assert spent.status == ExpenditureStatus.PENDING
    # the office approves above every limit
    approved = services.expenditure_approve(expenditure=spent, by=f.user(world, "office"))
    assert approved.approval_role == ApproverRole.OFFICE and approved.approval_limit is None


def test_a_limit_set_for_a_partner_applies_there_only(world: World) -> None:
    services.authority_limit_set(
        role=ApproverRole.COORDINATOR, partner=world.partner_a, limit=Decimal("50000"), by=f.user(world, "office")
    )
    assert services.limit_for(role=ApproverRole.COORDINATOR, partner=world.partner_a) == Decimal("50000")
    assert services.limit_for(role=ApproverRole.COORDINATOR, partner=world.partner_b) == Decimal("20000")
    allocation = f.allocation(world)
    spent = f.spend(
        allocation, f.finance_officer(world.partner_a), category=Category.EQUIPMENT, amount=Decimal("35000")
    )
    services.expenditure_approve(expenditure=spent, by=f.user(world, "coordinator_a"))
    assert not flags(FlagRule.BEYOND_AUTHORITY)


def test_nobody_approves_their_own_entry_and_the_attempt_is_kept(world: World) -> None:
    allocation = f.allocation(world)
    coordinator = f.user(world, "coordinator_a")
    spent = f.spend(allocation, coordinator, amount=Decimal("100"))
    with pytest.raises(ValidationError) as error:
        services.expenditure_approve(expenditure=spent, by=coordinator)
    assert rule_of(error.value) == "segregation_of_duties"
    assert ApprovalAttempt.objects.get().rule == "segregation_of_duties"
    office_spent = f.spend(allocation, f.user(world, "office"), amount=Decimal("101"))
    with pytest.raises(ValidationError):
        services.expenditure_approve(expenditure=office_spent, by=f.user(world, "office"))


def test_coordinator_of_another_partner_cannot_approve(world: World) -> None:
    spent = f.spend(f.allocation(world), f.finance_officer(world.partner_a))
    with pytest.raises(PermissionDenied):
        services.expenditure_approve(expenditure=spent, by=f.user(world, "coordinator_b"))


# --- Reversals -------------------------------------------------------------------------------------------


def test_a_reversal_is_a_new_entry_and_both_stay(world: World) -> None:
    allocation = f.allocation(world)
    spent = f.spend(allocation, f.finance_officer(world.partner_a), amount=Decimal("900"))
    services.expenditure_approve(expenditure=spent, by=f.user(world, "coordinator_a"))
    reversal = services.expenditure_reverse(
        expenditure=spent, reason="Entered twice", by=f.user(world, "coordinator_a")
    )
    assert reversal.amount == Decimal("-900") and reversal.reverses == spent
    assert reversal.status == ExpenditureStatus.APPROVED
    assert Expenditure.objects.filter(allocation=allocation).count() == 2
    with pytest.raises(ValidationError) as error:
        services.expenditure_reverse(expenditure=spent, reason="Again", by=f.user(world, "coordinator_a"))
    assert rule_of(error.value) == "already_reversed"
    with pytest.raises(ValidationError):
        services.expenditure_reverse(expenditure=reversal, reason="Undo", by=f.user(world, "coordinator_a"))


def test_recorded_spending_cannot_be_bulk_edited_or_deleted(world: World) -> None:
    f.spend(f.allocation(world), f.finance_officer(world.partner_a))
    with pytest.raises(TypeError):
        Expenditure.objects.update(amount=1)
    with pytest.raises(TypeError):
        Expenditure.objects.all().delete()


def test_running_totals_follow_entries_approvals_and_reversals_across_months(world: World) -> None:
    allocation = f.allocation(world)
    officer, coordinator = f.finance_officer(world.partner_a), f.user(world, "coordinator_a")
    last_month = TODAY.replace(day=1) - datetime.timedelta(days=1)
    early = f.spend(allocation, officer, amount=Decimal("900.10"), date=last_month, payee="Rail")
    f.spend(allocation, officer, amount=Decimal("50"), date=TODAY, payee="Bus")
    services.expenditure_approve(expenditure=early, by=coordinator)
    services.expenditure_reverse(expenditure=early, reason="Entered twice", by=coordinator)
    rows = {
        (row.month, row.category): (row.spent, row.approved, row.entries)
        for row in SpendingTotal.objects.filter(allocation=allocation)
    }
    this_month, category = TODAY.replace(day=1), Category.CONSUMABLES
    assert rows == {
        (last_month.replace(day=1), category): (Decimal("900.10"), Decimal("900.10"), 1),
        (this_month, category): (Decimal("-850.10"), Decimal("-900.10"), 2),  # the reversal is dated today
    }
    assert selectors.spending_totals_mismatches() == []


def test_a_drift_of_the_running_totals_is_found_and_rebuilt_from_the_ledger(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    allocation = f.allocation(world)
    f.spend(allocation, f.finance_officer(world.partner_a), amount=Decimal("700"))
    SpendingTotal.objects.filter(allocation=allocation).update(spent=Decimal("1.00"))
    assert [ledger for _key, ledger, _kept in selectors.spending_totals_mismatches()] == [
        (Decimal("700.00"), Decimal("0.00"), 1)
    ]
    with pytest.raises(CommandError):
        call_command("fund_totals", stdout=StringIO())
    with caplog.at_level(logging.ERROR, logger="funds.tasks"):
        tasks.flags_refresh()  # the nightly job says so, and repairs nothing behind anyone's back
    assert "differ from the ledger in 1 place" in caplog.text
    call_command("fund_totals", "--rebuild", stdout=StringIO())
    assert selectors.spending_totals_mismatches() == []
    assert selectors.summaries([allocation])[0].spent == Decimal("700")


# --- Flags: each rule raises, and stays quiet when it should ----------------------------------------------


def test_over_budget_by_category_and_total(world: World) -> None:
    allocation = f.allocation(world, budget={Category.TRAVEL: Decimal("3000"), Category.CONSUMABLES: Decimal("3000")})
    officer = f.finance_officer(world.partner_a)
    f.spend(allocation, officer, category=Category.TRAVEL, amount=Decimal("3000"), payee="Rail")
    assert not flags(FlagRule.OVER_BUDGET_CATEGORY) and not flags(FlagRule.OVER_BUDGET_TOTAL)
    f.spend(allocation, officer, category=Category.TRAVEL, amount=Decimal("100"), payee="Air")
    assert [flag.params["category"] for flag in flags(FlagRule.OVER_BUDGET_CATEGORY)] == [Category.TRAVEL]
    assert not flags(FlagRule.OVER_BUDGET_TOTAL)
    f.spend(allocation, officer, category=Category.EQUIPMENT, amount=Decimal("3000"), payee="Scanner Co")
    assert len(flags(FlagRule.OVER_BUDGET_TOTAL)) == 1


def test_category_not_allowed_by_the_fund(world: World) -> None:
    fund = f.fund(world, allowed_categories=[Category.CONSUMABLES, Category.EQUIPMENT])
    allocation = f.allocation(world, the_fund=fund, budget={Category.CONSUMABLES: Decimal("5000")})
    officer = f.finance_officer(world.partner_a)
    f.spend(allocation, officer, category=Category.CONSUMABLES, amount=Decimal("100"))
    assert not flags(FlagRule.CATEGORY_NOT_ALLOWED)
    bad = f.spend(allocation, officer, category=Category.TRAVEL, amount=Decimal("100"), payee="Air")
    assert [flag.expenditure for flag in flags(FlagRule.CATEGORY_NOT_ALLOWED)] == [bad]


def test_date_outside_the_allocation_period(world: World) -> None:
    allocation = f.allocation(world, start_date=TODAY - datetime.timedelta(days=10))
    officer = f.finance_officer(world.partner_a)
    f.spend(allocation, officer, date=TODAY - datetime.timedelta(days=10))
    assert not flags(FlagRule.OUTSIDE_PERIOD)
    early = f.spend(allocation, officer, date=TODAY - datetime.timedelta(days=11), payee="Early Ltd")
    assert [flag.expenditure for flag in flags(FlagRule.OUTSIDE_PERIOD)] == [early]


def test_receipt_missing_after_14_days_found_by_the_nightly_check(world: World) -> None:
    allocation = f.allocation(world)
    officer = f.finance_officer(world.partner_a)
    without = f.spend(allocation, officer, receipts=[], payee="No Paper Ltd")
    f.spend(allocation, officer, payee="Paper Ltd")
    assert services.flags_refresh(today=TODAY + datetime.timedelta(days=13)) == 0
    assert services.flags_refresh(today=TODAY + datetime.timedelta(days=14)) == 1
    assert [flag.expenditure for flag in flags(FlagRule.RECEIPT_MISSING)] == [without]
    assert services.flags_refresh(today=TODAY + datetime.timedelta(days=15)) == 0  # never twice


def test_same_receipt_twice(world: World) -> None:
    allocation = f.allocation(world)
    officer = f.finance_officer(world.partner_a)
    f.spend(allocation, officer, receipts=[f.receipt(f.PDF + b"a")], payee="A")
    f.spend(allocation, officer, receipts=[f.receipt(f.PDF + b"b")], payee="B")
    assert not flags(FlagRule.DUPLICATE_RECEIPT)
    again = f.spend(allocation, officer, receipts=[f.receipt(f.PDF + b"a")], payee="C")
    assert [flag.expenditure for flag in flags(FlagRule.DUPLICATE_RECEIPT)] == [again]


def test_same_payee_amount_and_date_twice(world: World) -> None:
    allocation = f.allocation(world)
    officer = f.finance_officer(world.partner_a)
    f.spend(allocation, officer, amount=Decimal("300"))
    f.spend(allocation, officer, amount=Decimal("301"))
    assert not flags(FlagRule.DUPLICATE_PAYMENT)
    twice = f.spend(allocation, officer, amount=Decimal("300"))
    assert [flag.expenditure for flag in flags(FlagRule.DUPLICATE_PAYMENT)] == [twice]


def test_a_reversed_duplicate_raises_nothing(world: World) -> None:
    allocation = f.allocation(world)
    officer = f.finance_officer(world.partner_a)
    first = f.spend(allocation, officer, amount=Decimal("300"))
    services.expenditure_reverse(expenditure=first, reason="Wrong amount", by=f.user(world, "coordinator_a"))
    f.spend(allocation, officer, amount=Decimal("300"))
    assert not flags(FlagRule.DUPLICATE_PAYMENT)


def test_split_purchases_under_the_limit_of_the_person_recording(world: World) -> None:
    allocation = f.allocation(world)
    officer = f.finance_officer(world.partner_a)  # limit 5,000
    day = TODAY - datetime.timedelta(days=20)
    f.spend(allocation, officer, category=Category.EQUIPMENT, amount=Decimal("4000"), payee="Scanner Co", date=day)
    # 15 days later: outside the window, no split
    f.spend(
        allocation,
        officer,
        category=Category.EQUIPMENT,
        amount=Decimal("4000"),
        payee="Scanner Co",
        date=day + datetime.timedelta(days=14),
    )
    assert not flags(FlagRule.SPLIT_PURCHASE)
    last = f.spend(
        allocation,
        officer,
        category=Category.EQUIPMENT,
        amount=Decimal("4500"),
        payee="Scanner Co",
        date=day + datetime.timedelta(days=16),
    )
    (flag,) = flags(FlagRule.SPLIT_PURCHASE)
    assert flag.expenditure == last and flag.params["total"] == "8,500" and flag.params["limit"] == "5,000"


def test_stipend_without_a_placement_at_the_partner(world: World) -> None:
    allocation = f.allocation(world)
    placement = world.placement_a
    officer = f.finance_officer(world.partner_a)
    f.spend(
        allocation,
        officer,
        category=Category.STIPENDS,
        amount=Decimal("1500"),
        student=world.student_a,
        date=placement.start_date,
        payee="Student A",
    )
    assert not flags(FlagRule.STIPEND_WITHOUT_PLACEMENT)
    other = f.spend(
        allocation,
        officer,
        category=Category.STIPENDS,
        amount=Decimal("1500"),
        student=world.student_b,
        payee="Student B",
        date=max(placement.start_date, TODAY - datetime.timedelta(days=3)),
    )
    assert [flag.expenditure for flag in flags(FlagRule.STIPEND_WITHOUT_PLACEMENT)] == [other]
    assert Placement.objects.filter(student=world.student_b, partner=world.partner_a).count() == 0


def test_office_resolves_a_flag_and_it_stays_visible(world: World) -> None:
    allocation = f.allocation(world, budget={Category.TRAVEL: Decimal("100")})
    f.spend(allocation, f.finance_officer(world.partner_a), category=Category.TRAVEL, amount=Decimal("150"))
    flag = Flag.objects.filter(rule=FlagRule.OVER_BUDGET_CATEGORY).get()
    with pytest.raises(PermissionDenied):
        services.flag_resolve(flag=flag, resolution=Resolution.ACCEPTED, note="ok", by=f.user(world, "coordinator_a"))
    with pytest.raises(ValidationError):
        services.flag_resolve(flag=flag, resolution=Resolution.ACCEPTED, note=" ", by=f.user(world, "office"))
    resolved = services.flag_resolve(
        flag=flag, resolution=Resolution.CORRECTED, note="Budget revised", by=f.user(world, "office")
    )
    assert resolved.status == FlagStatus.RESOLVED and resolved.resolved_by == f.user(world, "office")
    assert services.flags_refresh() == 0  # the condition still holds: not raised again
    assert Flag.objects.filter(pk=flag.pk, status=FlagStatus.RESOLVED).exists()


# --- Flags whose condition comes back after they were resolved (ADR 0031) ---------------------------------


def test_an_overspend_that_returns_after_resolution_raises_a_new_flag_and_the_old_one_stays(world: World) -> None:
    allocation = f.allocation(world, budget={Category.TRAVEL: Decimal("100")})
    officer, office = f.finance_officer(world.partner_a), f.user(world, "office")
    over = f.spend(allocation, officer, category=Category.TRAVEL, amount=Decimal("150"), payee="Rail")
    first = Flag.objects.get(rule=FlagRule.OVER_BUDGET_CATEGORY)
    services.flag_resolve(flag=first, resolution=Resolution.CORRECTED, note="Will be reversed", by=office)
    f.spend(allocation, officer, category=Category.TRAVEL, amount=Decimal("10"), payee="Bus")
    assert services.flags_refresh() == 0  # still over: the resolution stands, nothing new
    services.expenditure_reverse(expenditure=over, reason="Paid by the hospital", by=office)
    services.flags_refresh()  # under budget now: the resolved flag's condition is gone
    first.refresh_from_db()
    assert first.cleared_at is not None and first.status == FlagStatus.RESOLVED
    f.spend(allocation, officer, category=Category.TRAVEL, amount=Decimal("95"), payee="Air")  # over again
    flags_now = list(Flag.objects.filter(rule=FlagRule.OVER_BUDGET_CATEGORY).order_by("occurrence"))
    assert [(x.occurrence, x.status) for x in flags_now] == [(1, FlagStatus.RESOLVED), (2, FlagStatus.OPEN)]
    assert flags_now[0].resolution_note == "Will be reversed" and flags_now[0].resolved_by == office
    assert services.flags_refresh() == 0  # and the new one is not raised twice


def test_a_date_outside_the_period_again_after_two_revisions_raises_a_new_flag(world: World) -> None:
    start = TODAY - datetime.timedelta(days=10)
    allocation = f.allocation(world, start_date=start)
    office = f.user(world, "office")
    early = f.spend(allocation, f.finance_officer(world.partner_a), date=start - datetime.timedelta(days=1))
    flag = Flag.objects.get(rule=FlagRule.OUTSIDE_PERIOD)
    services.flag_resolve(flag=flag, resolution=Resolution.ACCEPTED, note="Booked late", by=office)
    end = allocation.current_version.end_date  # type: ignore[union-attr]

    def revise(begin: datetime.date) -> None:
        services.allocation_revise(
            allocation=allocation,
            start_date=begin,
            end_date=end,
            budget={str(k): v for k, v in f.DEFAULT_BUDGET.items()},
            reason="Dates",
            by=office,
        )

    revise(start - datetime.timedelta(days=5))  # the entry is inside now: cleared on revising
    flag.refresh_from_db()
    assert flag.cleared_at is not None
    assert Flag.objects.filter(rule=FlagRule.OUTSIDE_PERIOD).count() == 1
    revise(start)  # outside again: a new flag about the same entry
    again = Flag.objects.filter(rule=FlagRule.OUTSIDE_PERIOD, status=FlagStatus.OPEN).get()
    assert again.expenditure == early and again.occurrence == 2


def test_a_flag_resolved_after_its_condition_went_away_is_raised_again_when_it_returns(world: World) -> None:
    allocation = f.allocation(world, budget={Category.TRAVEL: Decimal("100")})
    officer, office = f.finance_officer(world.partner_a), f.user(world, "office")
    over = f.spend(allocation, officer, category=Category.TRAVEL, amount=Decimal("150"), payee="Rail")
    services.expenditure_reverse(expenditure=over, reason="Wrong allocation", by=office)
    flag = Flag.objects.get(rule=FlagRule.OVER_BUDGET_CATEGORY)
    resolved = services.flag_resolve(flag=flag, resolution=Resolution.CORRECTED, note="Reversed", by=office)
    assert resolved.cleared_at is not None  # found gone when it was resolved
    f.spend(allocation, officer, category=Category.TRAVEL, amount=Decimal("101"), payee="Air")
    assert Flag.objects.filter(rule=FlagRule.OVER_BUDGET_CATEGORY, status=FlagStatus.OPEN, occurrence=2).exists()


def test_a_split_purchase_across_two_funds_is_not_cleared_by_a_check_of_one_allocation(world: World) -> None:
    first = f.allocation(world)
    second = f.allocation(world, the_fund=f.fund(world, name="Bank-sponsored fund"))
    officer, office = f.finance_officer(world.partner_a), f.user(world, "office")
    f.spend(first, officer, amount=Decimal("3000"), payee="Split Ltd")
    f.spend(second, officer, amount=Decimal("2900"), payee="Split Ltd")
    assert not flags(FlagRule.SPLIT_PURCHASE)  # the check on entry sees one allocation, one payment
    services.flags_refresh()  # the nightly check sees both
    flag = Flag.objects.get(rule=FlagRule.SPLIT_PURCHASE)
    services.flag_resolve(flag=flag, resolution=Resolution.VIOLATION, note="Referred", by=office)
    f.spend(second, officer, amount=Decimal("10"), payee="Other Ltd")  # checks that allocation alone
    flag.refresh_from_db()
    assert flag.cleared_at is None
    services.flags_refresh()
    assert Flag.objects.filter(rule=FlagRule.SPLIT_PURCHASE).count() == 1
