"""Reads about practice hours shared by the pages, the API and the reports.

Progress is summed in the database (``Sum`` over ``Subquery``), never by loading entries: a student's
progress costs two queries however many entries they have, and a list of students costs two queries
however many students are on the page. Only the pro-rata expectation (a date fraction) is worked out in
Python, on the sums the database returned.

Who sees what is decided by ``partners.access``: the queue and the entry list start from ``scope()``;
the progress selectors take a student the caller already fetched through ``scope(Student, "view")``, and
the reader: they sum only the entries and placements the reader may see (a partner's coordinator reads
the hours at their partner, never the student's hours elsewhere, nor totals that include them).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    ExpressionWrapper,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.roles import AnyUser
from core import navcache
from core.compiled import AmongIds
from partners import access
from partners.models import Partner
from practice import progress_lists, progress_queries, rules
from practice.models import (
    DEFAULT_DAILY_MAX_HOURS,
    DEFAULT_ENTRY_WINDOW_DAYS,
    DEFAULT_LOCK_DAY,
    EntryStatus,
    MonthReopening,
    PracticeLog,
    RuleSet,
)
from programmes.models import ActivityCategory, Programme
from students.models import Placement, PlacementHours, PlacementStatus, Student
from students.selectors import follows_whole_training, follows_whole_training_of

ZERO = Decimal("0")
HUNDRED = Decimal("100")
_HOURS = DecimalField(max_digits=12, decimal_places=2)


# --- Sums in the database ------------------------------------------------------------------------------


def _hours_sum(logs: QuerySet[PracticeLog], group: str) -> Coalesce:
    """The sum of ``hours`` of ``logs`` (already filtered on an ``OuterRef``), 0 when there are none."""
    total = logs.order_by().values(group).annotate(total=Sum("hours")).values("total")[:1]
    return Coalesce(Subquery(total, output_field=_HOURS), Value(ZERO), output_field=_HOURS)


def _required_sum(rows: QuerySet[Any], group: str, field: str) -> Coalesce:
    """The sum of an integer ``field`` of ``rows`` (filtered on an ``OuterRef``), 0 when there are none."""
    total = rows.order_by().values(group).annotate(total=Sum(field)).values("total")[:1]
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0), output_field=IntegerField())


def _live_placements() -> QuerySet[Placement]:
    return Placement.objects.exclude(status=PlacementStatus.CANCELLED)


def _visible_logs(user: AnyUser) -> QuerySet[PracticeLog]:
    """The entries the user may see, for sums in subqueries run once per row (``correlated``)."""
    return access.scope(PracticeLog.objects.all(), user, "view", correlated=True)


def _hours_hidden(user: AnyUser, *, student_ids: Sequence[int] | None = None) -> Q:
    """On placements: the user may see the placement but not its hours (``view_hours`` in practice/access.py:
    a co-supervisor sees every placement of the student, but the hours only where they supervise). Such a
    placement is listed without figures and left out of the totals, rather than shown as 0 h approved."""
    if access.can(user, "view_hours", Placement):  # every placement's hours (the office): none hidden
        return Q(pk__in=[])
    # Run once (a hashed subplan): narrowed to a student's placements when the caller reads one student.
    placements = Placement.objects.all()
    if student_ids is not None:
        placements = placements.filter(student_id__in=student_ids)
    return ~Q(pk__in=access.scope(placements, user, "view_hours", correlated=True).values("pk"))


def _counted_placements(user: AnyUser) -> QuerySet[Placement]:
    """Live placements whose hours the user reads: those they may see, but for ``_hours_hidden`` ones.

    Applied as the scope's UNION (``pk = ANY(ARRAY(…))``), not its OR: the set does not depend on the outer
    row, so PostgreSQL builds it once per statement from each alternative's index, where the OR walked every
    placement and student (twice) for each list page's progress column (54 → 29 ms for a supervisor's
    queue at the bench's 20,000 placements, the same answers)."""
    placements = access.scope(_live_placements(), user, "view")
    if access.can(user, "view_hours", Placement):
        return placements
    return placements.exclude(_hours_hidden(user))


# --- Arithmetic on the sums -------------------------------------------------------------------------------


def behind_margin() -> Decimal:
    """``PRACTICE_BEHIND_MARGIN`` (percent) as a fraction: how far approved hours may trail the pro-rata
    expectation before a student is flagged as behind."""
    return Decimal(min(max(int(settings.PRACTICE_BEHIND_MARGIN), 0), 100)) / HUNDRED


def elapsed_fraction(*, start: datetime.date, end: datetime.date, today: datetime.date) -> Decimal:
    """The share of a placement's days completed before ``today``: 0 up to its first day, 1 after its last.

    Only whole days count, so a student is not expected to have logged today's hours in the morning.
    """
    total = (end - start).days + 1
    done = min(max((today - start).days, 0), total)
    return Decimal(done) / Decimal(total)


def percent_of(part: Decimal, whole: Decimal | int) -> int:
    """A whole percentage for display: rounded down (99.6 % is not done), between 0 and 100."""
    if not whole:
        return 0
    return max(0, min(100, int(Decimal(part) * HUNDRED / Decimal(whole))))


def is_behind(*, approved: Decimal, expected: Decimal, margin: Decimal) -> bool:
    """Approved hours trail the expectation by more than the margin."""
    return expected > 0 and approved < expected * (1 - margin)


# --- One student's progress ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryProgress:
    """One activity category: required by the programme, planned in placements, approved, pending."""

    category: ActivityCategory
    required: int
    planned: int
    approved: Decimal
    pending: Decimal

    @property
    def percent(self) -> int:
        return percent_of(self.approved, self.required)

    @property
    def pending_percent(self) -> int:
        """The pending segment of the bar: what pending hours would add, within what is left to 100."""
        return max(0, min(100 - self.percent, percent_of(self.approved + self.pending, self.required) - self.percent))


@dataclass(frozen=True)
class PlacementProgress:
    """One placement: its required hours, approved and pending there, and what is expected by now.
    ``hours_shown`` is False for a placement the reader may see but not its entries (no figures then)."""

    placement: Placement
    required: int
    approved: Decimal
    pending: Decimal
    expected: Decimal
    behind: bool
    hours_shown: bool = True

    @property
    def percent(self) -> int:
        return percent_of(self.approved, self.required)

    @property
    def pending_percent(self) -> int:
        return max(0, min(100 - self.percent, percent_of(self.approved + self.pending, self.required) - self.percent))

    @property
    def expected_percent(self) -> int:
        return percent_of(self.expected, self.required)


@dataclass(frozen=True)
class StudentProgress:
    """A student's practice hours against the programme's requirement and each placement's.

    ``partial``: the reader follows part of the student's training (``follows_whole_training``): the
    categories then hold the hours at the placements the reader may see, against what those placements
    require (``required`` is their planned hours), never the programme's whole requirement; ``partners``
    are the partners of those placements, for the page to say where the figures come from."""

    student: Student
    categories: list[CategoryProgress]
    placements: list[PlacementProgress]
    today: datetime.date
    margin: Decimal
    partial: bool = False
    partners: tuple[Partner, ...] = ()

    @property
    def partner_names(self) -> str:
        return ", ".join(partner.name for partner in self.partners)

    @property
    def required_total(self) -> int:
        return sum(row.required for row in self.categories)

    @property
    def planned_total(self) -> int:
        return sum(row.planned for row in self.categories)

    @property
    def approved_total(self) -> Decimal:
        return sum((row.approved for row in self.categories), ZERO)

    @property
    def pending_total(self) -> Decimal:
        return sum((row.pending for row in self.categories), ZERO)

    @property
    def percent(self) -> int:
        return percent_of(self.approved_total, self.required_total)

    @property
    def pending_percent(self) -> int:
        done = self.percent
        return max(0, min(100 - done, percent_of(self.approved_total + self.pending_total, self.required_total) - done))

    @property
    def behind(self) -> bool:
        return any(row.behind for row in self.placements)

    @property
    def margin_percent(self) -> int:
        return int(self.margin * HUNDRED)


def _progress_querysets(
    *, student: Any, programme: Any, view: Q | None, hours: Q | None
) -> tuple[QuerySet[Placement], QuerySet[ActivityCategory]]:
    """``student_progress``'s two statements for a reader whose ``Placement`` rules are ``view`` and ``hours``
    (``view_hours``; None: everything), compiled once per shape of rules by ``practice.progress_queries``.

    The reference statements (``_progress_rows_reference``) with one change that fixes the SQL's shape: the
    categories sum over "the student's placements the reader sees and reads the hours of" as a subquery,
    where the reference lists the ids the first statement found (a list whose length varies)."""
    own = PracticeLog.objects.filter(student_id=student)
    approved_logs = own.filter(status=EntryStatus.APPROVED)
    pending_logs = own.filter(status=EntryStatus.PENDING)
    placements = Placement.objects.filter(student_id=student)
    seen = placements if view is None else placements.filter(view)
    placements_qs = seen.annotate(
        required=_required_sum(PlacementHours.objects.filter(placement=OuterRef("pk")), "placement", "hours"),
        approved_hours=_hours_sum(approved_logs.filter(placement=OuterRef("pk")), "placement"),
        pending_hours=_hours_sum(pending_logs.filter(placement=OuterRef("pk")), "placement"),
        hours_hidden=progress_queries.hidden_flag(hours, student),
    ).order_by("start_date", "pk")
    # The placements as a set built once per statement (``placement_id = ANY(ARRAY(…))`` on PostgreSQL, an
    # InitPlan): the sums then filter the index's own ``placement`` column, and stay index-only scans, where
    # an ``IN`` semi-join lets the planner fetch the entries by placement from the table instead.
    readable = (seen if hours is None else seen.filter(hours)).order_by().values("pk")
    counted = readable.exclude(status=PlacementStatus.CANCELLED)
    categories = (
        ActivityCategory.objects.filter(programme_id=programme)
        .order_by("name", "pk")
        .annotate(
            planned_hours=_required_sum(
                PlacementHours.objects.filter(access.PkAmong(counted, "placement_id"), category=OuterRef("pk")),
                "category",
                "hours",
            ),
            approved_hours=_hours_sum(
                approved_logs.filter(access.PkAmong(readable, "placement_id"), category=OuterRef("pk")), "category"
            ),
            pending_hours=_hours_sum(
                pending_logs.filter(access.PkAmong(readable, "placement_id"), category=OuterRef("pk")), "category"
            ),
        )
    )
    return placements_qs, categories


def _progress_rows_reference(*, student: Student, user: AnyUser) -> tuple[list[Placement], list[ActivityCategory]]:
    """``student_progress``'s rows built as querysets for each call (as before ADR 0053): the reference the
    compiled statements are tested against, and the path for a reader whose rules have no template
    (``access.rule_template``: a rule holding a queryset, or one allowing nothing)."""
    own = PracticeLog.objects.filter(student_id=student.pk)
    approved_logs = own.filter(status=EntryStatus.APPROVED)
    pending_logs = own.filter(status=EntryStatus.PENDING)
    # A placement's own sums need no entry scope: they are shown only where the user reads its hours, and
    # whoever reads a placement's hours reads all of its entries.
    seen = list(
        access.scope(Placement.objects.filter(student_id=student.pk), user, "view", correlated=True)
        .select_related("partner", "site", "supervisor")
        .annotate(
            required=_required_sum(PlacementHours.objects.filter(placement=OuterRef("pk")), "placement", "hours"),
            approved_hours=_hours_sum(approved_logs.filter(placement=OuterRef("pk")), "placement"),
            pending_hours=_hours_sum(pending_logs.filter(placement=OuterRef("pk")), "placement"),
            hours_hidden=ExpressionWrapper(_hours_hidden(user, student_ids=[student.pk]), output_field=BooleanField()),
        )
        .order_by("start_date", "pk")
    )
    readable = [p.pk for p in seen if not p.hours_hidden]  # type: ignore[attr-defined]
    counted = [p.pk for p in seen if not p.hours_hidden and p.status != PlacementStatus.CANCELLED]  # type: ignore[attr-defined]
    categories = ActivityCategory.objects.filter(programme_id=student.programme_id).order_by("name", "pk")
    categories = categories.annotate(
        planned_hours=_required_sum(
            PlacementHours.objects.filter(category=OuterRef("pk"), placement_id__in=counted), "category", "hours"
        )
        if counted
        else Value(0, output_field=IntegerField()),
        approved_hours=_hours_sum(approved_logs.filter(category=OuterRef("pk"), placement_id__in=readable), "category")
        if readable
        else Value(ZERO, output_field=_HOURS),
        pending_hours=_hours_sum(pending_logs.filter(category=OuterRef("pk"), placement_id__in=readable), "category")
        if readable
        else Value(ZERO, output_field=_HOURS),
    )
    return list[Placement](seen), list(categories)


def student_progress(*, student: Student, user: AnyUser, today: datetime.date | None = None) -> StudentProgress:
    """What ``user`` may see of a student's practice hours: per activity category of the programme and per
    live placement, required, planned, approved (corrections included: they are entries too) and pending
    hours, and whether the student is behind the pro-rata expectation at a placement. Entries and
    placements are read through ``access.scope``: a partner's people sum those at their partner only. The
    student, their tutor and the office read the whole, against the programme's requirement. Two queries.

    First the student's placements the user sees, each with its sums and whether the user reads its hours
    (``view_hours``); then the categories, summed over the entries at the placements whose hours the user
    reads, named by id. An entry's readers are its placement's (practice/access.py), so this is the entry
    scope without its OR across the student and placement tables: every sum is an index-only scan of
    ``log_progress_idx`` (it carries the hours and the placement), and the SQL is short to build (ADR 0046).

    Both statements are compiled once per process for each shape of the reader's ``Placement`` rules
    (``practice.progress_queries``, ADR 0053): building and compiling them was most of the selector's cost.
    ``_progress_rows_reference`` builds them for the call instead, when a rule has no shape.
    """
    today = today or timezone.localdate()
    margin = behind_margin()
    partial = not follows_whole_training(user=user, student=student)
    using = Placement.objects.db
    # Both statements read the student's own entries only (``student_id = …``): a page kept with them outlives
    # entries written for other students (ADR 0069).
    with navcache.narrowed(PracticeLog._meta.db_table, student.pk):
        rows = progress_queries.read(student=student, user=user, build=_progress_querysets, using=using)
        seen, categories = rows if rows is not None else _progress_rows_reference(student=student, user=user)
    category_rows = []
    for category in categories:
        planned_hours = int(category.planned_hours)  # type: ignore[attr-defined]
        row = CategoryProgress(
            category=category,
            # A partial reader measures against what the placements they see plan, not the programme.
            required=planned_hours if partial else category.required_hours,
            planned=planned_hours,
            approved=Decimal(category.approved_hours),  # type: ignore[attr-defined]
            pending=Decimal(category.pending_hours),  # type: ignore[attr-defined]
        )
        if not partial or row.planned or row.approved or row.pending:
            category_rows.append(row)
    placement_rows = []
    partners: dict[int, Partner] = {}
    for placement in seen:
        if placement.status == PlacementStatus.CANCELLED:
            continue
        if placement.hours_hidden:  # type: ignore[attr-defined]
            zero = ZERO
            placement_rows.append(PlacementProgress(placement, 0, zero, zero, zero, behind=False, hours_shown=False))
            continue
        partners.setdefault(placement.partner_id, placement.partner)
        required = int(placement.required)  # type: ignore[attr-defined]
        approved = Decimal(placement.approved_hours)  # type: ignore[attr-defined]
        fraction = elapsed_fraction(start=placement.start_date, end=placement.end_date, today=today)
        expected = (required * fraction).quantize(Decimal("0.01"))
        placement_rows.append(
            PlacementProgress(
                placement=placement,
                required=required,
                approved=approved,
                pending=Decimal(placement.pending_hours),  # type: ignore[attr-defined]
                expected=expected,
                behind=is_behind(approved=approved, expected=expected, margin=margin),
            )
        )
    return StudentProgress(
        student=student,
        categories=category_rows,
        placements=placement_rows,
        today=today,
        margin=margin,
        partial=partial,
        partners=tuple(partners.values()),
    )


# --- Many students at once ----------------------------------------------------------------------------------


class ProgressSummary(NamedTuple):
    """A student's overall practice progress, for a row of a list. ``partial``: the figures are those at
    the placements the reader may see, against what those placements require (see ``student_progress``)."""

    approved_total: Decimal
    required_total: int
    percent: int
    behind: bool
    partial: bool = False


def _progress_list_querysets(
    *, ids: Any, logs: Q | None, view: Q | None, hours: Q | None
) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """``progress_for_students``'s two statements for a reader whose rules are ``logs`` (``PracticeLog``
    "view"), ``view`` and ``hours`` (``Placement`` "view" and "view_hours"; None: everything), compiled once
    per shape of rules by ``practice.progress_lists`` (ADR 0059): the reference statements
    (``_progress_list_rows_reference``) with the students' ids as one parameter (``AmongIds``)."""
    approved_logs = progress_lists.scoped(PracticeLog.objects.all(), logs, correlated=True).filter(
        status=EntryStatus.APPROVED
    )
    # The placements the reader sees and reads the hours of, each rule as the UNION of its alternatives built
    # once per statement (``pk = ANY(ARRAY(...))``, each alternative through its own index). The reference
    # tests "hours readable" as ``NOT (pk NOT IN (<the rule's OR>))`` (``_hours_hidden``), which PostgreSQL
    # answers by hashing every placement joined with its student (20,000 at the bench's scale, most of both
    # statements' execution); the same placements either way (tests/practice/test_progress_list_compiled.py).
    counted = progress_lists.scoped(_live_placements(), view, correlated=False)
    counted = progress_lists.scoped(counted, hours, correlated=False)
    return _progress_list_statements(
        students=Student.objects.filter(AmongIds("pk", ids)),
        placements=counted.filter(AmongIds("student_id", ids)),
        approved_logs=approved_logs,
    )


def _progress_list_statements(
    *, students: QuerySet[Student], placements: QuerySet[Placement], approved_logs: QuerySet[PracticeLog]
) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """The totals of ``students`` and the sums of ``placements`` (the page's counted placements), for the
    reference and the compiled statements alike.

    What the counted placements require of a student (a partner's reader measures against it) is added up
    from the second statement's rows, not asked in the first: as a subquery per student it tested each of the
    student's placements against the rules' key arrays inside an index scan, one index descent per key (for a
    coordinator whose partner has 200 placements, 74 of the statement's 77 ms for a page of 25 students at the
    bench's scale; the statement without it: 20-24 ms)."""
    required = ActivityCategory.objects.filter(programme_id=OuterRef("programme_id"))
    totals = students.annotate(
        required_total=_required_sum(required, "programme", "required_hours"),
        approved_total=_hours_sum(approved_logs.filter(student_id=OuterRef("pk")), "student"),
    ).values("pk", "user_id", "tutor_id", "required_total", "approved_total")
    # Unordered: the rows are summed per student in Python, and the placements' own ordering (by student
    # number) joined the whole students table to sort 50 rows (a hash of 10,000 students at the bench's scale).
    sums = (
        placements.annotate(
            required=_required_sum(PlacementHours.objects.filter(placement=OuterRef("pk")), "placement", "hours"),
            approved_hours=_hours_sum(approved_logs.filter(placement=OuterRef("pk")), "placement"),
        )
        .order_by()
        .values("student_id", "start_date", "end_date", "required", "approved_hours")
    )
    return totals, sums


def _progress_list_rows_reference(
    *, ids: list[int], user: AnyUser
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``progress_for_students``'s rows built as querysets for each call (as before ADR 0059): the reference
    the compiled statements are tested against, and the path for a reader whose rules have no template."""
    approved_logs = _visible_logs(user).filter(status=EntryStatus.APPROVED)
    counted = _counted_placements(user)
    totals, sums = _progress_list_statements(
        students=Student.objects.filter(pk__in=ids),
        placements=counted.filter(student_id__in=ids),
        approved_logs=approved_logs,
    )
    return list(totals), list(sums)


def progress_for_students(
    *, student_ids: Iterable[int], user: AnyUser, today: datetime.date | None = None
) -> dict[int, ProgressSummary]:
    """Overall progress of many students (a page of a list) as ``user`` may see it, in two queries whatever
    their number: approved hours against the programme's total requirement (for the student, their tutor
    and the office) or, for everyone else, approved hours at the placements they may see against what those
    placements require; and the "behind" flag of those placements.

    Both statements are compiled once per process for each shape of the reader's rules, the ids one
    parameter whatever their number (``practice.progress_lists``, ADR 0059); ``_progress_list_rows_reference``
    builds them for the call when a rule has no shape."""
    ids = list(dict.fromkeys(int(pk) for pk in student_ids))
    if not ids:
        return {}
    today = today or timezone.localdate()
    margin = behind_margin()
    using = Student.objects.db
    # Both statements read the entries of these students only (by student, or by their placements): a page
    # kept with them outlives entries written for other students (ADR 0069).
    with navcache.narrowed(PracticeLog._meta.db_table, ids):
        rows = progress_lists.read(ids=ids, user=user, build=_progress_list_querysets, using=using)
        if rows is None:
            rows = _progress_list_rows_reference(ids=ids, user=user)
    totals_rows, placements = rows
    totals = {row["pk"]: row for row in totals_rows}
    behind: set[int] = set()
    required_here: dict[int, int] = {}  # what the counted placements require, started or not
    for placement in placements:
        student_id = placement["student_id"]
        required_here[student_id] = required_here.get(student_id, 0) + int(placement["required"])
        if placement["start_date"] > today:  # not started yet: expects nothing, puts nobody behind
            continue
        fraction = elapsed_fraction(start=placement["start_date"], end=placement["end_date"], today=today)
        expected = (int(placement["required"]) * fraction).quantize(Decimal("0.01"))
        if is_behind(approved=Decimal(placement["approved_hours"]), expected=expected, margin=margin):
            behind.add(placement["student_id"])
    result = {}
    for pk, total in totals.items():
        partial = not follows_whole_training_of(user=user, student_user_id=total["user_id"], tutor_id=total["tutor_id"])
        approved = Decimal(total["approved_total"])
        needed = required_here.get(pk, 0) if partial else int(total["required_total"])
        result[pk] = ProgressSummary(approved, needed, percent_of(approved, needed), pk in behind, partial)
    return result


# --- The supervisor's queue and the student's entries -------------------------------------------------------


def supervisor_queue(*, user: AnyUser) -> QuerySet[PracticeLog]:
    """Pending entries the user may decide (those of the placements they supervise), ordered by student
    then day, with everything a queue card shows: one query whatever the number of entries."""
    pending = PracticeLog.objects.filter(status=EntryStatus.PENDING)
    return (
        access.scope(pending, user, "decide")
        .select_related("student__user", "category", "placement__partner", "corrects")
        .only(*QUEUE_CARD_FIELDS)
        .order_by("student__user__full_name", "student__user__username", "student_id", "date", "pk")
    )


#: What a queue card reads (``practice_tags.queue_entry`` and ``practice/queue.html``), and no more: the
#: six joined tables have some hundred columns, and a page of a hundred cards built every one of them on
#: seven model instances a row (issue #19: the rows took 9.4 ms to read and build for 67 entries, 5.8 ms
#: with these). A card that reads a field not named here costs a query per entry, which the queue's
#: query-count test (tests/practice/test_views.py) catches.
QUEUE_CARD_FIELDS = (
    *("student_id", "placement_id", "category_id", "corrects_id", "status", "date", "hours"),
    *("start_time", "end_time", "cases", "description", "correction_reason"),
    *("student__student_number", "student__user_id"),
    *("student__user__full_name", "student__user__first_name", "student__user__last_name", "student__user__username"),
    *("category__name", "placement__partner_id", "placement__partner__name"),
    *("corrects__date", "corrects__hours"),
)


def pending_by_student(*, user: AnyUser, student_ids: Sequence[int]) -> dict[int, int]:
    """How many entries of each of these students wait for the user's decision (whether a queue card
    shows all of a student's entries): one query."""
    pending = access.scope(
        PracticeLog.objects.filter(status=EntryStatus.PENDING, student_id__in=student_ids), user, "decide"
    )
    return dict(pending.order_by().values("student_id").annotate(n=Count("pk")).values_list("student_id", "n"))


def decided_students(*, user: AnyUser) -> list[int]:
    """The students whose entries the user may decide on (of the placements, whatever their status, whose
    entries the user decides: ``decide_entries``, the entries' ``decide`` rule on the placement): the students
    a queue or a badge of entries to decide reads the rows of (``navcache.narrowed``, ADR 0069). One query;
    tests/practice/test_decided_students.py compares it with the entries' rule."""
    if not user.is_authenticated:
        return []
    placements = access.scope(Placement.objects.all(), user, "decide_entries")
    return sorted(set(placements.values_list("student_id", flat=True)))


@contextmanager
def reading_decisions(user: AnyUser) -> Iterator[list[int]]:
    """Statements run inside read the entries of ``decided_students`` only (yielded): a page or badge kept with
    them outlives entries of other students (ADR 0069)."""
    students = decided_students(user=user)
    with navcache.narrowed(PracticeLog._meta.db_table, students):
        yield students


def supervisor_pending_count(*, user: AnyUser) -> int:
    """How many entries wait for the user's decision (the start page's badge): two queries, one for someone
    who supervises no placement (the students first, so that the count depends on their entries only)."""
    with reading_decisions(user) as students:
        if not students:
            return 0
        return access.scope(PracticeLog.objects.filter(status=EntryStatus.PENDING), user, "decide").count()


def supervises_any(*, user: AnyUser) -> bool:
    """Whether the user supervises a live placement (the navigation shows "Sign-off"): one EXISTS query."""
    if not user.is_authenticated:
        return False
    return _live_placements().filter(supervisor_id=user.pk).exists()


def entry_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[PracticeLog]:
    """The user's own entries as a student (in their "view" scope), newest first, with their
    corrections; ``filters``: ``status`` (an ``EntryStatus``) and ``month`` (any date in the month)."""
    filters = filters or {}
    if not user.is_authenticated:
        return PracticeLog.objects.none()
    logs = access.scope(PracticeLog.objects.filter(student__user__pk=user.pk), user, "view")
    if filters.get("status"):
        logs = logs.filter(status=filters["status"])
    if filters.get("month"):
        first = rules.month_start(filters["month"])
        next_month = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        logs = logs.filter(date__gte=first, date__lt=next_month)
    corrections = PracticeLog.objects.select_related("decided_by").order_by("entered_at", "pk")
    return (
        logs.select_related("category", "placement__partner", "decided_by", "corrects__category")
        .prefetch_related(Prefetch("corrections", queryset=corrections))
        .order_by("-date", "-entered_at", "-pk")
    )


def loggable_placements(*, user: AnyUser, today: datetime.date | None = None) -> QuerySet[Placement]:
    """Placements the user may log hours at that can still take an entry: started, and not ended before
    the entry window began. The student's own placements, or the ones the user supervises.

    The window is the longest any version of the programmes' rules allows (partners only shorten it):
    offering a placement too many is harmless, since the service refuses an entry outside the window
    and names the rule. Two queries."""
    today = today or timezone.localdate()
    placements = access.scope(_live_placements(), user, "log")
    longest = RuleSet.objects.filter(
        programme_id__in=placements.values("student__programme_id"), partner__isnull=True
    ).aggregate(longest=Max("entry_window_days"))["longest"]
    window = max(longest or 0, DEFAULT_ENTRY_WINDOW_DAYS)
    return (
        placements.filter(start_date__lte=today, end_date__gte=today - datetime.timedelta(days=window))
        .select_related("student__user", "student__programme", "partner", "site")
        .order_by("student__user__full_name", "student__user__username", "start_date", "pk")
    )


def activity_category_choices(*, placements: Iterable[Placement]) -> list[ActivityCategory]:
    """The activities the log form offers: those of the programmes of ``placements`` (the user's loggable
    placements, already in scope), by programme then name."""
    programme_ids = {placement.student.programme_id for placement in placements}
    return list(
        ActivityCategory.objects.filter(programme_id__in=programme_ids)
        .select_related("programme")
        .order_by("programme__code", "name")
    )


def rejected_entry(*, user: AnyUser, placements: Iterable[Placement], pk: Any) -> PracticeLog | None:
    """A rejected entry at one of ``placements`` that the user may see (``?answer=``: its content fills in
    the log form again), or None, also for a ``pk`` that is not a number."""
    try:
        wanted = int(pk)
    except (TypeError, ValueError):
        return None
    rejected = PracticeLog.objects.filter(status=EntryStatus.REJECTED, placement__in=[p.pk for p in placements])
    return access.scope(rejected, user, "view").select_related("placement").filter(pk=wanted).first()


def last_category_id(*, user: AnyUser, placement: Placement) -> int | None:
    """The activity of the user's latest entry at a placement: the log form starts from it."""
    logs = PracticeLog.objects.filter(placement_id=placement.pk, entered_by_id=user.pk)
    return logs.order_by("-entered_at", "-pk").values_list("category_id", flat=True).first()


def day_entries(*, user: AnyUser, student_id: int, day: datetime.date) -> list[PracticeLog]:
    """A student's entries on one day that the user may see (under the entry form), oldest first."""
    logs = PracticeLog.objects.filter(student_id=student_id, date=day)
    return list(
        access.scope(logs, user, "view").select_related("category", "placement__partner").order_by("entered_at", "pk")
    )


def day_total(entries: Iterable[PracticeLog]) -> Decimal:
    """Hours that count against the daily maximum among ``entries`` (pending and approved)."""
    return sum((entry.hours for entry in entries if entry.status in rules.COUNTING), ZERO)


# --- The office's and coordinators' pages -------------------------------------------------------------------


def reopening_list(*, user: AnyUser) -> QuerySet[MonthReopening]:
    """Months reopened for the programmes the user may reopen months of, newest first."""
    programmes = access.scope(Programme.objects.all(), user, "reopen_month")
    return (
        MonthReopening.objects.filter(programme__in=programmes).select_related("programme", "by").order_by("-at", "-pk")
    )


def reopen_programme_choices(*, user: AnyUser) -> QuerySet[Programme]:
    """The programmes whose months the user may reopen, by name."""
    return access.scope(Programme.objects.order_by("name"), user, "reopen_month")


def rules_programme_choices(*, user: AnyUser) -> QuerySet[Programme]:
    """The programmes the rules form offers: those the user may see, by name."""
    return access.scope(Programme.objects.order_by("name"), user, "view")


def rules_partner_choices(*, user: AnyUser) -> QuerySet[Partner]:
    """The partners whose rules the user may tighten (those whose members they manage), by name."""
    return access.scope(Partner.objects.order_by("name"), user, "manage_members")


@dataclass(frozen=True)
class RulesInForce:
    """The rules in force for a programme, or for one partner in it (the stricter of both)."""

    programme: Programme
    partner: Partner | None
    rules: rules.Rules


def rules_overview(*, user: AnyUser) -> tuple[list[RulesInForce], list[RuleSet]]:
    """The rules in force and every version of them the user may read: the programmes' defaults of the
    programmes in their scope, and the tightening of the partners they manage (all of them for the
    office). Three queries, whatever the number of versions."""
    programmes = list(access.scope(Programme.objects.all(), user, "view").order_by("name"))
    managed = access.scope(Partner.objects.all(), user, "manage_members")
    versions = list(
        RuleSet.objects.filter(programme__in=[p.pk for p in programmes])
        .filter(Q(partner__isnull=True) | Q(partner__in=managed))
        .select_related("programme", "partner", "created_by")
        .order_by("-created_at", "-pk")
    )
    latest: dict[tuple[int, int | None], RuleSet] = {}
    for version in versions:
        latest.setdefault((version.programme_id, version.partner_id), version)
    in_force = []
    for programme in programmes:
        base = latest.get((programme.pk, None))
        in_force.append(RulesInForce(programme, None, _stricter(base, None)))
        local_sets = sorted(
            (v for (pid, partner_id), v in latest.items() if pid == programme.pk and partner_id is not None),
            key=lambda version: version.partner.name if version.partner else "",
        )
        for local in local_sets:
            in_force.append(RulesInForce(programme, local.partner, _stricter(base, local)))
    return in_force, versions


def _stricter(base: RuleSet | None, local: RuleSet | None) -> rules.Rules:
    """What ``rules.rules_for`` answers, from rule sets already read."""
    daily = base.daily_max_hours if base else DEFAULT_DAILY_MAX_HOURS
    window = base.entry_window_days if base else DEFAULT_ENTRY_WINDOW_DAYS
    lock = base.lock_day if base else DEFAULT_LOCK_DAY
    if local is not None:
        daily = min(daily, local.daily_max_hours)
        window = min(window, local.entry_window_days)
        lock = min(lock, local.lock_day)
    version = f"P{base.pk if base else 0}/L{local.pk if local else 0}"
    return rules.Rules(daily_max_hours=daily, entry_window_days=window, lock_day=lock, version=version)
