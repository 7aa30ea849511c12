"""Reads shared by the projects pages, the API, the plan section and the office's report. Every read of
rows starts from the scoped queryset (``access.scope``); the plan section reads the one student whose plan
the reader already may see (``students`` scoped it)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from accounts.roles import AnyUser
from funds.models import Allocation, Expenditure, ExpenditureStatus
from partners import access
from partners.models import Membership, Partner
from programmes.models import Programme
from projects.models import (
    BoardPost,
    JoinRequest,
    OutputStatus,
    PointAward,
    PointsScheme,
    Project,
    ProjectExpenditure,
    ProjectMember,
    ProjectOutput,
    RequestStatus,
    Scale,
)
from students.models import Student

ZERO = Decimal("0")


def project_list(*, user: AnyUser, filters: Mapping[str, Any] | None = None) -> QuerySet[Project]:
    """Projects the user may see, newest first, with their lead partner and leader."""
    filters = filters or {}
    projects = access.scope(Project.objects.all(), user, "view").select_related("lead_partner", "leader", "programme")
    if status := filters.get("status"):
        projects = projects.filter(status=status)
    if kind := filters.get("kind"):
        projects = projects.filter(kind=kind)
    if scale := filters.get("scale"):
        projects = projects.filter(scale=scale)
    return projects.annotate(member_count=Count("members", distinct=True)).order_by("-start_date", "-pk")


def project_members(*, project: Project) -> list[ProjectMember]:
    return list(project.members.select_related("user").order_by("role", "pk"))


def project_outputs(*, project: Project) -> list[ProjectOutput]:
    return list(
        project.outputs.select_related("submitted_by", "decided_by")
        .prefetch_related("contributors")
        .order_by("-achieved_on", "-pk")
    )


def output_list(*, user: AnyUser, filters: Mapping[str, Any] | None = None) -> QuerySet[ProjectOutput]:
    filters = filters or {}
    outputs = access.scope(ProjectOutput.objects.all(), user, "view").select_related("project")
    if status := filters.get("status"):
        outputs = outputs.filter(status=status)
    return outputs.prefetch_related("contributors").order_by("-achieved_on", "-pk")


def outputs_to_verify(*, user: AnyUser, filters: Mapping[str, Any] | None = None) -> QuerySet[ProjectOutput]:
    """Outputs waiting for the office's check (the office's scope for ``verify``), narrowed by ``filters``
    (``projects.forms.OutputFilterForm``: the project's ``programme``, and a ``cohort`` one of whose students
    contributed, as the quality report counts a cohort's outputs)."""
    filters = filters or {}
    rows = access.scope(ProjectOutput.objects.filter(status=OutputStatus.SUBMITTED), user, "verify")
    if filters.get("programme") is not None:
        rows = rows.filter(project__programme=filters["programme"])
    if filters.get("cohort") is not None:
        contributed = ProjectOutput.contributors.through.objects.filter(
            projectoutput_id=OuterRef("pk"), user__student__cohort=filters["cohort"]
        )
        rows = rows.filter(Exists(contributed))
    return rows


def board_list(*, user: AnyUser, only_open: bool = True) -> QuerySet[BoardPost]:
    """Board posts (open ones by default) with their project and how many were accepted; whether the user
    has a pending request on each (``my_request``)."""
    posts = access.scope(BoardPost.objects.all(), user, "view").select_related(
        "project__lead_partner", "project__leader"
    )
    if only_open:
        posts = posts.filter(is_open=True)
    mine = JoinRequest.objects.filter(post=OuterRef("pk"), student_id=user.pk).order_by("-requested_at")
    return posts.annotate(
        accepted=Count("requests", filter=Q(requests__status=RequestStatus.ACCEPTED), distinct=True),
        my_request=Subquery(mine.values("status")[:1]),
    ).order_by("-posted_at", "-pk")


def requests_for_project(*, user: AnyUser, project: Project) -> list[JoinRequest]:
    """Join requests to a project's posts that the user may see (managers: all; a student: their own)."""
    requests = access.scope(JoinRequest.objects.filter(post__project=project), user, "view")
    return list(requests.select_related("student", "answered_by", "post").order_by("-requested_at"))


def requests_to_answer(*, user: AnyUser) -> QuerySet[JoinRequest]:
    """Pending requests the user may answer (the projects they lead or whose lead partner they coordinate).
    The office answers only as a fallback, so it is not asked on its start page."""
    if access.is_office(user):
        return JoinRequest.objects.none()
    return access.scope(JoinRequest.objects.filter(status=RequestStatus.PENDING), user, "answer")


def scheme_list(*, user: AnyUser, programme: int | None = None) -> QuerySet[PointsScheme]:
    schemes = access.scope(PointsScheme.objects.all(), user, "view").select_related("programme")
    if programme:
        schemes = schemes.filter(programme_id=programme)
    return schemes.order_by("programme__name", "-valid_from")


def host_partner_choices(*, user: AnyUser) -> QuerySet[Partner]:
    """Partners the user may name as a new project's lead partner."""
    return access.scope(Partner.objects.all(), user, "host_project").order_by("name")


def partner_choices(*, user: AnyUser) -> QuerySet[Partner]:
    """Partners that may be involved in a project (the directory every signed-in person reads)."""
    return access.scope(Partner.objects.all(), user, "view").order_by("name")


def programme_choices(*, user: AnyUser) -> QuerySet[Programme]:
    return access.scope(Programme.objects.all(), user, "view").order_by("name")


def people_choices() -> QuerySet[User]:
    """People who can lead or join a project: students and anyone with a membership in force (names only
    are shown, as on the partner pages' member lists)."""
    members = Membership.objects.active().values("user_id")
    return (
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=members) | Q(student__isnull=False))
        .order_by("full_name", "username")
    )


# --- Points ---------------------------------------------------------------------------------------------


def points_ledger(*, user: AnyUser, person: int | None = None, year: int | None = None) -> QuerySet[PointAward]:
    """Awards the user may see (a person's, given ``person``), newest first, with what they came from."""
    awards = access.scope(PointAward.objects.all(), user, "view").select_related(
        "person", "project", "output", "scheme"
    )
    if person is not None:
        awards = awards.filter(person_id=person)
    if year is not None:
        awards = awards.filter(year=year)
    return awards.order_by("-awarded_on", "-pk")


@dataclass
class PointsSummary:
    """A person's points: the total, by year and by scale, and the rows behind them."""

    total: Decimal = ZERO
    by_year: dict[int, Decimal] = field(default_factory=dict)
    by_scale: dict[str, Decimal] = field(default_factory=dict)
    rows: list[PointAward] = field(default_factory=list)

    @property
    def by_scale_labelled(self) -> list[tuple[str, Decimal]]:
        return [(str(Scale(scale).label), value) for scale, value in self.by_scale.items()]


def points_summary(awards: QuerySet[PointAward] | list[PointAward]) -> PointsSummary:
    """Sum the rows (reversals included): no cap, every project counts."""
    summary = PointsSummary(rows=list(awards))
    years: dict[int, Decimal] = defaultdict(lambda: ZERO)
    scales: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for award in summary.rows:
        summary.total += award.points
        years[award.year] += award.points
        scales[award.scale] += award.points
    summary.by_year = dict(sorted(years.items(), reverse=True))
    summary.by_scale = {scale: scales.get(scale, ZERO) for scale in Scale.values}
    return summary


def student_points(*, user: AnyUser, student: Student) -> tuple[PointsSummary, list[PointAward]]:
    """A student's points in their programme, for their plan: the summary over every row (the progress
    towards the programme's minimum is part of the plan, which the students app has scoped to the reader)
    and the rows behind it that the reader may see (``PointAward`` "view": the student, their tutor, the
    office, coordinators of the projects' partners). One query: every row, each marked with whether the
    reader may see it (the rule tested on the row, as ``access.can`` does), rather than the rows read twice."""
    awards = PointAward.objects.filter(person_id=student.user_id, programme_id=student.programme_id)
    visible = access.scope(PointAward.objects.filter(pk=OuterRef("pk")), user, "view", correlated=True)
    shown = Value(False) if visible.query.is_empty() else Exists(visible)
    marked = awards.annotate(visible=shown)
    rows = list(marked.select_related("project", "output", "scheme").order_by("-awarded_on", "-pk"))
    return points_summary(list[PointAward](rows)), [award for award in rows if award.visible]


def points_total_subquery(person_ref: str = "user_id", programme_ref: str = "programme_id") -> Any:
    """SQL: a person's points in a programme (0 without awards), for an outer query over students."""
    earned = (
        PointAward.objects.filter(person_id=OuterRef(person_ref), programme_id=OuterRef(programme_ref))
        .order_by()
        .values("person_id")
        .annotate(total=Sum("points"))
        .values("total")
    )
    return Coalesce(Subquery(earned, output_field=DecimalField()), Value(ZERO), output_field=DecimalField())


def behind_on_points(today: datetime.date) -> Any:
    """SQL over students: behind on project points (less than half the programme's minimum a year after
    enrolment, or less than the minimum two years after). A condition on the outer student row itself: an
    EXISTS over the students table again (a row matched to itself) was planned as a hashed subplan reading
    every student, with two sums each, on every list that asks who is at risk (issue #19).

    The minimum is the student's programme's, joined (one row per student): as a subquery per student it
    carried the programme's default order, a sort for each of the 8,000 students not late on the at-risk
    list (its keys statement 20.8 → 13.6 ms, issue #19). "Less than half" doubles the points rather than
    halve the minimum, which is an integer: SQL's integer division floored an odd minimum (5 → 2), so two
    points of five read as not behind."""
    from django.db.models.lookups import GreaterThan, LessThan

    minimum = F("programme__min_project_points")
    earned = points_total_subquery()
    one_year, two_years = today - datetime.timedelta(days=365), today - datetime.timedelta(days=730)
    return Q(GreaterThan(minimum, Value(0))) & (
        Q(enrolled_on__lte=one_year) & Q(LessThan(earned * Value(Decimal("2")), minimum))
        | Q(enrolled_on__lte=two_years) & Q(LessThan(earned, minimum))
    )


# --- The office's performance reward report --------------------------------------------------------------


@dataclass
class RankRow:
    """One ranked line of the report: a person or a team, its points by scale and its count of awards."""

    rank: int
    key: int
    name: str
    total: Decimal
    small: Decimal
    medium: Decimal
    large: Decimal
    outputs: Decimal
    awards: int
    detail: str = ""


@dataclass
class RewardReport:
    year: int | None
    years: list[int]
    people: list[RankRow]
    tutors: list[RankRow]
    supervisors: list[RankRow]
    partners: list[RankRow]
    by_year_scale: dict[int, dict[str, Decimal]]
    breakdown: dict[int, list[PointAward]]


def _sums() -> dict[str, Any]:
    dec = DecimalField(max_digits=12, decimal_places=2)
    zero = Value(ZERO, output_field=dec)

    def part(condition: Q) -> Any:
        return Coalesce(Sum("points", filter=condition), zero, output_field=dec)

    return {
        "total": Coalesce(Sum("points"), zero, output_field=dec),
        "small": part(Q(scale=Scale.SMALL)),
        "medium": part(Q(scale=Scale.MEDIUM)),
        "large": part(Q(scale=Scale.LARGE)),
        "from_outputs": part(Q(source="output")),
        "n": Count("pk"),
    }


def _ranked(rows: list[dict[str, Any]], names: Mapping[int, str], key: str) -> list[RankRow]:
    rows = sorted(rows, key=lambda r: (-r["total"], names.get(r[key], "")))
    ranked, rank, previous = [], 0, None
    for position, row in enumerate(rows, start=1):
        if row["total"] != previous:
            rank, previous = position, row["total"]
        ranked.append(
            RankRow(
                rank=rank,
                key=row[key],
                name=names.get(row[key], str(row[key])),
                total=row["total"],
                small=row["small"],
                medium=row["medium"],
                large=row["large"],
                outputs=row["from_outputs"],
                awards=row["n"],
            )
        )
    return ranked


def _team(per_person: dict[int, dict[str, Any]], members_of: dict[int, set[int]]) -> list[dict[str, Any]]:
    """A team's sums: the lead person's own rows and those of the people in their team."""
    fields = ("total", "small", "medium", "large", "from_outputs", "n")
    teams = []
    for lead, members in members_of.items():
        row: dict[str, Any] = {"lead": lead, **{f: ZERO if f != "n" else 0 for f in fields}}
        for person in {lead, *members}:
            for f in fields:
                row[f] += per_person.get(person, {}).get(f, 0)
        if row["n"]:
            teams.append(row)
    return teams


def reward_report(*, user: AnyUser, year: int | None) -> RewardReport:
    """Points per person and per team (a tutor with their tutees, a supervisor with their co-supervised
    students, a partner with the projects it leads), ranked, for one year or all years; and points by
    scale per year (the chart: are small projects rewarded?). A fixed number of queries."""
    awards = access.scope(PointAward.objects.all(), user, "view")
    years = sorted(set(awards.values_list("year", flat=True).distinct()), reverse=True)
    in_year = awards.filter(year=year) if year else awards
    per_person: dict[int, dict[str, Any]] = {
        row["person"]: dict(row) for row in in_year.values("person").annotate(**_sums()).order_by()
    }
    people = User.objects.filter(pk__in=list(per_person)).only("pk", "username", "full_name", "first_name", "last_name")
    names = {u.pk: u.display_name for u in people}
    students = Student.objects.filter(user_id__in=list(per_person)).values(
        "user_id", "tutor_id", "practice_supervisor_id"
    )
    tutors: dict[int, set[int]] = defaultdict(set)
    supervisors: dict[int, set[int]] = defaultdict(set)
    for s in students:
        if s["tutor_id"]:
            tutors[s["tutor_id"]].add(s["user_id"])
        if s["practice_supervisor_id"]:
            supervisors[s["practice_supervisor_id"]].add(s["user_id"])
    leads = set(tutors) | set(supervisors)
    missing = leads - set(names)
    if missing:
        for u in User.objects.filter(pk__in=missing).only("pk", "username", "full_name", "first_name", "last_name"):
            names[u.pk] = u.display_name
    tutor_rows = [{"person": r.pop("lead"), **r} for r in _team(per_person, tutors)]
    supervisor_rows = [{"person": r.pop("lead"), **r} for r in _team(per_person, supervisors)]
    partner_rows: list[dict[str, Any]] = [
        dict(row) for row in in_year.values("project__lead_partner").annotate(**_sums()).order_by()
    ]
    partner_names = dict(
        Partner.objects.filter(pk__in=[r["project__lead_partner"] for r in partner_rows]).values_list("pk", "name")
    )
    by_year_scale: dict[int, dict[str, Decimal]] = {}
    for row in awards.values("year", "scale").annotate(total=Sum("points")).order_by():
        by_year_scale.setdefault(row["year"], {s: ZERO for s in Scale.values})[row["scale"]] = row["total"]
    breakdown: dict[int, list[PointAward]] = defaultdict(list)
    for award in in_year.select_related("project", "output", "scheme").order_by("person_id", "-awarded_on", "-pk"):
        breakdown[award.person_id].append(award)
    return RewardReport(
        year=year,
        years=years,
        people=_ranked(list(per_person.values()), names, "person"),
        tutors=_ranked(tutor_rows, names, "person"),
        supervisors=_ranked(supervisor_rows, names, "person"),
        partners=_ranked(partner_rows, partner_names, "project__lead_partner"),
        by_year_scale=dict(sorted(by_year_scale.items())),
        breakdown=dict(breakdown),
    )


def project_with_children(project: Project) -> Project:
    """A project with its members and outputs prefetched (for the detail page)."""
    return (
        Project.objects.filter(pk=project.pk)
        .select_related("lead_partner", "leader", "programme", "scheme", "fund_allocation__fund__source")
        .select_related("fund_allocation__partner")
        .prefetch_related(
            Prefetch("members", queryset=ProjectMember.objects.select_related("user").order_by("role", "pk")),
            "partners",
        )
        .get()
    )


# --- training funds: the allocation that pays for a project, the expenditures serving it (ADR 0038) --------

#: how many linked expenditures a project page lists (the totals cover them all)
SPENDING_ROWS = 20


@dataclass
class ProjectSpending:
    """What a project's linked expenditures add up to: approved, awaiting approval (reversed entries and
    their reversals net out of both), and the newest rows the reader may open."""

    approved: Decimal
    pending: Decimal
    count: int
    rows: list[Any]


def allocation_choices(*, user: AnyUser) -> QuerySet[Allocation]:
    """The allocations the user may read (the service still checks they fit the project's partner)."""
    return access.scope(Allocation.objects.all(), user, "view").select_related("fund", "partner")


def project_spending(*, project: Project) -> ProjectSpending:
    """The project's linked expenditures: two queries however many there are."""
    links = ProjectExpenditure.objects.filter(project=project, expenditure__reversed_by__isnull=True)
    totals = links.aggregate(
        approved=Coalesce(
            Sum("expenditure__amount", filter=Q(expenditure__status=ExpenditureStatus.APPROVED)),
            Value(ZERO),
            output_field=DecimalField(),
        ),
        pending=Coalesce(
            Sum("expenditure__amount", filter=Q(expenditure__status=ExpenditureStatus.PENDING)),
            Value(ZERO),
            output_field=DecimalField(),
        ),
        count=Count("pk"),
    )
    rows = list(
        ProjectExpenditure.objects.filter(project=project)
        .select_related("expenditure__reversed_by", "linked_by")
        .order_by("-expenditure__date", "-pk")[:SPENDING_ROWS]
    )
    return ProjectSpending(totals["approved"], totals["pending"], totals["count"], rows)


def linkable_expenditures(*, user: AnyUser, project: Project) -> QuerySet[Expenditure]:
    """Expenditures of the project's allocation the user may read that serve no project yet (no reversals,
    nothing reversed), newest first."""
    if project.fund_allocation_id is None:
        return Expenditure.objects.none()
    return (
        access.scope(Expenditure.objects.all(), user, "view")
        .filter(allocation_id=project.fund_allocation_id, reverses__isnull=True, reversed_by__isnull=True)
        .exclude(Exists(ProjectExpenditure.objects.filter(expenditure=OuterRef("pk"))))
        .order_by("-date", "-pk")
    )


def allocation_projects(*, user: AnyUser, allocation: Allocation) -> tuple[list[Project], int]:
    """The projects an allocation pays for that the user may see, each with what its linked expenditures
    add up to (``linked_spent``, reversed entries netted out), and how many others the user may not see:
    two queries."""
    paid = Project.objects.filter(fund_allocation=allocation)
    shown: list[Project] = list(
        access.scope(paid, user, "view")
        .select_related("lead_partner")
        .annotate(
            linked_spent=Coalesce(
                Sum(
                    "expenditure_links__expenditure__amount",
                    filter=Q(expenditure_links__expenditure__reversed_by__isnull=True),
                ),
                Value(ZERO),
                output_field=DecimalField(),
            )
        )
        .order_by("-start_date", "-pk")
    )
    return shown, paid.count() - len(shown)
