"""Reads of quality reports shared by the pages and the API.

The office's reads start from the scoped queryset (``partners.access.scope``: the office sees every report,
anybody else none); the public reads select published reports themselves (anybody may read those).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, QuerySet

from accounts.roles import AnyUser
from partners.access import scope
from programmes.models import Programme
from quality.models import QualityReport, QualityReportFile, QualityReportStatus

#: Newest year first; per programme, its whole-programme reports before its cohorts'; newest version first.
ORDER = ("-year", "programme__name", F("cohort__intake_year").asc(nulls_first=True), "-version")


def report_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[QualityReport]:
    """The reports ``user`` may see (the office: all), newest first, filtered by ``programme`` (a
    programme or its id), ``cohort`` (id; ``"none"`` for the whole-programme reports), ``year``, ``status``
    and ``published`` (true: published only; false: not published)."""
    filters = filters or {}
    reports = scope(QualityReport.objects.all(), user).select_related(
        "programme", "cohort", "requested_by", "published_by"
    )
    if filters.get("programme"):
        reports = reports.filter(programme=filters["programme"])
    cohort = filters.get("cohort")
    if cohort == "none":
        reports = reports.filter(cohort__isnull=True)
    elif cohort:
        reports = reports.filter(cohort=cohort)
    if filters.get("year"):
        reports = reports.filter(year=filters["year"])
    if filters.get("status"):
        reports = reports.filter(status=filters["status"])
    if filters.get("published") is not None and filters.get("published") != "":
        reports = reports.filter(published_at__isnull=not _true(filters["published"]))
    return reports.order_by(*ORDER)


def _true(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true", "yes", "on")


def published_reports(*, programme: Programme | None = None, latest: bool = False) -> QuerySet[QualityReport]:
    """Published reports (for anybody, the public included), newest year first. With ``latest``, only the
    newest published version of each programme, cohort and year (an older one stays readable by its link)."""
    reports = QualityReport.objects.filter(published_at__isnull=False, status=QualityReportStatus.READY)
    if programme is not None:
        reports = reports.filter(programme=programme)
    if latest:
        newer = QualityReport.objects.filter(
            published_at__isnull=False,
            programme=OuterRef("programme"),
            year=OuterRef("year"),
            version__gt=OuterRef("version"),
        )
        reports = reports.exclude(Exists(newer.filter(cohort=OuterRef("cohort")))).exclude(
            Exists(newer.filter(cohort__isnull=True)), cohort__isnull=True
        )
    return reports.select_related("programme", "cohort").order_by(*ORDER)


def report_file(*, report: QualityReport, variant: str, language: str) -> QualityReportFile | None:
    """The rendering of ``report`` in ``variant`` and ``language`` (falling back to the site's default
    language, then to any), or None."""
    files = list(QualityReportFile.objects.filter(report=report, variant=variant).select_related("report"))
    for wanted in (language, settings.LANGUAGE_CODE):
        for file in files:
            if file.language == wanted:
                return file
    return files[0] if files else None
