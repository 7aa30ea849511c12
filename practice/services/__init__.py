"""Every write about practice hours, one module per topic (docs/decisions/0012-services-per-topic.md).

``logs`` (log, approve, reject, withdraw, correct, reopen a month, set rules, bulk create) is re-exported
here; ``reminders`` (the clock's digests and nudges) is imported by name.
"""

from practice.services.logs import (
    ApprovalRefusal,
    BulkEntry,
    BulkOutcome,
    BulkRowStatus,
    DuplicateEntry,
    EntryInput,
    month_reopen,
    practice_log_approve,
    practice_log_correct,
    practice_log_create,
    practice_log_reject,
    practice_log_withdraw,
    practice_logs_approval_refusals,
    practice_logs_approve,
    practice_logs_bulk_create,
    rules_set,
)

__all__ = [
    "ApprovalRefusal",
    "BulkEntry",
    "BulkOutcome",
    "BulkRowStatus",
    "DuplicateEntry",
    "EntryInput",
    "month_reopen",
    "practice_log_approve",
    "practice_log_correct",
    "practice_log_create",
    "practice_log_reject",
    "practice_log_withdraw",
    "practice_logs_approval_refusals",
    "practice_logs_approve",
    "practice_logs_bulk_create",
    "rules_set",
]
