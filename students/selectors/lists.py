"""The students list, the at-risk list and the plan approval queue (the export reads ``student_list``).

Every read starts from the user's scope (``partners.access.scope``), never from ``objects.all()``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.roles import AnyUser
from core import hooks
from partners import access
from partners.models import PartnerStatus
from students.models import (
    Milestone,
    MilestoneStatus,
    Placement,
    PlacementStatus,
    PlanEvent,
    PlanStatus,
    Student,
    StudentStatus,
    TrainingPlan,
)
from students.selectors import list_rows

# The students list, the at-risk list, the approval queue and the export all read through here. Everything
# a row shows is annotated in the database (subqueries, Exists), so a page of 25 rows costs the same number
# of queries as a page of 3, and "at risk" filters in SQL rather than in a Python loop over every student.

_Students = TypeVar("_Students", bound=QuerySet[Any])

#: Days after enrolment by which a student's plan should be approved by the office.
AT_RISK_PLAN_DAYS = 30

#: Statuses of students still in training; withdrawn and graduated students are never "at risk".
IN_TRAINING = (StudentStatus.ENROLLED, StudentStatus.SUSPENDED)

#: The rows a list shows beside each student (``select_related``).
ROW_RELATED = ("user", "programme", "cohort", "tutor", "plan")


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
    there, among the placements the user may see), ``supervisor`` (likewise, under that supervisor),
    ``plan_status``, ``at_risk`` (true: at risk only); ``tutor_in``, ``partner_in`` and ``supervisor_in``
    take a queryset instead of one value (the names matching what was typed in the filter).
    """
    filters = filters or {}
    today = today or timezone.localdate()
    current = access.scope(_current_placements(today), user, "view")
    students = _annotated(access.scope(Student.objects.all(), user, "view"), current, today)
    students = _apply_filters(students, user, filters)
    if filters.get("at_risk"):
        # The same condition as ``at_risk``, with "a late milestone" as an ``EXISTS``: over the whole list one
        # hashed scan of the late milestones beats a probe per student.
        students = students.filter(_at_risk(today))
    return students.order_by("student_number")


def student_list_keys(
    *, user: AnyUser, filters: Mapping[str, Any] | None = None, today: datetime.date | None = None
) -> QuerySet[Any]:
    """The keys of ``student_list``'s rows, in its order, for the students list to count and slice before it
    fetches its page's rows (``students_by_keys``, compiled): building and compiling ``student_list``'s
    thirty-odd subqueries on every page worked out afresh was more Python than the page's SQL took (issue
    #19). Only the scope, the filters and the order are built here."""
    filters = filters or {}
    today = today or timezone.localdate()
    students = _apply_filters(access.scope(Student.objects.all(), user, "view"), user, filters)
    return list_keys_of(students, today, at_risk=bool(filters.get("at_risk")))


def list_keys_of(students: QuerySet[Student], today: datetime.date, *, at_risk: bool) -> QuerySet[Any]:
    """``students`` (scoped and filtered) as ``student_list_keys`` orders them: their keys by number."""
    if at_risk:
        students = students.filter(_at_risk(today))
    return students.order_by("student_number").values_list("pk", flat=True)


def _current_placements(today: datetime.date) -> QuerySet[Placement]:
    """The outer query's student's placements (not cancelled) that cover today, before the reader's rule."""
    return Placement.objects.filter(student=OuterRef("pk"), start_date__lte=today, end_date__gte=today).exclude(
        status=PlacementStatus.CANCELLED
    )


def _annotated(students: QuerySet[Student], current: QuerySet[Placement], today: datetime.date) -> QuerySet[Student]:
    """``students`` (in the reader's scope) with what the lists show per row (see ``student_list``);
    ``current``: ``_current_placements`` narrowed to those the reader may see."""
    late = _late_milestones(today)
    late_count = late.order_by().values("student").annotate(n=Count("pk")).values("n")
    current = current.order_by("start_date", "pk")
    in_training = Q(status__in=IN_TRAINING)
    no_plan_yet = in_training & Q(
        enrolled_on__lte=today - datetime.timedelta(days=AT_RISK_PLAN_DAYS), plan__approved_version__isnull=True
    )
    return (
        students.select_related(*ROW_RELATED)
        .annotate(
            late_milestones=Coalesce(Subquery(late_count, output_field=IntegerField()), Value(0)),
            first_late_due=Subquery(late.order_by("due_date").values("due_date")[:1]),
            current_partner_id=Subquery(current.values("partner_id")[:1]),
            current_partner_name=Subquery(current.values("partner__name")[:1]),
            plan_status=F("plan__status"),
            # "Any late milestone" as the first one's due date being there: a per-row probe of
            # ``milestone_pending_due_idx``. An ``EXISTS`` here was planned as a hashed scan of every late
            # milestone, the whole programme's, for a page of 25 rows (issue #19).
            risk_late=Case(
                When(in_training & Q(first_late_due__isnull=False), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            risk_no_plan=Case(When(no_plan_yet, then=Value(True)), default=Value(False), output_field=BooleanField()),
            **{
                f"risk_{reason.key}": Case(
                    When(in_training & Q(reason.condition(today)), then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
                for reason in hooks.AT_RISK_REASONS
            },
        )
        .annotate(
            at_risk=Case(
                When(_any_risk(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


def _apply_filters(students: _Students, user: AnyUser, filters: Mapping[str, Any]) -> _Students:
    """``students`` narrowed by the list's filters (see ``student_list``), but for ``at_risk``."""
    if programme := filters.get("programme"):
        students = students.filter(programme=programme)
    if cohort := filters.get("cohort"):
        students = students.filter(cohort=cohort)
    if status := filters.get("status"):
        students = students.filter(status=status)
    if tutor := filters.get("tutor"):
        students = students.filter(tutor=tutor)
    if (tutors := filters.get("tutor_in")) is not None:
        students = students.filter(tutor__in=tutors.values("pk"))
    for name, field in (("partner", "partner"), ("supervisor", "supervisor")):
        wanted = Q(**{field: value}) if (value := filters.get(name)) else None
        if (among := filters.get(f"{name}_in")) is not None:
            wanted = Q(**{f"{field}__in": among.values("pk")})
        if wanted is not None:
            placed = access.scope(
                Placement.objects.filter(wanted).exclude(status=PlacementStatus.CANCELLED), user, "view"
            )
            students = students.filter(pk__in=placed.values("student_id"))
    if plan_status := filters.get("plan_status"):
        students = students.filter(plan__status=plan_status)
    return students


def _any_risk() -> Q:
    """At risk for any reason: the two built in here, and those other apps add (``AT_RISK_REASONS``)."""
    condition = Q(risk_late=True) | Q(risk_no_plan=True)
    for reason in hooks.AT_RISK_REASONS:
        condition |= Q(**{f"risk_{reason.key}": True})
    return condition


def student_at_risk_list(
    *, user: AnyUser, filters: Mapping[str, Any] | None = None, today: datetime.date | None = None
) -> QuerySet[Student]:
    """Students in scope and still in training who are at risk: a pending milestone past its due date, or no
    office-approved plan ``AT_RISK_PLAN_DAYS`` days after enrolment. Oldest problem first."""
    students = student_list(user=user, filters={**(filters or {}), "at_risk": True}, today=today)
    return students.order_by(F("first_late_due").asc(nulls_last=True), "enrolled_on", "student_number")


def _at_risk(today: datetime.date, late: Q | None = None) -> Q:
    """At risk, as a condition on the students table (the ``at_risk`` annotation of ``student_list``
    without its per-reason columns): in training, and a late milestone, no approved plan in time, or a
    reason another app adds. ``late``: "a late milestone" as a condition on a join the query already has
    (default: an ``EXISTS``)."""
    has_late = late if late is not None else Q(Exists(_late_milestones(today)))
    condition = has_late | Q(
        enrolled_on__lte=today - datetime.timedelta(days=AT_RISK_PLAN_DAYS), plan__approved_version__isnull=True
    )
    for reason in hooks.AT_RISK_REASONS:  # over every student: each reason's form for a whole list
        condition |= Q(reason.over_all(today))
    return Q(status__in=IN_TRAINING) & condition


def student_at_risk_keys(
    *, user: AnyUser, filters: Mapping[str, Any] | None = None, today: datetime.date | None = None
) -> QuerySet[Any]:
    """The keys of ``student_at_risk_list``'s rows, in its order, for a page to count and slice before it
    fetches its rows (``students_by_keys``). The order's first late due date is a join on an aggregate of the
    late milestones (read from ``milestone_due_idx``, one hash aggregate), not a subquery per student, and
    no other table is joined before the sort keeps a page's keys: the whole list's rows used to be joined
    to their user, programme, cohort, tutor and plan, and their subquery run, before 25 were kept (issue
    #19)."""
    today = today or timezone.localdate()
    students = _apply_filters(access.scope(Student.objects.all(), user, "view"), user, filters or {})
    return at_risk_keys_of(students, today)


def at_risk_keys_of(students: QuerySet[Student], today: datetime.date) -> QuerySet[Any]:
    """``students`` (scoped and filtered) as ``student_at_risk_keys`` answers them: the keys of those at risk,
    oldest problem first."""
    late = FilteredRelation(
        "milestones", condition=Q(milestones__status=MilestoneStatus.PENDING, milestones__due_date__lt=today)
    )
    # "A late milestone" tested on the join the order reads anyway (a student with one has no row without
    # it), not as an ``EXISTS``: that was a second scan of every late milestone, hashed (ADR 0060).
    return (
        students.annotate(late=late)
        .filter(_at_risk(today, late=Q(late__id__isnull=False)))
        .values("pk")
        .annotate(first_late_due=Min("late__due_date"))
        .order_by(F("first_late_due").asc(nulls_last=True), "enrolled_on", "student_number", "pk")
        .values_list("pk", flat=True)
    )


def keys_with_total(keys: QuerySet[Any], total: str) -> QuerySet[Any]:
    """``keys`` with the whole list's count as a second column (``CountedKeys``' ``total``)."""
    if total == "window":
        windowed: QuerySet[Any] = keys.annotate(total=Window(Count("*"))).values_list("pk", "total")
        return windowed
    every = keys.order_by()
    sql, params = every.query.get_compiler(using=every.db).as_sql()
    # Django's own compiled SQL with its parameters kept apart: nothing here comes from the reader.
    every_key = f"SELECT COUNT(*) FROM ({sql}) AS every_key"  # noqa: S608
    count = RawSQL(every_key, params, output_field=IntegerField())  # noqa: S611
    counted: QuerySet[Any] = keys.annotate(total=count).values_list("pk", "total")
    return counted


#: A page of keys and the whole list's count, read already (``list_keys.page``).
KeysPage = tuple[list[int], int]


class CountedKeys:
    """A keys query as a paginator reads it (``count()``, then one slice), answered by one query: the
    expected page of keys with the whole list's count beside every key. A slice other than the one read (a
    page number past the end) or an empty page falls back to the usual queries.

    ``keys``: the keys queryset, or a function that builds it: then it is built only when it is run (no page
    ``read``, or a fallback). ``read``: the expected page and the count, answered already by a statement
    compiled once per shape (``list_keys.page``), or None.

    ``total``: how the count comes with the page.

    - ``"window"`` (``COUNT(*) OVER ()``): for the at-risk keys, whose order is an aggregate over every
      student in scope: the sort that picks a page has every row anyway (the list's count and its page each
      evaluated every risk of every student, two of its heaviest queries, issue #19).
    - ``"subquery"`` (``(SELECT COUNT(*) FROM (<the keys>))``, uncorrelated: PostgreSQL runs it once): for a
      list read in an index's order (the students by number), where a window would make the scan read every
      row to hand back 25 (7 ms against 1 for the office's 10,000 students); the count runs as the
      paginator's own ``count()`` would.
    """

    def __init__(
        self,
        keys: QuerySet[Any] | Callable[[], QuerySet[Any]],
        *,
        start: int,
        size: int,
        total: str = "window",
        read: KeysPage | None = None,
    ) -> None:
        if total not in ("window", "subquery"):
            raise ValueError(f"unknown total {total!r}")
        self._keys, self.start, self.size, self.total = keys, start, size, total
        self._page: list[int] | None = None
        self._total: int | None = None
        # Whether ``_page`` is the page at ``start`` as the list holds it (an empty one included).
        self._exact = False
        if read is not None:
            self._page, self._total = read
            self._exact = True

    @property
    def keys(self) -> QuerySet[Any]:
        if callable(self._keys) and not isinstance(self._keys, QuerySet):
            self._keys = self._keys()
        return self._keys

    def _with_total(self) -> QuerySet[Any]:
        return keys_with_total(self.keys, self.total)

    def count(self) -> int:
        if self._total is None:
            if self.keys.query.is_empty():
                self._page, self._total, self._exact = [], 0, True
            else:
                rows = list(self._with_total()[self.start : self.start + self.size])
                self._page = [pk for pk, _total in rows]
                self._total = rows[0][1] if rows else self.keys.count()
                self._exact = bool(rows) or self._total == 0
        return self._total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[int]:
        if self._page is not None and self._exact and item.start == self.start:
            return self._page[: max(0, (item.stop or self.start + self.size) - self.start)]
        return list(self.keys[item])


def students_by_keys(*, user: AnyUser, keys: Sequence[int], today: datetime.date | None = None) -> list[Student]:
    """The students with these keys that the user may see, in the keys' order, with everything
    ``student_list`` annotates (one query)."""
    if not keys:
        return []
    day = today or timezone.localdate()
    # The statement compiled once per shape of the reader's rules, number of keys and day (ADR 0060):
    # building and compiling its thirty-odd subqueries was most of a page's rows' time.
    rows = list_rows.read(
        user=user,
        keys=keys,
        today=day,
        annotate=_annotated,
        current=_current_placements,
        related=ROW_RELATED,
        using=Student.objects.db,
    )
    if rows is None:
        rows = students_by_keys_reference(user=user, keys=keys, today=day)
    found = {s.pk: s for s in rows}
    return [found[pk] for pk in keys if pk in found]


def students_by_keys_reference(*, user: AnyUser, keys: Sequence[int], today: datetime.date) -> list[Student]:
    """``students_by_keys``' rows built as a queryset for the call (as before ADR 0060), in the list's order:
    the reference the compiled statement is tested against, and the path for a reader whose rules have no
    template (``access.rule_template``)."""
    return list(student_list(user=user, today=today).filter(pk__in=list(keys)))


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


def placements_to_move(*, user: AnyUser, today: datetime.date | None = None) -> QuerySet[Placement]:
    """Placements not cancelled and not yet over at suspended partners, in the user's scope (the office
    moves them: cancel with a reason and add another elsewhere), soonest first."""
    today = today or timezone.localdate()
    placements = Placement.objects.select_related("student__user", "partner", "site", "supervisor").filter(
        partner__status=PartnerStatus.SUSPENDED, end_date__gte=today
    )
    return (
        access.scope(placements, user, "view")
        .exclude(status=PlacementStatus.CANCELLED)
        .order_by("start_date", "partner__name", "pk")
    )
