"""Every write of the quality app: requesting a build, building (figures, then pages and PDFs in every
language), retrying, the sweep, and publishing the public version.

The contract below is what the pages, the API and the task call; the bodies come with #17's work.
"""

from __future__ import annotations

from accounts.models import User
from programmes.models import Cohort, Programme
from quality.models import QualityReport


def report_request(*, programme: Programme, year: int, cohort: Cohort | None = None, by: User) -> QualityReport:
    """Ask for a new version of the report for ``programme`` (and ``cohort``) and ``year``: a PENDING row,
    built by the task ``quality.build_report`` once the transaction commits."""
    raise NotImplementedError


def report_build(report_id: int) -> QualityReport:
    """Build one requested version (the task's body): claim it, freeze its figures, render its page and
    PDF in each offered language. Safe to run twice."""
    raise NotImplementedError


def report_retry(*, report: QualityReport, by: User) -> QualityReport:
    """Queue a FAILED (or stuck) build again."""
    raise NotImplementedError


def report_publish(*, report: QualityReport, by: User) -> QualityReport:
    """Publish a READY report: freeze its public figures (no person, no small cell) and render the public
    page and PDF in each language."""
    raise NotImplementedError


def reports_sweep() -> dict[str, int]:
    """Queue again the builds whose message was lost or whose worker died (the periodic sweep)."""
    raise NotImplementedError
