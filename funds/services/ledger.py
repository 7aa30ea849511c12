"""Every write to the ledger: funds, allocations and their versions, authority limits, expenditures, receipts,
approvals and reversals.

Expenditures are evidence: nothing here edits or deletes one. A reversal is a new entry of the opposite
amount. Approvals check the approver's authority (``authority_of``) and segregation of duties; a refused
approval is recorded (``ApprovalAttempt``) in a transaction of its own, so the refusal does not roll its own
record back, and one beyond authority raises a flag.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.validation import refuse
from funds.models import (
    ZERO,
    Allocation,
    AllocationVersion,
    ApprovalAttempt,
    ApproverRole,
    AuthorityLimit,
    BudgetLine,
    Category,
    Expenditure,
    ExpenditureStatus,
    Fund,
    Receipt,
    cents,
)
from funds.services.totals import totals_approve, totals_record
from partners import access
from partners.models import Membership, MembershipRole, Partner
from programmes.models import Programme
from students.models import Student
from supervision.uploads import MAX_EVIDENCE_BYTES, evidence_kind

#: Authority limits when the office has set none: a coordinator approves up to 20,000, a finance officer up
#: to 5,000 (what they enter themselves is never theirs to approve); the office approves above every limit.
DEFAULT_LIMITS: Mapping[str, Decimal] = {
    ApproverRole.COORDINATOR: Decimal("20000.00"),
    ApproverRole.FINANCE: Decimal("5000.00"),
}
_MEMBER_ROLES: dict[str, str] = {
    MembershipRole.COORDINATOR: ApproverRole.COORDINATOR,
    MembershipRole.FINANCE: ApproverRole.FINANCE,
}


def money(value: Decimal | None) -> str:
    """An amount as people write it: ``35,000`` or ``35,000.50``; "unlimited" for no limit."""
    if value is None:
        return _("unlimited")
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


# --- Authority ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Authority:
    """Under which role, and up to which limit, a person approves at a partner (``limit`` None: no limit)."""

    role: str
    limit: Decimal | None


def limit_for(*, role: str, partner: Partner) -> Decimal:
    """The limit in force for ``role`` at ``partner``: the partner's own newest, else the newest for every
    partner, else the default."""
    rows = AuthorityLimit.objects.filter(Q(partner=partner) | Q(partner__isnull=True), role=role)
    best: AuthorityLimit | None = None
    for row in rows.order_by("-set_at", "-pk"):
        if row.partner_id == partner.pk:
            return row.limit
        best = best or row
    return best.limit if best is not None else DEFAULT_LIMITS[role]


def authority_of(user: User, partner: Partner) -> Authority | None:
    """The widest authority ``user`` holds at ``partner`` (None: may approve nothing there)."""
    if access.is_office(user):
        return Authority(ApproverRole.OFFICE, None)
    roles = set(
        Membership.objects.active()
        .filter(user=user, partner=partner, role__in=list(_MEMBER_ROLES))
        .values_list("role", flat=True)
    )
    candidates = [Authority(_MEMBER_ROLES[r], limit_for(role=_MEMBER_ROLES[r], partner=partner)) for r in roles]
    if not candidates:
        return None
    return max(candidates, key=lambda a: a.limit or ZERO)


@transaction.atomic
def authority_limit_set(*, role: str, partner: Partner | None, limit: Decimal, by: User) -> AuthorityLimit:
    """Set a role's approval limit at one partner (or at every partner): a new row, the old ones kept."""
    if not access.is_office(by):
        raise refuse("role", "not_office", _("Only the graduate office sets authority limits."))
    if role not in (ApproverRole.COORDINATOR, ApproverRole.FINANCE):
        raise refuse("role", "role", _("Limits are set for coordinators and finance officers."))
    limit = Decimal(limit)
    if limit < 0:
        raise refuse("limit", "limit", _("A limit cannot be negative."))
    return AuthorityLimit.objects.create(role=role, partner=partner, limit=limit, set_by=by)


# --- Funds and allocations ---------------------------------------------------------------------------------


@transaction.atomic
def fund_create(
    *,
    name: str,
    source: Partner,
    programme: Programme,
    total: Decimal,
    start_date: datetime.date,
    end_date: datetime.date,
    purpose: str,
    by: User,
    currency: str = "CNY",
    reference: str = "",
    conditions: str = "",
    allowed_categories: Sequence[str] = (),
    document: Any = None,
) -> Fund:
    """Record a training fund (the office): its source, programme, total, period, purpose and conditions."""
    access.require(by, "create", Fund)
    from funds.models import SOURCE_KINDS

    if source.kind not in SOURCE_KINDS:
        raise refuse(
            "source",
            "source_kind",
            _("A fund comes from a government body, a bank, an intermediary, an enterprise sponsor or the university."),
        )
    if Decimal(total) <= 0:
        raise refuse("total", "total", _("A fund's total must be above zero."))
    if end_date < start_date:
        raise refuse("end_date", "period", _("The end date cannot be before the start date."))
    unknown = [c for c in allowed_categories if c not in Category.values]
    if unknown:
        raise refuse("allowed_categories", "category", _("Unknown category: %(code)s.") % {"code": unknown[0]})
    fund = Fund(
        name=name.strip(),
        source=source,
        programme=programme,
        total=Decimal(total),
        currency=(currency or "CNY").upper()[:3],
        start_date=start_date,
        end_date=end_date,
        purpose=purpose.strip(),
        conditions=conditions.strip(),
        reference=reference.strip(),
        allowed_categories=list(dict.fromkeys(allowed_categories)),
        created_by=by,
    )
    if document is not None:
        from core.uploads import validate_pdf

        validate_pdf(document, field="document", max_bytes=MAX_EVIDENCE_BYTES)
        fund.document_sha256 = _sha256(document)
        fund.document.save(f"fund-{timezone.now():%Y%m%d%H%M%S}.pdf", document, save=False)
    fund._history_user = by  # type: ignore[attr-defined]
    fund.save()
    return fund


def _allocated_elsewhere(fund: Fund, exclude: Allocation | None) -> Decimal:
    rows = Allocation.objects.filter(fund=fund)
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    return cents(rows.aggregate(s=Sum("current_version__total"))["s"])


def _new_version(
    allocation: Allocation,
    *,
    start_date: datetime.date,
    end_date: datetime.date,
    budget: Mapping[str, Decimal],
    reason: str,
    by: User,
) -> AllocationVersion:
    fund = Fund.objects.select_for_update().get(pk=allocation.fund_id)  # one allocation of a fund at a time
    lines = {cat: Decimal(amount) for cat, amount in budget.items() if Decimal(amount) != 0}
    for category, amount in lines.items():
        if category not in Category.values:
            raise refuse("budget", "category", _("Unknown category: %(code)s.") % {"code": category})
        if amount < 0:
            raise refuse("budget", "budget", _("A budget cannot be negative."))
        if not fund.allows(category):
            raise refuse(
                "budget",
                "category_not_allowed",
                _("The fund does not allow spending on %(category)s.") % {"category": Category(category).label},
            )
    if not reason.strip():
        raise refuse("reason", "reason", _("Say why the allocation is set or changed."))
    if end_date < start_date:
        raise refuse("end_date", "period", _("The end date cannot be before the start date."))
    if start_date < fund.start_date or end_date > fund.end_date:
        raise refuse(
            "start_date",
            "outside_fund",
            _("The allocation's period must lie inside the fund's, %(start)s to %(end)s.")
            % {"start": fund.start_date.isoformat(), "end": fund.end_date.isoformat()},
        )
    total = sum(lines.values(), ZERO)
    elsewhere = _allocated_elsewhere(fund, allocation if allocation.pk else None)
    if elsewhere + total > fund.total:
        raise refuse(
            "budget",
            "exceeds_fund",
            _("Allocations cannot exceed the fund: %(allocated)s > %(total)s.")
            % {"allocated": money(elsewhere + total), "total": money(fund.total)},
        )
    if allocation.pk is None:
        allocation.save()
    number = (allocation.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = AllocationVersion.objects.create(
        allocation=allocation,
        number=number,
        start_date=start_date,
        end_date=end_date,
        total=total,
        reason=reason.strip(),
        created_by=by,
    )
    BudgetLine.objects.bulk_create([BudgetLine(version=version, category=c, amount=a) for c, a in lines.items()])
    allocation.current_version = version
    allocation.save(update_fields=["current_version"])
    return version


@transaction.atomic
def allocation_create(
    *,
    fund: Fund,
    partner: Partner,
    start_date: datetime.date,
    end_date: datetime.date,
    budget: Mapping[str, Decimal],
    by: User,
    reason: str = "",
) -> Allocation:
    """Give a share of ``fund`` to ``partner`` with a budget per category and a period (the office)."""
    access.require(by, "allocate", fund)
    if Allocation.objects.filter(fund=fund, partner=partner).exists():
        raise refuse("partner", "already_allocated", _("This partner already has an allocation of this fund."))
    allocation = Allocation(fund=fund, partner=partner, created_by=by)
    _new_version(
        allocation,
        start_date=start_date,
        end_date=end_date,
        budget=budget,
        reason=reason or _("First allocation"),
        by=by,
    )
    return allocation


@transaction.atomic
def allocation_revise(
    *,
    allocation: Allocation,
    start_date: datetime.date,
    end_date: datetime.date,
    budget: Mapping[str, Decimal],
    reason: str,
    by: User,
) -> AllocationVersion:
    """Change an allocation's period or budget: a new version with the reason; the earlier ones are kept. Its
    flags are checked again at once (a new period or budget can raise a flag, or clear one)."""
    from funds.services.flags import flags_refresh

    access.require(by, "revise", allocation)
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    version = _new_version(allocation, start_date=start_date, end_date=end_date, budget=budget, reason=reason, by=by)
    flags_refresh(allocation_ids=[allocation.pk])
    return version


# --- Expenditures ------------------------------------------------------------------------------------------


def _sha256(upload: Any) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _check_receipt(upload: Any, field: str = "receipts") -> str:
    """Refuse anything but a PDF, JPEG or PNG (by content) of at most 10 MB; the extension to store it under."""
    from django.template.defaultfilters import filesizeformat

    if upload.size > MAX_EVIDENCE_BYTES:
        raise refuse(
            field,
            "too_large",
            _("The file is too large: at most %(limit)s.") % {"limit": filesizeformat(MAX_EVIDENCE_BYTES)},
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    extension = evidence_kind(head)
    if extension is None:
        raise refuse(field, "file_type", _("A receipt must be a PDF or a photo (JPEG or PNG)."))
    return extension


def _save_receipt(expenditure: Expenditure, upload: Any, *, by: User) -> Receipt:
    import uuid

    extension = _check_receipt(upload)
    receipt = Receipt(expenditure=expenditure, sha256=_sha256(upload), size=upload.size, uploaded_by=by)
    receipt.file.save(f"{uuid.uuid4().hex}.{extension}", upload, save=False)
    receipt.save()
    return receipt


@dataclass(frozen=True)
class ExpenditureInput:
    """What someone records: the allocation, category, day, amount, payee, description, student served."""

    allocation: Allocation
    category: str
    date: datetime.date
    amount: Decimal
    payee: str
    description: str = ""
    student: Student | None = None


def _check_expenditure(entry: ExpenditureInput, *, today: datetime.date) -> None:
    if entry.category not in Category.values:
        raise refuse("category", "category", _("Choose a category."))
    if Decimal(entry.amount) <= 0:
        raise refuse("amount", "amount", _("The amount must be above zero; a correction is a reversal."))
    if Decimal(entry.amount) != Decimal(entry.amount).quantize(Decimal("0.01")):
        raise refuse("amount", "amount", _("An amount has at most two decimals."))
    if not entry.payee.strip():
        raise refuse("payee", "payee", _("Name the payee."))
    if entry.date > today:
        raise refuse("date", "future_date", _("Spending cannot be recorded before its date."))
    if entry.category == Category.STIPENDS and entry.student is None:
        raise refuse("student", "stipend_student", _("A stipend names the student it is paid to."))
    if entry.student is not None and entry.student.programme_id != entry.allocation.fund.programme_id:
        raise refuse("student", "student", _("Choose a student of the fund's programme."))


@transaction.atomic
def expenditure_create(
    *,
    entry: ExpenditureInput,
    by: User,
    receipts: Sequence[Any] = (),
    today: datetime.date | None = None,
    import_key: str | None = None,
    check_flags: bool = True,
) -> Expenditure:
    """Record spending from an allocation (its partner's finance officer or coordinator, or the office),
    with its receipts. It awaits approval; the flags of its allocation are computed at once."""
    from funds.services.flags import flags_refresh

    today = today or timezone.localdate()
    allocation = Allocation.objects.select_related("fund", "partner").get(pk=entry.allocation.pk)
    entry = ExpenditureInput(**{**entry.__dict__, "allocation": allocation})
    access.require(by, "record", allocation)
    _check_expenditure(entry, today=today)
    for upload in receipts:
        _check_receipt(upload)
    authority = authority_of(by, allocation.partner)
    expenditure = Expenditure(
        allocation=allocation,
        category=entry.category,
        date=entry.date,
        amount=Decimal(entry.amount),
        payee=entry.payee.strip(),
        description=entry.description.strip(),
        student=entry.student,
        entered_by=by,
        entered_limit=authority.limit if authority is not None else ZERO,
        import_key=import_key,
    )
    expenditure._history_user = by  # type: ignore[attr-defined]
    expenditure.save()
    totals_record(expenditure)
    for upload in receipts:
        _save_receipt(expenditure, upload, by=by)
    if check_flags:
        flags_refresh(allocation_ids=[allocation.pk], today=today)
    return expenditure


@transaction.atomic
def receipt_add(*, expenditure: Expenditure, upload: Any, by: User) -> Receipt:
    """Attach a receipt to recorded spending (who may record at its allocation)."""
    from funds.services.flags import flags_refresh

    access.require(by, "add_receipt", expenditure)
    if expenditure.is_reversal:
        raise refuse("file", "reversal", _("A reversal has no receipt of its own."))
    receipt = _save_receipt(expenditure, upload, by=by)
    flags_refresh(allocation_ids=[expenditure.allocation_id])
    return receipt


class ApprovalRefused(Exception):
    """Internal: an approval refused under a rule, carrying what to record and the error to raise."""

    def __init__(self, error: ValidationError, *, rule: str, authority: Authority | None) -> None:
        super().__init__(rule)
        self.error, self.rule, self.authority = error, rule, authority


def _approve(expenditure: Expenditure, by: User) -> Expenditure:
    expenditure = (
        Expenditure.objects.select_for_update(of=("self",)).select_related("allocation__partner").get(pk=expenditure.pk)
    )
    authority = authority_of(by, expenditure.allocation.partner)
    if expenditure.is_reversal:
        raise ApprovalRefused(
            refuse("status", "reversal", _("A reversal needs no approval.")), rule="reversal", authority=authority
        )
    if hasattr(expenditure, "reversed_by"):
        raise ApprovalRefused(
            refuse("status", "reversed", _("This expenditure was reversed.")), rule="reversed", authority=authority
        )
    if expenditure.status != ExpenditureStatus.PENDING:
        raise ApprovalRefused(
            refuse("status", "not_pending", _("This expenditure is already approved.")),
            rule="not_pending",
            authority=authority,
        )
    if expenditure.entered_by_id == by.pk:
        raise ApprovalRefused(
            refuse(
                NON_FIELD_ERRORS,
                "segregation_of_duties",
                _("Segregation of duties: nobody approves spending they recorded themselves."),
            ),
            rule="segregation_of_duties",
            authority=authority,
        )
    if authority is None:
        raise ApprovalRefused(
            refuse(NON_FIELD_ERRORS, "no_authority", _("You hold no approval authority at this partner.")),
            rule="no_authority",
            authority=None,
        )
    if authority.limit is not None and expenditure.amount > authority.limit:
        raise ApprovalRefused(
            refuse(
                NON_FIELD_ERRORS,
                "beyond_authority",
                _("Beyond your authority: %(amount)s > %(limit)s.")
                % {"amount": money(expenditure.amount), "limit": money(authority.limit)},
            ),
            rule="beyond_authority",
            authority=authority,
        )
    expenditure.status = ExpenditureStatus.APPROVED
    expenditure.approved_by = by
    expenditure.approved_at = timezone.now()
    expenditure.approval_role = authority.role
    expenditure.approval_limit = authority.limit
    expenditure._history_user = by  # type: ignore[attr-defined]
    expenditure.save()
    totals_approve(expenditure)
    return expenditure


#: Refusals kept as refused attempts (the others say only that there is nothing to approve).
_RECORDED_REFUSALS = frozenset({"beyond_authority", "segregation_of_duties", "no_authority"})


def expenditure_approve(*, expenditure: Expenditure, by: User) -> Expenditure:
    """Approve recorded spending under the approver's authority: the office above every limit, a coordinator
    or finance officer of its partner up to theirs; never one's own entry. A refused attempt is recorded
    (who, when, as whom, under which limit); one beyond authority also raises a flag."""
    access.require(by, "approve", expenditure)
    try:
        with transaction.atomic():
            return _approve(expenditure, by)
    except ApprovalRefused as refused:
        if refused.rule in _RECORDED_REFUSALS:
            _record_refusal(expenditure, by=by, refused=refused)
        raise refused.error from None


@transaction.atomic
def _record_refusal(expenditure: Expenditure, *, by: User, refused: ApprovalRefused) -> ApprovalAttempt:
    from funds.services.flags import flag_beyond_authority

    attempt = ApprovalAttempt.objects.create(
        expenditure=expenditure,
        by=by,
        rule=refused.rule,
        role=refused.authority.role if refused.authority else "",
        limit=refused.authority.limit if refused.authority else None,
        amount=expenditure.amount,
    )
    if refused.rule == "beyond_authority":
        flag_beyond_authority(attempt)
    return attempt


@transaction.atomic
def expenditure_reverse(*, expenditure: Expenditure, reason: str, by: User) -> Expenditure:
    """Correct recorded spending: a reversal entry of the opposite amount with the reason. Both stay on the
    ledger; the reversal carries the original's status (so the pair nets to zero in each total)."""
    access.require(by, "reverse", expenditure)
    original = Expenditure.objects.select_for_update().get(pk=expenditure.pk)
    if original.is_reversal:
        raise refuse("reason", "reversal", _("A reversal cannot itself be reversed."))
    if Expenditure.objects.filter(reverses=original).exists():
        raise refuse("reason", "already_reversed", _("This expenditure was already reversed."))
    if not reason.strip():
        raise refuse("reason", "reason", _("Say why the expenditure is reversed."))
    now = timezone.now()
    approved = original.status == ExpenditureStatus.APPROVED
    reversal = Expenditure(
        allocation_id=original.allocation_id,
        category=original.category,
        date=timezone.localdate(),
        amount=-original.amount,
        payee=original.payee,
        description=original.description,
        student_id=original.student_id,
        status=original.status,
        entered_by=by,
        entered_at=now,
        entered_limit=original.entered_limit,
        approved_by=by if approved else None,
        approved_at=now if approved else None,
        approval_role=original.approval_role if approved else "",
        approval_limit=original.approval_limit if approved else None,
        reverses=original,
        reversal_reason=reason.strip(),
    )
    reversal._history_user = by  # type: ignore[attr-defined]
    reversal.save()
    totals_record(reversal)
    return reversal
