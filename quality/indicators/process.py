"""The report's "training process" section: placements by partner, practice hours against the programme's
requirements (by activity category and by partner), how long sign-offs take, and milestones on time.

Rules (the section's notes say them to the reader):

- **Placements** count when they belong to the frame's students and overlap the year; cancelled ones are
  counted apart. Partners are those taking part in the programme (``programmes.Participation``) and those
  where its students are placed.
- **Hours** are approved entries (corrections included: they are entries too) of the students who count
  for the requirement, that is those in training or graduated on the frame's day, dated and approved by
  that day. The requirement by activity category is ``ActivityCategory.required_hours`` times those
  students; by partner, the hours the year's placements there require (``PlacementHours``). Hours approved
  in the year (dated within it) are shown beside.
- **Sign-off delays** run from an entry's entry (``entered_at``) to its decision (``decided_at``), for
  entries decided in the year; entries a supervisor entered (approved as they were entered) are left out.
- **Milestones** due in the year, as of the frame's day: done on time (by the due date), done late,
  overdue (still pending after the due date), not yet due, waived. Students who withdrew are left out.

Every figure is an aggregate in PostgreSQL: seven queries whatever the number of entries (eight when hours
were approved at a partner with no placement in the year, for its name); the largest
(``hours_by_category_and_partner``) reads the programme's approved entries once.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, DecimalField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_noop

from partners.models import Partner
from practice.models import EntryStatus, PracticeLog
from programmes.models import ActivityCategory, MilestoneKind, Participation
from quality.figures import Column, Figure, Frame, Row, Section, Table, share
from quality.figures import Value as Cell
from quality.indicators._aggregates import Percentile, days, days_between
from quality.indicators.students import frame_students, start_of, status_on
from students.models import Milestone, MilestoneStatus, Placement, PlacementHours, PlacementStatus, StudentStatus

#: Students whose hours count towards the requirement on the frame's day.
COUNTED = (StudentStatus.ENROLLED, StudentStatus.SUSPENDED, StudentStatus.GRADUATED)
#: Sign-offs waiting longer than this many days are shown apart.
WAITING_DAYS = 14
_HOURS = DecimalField(max_digits=14, decimal_places=2)
MILESTONE_KINDS = (
    (MilestoneKind.PROPOSAL, gettext_noop("Thesis proposal")),
    (MilestoneKind.MIDTERM, gettext_noop("Mid-term review")),
    (MilestoneKind.THESIS, gettext_noop("Thesis submission")),
    (MilestoneKind.DEFENCE, gettext_noop("Defence")),
)


def _hours(value: Any) -> float:
    return round(float(value or 0), 1)


def counted_students(frame: Frame) -> QuerySet[Any]:
    """The ids of the students whose hours count on the frame's day (in training or graduated)."""
    return (
        frame_students(frame).annotate(status_then=status_on(frame.today)).filter(status_then__in=COUNTED).values("pk")
    )


def hours_by_category_and_partner(frame: Frame) -> QuerySet[Any]:
    """The section's largest aggregate (the bench times it against its raw SQL): approved hours of the
    counted students by activity category and partner, all to date, in the year, and on the year's
    placements (the partner requirement's own hours). One pass over the programme's approved entries."""
    day_after = start_of(frame.today + datetime.timedelta(days=1))
    placements = _year_placements(frame).exclude(status=PlacementStatus.CANCELLED).values("pk")
    zero = Decimal("0")
    return (
        PracticeLog.objects.filter(
            student__in=counted_students(frame),
            status=EntryStatus.APPROVED,
            date__lte=frame.today,
            decided_at__lt=day_after,
        )
        .values("category_id", "placement__partner_id")
        .annotate(
            all_hours=Coalesce(Sum("hours"), zero, output_field=_HOURS),
            year_hours=Coalesce(Sum("hours", filter=Q(date__gte=frame.start)), zero, output_field=_HOURS),
            placement_hours=Coalesce(Sum("hours", filter=Q(placement__in=placements)), zero, output_field=_HOURS),
        )
        .order_by("category_id", "placement__partner_id")
    )


def _year_placements(frame: Frame) -> QuerySet[Placement]:
    """The frame's students' placements overlapping the year, cancelled ones included."""
    placements = Placement.objects.filter(
        student__programme_id=frame.programme_id, start_date__lte=frame.end, end_date__gte=frame.start
    )
    if frame.cohort_id is not None:
        placements = placements.filter(student__cohort_id=frame.cohort_id)
    return placements


def _placements_by_partner(frame: Frame) -> list[dict[str, Any]]:
    """One query: per partner taking part or placing the frame's students, the year's placements there,
    their students, those started, completed, cancelled, and the hours they require."""
    year = _year_placements(frame)
    live = year.exclude(status=PlacementStatus.CANCELLED).values("pk")
    cancelled = year.filter(status=PlacementStatus.CANCELLED).values("pk")
    yesterday = frame.today - datetime.timedelta(days=1)
    counted = Q(placements__in=live)
    required = (
        PlacementHours.objects.filter(placement__in=live, placement__partner=OuterRef("pk"))
        .order_by()
        .values("placement__partner")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    partners = Partner.objects.filter(
        Q(pk__in=Participation.objects.filter(programme_id=frame.programme_id).values("partner"))
        | Q(pk__in=year.values("partner"))
    )
    rows: QuerySet[Any] = (
        partners.annotate(
            placements_n=Count("placements", filter=counted),
            students_n=Count("placements__student", distinct=True, filter=counted),
            started=Count("placements", filter=counted & Q(placements__start_date__gte=frame.start)),
            completed=Count("placements", filter=counted & Q(placements__end_date__lte=min(frame.end, yesterday))),
            cancelled=Count("placements", filter=Q(placements__in=cancelled)),
            required=Coalesce(Subquery(required, output_field=IntegerField()), Value(0)),
        )
        .values("pk", "name", "placements_n", "students_n", "started", "completed", "cancelled", "required")
        .order_by("-placements_n", "name")
    )
    return list(rows)


def _signoffs(frame: Frame) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Two queries: the programme's sign-off delays for entries decided in the year (and the entries
    waiting on the frame's day), then the delays by partner."""
    entries = PracticeLog.objects.filter(student__programme_id=frame.programme_id)
    if frame.cohort_id is not None:
        entries = entries.filter(student__cohort_id=frame.cohort_id)
    day_after = start_of(frame.today + datetime.timedelta(days=1))
    decided = Q(
        status__in=[EntryStatus.APPROVED, EntryStatus.REJECTED],
        entered_by_supervisor=False,
        decided_at__gte=start_of(frame.start),
        decided_at__lt=day_after,
    )
    waiting = Q(entered_at__lt=day_after) & (
        Q(status=EntryStatus.PENDING)
        | Q(status__in=[EntryStatus.APPROVED, EntryStatus.REJECTED], decided_at__gte=day_after)
    )
    delay = days_between("entered_at", "decided_at")

    def delays(only: Q | None) -> dict[str, Any]:
        """The delays' aggregates, over the rows ``only`` keeps (None: over all the query's rows)."""
        return {
            "decided": Count("pk", filter=only),
            "deciders": Count("decided_by", distinct=True, filter=only),
            "median": Percentile(delay, 0.5, filter=only),
            "mean": Avg(delay, filter=only),
            "p90": Percentile(delay, 0.9, filter=only),
        }

    overall = entries.aggregate(
        **delays(decided),
        waiting=Count("pk", filter=waiting),
        waiting_long=Count("pk", filter=waiting & Q(entered_at__lt=day_after - datetime.timedelta(days=WAITING_DAYS))),
        waiting_students=Count("student", distinct=True, filter=waiting),
    )
    by_partner: QuerySet[Any] = (
        entries.filter(decided)
        .values("placement__partner_id")
        .annotate(**delays(None))
        .order_by("placement__partner_id")
    )
    return overall, list(by_partner)


def _milestones(frame: Frame) -> list[dict[str, Any]]:
    """One query: milestones due in the year by kind, as they stood on the frame's day."""
    today = frame.today
    students = frame_students(frame).annotate(status_then=status_on(today)).exclude(status_then=StudentStatus.WITHDRAWN)
    done_by_then = Q(status=MilestoneStatus.DONE, completed_on__lte=today)
    open_then = Q(status=MilestoneStatus.PENDING) | Q(status=MilestoneStatus.DONE, completed_on__gt=today)
    rows: QuerySet[Any] = (
        Milestone.objects.filter(student__in=students.values("pk"), due_date__gte=frame.start, due_date__lte=frame.end)
        .values("kind")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=done_by_then & Q(completed_on__lte=F("due_date"))),
            done_late=Count("pk", filter=done_by_then & Q(completed_on__gt=F("due_date"))),
            overdue=Count("pk", filter=open_then & Q(due_date__lt=today)),
            upcoming=Count("pk", filter=open_then & Q(due_date__gte=today)),
            waived=Count("pk", filter=Q(status=MilestoneStatus.WAIVED)),
        )
        .order_by("kind")
    )
    return list(rows)


def section(frame: Frame) -> Section:
    """The training process figures for ``frame``."""
    partners = _placements_by_partner(frame)
    names = {row["pk"]: row["name"] for row in partners}
    placed = {row["pk"]: int(row["students_n"]) for row in partners}
    categories = list(
        ActivityCategory.objects.filter(programme_id=frame.programme_id)
        .order_by("name", "pk")
        .values("pk", "name", "required_hours")
    )
    students = frame_students(frame).annotate(status_then=status_on(frame.today)).filter(status_then__in=COUNTED)
    counted = students.count()
    hours = list(hours_by_category_and_partner(frame))
    missing = {row["placement__partner_id"] for row in hours} - set(names)
    if missing:  # entries at a partner where no placement of the year is: an earlier placement's
        names.update(Partner.objects.filter(pk__in=missing).values_list("pk", "name"))
    signoffs, signoffs_by_partner = _signoffs(frame)
    milestones = {row["kind"]: row for row in _milestones(frame)}

    # Sums of the aggregate's groups (categories x partners: a few hundred rows at most).
    by_category: dict[int, dict[str, Decimal]] = {}
    by_partner: dict[int, dict[str, Decimal]] = {}
    cell: dict[tuple[int, int], Decimal] = {}
    for row in hours:
        category, partner = row["category_id"], row["placement__partner_id"]
        for target, key in ((by_category, category), (by_partner, partner)):
            sums = target.setdefault(
                key, {"all_hours": Decimal(0), "year_hours": Decimal(0), "placement_hours": Decimal(0)}
            )
            for name in sums:
                sums[name] += row[name]
        cell[(partner, category)] = row["year_hours"]
    required_total = sum(c["required_hours"] for c in categories) * counted
    approved_total = sum((s["all_hours"] for s in by_category.values()), Decimal(0))
    year_total = sum((s["year_hours"] for s in by_category.values()), Decimal(0))

    live = [row for row in partners if row["placements_n"]]
    all_placements = sum(int(row["placements_n"]) for row in partners)
    milestone_sum = {
        key: sum(int(row[key]) for row in milestones.values())
        for key in ("due", "on_time", "done_late", "overdue", "upcoming", "waived")
    }
    judged = milestone_sum["on_time"] + milestone_sum["done_late"] + milestone_sum["overdue"]
    late = milestone_sum["done_late"] + milestone_sum["overdue"]
    deciders = signoffs["deciders"]

    figures = [
        Figure(
            "process.placements",
            gettext_noop("Placements in the year"),
            all_placements,
        ),
        Figure("process.placement_partners", gettext_noop("Partners with placements in the year"), len(live)),
        Figure(
            "process.placements_cancelled",
            gettext_noop("Placements of the year cancelled"),
            sum(int(row["cancelled"]) for row in partners),
            better="lower",
        ),
        Figure(
            "process.hours_approved",
            gettext_noop("Practice hours approved in the year"),
            _hours(year_total),
            unit="hours",
            people=counted,
        ),
        Figure(
            "process.hours_required_share",
            gettext_noop("Practice hours approved against the requirement"),
            share(float(approved_total), required_total),
            unit="share",
            people=counted,
            better="higher",
            note=gettext_noop("All hours approved so far, against each category's required hours times the students."),
        ),
        Figure(
            "process.signoffs_decided",
            gettext_noop("Practice entries signed off in the year"),
            signoffs["decided"],
            people=deciders,
        ),
        Figure(
            "process.signoff_days_median",
            gettext_noop("Median days from an entry to its sign-off"),
            days(signoffs["median"]),
            unit="days",
            people=deciders,
            better="lower",
        ),
        Figure(
            "process.signoff_days_mean",
            gettext_noop("Mean days from an entry to its sign-off"),
            days(signoffs["mean"]),
            unit="days",
            people=deciders,
            better="lower",
        ),
        Figure(
            "process.signoff_days_p90",
            gettext_noop("90th percentile of days from an entry to its sign-off"),
            days(signoffs["p90"]),
            unit="days",
            people=deciders,
            better="lower",
        ),
        Figure(
            "process.signoffs_waiting",
            gettext_noop("Practice entries waiting for sign-off"),
            signoffs["waiting"],
            people=signoffs["waiting_students"],
            better="lower",
        ),
        Figure(
            "process.signoffs_waiting_long",
            gettext_noop("Practice entries waiting for sign-off for more than 14 days"),
            signoffs["waiting_long"],
            people=signoffs["waiting_students"],
            better="lower",
        ),
        Figure(
            "process.milestones_due",
            gettext_noop("Milestones due in the year"),
            milestone_sum["due"],
            people=milestone_sum["due"],
        ),
        Figure(
            "process.milestones_on_time",
            gettext_noop("Milestones done on time"),
            milestone_sum["on_time"],
            people=milestone_sum["on_time"],
            better="higher",
        ),
        Figure(
            "process.milestones_late",
            gettext_noop("Milestones late (done late or overdue)"),
            late,
            people=late,
            better="lower",
        ),
        Figure(
            "process.milestones_overdue",
            gettext_noop("Milestones overdue"),
            milestone_sum["overdue"],
            people=milestone_sum["overdue"],
            better="lower",
            note=gettext_noop("Still pending after the due date."),
        ),
        Figure(
            "process.milestones_on_time_share",
            gettext_noop("Share of milestones due so far done on time"),
            share(milestone_sum["on_time"], judged),
            unit="share",
            people=judged,
            better="higher",
            note=gettext_noop("Of the milestones done or overdue; waived ones and those not yet due are left out."),
        ),
    ]

    placements_table = Table(
        "process.placements_by_partner",
        gettext_noop("Placements by partner"),
        columns=[
            Column("placements", gettext_noop("Placements")),
            Column("students", gettext_noop("Students")),
            Column("started", gettext_noop("Started in the year")),
            Column("completed", gettext_noop("Completed")),
            Column("cancelled", gettext_noop("Cancelled"), better="lower"),
        ],
        rows=[
            Row(
                row["name"],
                [row["placements_n"], row["students_n"], row["started"], row["completed"], row["cancelled"]],
                people=[None, row["students_n"], None, None, None],
                key=str(row["pk"]),
            )
            for row in partners
        ],
        chart="bar",
        note=gettext_noop("Placements of the year's students that overlap the year; cancelled ones apart."),
    )
    category_rows = []
    for category in categories:
        sums = by_category.get(category["pk"], {})
        required = category["required_hours"] * counted
        approved = sums.get("all_hours", Decimal(0))
        category_rows.append(
            Row(
                category["name"],
                [share(float(approved), required), _hours(approved), required, _hours(sums.get("year_hours"))],
                people=[counted] * 4,
                key=str(category["pk"]),
            )
        )
    hours_by_category = Table(
        "process.hours_by_category",
        gettext_noop("Practice hours against the requirement by activity"),
        columns=[
            Column("share", gettext_noop("Share of the requirement"), unit="share", better="higher"),
            Column("approved", gettext_noop("Hours approved"), unit="hours"),
            Column("required", gettext_noop("Hours required"), unit="hours"),
            Column("year", gettext_noop("Hours approved in the year"), unit="hours"),
        ],
        rows=category_rows,
        chart="bar",
        note=gettext_noop("Required: the category's required hours times the students in training or graduated."),
    )
    partner_ids = sorted(set(by_partner) | {row["pk"] for row in live}, key=lambda pk: names.get(pk, ""))
    required_at = {row["pk"]: int(row["required"]) for row in partners}
    hours_by_partner = Table(
        "process.hours_by_partner",
        gettext_noop("Practice hours against the placements' requirement by partner"),
        columns=[
            Column("share", gettext_noop("Share of the requirement"), unit="share", better="higher"),
            Column("approved", gettext_noop("Hours approved on the year's placements"), unit="hours"),
            Column("required", gettext_noop("Hours the year's placements require"), unit="hours"),
            Column("year", gettext_noop("Hours approved in the year"), unit="hours"),
        ],
        rows=[
            Row(
                names.get(pk, ""),
                [
                    share(_hours(by_partner.get(pk, {}).get("placement_hours")), required_at.get(pk)),
                    _hours(by_partner.get(pk, {}).get("placement_hours")),
                    required_at.get(pk, 0),
                    _hours(by_partner.get(pk, {}).get("year_hours")),
                ],
                people=[placed.get(pk)] * 4,
                key=str(pk),
            )
            for pk in partner_ids
        ],
        chart="bar",
    )
    matrix_partners = [pk for pk in partner_ids if any(cell.get((pk, c["pk"])) for c in categories)]
    hours_matrix = Table(
        "process.hours_by_partner_and_activity",
        gettext_noop("Practice hours approved in the year by partner and activity"),
        columns=[Column(f"c{c['pk']}", c["name"], unit="hours") for c in categories],
        rows=[
            Row(
                names.get(pk, ""),
                [_hours(cell.get((pk, c["pk"]))) for c in categories],
                people=[placed.get(pk)] * len(categories),
                key=str(pk),
            )
            for pk in matrix_partners
        ],
        chart="stacked",
        note=gettext_noop("Column headings are the programme's activity names, as they are recorded."),
    )
    partner_delays = Table(
        "process.signoff_by_partner",
        gettext_noop("Sign-off delays by partner (days)"),
        columns=[
            Column("median", gettext_noop("Median days"), unit="days", better="lower"),
            Column("mean", gettext_noop("Mean days"), unit="days", better="lower"),
            Column("p90", gettext_noop("90th percentile (days)"), unit="days", better="lower"),
            Column("decided", gettext_noop("Entries signed off")),
        ],
        rows=sorted(
            (
                Row(
                    names.get(row["placement__partner_id"], ""),
                    [days(row["median"]), days(row["mean"]), days(row["p90"]), row["decided"]],
                    people=[row["deciders"]] * 4,
                    key=str(row["placement__partner_id"]),
                )
                for row in signoffs_by_partner
            ),
            key=lambda r: r.label,
        ),
        chart="bar",
        note=gettext_noop("People behind a cell: the supervisors who signed off there."),
    )
    milestone_columns = (
        ("on_time", gettext_noop("Done on time"), "higher"),
        ("done_late", gettext_noop("Done late"), "lower"),
        ("overdue", gettext_noop("Overdue"), "lower"),
        ("upcoming", gettext_noop("Not yet due"), ""),
        ("waived", gettext_noop("Waived"), ""),
    )
    milestone_rows = []
    for kind, label in MILESTONE_KINDS:
        if (found := milestones.get(kind)) is None:
            continue
        values: list[Cell] = [int(found[key]) for key, _label, _better in milestone_columns]
        milestone_rows.append(
            Row(
                label,
                values,
                people=[int(found[key]) for key, _l, _b in milestone_columns],
                translate=True,
                key=str(kind),
            )
        )
    milestones_table = Table(
        "process.milestones_by_kind",
        gettext_noop("Milestones due in the year by kind"),
        columns=[Column(key, label, better=better) for key, label, better in milestone_columns],  # type: ignore[arg-type]
        rows=milestone_rows,
        chart="stacked",
    )
    return Section(
        key="process",
        title=gettext_noop("Training process"),
        figures=figures,
        tables=[placements_table, hours_by_category, hours_by_partner, hours_matrix, partner_delays, milestones_table],
        notes=[
            gettext_noop(
                "Hours are approved entries, corrections included, of the students in training or graduated on the "
                "report's day. Sign-off delays run from an entry's entry to its decision, for entries decided in the "
                "year; entries a supervisor entered are left out. Milestones are those due in the year, as they "
                "stood on the report's day; students who withdrew are left out."
            )
        ],
    )
