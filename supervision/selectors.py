"""Reads about inspections shared by the pages, the start page and the navigation.

Every read starts from ``access.scope``: a planned (not started) inspection is in nobody's rows but the
office's and its assigned inspectors', so lists, counts and the start page cannot reveal it to the
target partner's people. Counts per inspection (items rated, findings by severity, open and overdue
actions) are correlated subqueries in the same SELECT, so a page of inspections costs the same few
queries whether it shows one or a hundred.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
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
from accounts.roles import AnyUser, PlatformRole
from partners import access
from partners.models import Membership, MembershipRole, Partner, Site
from practice.models import PracticeLog
from students.models import Placement, PlacementStatus
from supervision import list_queries
from supervision.models import (
    AWAITING_ANSWER,
    ActionStatus,
    Aspect,
    ChecklistItem,
    ChecklistResult,
    ChecklistTemplate,
    CorrectiveAction,
    DrawCandidate,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionLead,
    InspectionReport,
    InspectionStatus,
    Rating,
    Severity,
    SpotDraw,
)

# --- Counts in the database ---------------------------------------------------------------------------


def _count(rows: QuerySet[Any], group: str) -> Coalesce:
    """How many of ``rows`` (already filtered on an ``OuterRef``) there are, 0 when there are none."""
    counted = rows.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0), output_field=IntegerField())


def _with_counts(qs: QuerySet[Inspection], today: datetime.date) -> QuerySet[Inspection]:
    """Annotate what the lists and cards show of each inspection (one SELECT, whatever the row count)."""
    findings = Finding.objects.filter(inspection=OuterRef("pk"))
    actions = CorrectiveAction.objects.filter(finding__inspection=OuterRef("pk"))
    return qs.annotate(
        item_count=_count(ChecklistItem.objects.filter(template=OuterRef("template_id")), "template"),
        rated_count=_count(ChecklistResult.objects.filter(inspection=OuterRef("pk")), "inspection"),
        observation_count=_count(findings.filter(severity=Severity.OBSERVATION), "inspection"),
        minor_count=_count(findings.filter(severity=Severity.MINOR), "inspection"),
        major_count=_count(findings.filter(severity=Severity.MAJOR), "inspection"),
        critical_count=_count(findings.filter(severity=Severity.CRITICAL), "inspection"),
        open_action_count=_count(actions.filter(status__in=AWAITING_ANSWER), "finding__inspection"),
        overdue_action_count=_count(
            actions.filter(status__in=AWAITING_ANSWER, due_date__lt=today), "finding__inspection"
        ),
        answered_action_count=_count(actions.filter(status=ActionStatus.ANSWERED), "finding__inspection"),
    )


def percent(part: int, whole: int) -> int:
    """A whole percentage, 0 to 100, for bars sized by ``pct-N`` classes (no inline styles under CSP)."""
    if whole <= 0:
        return 0
    return max(0, min(100, round(100 * part / whole)))


# --- Inspections --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InspectionFilters:
    """What a list of inspections may be narrowed by; it never widens the user's scope."""

    status: str = ""
    kind: str = ""
    partner: int | None = None
    overdue: bool = False
    #: only those the user is assigned to inspect
    mine: bool = False
    #: words in the partner's name or short name, or in the scope
    q: str = ""


def _inspectors() -> QuerySet[InspectionAssignment]:
    """An inspection's inspectors as the lists and cards show them (prefetched as ``assignments``)."""
    return InspectionAssignment.objects.select_related("inspector").order_by("inspector__username", "pk")


def _inspection_rows(user: AnyUser) -> QuerySet[Inspection]:
    return access.scope(
        Inspection.objects.select_related(
            "target_partner", "target_site", "target_placement__student__user", "template"
        ).prefetch_related(Prefetch("assignments", queryset=_inspectors())),
        user,
        "view",
    )


def inspections_for(
    *, user: AnyUser, filters: InspectionFilters | None = None, today: datetime.date | None = None
) -> QuerySet[Inspection]:
    """The inspections the user may see, newest planned date first, each with its counts annotated:
    ``item_count``, ``rated_count``, ``<severity>_count`` of findings, ``open_action_count``,
    ``overdue_action_count`` and ``answered_action_count`` (to verify). Two queries for any page."""
    day = today or timezone.localdate()
    return _with_counts(_filtered(_inspection_rows(user), user, filters, day), day).order_by("-planned_date", "-pk")


def inspection_ids_for(
    *, user: AnyUser, filters: InspectionFilters | None = None, today: datetime.date | None = None
) -> QuerySet[Any]:
    """The keys of ``inspections_for``'s rows, in its order, and nothing else: the list pages its keys
    (its count and one page's 25 keys read the inspection table and its ``(planned_date, id)`` index alone),
    then fetches that page's rows with ``inspections_by_ids``. Sorting the full rows instead joined every
    row in scope to its partner, site, placement, student and user before keeping 25 (issue #19)."""
    day = today or timezone.localdate()
    rows = _filtered(access.scope(Inspection.objects.all(), user, "view"), user, filters, day)
    return rows.order_by("-planned_date", "-pk").values_list("pk", flat=True)


def inspections_by_ids(*, user: AnyUser, ids: Sequence[int], today: datetime.date | None = None) -> list[Inspection]:
    """The inspections with these keys that the user may see, in the keys' order, with what
    ``inspections_for`` annotates and fetches with them: two queries (the rows, their inspectors)."""
    if not ids:
        return []
    day = today or timezone.localdate()
    # The statement compiled once per shape of the reader's rule and number of keys (ADR 0060): building
    # and compiling its nine count subqueries was most of the list's time worked out afresh.
    rows = list_queries.read(
        user=user, ids=ids, today=day, with_counts=_with_counts, inspectors=_inspectors(), using=Inspection.objects.db
    )
    if rows is None:
        rows = _inspections_by_ids_reference(user=user, ids=ids, today=day)
    found = {row.pk: row for row in rows}
    return [found[pk] for pk in ids if pk in found]


def _inspections_by_ids_reference(*, user: AnyUser, ids: Sequence[int], today: datetime.date) -> list[Inspection]:
    """``inspections_by_ids``' rows built as a queryset for the call (as before ADR 0060), in no particular
    order: the reference the compiled statement is tested against, and the path for a reader whose rule has
    no template (``access.rule_template``: a rule that holds a queryset)."""
    return list(_with_counts(_inspection_rows(user).filter(pk__in=list(ids)), today))


def _filtered(
    qs: QuerySet[Inspection], user: AnyUser, filters: InspectionFilters | None, day: datetime.date
) -> QuerySet[Inspection]:
    """``qs`` narrowed by the list's filters (never widened)."""
    wanted = filters or InspectionFilters()
    if wanted.status:
        qs = qs.filter(status=wanted.status)
    if wanted.kind:
        qs = qs.filter(kind=wanted.kind)
    if wanted.partner is not None:
        qs = qs.filter(target_partner_id=wanted.partner)
    if wanted.q.strip():
        words = wanted.q.strip()
        qs = qs.filter(
            Q(target_partner__name__icontains=words)
            | Q(target_partner__short_name__icontains=words)
            | Q(scope__icontains=words)
        )
    if wanted.mine:
        qs = qs.filter(pk__in=access.scope(Inspection.objects.all(), user, "record").values("pk"))
    if wanted.overdue:
        late = CorrectiveAction.objects.filter(status__in=AWAITING_ANSWER, due_date__lt=day)
        qs = qs.filter(pk__in=late.values("finding__inspection_id"))
    return qs


def inspection_detail(*, user: AnyUser, pk: Any) -> Inspection | None:
    """One inspection the user may see, with its counts and inspectors; None when out of scope (the
    caller answers 404, so a planned spot inspection seems not to exist to the target's people)."""
    try:
        wanted = int(pk)
    except (TypeError, ValueError):
        return None
    qs = _with_counts(_inspection_rows(user), timezone.localdate())
    return qs.select_related("target_placement__supervisor", "created_by", "published_by").filter(pk=wanted).first()


@dataclass(frozen=True)
class Worklist:
    """An inspector's day: planned visits (today's first), those in progress, answers to verify."""

    upcoming: list[Inspection]
    in_progress: list[Inspection]
    to_verify: list[CorrectiveAction]

    @property
    def is_empty(self) -> bool:
        return not (self.upcoming or self.in_progress or self.to_verify)


def worklist(*, user: AnyUser, today: datetime.date | None = None) -> Worklist:
    """The inspections assigned to the user that are planned or in progress, and the answered
    corrective actions of their inspections waiting for their verification (four queries)."""
    day = today or timezone.localdate()
    mine = list(
        inspections_for(user=user, filters=InspectionFilters(mine=True), today=day).filter(
            status__in=(InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS)
        )
    )
    upcoming = sorted((i for i in mine if i.status == InspectionStatus.PLANNED), key=lambda i: (i.planned_date, i.pk))
    in_progress = [i for i in mine if i.status == InspectionStatus.IN_PROGRESS]
    to_verify = list(actions_for(user=user, filters=ActionFilters(todo="verify"), today=day))
    return Worklist(upcoming=upcoming, in_progress=in_progress, to_verify=to_verify)


# --- The checklist ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistRow:
    item: ChecklistItem
    result: ChecklistResult | None


@dataclass
class AspectGroup:
    """The items of one aspect with their current results, and how they were rated."""

    aspect: str
    label: str
    rows: list[ChecklistRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def rated(self) -> int:
        return sum(1 for row in self.rows if row.result is not None)

    @property
    def percent(self) -> int:
        return percent(self.rated, self.total)

    def _rated(self, rating: str) -> int:
        return sum(1 for row in self.rows if row.result is not None and row.result.rating == rating)

    @property
    def conforming(self) -> int:
        return self._rated(Rating.CONFORMING)

    @property
    def minor_gaps(self) -> int:
        return self._rated(Rating.MINOR_GAP)

    @property
    def major_gaps(self) -> int:
        return self._rated(Rating.MAJOR_GAP)

    @property
    def not_applicable(self) -> int:
        return self._rated(Rating.NOT_APPLICABLE)

    @property
    def bars(self) -> list[tuple[str, int, int]]:
        """(rating, count, percent of the aspect's items) for a stacked bar of results."""
        counts = (
            (Rating.CONFORMING, self.conforming),
            (Rating.MINOR_GAP, self.minor_gaps),
            (Rating.MAJOR_GAP, self.major_gaps),
            (Rating.NOT_APPLICABLE, self.not_applicable),
        )
        return [(str(rating), count, percent(count, self.total)) for rating, count in counts if count]


@dataclass(frozen=True)
class Checklist:
    groups: list[AspectGroup]

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)

    @property
    def rated(self) -> int:
        return sum(group.rated for group in self.groups)

    @property
    def unrated(self) -> int:
        return self.total - self.rated

    @property
    def percent(self) -> int:
        return percent(self.rated, self.total)


def checklist_rows(inspection: Inspection) -> Checklist:
    """The inspection's checklist items grouped by aspect (feasibility, quality, results), each with its
    current result (two queries). The caller has fetched ``inspection`` through the user's scope."""
    results = {
        result.item_id: result
        for result in ChecklistResult.objects.filter(inspection=inspection).select_related("recorded_by")
    }
    groups = {aspect: AspectGroup(aspect=aspect, label=str(label)) for aspect, label in Aspect.choices}
    for item in ChecklistItem.objects.filter(template_id=inspection.template_id).order_by("aspect", "order", "code"):
        groups[item.aspect].rows.append(ChecklistRow(item=item, result=results.get(item.pk)))
    return Checklist(groups=[group for group in groups.values() if group.rows])


# --- Findings and the status history --------------------------------------------------------------------


def findings_of(*, user: AnyUser, inspection: Inspection) -> list[Finding]:
    """The inspection's findings the user may see, newest first, with what they concern and their
    corrective action (three queries)."""
    return list(
        access.scope(Finding.objects.filter(inspection=inspection), user, "view")
        .select_related(
            "placement__student__user",
            "placement__site",
            "supervisor",
            "created_by",
            "corrective_action__owner",
            "corrective_action__verified_by",
        )
        .prefetch_related("practice_logs__category")
        .order_by("-created_at", "-pk")
    )


def leads_of(*, user: AnyUser, inspection: Inspection) -> list[InspectionLead]:
    """The points referred to the inspection from student reviews, as the user may see them (the office and
    the inspection's inspectors; nobody else), oldest first, with the finding recorded from each (one query)."""
    return list(
        access.scope(InspectionLead.objects.filter(inspection=inspection), user, "view")
        .select_related("finding")
        .order_by("created_at", "pk")
    )


def open_leads(*, user: AnyUser, inspection: Inspection) -> Any:
    """The inspection's points no finding has been recorded from yet, that the user may see (a queryset:
    the finding form's choices)."""
    return access.scope(
        InspectionLead.objects.filter(inspection=inspection, finding__isnull=True), user, "view"
    ).order_by("created_at", "pk")


@dataclass(frozen=True)
class StatusStep:
    status: str
    label: str
    at: datetime.datetime | None
    by: User | None


def status_history(inspection: Inspection) -> list[StatusStep]:
    """When the inspection reached each status and who moved it there, from its history records (one
    query); the statuses still ahead come with no date."""
    reached: dict[str, tuple[datetime.datetime, User | None]] = {}
    for record in inspection.history.select_related("history_user").order_by("history_date", "history_id"):  # type: ignore[attr-defined]
        if record.status not in reached:
            reached[record.status] = (record.history_date, record.history_user)
    dates: dict[str, datetime.datetime | None] = {
        InspectionStatus.PLANNED: inspection.created_at,
        InspectionStatus.IN_PROGRESS: inspection.started_at,
        InspectionStatus.CLOSED: inspection.closed_at,
        InspectionStatus.PUBLISHED: inspection.published_at,
    }
    steps = []
    for status, label in InspectionStatus.choices:
        at, by = reached.get(status, (None, None))
        # The row's own timestamps are authoritative; the history adds who did it.
        steps.append(StatusStep(status=status, label=str(label), at=dates[status] or at, by=by))
    return steps


# --- Corrective actions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionFilters:
    """What the corrective-action list may be narrowed by; it never widens the user's scope."""

    overdue: bool = False
    status: str = ""
    partner: int | None = None
    #: "answer": the user's to answer; "verify": the user's to verify; "": every action the user may see
    todo: str = ""


def _answerable(user: AnyUser) -> QuerySet[CorrectiveAction]:
    return access.scope(CorrectiveAction.objects.filter(status__in=AWAITING_ANSWER), user, "answer")


def _verifiable(user: AnyUser) -> QuerySet[CorrectiveAction]:
    return access.scope(CorrectiveAction.objects.filter(status=ActionStatus.ANSWERED), user, "verify")


def actions_for(
    *, user: AnyUser, filters: ActionFilters | None = None, today: datetime.date | None = None
) -> QuerySet[CorrectiveAction]:
    """The corrective actions the user may see, those waiting for the user first (to answer, or to
    verify), overdue ones first among them, then by due date. Each row carries ``overdue`` and
    ``needs_me``. One query for any number of rows."""
    wanted = filters or ActionFilters()
    day = today or timezone.localdate()
    qs = access.scope(CorrectiveAction.objects.all(), user, "view").select_related(
        "owner", "verified_by", "finding__inspection__target_partner", "finding__inspection__target_site"
    )
    if wanted.todo == "answer":
        qs = qs.filter(pk__in=_answerable(user).values("pk"))
    elif wanted.todo == "verify":
        qs = qs.filter(pk__in=_verifiable(user).values("pk"))
    if wanted.status:
        qs = qs.filter(status=wanted.status)
    if wanted.partner is not None:
        qs = qs.filter(finding__inspection__target_partner_id=wanted.partner)
    if wanted.overdue:
        qs = qs.filter(status__in=AWAITING_ANSWER, due_date__lt=day)
    return qs.annotate(
        overdue=Case(
            When(status__in=AWAITING_ANSWER, due_date__lt=day, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        needs_me=Case(
            # A When whose subquery is empty for this user (not a coordinator, not an inspector) is skipped.
            When(pk__in=_answerable(user).values("pk"), then=Value(True)),
            When(pk__in=_verifiable(user).values("pk"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    ).order_by("-needs_me", "-overdue", "due_date", "pk")


def action_ids_for(*, user: AnyUser, actions: Iterable[CorrectiveAction]) -> dict[str, set[int]]:
    """Of these actions, which the user may answer and which verify or reopen (two queries): the
    detail page shows each action's buttons only to the people who may press them."""
    ids = [action.pk for action in actions]
    if not ids:
        return {"answer": set(), "verify": set()}
    return {
        "answer": set(_answerable(user).filter(pk__in=ids).values_list("pk", flat=True)),
        "verify": set(_verifiable(user).filter(pk__in=ids).values_list("pk", flat=True)),
    }


# --- The start page and the navigation ---------------------------------------------------------------


def _coordinated_partner_ids(user: AnyUser) -> list[int]:
    return [m.partner_id for m in access.user_partner_roles(user) if m.role == MembershipRole.COORDINATOR]


def start_counts(*, user: AnyUser, today: datetime.date | None = None) -> dict[str, dict[str, int]]:
    """The counts the start page shows, per role the user holds, read through ``access.scope`` only:
    ``office`` (planned, in progress, closed awaiting publication, overdue actions), ``inspector`` (their
    inspections in progress and upcoming, answers to verify) and ``coordinator`` (their partner's started
    inspections in progress, actions to answer and how many are overdue). A planned spot inspection never
    shows in a coordinator's numbers: the scope holds only started ones."""
    if not user.is_authenticated:
        return {}
    day = today or timezone.localdate()
    counts: dict[str, dict[str, int]] = {}
    visible = access.scope(Inspection.objects.all(), user, "view")
    if access.is_office(user):
        counts["office"] = visible.aggregate(
            planned=Count("pk", filter=Q(status=InspectionStatus.PLANNED)),
            in_progress=Count("pk", filter=Q(status=InspectionStatus.IN_PROGRESS)),
            closed=Count("pk", filter=Q(status=InspectionStatus.CLOSED)),
        )
        counts["office"]["overdue_actions"] = access.scope(
            CorrectiveAction.objects.filter(status__in=AWAITING_ANSWER, due_date__lt=day), user, "view"
        ).count()
    if access.is_inspector(user):
        assigned = access.scope(Inspection.objects.all(), user, "record")
        counts["inspector"] = assigned.aggregate(
            upcoming=Count("pk", filter=Q(status=InspectionStatus.PLANNED)),
            in_progress=Count("pk", filter=Q(status=InspectionStatus.IN_PROGRESS)),
        )
        counts["inspector"]["to_verify"] = _verifiable(user).count()
    partner_ids = _coordinated_partner_ids(user)
    if partner_ids:
        answerable = _answerable(user)
        counts["coordinator"] = visible.filter(target_partner_id__in=partner_ids).aggregate(
            in_progress=Count("pk", filter=Q(status=InspectionStatus.IN_PROGRESS)),
            started=Count("pk"),
        )
        counts["coordinator"].update(
            answerable.aggregate(to_answer=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=day)))
        )
    return counts


def shows_inspections(user: AnyUser) -> bool:
    """Whether the navigation offers "Inspections": office, inspectors and partner coordinators (one
    query at most; the platform roles are cached on the user)."""
    if not user.is_authenticated:
        return False
    if access.is_office(user) or access.is_inspector(user):
        return True
    return access.user_partner_roles(user).filter(role=MembershipRole.COORDINATOR).exists()


def describe_target(inspection: Inspection) -> str:
    """The inspection's target in words: the partner, and its site or placement when narrowed."""
    partner = inspection.target_partner.name
    if inspection.target_site_id is not None and inspection.target_site is not None:
        return _("%(partner)s, site %(site)s") % {"partner": partner, "site": inspection.target_site.name}
    if inspection.target_placement_id is not None and inspection.target_placement is not None:
        student = inspection.target_placement.student.user.display_name
        return _("%(partner)s, placement of %(student)s") % {"partner": partner, "student": student}
    return partner


@dataclass(frozen=True)
class TrailEntry:
    """One step in a corrective action's life, read from its history: who did what, when, and the text
    they gave. Answers and reasons are overwritten on the row by the next round; the trail keeps them."""

    at: datetime.datetime
    by: str
    status: str
    status_label: str
    text: str


def action_trails(actions: Sequence[CorrectiveAction]) -> dict[int, list[TrailEntry]]:
    """Each action's steps (status changes with their answer or reason), oldest first, in one query."""
    ids = [action.pk for action in actions]
    if not ids:
        return {}
    labels = dict(ActionStatus.choices)
    trails: dict[int, list[TrailEntry]] = {pk: [] for pk in ids}
    previous: dict[int, str] = {}
    records = (
        CorrectiveAction.history.filter(id__in=ids)  # type: ignore[attr-defined]
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    for record in records:
        if previous.get(record.id) == record.status:
            continue
        previous[record.id] = record.status
        text = record.answer if record.status == ActionStatus.ANSWERED else ""
        if record.status == ActionStatus.REOPENED:
            text = record.reopen_reason
        user = record.history_user
        trails[record.id].append(
            TrailEntry(
                at=record.history_date,
                by=(user.full_name or user.username) if user is not None else "",
                status=record.status,
                status_label=str(labels.get(record.status, record.status)),
                text=text,
            )
        )
    return trails


# --- The pages' choices and reads --------------------------------------------------------------------


def partner_filter_choices(*, user: AnyUser) -> QuerySet[Partner] | None:
    """The partners the office may filter the inspection and action lists by, by name; None for everyone
    else, whose lists hold only the partners in their scope (the filter is left out for them)."""
    if not access.is_office(user):
        return None
    return access.scope(Partner.objects.order_by("name"), user, "view")


def finding_action(*, user: AnyUser, finding: Finding) -> CorrectiveAction | None:
    """The corrective action a finding opened, if any (an observation opens none) and the user sees it."""
    return access.scope(CorrectiveAction.objects.filter(finding=finding), user, "view").first()


def inspection_partner_choices(*, user: AnyUser) -> QuerySet[Partner]:
    """The partners an inspection may be planned for, by name."""
    return access.scope(Partner.objects.order_by("name"), user, "view")


def inspection_site_choices(*, user: AnyUser, partner_id: int | None) -> QuerySet[Site]:
    """The sites an inspection may be narrowed to: the chosen partner's, or every partner's before one is
    chosen (the form labels them with their partner)."""
    sites = access.scope(Site.objects.select_related("partner"), user, "view").order_by("partner__name", "name")
    return sites if partner_id is None else sites.filter(partner_id=partner_id)


def inspection_placement_choices(*, user: AnyUser, partner_id: int | None) -> QuerySet[Placement]:
    """The placements (not cancelled) an inspection may be narrowed to: the chosen partner's, latest first;
    none before a partner is chosen."""
    placements = (
        access.scope(Placement.objects.exclude(status=PlacementStatus.CANCELLED), user, "view")
        .select_related("student__user", "site")
        .order_by("-start_date", "pk")
    )
    return placements.none() if partner_id is None else placements.filter(partner_id=partner_id)


def inspection_template_choices(*, user: AnyUser) -> QuerySet[ChecklistTemplate]:
    """The active checklists the user may plan with, by name."""
    return access.scope(ChecklistTemplate.objects.filter(is_active=True), user, "view").order_by("name")


def inspection_inspector_choices() -> QuerySet[User]:
    """Everybody holding the inspector role, by name (the service refuses one belonging to the target)."""
    return access.users_with_platform_role(PlatformRole.INSPECTOR).order_by("full_name", "username")


def finding_placement_choices(*, user: AnyUser, inspection: Inspection) -> QuerySet[Placement]:
    """The inspected partner's placements (not cancelled) the user sees, latest first."""
    return (
        access.scope(Placement.objects.filter(partner_id=inspection.target_partner_id), user, "view")
        .exclude(status=PlacementStatus.CANCELLED)
        .select_related("student__user", "site")
        .order_by("-start_date", "pk")
    )


def finding_supervisor_choices(*, user: AnyUser, inspection: Inspection) -> QuerySet[User]:
    """The people supervising at the inspected partner (a supervisor's membership in force the user
    sees), by name."""
    members = access.scope(
        Membership.objects.active().filter(partner_id=inspection.target_partner_id, role=MembershipRole.SUPERVISOR),
        user,
        "view",
    )
    return User.objects.filter(pk__in=members.values("user_id")).order_by("full_name", "username")


def finding_log_choices(*, user: AnyUser, inspection: Inspection, since: datetime.date) -> QuerySet[PracticeLog]:
    """The practice-hour entries at the inspected partner since ``since`` that the user sees, newest first."""
    logs = PracticeLog.objects.filter(placement__partner_id=inspection.target_partner_id, date__gte=since)
    return access.scope(logs, user, "view").select_related("student__user", "category").order_by("-date", "-pk")


def _draw_picks() -> Prefetch[Any]:
    picked = (
        DrawCandidate.objects.filter(pick_order__isnull=False)
        .select_related("partner", "inspection")
        .order_by("pick_order")
    )
    return Prefetch("candidates", queryset=picked, to_attr="picks")


def draw_list(*, user: AnyUser) -> QuerySet[SpotDraw]:
    """Every draw the user may see, newest first, with its number of candidates and its picks (with their
    inspections): four queries for a page however many draws and picks it shows."""
    return (
        access.scope(SpotDraw.objects.all(), user)
        .annotate(candidate_count=Count("candidates"))
        .prefetch_related(_draw_picks())
        .order_by("-drawn_at", "-pk")
    )


def draw_of_period(*, user: AnyUser, period: str) -> SpotDraw | None:
    """The draw of a period, if it was made and the user may see it."""
    return access.scope(SpotDraw.objects.filter(period=period), user).first()


def draw_candidates(*, user: AnyUser, draw: SpotDraw) -> list[DrawCandidate]:
    """A draw's candidates the user may see, in their order, with partner and inspection."""
    candidates = draw.candidates.select_related("partner", "inspection").order_by("position")
    return list(access.scope(candidates, user))


def inspection_reports(*, user: AnyUser, inspection_id: int) -> QuerySet[InspectionReport]:
    """The report versions of one inspection that ``user`` may open (none before closing), for the
    report page and the inspection page's report panel: by variant, language, newest version first."""
    return (
        access.scope(InspectionReport.objects.filter(inspection_id=inspection_id), user)
        .select_related("inspection__target_partner", "requested_by")
        .order_by("variant", "language", "-version")
    )
