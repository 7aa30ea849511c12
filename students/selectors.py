"""Reads about students and their training plans, shared by pages, PDFs and the API.

Every read starts from the user's scope (``partners.access.scope``), never from ``objects.all()``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import AnyUser
from partners import access
from partners.models import Membership, MembershipRole, Partner, PartnerKind, Site
from programmes.models import ActivityCategory, CreditRequirement, MilestoneKind, Objective
from students.models import (
    CareerIntention,
    Milestone,
    MilestoneStatus,
    Placement,
    PlacementHours,
    PlacementStatus,
    PlanAction,
    PlanEvent,
    PlanStatus,
    PlanVersion,
    Student,
    StudentStatus,
    TrainingPlan,
)

# --- Plan ---------------------------------------------------------------------------------------------
# One student's training plan as the plan page, its PDF and the versions page show it. The page must cost
# the same number of queries whatever the number of placements: everything below reads whole sets at once
# (select_related / prefetch_related) and computes the rest in Python.

#: Bar colours of the timeline per partner kind (SVG ``fill`` attributes: the CSP forbids inline styles,
#: and the PDF renders the same partial without the site's stylesheet).
PARTNER_KIND_COLOURS: dict[str, str] = {
    PartnerKind.UNIVERSITY: "#2f5d9e",
    PartnerKind.HOSPITAL: "#b03a2e",
    PartnerKind.ENTERPRISE: "#9a6a00",
    PartnerKind.RESEARCH_INSTITUTE: "#1e7a46",
}
OTHER_KIND_COLOUR = "#5f6b76"

#: Marker colours of milestones per displayed status (pending, late, done, waived).
MILESTONE_COLOURS: dict[str, str] = {
    "pending": "#2f5d9e",
    "late": "#c0392b",
    MilestoneStatus.DONE: "#1e7a46",
    MilestoneStatus.WAIVED: "#8a949e",
}

# Timeline geometry, in SVG user units (the SVG scales to the page width; on phones it scrolls).
TL_WIDTH = 1000
TL_LABEL = 170
TL_RIGHT = 12
TL_HEAD = 40
TL_LANE = 30
TL_BAR = 20
TL_MILESTONE_LANE = 54


def plan_for_student(*, user: AnyUser, student_pk: int, action: str = "view") -> TrainingPlan | None:
    """The plan of a student the user may ``action`` on (with its student, programme and people), or None."""
    plans = TrainingPlan.objects.select_related(
        "student__user",
        "student__programme__lead_university",
        "student__cohort",
        "student__tutor",
        "student__practice_supervisor",
    )
    return access.scope(plans, user, action).filter(student_id=student_pk).first()


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


def snapshot_for_reader(snapshot: dict[str, Any], seen: set[int] | None) -> dict[str, Any]:
    """A plan snapshot with only the placements in ``seen`` (all of them for None): stored snapshots hold
    every partner's placements, and a reader sees those the plan page shows them."""
    if seen is None:
        return snapshot
    return {**snapshot, "placements": [p for p in snapshot.get("placements", []) if p.get("id") in seen]}


def plan_versions(*, user: AnyUser, plan: TrainingPlan) -> QuerySet[PlanVersion]:
    """The plan's versions, newest first, without their snapshots (read only the two being compared).
    Their stored summaries name partners: pages show ``plan_version_rows`` instead."""
    versions = PlanVersion.objects.filter(plan=plan).select_related("created_by").defer("snapshot")
    return access.scope(versions, user, "view").order_by("-number")


def plan_version_snapshots(*, user: AnyUser, plan: TrainingPlan, numbers: list[int]) -> dict[int, dict[str, Any]]:
    """The snapshots of some versions of the plan, by version number, each with only the placements the
    user may see (a coordinator those at their partner, as on the plan page and in its PDF)."""
    seen = placements_seen(user=user, student=plan.student)
    versions = access.scope(PlanVersion.objects.filter(plan=plan, number__in=numbers), user, "view")
    return {v.number: snapshot_for_reader(v.snapshot, seen) for v in versions}


@dataclass(frozen=True)
class VersionRow:
    """One version of a plan as its reader sees it: a change to placements they may not see is not named."""

    number: int
    summary: str
    created_by: User
    created_at: datetime.datetime


def _placements_touched(before: dict[str, Any], after: dict[str, Any]) -> set[int]:
    """Ids of the placements added, removed or changed from one snapshot to the next."""
    old = {p["id"]: p for p in before.get("placements", [])}
    new = {p["id"]: p for p in after.get("placements", [])}
    return {pid for pid in old.keys() | new.keys() if old.get(pid) != new.get(pid)}


def plan_version_rows(*, user: AnyUser, plan: TrainingPlan) -> list[VersionRow]:
    """The plan's versions, newest first, for the versions page. A stored summary names the partner of the
    placement it changed ("Placement added at ..."): a reader who may not see that placement gets a summary
    that names nothing instead. Two queries for a reader who sees every placement, three otherwise (the
    snapshots are read to find what each version changed)."""
    versions = list(plan_versions(user=user, plan=plan))
    seen = placements_seen(user=user, student=plan.student)
    hidden_in: set[int] = set()
    if seen is not None:
        snapshots = dict(
            access.scope(PlanVersion.objects.filter(plan=plan), user, "view").values_list("number", "snapshot")
        )
        previous: dict[str, Any] = {}
        for number in sorted(snapshots):
            if _placements_touched(previous, snapshots[number]) - seen:
                hidden_in.add(number)
            previous = snapshots[number]
    return [
        VersionRow(
            number=v.number,
            summary=_("A change not shown to you.") if v.number in hidden_in else v.summary,
            created_by=v.created_by,
            created_at=v.created_at,
        )
        for v in versions
    ]


@dataclass
class HoursRow:
    """One activity category: hours the programme requires, hours the placements plan, hours recorded."""

    category: ActivityCategory
    required: int
    planned: int
    #: Practice hours are recorded from a later issue on: None means "not yet recorded", never zero.
    recorded: int | None = None

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


@dataclass
class TimelineBar:
    placement: Placement
    x: float
    y: float
    width: float
    colour: str
    #: How many characters of the site's name fit inside the bar (0: none, the bar is too short).
    label_chars: int
    text_x: float
    text_y: float


@dataclass
class TimelineLane:
    partner: Partner
    y: float
    text_y: float
    shaded: bool
    bars: list[TimelineBar]


@dataclass
class TimelineTick:
    day: datetime.date
    x: float
    text_x: float
    labelled: bool
    show_year: bool


@dataclass
class TimelineMarker:
    milestone: Milestone
    x: float
    y: float
    label_y: float
    anchor: str
    status: str
    status_label: str
    colour: str
    points: str


@dataclass
class Timeline:
    """The plan as a picture: one lane per partner with its placements as bars over the months of the
    programme, milestones as markers below, and a line for today. Coordinates are SVG user units."""

    start: datetime.date
    end: datetime.date
    width: int
    height: float
    chart_left: int
    chart_right: int
    head: int
    lanes: list[TimelineLane]
    ticks: list[TimelineTick]
    markers: list[TimelineMarker]
    milestone_y: float
    milestone_text_y: float
    empty_text_y: float
    today_x: float | None
    legend: list[tuple[str, str]]
    milestone_legend: list[tuple[str, str]]


def milestone_status_label(status: str) -> str:
    """A milestone's displayed status (pending, late, done, waived) in words."""
    if status == "late":
        return _("Late")
    return str(MilestoneStatus(status).label)


def _month_starts(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    day = start.replace(day=1)
    months = []
    while day <= end:
        if day >= start:
            months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def plan_timeline(
    *, student: Student, placements: list[Placement], milestones: list[Milestone], today: datetime.date
) -> Timeline:
    """Lay the plan out over the programme's months (server-side, so the page needs no script)."""
    start = student.enrolled_on
    end = student.programme_end
    span = max((end - start).days + 1, 1)
    chart_left, chart_right = TL_LABEL, TL_WIDTH - TL_RIGHT
    chart_width = chart_right - chart_left

    def x_of(day: datetime.date) -> float:
        offset = min(max((day - start).days, 0), span)
        return round(chart_left + chart_width * offset / span, 1)

    lanes: list[TimelineLane] = []
    by_partner: dict[int, TimelineLane] = {}
    live = [p for p in placements if p.status != PlacementStatus.CANCELLED]
    for placement in live:
        lane = by_partner.get(placement.partner_id)
        if lane is None:
            y = TL_HEAD + len(lanes) * TL_LANE
            lane = TimelineLane(partner=placement.partner, y=y, text_y=y + 19, shaded=len(lanes) % 2 == 0, bars=[])
            by_partner[placement.partner_id] = lane
            lanes.append(lane)
        left = x_of(placement.start_date)
        width = max(x_of(placement.end_date + datetime.timedelta(days=1)) - left, 3.0)
        bar_y = lane.y + (TL_LANE - TL_BAR) / 2
        lane.bars.append(
            TimelineBar(
                placement=placement,
                x=left,
                y=bar_y,
                width=round(width, 1),
                colour=PARTNER_KIND_COLOURS.get(placement.partner.kind, OTHER_KIND_COLOUR),
                # Roughly 6.5 units per character at the 11-unit font: longer names are truncated.
                label_chars=int((width - 10) / 6.5) if width > 45 else 0,
                text_x=round(left + 5, 1),
                text_y=bar_y + 14,
            )
        )

    months = _month_starts(start, end)
    step = 1 if len(months) <= 15 else 3 if len(months) <= 40 else 6
    ticks = [
        TimelineTick(
            day=month,
            x=x_of(month),
            text_x=round(x_of(month) + 3, 1),
            labelled=(month.month - 1) % step == 0,
            show_year=month.month == 1 or index == 0,
        )
        for index, month in enumerate(months)
    ]

    milestone_y = TL_HEAD + max(len(lanes), 1) * TL_LANE + 14
    markers = []
    for index, milestone in enumerate(milestones):
        status = milestone.display_status
        x, y = x_of(milestone.due_date), milestone_y + 8
        anchor = "end" if x > chart_right - 45 else "start" if x < chart_left + 45 else "middle"
        markers.append(
            TimelineMarker(
                milestone=milestone,
                x=x,
                y=y,
                label_y=y + 22 if index % 2 == 0 else y + 35,
                anchor=anchor,
                status=status,
                status_label=milestone_status_label(status),
                colour=MILESTONE_COLOURS.get(status, MILESTONE_COLOURS["pending"]),
                points=f"{x},{y - 7} {x + 7},{y} {x},{y + 7} {x - 7},{y}",
            )
        )

    kinds_shown = sorted({lane.partner.kind for lane in lanes})
    legend = [(str(PartnerKind(kind).label), PARTNER_KIND_COLOURS.get(kind, OTHER_KIND_COLOUR)) for kind in kinds_shown]
    milestone_legend = [
        (milestone_status_label(status), colour)
        for status, colour in MILESTONE_COLOURS.items()
        if any(m.status == status for m in markers)
    ]
    return Timeline(
        start=start,
        end=end,
        width=TL_WIDTH,
        height=milestone_y + TL_MILESTONE_LANE,
        chart_left=chart_left,
        chart_right=chart_right,
        head=TL_HEAD,
        lanes=lanes,
        ticks=ticks,
        markers=markers,
        milestone_y=milestone_y,
        milestone_text_y=milestone_y + 12,
        empty_text_y=TL_HEAD + 19,
        today_x=x_of(today) if start <= today <= end else None,
        legend=legend,
        milestone_legend=milestone_legend,
    )


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
    credits: list[CreditRequirement]
    min_project_points: int
    next_steps: list[NextStep]
    timeline: Timeline
    today: datetime.date


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
    credits = list(CreditRequirement.objects.filter(programme_id=programme_id).order_by("category"))
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
        min_project_points=student.programme.min_project_points,
        next_steps=plan_next_steps(
            plan=plan, placements=placements, milestones=milestones, latest_return=latest_return, today=today
        ),
        timeline=plan_timeline(student=student, placements=live, milestones=milestones, today=today),
        today=today,
    )


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


# Plan: comparing two versions.

PLACEMENT_FIELDS = ("partner", "site", "supervisor", "start_date", "end_date", "objectives", "notes")


def _goal_labels() -> dict[str, str]:
    return {
        "research_direction": _("Research direction"),
        "career_intention": _("Career intention"),
        "development_goals": _("Personal development goals"),
    }


def _placement_labels() -> dict[str, str]:
    return {
        "partner": _("Partner"),
        "site": _("Site"),
        "supervisor": _("Supervisor"),
        "start_date": _("Start date"),
        "end_date": _("End date"),
        "objectives": _("Objectives"),
        "notes": _("Notes"),
    }


def _shown(field_name: str, value: Any) -> str:
    """A snapshot value as people read it."""
    if value in (None, "", [], {}):
        return ""
    if field_name == "career_intention":
        try:
            return str(CareerIntention(value).label)
        except ValueError:
            return str(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _placement_title(placement: dict[str, Any]) -> str:
    return _("%(partner)s, %(start)s to %(end)s") % {
        "partner": placement.get("partner", ""),
        "start": placement.get("start_date", ""),
        "end": placement.get("end_date", ""),
    }


def plan_version_diff(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """What changed from snapshot ``a`` to snapshot ``b``: goal fields (old → new), placements added,
    removed or changed (matched by placement id, field by field, required hours per category), and
    milestone due dates."""
    goals = [
        {"field": name, "label": label, "old": _shown(name, a.get(name)), "new": _shown(name, b.get(name))}
        for name, label in _goal_labels().items()
        if a.get(name, "") != b.get(name, "")
    ]

    old_placements = {p["id"]: p for p in a.get("placements", [])}
    new_placements = {p["id"]: p for p in b.get("placements", [])}
    added = [
        {"id": pid, "title": _placement_title(p), "placement": p}
        for pid, p in new_placements.items()
        if pid not in old_placements
    ]
    removed = [
        {"id": pid, "title": _placement_title(p), "placement": p}
        for pid, p in old_placements.items()
        if pid not in new_placements
    ]
    changed = []
    labels = _placement_labels()
    for pid, new in new_placements.items():
        old = old_placements.get(pid)
        if old is None:
            continue
        changes = [
            {"label": labels[name], "old": _shown(name, old.get(name)), "new": _shown(name, new.get(name))}
            for name in PLACEMENT_FIELDS
            if old.get(name) != new.get(name)
        ]
        old_hours, new_hours = old.get("required_hours", {}), new.get("required_hours", {})
        for category in sorted(set(old_hours) | set(new_hours)):
            if old_hours.get(category) != new_hours.get(category):
                changes.append(
                    {
                        "label": _("Required hours: %(category)s") % {"category": category},
                        "old": _shown("hours", old_hours.get(category)),
                        "new": _shown("hours", new_hours.get(category)),
                    }
                )
        if changes:
            changed.append({"id": pid, "title": _placement_title(new), "changes": changes})

    old_due = {m["kind"]: m["due_date"] for m in a.get("milestones", [])}
    new_due = {m["kind"]: m["due_date"] for m in b.get("milestones", [])}
    milestones = []
    for kind in [k for k in MilestoneKind.values if k in old_due or k in new_due]:
        if old_due.get(kind) != new_due.get(kind):
            milestones.append(
                {
                    "kind": kind,
                    "label": str(MilestoneKind(kind).label),
                    "old": old_due.get(kind, ""),
                    "new": new_due.get(kind, ""),
                }
            )
    return {
        "goals": goals,
        "placements_added": added,
        "placements_removed": removed,
        "placements_changed": changed,
        "milestones": milestones,
        "is_empty": not (goals or added or removed or changed or milestones),
    }


def plan_default_comparison(plan: TrainingPlan) -> tuple[int, int] | None:
    """Which versions the versions page compares by default: the approved version against the current
    one when they differ, else the previous version against the current one (None for a plan at v1)."""
    if plan.approved_version and plan.approved_version != plan.version:
        return plan.approved_version, plan.version
    if plan.version > 1:
        return plan.version - 1, plan.version
    return None


# --- Lists ---
# The students list, the at-risk list, the approval queue and the export all read through here. Everything
# a row shows is annotated in the database (subqueries, Exists), so a page of 25 rows costs the same number
# of queries as a page of 3, and "at risk" filters in SQL rather than in a Python loop over every student.

#: Days after enrolment by which a student's plan should be approved by the office.
AT_RISK_PLAN_DAYS = 30

#: Statuses of students still in training; withdrawn and graduated students are never "at risk".
IN_TRAINING = (StudentStatus.ENROLLED, StudentStatus.SUSPENDED)


def _late_milestones(today: datetime.date) -> QuerySet[Milestone]:
    """Pending milestones past their due date of the outer query's student."""
    return Milestone.objects.filter(student=OuterRef("pk"), status=MilestoneStatus.PENDING, due_date__lt=today)


def student_list(
    *, user: AnyUser, filters: Mapping[str, Any] | None = None, today: datetime.date | None = None
) -> QuerySet[Student]:
    """Students in the user's scope, filtered, with what the list shows per row annotated in the database:

    ``late_milestones`` (count), ``first_late_due``, ``current_partner_id``/``current_partner_name`` (the
    partner of a non-cancelled placement the user may see that covers today: a coordinator sees only
    placements at their own partner), ``plan_status``, ``risk_late``, ``risk_no_plan`` and ``at_risk``.

    Filters: ``programme``, ``cohort``, ``status``, ``tutor``, ``partner`` (a non-cancelled placement
    there, among the placements the user may see), ``plan_status``, ``at_risk`` (true: at risk only).
    """
    filters = filters or {}
    today = today or timezone.localdate()
    late = _late_milestones(today)
    late_count = late.order_by().values("student").annotate(n=Count("pk")).values("n")
    current = access.scope(
        Placement.objects.filter(student=OuterRef("pk"), start_date__lte=today, end_date__gte=today).exclude(
            status=PlacementStatus.CANCELLED
        ),
        user,
        "view",
    ).order_by("start_date", "pk")
    in_training = Q(status__in=IN_TRAINING)
    no_plan_yet = in_training & Q(
        enrolled_on__lte=today - datetime.timedelta(days=AT_RISK_PLAN_DAYS), plan__approved_version__isnull=True
    )
    students = (
        access.scope(Student.objects.all(), user, "view")
        .select_related("user", "programme", "cohort", "tutor", "plan")
        .annotate(
            late_milestones=Coalesce(Subquery(late_count, output_field=IntegerField()), Value(0)),
            first_late_due=Subquery(late.order_by("due_date").values("due_date")[:1]),
            current_partner_id=Subquery(current.values("partner_id")[:1]),
            current_partner_name=Subquery(current.values("partner__name")[:1]),
            plan_status=F("plan__status"),
            risk_late=Case(When(in_training & Exists(late), then=Value(True)), default=Value(False)),
            risk_no_plan=Case(When(no_plan_yet, then=Value(True)), default=Value(False), output_field=BooleanField()),
        )
        .annotate(
            at_risk=Case(
                When(Q(risk_late=True) | Q(risk_no_plan=True), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )
    if programme := filters.get("programme"):
        students = students.filter(programme=programme)
    if cohort := filters.get("cohort"):
        students = students.filter(cohort=cohort)
    if status := filters.get("status"):
        students = students.filter(status=status)
    if tutor := filters.get("tutor"):
        students = students.filter(tutor=tutor)
    if partner := filters.get("partner"):
        placed = access.scope(
            Placement.objects.filter(partner=partner).exclude(status=PlacementStatus.CANCELLED), user, "view"
        )
        students = students.filter(pk__in=placed.values("student_id"))
    if plan_status := filters.get("plan_status"):
        students = students.filter(plan__status=plan_status)
    if filters.get("at_risk"):
        students = students.filter(at_risk=True)
    return students.order_by("student_number")


def student_at_risk_list(
    *, user: AnyUser, filters: Mapping[str, Any] | None = None, today: datetime.date | None = None
) -> QuerySet[Student]:
    """Students in scope and still in training who are at risk: a pending milestone past its due date, or no
    office-approved plan ``AT_RISK_PLAN_DAYS`` days after enrolment. Oldest problem first."""
    students = student_list(user=user, filters={**(filters or {}), "at_risk": True}, today=today)
    return students.order_by(F("first_late_due").asc(nulls_last=True), "enrolled_on", "student_number")


def _waiting_plans() -> QuerySet[TrainingPlan]:
    """Plans with their student's people, and since when each waits (its latest step into its status)."""
    since = PlanEvent.objects.filter(plan=OuterRef("pk"), action=OuterRef("status")).order_by("-at", "-pk")
    return TrainingPlan.objects.select_related(
        "student__user", "student__programme", "student__cohort", "student__tutor"
    ).annotate(waiting_since=Subquery(since.values("at")[:1]))


def plan_approval_queue(*, user: AnyUser) -> dict[str, QuerySet[TrainingPlan]]:
    """The plans waiting for the user, oldest first:

    ``for_office``: plans the tutor approved, waiting for the office (the office only);
    ``for_me``: submitted plans of the user's own tutees;
    ``for_tutors``: for the office, submitted plans still with the tutors (to follow up).
    """
    plans = _waiting_plans()
    order = (F("waiting_since").asc(nulls_last=True), "student__student_number")
    for_office = access.scope(plans, user, "approve").filter(status=PlanStatus.TUTOR_APPROVED).order_by(*order)
    for_me = access.scope(plans, user, "tutor_approve").filter(status=PlanStatus.SUBMITTED).order_by(*order)
    if access.can(user, "approve", TrainingPlan):
        for_tutors = (
            access.scope(plans, user, "view")
            .filter(status=PlanStatus.SUBMITTED)
            .exclude(pk__in=for_me.values("pk"))
            .order_by(*order)
        )
    else:
        for_tutors = plans.none()
    return {"for_office": for_office, "for_me": for_me, "for_tutors": for_tutors}
