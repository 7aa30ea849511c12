"""Every write about training funds, one module per topic (docs/decisions/0012-services-per-topic.md):
``ledger`` (funds, allocations, limits, expenditures, receipts, approvals, reversals) and ``flags`` (checking
the rules, resolving flags), re-exported here."""

from funds.services.flags import flag_beyond_authority, flag_resolve, flags_refresh
from funds.services.ledger import (
    DEFAULT_LIMITS,
    Authority,
    ExpenditureInput,
    allocation_create,
    allocation_revise,
    authority_limit_set,
    authority_of,
    expenditure_approve,
    expenditure_create,
    expenditure_reverse,
    fund_create,
    limit_for,
    money,
    receipt_add,
)

__all__ = [
    "DEFAULT_LIMITS",
    "Authority",
    "ExpenditureInput",
    "allocation_create",
    "allocation_revise",
    "authority_limit_set",
    "authority_of",
    "expenditure_approve",
    "expenditure_create",
    "expenditure_reverse",
    "flag_beyond_authority",
    "flag_resolve",
    "flags_refresh",
    "fund_create",
    "limit_for",
    "money",
    "receipt_add",
]
