"""The report's "objectives" section: how the programme's training objectives are covered by its courses
and by its students' placements, and which objectives nothing masters.

What counts (the coverage matrix's rules, ``curriculum.selectors.coverage_matrix``, docs/decisions/0017):

- a course covers an objective at the level its ``CourseObjective`` says, when the course is in the
  programme's curriculum (as it stands: the curriculum keeps no history);
- a placement covers an objective at the level its ``PlacementObjective`` says, or, when it only lists the
  objective in the plan (``Placement.objectives``, no level), covers it at no level; placements count when
  they are not cancelled, belong to the frame's students and overlap the year;
- an objective is **mastered** when a course or a placement covers it at the highest level, "Masters"
  (``CoverageLevel.MASTERS``); "nothing masters it" is the matrix's flag of the same name.

Two queries: one aggregate by objective kind, one for the (few) objectives nothing masters.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext_noop

from curriculum.models import CourseObjective, CoverageLevel, PlacementObjective
from programmes.models import Objective, ObjectiveKind
from quality.figures import Column, Figure, Frame, Row, Section, Table, share
from students.models import Placement, PlacementStatus

MASTERS = int(CoverageLevel.MASTERS)
#: The coverage levels, lowest first, with the report's labels (English message ids of the curriculum's).
LEVELS = (
    (1, gettext_noop("Introduces")),
    (2, gettext_noop("Reinforces")),
    (MASTERS, gettext_noop("Masters")),
)
#: Objective kinds with their English labels (the programmes app's choices).
KINDS = (
    (ObjectiveKind.KNOWLEDGE, gettext_noop("Knowledge")),
    (ObjectiveKind.PRACTICAL, gettext_noop("Practical ability")),
    (ObjectiveKind.RESEARCH, gettext_noop("Research and innovation")),
    (ObjectiveKind.INNOVATION, gettext_noop("Innovation and entrepreneurship")),
)


def frame_placements(frame: Frame) -> QuerySet[Placement]:
    """Placements that count for the frame: not cancelled, of the frame's students, overlapping the year."""
    placements = Placement.objects.filter(
        student__programme_id=frame.programme_id, start_date__lte=frame.end, end_date__gte=frame.start
    ).exclude(status=PlacementStatus.CANCELLED)
    if frame.cohort_id is not None:
        placements = placements.filter(student__cohort_id=frame.cohort_id)
    return placements


def _objectives(frame: Frame) -> QuerySet[Any]:
    """The programme's objectives, each with the highest level a curriculum course and a counted placement
    reach (None: none covers it) and whether a counted placement lists it without a level."""
    placements = frame_placements(frame).values("pk")
    by_courses = (
        CourseObjective.objects.filter(
            objective=OuterRef("pk"), course__curriculum_entries__programme_id=frame.programme_id
        )
        .order_by()
        .values("objective")
        .annotate(level=Max("level"))
        .values("level")
    )
    by_placements = (
        PlacementObjective.objects.filter(objective=OuterRef("pk"), placement__in=placements)
        .order_by()
        .values("objective")
        .annotate(level=Max("level"))
        .values("level")
    )
    listed = Placement.objectives.through.objects.filter(objective=OuterRef("pk"), placement__in=placements)
    return Objective.objects.filter(programme_id=frame.programme_id).annotate(
        course_level=Subquery(by_courses),
        placement_level=Subquery(by_placements),
        placement_listed=Exists(listed),
    )


def section(frame: Frame) -> Section:
    """The objectives figures for ``frame``."""
    by_courses = Q(course_level__isnull=False)
    by_placements = Q(placement_level__isnull=False) | Q(placement_listed=True)
    mastered = Q(course_level=MASTERS) | Q(placement_level=MASTERS)
    aggregates: dict[str, Any] = {
        "total": Count("pk"),
        "by_courses": Count("pk", filter=by_courses),
        "by_placements": Count("pk", filter=by_placements),
        "covered": Count("pk", filter=by_courses | by_placements),
        "mastered": Count("pk", filter=mastered),
        **{f"courses_{level}": Count("pk", filter=Q(course_level=level)) for level, _label in LEVELS},
        **{f"placements_{level}": Count("pk", filter=Q(placement_level=level)) for level, _label in LEVELS},
        "placements_listed_only": Count("pk", filter=Q(placement_level__isnull=True, placement_listed=True)),
    }
    objectives = _objectives(frame)
    grouped: QuerySet[Any] = objectives.order_by().values("kind").annotate(**aggregates)
    by_kind = {row["kind"]: row for row in grouped}
    totals = {key: sum(int(row[key]) for row in by_kind.values()) for key in aggregates}
    unmastered = list(
        objectives.filter(
            (Q(course_level__lt=MASTERS) | Q(course_level__isnull=True))
            & (Q(placement_level__lt=MASTERS) | Q(placement_level__isnull=True))
        )
        .order_by("code")
        .values("code", "description", "kind", "course_level", "placement_level", "placement_listed")
    )
    total = totals["total"]
    not_mastered = total - totals["mastered"]
    coverage_page = reverse("curriculum:coverage", args=[frame.programme_id])

    figures = [
        Figure("objectives.total", gettext_noop("Training objectives"), total),
        Figure(
            "objectives.covered_by_courses",
            gettext_noop("Objectives covered by courses"),
            totals["by_courses"],
            better="higher",
        ),
        Figure(
            "objectives.covered_by_placements",
            gettext_noop("Objectives covered by placements"),
            totals["by_placements"],
            better="higher",
        ),
        Figure(
            "objectives.covered_share",
            gettext_noop("Share of objectives covered by a course or a placement"),
            share(totals["covered"], total),
            unit="share",
            better="higher",
        ),
        Figure(
            "objectives.uncovered",
            gettext_noop("Objectives nothing covers"),
            total - totals["covered"],
            better="lower",
            drill=coverage_page,
        ),
        Figure(
            "objectives.mastered_share",
            gettext_noop("Share of objectives a course or a placement masters"),
            share(totals["mastered"], total),
            unit="share",
            better="higher",
        ),
        Figure(
            "objectives.not_mastered",
            gettext_noop("Objectives nothing masters"),
            not_mastered,
            better="lower",
            drill=coverage_page,
            note=gettext_noop("No curriculum course and no placement of the year covers them at the level Masters."),
        ),
    ]
    kinds = Table(
        "objectives.by_kind",
        gettext_noop("Objectives by kind"),
        columns=[
            Column("total", gettext_noop("Objectives")),
            Column("by_courses", gettext_noop("Covered by courses"), better="higher"),
            Column("by_placements", gettext_noop("Covered by placements"), better="higher"),
            Column("mastered", gettext_noop("Mastered"), better="higher"),
            Column("not_mastered", gettext_noop("Nothing masters"), better="lower"),
        ],
        rows=[
            Row(
                label,
                [
                    int(row["total"]),
                    int(row["by_courses"]),
                    int(row["by_placements"]),
                    int(row["mastered"]),
                    int(row["total"]) - int(row["mastered"]),
                ],
                translate=True,
                key=str(kind),
            )
            for kind, label in KINDS
            if (row := by_kind.get(kind))
        ],
    )
    levels = Table(
        "objectives.levels",
        gettext_noop("Objectives by the highest level reached"),
        columns=[
            Column("none", gettext_noop("Not covered"), better="lower"),
            *(Column(f"level_{level}", label) for level, label in LEVELS),
        ],
        rows=[
            Row(
                gettext_noop("Courses"),
                [
                    total - totals["by_courses"],
                    *(totals[f"courses_{level}"] for level, _label in LEVELS),
                ],
                translate=True,
                key="courses",
            ),
            Row(
                gettext_noop("Placements"),
                [
                    total - totals["by_placements"],
                    *(
                        totals[f"placements_{level}"] + (totals["placements_listed_only"] if level == 1 else 0)
                        for level, _label in LEVELS
                    ),
                ],
                translate=True,
                key="placements",
            ),
        ],
        chart="stacked",
        note=gettext_noop("A placement that lists an objective without a level counts as introducing it."),
    )
    nothing_masters = Table(
        "objectives.not_mastered",
        gettext_noop("Objectives nothing masters"),
        columns=[
            Column("courses", gettext_noop("Highest level by courses (0 to 3)"), unit="score", better="higher"),
            Column("placements", gettext_noop("Highest level by placements (0 to 3)"), unit="score", better="higher"),
        ],
        rows=[
            Row(
                f"{o['code']} {o['description'][:120]}",
                [o["course_level"] or 0, o["placement_level"] or (1 if o["placement_listed"] else 0)],
                key=o["code"],
            )
            for o in unmastered
        ],
        note=gettext_noop("Level 1 introduces, 2 reinforces, 3 masters; 0: nothing covers it."),
    )
    return Section(
        key="objectives",
        title=gettext_noop("Objectives"),
        figures=figures,
        tables=[kinds, levels, nothing_masters],
        notes=[
            gettext_noop(
                "Courses count when they are in the programme's curriculum as it stands; placements count when "
                "they are not cancelled, belong to the report's students and overlap the year. An objective is "
                "mastered when a course or a placement covers it at the level Masters, the highest."
            )
        ],
    )
