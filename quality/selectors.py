"""Reads of quality reports shared by the pages and the API.

The contract below is what the pages and the API call; the bodies come with #17's work.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.roles import AnyUser
from programmes.models import Programme
from quality.models import QualityReport, QualityReportFile


def report_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[QualityReport]:
    """The reports ``user`` may see (the office: all), newest first, filtered by programme, year, status."""
    raise NotImplementedError


def published_reports(*, programme: Programme | None = None) -> QuerySet[QualityReport]:
    """Published reports (for anybody, the public included), newest year first."""
    raise NotImplementedError


def report_file(*, report: QualityReport, variant: str, language: str) -> QualityReportFile | None:
    """The rendering of ``report`` in ``variant`` and ``language`` (falling back to English), or None."""
    raise NotImplementedError
