"""A small programme built for the students, objectives and process sections of the quality report, with
answers worked out by hand (the test modules state them beside each assertion).

Programme P (first intake 2025), judged as of 2026-11-30:

====  ======  ===========  =====================  ===========================================
name  cohort  enrolled on  status (history)       plan / milestones / placements
====  ======  ===========  =====================  ===========================================
s1    2025    2025-09-01   enrolled               approved 2026-01; proposal on time, midterm done late
s2    2025    2025-09-01   enrolled               no plan; proposal overdue, midterm done after the day
s3    2026    2026-09-01   enrolled               approved 2026-09 after a return; proposal not yet due
s4    2026    2026-09-01   suspended              approved 2026-09; midterm overdue
s5    2025    2025-09-01   graduated 2026-07-01   approved 2025-09; thesis waived
s6    2025    2025-09-01   withdrawn 2026-03-01   no plan; proposal overdue (left out: withdrew)
s7    2026    2026-12-01   enrolled               (after the day: not counted anywhere)
x     other   2025-09-01   enrolled               another programme's student (never counted)
====  ======  ===========  =====================  ===========================================

P asks for 10 project points, so s1 and s2 (a year in, no points) are also behind on project points
(another app's at-risk reason, ``projects``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from curriculum.models import CourseObjective, PlacementObjective
from practice.models import EntryStatus
from programmes.models import MilestoneKind, ObjectiveKind, Programme
from quality.figures import Frame
from students.models import MilestoneStatus, PlacementHours, PlacementStatus, PlanAction, PlanEvent, PlanStatus, Student
from students.models import StudentStatus as Status
from tests.factories.accounts import UserFactory
from tests.factories.curriculum import CourseFactory, CurriculumEntryFactory
from tests.factories.partners import PartnerFactory, SiteFactory
from tests.factories.practice import PracticeLogFactory
from tests.factories.programmes import (
    ActivityCategoryFactory,
    CohortFactory,
    ObjectiveFactory,
    ParticipationFactory,
    ProgrammeFactory,
)
from tests.factories.students import MilestoneFactory, PlacementFactory, StudentFactory, TrainingPlanFactory

AS_OF = datetime.date(2026, 11, 30)
D = datetime.date


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """A moment on ``day`` in the site's time zone."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


@dataclass
class World:
    programme: Programme
    cohort_2025: Any
    cohort_2026: Any
    other: Programme
    students: dict[str, Student] = field(default_factory=dict)
    partners: dict[str, Any] = field(default_factory=dict)
    categories: dict[str, Any] = field(default_factory=dict)

    def frame(self, cohort: Any = None, year: int = 2026) -> Frame:
        return Frame(
            programme_id=self.programme.pk,
            year=year,
            cohort_id=cohort.pk if cohort is not None else None,
            as_of=AS_OF if year == 2026 else None,
        )


def _history(student: Student, *changes: tuple[datetime.date, str]) -> None:
    """Give a student the status history ``changes`` (first: the day they enrolled, with their first
    status), each change saved through ``save()`` (a history row) and dated on its day."""
    historical = Student.history.model  # type: ignore[attr-defined]
    historical.objects.filter(id=student.pk).update(history_date=at(changes[0][0], 9))
    for day, status in changes[1:]:
        student.status = status
        student.save()
        latest = historical.objects.filter(id=student.pk).order_by("-history_id").first()
        historical.objects.filter(history_id=latest.history_id).update(history_date=at(day, 9))


def _plan(student: Student, *events: tuple[str, datetime.date], approved: bool) -> None:
    plan = TrainingPlanFactory.create(
        student=student,
        status=PlanStatus.APPROVED if approved else PlanStatus.DRAFT,
        approved_version=1 if approved else None,
    )
    by = UserFactory.create()
    for action, day in events:
        PlanEvent.objects.create(plan=plan, version=1, action=action, by=by, at=at(day))


def build() -> World:
    programme = ProgrammeFactory.create(name="Quality world", first_intake_year=2025, min_project_points=10)
    other = ProgrammeFactory.create(name="Another programme", first_intake_year=2025)
    world = World(
        programme=programme,
        cohort_2025=CohortFactory.create(programme=programme, intake_year=2025),
        cohort_2026=CohortFactory.create(programme=programme, intake_year=2026),
        other=other,
    )
    pa = PartnerFactory.create(name="Alpha Hospital")
    pb = PartnerFactory.create(name="Beta Enterprise")
    pc = PartnerFactory.create(name="Gamma Institute")
    for partner in (pa, pb, pc):
        if partner is not pb:
            ParticipationFactory.create(programme=programme, partner=partner)
    world.partners = {"a": pa, "b": pb, "c": pc}
    k1 = ActivityCategoryFactory.create(programme=programme, name="CT operation", required_hours=100)
    k2 = ActivityCategoryFactory.create(programme=programme, name="MR operation", required_hours=50)
    world.categories = {"k1": k1, "k2": k2}

    def student(name: str, cohort: Any, enrolled: datetime.date, prog: Programme = programme) -> Student:
        s = StudentFactory.create(programme=prog, cohort=cohort, enrolled_on=enrolled, student_number=f"QW-{name}")
        _history(s, (enrolled, Status.ENROLLED))
        world.students[name] = s
        return s

    c25, c26 = world.cohort_2025, world.cohort_2026
    s1 = student("s1", c25, D(2025, 9, 1))
    s2 = student("s2", c25, D(2025, 9, 1))
    s3 = student("s3", c26, D(2026, 9, 1))
    s4 = student("s4", c26, D(2026, 9, 1))
    _history(s4, (D(2026, 9, 1), Status.ENROLLED), (D(2026, 10, 15), Status.SUSPENDED))
    s5 = student("s5", c25, D(2025, 9, 1))
    _history(s5, (D(2025, 9, 1), Status.ENROLLED), (D(2026, 7, 1), Status.GRADUATED))
    s6 = student("s6", c25, D(2025, 9, 1))
    _history(s6, (D(2025, 9, 1), Status.ENROLLED), (D(2026, 3, 1), Status.WITHDRAWN))
    s7 = student("s7", c26, D(2026, 12, 1))
    x = student("x", CohortFactory.create(programme=other, intake_year=2025), D(2025, 9, 1), prog=other)

    # Plans: lead times (submission to approval) 10, 4 (from the second submission), 10 days in 2026.
    S, T, A, R = PlanAction.SUBMITTED, PlanAction.TUTOR_APPROVED, PlanAction.APPROVED, PlanAction.RETURNED
    _plan(s1, (S, D(2026, 1, 10)), (T, D(2026, 1, 14)), (A, D(2026, 1, 20)), approved=True)
    _plan(s2, approved=False)
    _plan(
        s3,
        (S, D(2026, 9, 5)),
        (R, D(2026, 9, 7)),
        (S, D(2026, 9, 10)),
        (T, D(2026, 9, 11)),
        (A, D(2026, 9, 14)),
        approved=True,
    )
    _plan(s4, (S, D(2026, 9, 2)), (T, D(2026, 9, 4)), (A, D(2026, 9, 12)), approved=True)
    _plan(s5, (S, D(2025, 9, 10)), (T, D(2025, 9, 12)), (A, D(2025, 9, 20)), approved=True)
    _plan(x, (S, D(2026, 1, 1)), (T, D(2026, 3, 1)), (A, D(2026, 6, 1)), approved=True)
    _plan(s7, approved=False)

    # Milestones.
    P, M, Th = MilestoneKind.PROPOSAL, MilestoneKind.MIDTERM, MilestoneKind.THESIS
    MilestoneFactory.create(student=s2, kind=P, due_date=D(2026, 3, 1))
    MilestoneFactory.create(student=s4, kind=M, due_date=D(2026, 10, 1))
    MilestoneFactory.create(
        student=s1, kind=P, due_date=D(2026, 4, 1), status=MilestoneStatus.DONE, completed_on=D(2026, 3, 25)
    )
    MilestoneFactory.create(
        student=s1, kind=M, due_date=D(2026, 6, 1), status=MilestoneStatus.DONE, completed_on=D(2026, 6, 10)
    )
    MilestoneFactory.create(student=s3, kind=P, due_date=D(2026, 12, 15))
    MilestoneFactory.create(
        student=s5, kind=Th, due_date=D(2026, 5, 1), status=MilestoneStatus.WAIVED, waived_reason="Cut."
    )
    MilestoneFactory.create(student=s6, kind=P, due_date=D(2026, 2, 1))
    MilestoneFactory.create(
        student=s2, kind=M, due_date=D(2026, 8, 1), status=MilestoneStatus.DONE, completed_on=D(2026, 12, 2)
    )
    MilestoneFactory.create(student=s1, kind=Th, due_date=D(2027, 1, 10))
    MilestoneFactory.create(student=x, kind=P, due_date=D(2026, 3, 1))

    # Placements.
    sites = {key: SiteFactory.create(partner=p) for key, p in world.partners.items()}
    sup = {name: UserFactory.create() for name in ("a1", "a2", "b1", "b2")}

    def placement(s: Student, key: str, start: datetime.date, end: datetime.date, supervisor: str, **kw: Any) -> Any:
        return PlacementFactory.create(
            student=s,
            partner=world.partners[key],
            site=sites[key],
            supervisor=sup[supervisor],
            start_date=start,
            end_date=end,
            **kw,
        )

    pl1 = placement(s1, "a", D(2026, 2, 1), D(2026, 7, 31), "a1")
    pl2 = placement(s2, "b", D(2026, 3, 1), D(2026, 12, 31), "b1")
    pl3 = placement(s3, "a", D(2026, 10, 1), D(2027, 3, 31), "a2")
    pl4 = placement(s4, "b", D(2026, 5, 1), D(2026, 6, 30), "b1", status=PlacementStatus.CANCELLED)
    pl5 = placement(s5, "a", D(2025, 10, 1), D(2025, 12, 31), "a1")
    pl6 = placement(s6, "b", D(2026, 1, 10), D(2026, 2, 28), "b2")
    plx = placement(x, "a", D(2026, 1, 1), D(2026, 6, 30), "a1")
    PlacementHours.objects.bulk_create(
        [
            PlacementHours(placement=pl1, category=k1, hours=80),
            PlacementHours(placement=pl2, category=k2, hours=40),
            PlacementHours(placement=pl3, category=k1, hours=60),
            PlacementHours(placement=pl5, category=k1, hours=20),
        ]
    )

    # Practice entries: (placement, day, category, hours, status, decided on, by the supervisor).
    def entry(pl: Any, day: datetime.date, cat: Any, hours: str, status: str, decided: Any = None, **kw: Any) -> None:
        PracticeLogFactory.create(
            placement=pl,
            date=day,
            category=cat,
            hours=Decimal(hours),
            status=status,
            entered_at=at(day),
            decided_by=pl.supervisor if decided else None,
            decided_at=decided,
            **kw,
        )

    ok, wait, no = EntryStatus.APPROVED, EntryStatus.PENDING, EntryStatus.REJECTED
    entry(pl1, D(2026, 3, 2), k1, "6", ok, at(D(2026, 3, 4)))  # 2 days
    entry(pl1, D(2026, 3, 3), k1, "4", ok, at(D(2026, 3, 7)))  # 4 days
    entry(pl2, D(2026, 4, 1), k2, "5", ok, at(D(2026, 4, 11)))  # 10 days
    entry(pl2, D(2026, 11, 10), k2, "3", wait)  # waiting 20 days
    entry(pl3, D(2026, 11, 25), k1, "2", wait)  # waiting 5 days
    entry(pl5, D(2025, 11, 3), k1, "8", ok, at(D(2025, 11, 4)))  # decided in 2025
    entry(pl6, D(2026, 1, 12), k2, "7", ok, at(D(2026, 1, 13)))  # 1 day; s6 withdrew: no hours
    entry(pl3, D(2026, 10, 5), k1, "3", no, at(D(2026, 10, 6)))  # 1 day, rejected
    entry(pl1, D(2026, 3, 4), k1, "2", ok, at(D(2026, 3, 4)), entered_by_supervisor=True)  # no sign-off
    entry(pl1, D(2026, 7, 1), k1, "1", ok, at(D(2026, 12, 2)))  # decided after the day: waiting then
    entry(plx, D(2026, 3, 2), k1, "9", ok, at(D(2026, 3, 3)))  # another programme

    # Objectives: O1 mastered by a course, O2 by a placement, O3 listed by a placement, O4 covered only by
    # a course outside the curriculum, O5 reinforced by a course (its placement at level 3 was cancelled).
    o = {
        code: ObjectiveFactory.create(programme=programme, code=code, kind=kind)
        for code, kind in (
            ("O1", ObjectiveKind.KNOWLEDGE),
            ("O2", ObjectiveKind.PRACTICAL),
            ("O3", ObjectiveKind.PRACTICAL),
            ("O4", ObjectiveKind.INNOVATION),
            ("O5", ObjectiveKind.RESEARCH),
        )
    }
    ox = ObjectiveFactory.create(programme=other, code="O1")
    course_a = CourseFactory.create(teaching_partner=pa)
    course_b = CourseFactory.create(teaching_partner=pa)
    CurriculumEntryFactory.create(programme=programme, course=course_a)
    CurriculumEntryFactory.create(programme=other, course=course_b)
    CourseObjective.objects.bulk_create(
        [
            CourseObjective(course=course_a, objective=o["O1"], level=3),
            CourseObjective(course=course_a, objective=o["O2"], level=1),
            CourseObjective(course=course_a, objective=o["O5"], level=2),
            CourseObjective(course=course_b, objective=o["O4"], level=3),
            CourseObjective(course=course_b, objective=ox, level=3),
        ]
    )
    PlacementObjective.objects.bulk_create(
        [
            PlacementObjective(placement=pl1, objective=o["O2"], level=3),
            PlacementObjective(placement=pl4, objective=o["O5"], level=3),
        ]
    )
    pl1.objectives.add(o["O3"])
    return world


def grow(world: World, n: int = 4) -> None:
    """More of everything (students with plans, milestones, placements, entries; an objective), for the
    query-count checks: a section's queries must not grow with the data."""
    for i in range(n):
        s = StudentFactory.create(
            programme=world.programme, cohort=world.cohort_2025, enrolled_on=D(2025, 9, 1), student_number=f"QG-{i}"
        )
        _plan(s, (PlanAction.SUBMITTED, D(2026, 2, 1)), (PlanAction.APPROVED, D(2026, 2, 9)), approved=True)
        MilestoneFactory.create(student=s, kind=MilestoneKind.PROPOSAL, due_date=D(2026, 5, 1))
        pl = PlacementFactory.create(
            student=s, partner=PartnerFactory.create(), start_date=D(2026, 4, 1), end_date=D(2026, 9, 30)
        )
        for day in (D(2026, 4, 6), D(2026, 4, 7)):
            PracticeLogFactory.create(
                placement=pl,
                date=day,
                category=world.categories["k2"],
                status=EntryStatus.APPROVED,
                entered_at=at(day),
                decided_by=pl.supervisor,
                decided_at=at(day + datetime.timedelta(days=3)),
            )
    ObjectiveFactory.create(programme=world.programme, code="O-grown")
