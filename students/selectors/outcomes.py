"""Outcomes after training: career intention against destination, by cohort and by partner.

Reads start from the user's scope (destinations are the office's). A fixed number of queries whatever the
number of graduates: destinations with their students and cohorts, the partners they were placed at, and
the graduates still without a destination.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from accounts.roles import AnyUser
from partners import access
from students.models import (
    INTENTION_FULFILLED_BY,
    CareerIntention,
    DestinationKind,
    Placement,
    PlacementStatus,
    Student,
    StudentDestination,
    StudentStatus,
)


@dataclass
class OutcomeGroup:
    """The graduates of one cohort, or those placed at one partner: destinations against intentions."""

    label: str
    recorded: int = 0
    fulfilled: int = 0
    intended_venture: int = 0
    own_venture: int = 0
    #: destination -> count
    destinations: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    #: (intention, destination) -> count
    cells: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))

    def add(self, destination: StudentDestination) -> None:
        self.recorded += 1
        self.destinations[destination.kind] += 1
        self.cells[(destination.career_intention, destination.kind)] += 1
        if INTENTION_FULFILLED_BY.get(destination.career_intention) == destination.kind:
            self.fulfilled += 1
        if destination.career_intention == CareerIntention.ENTREPRENEURSHIP:
            self.intended_venture += 1
        if destination.kind == DestinationKind.OWN_VENTURE:
            self.own_venture += 1

    @property
    def fulfilled_percent(self) -> int:
        return round(100 * self.fulfilled / self.recorded) if self.recorded else 0

    @property
    def destination_counts(self) -> list[int]:
        return [self.destinations.get(kind, 0) for kind in DestinationKind.values]

    @property
    def matrix(self) -> list[tuple[str, list[int]]]:
        """Rows by intention (label, counts per destination), only intentions that occur."""
        rows = []
        for intention, label in CareerIntention.choices:
            counts = [self.cells.get((intention, kind), 0) for kind in DestinationKind.values]
            if any(counts):
                rows.append((str(label), counts))
        return rows


@dataclass
class Outcomes:
    by_cohort: list[OutcomeGroup]
    by_partner: list[OutcomeGroup]
    total: OutcomeGroup
    destination_labels: list[str]


def destinations_in_scope(*, user: AnyUser) -> QuerySet[StudentDestination]:
    return access.scope(
        StudentDestination.objects.select_related("student__user", "student__cohort__programme", "recorded_by"),
        user,
        "view",
    )


def outcome_comparison(*, user: AnyUser) -> Outcomes:
    """Intention against destination for every graduate the user may see, by cohort and by partner (each
    partner the graduate had a placement at, cancelled ones aside)."""
    destinations = list(destinations_in_scope(user=user).order_by("student__cohort__intake_year", "student_id"))
    cohorts: dict[int, OutcomeGroup] = {}
    total = OutcomeGroup(label="")
    for destination in destinations:
        cohort = destination.student.cohort
        group = cohorts.setdefault(cohort.pk, OutcomeGroup(label=str(cohort)))
        group.add(destination)
        total.add(destination)
    placed = (
        Placement.objects.filter(student_id__in=[d.student_id for d in destinations])
        .exclude(status=PlacementStatus.CANCELLED)
        .values_list("student_id", "partner_id", "partner__name")
        .distinct()
    )
    by_student = {d.student_id: d for d in destinations}
    partners: dict[int, OutcomeGroup] = {}
    for student_id, partner_id, partner_name in placed:
        partners.setdefault(partner_id, OutcomeGroup(label=partner_name)).add(by_student[student_id])
    return Outcomes(
        by_cohort=list(cohorts.values()),
        by_partner=sorted(partners.values(), key=lambda g: g.label),
        total=total,
        destination_labels=[str(label) for label in DestinationKind.labels],
    )


def graduates_without_destination(*, user: AnyUser) -> QuerySet[Student]:
    """Graduated students in the user's scope with no destination recorded yet (the office records them)."""
    students = access.scope(Student.objects.select_related("user", "cohort"), user, "view")
    return students.filter(status=StudentStatus.GRADUATED, destination__isnull=True).order_by("student_number")


def office_start_panel(user: AnyUser) -> dict[str, int] | None:
    """The office's start card of set-up and follow-up work (``core.hooks.START_PANELS``): placements to
    move away from suspended partners, graduates without a destination. ``None`` for anyone else."""
    from students.selectors.lists import placements_to_move

    if not access.is_office(user):
        return None
    return {
        "to_move": placements_to_move(user=user).count(),
        "missing_destinations": graduates_without_destination(user=user).count(),
    }
