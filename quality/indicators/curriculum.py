"""The report's "curriculum" section: credits the programme offers and its students earn, by course category
and against its credit requirements; the share of innovation and entrepreneurship (I&E) in them; and how
many of the teachers of its offerings meet its qualification rule.

Credits count as the curriculum pages count them (docs/decisions/0017-curriculum-credits-and-coverage.md):
an integrated course's credits in the integrated category, and its declared I&E share (``ie_credits``) also
in the I&E category. Nine aggregate queries in all, whatever the number of grades.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_noop

from curriculum.models import (
    DEFAULT_EXPERIENCE_YEARS,
    DEFAULT_TRAINING_YEARS,
    IE_CATEGORIES,
    Course,
    CurriculumEntry,
    EntryKind,
    Grade,
    GradeStatus,
    Offering,
    OfferingTeacher,
    QualificationRule,
    TeacherExperience,
    TeacherProfile,
    TeacherTraining,
)
from curriculum.selectors import terms_in_year
from programmes.models import CourseCategory, CreditRequirement
from quality.figures import Column, Figure, Frame, Row, Section, Table, share
from quality.indicators._aggregates import msgid, number, year_bounds
from quality.indicators._drill import drill
from students.models import add_months

KEY = "curriculum"
ZERO = Decimal("0")


#: The terms taught in a calendar year (the faculty page filters by the same, for the drill links).
terms_of = terms_in_year


def _by_category(rows: Iterable[Mapping[str, Any]], category: str) -> tuple[dict[str, Decimal], Decimal]:
    """Credits by category from ``(category, credits, ie)`` rows, an integrated course's I&E share also
    counted as I&E (ADR 0017); and the total, each credit once (by its course's own category)."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    whole = ZERO
    for row in rows:
        credits = row["credits"] or ZERO
        totals[row[category]] += credits
        whole += credits
        if row[category] == CourseCategory.INTEGRATED and row["ie"]:
            totals[CourseCategory.INNOVATION] += row["ie"]
    return dict(totals), whole


def _categories(*sources: dict[str, Any]) -> list[str]:
    """The categories any source names, in the catalogue's order."""
    present = {key for source in sources for key in source}
    return [value for value in CourseCategory.values if value in present]


def _credit_tables(frame: Frame, offerings: QuerySet[Offering]) -> tuple[list[Figure], list[Table]]:
    """Credits required, in the curriculum, offered and earned, by category (six queries)."""
    required = {
        row["category"]: row["credits"]
        for row in CreditRequirement.objects.filter(programme_id=frame.programme_id).values("category", "credits")
    }
    curriculum_rows = list(
        CurriculumEntry.objects.filter(programme_id=frame.programme_id)
        .values("course__category", "kind")
        .annotate(credits=Sum("course__credits"), ie=Sum("course__ie_credits"))
        .order_by()
    )
    compulsory, _whole = _by_category(
        [r for r in curriculum_rows if r["kind"] == EntryKind.COMPULSORY], "course__category"
    )
    elective, _whole = _by_category([r for r in curriculum_rows if r["kind"] == EntryKind.ELECTIVE], "course__category")
    offered, offered_total = _by_category(
        list(
            Course.objects.filter(pk__in=offerings.values("course_id"))
            .values("category")
            .annotate(credits=Sum("credits"), ie=Sum("ie_credits"))
            .order_by()
        ),
        "category",
    )

    start, end = year_bounds(frame)
    grades = Grade.objects.filter(
        status=GradeStatus.SUBMITTED,
        passed=True,
        submitted_at__gte=start,
        submitted_at__lt=end,
        enrolment__student__programme_id=frame.programme_id,
    )
    if frame.cohort_id is not None:
        grades = grades.filter(enrolment__student__cohort_id=frame.cohort_id)
    course = "enrolment__offering__course__"
    earned_rows = list(
        grades.values(f"{course}category")
        .annotate(
            credits=Sum(f"{course}credits"),
            ie=Sum(f"{course}ie_credits"),
            students=Count("enrolment__student", distinct=True),
        )
        .order_by()
    )
    earned, earned_total = _by_category(earned_rows, f"{course}category")
    students_in = {r[f"{course}category"]: r["students"] for r in earned_rows}
    ie_courses = Q(**{f"{course}category": CourseCategory.INNOVATION}) | Q(
        **{f"{course}category": CourseCategory.INTEGRATED, f"{course}ie_credits__gt": 0}
    )
    totals = grades.aggregate(
        students=Count("enrolment__student", distinct=True),
        ie_students=Count("enrolment__student", distinct=True, filter=ie_courses),
    )
    # The I&E row counts whoever earned I&E credits, in an I&E course or in an integrated one's share.
    if CourseCategory.INNOVATION in earned:
        students_in[CourseCategory.INNOVATION] = totals["ie_students"]
    students = totals["students"]

    categories = _categories(required, compulsory, elective, offered, earned)
    supply = Table(
        key=f"{KEY}.credits_by_category",
        label=gettext_noop("Credits by course category: required, in the curriculum and offered"),
        columns=[
            Column("required", gettext_noop("Required"), unit="credits"),
            Column("compulsory", gettext_noop("Compulsory courses in the curriculum"), unit="credits"),
            Column("elective", gettext_noop("Elective courses in the curriculum"), unit="credits"),
            Column("offered", gettext_noop("Offered in the year"), unit="credits"),
        ],
        rows=[
            Row(
                label=msgid(CourseCategory(c).label),
                values=[
                    number(required.get(c)),
                    number(compulsory.get(c, ZERO)),
                    number(elective.get(c, ZERO)),
                    number(offered.get(c, ZERO)),
                ],
                translate=True,
                key=c,
            )
            for c in categories
        ],
        note=gettext_noop(
            "An integrated course counts in the integrated category, and its I&E share also in innovation and "
            "entrepreneurship. Offered: each course offered in the year's terms, once."
        ),
    )
    earned_table = Table(
        key=f"{KEY}.earned_by_category",
        label=gettext_noop("Credits earned in the year by course category"),
        columns=[
            Column("earned", gettext_noop("Credits earned"), unit="credits", better="higher"),
            Column("students", gettext_noop("Students earning credits"), unit="count"),
        ],
        rows=[
            Row(
                label=msgid(CourseCategory(c).label),
                values=[number(earned[c]), students_in.get(c, 0)],
                people=[students_in.get(c, 0), students_in.get(c, 0)],
                translate=True,
                key=c,
            )
            for c in categories
            if c in earned
        ],
        chart="bar",
    )
    figures = [
        Figure(
            key=f"{KEY}.offerings",
            label=gettext_noop("Course offerings in the year"),
            value=offerings.count(),
        ),
        Figure(
            key=f"{KEY}.credits_offered",
            label=gettext_noop("Credits offered in the year"),
            value=number(offered_total),
            unit="credits",
        ),
        Figure(
            key=f"{KEY}.ie_share_offered",
            label=gettext_noop("I&E share of the credits offered"),
            value=share(float(offered.get(CourseCategory.INNOVATION, ZERO)), float(offered_total)),
            unit="share",
            better="higher",
        ),
        Figure(
            key=f"{KEY}.credits_earned",
            label=gettext_noop("Credits earned in the year"),
            value=number(earned_total),
            unit="credits",
            people=students,
            better="higher",
        ),
        Figure(
            key=f"{KEY}.students_earning",
            label=gettext_noop("Students who earned credits in the year"),
            value=students,
            people=students,
        ),
        Figure(
            key=f"{KEY}.credits_per_student",
            label=gettext_noop("Credits earned per student who earned any"),
            value=number(earned_total / students) if students else None,
            unit="credits",
            people=students,
            better="higher",
        ),
        Figure(
            key=f"{KEY}.ie_share_earned",
            label=gettext_noop("I&E share of the credits earned"),
            value=share(float(earned.get(CourseCategory.INNOVATION, ZERO)), float(earned_total)),
            unit="share",
            people=students,
            better="higher",
        ),
    ]
    return figures, [supply, earned_table]


def _teacher_tables(frame: Frame, offerings: QuerySet[Offering]) -> tuple[list[Figure], list[Table]]:
    """The teachers of the year's offerings who meet the programme's qualification rule as of
    ``frame.today`` (I&E training within the rule's years, or enough industry or entrepreneurship
    experience), by the partner they work at; and the I&E teaching hours given by teachers qualified when
    assigned, with the office's overrides (three queries)."""
    rule = QualificationRule.objects.filter(programme_id=frame.programme_id).values(
        "training_years", "experience_years"
    ).first() or {"training_years": DEFAULT_TRAINING_YEARS, "experience_years": DEFAULT_EXPERIENCE_YEARS}
    today = frame.today
    cutoff: datetime.date = add_months(today, -12 * int(rule["training_years"]))
    experience = (
        TeacherExperience.objects.filter(teacher=OuterRef("pk"))
        .values("teacher")
        .annotate(total=Sum("years"))
        .values("total")
    )
    assignments = OfferingTeacher.objects.filter(offering__in=offerings)
    teachers = (
        TeacherProfile.objects.filter(pk__in=assignments.values("teacher_id"))
        .annotate(
            trained=Exists(
                TeacherTraining.objects.filter(teacher=OuterRef("pk"), taken_on__gte=cutoff, taken_on__lte=today)
            ),
            experience_years=Coalesce(Subquery(experience), Value(ZERO), output_field=DecimalField()),
        )
        .values("partner_id", "partner__name")
        .annotate(
            teachers=Count("pk"),
            qualified=Count("pk", filter=Q(trained=True) | Q(experience_years__gte=rule["experience_years"])),
        )
        .order_by("partner__name")
    )
    rows = list(teachers)
    total = sum(r["teachers"] for r in rows)
    qualified = sum(r["qualified"] for r in rows)
    ie = assignments.filter(offering__course__category__in=IE_CATEGORIES).aggregate(
        ie_hours=Sum("hours"),
        ie_qualified_hours=Sum("hours", filter=Q(qualified=True)),
        overrides=Count("pk", filter=~Q(override_reason="")),
        teachers=Count("teacher", distinct=True),
    )
    faculty = drill("curriculum:faculty", frame, cohort=False, year=True)
    figures = [
        Figure(
            key=f"{KEY}.teachers",
            label=gettext_noop("Teachers of the year's offerings"),
            value=total,
            people=total,
        ),
        Figure(
            key=f"{KEY}.teachers_qualified_share",
            label=gettext_noop("Share of teachers meeting the I&E qualification rule"),
            value=share(qualified, total),
            unit="share",
            people=total,
            better="higher",
            drill=faculty,
        ),
        Figure(
            key=f"{KEY}.ie_hours_qualified_share",
            label=gettext_noop("Share of I&E teaching hours given by qualified teachers"),
            value=share(ie["ie_qualified_hours"] or 0, ie["ie_hours"]),
            unit="share",
            people=ie["teachers"],
            better="higher",
            drill=faculty,
        ),
        Figure(
            key=f"{KEY}.qualification_overrides",
            label=gettext_noop("Unqualified teachers assigned to I&E courses by override"),
            value=ie["overrides"],
            people=ie["teachers"],
            better="lower",
            drill=faculty,
        ),
    ]
    table = Table(
        key=f"{KEY}.teachers_by_partner",
        label=gettext_noop("Teachers meeting the I&E qualification rule, by partner"),
        columns=[
            Column("share", gettext_noop("Share qualified"), unit="share", better="higher"),
            Column("qualified", gettext_noop("Qualified"), unit="count"),
            Column("teachers", gettext_noop("Teachers"), unit="count"),
        ],
        rows=[
            Row(
                label=r["partner__name"],
                values=[share(r["qualified"], r["teachers"]), r["qualified"], r["teachers"]],
                people=[r["teachers"]] * 3,
                key=str(r["partner_id"]),
            )
            for r in rows
        ],
        chart="bar",
    )
    return figures, [table]


def section(frame: Frame) -> Section:
    """The curriculum figures for ``frame`` (nine queries)."""
    offerings = Offering.objects.filter(programme_id=frame.programme_id, term__in=terms_of(frame.year))
    credit_figures, credit_tables = _credit_tables(frame, offerings)
    teacher_figures, teacher_tables = _teacher_tables(frame, offerings)
    notes = [
        gettext_noop(
            "Offerings, the curriculum and the teachers are the programme's; credits earned count the submitted, "
            "passing grades of the year, of the report's students (of its cohort, for a cohort's report)."
        ),
        gettext_noop(
            "The year's terms are the spring term that starts in February and the autumn term that starts in September."
        ),
        gettext_noop(
            "Teachers are judged by the programme's qualification rule on the report's day; I&E hours by "
            "whether each teacher was qualified when assigned."
        ),
    ]
    return Section(
        key=KEY,
        title=gettext_noop("Curriculum"),
        figures=credit_figures + teacher_figures,
        tables=credit_tables + teacher_tables,
        notes=notes,
    )
