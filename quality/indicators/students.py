"""The report's "students" section: how many are enrolled, on track, at risk (and why), suspended,
graduated and withdrawn, and how long their training plans wait for approval.

Which students: those of the programme (and cohort) enrolled by the frame's day. A student's status is the
one they had on that day, read from the student's history (``simple_history``: every change through the
services leaves a row), so last year's report says who was enrolled then, not now; a student without a
history row by then (loaded in bulk) counts with their present status.

"At risk" is the students lists' rule (``students.selectors.lists``), evaluated as of the frame's day: a
student in training (enrolled or suspended) with a pending milestone past its due date, without an
office-approved plan ``AT_RISK_PLAN_DAYS`` days after enrolment, or for any reason another app adds
(``core.hooks.AT_RISK_REASONS``). The same conditions are used, as aggregates: the whole section is two
queries, whatever the number of students.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from core import hooks
from quality.figures import Column, Figure, Frame, Row, Section, Table, share
from quality.indicators._aggregates import Percentile, days, days_between
from quality.indicators._drill import drill
from students.models import (
    Milestone,
    MilestoneStatus,
    PlanAction,
    PlanEvent,
    Student,
    StudentStatus,
)
from students.selectors import AT_RISK_PLAN_DAYS, IN_TRAINING

#: The built-in reasons of the at-risk lists (``risk_late``, ``risk_no_plan``), as the report labels them.
LATE_LABEL = gettext_noop("A milestone past its due date")
NO_PLAN_LABEL = gettext_noop("No plan approved by the office 30 days after enrolment")


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the site's time zone (for timestamps compared with dates)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def frame_students(frame: Frame) -> QuerySet[Student]:
    """The frame's students: the programme's (and cohort's) students enrolled by the frame's day."""
    students = Student.objects.filter(programme_id=frame.programme_id, enrolled_on__lte=frame.today)
    if frame.cohort_id is not None:
        students = students.filter(cohort_id=frame.cohort_id)
    return students


def status_on(day: datetime.date) -> Coalesce:
    """A student's status at the end of ``day``: their latest history row by then, else their status now."""
    historical = Student.history.model  # type: ignore[attr-defined]
    then = (
        historical.objects.filter(id=OuterRef("pk"), history_date__lt=start_of(day + datetime.timedelta(days=1)))
        .order_by("-history_date", "-history_id")
        .values("status")[:1]
    )
    return Coalesce(Subquery(then), F("status"))


def risk_conditions(today: datetime.date) -> list[tuple[str, str, Q]]:
    """``(key, English label, condition)`` of every at-risk reason, for a student in training on ``today``
    (the condition leaves out "in training"): the lists' two and those other apps register."""
    late = Milestone.objects.filter(student=OuterRef("pk"), status=MilestoneStatus.PENDING, due_date__lt=today)
    no_plan = Q(
        enrolled_on__lte=today - datetime.timedelta(days=AT_RISK_PLAN_DAYS), plan__approved_version__isnull=True
    )
    reasons = [("late", LATE_LABEL, Q(Exists(late))), ("no_plan", NO_PLAN_LABEL, no_plan)]
    # The other apps' labels are lazy: the report keeps their English message ids and translates them
    # when shown, like its own labels (no catalogue active: the message id itself).
    # Each reason's form for a whole list (``RiskReason.whole``): the report counts every student of the frame,
    # and a set built once per statement beats a subquery per student (the cohort counts at a university's
    # scale, 10,000 students with six graded courses each: 1.6 s → 0.3 s, the same counts; issue #19).
    with translation.override(None):
        reasons += [(r.key, str(r.label), Q(r.over_all(today))) for r in hooks.AT_RISK_REASONS]
    return reasons


def _counts_by_cohort(frame: Frame) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """One query: per cohort, the students by status on the frame's day, who graduated, withdrew or
    enrolled during the year, and who is at risk (for any reason, and for each)."""
    today = frame.today
    in_training = Q(status_then__in=IN_TRAINING)
    reasons = risk_conditions(today)
    any_risk = Q()
    for _key, _label, condition in reasons:
        any_risk |= condition
    before = frame.start - datetime.timedelta(days=1)
    aggregates: dict[str, Any] = {
        "total": Count("pk"),
        "enrolled": Count("pk", filter=Q(status_then=StudentStatus.ENROLLED)),
        "suspended": Count("pk", filter=Q(status_then=StudentStatus.SUSPENDED)),
        "in_training": Count("pk", filter=in_training),
        "at_risk": Count("pk", filter=in_training & any_risk),
        "graduated": Count(
            "pk", filter=Q(status_then=StudentStatus.GRADUATED) & ~Q(status_before=StudentStatus.GRADUATED)
        ),
        "withdrawn": Count(
            "pk", filter=Q(status_then=StudentStatus.WITHDRAWN) & ~Q(status_before=StudentStatus.WITHDRAWN)
        ),
        "new": Count("pk", filter=Q(enrolled_on__gte=frame.start)),
        **{f"risk_{key}": Count("pk", filter=in_training & condition) for key, _label, condition in reasons},
    }
    rows: QuerySet[Any] = (
        frame_students(frame)
        .annotate(status_then=status_on(today), status_before=status_on(before))
        .values("cohort_id", "cohort__name", "cohort__intake_year")
        .annotate(**aggregates)
        .order_by("cohort__intake_year", "cohort_id")
    )
    return list(rows), [(key, label) for key, label, _condition in reasons]


def _plan_lead_times(frame: Frame) -> dict[str, Any]:
    """One query over the plans' events of the year: each approval (the tutor's, the office's) with the
    latest submission before it, and each office approval with the tutor's approval before it."""
    plans = PlanEvent.objects.filter(plan__student__programme_id=frame.programme_id)
    if frame.cohort_id is not None:
        plans = plans.filter(plan__student__cohort_id=frame.cohort_id)

    def latest(action: str) -> Subquery:
        before = PlanEvent.objects.filter(plan=OuterRef("plan"), action=action, at__lte=OuterRef("at"))
        return Subquery(before.order_by("-at", "-pk").values("at")[:1])

    events = plans.filter(
        at__gte=start_of(frame.start),
        at__lt=start_of(frame.end + datetime.timedelta(days=1)),
        action__in=[PlanAction.TUTOR_APPROVED, PlanAction.APPROVED, PlanAction.RETURNED],
    ).annotate(submitted_at=latest(PlanAction.SUBMITTED), tutor_at=latest(PlanAction.TUTOR_APPROVED))
    steps = {
        "total": (Q(action=PlanAction.APPROVED, submitted_at__isnull=False), "submitted_at"),
        "tutor": (Q(action=PlanAction.TUTOR_APPROVED, submitted_at__isnull=False), "submitted_at"),
        "office": (Q(action=PlanAction.APPROVED, tutor_at__isnull=False), "tutor_at"),
    }
    aggregates: dict[str, Any] = {
        "approved": Count("pk", filter=Q(action=PlanAction.APPROVED)),
        "approved_plans": Count("plan", distinct=True, filter=Q(action=PlanAction.APPROVED)),
        "returned": Count("pk", filter=Q(action=PlanAction.RETURNED)),
        "returned_plans": Count("plan", distinct=True, filter=Q(action=PlanAction.RETURNED)),
    }
    for step, (condition, since) in steps.items():
        lead = days_between(since, "at")
        aggregates |= {
            f"{step}_n": Count("pk", filter=condition),
            f"{step}_plans": Count("plan", distinct=True, filter=condition),
            f"{step}_median": Percentile(lead, 0.5, filter=condition),
            f"{step}_mean": Avg(lead, filter=condition),
            f"{step}_p90": Percentile(lead, 0.9, filter=condition),
        }
    return events.aggregate(**aggregates)


def section(frame: Frame) -> Section:
    """The students figures for ``frame``."""
    rows, reasons = _counts_by_cohort(frame)
    totals: dict[str, int] = {}
    for row in rows:
        for key, value in row.items():
            if not key.startswith("cohort"):
                totals[key] = totals.get(key, 0) + int(value)
    get = totals.get
    in_training = get("in_training", 0)
    at_risk = get("at_risk", 0)
    on_track = in_training - at_risk
    plans = _plan_lead_times(frame)
    people_approved = plans["total_plans"]

    figures = [
        Figure(
            "students.enrolled",
            gettext_noop("Students enrolled"),
            get("enrolled", 0),
            people=get("enrolled", 0),
            drill=drill("students:list", frame, status=StudentStatus.ENROLLED),
            note=gettext_noop("In training on the report's day, not suspended."),
        ),
        Figure(
            "students.suspended",
            gettext_noop("Students suspended"),
            get("suspended", 0),
            people=get("suspended", 0),
            better="lower",
            drill=drill("students:list", frame, status=StudentStatus.SUSPENDED),
        ),
        Figure("students.new", gettext_noop("Students who enrolled in the year"), get("new", 0), people=get("new", 0)),
        Figure(
            "students.on_track",
            gettext_noop("Students on track"),
            on_track,
            people=on_track,
            better="higher",
            note=gettext_noop("In training (enrolled or suspended) and at risk for no reason."),
        ),
        Figure(
            "students.on_track_share",
            gettext_noop("Share of students in training on track"),
            share(on_track, in_training),
            unit="share",
            people=in_training,
            better="higher",
        ),
        Figure(
            "students.at_risk",
            gettext_noop("Students at risk"),
            at_risk,
            people=at_risk,
            better="lower",
            drill=drill("students:at-risk", frame),
        ),
        Figure(
            "students.at_risk_share",
            gettext_noop("Share of students in training at risk"),
            share(at_risk, in_training),
            unit="share",
            people=in_training,
            better="lower",
        ),
        Figure(
            "students.graduated",
            gettext_noop("Students who graduated in the year"),
            get("graduated", 0),
            people=get("graduated", 0),
            better="higher",
        ),
        Figure(
            "students.withdrawn",
            gettext_noop("Students who withdrew in the year"),
            get("withdrawn", 0),
            people=get("withdrawn", 0),
            better="lower",
        ),
        Figure(
            "students.plans_approved",
            gettext_noop("Training plans approved by the office in the year"),
            plans["approved"],
            people=plans["approved_plans"],
        ),
        Figure(
            "students.plans_returned",
            gettext_noop("Training plans returned in the year"),
            plans["returned"],
            people=plans["returned_plans"],
            better="lower",
        ),
        Figure(
            "students.plan_approval_days_median",
            gettext_noop("Median days from a plan's submission to its approval"),
            days(plans["total_median"]),
            unit="days",
            people=people_approved,
            better="lower",
        ),
        Figure(
            "students.plan_approval_days_mean",
            gettext_noop("Mean days from a plan's submission to its approval"),
            days(plans["total_mean"]),
            unit="days",
            people=people_approved,
            better="lower",
        ),
    ]

    step_labels = (
        ("total", gettext_noop("Submission to the office's approval")),
        ("tutor", gettext_noop("Submission to the tutor's approval")),
        ("office", gettext_noop("Tutor's approval to the office's approval")),
    )
    lead_times = Table(
        "students.plan_approval_steps",
        gettext_noop("Plan approval lead times by step (days)"),
        columns=[
            Column("median", gettext_noop("Median days"), unit="days", better="lower"),
            Column("mean", gettext_noop("Mean days"), unit="days", better="lower"),
            Column("p90", gettext_noop("90th percentile (days)"), unit="days", better="lower"),
            Column("approvals", gettext_noop("Approvals")),
        ],
        rows=[
            Row(
                label,
                [
                    days(plans[f"{step}_median"]),
                    days(plans[f"{step}_mean"]),
                    days(plans[f"{step}_p90"]),
                    plans[f"{step}_n"],
                ],
                people=[plans[f"{step}_plans"]] * 4,
                translate=True,
                key=step,
            )
            for step, label in step_labels
        ],
        chart="bar",
        note=gettext_noop(
            "Approvals in the year, each timed from the latest submission (or the tutor's approval) before it."
        ),
    )
    why = Table(
        "students.at_risk_reasons",
        gettext_noop("Why students are at risk"),
        columns=[Column("students", gettext_noop("Students"), better="lower")],
        rows=[
            Row(label, [get(f"risk_{key}", 0)], people=[get(f"risk_{key}", 0)], translate=True, key=key)
            for key, label in reasons
        ],
        chart="bar",
        note=gettext_noop("A student may be at risk for several reasons, so the rows may add up to more."),
    )
    by_cohort_columns = (
        ("enrolled", gettext_noop("Enrolled"), ""),
        ("suspended", gettext_noop("Suspended"), "lower"),
        ("on_track", gettext_noop("On track"), "higher"),
        ("at_risk", gettext_noop("At risk"), "lower"),
        ("graduated", gettext_noop("Graduated in the year"), "higher"),
        ("withdrawn", gettext_noop("Withdrew in the year"), "lower"),
    )
    cohort_rows = []
    for row in rows:
        counts = {**row, "on_track": row["in_training"] - row["at_risk"]}
        values: list[int | float | None] = [int(counts[key]) for key, _label, _better in by_cohort_columns]
        name = row["cohort__name"] or str(row["cohort__intake_year"])
        cohort_rows.append(Row(name, values, people=[int(v or 0) for v in values], key=str(row["cohort_id"])))
    by_cohort = Table(
        "students.by_cohort",
        gettext_noop("Students by cohort"),
        columns=[Column(key, label, better=better) for key, label, better in by_cohort_columns],  # type: ignore[arg-type]
        rows=cohort_rows,
    )
    return Section(
        key="students",
        title=gettext_noop("Students"),
        figures=figures,
        tables=[why, lead_times, by_cohort],
        notes=[
            gettext_noop(
                "Students are those of the programme (and cohort) enrolled by the report's day, counted with the "
                "status they had that day; on track and at risk are judged on that day with the students lists' rules."
            )
        ],
    )
