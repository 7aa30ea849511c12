"""One student's training plan as the plan page, its PDF and the versions page show it.

The page must cost the same number of queries whatever the number of placements: everything here reads
whole sets at once (select_related / prefetch_related) and computes the rest in Python. Every read starts
from the user's scope (``partners.access.scope``), never from ``objects.all()``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import AnyUser
from core import hooks
from core.hooks import RenderedBlock
from partners import access
from partners.models import Membership, MembershipRole, Partner, Site
from programmes.models import ActivityCategory, CreditRequirement, Objective, RequirementsVersion
from students.models import (
    Milestone,
    MilestoneStatus,
    Placement,
    PlacementHours,
    PlacementStatus,
    PlanAction,
    PlanEvent,
    PlanStatus,
    Student,
    TrainingPlan,
)
from students.selectors.timeline import Timeline, plan_timeline


def plan_for_student(*, user: AnyUser, student_pk: int, action: str = "view") -> TrainingPlan | None:
    """The plan of a student the user may ``action`` on (with its student, programme and people), or None."""
    plans = TrainingPlan.objects.select_related(
        "student__user",
        "student__programme__lead_university",
        "student__cohort",
        "student__tutor",
        "student__practice_supervisor",
        "requirements_version",  # the plan page measures an approved plan against it
    )
    # The programme's latest requirements version, which the plan page names, read with the plan.
    latest = RequirementsVersion.objects.filter(programme_id=OuterRef("student__programme_id")).order_by("-number")
    plans = plans.annotate(latest_requirements_number=Subquery(latest.values("number")[:1]))
    plan = access.scope(plans, user, action).filter(student_id=student_pk).first()
    if plan is not None:
        student = plan.student
        cohort = student.cohort
        if cohort is not None and cohort.programme_id == student.programme_id:
            cohort.programme = student.programme  # a cohort is named by its programme: it is loaded already
    return plan


PLAN_ACTIONS: tuple[str, ...] = ("edit", "submit", "tutor_approve", "approve", "return")
"""The plan's own actions whose buttons its page shows."""

MILESTONE_ACTIONS: tuple[str, ...] = ("decide", "waive", "attach_evidence")
"""The milestone actions whose buttons the plan page shows."""


def plan_rights(*, user: AnyUser, plan: TrainingPlan, milestone: Milestone | None) -> dict[str, bool]:
    """What ``user`` may do with the plan (``PLAN_ACTIONS``) and with ``milestone`` (``MILESTONE_ACTIONS``,
    all False without one), asked of the database in one query: the same rules ``access.can`` applies, one
    ``EXISTS`` of the row in each action's scope, instead of one query per button (issue #19). A milestone's
    rights depend on its student only, so the page asks with one milestone for all of them."""
    checks: dict[str, tuple[type[models.Model], int]] = {action: (TrainingPlan, plan.pk) for action in PLAN_ACTIONS}
    if milestone is not None:
        checks.update({action: (Milestone, milestone.pk) for action in MILESTONE_ACTIONS})
    rights = dict.fromkeys((*PLAN_ACTIONS, *MILESTONE_ACTIONS), False)
    asked: dict[str, Exists] = {}
    for action, (model, pk) in checks.items():
        rows = access.scope(model._default_manager.filter(pk=pk), user, action, correlated=True)
        if not rows.query.is_empty():
            asked[action] = Exists(rows)
    if asked:
        answers = TrainingPlan.objects.filter(pk=plan.pk).values(**asked).first() or {}
        rights.update({action: bool(answer) for action, answer in answers.items()})
    return rights


def own_student(*, user: AnyUser) -> Student | None:
    """The user's own student record, if the user is a student."""
    if not user.is_authenticated:
        return None
    return access.scope(Student.objects.filter(user__pk=user.pk), user, "view").first()


def plan_placements(*, user: AnyUser, student: Student) -> list[Placement]:
    """The student's placements the user may see (a coordinator sees those at their partner only), in
    date order, with partner, site, supervisor, objectives and required hours in a fixed number of queries."""
    placements = (
        Placement.objects.filter(student=student)
        .select_related("partner", "site", "supervisor")
        .prefetch_related(
            Prefetch("objectives", queryset=Objective.objects.order_by("code")),
            Prefetch(
                "required_hours", queryset=PlacementHours.objects.select_related("category").order_by("category__name")
            ),
        )
        .order_by("start_date", "pk")
    )
    return list(access.scope(placements, user, "view"))


def plan_milestones(*, user: AnyUser, student: Student) -> list[Milestone]:
    """The student's milestones the user may see, by due date."""
    milestones = Milestone.objects.filter(student=student).order_by("due_date", "kind")
    return list(access.scope(milestones, user, "view"))


def plan_events(*, user: AnyUser, plan: TrainingPlan) -> list[PlanEvent]:
    """The plan's workflow history, newest first, with who did each step."""
    events = PlanEvent.objects.filter(plan=plan).select_related("by").order_by("-at", "-pk")
    return list(access.scope(events, user, "view"))


def follows_whole_training(*, user: AnyUser, student: Student) -> bool:
    """Whether the user follows the student's whole training: the student, their tutor and the office (the
    people who plan it across partners). Everyone else who may see the student follows a part of it: a
    partner's coordinator the placements at their partner, a supervisor those they supervise, an inspector
    the partner they inspect. Rows are read through ``access.scope`` either way; this decides only what a
    page says about its totals (the whole programme, or the placements the reader may see), by who the
    reader is, never by what is hidden (which would tell a partner that there is something elsewhere)."""
    return follows_whole_training_of(user=user, student_user_id=student.user_id, tutor_id=student.tutor_id)


def follows_whole_training_of(*, user: AnyUser, student_user_id: int | None, tutor_id: int | None) -> bool:
    """``follows_whole_training`` for a student known by their user's and tutor's ids (a list's rows)."""
    if not user.is_authenticated:
        return False
    return user.pk in (student_user_id, tutor_id) or access.can(user, "view", Student)


def placements_seen(*, user: AnyUser, student: Student) -> set[int] | None:
    """Ids of the student's placements (cancelled ones included) the user may see, or None when the user
    sees every one of them. One query."""
    visible = access.scope(Placement.objects.filter(pk=OuterRef("pk")), user, "view")
    rows = list(Placement.objects.filter(student=student).annotate(seen=Exists(visible)).values_list("pk", "seen"))
    ids = {pk for pk, seen in rows if seen}
    return None if len(ids) == len(rows) else ids


@dataclass
class HoursRow:
    """One activity category: hours the programme requires and hours the placements plan (hours recorded
    come from ``practice``: the page and the PDF read them with its ``practice_progress`` tag)."""

    category: ActivityCategory
    required: int
    planned: int

    @property
    def planned_short(self) -> bool:
        return self.planned < self.required


@dataclass
class ObjectiveRow:
    """A programme objective and the placements that serve it."""

    objective: Objective
    placements: list[Placement] = field(default_factory=list)


@dataclass
class NextStep:
    """Something someone should do next about the plan; ``level`` is a Bootstrap contextual colour."""

    text: str
    level: str = "info"


def plan_hours(*, categories: list[ActivityCategory], placements: list[Placement]) -> list[HoursRow]:
    """Practice hours per activity category: required by the programme and planned in live placements."""
    planned: dict[int, int] = defaultdict(int)
    for placement in placements:
        if placement.status == PlacementStatus.CANCELLED:
            continue
        for hours in placement.required_hours.all():
            planned[hours.category_id] += hours.hours
    return [HoursRow(category=c, required=c.required_hours, planned=planned[c.pk]) for c in categories]


def plan_objectives(*, objectives: list[Objective], placements: list[Placement]) -> list[ObjectiveRow]:
    """Each programme objective with the live placements that address it."""
    rows = {o.pk: ObjectiveRow(objective=o) for o in objectives}
    for placement in placements:
        if placement.status == PlacementStatus.CANCELLED:
            continue
        for objective in placement.objectives.all():
            if objective.pk in rows:
                rows[objective.pk].placements.append(placement)
    return list(rows.values())


def plan_latest_return(events: list[PlanEvent]) -> PlanEvent | None:
    """The most recent return of the plan (events come newest first)."""
    return next((e for e in events if e.action == PlanAction.RETURNED), None)


def plan_next_steps(
    *,
    plan: TrainingPlan,
    placements: list[Placement],
    milestones: list[Milestone],
    latest_return: PlanEvent | None,
    today: datetime.date,
) -> list[NextStep]:
    """What should happen next, from the plan's status and the milestones, for everyone who reads the plan."""
    steps: list[NextStep] = []
    live = [p for p in placements if p.status != PlacementStatus.CANCELLED]
    if plan.status == PlanStatus.DRAFT:
        if plan.is_amendment:
            steps.append(NextStep(_("Amendment in progress: make the changes, then submit the plan again.")))
        elif not live:
            steps.append(
                NextStep(_("Add the placements at the partners where the student will train, then submit the plan."))
            )
        else:
            steps.append(NextStep(_("Check the placements and goals, then submit the plan to the tutor.")))
    elif plan.status == PlanStatus.RETURNED:
        reason = latest_return.reason if latest_return is not None else ""
        steps.append(
            NextStep(
                _("The plan was returned: “%(reason)s”. Change it as asked, then submit it again.")
                % {"reason": reason},
                "warning",
            )
        )
    elif plan.status == PlanStatus.SUBMITTED:
        steps.append(NextStep(_("Waiting for the tutor to approve or return the plan.")))
    elif plan.status == PlanStatus.TUTOR_APPROVED:
        steps.append(NextStep(_("The tutor approved the plan; waiting for the graduate office.")))
    elif plan.status == PlanStatus.APPROVED:
        steps.append(NextStep(_("The plan is approved. To change it, start an amendment."), "success"))
    if plan.student.tutor_id is None:
        steps.append(NextStep(_("No academic tutor is assigned yet: the graduate office assigns one."), "warning"))
    for milestone in milestones:
        if milestone.is_late(today):
            steps.append(
                NextStep(
                    _("%(milestone)s was due on %(date)s and is late.")
                    % {"milestone": milestone.get_kind_display(), "date": milestone.due_date.isoformat()},
                    "danger",
                )
            )
    upcoming = next(
        (m for m in milestones if m.status == MilestoneStatus.PENDING and m.due_date >= today),
        None,
    )
    if upcoming is not None:
        steps.append(
            NextStep(
                _("Next milestone: %(milestone)s, due %(date)s.")
                % {"milestone": upcoming.get_kind_display(), "date": upcoming.due_date.isoformat()}
            )
        )
    return steps


@dataclass
class PlanOverview:
    """Everything the plan page and its PDF show about one plan, read in a fixed number of queries."""

    plan: TrainingPlan
    student: Student
    placements: list[Placement]
    live_placements: list[Placement]
    milestones: list[Milestone]
    events: list[PlanEvent]
    latest_return: PlanEvent | None
    objectives: list[ObjectiveRow]
    hours: list[HoursRow]
    #: the programme's credit requirements (read when shown: a plan section usually replaces them)
    credits: Sequence[CreditRequirement]
    min_project_points: int
    next_steps: list[NextStep]
    timeline: Timeline
    today: datetime.date
    #: blocks other apps add through ``core.hooks.PLAN_SECTIONS`` (credits earned, project points...)
    sections: list[RenderedBlock] = field(default_factory=list)
    #: the built-in blocks those sections take over (``"credits"``, ``"project_points"``)
    replaced: set[str] = field(default_factory=set)
    #: the programme's requirements version the plan keeps (approved under it), and the programme's latest
    #: version's number
    requirements_version: RequirementsVersion | None = None
    latest_requirements_number: int | None = None


def _kept_requirements(
    version: RequirementsVersion, categories: list[ActivityCategory], programme_id: int
) -> tuple[list[ActivityCategory], list[CreditRequirement], int]:
    """The categories (their required hours), credits and project points as the kept version says."""
    snapshot = version.snapshot
    hours = snapshot.get("hours", {})
    kept = []
    for category in categories:
        copy = ActivityCategory(
            pk=category.pk,
            programme_id=programme_id,
            code=category.code,
            name=category.name,
            required_hours=int(hours.get(category.code, 0)),
        )
        kept.append(copy)
    credits = [
        CreditRequirement(programme_id=programme_id, category=category, credits=Decimal(value))
        for category, value in sorted(snapshot.get("credits", {}).items())
    ]
    return kept, credits, int(snapshot.get("project_points", 0))


def plan_overview(*, user: AnyUser, plan: TrainingPlan, today: datetime.date | None = None) -> PlanOverview:
    """The plan page's content: placements the user may see, milestones, requirements and their progress,
    next steps, the timeline and the history."""
    today = today or timezone.localdate()
    student = plan.student
    placements = plan_placements(user=user, student=student)
    live = [p for p in placements if p.status != PlacementStatus.CANCELLED]
    milestones = plan_milestones(user=user, student=student)
    events = plan_events(user=user, plan=plan)
    latest_return = plan_latest_return(events)
    programme_id = student.programme_id
    objectives = list(Objective.objects.filter(programme_id=programme_id).order_by("code"))
    categories = list(ActivityCategory.objects.filter(programme_id=programme_id).order_by("name"))
    # Unread until a page shows it: the curriculum's block takes the credits' place (``PLAN_SECTIONS``)
    # and reads the requirements itself, so the page would read them twice.
    credits: Sequence[CreditRequirement] = CreditRequirement.objects.filter(  # type: ignore[assignment]
        programme_id=programme_id
    ).order_by("category")
    points = student.programme.min_project_points
    kept = plan.requirements_version
    if hasattr(plan, "latest_requirements_number"):
        latest: int | None = plan.latest_requirements_number
    else:  # a plan not read by ``plan_for_student``
        latest = (
            RequirementsVersion.objects.filter(programme_id=programme_id)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
    if kept is not None:
        # An approved plan is measured against the requirements it was approved under.
        categories, credits, points = _kept_requirements(kept, categories, programme_id)
    return PlanOverview(
        plan=plan,
        student=student,
        placements=placements,
        live_placements=live,
        milestones=milestones,
        events=events,
        latest_return=latest_return,
        objectives=plan_objectives(objectives=objectives, placements=live),
        hours=plan_hours(categories=categories, placements=live),
        credits=credits,
        min_project_points=points,
        next_steps=plan_next_steps(
            plan=plan, placements=placements, milestones=milestones, latest_return=latest_return, today=today
        ),
        timeline=plan_timeline(student=student, placements=live, milestones=milestones, today=today),
        today=today,
        requirements_version=kept,
        latest_requirements_number=latest,
        **plan_sections(user=user, student=student, today=today),
    )


def plan_sections(*, user: AnyUser, student: Student, today: datetime.date) -> dict[str, Any]:
    """The blocks higher apps plug into the plan (``core.hooks.PLAN_SECTIONS``), built for this reader,
    and the built-in blocks they replace."""
    sections: list[RenderedBlock] = []
    replaced: set[str] = set()
    for section in hooks.PLAN_SECTIONS:
        context = section.build(user=user, student=student, today=today)
        if context is None:
            continue
        sections.append(RenderedBlock(section.key, section.template, context, section.pdf_template))
        if section.replaces:
            replaced.add(section.replaces)
    return {"sections": sections, "replaced": replaced}


# Plan: the choices the placement form offers.


def placement_partner_choices(*, user: AnyUser, student: Student) -> QuerySet[Partner]:
    """Partners taking part in the student's programme (where a placement can be)."""
    partners = Partner.objects.filter(participations__programme_id=student.programme_id)
    return access.scope(partners, user, "view").order_by("name")


def placement_site_choices(*, user: AnyUser) -> QuerySet[Site]:
    """Active sites the user may offer as a placement's site; the service refuses one of another partner."""
    sites = Site.objects.filter(is_active=True).select_related("partner")
    return access.scope(sites, user, "choose").order_by("partner__name", "name")


def placement_supervisor_choices(*, user: AnyUser) -> QuerySet[User]:
    """People with a supervisor membership in force that the user may offer as a placement's supervisor,
    each with ``supervisor_memberships`` (their partners) for the label."""
    memberships = access.scope(
        Membership.objects.active().filter(role=MembershipRole.SUPERVISOR).select_related("partner"), user, "choose"
    )
    return (
        User.objects.filter(is_active=True, pk__in=memberships.values("user_id"))
        .prefetch_related(
            Prefetch("memberships", queryset=memberships.order_by("partner__name"), to_attr="supervisor_memberships")
        )
        .order_by("full_name", "username")
    )


def placement_objective_choices(*, student: Student) -> QuerySet[Objective]:
    """The objectives of the student's programme, by code (the student is one the user may see)."""
    return Objective.objects.filter(programme_id=student.programme_id).order_by("code")


def placement_category_choices(*, student: Student) -> list[ActivityCategory]:
    """The activity categories of the student's programme, by name (required hours per category)."""
    return list(ActivityCategory.objects.filter(programme_id=student.programme_id).order_by("name"))
