"""Every write of the projects app, one module per topic (docs/decisions/0012-services-per-topic.md).

``projects`` (projects, members, outputs and their verification; re-exported here), ``points`` (schemes,
scale, the ledger and reversals), ``board`` (posts and join requests): ``from projects.services import
board``; ``funding`` (a project's fund allocation and the expenditures serving it; re-exported).
"""

from projects.services.funding import project_allocation_set, project_expenditure_link
from projects.services.projects import (
    member_kind_of,
    output_reject,
    output_submit,
    output_verify,
    project_abandon,
    project_approve,
    project_conclude,
    project_create,
    project_member_add,
    project_start,
)

__all__ = [
    "member_kind_of",
    "output_reject",
    "output_submit",
    "output_verify",
    "project_abandon",
    "project_allocation_set",
    "project_approve",
    "project_conclude",
    "project_create",
    "project_expenditure_link",
    "project_member_add",
    "project_start",
]
