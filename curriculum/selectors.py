"""Reads shared by the curriculum's pages, the API, the plan section and the start panel. Lists start from
the scoped queryset (``partners.access.scope``); reads about a row already in scope (a programme's
curriculum, a course's links) take the row. Every read here costs a fixed number of queries, however many
courses, objectives or grades there are."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThan
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import AnyUser
from curriculum.models import (
    IE_CATEGORIES,
    Course,
    CourseLink,
    CourseObjective,
    CoverageLevel,
    CurriculumEntry,
    EarnedCredits,
    Enrolment,
    EnrolmentStatus,
    EnrolmentWithdrawal,
    EntryKind,
    Grade,
    GradeStatus,
    LinkKind,
    Offering,
    OfferingTeacher,
    PlacementObjective,
    QualificationRule,
    TeacherProfile,
)
from curriculum.services.teachers import Qualification, qualification_of
from partners import access
from programmes.models import CourseCategory, CreditRequirement, Objective, ObjectiveKind, Programme, RequiredCredits
from students.models import Placement, PlacementStatus, Student

# --- The catalogue --------------------------------------------------------------------------------------


def course_list(*, user: AnyUser, filters: Mapping[str, Any] | None = None) -> QuerySet[Course]:
    """Courses the user may see, with the catalogue's filters: ``category``, ``partner`` (id), ``status``,
    ``language``, ``programme`` (in its curriculum), ``q`` (code or title)."""
    filters = filters or {}
    courses = access.scope(Course.objects.select_related("teaching_partner"), user, "view")
    for name in ("category", "status", "language"):
        if filters.get(name):
            courses = courses.filter(**{name: filters[name]})
    if filters.get("partner"):
        courses = courses.filter(teaching_partner_id=filters["partner"])
    if filters.get("programme"):
        courses = courses.filter(curriculum_entries__programme_id=filters["programme"])
    if filters.get("q"):
        text = str(filters["q"]).strip()
        courses = courses.filter(Q(code__icontains=text) | Q(title_en__icontains=text) | Q(title_zh__icontains=text))
    return courses.order_by("code")


@dataclass
class GraphNode:
    course: Course
    x: int
    y: int
    role: str  # "self", "prerequisite", "dependent", "integrates"


@dataclass
class GraphEdge:
    x1: int
    y1: int
    x2: int
    y2: int
    kind: str


@dataclass
class CourseGraph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    width: int
    height: int


NODE_W, NODE_H, GAP = 150, 36, 14


def course_graph(*, course: Course) -> CourseGraph:
    """The course and its neighbours as a small graph for an inline SVG: prerequisites on the left, the
    courses that require it on the right, integrated courses below (two queries)."""
    outgoing = list(CourseLink.objects.filter(course=course).select_related("other"))
    incoming = list(CourseLink.objects.filter(other=course).select_related("course"))
    prerequisites = [link.other for link in outgoing if link.kind == LinkKind.PREREQUISITE]
    dependents = [link.course for link in incoming if link.kind == LinkKind.PREREQUISITE]
    integrated = [link.other for link in outgoing if link.kind == LinkKind.INTEGRATES]
    integrated += [
        link.course for link in incoming if link.kind == LinkKind.INTEGRATES and link.course not in integrated
    ]
    rows = max(len(prerequisites), len(dependents), 1)
    column_height = rows * (NODE_H + GAP)
    width = 3 * NODE_W + 4 * 40
    centre_x, centre_y = 40 + NODE_W + 40, column_height // 2 - NODE_H // 2 + 10
    nodes = [GraphNode(course, centre_x, centre_y, "self")]
    edges = []

    def column(courses: list[Course], x: int, role: str) -> None:
        top = 10 + (column_height - len(courses) * (NODE_H + GAP)) // 2
        for index, other in enumerate(courses):
            y = top + index * (NODE_H + GAP)
            nodes.append(GraphNode(other, x, y, role))
            if role == "prerequisite":
                edges.append(GraphEdge(x + NODE_W, y + NODE_H // 2, centre_x, centre_y + NODE_H // 2, role))
            else:
                edges.append(GraphEdge(centre_x + NODE_W, centre_y + NODE_H // 2, x, y + NODE_H // 2, role))

    column(prerequisites, 40, "prerequisite")
    column(dependents, centre_x + NODE_W + 40, "dependent")
    below = 10 + column_height + 30
    for index, other in enumerate(integrated):
        x = 40 + index * (NODE_W + 20)
        nodes.append(GraphNode(other, x, below, "integrates"))
        edges.append(GraphEdge(centre_x + NODE_W // 2, centre_y + NODE_H, x + NODE_W // 2, below, "integrates"))
    height = below + (NODE_H + 20 if integrated else 0)
    width = max(width, 40 + len(integrated) * (NODE_W + 20) + 20)
    return CourseGraph(nodes=nodes, edges=edges, width=width, height=height)


# --- A programme's curriculum and its requirement check ---------------------------------------------------


@dataclass
class RequirementRow:
    category: str
    label: str
    required: Decimal
    compulsory: Decimal
    elective: Decimal
    #: "ok", "electives" (compulsory courses fall short but electives can make it up) or "shortfall"
    status: str
    message: str


@dataclass
class CurriculumCheck:
    programme: Programme
    terms: list[tuple[int, list[CurriculumEntry]]]
    requirements: list[RequirementRow]

    @property
    def shortfalls(self) -> list[RequirementRow]:
        return [row for row in self.requirements if row.status != "ok"]


def _credit_shares(course: Course) -> dict[str, Decimal]:
    """The credits a course counts in each category: its own; an integrated course's I&E share also
    counts as I&E (docs/decisions/0017-curriculum-credits-and-coverage.md)."""
    shares = {course.category: course.credits}
    if course.category == CourseCategory.INTEGRATED and course.ie_credits:
        shares[CourseCategory.INNOVATION] = shares.get(CourseCategory.INNOVATION, Decimal("0")) + course.ie_credits
    return shares


def _number(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def curriculum_check(*, programme: Programme) -> CurriculumCheck:
    """A programme's curriculum by term, checked against its credit requirements by category (two queries)."""
    entries = list(
        CurriculumEntry.objects.filter(programme=programme)
        .select_related("course__teaching_partner")
        .order_by("term", "kind", "course__code")
    )
    requirements = list(CreditRequirement.objects.filter(programme=programme).order_by("category"))
    compulsory: dict[str, Decimal] = defaultdict(Decimal)
    elective: dict[str, Decimal] = defaultdict(Decimal)
    for entry in entries:
        target = compulsory if entry.kind == EntryKind.COMPULSORY else elective
        for category, credits in _credit_shares(entry.course).items():
            target[category] += credits
    rows = []
    for requirement in requirements:
        category, label = requirement.category, str(requirement.get_category_display())
        need, comp, elec = requirement.credits, compulsory[requirement.category], elective[requirement.category]
        numbers = {"label": label, "need": _number(need), "comp": _number(comp), "elec": _number(elec)}
        if comp >= need:
            status, message = "ok", _("%(label)s: %(need)s credits required, %(comp)s offered as compulsory.") % numbers
        elif comp + elec >= need:
            status = "electives"
            message = (
                _(
                    "%(label)s: %(need)s credits required, %(comp)s offered as compulsory; "
                    "students make up the rest from %(elec)s elective credits."
                )
                % numbers
            )
        else:
            status = "shortfall"
            message = (
                _("%(label)s: %(need)s credits required, %(comp)s offered as compulsory and %(elec)s as electives.")
                % numbers
            )
        rows.append(RequirementRow(category, label, need, comp, elec, status, message))
    terms: dict[int, list[CurriculumEntry]] = defaultdict(list)
    for entry in entries:
        terms[entry.term].append(entry)
    return CurriculumCheck(programme=programme, terms=sorted(terms.items()), requirements=rows)


# --- The coverage matrix --------------------------------------------------------------------------------


@dataclass
class CoverageColumn:
    key: str
    label: str
    title: str
    kind: str  # "compulsory", "elective" or "placement"


@dataclass
class CoverageRow:
    objective: Objective
    cells: list[int | None]
    flags: list[str] = field(default_factory=list)


@dataclass
class CoverageMatrix:
    programme: Programme
    columns: list[CoverageColumn]
    rows: list[CoverageRow]

    @property
    def flagged(self) -> list[CoverageRow]:
        return [row for row in self.rows if row.flags]


def coverage_matrix(*, programme: Programme) -> CoverageMatrix:
    """Objectives against the curriculum's courses and the placements (by partner, at the highest level
    any placement there reaches), with the flags: nothing masters it; an I&E objective covered only by
    electives. Four queries, however many courses or placements."""
    objectives = list(Objective.objects.filter(programme=programme).order_by("code"))
    entries = list(
        CurriculumEntry.objects.filter(programme=programme).select_related("course").order_by("term", "course__code")
    )
    course_levels = {
        (c.course_id, c.objective_id): c.level
        for c in CourseObjective.objects.filter(
            objective__programme=programme, course__curriculum_entries__programme=programme
        )
    }
    placement_levels = (
        PlacementObjective.objects.filter(objective__programme=programme)
        .exclude(placement__status=PlacementStatus.CANCELLED)
        .values("placement__partner_id", "placement__partner__short_name", "placement__partner__name", "objective_id")
        .annotate(level=Max("level"))
        .order_by("placement__partner__short_name")
    )
    partners: dict[int, tuple[str, str]] = {}
    levels_at: dict[tuple[int, int], int] = {}
    for level_row in placement_levels:
        partner_id = level_row["placement__partner_id"]
        partners[partner_id] = (level_row["placement__partner__short_name"], level_row["placement__partner__name"])
        levels_at[(partner_id, level_row["objective_id"])] = level_row["level"]
    columns = [CoverageColumn(f"c{e.course_id}", e.course.code, e.course.title_en, e.kind) for e in entries] + [
        CoverageColumn(f"p{pid}", short, _("Placements at %(partner)s") % {"partner": name}, "placement")
        for pid, (short, name) in partners.items()
    ]
    rows: list[CoverageRow] = []
    for objective in objectives:
        cells: list[int | None] = [course_levels.get((e.course_id, objective.pk)) for e in entries]
        cells += [levels_at.get((pid, objective.pk)) for pid in partners]
        row = CoverageRow(objective, cells)
        if not any(level == CoverageLevel.MASTERS for level in cells):
            row.flags.append(_("Nothing masters this objective."))
        if objective.kind == ObjectiveKind.INNOVATION:
            covered_by = [col.kind for col, level in zip(columns, cells, strict=True) if level]
            if covered_by and all(kind == EntryKind.ELECTIVE for kind in covered_by):
                row.flags.append(_("This I&E objective is covered only by electives."))
            elif not covered_by:
                row.flags.append(_("Nothing covers this objective."))
        rows.append(row)
    return CoverageMatrix(programme=programme, columns=columns, rows=rows)


# --- Offerings, enrolments, grades ----------------------------------------------------------------------


def offering_list(*, user: AnyUser, filters: Mapping[str, Any] | None = None) -> QuerySet[Offering]:
    """Offerings the user may see, newest term first, with their course, site, programme, how many are
    enrolled and their teachers (three queries)."""
    filters = filters or {}
    offerings = access.scope(
        Offering.objects.select_related("course", "site__partner", "programme"), user, "view"
    ).annotate(enrolled=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED)))
    if filters.get("term"):
        offerings = offerings.filter(term=filters["term"])
    if filters.get("teaching"):
        offerings = offerings.filter(teachers__teacher__user_id=access.user_pk(user))
    return offerings.prefetch_related(
        Prefetch("teachers", queryset=OfferingTeacher.objects.select_related("teacher__user"))
    ).order_by("-term", "course__code")


def enrolment_list(*, user: AnyUser, offering: Offering | None = None) -> QuerySet[Enrolment]:
    """Enrolments the user may see (of one offering), with the student and the grade."""
    enrolments = access.scope(
        Enrolment.objects.select_related("student__user", "offering__course", "grade"), user, "view"
    )
    if offering is not None:
        enrolments = enrolments.filter(offering=offering)
    return enrolments.order_by("student__student_number")


def withdrawal_list(*, user: AnyUser, offering: Offering) -> QuerySet[EnrolmentWithdrawal]:
    """The withdrawals from an offering the user may see, newest first, with the student and who withdrew
    them (one query)."""
    return (
        access.scope(EnrolmentWithdrawal.objects.filter(enrolment__offering=offering), user, "view")
        .select_related("enrolment__student__user", "by")
        .order_by("-at")
    )


def own_enrolments(*, user: AnyUser) -> dict[int, Enrolment]:
    """The signed-in student's enrolments by offering id (one query)."""
    return {
        e.offering_id: e
        for e in Enrolment.objects.filter(
            student__user__pk=access.user_pk(user), status=EnrolmentStatus.ENROLLED
        ).select_related("grade")
    }


@dataclass
class CreditRow:
    category: str
    label: str
    required: Decimal
    earned: Decimal

    @property
    def short(self) -> bool:
        return self.earned < self.required

    @property
    def percent(self) -> int:
        return min(100, int(self.earned * 100 / self.required)) if self.required else 100


def credits_earned(*, user: AnyUser, student: Student) -> tuple[list[CreditRow], bool]:
    """Credits the student earned by category against the programme's requirements, counted from the
    submitted, passing grades the reader may see; and whether that is the student's whole record (two
    queries)."""
    grades = access.scope(
        Grade.objects.filter(enrolment__student=student, status=GradeStatus.SUBMITTED, passed=True).select_related(
            "enrolment__offering__course"
        ),
        user,
        "view",
    )
    earned: dict[str, Decimal] = defaultdict(Decimal)
    for grade in grades:
        for category, credits in _credit_shares(grade.enrolment.offering.course).items():
            earned[category] += credits
    # Whether the reader sees the whole record (``view_transcript``) is asked with the requirements, on
    # each row (the rule tested on the student, as ``access.can`` does): one query less for the plan page.
    transcript = access.scope(Student.objects.filter(pk=student.pk), user, "view_transcript", correlated=True)
    requirements = list(
        CreditRequirement.objects.filter(programme_id=student.programme_id)
        .annotate(whole=Value(False) if transcript.query.is_empty() else Exists(transcript))
        .order_by("category")
    )
    rows = [CreditRow(r.category, str(r.get_category_display()), r.credits, earned[r.category]) for r in requirements]
    whole = requirements[0].whole if requirements else access.can(user, "view_transcript", student)  # type: ignore[attr-defined]
    return rows, bool(whole)


def transcript(*, student: Student) -> list[Enrolment]:
    """The student's graded courses (submitted grades), by term, retired courses included (one query).
    For readers allowed the transcript (``view_transcript``)."""
    return list(
        Enrolment.objects.filter(student=student, grade__status=GradeStatus.SUBMITTED)
        .select_related("offering__course", "offering__site__partner", "grade")
        .order_by("offering__term", "offering__course__code")
    )


def grades_to_enter(*, user: AnyUser) -> list[Offering]:
    """The offerings the user teaches with enrolled students whose grade is not yet submitted, and how
    many (``waiting``); one query."""
    ungraded = Q(enrolments__status=EnrolmentStatus.ENROLLED) & (
        Q(enrolments__grade__isnull=True) | Q(enrolments__grade__status=GradeStatus.DRAFT)
    )
    return list(
        Offering.objects.filter(
            pk__in=OfferingTeacher.objects.filter(teacher__user__pk=access.user_pk(user)).values("offering_id")
        )
        .select_related("course")
        .annotate(waiting=Count("enrolments", filter=ungraded))
        .filter(waiting__gt=0)
        .order_by("-term", "course__code")
    )


def teaches_any(*, user: AnyUser) -> bool:
    """Whether the user has a teacher profile (one query)."""
    return user.is_authenticated and TeacherProfile.objects.filter(user_id=user.pk).exists()


def credit_shortfall(today: datetime.date) -> Any:
    """At risk (``core.hooks.AT_RISK_REASONS``): a year or more into the programme with fewer than half of
    its required credits earned (the credits of the courses of their submitted, passing grades). One boolean
    SQL expression over ``students.Student``, asked per student: the form for a page of rows
    (``credit_shortfall_over_all`` weighs a whole list)."""
    earned = (
        Grade.objects.filter(enrolment__student=OuterRef("pk"), status=GradeStatus.SUBMITTED, passed=True)
        .values("enrolment__student")
        .annotate(total=Sum("enrolment__offering__course__credits"))
        .values("total")
    )
    required = (
        CreditRequirement.objects.filter(programme=OuterRef("programme"))
        .values("programme")
        .annotate(total=Sum("credits"))
        .values("total")
    )
    earned_total = Coalesce(Subquery(earned), Value(Decimal("0")))
    required_total = Coalesce(Subquery(required), Value(Decimal("0")))
    # Conditions on the outer student row itself: an EXISTS over the students table again (a row matched to
    # itself) was planned as a hashed subplan that read all 10,000 students on every list (issue #19).
    return (
        Q(enrolled_on__lte=today - datetime.timedelta(days=365))
        & Q(GreaterThan(required_total, Value(Decimal("0"))))
        & Q(LessThan(earned_total, required_total / 2))
    )


def credit_shortfall_over_all(today: datetime.date) -> Any:
    """``credit_shortfall`` for a statement that weighs every student (the at-risk keys, the ``at_risk``
    filter): two uncorrelated sets the database builds once per statement and probes per student, the
    programmes that require credits and the students who have earned at least half of their programme's,
    read from the credits each student has earned as kept beside the grades (``EarnedCredits``, ADR 0070).
    Summed from the grades, the set read every submitted grade with its enrolment, offering and course: at a
    university's scale (10,000 students, 54,000 grades; ``bench/scale.py`` ``ensure_curriculum``) about half
    of the at-risk keys statement (ADR 0070 has the figures).
    For a page of 25 rows the set costs more than 25 probes: the rows keep ``credit_shortfall``, which sums
    the grades themselves (the two agree while the services keep the sums: ``earned_credits_mismatches``).
    "Fewer than half" doubles the credits earned rather than halve the requirement; both are exact
    decimals. A student with no kept sum has earned nothing."""
    # The programme's total joined from ``RequiredCredits`` (a view: the requirements summed once per
    # statement), not summed in a subquery per kept sum: that ran 10,000 times at the bench's scale (ADR 0071).
    enough = (
        EarnedCredits.objects.order_by()
        .filter(
            GreaterThanOrEqual(F("credits") * Value(Decimal("2")), F("student__programme__required_credits__total"))
        )
        .values("student_id")
    )
    # Every programme with a row requires credits (each requirement is positive: a check constraint).
    requiring = RequiredCredits.objects.values("programme_id")
    # Conditions on the outer student row itself (its programme, its key): an EXISTS over the students table
    # again (a row matched to itself) was planned as a hashed subplan that read all 10,000 students on every
    # list (issue #19).
    return Q(enrolled_on__lte=today - datetime.timedelta(days=365)) & Q(programme_id__in=requiring) & ~Q(pk__in=enough)


def earned_by_student(*, student_ids: list[int] | None = None) -> dict[int, Decimal]:
    """The credits each student has earned, summed from the grades (the courses' credits of their submitted,
    passing grades): every student with one, or those of ``student_ids``. What ``EarnedCredits`` keeps (one
    query)."""
    grades = Grade.objects.filter(status=GradeStatus.SUBMITTED, passed=True)
    if student_ids is not None:
        grades = grades.filter(enrolment__student_id__in=student_ids)
    sums = (
        grades.order_by()
        .values_list("enrolment__student_id")
        .annotate(total=Sum("enrolment__offering__course__credits"))
    )
    return {int(pk): Decimal(total) for pk, total in sums}


@dataclass(frozen=True)
class CreditsMismatch:
    student_id: int
    from_grades: Decimal
    kept: Decimal


def earned_credits_mismatches() -> list[CreditsMismatch]:
    """Where the kept credits (``EarnedCredits``) differ from the grades' sums, by student; empty when they
    agree (no row and a row of nothing are the same: nothing earned). Two queries."""
    from_grades = earned_by_student()
    kept = {int(pk): Decimal(credits) for pk, credits in EarnedCredits.objects.values_list("student_id", "credits")}
    zero = Decimal("0")
    return [
        CreditsMismatch(pk, from_grades.get(pk, zero), kept.get(pk, zero))
        for pk in sorted(set(from_grades) | set(kept))
        if from_grades.get(pk, zero) != kept.get(pk, zero)
    ]


# --- Teachers and the faculty page ----------------------------------------------------------------------


def teacher_list(*, user: AnyUser) -> QuerySet[TeacherProfile]:
    """Teachers the user may see, with their person, partner, trainings and experience (three queries)."""
    return (
        access.scope(TeacherProfile.objects.select_related("user", "partner"), user, "view")
        .prefetch_related("trainings", "experience")
        .order_by("partner__short_name", "user__full_name", "user__username")
    )


def teacher_person_choices() -> QuerySet[User]:
    """The people the office may make teachers: active accounts without a teacher profile, by username.
    As with memberships, making someone a teacher is how an account gets its first teaching role, so no
    partner scope applies."""
    return User.objects.filter(is_active=True, teacher_profile__isnull=True).order_by("username")


@dataclass
class FacultyRow:
    partner: str
    term: str
    ie_hours: int
    qualified_hours: int
    overrides: int

    @property
    def share(self) -> int:
        return round(self.qualified_hours * 100 / self.ie_hours) if self.ie_hours else 100


@dataclass
class DueTeacher:
    teacher: TeacherProfile
    qualification: Qualification
    reason: str


@dataclass
class Faculty:
    rows: list[FacultyRow]
    due: list[DueTeacher]
    overrides: list[OfferingTeacher]


TRAINING_DUE_WITHIN = datetime.timedelta(days=180)


def terms_in_year(year: int) -> tuple[str, str]:
    """The terms taught in a calendar year, as the offerings name them: the spring term of the academic
    year before (``Y-1``-2, from February) and the autumn term of this one (``Y``-1, from September)."""
    return f"{year - 1}-2", f"{year}-1"


def faculty_overview(
    *, today: datetime.date | None = None, programme: Programme | None = None, year: int | None = None
) -> Faculty:
    """The office's faculty page: the share of I&E teaching hours (I&E and integrated courses) given by
    qualified teachers, by partner and term; the assignments that overrode the rule; and the teachers of
    I&E courses due for training (not qualified by training now, or their training lapses within six
    months). Every programme's offerings in every term, or one ``programme``'s, the terms of one ``year``
    (``terms_in_year``): what the quality report's teacher figures count, which link here. A fixed number of
    queries."""
    today = today or timezone.localdate()
    taught = OfferingTeacher.objects.filter(offering__course__category__in=IE_CATEGORIES)
    if programme is not None:
        taught = taught.filter(offering__programme=programme)
    if year is not None:
        taught = taught.filter(offering__term__in=terms_in_year(year))
    assignments = list(
        taught.select_related(
            "offering__course", "offering__site__partner", "offering__programme", "teacher__user"
        ).order_by("offering__site__partner__short_name", "-offering__term")
    )
    grouped: dict[tuple[str, str], FacultyRow] = {}
    for a in assignments:
        key = (a.offering.site.partner.short_name, a.offering.term)
        row = grouped.setdefault(key, FacultyRow(key[0], key[1], 0, 0, 0))
        row.ie_hours += a.hours
        row.qualified_hours += a.hours if a.qualified else 0
        row.overrides += 1 if a.overridden else 0
    teacher_ids = {a.teacher_id for a in assignments}
    rules = {r.programme_id: r for r in QualificationRule.objects.all()}
    programme_of = {a.teacher_id: a.offering.programme_id for a in assignments}
    teachers = TeacherProfile.objects.filter(pk__in=teacher_ids).select_related("user", "partner")
    due = []
    for teacher in teachers.prefetch_related("trainings", "experience").order_by("user__full_name"):
        rule = rules.get(programme_of[teacher.pk]) or QualificationRule()
        q = qualification_of(
            trainings=teacher.trainings.all(), experience=teacher.experience.all(), rule=rule, today=today
        )
        if not q.by_training and q.training_valid_until is None:
            reason = _("No I&E training on record.")
        elif not q.by_training:
            reason = _("I&E training lapsed on %(date)s.") % {"date": q.training_valid_until}
        elif q.training_valid_until is not None and q.training_valid_until <= today + TRAINING_DUE_WITHIN:
            reason = _("I&E training lapses on %(date)s.") % {"date": q.training_valid_until}
        else:
            continue
        due.append(DueTeacher(teacher, q, reason))
    overrides = [a for a in assignments if a.overridden]
    return Faculty(rows=list(grouped.values()), due=due, overrides=overrides)


def programme_choices(*, user: AnyUser) -> QuerySet[Programme]:
    """Programmes whose curriculum the user may read."""
    return access.scope(Programme.objects.all(), user, "view_curriculum").order_by("name")


def placement_choices(*, user: AnyUser, programme: Programme) -> QuerySet[Placement]:
    """Live placements of the programme's students the user may see (for setting their objective levels)."""
    placements = Placement.objects.filter(student__programme=programme).exclude(status=PlacementStatus.CANCELLED)
    return access.scope(placements.select_related("student", "partner"), user, "view").order_by(
        "student__student_number", "start_date"
    )
