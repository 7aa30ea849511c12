"""Every write about students, one module per topic (docs/decisions/0012-services-per-topic.md).

``enrolment`` (students, training plans, placements, milestones) is re-exported here; ``reminders``
(milestones coming due) is imported by name.
"""

from students.services.enrolment import (
    MAX_EVIDENCE_BYTES,
    STUDENT_FIELDS,
    agreement_covering,
    cohort_for,
    milestone_attach_evidence,
    milestone_complete,
    milestone_waive,
    placement_cancel,
    placement_create,
    placement_update,
    plan_amend,
    plan_approve,
    plan_return,
    plan_snapshot,
    plan_submit,
    plan_tutor_approve,
    plan_update_goals,
    student_create,
    student_create_with_user,
    student_update,
)

__all__ = [
    "MAX_EVIDENCE_BYTES",
    "STUDENT_FIELDS",
    "agreement_covering",
    "cohort_for",
    "milestone_attach_evidence",
    "milestone_complete",
    "milestone_waive",
    "placement_cancel",
    "placement_create",
    "placement_update",
    "plan_amend",
    "plan_approve",
    "plan_return",
    "plan_snapshot",
    "plan_submit",
    "plan_tutor_approve",
    "plan_update_goals",
    "student_create",
    "student_create_with_user",
    "student_update",
]
