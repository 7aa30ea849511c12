"""Who may see and do what with training funds, allocations, expenditures, receipts, authority limits and
flags (registered with the engine, ``partners.access``).

* the office: everything; it alone records funds, allocates, revises allocations, sets limits and resolves
  flags, and approves above every limit;
* a partner's coordinators and finance officers (``FUNDS_ROLES``): their partner's allocations, spending,
  receipts and flags, and the funds allocated to it; they record spending and approve it up to their limit
  (the services check the limit and refuse one's own entry);
* an inspector: the same reading, of a partner they hold an unexpired grant on (an inspection in progress
  there: the grants ``supervision`` gives on starting and ends on closing, which also open placements and
  hours);
* a student: their own stipend payments, nothing else; supervisors and tutors as such: nothing.

Besides its own models, funds adds one action to ``Partner``: "view_funds" (a partner's spending page).
"""

from __future__ import annotations

from django.db.models import Q

from accounts.roles import AnyUser
from funds.models import (
    Allocation,
    AllocationVersion,
    ApprovalAttempt,
    AuthorityLimit,
    Category,
    Expenditure,
    Flag,
    Fund,
    Receipt,
)
from partners import access
from partners.access import ALL, Rule, any_of, granted_partners, is_office, member_partners, office_only, user_pk
from partners.models import MembershipRole, Partner

#: Membership roles that read and record a partner's spending.
FUNDS_ROLES: tuple[str, ...] = (MembershipRole.COORDINATOR, MembershipRole.FINANCE)


def _readers(user: AnyUser, path: str) -> Rule:
    """Office all; coordinators and finance officers of the partner; inspectors with a grant on it."""
    if is_office(user):
        return ALL
    return Rule(
        q=Q(**{f"{path}__in": member_partners(user, FUNDS_ROLES)})
        | Q(**{f"{path}__in": granted_partners(user, "view_partner")})
    )


def _writers(user: AnyUser, path: str) -> Rule:
    """Office all; coordinators and finance officers of the partner (not inspectors: they only read)."""
    if is_office(user):
        return ALL
    return Rule(q=Q(**{f"{path}__in": member_partners(user, FUNDS_ROLES)}))


def _fund_view(user: AnyUser, path: str) -> Rule:
    """A fund: the office; people who read one of its allocations."""
    if is_office(user):
        return ALL
    allocations = access.scope(Allocation.objects.all(), user, "view").values("fund_id")
    return Rule(q=Q(pk__in=allocations))


def _expenditure_view(user: AnyUser, path: str) -> Rule:
    """Spending: its partner's readers; a student their own stipend payments."""
    own_stipends = Rule(q=Q(student__user_id=user_pk(user), category=Category.STIPENDS))
    return any_of(_readers(user, path), own_stipends)


def _receipt_view(user: AnyUser, path: str) -> Rule:
    return _readers(user, path)


def _limit_view(user: AnyUser, path: str) -> Rule:
    """Limits: the office all; a partner's coordinators and finance officers those in force for everybody
    and their partner's own."""
    if is_office(user):
        return ALL
    return Rule(q=Q(partner__isnull=True) | Q(partner_id__in=member_partners(user, FUNDS_ROLES)))


def _partner_view_funds(user: AnyUser, path: str) -> Rule:
    return _readers(user, path or "pk")


access.register(Fund, {"view": _fund_view, "create": office_only, "allocate": office_only})
access.register(
    Allocation,
    {"view": _readers, "revise": office_only, "record": _writers, "import": _writers},
)
access.register(AllocationVersion, {"view": _readers})
access.register(
    Expenditure,
    {"view": _expenditure_view, "approve": _writers, "reverse": _writers, "add_receipt": _writers},
)
access.register(Receipt, {"view": _receipt_view})
access.register(ApprovalAttempt, {"view": _readers})
access.register(Flag, {"view": _readers, "resolve": office_only})
access.register(AuthorityLimit, {"view": _limit_view, "set": office_only})
access.register(Partner, {"view_funds": _partner_view_funds})
