"""Who may see and do what with research and entrepreneurial projects, outputs and points: the rules, registered
with the engine (``partners.access``). A model without registered rules is refused, never open.

- Projects (and their members, outputs and the expenditures linked to them): the office all; members and
  the leader their own projects; a partner's coordinators the projects their partner is involved in.
- Managing a project (members, start, abandon, board posts, answering join requests): the office, the
  leader, the lead partner's coordinators. Approving and concluding a project, verifying outputs, schemes
  and reversing awards: the office.
- The project board: every signed-in person. Join requests: the student who asked, the project's managers.
- Points (``PointAward``): the office; the person; a student's tutor; coordinators of partners involved in
  the project the points came from.

Added to a lower model: ``Partner`` "host_project" (who may name a partner as a new project's lead
partner: the office any; coordinators, supervisors and tutors their own partner).
"""

from __future__ import annotations

from django.db.models import Q

from accounts.roles import AnyUser
from partners import access
from partners.access import ALL, MANAGERS, Rule, is_office, member_partners, office_only, signed_in, user_pk, via
from partners.models import MembershipRole, Partner
from projects.models import (
    BoardPost,
    JoinRequest,
    PointAward,
    PointsScheme,
    Project,
    ProjectExpenditure,
    ProjectMember,
    ProjectOutput,
    ProjectPartner,
)


def _prefix(path: str) -> str:
    return f"{path}__" if path else ""


def _projects_seen_q(user: AnyUser, prefix: str) -> Q:
    """Projects the user is on (member or leader) or whose partners include one the user coordinates."""
    uid = user_pk(user)
    mine = ProjectMember.objects.filter(user_id=uid).values("project_id")
    coordinated = ProjectPartner.objects.filter(partner_id__in=member_partners(user, MANAGERS)).values("project_id")
    return Q(**{f"{prefix}pk__in": mine}) | Q(**{f"{prefix}leader_id": uid}) | Q(**{f"{prefix}pk__in": coordinated})


def _projects_managed_q(user: AnyUser, prefix: str) -> Q:
    """Projects the user leads, or whose lead partner the user coordinates."""
    return Q(**{f"{prefix}leader_id": user_pk(user)}) | Q(
        **{f"{prefix}lead_partner_id__in": member_partners(user, MANAGERS)}
    )


def _project_view(user: AnyUser, path: str) -> Rule:
    return ALL if is_office(user) else Rule(q=_projects_seen_q(user, ""))


def _project_manage(user: AnyUser, path: str) -> Rule:
    return ALL if is_office(user) else Rule(q=_projects_managed_q(user, ""))


def _project_submit_output(user: AnyUser, path: str) -> Rule:
    """Submitting an output: the project's managers and its members."""
    if is_office(user):
        return ALL
    mine = ProjectMember.objects.filter(user_id=user_pk(user)).values("project_id")
    return Rule(q=_projects_managed_q(user, "") | Q(pk__in=mine))


def _child_view(user: AnyUser, path: str) -> Rule:
    """Members and outputs: whoever sees their project."""
    return ALL if is_office(user) else Rule(q=_projects_seen_q(user, "project__"))


def _post_manage(user: AnyUser, path: str) -> Rule:
    return ALL if is_office(user) else Rule(q=_projects_managed_q(user, "project__"))


def _request_view(user: AnyUser, path: str) -> Rule:
    """A join request: the student who asked, and the project's managers."""
    if is_office(user):
        return ALL
    return Rule(q=Q(student_id=user_pk(user)) | _projects_managed_q(user, "post__project__"))


def _request_answer(user: AnyUser, path: str) -> Rule:
    return ALL if is_office(user) else Rule(q=_projects_managed_q(user, "post__project__"))


def _request_withdraw(user: AnyUser, path: str) -> Rule:
    return Rule(q=Q(student_id=user_pk(user)))


def _award_view(user: AnyUser, path: str) -> Rule:
    """Points: the office; the person; a student's tutor; coordinators of partners in the project."""
    if is_office(user):
        return ALL
    uid = user_pk(user)
    coordinated = ProjectPartner.objects.filter(partner_id__in=member_partners(user, MANAGERS)).values("project_id")
    return Rule(q=Q(person_id=uid) | Q(person__student__tutor_id=uid) | Q(project_id__in=coordinated))


def _partner_host_project(user: AnyUser, path: str) -> Rule:
    if is_office(user):
        return ALL
    roles = (MembershipRole.COORDINATOR, MembershipRole.SUPERVISOR, MembershipRole.TUTOR)
    return via(path, member_partners(user, roles))


access.register(
    Project,
    {
        "view": _project_view,
        "manage": _project_manage,
        "submit_output": _project_submit_output,
        "approve": office_only,
        "conclude": office_only,
    },
)
access.register(ProjectMember, {"view": _child_view})
access.register(ProjectOutput, {"view": _child_view, "verify": office_only})
access.register(ProjectExpenditure, {"view": _child_view})
access.register(PointsScheme, {"view": signed_in, "create": office_only, "change": office_only})
access.register(PointAward, {"view": _award_view, "reverse": office_only})
access.register(BoardPost, {"view": signed_in, "change": _post_manage})
access.register(JoinRequest, {"view": _request_view, "answer": _request_answer, "withdraw": _request_withdraw})
access.register(Partner, {"host_project": _partner_host_project})
