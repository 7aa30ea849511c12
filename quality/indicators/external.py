"""The report's "external supervision" section (the ``supervision`` app): the inspections of the
programme's partners, what they found (by severity, and the checklist's ratings by aspect), whether the
corrective actions were answered in time, how soon results were published, and the partners on probation.

An inspection is of a partner, not of a programme: the section counts the inspections of the partners taking
part in the programme (``programmes.Participation``) or where its students (the cohort's, for a cohort's
report) are placed. A spot inspection still planned is secret until an inspector starts it, so it is not
counted among the planned ones. Nothing of a point referred from a student review is read but its existence
(counts only). Five aggregate queries, whatever the number of inspections.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils.translation import gettext_noop

from partners.models import Partner, PartnerStatus, PartnerStatusChange
from programmes.models import Participation
from quality.figures import Column, Figure, Frame, Row, Section, Table, share
from quality.indicators._aggregates import Median, by_today, day_start, days, msgid, whole_days_between, year_bounds
from students.models import Placement, PlacementStatus
from supervision.models import (
    AWAITING_ANSWER,
    STARTED_STATUSES,
    Aspect,
    ChecklistResult,
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionKind,
    Rating,
    Severity,
)
from supervision.services.publication import PUBLICATION_DAYS

KEY = "external"


def programme_partners(frame: Frame) -> Q:
    """Partners (``pk``) taking part in the programme or where its (cohort's) students are placed."""
    placed = Placement.objects.filter(student__programme_id=frame.programme_id).exclude(
        status=PlacementStatus.CANCELLED
    )
    if frame.cohort_id is not None:
        placed = placed.filter(student__cohort_id=frame.cohort_id)
    taking_part = Participation.objects.filter(programme_id=frame.programme_id)
    return Q(pk__in=taking_part.values("partner_id")) | Q(pk__in=placed.values("partner_id"))


def _partner_ids(frame: Frame) -> QuerySet[Partner, Any]:
    return Partner.objects.filter(programme_partners(frame)).values("pk")


def _inspections(frame: Frame, partners: QuerySet[Partner, Any]) -> list[Figure]:
    """Inspections planned, held, closed and published in the year, and the days from closing to
    publication (one query)."""
    start, end = year_bounds(frame)
    in_year = {
        name: Q(**{f"{name}_at__gte": start, f"{name}_at__lt": end}) for name in ("started", "closed", "published")
    }
    planned = Q(planned_date__gte=frame.start, planned_date__lte=frame.end) & (
        Q(kind=InspectionKind.SCHEDULED) | Q(status__in=STARTED_STATUSES)
    )
    # Closed before (today - PUBLICATION_DAYS + 1) and not published by the end of today: overdue
    # (supervision.services.publication.publication_overdue, as of the report's day).
    waiting = Q(closed_at__lt=day_start(frame.today - datetime.timedelta(days=PUBLICATION_DAYS - 1))) & (
        Q(published_at__isnull=True) | Q(published_at__gte=end)
    )
    totals = (
        Inspection.objects.filter(target_partner__in=partners)
        .annotate(publication_days=whole_days_between("closed_at", "published_at"))
        .aggregate(
            planned=Count("pk", filter=planned),
            held=Count("pk", filter=in_year["started"]),
            spot=Count("pk", filter=in_year["started"] & Q(kind=InspectionKind.SPOT)),
            closed=Count("pk", filter=in_year["closed"]),
            published=Count("pk", filter=in_year["published"]),
            median=Median("publication_days", filter=in_year["published"] & Q(closed_at__isnull=False)),
            late=Count("pk", filter=in_year["published"] & Q(publication_days__gte=PUBLICATION_DAYS)),
            waiting=Count("pk", filter=waiting),
        )
    )
    return [
        Figure(
            key=f"{KEY}.inspections_planned",
            label=gettext_noop("Inspections planned for the year"),
            value=totals["planned"],
            drill=reverse("supervision:list"),
        ),
        Figure(key=f"{KEY}.inspections_held", label=gettext_noop("Inspections held"), value=totals["held"]),
        Figure(
            key=f"{KEY}.spot_share",
            label=gettext_noop("Share of unannounced (spot) inspections among those held"),
            value=share(totals["spot"], totals["held"]),
            unit="share",
        ),
        Figure(key=f"{KEY}.inspections_closed", label=gettext_noop("Inspections closed"), value=totals["closed"]),
        Figure(
            key=f"{KEY}.inspections_published",
            label=gettext_noop("Inspection results published"),
            value=totals["published"],
        ),
        Figure(
            key=f"{KEY}.publication_days",
            label=gettext_noop("Median days from closing to publication"),
            value=days(totals["median"]),
            unit="days",
            better="lower",
        ),
        Figure(
            key=f"{KEY}.published_in_time",
            label=gettext_noop("Share of results published within 14 days of closing"),
            value=share(totals["published"] - totals["late"], totals["published"]),
            unit="share",
            better="higher",
        ),
        Figure(
            key=f"{KEY}.publication_overdue",
            label=gettext_noop("Closed inspections awaiting publication for 14 days or more"),
            value=totals["waiting"],
            better="lower",
            drill=reverse("supervision:publication-queue"),
        ),
    ]


def _findings(frame: Frame, partners: QuerySet[Partner, Any]) -> tuple[list[Figure], list[Table]]:
    """Findings recorded in the year by severity, and the checklist's ratings by aspect (two queries)."""
    start, end = year_bounds(frame)
    findings = {
        r["severity"]: r
        for r in Finding.objects.filter(
            inspection__target_partner__in=partners, created_at__gte=start, created_at__lt=end
        )
        .values("severity")
        .annotate(n=Count("pk"), from_reviews=Count("lead"))
        .order_by()
    }
    severity_table = Table(
        key=f"{KEY}.findings_by_severity",
        label=gettext_noop("Findings recorded in the year, by severity"),
        columns=[
            Column("findings", gettext_noop("Findings"), unit="count"),
            Column("from_reviews", gettext_noop("Recorded from points referred by student reviews"), unit="count"),
        ],
        rows=[
            Row(
                label=msgid(Severity(s).label),
                values=[findings[s]["n"] if s in findings else 0, findings[s]["from_reviews"] if s in findings else 0],
                translate=True,
                key=s,
            )
            for s in Severity.values
        ],
        chart="bar",
    )
    ratings = {
        (r["item__aspect"], r["rating"]): r["n"]
        for r in ChecklistResult.objects.filter(
            inspection__target_partner__in=partners, recorded_at__gte=start, recorded_at__lt=end
        )
        .values("item__aspect", "rating")
        .annotate(n=Count("pk"))
        .order_by()
    }
    aspect_table = Table(
        key=f"{KEY}.ratings_by_aspect",
        label=gettext_noop("Checklist ratings in the year, by aspect"),
        columns=[Column(rating, msgid(Rating(rating).label), unit="count") for rating in Rating.values],
        rows=[
            Row(
                label=msgid(Aspect(aspect).label),
                values=[ratings.get((aspect, rating), 0) for rating in Rating.values],
                translate=True,
                key=aspect,
            )
            for aspect in Aspect.values
        ],
        chart="stacked",
        note=gettext_noop(
            "A finding names no aspect: the aspects (feasibility, quality, results) are those of the checklist's items."
        ),
    )
    total = sum(r["n"] for r in findings.values())
    serious = sum(findings[s]["n"] for s in (Severity.MAJOR, Severity.CRITICAL) if s in findings)
    conforming = sum(n for (_aspect, rating), n in ratings.items() if rating == Rating.CONFORMING)
    rated = sum(n for (_aspect, rating), n in ratings.items() if rating != Rating.NOT_APPLICABLE)
    figures = [
        Figure(key=f"{KEY}.findings", label=gettext_noop("Findings recorded"), value=total),
        Figure(
            key=f"{KEY}.findings_serious",
            label=gettext_noop("Major and critical findings"),
            value=serious,
            better="lower",
        ),
        Figure(
            key=f"{KEY}.conforming_share",
            label=gettext_noop("Share of checklist items rated conforming"),
            value=share(conforming, rated),
            unit="share",
            better="higher",
        ),
    ]
    return figures, [severity_table, aspect_table]


#: The columns of the corrective actions' table, in order.
ACTION_STATES: tuple[tuple[str, str], ...] = (
    ("on_time", gettext_noop("Answered on time")),
    ("late", gettext_noop("Answered late")),
    ("overdue", gettext_noop("Overdue")),
    ("not_due", gettext_noop("Not yet due")),
)


def _actions(frame: Frame, partners: QuerySet[Partner, Any]) -> tuple[list[Figure], Table]:
    """Corrective actions due in the year, as of ``frame.today``: answered by their due day, answered
    after it, still unanswered after it (overdue), or not yet due; by their finding's severity (one query).
    An answer the inspector reopened is awaited again."""
    before = by_today(frame)
    answered = Q(answered_at__isnull=False, answered_at__lt=before) & ~Q(status__in=AWAITING_ANSWER)
    awaiting = ~answered
    states = {
        "on_time": answered & Q(answered_at__date__lte=F("due_date")),
        "late": answered & Q(answered_at__date__gt=F("due_date")),
        "overdue": awaiting & Q(due_date__lt=frame.today),
        "not_due": awaiting & Q(due_date__gte=frame.today),
    }
    rows: dict[str, dict[str, Any]] = {
        r["finding__severity"]: dict(r)
        for r in CorrectiveAction.objects.filter(
            finding__inspection__target_partner__in=partners,
            finding__created_at__lt=before,
            due_date__gte=frame.start,
            due_date__lte=frame.end,
        )
        .values("finding__severity")
        .annotate(**{state: Count("pk", filter=q) for state, q in states.items()})
        .order_by()
    }
    table = Table(
        key=f"{KEY}.actions_by_severity",
        label=gettext_noop("Corrective actions due in the year, by their finding's severity"),
        columns=[Column(state, label, unit="count") for state, label in ACTION_STATES],
        rows=[
            Row(
                label=msgid(Severity(s).label),
                values=[rows[s][state] for state, _label in ACTION_STATES],
                translate=True,
                key=s,
            )
            for s in Severity.values
            if s in rows
        ],
        chart="stacked",
        note=gettext_noop("As of the report's day; an answer the inspector reopened is awaited again."),
    )
    totals = {state: sum(r[state] for r in rows.values()) for state, _label in ACTION_STATES}
    judged = totals["on_time"] + totals["late"] + totals["overdue"]
    figures = [
        Figure(
            key=f"{KEY}.actions_due",
            label=gettext_noop("Corrective actions due in the year"),
            value=sum(totals.values()),
        ),
        Figure(
            key=f"{KEY}.actions_on_time",
            label=gettext_noop("Share of corrective actions answered on time"),
            value=share(totals["on_time"], judged),
            unit="share",
            better="higher",
        ),
        Figure(
            key=f"{KEY}.actions_late",
            label=gettext_noop("Corrective actions answered late"),
            value=totals["late"],
            better="lower",
        ),
        Figure(
            key=f"{KEY}.actions_overdue",
            label=gettext_noop("Corrective actions overdue"),
            value=totals["overdue"],
            better="lower",
            drill=reverse("supervision:actions") + "?overdue=on",
        ),
    ]
    return figures, table


def _partners(frame: Frame, partners: QuerySet[Partner, Any]) -> tuple[Figure, Table, Table]:
    """The programme's partners side by side (inspections held, findings and serious findings of the year,
    corrective actions overdue on ``frame.today``), and those on probation on that day, their status then
    read from their status history (one query)."""
    start, end = year_bounds(frame)
    before = by_today(frame)
    changes = PartnerStatusChange.objects.filter(partner=OuterRef("pk"))
    status_then = Coalesce(
        Subquery(changes.filter(changed_at__lt=before).order_by("-changed_at", "-pk").values("to_status")[:1]),
        NullIf(
            Subquery(changes.filter(changed_at__gte=before).order_by("changed_at", "pk").values("from_status")[:1]),
            Value(""),
        ),
        F("status"),
    )
    i = "inspections__"
    f = f"{i}findings__"
    a = f"{f}corrective_action__"
    held = Q(**{f"{i}started_at__gte": start, f"{i}started_at__lt": end})
    found = Q(**{f"{f}created_at__gte": start, f"{f}created_at__lt": end})
    overdue = Q(**{f"{f}created_at__lt": before, f"{a}due_date__lt": frame.today}) & (
        Q(**{f"{a}status__in": AWAITING_ANSWER})
        | Q(**{f"{a}answered_at__isnull": True})
        | Q(**{f"{a}answered_at__gte": before})
    )
    rows = list(
        Partner.objects.filter(pk__in=partners)
        .annotate(
            status_then=status_then,
            held=Count("inspections", distinct=True, filter=held),
            findings=Count("inspections__findings", distinct=True, filter=found),
            serious=Count(
                "inspections__findings",
                distinct=True,
                filter=found & Q(**{f"{f}severity__in": (Severity.MAJOR, Severity.CRITICAL)}),
            ),
            overdue=Count(f"{f}corrective_action", distinct=True, filter=overdue),
        )
        .values("pk", "name", "status_then", "held", "findings", "serious", "overdue")
        .order_by("name")
    )
    on_probation = [r for r in rows if r["status_then"] == PartnerStatus.PROBATION]
    figure = Figure(
        key=f"{KEY}.partners_on_probation",
        label=gettext_noop("Partners on probation"),
        value=len(on_probation),
        better="lower",
        drill=reverse("supervision:scorecards"),
    )
    probation = Table(
        key=f"{KEY}.partners_on_probation",
        label=gettext_noop("Partners on probation on the report's day"),
        columns=[
            Column("findings", gettext_noop("Findings in the year"), unit="count", better="lower"),
            Column("overdue", gettext_noop("Corrective actions overdue"), unit="count", better="lower"),
        ],
        rows=[Row(label=r["name"], values=[r["findings"], r["overdue"]], key=str(r["pk"])) for r in on_probation],
    )
    by_partner = Table(
        key=f"{KEY}.by_partner",
        label=gettext_noop("External supervision by partner"),
        columns=[
            Column("held", gettext_noop("Inspections held"), unit="count"),
            Column("findings", gettext_noop("Findings in the year"), unit="count", better="lower"),
            Column("serious", gettext_noop("Major and critical findings"), unit="count", better="lower"),
            Column("overdue", gettext_noop("Corrective actions overdue"), unit="count", better="lower"),
        ],
        rows=[
            Row(label=r["name"], values=[r["held"], r["findings"], r["serious"], r["overdue"]], key=str(r["pk"]))
            for r in rows
            if r["held"] or r["findings"] or r["overdue"]
        ],
        chart="bar",
        note=gettext_noop("The partners with an inspection, a finding or an overdue corrective action."),
    )
    return figure, probation, by_partner


def section(frame: Frame) -> Section:
    """The external supervision figures for ``frame``."""
    partners = _partner_ids(frame)
    inspection_figures = _inspections(frame, partners)
    finding_figures, finding_tables = _findings(frame, partners)
    action_figures, actions = _actions(frame, partners)
    probation, on_probation, by_partner = _partners(frame, partners)
    return Section(
        key=KEY,
        title=gettext_noop("External supervision"),
        figures=[*inspection_figures, *finding_figures, *action_figures, probation],
        tables=[*finding_tables, actions, on_probation, by_partner],
        notes=[
            gettext_noop(
                "Inspections are of partners, not of programmes: these are the inspections of the partners "
                "taking part in the programme or where its students are placed."
            ),
            gettext_noop("Spot inspections still planned are secret until they start, and are not counted."),
        ],
    )
