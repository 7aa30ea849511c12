"""Tandem's permission policy: the one module that decides who may see and do what.

Three functions make the whole interface:

* ``scope(qs, user, action)`` narrows a queryset to the rows the user may act on;
* ``can(user, action, obj)`` answers for one row (or, given a model class, for creating one);
* ``require(user, action, obj)`` raises ``PermissionDenied`` and records the denial.

How a rule is built: every scoped model names its path to a partner once (``access_partner_path``).
A rule is either "everything", "nothing" or a ``Q`` that filters that path by a subquery over the
user's memberships in force (an indexed join, so a supervisor's list costs what anybody's does),
merged with django-guardian object grants that have not yet expired. Callers never see two mechanisms.

Platform roles (office, inspector, counsellor) are groups, read once per user object. See
``docs/permissions.md`` for the matrix these rules implement; ``tests/access`` holds them to it.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.roles import AnyUser, PlatformRole, platform_roles
from core.models import Notification
from partners.models import (
    Membership,
    MembershipRole,
    Partner,
    PartnerStatusChange,
    PartnerUserObjectPermission,
    Site,
)
from practice.models import PracticeLog
from programmes.models import Agreement, AgreementParty, Participation, Programme
from students.models import (
    Milestone,
    Placement,
    PlacementStatus,
    PlanEvent,
    PlanVersion,
    Student,
    TrainingPlan,
)
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
    InspectionReport,
    InspectionStatus,
    ReportVariant,
    SpotDraw,
)

logger = logging.getLogger("tandem.access")

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Rule:
    """What a user may reach for one model and action: all rows, none, or those matching ``q``."""

    q: Q | None
    everything: bool = False

    @property
    def nothing(self) -> bool:
        return not self.everything and self.q is None


ALL = Rule(q=None, everything=True)
NONE = Rule(q=None)


def _any(*rules: Rule) -> Rule:
    """The union of several rules (a person holding several roles gets all of them)."""
    if any(rule.everything for rule in rules):
        return ALL
    qs = [rule.q for rule in rules if rule.q is not None]
    if not qs:
        return NONE
    combined = qs[0]
    for extra in qs[1:]:
        combined |= extra
    return Rule(q=combined)


# --- Building blocks ---------------------------------------------------------------------------------


def _uid(user: AnyUser) -> int:
    # Rules run only for signed-in users (``_rule`` answers NONE for anonymous ones first).
    if user.pk is None:
        raise ValueError("access rules need a signed-in user")
    return int(user.pk)


def _member_partners(user: AnyUser, roles: tuple[str, ...] | None = None) -> QuerySet[Any]:
    """Subquery: ids of the partners where the user holds a membership in force (optionally of these roles)."""
    memberships = Membership.objects.active().filter(user__pk=_uid(user))
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return memberships.values("partner_id")


def _is_active_member(user: AnyUser, roles: tuple[str, ...]) -> bool:
    return Membership.objects.active().filter(user__pk=_uid(user), role__in=roles).exists()


def _granted_partners(user: AnyUser, codename: str) -> QuerySet[Any]:
    """Subquery: ids of partners the user holds an unexpired object grant on."""
    return PartnerUserObjectPermission.objects.filter(
        user__pk=_uid(user), permission__codename=codename, valid_until__gt=timezone.now()
    ).values("content_object_id")


def _via(path: str, subquery: QuerySet[Any]) -> Rule:
    return Rule(q=Q(**{f"{path}__in": subquery}))


# --- Rules per model ---------------------------------------------------------------------------------
# Each rule takes the user and the model's partner path and returns a Rule. Office holds every right on
# partner data; the other roles are spelled out per action.

_MANAGERS = (MembershipRole.COORDINATOR,)
_ANY_ROLE = tuple(MembershipRole.values)


def _partner_internal_view(user: AnyUser, path: str) -> Rule:
    """Members, sites and status history of a partner: its own people, tutors, and granted inspectors."""
    roles = platform_roles(user)
    if PlatformRole.OFFICE in roles:
        return ALL
    rules = [_via(path, _member_partners(user, _ANY_ROLE)), _via(path, _granted_partners(user, "view_partner"))]
    if _is_active_member(user, (MembershipRole.TUTOR,)):
        # Tutors plan placements across partners, so they read every partner's people and sites.
        rules.append(ALL)
    return _any(*rules)


def _partner_manage(user: AnyUser, path: str) -> Rule:
    """Editing a partner's own data (details, sites, memberships): office, or that partner's coordinator."""
    if PlatformRole.OFFICE in platform_roles(user):
        return ALL
    return _via(path, _member_partners(user, _MANAGERS))


def _office_only(user: AnyUser, path: str) -> Rule:
    return ALL if PlatformRole.OFFICE in platform_roles(user) else NONE


def _signed_in(user: AnyUser, path: str) -> Rule:
    return ALL if user.is_authenticated else NONE


# --- Programmes and agreements ---------------------------------------------------------------------


def _is_office(user: AnyUser) -> bool:
    return PlatformRole.OFFICE in platform_roles(user)


def _is_tutor(user: AnyUser) -> bool:
    return _is_active_member(user, (MembershipRole.TUTOR,))


def _programme_view(user: AnyUser, path: str) -> Rule:
    """Programmes: office and tutors read all; partners' people those their partner takes part in;
    students their own."""
    if _is_office(user) or _is_tutor(user):
        return ALL
    partners = _member_partners(user, _ANY_ROLE)
    taking_part = Participation.objects.filter(partner_id__in=partners).values("programme_id")
    own = Student.objects.filter(user__pk=_uid(user)).values("programme_id")
    inspected = Participation.objects.filter(partner_id__in=_granted_partners(user, "view_partner")).values(
        "programme_id"
    )
    return _any(
        Rule(q=Q(pk__in=taking_part)),
        Rule(q=Q(lead_university_id__in=partners)),
        Rule(q=Q(pk__in=own)),
        Rule(q=Q(pk__in=inspected)),
    )


def _agreement_view(user: AnyUser, path: str) -> Rule:
    """Agreements: office and tutors read all; a partner's people those their partner is party to; an
    inspector with an unexpired grant on a partner (an inspection in progress) those that partner is party to."""
    if _is_office(user) or _is_tutor(user):
        return ALL
    party_to = AgreementParty.objects.filter(partner_id__in=_member_partners(user, _ANY_ROLE)).values("agreement_id")
    granted = AgreementParty.objects.filter(partner_id__in=_granted_partners(user, "view_partner")).values(
        "agreement_id"
    )
    return Rule(q=Q(pk__in=party_to) | Q(pk__in=granted))


# --- Students and everything hanging off them ------------------------------------------------------
# ``path`` is the model's ``access_student_path``: "" for Student itself, else the lookup to its student.


def _student_lookup(path: str, field: str) -> str:
    return field if not path else f"{path}__{field}"


def _student_id_lookup(path: str) -> str:
    return path or "pk"


def _student_view(user: AnyUser, path: str) -> Rule:
    """A student's record, plan and milestones: office; the student; their tutor; their supervisors
    (co-supervisor, or supervisor of one of their placements); coordinators of partners they are placed at;
    an inspector with an unexpired grant on a partner they are placed at (an inspection in progress)."""
    if _is_office(user):
        return ALL
    uid = _uid(user)
    sid = _student_id_lookup(path)
    live = Placement.objects.exclude(status=PlacementStatus.CANCELLED)
    supervised = live.filter(supervisor_id=uid).values("student_id")
    placed_here = live.filter(partner_id__in=_member_partners(user, _MANAGERS)).values("student_id")
    inspected = live.filter(partner_id__in=_granted_partners(user, "view_partner")).values("student_id")
    return Rule(
        q=Q(**{_student_lookup(path, "user_id"): uid})
        | Q(**{_student_lookup(path, "tutor_id"): uid})
        | Q(**{_student_lookup(path, "practice_supervisor_id"): uid})
        | Q(**{f"{sid}__in": supervised})
        | Q(**{f"{sid}__in": placed_here})
        | Q(**{f"{sid}__in": inspected})
    )


def _own_or_tutor(user: AnyUser, path: str) -> Rule:
    """The student themself, or their tutor (plan drafting and submission)."""
    if not path:
        raise ValueError("_own_or_tutor is for models below a student")
    uid = _uid(user)
    return Rule(q=Q(**{_student_lookup(path, "user_id"): uid}) | Q(**{_student_lookup(path, "tutor_id"): uid}))


def _own_or_tutor_or_office(user: AnyUser, path: str) -> Rule:
    return ALL if _is_office(user) else _own_or_tutor(user, path)


def _tutor_of(user: AnyUser, path: str) -> Rule:
    return Rule(q=Q(**{_student_lookup(path, "tutor_id"): _uid(user)}))


def _tutor_or_office(user: AnyUser, path: str) -> Rule:
    return ALL if _is_office(user) else _tutor_of(user, path)


def _placement_view(user: AnyUser, path: str) -> Rule:
    """Placements: office; the student; their tutor and co-supervisor; the placement's supervisor; the
    coordinator of the partner it is at (only placements at that partner); an inspector with an unexpired
    grant on that partner (an inspection in progress)."""
    if _is_office(user):
        return ALL
    uid = _uid(user)
    return Rule(
        q=Q(student__user_id=uid)
        | Q(student__tutor_id=uid)
        | Q(student__practice_supervisor_id=uid)
        | Q(supervisor_id=uid)
        | Q(partner_id__in=_member_partners(user, _MANAGERS))
        | Q(partner_id__in=_granted_partners(user, "view_partner"))
    )


def _plan_choice(user: AnyUser, path: str) -> Rule:
    """Sites and supervisors a plan editor may pick for a placement: office and tutors any; a student
    those of the partners taking part in their programme; a partner's people their own partner's."""
    if _is_office(user) or _is_tutor(user):
        return ALL
    own_programmes = Student.objects.filter(user__pk=_uid(user)).values("programme_id")
    taking_part = Participation.objects.filter(programme_id__in=own_programmes).values("partner_id")
    return _any(_via(path, taking_part), _via(path, _member_partners(user, _ANY_ROLE)))


def _own_notifications(user: AnyUser, path: str) -> Rule:
    """Notifications: each person reads and marks only their own."""
    return Rule(q=Q(user_id=_uid(user)))


# --- Practice hours --------------------------------------------------------------------------------


def _practice_log_view(user: AnyUser, path: str) -> Rule:
    """Entries: office; the student; their tutor; the placement's supervisor; the coordinator of the
    partner the placement is at; an inspector with an unexpired grant on that partner."""
    if _is_office(user):
        return ALL
    uid = _uid(user)
    return Rule(
        q=Q(student__user_id=uid)
        | Q(student__tutor_id=uid)
        | Q(placement__supervisor_id=uid)
        | Q(placement__partner_id__in=_member_partners(user, _MANAGERS))
        | Q(placement__partner_id__in=_granted_partners(user, "view_partner"))
    )


def _placement_log(user: AnyUser, path: str) -> Rule:
    """Logging hours at a placement: the student placed there, or the placement's supervisor."""
    uid = _uid(user)
    return Rule(q=Q(student__user_id=uid) | Q(supervisor_id=uid))


def _practice_log_decide(user: AnyUser, path: str) -> Rule:
    """Approving or rejecting: only the supervisor of the entry's placement (own entries are refused by
    the service)."""
    return Rule(q=Q(placement__supervisor_id=_uid(user)))


def _practice_log_withdraw(user: AnyUser, path: str) -> Rule:
    uid = _uid(user)
    return Rule(q=Q(student__user_id=uid, entered_by_id=uid))


# --- Inspections ------------------------------------------------------------------------------------
# ``path`` is the model's path to the target partner ("target_partner" on Inspection,
# "inspection__target_partner" below it); what precedes "target_partner" is the path to the inspection.
# Secrecy (permissions.md): until an inspection is started, only the office and its assigned inspectors
# know it exists.


def _inspection_prefix(path: str) -> str:
    if not path.endswith("target_partner"):
        raise ValueError("inspection rules need a path ending in target_partner")
    return path.removesuffix("target_partner")


def _is_inspector(user: AnyUser) -> bool:
    return PlatformRole.INSPECTOR in platform_roles(user)


def _assigned_inspector(user: AnyUser, path: str) -> Rule:
    """The inspectors assigned to the inspection (who still hold the inspector role)."""
    if not _is_inspector(user):
        return NONE
    prefix = _inspection_prefix(path)
    assigned = InspectionAssignment.objects.filter(inspector__pk=_uid(user)).values("inspection_id")
    return Rule(q=Q(**{f"{prefix}pk__in": assigned}))


def _started_at_managed_partner(user: AnyUser, path: str) -> Rule:
    """Coordinators of the target partner: a spot (unannounced) inspection once it has started, never
    while planned; a scheduled inspection from its planning on (it is announced)."""
    prefix = _inspection_prefix(path)
    return Rule(
        q=Q(**{f"{prefix}target_partner_id__in": _member_partners(user, _MANAGERS)})
        & (Q(**{f"{prefix}status__in": STARTED_STATUSES}) | Q(**{f"{prefix}kind": InspectionKind.SCHEDULED}))
    )


def _inspection_view(user: AnyUser, path: str) -> Rule:
    """Inspections and what hangs off them: office all; assigned inspectors theirs; coordinators of the
    target partner once started; a supervisor at the partner those started on a placement they supervise."""
    if _is_office(user):
        return ALL
    prefix = _inspection_prefix(path)
    supervised = Rule(
        q=Q(**{f"{prefix}target_placement__supervisor_id": _uid(user)})
        & Q(**{f"{prefix}target_partner_id__in": _member_partners(user, (MembershipRole.SUPERVISOR,))})
        & Q(**{f"{prefix}status__in": STARTED_STATUSES})
    )
    return _any(_assigned_inspector(user, path), _started_at_managed_partner(user, path), supervised)


def _assigned_or_office(user: AnyUser, path: str) -> Rule:
    return ALL if _is_office(user) else _assigned_inspector(user, path)


def _office_or_inspector(user: AnyUser, path: str) -> Rule:
    return ALL if _is_office(user) or _is_inspector(user) else NONE


def _report_view(user: AnyUser, path: str) -> Rule:
    """Reports: office all; the inspection's inspectors and the target partner's coordinators theirs (a
    report exists only once the inspection is closed); every inspector each published public version.
    The public (anonymous) pages read published public versions through ``supervision.publication``."""
    if _is_office(user):
        return ALL
    prefix = _inspection_prefix(path)
    published = Rule(
        q=Q(variant=ReportVariant.PUBLIC)
        & Q(**{f"{prefix}status": InspectionStatus.PUBLISHED})
        & Q(**{f"{prefix}published_at__isnull": False})
    )
    return _any(
        _assigned_inspector(user, path),
        _started_at_managed_partner(user, path),
        published if _is_inspector(user) else NONE,
    )


def _scorecard_view(user: AnyUser, path: str) -> Rule:
    """A partner's scorecard: office every partner's; a coordinator their own partner's (built from
    started inspections only, so it never reveals a planned spot inspection)."""
    if _is_office(user):
        return ALL
    return _via(path or "pk", _member_partners(user, _MANAGERS))


RuleFn = Callable[[AnyUser, str], Rule]

POLICY: dict[type[models.Model], dict[str, RuleFn]] = {
    Partner: {
        "view": _signed_in,  # the directory: names, kinds, status
        "view_internal": _partner_internal_view,  # members, sites, status history
        "create": _office_only,
        "change": _partner_manage,
        "change_status": _office_only,
        "manage_members": _partner_manage,
        "manage_sites": _partner_manage,
        "view_scorecard": _scorecard_view,
    },
    Site: {
        "view": _partner_internal_view,
        "create": _partner_manage,
        "change": _partner_manage,
        "choose": _plan_choice,  # offered as a placement's site in a training plan
    },
    Membership: {
        "view": _partner_internal_view,
        "create": _partner_manage,
        "change": _partner_manage,  # ending a membership
        "choose": _plan_choice,  # its person offered as a placement's supervisor
    },
    PartnerStatusChange: {
        "view": _partner_internal_view,
    },
    Programme: {
        "view": _programme_view,
        "create": _office_only,
        "change": _office_only,
        "reopen_month": _office_only,
        "set_practice_rules": _office_only,
    },
    Agreement: {"view": _agreement_view, "create": _office_only, "change": _office_only},
    Student: {"view": _student_view, "create": _office_only, "change": _office_only},
    TrainingPlan: {
        "view": _student_view,
        "edit": _own_or_tutor_or_office,
        "submit": _own_or_tutor,
        "tutor_approve": _tutor_of,
        "approve": _office_only,
        "return": _tutor_or_office,
    },
    PlanVersion: {"view": _student_view},
    PlanEvent: {"view": _student_view},
    Placement: {"view": _placement_view, "log": _placement_log},
    PracticeLog: {"view": _practice_log_view, "decide": _practice_log_decide, "withdraw": _practice_log_withdraw},
    Milestone: {
        "view": _student_view,
        "decide": _tutor_or_office,
        "waive": _office_only,
        "attach_evidence": _own_or_tutor_or_office,
    },
    Notification: {"view": _own_notifications, "mark_read": _own_notifications},
    ChecklistTemplate: {"view": _office_or_inspector, "create": _office_only, "change": _office_only},
    Inspection: {
        "view": _inspection_view,
        "plan": _office_only,
        "start": _assigned_or_office,
        "record": _assigned_inspector,  # checklist results and findings
        "close": _assigned_or_office,
        "publish": _office_only,
        "retry_report": _office_only,
    },
    InspectionAssignment: {"view": _inspection_view},
    ChecklistResult: {"view": _inspection_view},
    Finding: {"view": _inspection_view},
    CorrectiveAction: {
        "view": _inspection_view,
        "answer": _started_at_managed_partner,
        "verify": _assigned_inspector,  # verifying and reopening
    },
    InspectionReport: {"view": _report_view},
    SpotDraw: {"view": _office_only, "run": _office_only},
    DrawCandidate: {"view": _office_only},
}


def _rule(user: AnyUser, action: str, model: type[models.Model]) -> Rule:
    if not user.is_authenticated or not user.is_active:
        return NONE
    try:
        rule_fn = POLICY[model][action]
    except KeyError:
        raise ValueError(f"No access rule for {model.__name__}.{action}; add one to partners/access.py.") from None
    path = str(getattr(model, "access_student_path", None) or getattr(model, "access_partner_path", ""))
    return rule_fn(user, path)


# --- The interface -----------------------------------------------------------------------------------


def scope(qs: QuerySet[M], user: AnyUser, action: str = "view") -> QuerySet[M]:
    """The rows of ``qs`` that ``user`` may act on with ``action``."""
    rule = _rule(user, action, qs.model)
    if rule.everything:
        return qs
    if rule.q is None:
        return qs.none()
    # Rules filter with ``__in`` subqueries, which never multiply rows: no DISTINCT needed.
    return qs.filter(rule.q)


def can(user: AnyUser, action: str, obj: models.Model | type[models.Model]) -> bool:
    """Whether ``user`` may do ``action`` on ``obj``; given a model class, whether it may on any row
    of it without restriction (used for "create" of top-level objects such as partners)."""
    if isinstance(obj, type):
        return _rule(user, action, obj).everything
    rule = _rule(user, action, type(obj))
    if rule.everything:
        return True
    if rule.q is None:
        return False
    return type(obj)._default_manager.filter(pk=obj.pk).filter(rule.q).exists()


def require(user: AnyUser, action: str, obj: models.Model | type[models.Model]) -> None:
    """Raise ``PermissionDenied`` unless ``can(user, action, obj)``, recording the denial."""
    if not can(user, action, obj):
        record_denial(user, action, obj)
        raise PermissionDenied(f"{action} not allowed")


def record_denial(user: AnyUser, action: str, obj: object) -> None:
    """Every denied request is logged with who, what and when (permissions.md)."""
    from core.models import AccessDenial

    label = obj.__name__ if isinstance(obj, type) else f"{type(obj).__name__}:{getattr(obj, 'pk', obj)}"
    AccessDenial.objects.create(
        user_id=user.pk if user.is_authenticated else None, action=action[:40], target=str(label)[:200]
    )
    logger.info("access denied: user=%s action=%s target=%s", user.pk, action, label)


# --- Object grants (django-guardian, direct foreign-key models) ----------------------------------------


def grant_partner_view(
    *, user: User, partner: Partner, until: datetime.datetime, reason: str = ""
) -> PartnerUserObjectPermission:
    """Let ``user`` read ``partner``'s people, sites and records until ``until`` (e.g. an open inspection)."""
    permission = Permission.objects.get(codename="view_partner", content_type__app_label="partners")
    grant, _created = PartnerUserObjectPermission.objects.update_or_create(
        user=user, permission=permission, content_object=partner, defaults={"valid_until": until, "reason": reason}
    )
    return grant


def end_partner_grants(*, partner: Partner, user: User | None = None) -> int:
    """End grants on ``partner`` now (all of them, or one user's); returns how many were ended."""
    grants = PartnerUserObjectPermission.objects.filter(content_object=partner, valid_until__gt=timezone.now())
    if user is not None:
        grants = grants.filter(user=user)
    return grants.update(valid_until=timezone.now())


# --- Questions the navigation and start pages ask --------------------------------------------------------


def user_partner_roles(user: AnyUser) -> QuerySet[Membership]:
    """The user's memberships in force, with their partners (one query)."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.active().filter(user__pk=_uid(user)).select_related("partner").order_by("partner__name")
