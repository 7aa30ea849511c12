"""Integrity reads shared by pages and the API; each starts from the rows in the reader's scope."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear

from accounts.roles import AnyUser
from integrity.models import (
    Case,
    CaseDecision,
    CaseEvent,
    CaseKind,
    CaseStatus,
    CheckStatus,
    CorpusKind,
    CorpusText,
    OriginalityReport,
    Outcome,
    SubjectKind,
    Submission,
)
from partners import access
from programmes.models import Participation


def submission_list(*, user: AnyUser) -> QuerySet[Submission]:
    """The submissions the user may see, newest first, with their reports (one query for a page)."""
    rows = Submission.objects.select_related("student__user", "report", "milestone")
    return access.scope(rows, user, "view").order_by("-submitted_at", "-pk")


def submission_versions(*, user: AnyUser, submission: Submission) -> QuerySet[Submission]:
    """Every version of the same work, in scope, newest first."""
    rows = submission_list(user=user).filter(corpus_text__work_key=submission.corpus_text.work_key)
    return rows.order_by("-version")


def report_list(*, user: AnyUser) -> QuerySet[OriginalityReport]:
    rows = OriginalityReport.objects.select_related("submission__student__user")
    return access.scope(rows, user, "view").order_by("-queued_at", "-pk")


#: The cases filter's "awaiting a decision": not decided yet (whatever step the case is at).
CASE_AWAITING = "awaiting"


def cases_of_programme(programme_id: int, cohort_id: int | None = None) -> Q:
    """The cases that belong to a programme, as the quality report counts them: those about its students
    (the cohort's, for a cohort) and, for the whole programme, those about the staff of a partner taking
    part in it, or about the partner itself (a case about staff or a partner names no programme)."""
    students = Q(subject_student__programme_id=programme_id)
    if cohort_id is not None:
        return students & Q(subject_student__cohort_id=cohort_id)
    partners = Participation.objects.filter(programme_id=programme_id).values("partner_id")
    return students | Q(subject_kind__in=(SubjectKind.PERSON, SubjectKind.PARTNER), subject_partner__in=partners)


def case_list(*, user: AnyUser, filters: Mapping[str, Any] | None = None) -> QuerySet[Case]:
    """The cases the user may know of (the office and investigators all of theirs, subjects their own,
    coordinators those about their partner's staff), narrowed by ``filters`` (``integrity.forms.CaseFilterForm``:
    ``programme`` and ``cohort`` as :func:`cases_of_programme`, ``status`` or "awaiting")."""
    filters = filters or {}
    rows = access.scope(
        Case.objects.select_related("subject_student__user", "subject_user", "subject_partner"), user, "view"
    )
    programme, cohort = filters.get("programme"), filters.get("cohort")
    if programme is not None:
        rows = rows.filter(cases_of_programme(programme.pk, cohort.pk if cohort is not None else None))
    elif cohort is not None:
        rows = rows.filter(subject_student__cohort=cohort)
    status = filters.get("status")
    if status == CASE_AWAITING:
        rows = rows.filter(decided_at__isnull=True)
    elif status:
        rows = rows.filter(status=status)
    return rows.order_by("-opened_at", "-pk")


def case_timeline(*, user: AnyUser, case: Case) -> QuerySet[CaseEvent]:
    """The case's steps, oldest first, for a reader allowed its evidence (otherwise none)."""
    rows = CaseEvent.objects.filter(case=case).select_related("by")
    return access.scope(rows, user, "view").order_by("at", "pk")


def reference_list(*, user: AnyUser) -> QuerySet[CorpusText]:
    rows = CorpusText.objects.filter(kind=CorpusKind.REFERENCE).defer("text")
    return access.scope(rows, user, "view").order_by("-created_at", "-pk")


#: Similarity bands of the dashboard's distribution.
BANDS = ((0, 5), (5, 15), (15, 30), (30, 50), (50, 101))


@dataclass
class Dashboard:
    by_status: dict[str, int]
    by_outcome: dict[str, int]
    #: programme name → counts per band (same order as ``BANDS``)
    distribution: dict[str, list[int]]
    referred: list[OriginalityReport]
    open_cases: int
    references: int


def dashboard(*, user: AnyUser) -> Dashboard:
    """The office's figures (a fixed number of queries)."""
    reports = access.scope(OriginalityReport.objects.all(), user, "view")
    by_status = dict(reports.values_list("status").annotate(n=Count("pk")).order_by())
    by_outcome = dict(reports.exclude(outcome="").values_list("outcome").annotate(n=Count("pk")).order_by())
    distribution: dict[str, list[int]] = defaultdict(lambda: [0] * len(BANDS))
    done = reports.filter(status=CheckStatus.DONE).values_list("submission__student__programme__name", "similarity")
    for programme, similarity in done:
        value = similarity or Decimal(0)
        for index, (low, high) in enumerate(BANDS):
            if low <= value < high:
                distribution[programme][index] += 1
    referred = list(
        reports.filter(outcome=Outcome.REFERRED).select_related("submission__student__user").order_by("queued_at")[:50]
    )
    open_cases = access.scope(Case.objects.all(), user, "view").exclude(status=CaseStatus.CLOSED).count()
    references = access.scope(CorpusText.objects.filter(kind=CorpusKind.REFERENCE), user, "view").count()
    return Dashboard(by_status, by_outcome, dict(distribution), referred, open_cases, references)


def public_counts() -> list[dict[str, Any]]:
    """Anonymised yearly counts of upheld cases by kind (decided, not dismissed): no names, no partners."""
    rows = (
        Case.objects.filter(decided_at__isnull=False)
        .exclude(decision=CaseDecision.DISMISSED)
        .exclude(decision="")
        .annotate(year=ExtractYear("decided_at"))
        .values_list("year", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    table: dict[int, dict[str, int]] = defaultdict(dict)
    for year, kind, n in rows:
        table[year][kind] = n
    kinds = CaseKind.values
    return [
        {"year": year, "counts": [table[year].get(kind, 0) for kind in kinds], "total": sum(table[year].values())}
        for year in sorted(table, reverse=True)
    ]
