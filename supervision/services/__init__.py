"""Every write of external supervision, one module per topic (docs/decisions/0012-services-per-topic.md).

``inspections`` (planning, checklists, findings, corrective actions), ``draw`` (the spot-inspection draw),
``publication``, ``scorecard`` (probation proposals), ``reminders`` (the clock's reminders and digest).
The inspection services are re-exported here: ``from supervision import services`` then
``services.inspection_plan(...)``; the other topics are imported by name
(``from supervision.services import draw``).
"""

from supervision.services.inspections import (
    GRANT_DAYS,
    checklist_record,
    corrective_action_answer,
    corrective_action_reopen,
    corrective_action_verify,
    finding_add,
    inspection_close,
    inspection_plan,
    inspection_start,
)

__all__ = [
    "GRANT_DAYS",
    "checklist_record",
    "corrective_action_answer",
    "corrective_action_reopen",
    "corrective_action_verify",
    "finding_add",
    "inspection_close",
    "inspection_plan",
    "inspection_start",
]
