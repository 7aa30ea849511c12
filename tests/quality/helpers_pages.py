"""Quality reports made directly with the ORM for the tests of the pages, the API and the access matrix.

The build (``quality.services.report_build``) is tested on its own; the pages only read what a build
leaves: a READY ``QualityReport`` with figures in the shape of ``quality.figures`` and one
``QualityReportFile`` per variant and language, each with a real PDF (rendered once per process with
``core.pdf.render_pdf``) and its SHA-256. Each file's page and PDF carry markers saying which variant and
language they are, so a test can tell the full report from the public version.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.safestring import mark_safe

from accounts.models import User
from core.pdf import render_pdf
from programmes.models import Cohort, Programme
from quality.figures import Figure, Section, section_to_json
from quality.models import QualityReport, QualityReportFile, QualityReportStatus, QualityReportVariant

LANGUAGES = ("en", "zh-hans")
#: Words only the full report's page holds: a test finding one on a public answer found a leak.
FULL_MARKER = "FULL-ONLY-Wang-Fang"
PUBLIC_MARKER = "PUBLIC-VERSION"
TITLES = {"en": "Quality report", "zh-hans": "质量报告"}


@functools.cache
def pdf_bytes(language: str) -> bytes:
    """A small real PDF in ``language`` (rendered once per process: WeasyPrint takes a moment)."""
    body = mark_safe(f"<h1>{TITLES[language]}</h1>")  # noqa: S308 (a constant of this module)
    context = {"report": {"language": language}, "stamp": "2026-01-01T00:00:00Z", "facts": {}, "version": 1}
    return render_pdf("supervision/reports/pdf.html", {**context, "body": body})


def file_pdf(variant: str, language: str) -> bytes:
    """The PDF of one rendering: the language's PDF with a comment naming the variant after its end
    (readers ignore it), so the full and the public files differ byte for byte."""
    return pdf_bytes(language) + f"\n% variant={variant}\n".encode()


def figures(programme: Programme, year: int, *, enrolled: int = 42) -> dict[str, Any]:
    """Frozen figures in the shape of ``quality.indicators.figures_json``: one section of two figures."""
    section = Section(
        key="students",
        title="Students",
        figures=[
            Figure(key="students.enrolled", label="Enrolled", value=enrolled, people=enrolled),
            Figure(key="students.at_risk", label="At risk", value=3, people=3),
        ],
    )
    return {
        "frame": {"programme": programme.pk, "cohort": None, "year": year, "as_of": f"{year}-12-31"},
        "sections": [section_to_json(section)],
        "previous": {"students.enrolled": {"value": enrolled - 2, "people": enrolled - 2}},
    }


def public_figures(programme: Programme, year: int) -> dict[str, Any]:
    """The public version of :func:`figures`: the small cell (3 at risk) suppressed."""
    data = figures(programme, year)
    data["sections"][0]["figures"] = data["sections"][0]["figures"][:1]
    return data


def add_files(
    report: QualityReport, *, variant: str = QualityReportVariant.FULL, languages: tuple[str, ...] = LANGUAGES
) -> list[QualityReportFile]:
    """One rendering of ``report`` per language in ``variant``: a page with the variant's marker and a PDF."""
    made = []
    for language in languages:
        content = file_pdf(variant, language)
        marker = FULL_MARKER if variant == QualityReportVariant.FULL else PUBLIC_MARKER
        title = f"<h2>{TITLES[language]} {report.year}</h2>"
        html = f'<section class="quality-report">{title}<p>{marker} {language}</p></section>'
        file = QualityReportFile(
            report=report, variant=variant, language=language, html=html, sha256=hashlib.sha256(content).hexdigest()
        )
        file.pdf.save(f"quality-{report.pk}-{variant}-{language}.pdf", ContentFile(content), save=False)
        file.save()
        made.append(file)
    return made


def make_report(
    programme: Programme,
    *,
    year: int = 2025,
    version: int = 1,
    cohort: Cohort | None = None,
    status: str = QualityReportStatus.READY,
    published_by: User | None = None,
    requested_by: User | None = None,
    files: bool = True,
) -> QualityReport:
    """A report as a build leaves it: READY with its full files (or in another status without files);
    with ``published_by``, also published, with its public figures and files."""
    now = timezone.now()
    ready = status == QualityReportStatus.READY
    report = QualityReport.objects.create(
        programme=programme,
        cohort=cohort,
        year=year,
        version=version,
        status=status,
        figures=figures(programme, year) if ready else {},
        requested_by=requested_by,
        built_at=now if ready else None,
        error="RuntimeError: the worker fell over" if status == QualityReportStatus.FAILED else "",
        attempts=1 if status != QualityReportStatus.PENDING else 0,
        public_figures=public_figures(programme, year) if published_by else None,
        published_at=now if published_by else None,
        published_by=published_by,
    )
    if ready and files:
        add_files(report)
        if published_by:
            add_files(report, variant=QualityReportVariant.PUBLIC)
    return report
