"""Reads about students and their training plans, shared by pages, PDFs and the API.

Every read starts from the user's scope (``partners.access.scope``), never from ``objects.all()``. By topic:

* ``plan``: one student's plan as its page and PDF show it, and the placement form's choices;
* ``timeline``: the plan's timeline as a view-model (SVG coordinates);
* ``versions``: the versions page, the snapshots each reader may see, and the diff of two versions;
* ``lists``: the students list, the at-risk list and the plan approval queue.

The names others use are re-exported here, so ``from students.selectors import ...`` and
``selectors.<name>`` keep working.
"""

from students.selectors.lists import (
    AT_RISK_PLAN_DAYS,
    IN_TRAINING,
    CountedKeys,
    placements_to_move,
    plan_approval_queue,
    student_at_risk_keys,
    student_at_risk_list,
    student_list,
    student_list_keys,
    students_by_keys,
)
from students.selectors.outcomes import (
    OutcomeGroup,
    Outcomes,
    destinations_in_scope,
    graduates_without_destination,
    outcome_comparison,
)
from students.selectors.plan import (
    HoursRow,
    NextStep,
    ObjectiveRow,
    PlanOverview,
    follows_whole_training,
    follows_whole_training_of,
    own_student,
    placement_category_choices,
    placement_objective_choices,
    placement_partner_choices,
    placement_site_choices,
    placement_supervisor_choices,
    placements_seen,
    plan_events,
    plan_for_student,
    plan_hours,
    plan_latest_return,
    plan_milestones,
    plan_next_steps,
    plan_objectives,
    plan_overview,
    plan_placements,
    plan_rights,
)
from students.selectors.timeline import (
    Timeline,
    TimelineBar,
    TimelineLane,
    TimelineMarker,
    TimelineTick,
    milestone_status_label,
    plan_timeline,
)
from students.selectors.versions import (
    VersionRow,
    plan_default_comparison,
    plan_version_diff,
    plan_version_rows,
    plan_version_snapshots,
    plan_versions,
    snapshot_for_reader,
)

__all__ = [
    "AT_RISK_PLAN_DAYS",
    "IN_TRAINING",
    "CountedKeys",
    "HoursRow",
    "NextStep",
    "ObjectiveRow",
    "OutcomeGroup",
    "Outcomes",
    "PlanOverview",
    "Timeline",
    "TimelineBar",
    "TimelineLane",
    "TimelineMarker",
    "TimelineTick",
    "VersionRow",
    "destinations_in_scope",
    "follows_whole_training",
    "follows_whole_training_of",
    "graduates_without_destination",
    "milestone_status_label",
    "outcome_comparison",
    "own_student",
    "placement_category_choices",
    "placement_objective_choices",
    "placement_partner_choices",
    "placement_site_choices",
    "placement_supervisor_choices",
    "placements_seen",
    "placements_to_move",
    "plan_approval_queue",
    "plan_default_comparison",
    "plan_events",
    "plan_for_student",
    "plan_hours",
    "plan_latest_return",
    "plan_milestones",
    "plan_next_steps",
    "plan_objectives",
    "plan_overview",
    "plan_placements",
    "plan_rights",
    "plan_timeline",
    "plan_version_diff",
    "plan_version_rows",
    "plan_version_snapshots",
    "plan_versions",
    "snapshot_for_reader",
    "student_at_risk_keys",
    "student_at_risk_list",
    "student_list",
    "student_list_keys",
    "students_by_keys",
]
