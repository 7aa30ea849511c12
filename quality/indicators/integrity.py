"""The report's "integrity" section: originality checks run in the year, the similarity distribution, their
outcomes, and the cases of the violations register by kind and by outcome.

Checks belong to the programme through the student who submitted the work (the cohort's students for a
cohort). A case about a student belongs to the student's programme; a case about a supervisor, a teacher or
a partner names no programme, so for the whole programme it counts when the partner it is about takes part
in the programme (``programmes.Participation``), and a cohort's report counts only its students' cases.
Every count of cases is about people (except cases about a partner), so each cell says how many people it
counts, for the public version's small-cell rule. Six queries.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import translation
from django.utils.translation import gettext_noop

from integrity.models import Case as ViolationCase
from integrity.models import CaseDecision, CaseKind, CheckStatus, OriginalityReport, Outcome, SubjectKind
from integrity.selectors import CASE_AWAITING, cases_of_programme
from quality.figures import Column, Figure, Frame, Row, Section, Table, share
from quality.indicators._drill import drill
from students.models import Student

TITLE = gettext_noop("Academic integrity")
#: similarity bands of ten points each (the last includes 100 %)
BANDS = [(low, low + 10) for low in range(0, 100, 10)]


def _msgid(label: Any) -> str:
    """A choice's label as its English message id (translated again when the report is shown)."""
    with translation.override("en"):
        return str(label)


def _students(frame: Frame) -> QuerySet[Student]:
    students = Student.objects.filter(programme_id=frame.programme_id)
    if frame.cohort_id is not None:
        students = students.filter(cohort_id=frame.cohort_id)
    return students


def _checks(frame: Frame) -> QuerySet[OriginalityReport]:
    """Checks done in the year on the work of the frame's students."""
    return OriginalityReport.objects.filter(
        submission__student__in=_students(frame).values("pk"),
        status=CheckStatus.DONE,
        finished_at__date__gte=frame.start,
        finished_at__date__lte=frame.end,
    ).order_by()


def _cases(frame: Frame) -> QuerySet[ViolationCase]:
    # The register's programme filter (``integrity.selectors.cases_of_programme``): the drill link shows
    # the very cases counted here.
    return ViolationCase.objects.filter(cases_of_programme(frame.programme_id, frame.cohort_id)).order_by()


def _people(condition: Q | None = None) -> Any:
    """How many people the cases under ``condition`` are about (students and staff; partners are not)."""
    staff = Q(subject_kind=SubjectKind.PERSON)
    return Count("subject_student", distinct=True, filter=condition) + Count(
        "subject_user", distinct=True, filter=staff if condition is None else condition & staff
    )


def section(frame: Frame) -> Section:
    """The integrity figures for ``frame``: six queries."""
    checks = _checks(frame)
    overall = checks.aggregate(
        n=Count("pk"),
        students=Count("submission__student", distinct=True),
        similarity=Avg("similarity"),
        passed=Count("pk", filter=Q(outcome=Outcome.PASSED)),
        passed_students=Count("submission__student", distinct=True, filter=Q(outcome=Outcome.PASSED)),
    )
    band = Case(
        *[When(similarity__lt=high, then=Value(index)) for index, (_low, high) in enumerate(BANDS[:-1])],
        default=Value(len(BANDS) - 1),
        output_field=IntegerField(),
    )
    bands: dict[int, dict[str, Any]] = {
        row["band"]: dict(row)
        for row in checks.annotate(band=band)
        .values("band")
        .annotate(n=Count("pk"), students=Count("submission__student", distinct=True))
    }
    outcomes: dict[str, dict[str, Any]] = {
        row["outcome"]: dict(row)
        for row in checks.values("outcome").annotate(
            n=Count("pk"), students=Count("submission__student", distinct=True)
        )
    }

    cases = _cases(frame)
    opened = Q(opened_at__date__gte=frame.start, opened_at__date__lte=frame.end)
    decided = Q(decided_at__date__gte=frame.start, decided_at__date__lte=frame.end)
    upheld = decided & ~Q(decision=CaseDecision.DISMISSED) & ~Q(decision="")
    awaiting = Q(opened_at__date__lte=frame.today) & (Q(decided_at__isnull=True) | Q(decided_at__date__gt=frame.today))
    counts = {
        "opened": Count("pk", filter=opened),
        "opened_people": _people(opened),
        "decided": Count("pk", filter=decided),
        "decided_people": _people(decided),
        "upheld": Count("pk", filter=upheld),
        "upheld_people": _people(upheld),
        "awaiting": Count("pk", filter=awaiting),
        "awaiting_people": _people(awaiting),
    }
    by_kind: dict[str, dict[str, Any]] = {row["kind"]: dict(row) for row in cases.values("kind").annotate(**counts)}
    case_totals = cases.aggregate(**counts)
    by_decision: dict[str, dict[str, Any]] = {
        row["decision"]: dict(row)
        for row in cases.filter(decided)
        .exclude(decision="")
        .values("decision")
        .annotate(n=Count("pk"), people=_people())
    }

    band_rows = [
        Row(
            label=f"{low}-{high} %",
            values=[bands.get(index, {}).get("n", 0)],
            people=[bands.get(index, {}).get("students", 0)],
            key=f"{low}_{high}",
        )
        for index, (low, high) in enumerate(BANDS)
    ]
    outcome_rows = [
        Row(
            label=_msgid(label),
            values=[outcomes[code]["n"]],
            people=[outcomes[code]["students"]],
            translate=True,
            key=code,
        )
        for code, label in Outcome.choices
        if code in outcomes
    ]
    kind_rows = [
        Row(
            label=_msgid(label),
            values=[by_kind[code][name] for name in ("opened", "decided", "upheld", "awaiting")],
            people=[by_kind[code][f"{name}_people"] for name in ("opened", "decided", "upheld", "awaiting")],
            translate=True,
            key=code,
        )
        for code, label in CaseKind.choices
        if code in by_kind and any(by_kind[code][name] for name in ("opened", "decided", "upheld", "awaiting"))
    ]
    decision_rows = [
        Row(
            label=_msgid(label),
            values=[by_decision[code]["n"]],
            people=[by_decision[code]["people"]],
            translate=True,
            key=code,
        )
        for code, label in CaseDecision.choices
        if code in by_decision
    ]
    similarity = overall["similarity"]
    notes = [
        gettext_noop(
            "Checks are those of the work of the programme's students (or the cohort's) that finished in the "
            "year; their outcomes are as they stand at the report's date."
        ),
        gettext_noop(
            "Cases are those about the programme's students and, for the whole programme, about supervisors, "
            "teachers and partners of the partners taking part in it (a partner in several programmes counts in "
            "each); a cohort's report counts its students' cases only."
        ),
    ]
    return Section(
        key="integrity",
        title=TITLE,
        figures=[
            Figure(
                "integrity.checks",
                gettext_noop("Originality checks run in the year"),
                overall["n"],
                people=overall["students"],
            ),
            Figure(
                "integrity.similarity_mean",
                gettext_noop("Mean similarity"),
                round(float(similarity) / 100, 4) if similarity is not None else None,
                "share",
                people=overall["students"],
                better="lower",
            ),
            Figure(
                "integrity.passed_share",
                gettext_noop("Share of checks passed without review"),
                share(overall["passed"], overall["n"]),
                "share",
                people=overall["students"],
                better="higher",
            ),
            Figure(
                "integrity.cases_opened",
                gettext_noop("Cases opened in the year"),
                case_totals["opened"],
                people=case_totals["opened_people"],
            ),
            Figure(
                "integrity.cases_decided",
                gettext_noop("Cases decided in the year"),
                case_totals["decided"],
                people=case_totals["decided_people"],
            ),
            Figure(
                "integrity.cases_upheld",
                gettext_noop("Cases upheld in the year"),
                case_totals["upheld"],
                people=case_totals["upheld_people"],
                better="lower",
            ),
            Figure(
                "integrity.cases_awaiting",
                gettext_noop("Cases awaiting a decision"),
                case_totals["awaiting"],
                people=case_totals["awaiting_people"],
                better="lower",
                drill=drill("integrity:cases", frame, status=CASE_AWAITING),
            ),
        ],
        tables=[
            Table(
                "integrity.similarity",
                gettext_noop("Similarity distribution of the checks"),
                [Column("checks", gettext_noop("Checks"))],
                band_rows,
                chart="bar",
            ),
            Table(
                "integrity.outcomes",
                gettext_noop("Checks by outcome"),
                [Column("checks", gettext_noop("Checks"))],
                outcome_rows,
                chart="bar",
            ),
            Table(
                "integrity.cases_by_kind",
                gettext_noop("Cases by kind"),
                [
                    Column("opened", gettext_noop("Opened in the year")),
                    Column("decided", gettext_noop("Decided in the year")),
                    Column("upheld", gettext_noop("Upheld in the year"), better="lower"),
                    Column("awaiting", gettext_noop("Awaiting a decision"), better="lower"),
                ],
                kind_rows,
            ),
            Table(
                "integrity.cases_by_outcome",
                gettext_noop("Cases decided in the year, by outcome"),
                [Column("cases", gettext_noop("Cases"))],
                decision_rows,
                chart="bar",
            ),
        ],
        notes=notes,
    )
