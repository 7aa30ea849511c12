"""Who may see and do what in external supervision (registered with ``partners.access``).

``path`` is the model's path to the target partner ("target_partner" on Inspection,
"inspection__target_partner" below it); what precedes "target_partner" is the path to the inspection.
Secrecy (permissions.md): until an inspection is started, only the office and its assigned inspectors
know it exists.

Besides its own models, supervision adds one action to ``Partner``: "view_scorecard".
"""

from __future__ import annotations

from django.db.models import BigIntegerField, Q

from accounts.roles import AnyUser
from core.compiled import Compiled
from partners import access
from partners.access import (
    ALL,
    MANAGERS,
    NONE,
    Rule,
    any_of,
    is_inspector,
    is_office,
    member_partners,
    office_only,
    user_pk,
    via,
)
from partners.models import MembershipRole, Partner
from supervision.models import (
    STARTED_STATUSES,
    ChecklistResult,
    ChecklistTemplate,
    CorrectiveAction,
    DrawCandidate,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionKind,
    InspectionLead,
    InspectionReport,
    InspectionStatus,
    ReportVariant,
    SpotDraw,
)


def _inspection_prefix(path: str) -> str:
    if not path.endswith("target_partner"):
        raise ValueError("inspection rules need a path ending in target_partner")
    return path.removesuffix("target_partner")


# The inspections a user is assigned to, compiled once per process (``core.compiled``; the user filled in at each
# use): the rule keeps its shape, so the engine compiles its UNION once for every inspector
# (``partners.access.compiled_rows``), not on each of their pages.
_ASSIGNED = Compiled(
    lambda user: InspectionAssignment.objects.filter(inspector_id=user).values("inspection_id"), user=int
)
_INSPECTION_ID = BigIntegerField()


def _assigned_inspector(user: AnyUser, path: str) -> Rule:
    """The inspectors assigned to the inspection (who still hold the inspector role)."""
    if not is_inspector(user):
        return NONE
    prefix = _inspection_prefix(path)
    assigned = _ASSIGNED.subquery(_INSPECTION_ID, user=user_pk(user))
    return Rule(q=Q(**{f"{prefix}pk__in": assigned}))


def _started_at_managed_partner(user: AnyUser, path: str) -> Rule:
    """Coordinators of the target partner: a spot (unannounced) inspection once it has started, never
    while planned; a scheduled inspection from its planning on (it is announced)."""
    prefix = _inspection_prefix(path)
    return Rule(
        q=Q(**{f"{prefix}target_partner_id__in": member_partners(user, MANAGERS)})
        & (Q(**{f"{prefix}status__in": STARTED_STATUSES}) | Q(**{f"{prefix}kind": InspectionKind.SCHEDULED}))
    )


def _inspection_view(user: AnyUser, path: str) -> Rule:
    """Inspections and what hangs off them: office all; assigned inspectors theirs; coordinators of the
    target partner once started; a supervisor at the partner those started on a placement they supervise."""
    if is_office(user):
        return ALL
    prefix = _inspection_prefix(path)
    supervised = Rule(
        q=Q(**{f"{prefix}target_placement__supervisor_id": user_pk(user)})
        & Q(**{f"{prefix}target_partner_id__in": member_partners(user, (MembershipRole.SUPERVISOR,))})
        & Q(**{f"{prefix}status__in": STARTED_STATUSES})
    )
    return any_of(_assigned_inspector(user, path), _started_at_managed_partner(user, path), supervised)


def _assigned_or_office(user: AnyUser, path: str) -> Rule:
    return ALL if is_office(user) else _assigned_inspector(user, path)


def _office_or_inspector(user: AnyUser, path: str) -> Rule:
    return ALL if is_office(user) or is_inspector(user) else NONE


def _report_view(user: AnyUser, path: str) -> Rule:
    """Reports: office all; the inspection's inspectors and the target partner's coordinators theirs (a
    report exists only once the inspection is closed); every inspector each published public version.
    The public (anonymous) pages read published public versions through ``supervision.services.publication``."""
    if is_office(user):
        return ALL
    prefix = _inspection_prefix(path)
    published = Rule(
        q=Q(variant=ReportVariant.PUBLIC)
        & Q(**{f"{prefix}status": InspectionStatus.PUBLISHED})
        & Q(**{f"{prefix}published_at__isnull": False})
    )
    return any_of(
        _assigned_inspector(user, path),
        _started_at_managed_partner(user, path),
        published if is_inspector(user) else NONE,
    )


def _scorecard_view(user: AnyUser, path: str) -> Rule:
    """A partner's scorecard: office every partner's; a coordinator their own partner's (built from
    started inspections only, so it never reveals a planned spot inspection)."""
    if is_office(user):
        return ALL
    return via(path or "pk", member_partners(user, MANAGERS))


access.register(ChecklistTemplate, {"view": _office_or_inspector, "create": office_only, "change": office_only})
access.register(
    Inspection,
    {
        "view": _inspection_view,
        "plan": office_only,
        "start": _assigned_or_office,
        "record": _assigned_inspector,  # checklist results and findings
        "close": _assigned_or_office,
        "publish": office_only,
        "retry_report": office_only,
    },
)
access.register(InspectionAssignment, {"view": _inspection_view})
access.register(ChecklistResult, {"view": _inspection_view})
access.register(Finding, {"view": _inspection_view})
access.register(
    CorrectiveAction,
    {
        "view": _inspection_view,
        "answer": _started_at_managed_partner,
        "verify": _assigned_inspector,  # verifying and reopening
    },
)
# Points referred from student reviews: the office and the inspection's inspectors, never the partner's people
# (not even once the inspection has started): the inspectors' leads are theirs to follow up.
access.register(InspectionLead, {"view": _assigned_or_office})
access.register(InspectionReport, {"view": _report_view})
access.register(SpotDraw, {"view": office_only, "run": office_only})
access.register(DrawCandidate, {"view": office_only})

access.register(Partner, {"view_scorecard": _scorecard_view})
