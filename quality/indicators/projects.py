"""The report's "projects" section: the programme's research and entrepreneurial projects, their verified
outputs, and the points awarded from small, medium and large projects (in total and per student, naming
nobody).

A project names its programme (``projects.Project.programme``) and a points award names it too. A project
counts in a year when its period overlaps the year; a cohort's report counts the projects one of its students
is a member of, the outputs one of its students contributed to, and its students' points. Six queries.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import translation
from django.utils.translation import gettext_noop

from projects.models import (
    ENTREPRENEURIAL_KINDS,
    RESEARCH_KINDS,
    AwardSource,
    MemberKind,
    OutputStatus,
    OutputType,
    PointAward,
    Project,
    ProjectKind,
    ProjectMember,
    ProjectOutput,
    ProjectStatus,
    Scale,
)
from quality.figures import Column, Figure, Frame, Row, Section, Table, Value
from quality.indicators._drill import drill
from students.models import Student

TITLE = gettext_noop("Projects")


def _msgid(label: Any) -> str:
    """A choice's label as its English message id (translated again when the report is shown)."""
    with translation.override("en"):
        return str(label)


def _points(value: Decimal | None) -> float:
    return float(value or 0)


def _student_users(frame: Frame) -> QuerySet[Any]:
    students = Student.objects.filter(programme_id=frame.programme_id)
    if frame.cohort_id is not None:
        students = students.filter(cohort_id=frame.cohort_id)
    return students.values("user_id")


def _projects(frame: Frame) -> QuerySet[Project]:
    """The programme's projects whose period overlaps the year (a cohort's: those its students are on)."""
    projects = Project.objects.filter(
        programme_id=frame.programme_id, start_date__lte=frame.end, end_date__gte=frame.start
    )
    if frame.cohort_id is not None:
        projects = projects.filter(
            Exists(ProjectMember.objects.filter(project=OuterRef("pk"), user_id__in=_student_users(frame)))
        )
    return projects.order_by()


def _outputs(frame: Frame) -> QuerySet[ProjectOutput]:
    outputs = ProjectOutput.objects.filter(project__programme_id=frame.programme_id)
    if frame.cohort_id is not None:
        contributed = ProjectOutput.contributors.through.objects.filter(
            projectoutput_id=OuterRef("pk"), user_id__in=_student_users(frame)
        )
        outputs = outputs.filter(Exists(contributed))
    return outputs.order_by()


def _awards(frame: Frame) -> QuerySet[PointAward]:
    awards = PointAward.objects.filter(programme_id=frame.programme_id, year=frame.year)
    if frame.cohort_id is not None:
        awards = awards.filter(person_id__in=_student_users(frame))
    return awards.order_by()


def section(frame: Frame) -> Section:
    """The projects figures for ``frame``: six queries."""
    projects = _projects(frame)
    started = Q(start_date__gte=frame.start)
    concluded = Q(concluded_on__gte=frame.start, concluded_on__lte=frame.end)
    by_kind_scale: dict[tuple[str, str], dict[str, Any]] = {
        (row["kind"], row["scale"]): dict(row)
        for row in projects.values("kind", "scale").annotate(
            n=Count("pk"), started=Count("pk", filter=started), concluded=Count("pk", filter=concluded)
        )
    }

    def projects_where(kinds: Any = None, field: str = "n") -> int:
        return sum(row[field] for (kind, _scale), row in by_kind_scale.items() if kinds is None or kind in kinds)

    by_status = dict(projects.values_list("status").annotate(n=Count("pk")))
    on_projects = (
        ProjectMember.objects.filter(project__in=projects, kind=MemberKind.STUDENT, user_id__in=_student_users(frame))
        .order_by()
        .aggregate(n=Count("user_id", distinct=True))["n"]
    )

    verified = Q(status=OutputStatus.VERIFIED, decided_at__date__gte=frame.start, decided_at__date__lte=frame.end)
    submitted = Q(submitted_at__date__gte=frame.start, submitted_at__date__lte=frame.end)
    waiting = Q(submitted_at__date__lte=frame.today) & (
        Q(status=OutputStatus.SUBMITTED) | Q(decided_at__date__gt=frame.today)
    )
    outputs: dict[str, dict[str, Any]] = {
        row["output_type"]: dict(row)
        for row in _outputs(frame)
        .values("output_type")
        .annotate(
            verified=Count("pk", filter=verified),
            submitted=Count("pk", filter=submitted),
            waiting=Count("pk", filter=waiting),
        )
    }

    awards = _awards(frame)
    by_scale_source: dict[tuple[str, str], dict[str, Any]] = {
        (row["scale"], row["source"]): dict(row)
        for row in awards.values("scale", "source").annotate(
            points=Sum("points"), people=Count("person", distinct=True)
        )
    }
    student = Q(person__student__programme_id=frame.programme_id)
    if frame.cohort_id is not None:
        student &= Q(person__student__cohort_id=frame.cohort_id)
    points = awards.aggregate(
        total=Sum("points"),
        people=Count("person", distinct=True),
        small=Sum("points", filter=Q(scale=Scale.SMALL)),
        small_people=Count("person", distinct=True, filter=Q(scale=Scale.SMALL)),
        medium=Sum("points", filter=Q(scale=Scale.MEDIUM)),
        medium_people=Count("person", distinct=True, filter=Q(scale=Scale.MEDIUM)),
        large=Sum("points", filter=Q(scale=Scale.LARGE)),
        large_people=Count("person", distinct=True, filter=Q(scale=Scale.LARGE)),
        students=Sum("points", filter=student),
        students_people=Count("person", distinct=True, filter=student),
    )
    per_student: Value = (
        round(_points(points["students"]) / points["students_people"], 2) if points["students_people"] else None
    )

    kind_rows = [
        Row(
            label=_msgid(label),
            values=[by_kind_scale.get((code, scale), {}).get("n", 0) for scale in Scale.values],
            translate=True,
            key=code,
        )
        for code, label in ProjectKind.choices
        if any((code, scale) in by_kind_scale for scale in Scale.values)
    ]
    status_rows = [
        Row(label=_msgid(label), values=[by_status[code]], translate=True, key=code)
        for code, label in ProjectStatus.choices
        if code in by_status
    ]
    output_rows = [
        Row(
            label=_msgid(label),
            values=[outputs[code]["verified"], outputs[code]["submitted"]],
            translate=True,
            key=code,
        )
        for code, label in OutputType.choices
        if code in outputs and (outputs[code]["verified"] or outputs[code]["submitted"])
    ]

    def cell(scale: str, source: str) -> dict[str, Any]:
        return by_scale_source.get((scale, source), {"points": None, "people": 0})

    points_rows = [
        Row(
            label=_msgid(label),
            values=[_points(cell(scale, source)["points"]) for source in AwardSource.values],
            people=[cell(scale, source)["people"] for source in AwardSource.values],
            translate=True,
            key=scale,
        )
        for scale, label in Scale.choices
    ]
    notes = [
        gettext_noop(
            "Projects are the programme's whose period overlaps the year; their status is as it stands at the "
            "report's date. Points are the awards of the year in the programme (reversals netted); the mean per "
            "student is over the students awarded points in the year."
        )
    ]
    if frame.cohort_id is not None:
        notes.append(
            gettext_noop(
                "For a cohort: the projects its students are members of, the outputs they contributed to and "
                "their points."
            )
        )
    return Section(
        key="projects",
        title=TITLE,
        figures=[
            Figure("projects.projects", gettext_noop("Projects in the year"), projects_where()),
            Figure("projects.research", gettext_noop("Research projects"), projects_where(RESEARCH_KINDS)),
            Figure(
                "projects.entrepreneurial",
                gettext_noop("Entrepreneurial projects"),
                projects_where(ENTREPRENEURIAL_KINDS),
            ),
            Figure("projects.started", gettext_noop("Projects started in the year"), projects_where(field="started")),
            Figure(
                "projects.concluded",
                gettext_noop("Projects concluded in the year"),
                projects_where(field="concluded"),
                better="higher",
            ),
            Figure(
                "projects.students_on_projects",
                gettext_noop("Students on projects"),
                on_projects,
                people=on_projects,
                better="higher",
            ),
            Figure(
                "projects.outputs_verified",
                gettext_noop("Outputs verified in the year"),
                sum(row["verified"] for row in outputs.values()),
                better="higher",
            ),
            Figure(
                "projects.outputs_waiting",
                gettext_noop("Outputs awaiting verification"),
                sum(row["waiting"] for row in outputs.values()),
                better="lower",
                drill=drill("projects:outputs", frame),
            ),
            Figure(
                "projects.points",
                gettext_noop("Points awarded in the year"),
                _points(points["total"]),
                "points",
                people=points["people"],
            ),
            Figure(
                "projects.points_small",
                gettext_noop("Points from small projects"),
                _points(points["small"]),
                "points",
                people=points["small_people"],
            ),
            Figure(
                "projects.points_medium",
                gettext_noop("Points from medium projects"),
                _points(points["medium"]),
                "points",
                people=points["medium_people"],
            ),
            Figure(
                "projects.points_large",
                gettext_noop("Points from large projects"),
                _points(points["large"]),
                "points",
                people=points["large_people"],
            ),
            Figure(
                "projects.students_awarded",
                gettext_noop("Students awarded points"),
                points["students_people"],
                people=points["students_people"],
                better="higher",
            ),
            Figure(
                "projects.points_per_student",
                gettext_noop("Mean points per student awarded points"),
                per_student,
                "points",
                people=points["students_people"],
                better="higher",
            ),
        ],
        tables=[
            Table(
                "projects.by_kind",
                gettext_noop("Projects by kind and scale"),
                [Column(scale, _msgid(label)) for scale, label in Scale.choices],
                kind_rows,
                chart="stacked",
            ),
            Table(
                "projects.by_status",
                gettext_noop("Projects by status"),
                [Column("projects", gettext_noop("Projects"))],
                status_rows,
                chart="bar",
            ),
            Table(
                "projects.outputs",
                gettext_noop("Outputs by type"),
                [
                    Column("verified", gettext_noop("Verified in the year"), better="higher"),
                    Column("submitted", gettext_noop("Submitted in the year")),
                ],
                output_rows,
                chart="bar",
            ),
            Table(
                "projects.points_by_scale",
                gettext_noop("Points awarded by project scale"),
                [
                    Column("project", gettext_noop("For concluded projects"), unit="points"),
                    Column("output", gettext_noop("For verified outputs"), unit="points"),
                ],
                points_rows,
                chart="stacked",
            ),
        ],
        notes=notes,
    )
