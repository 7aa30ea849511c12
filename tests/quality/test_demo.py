"""The quality demo: last year's report of the demo programme, built at once in the seeding and published,
with its full and public files in both languages; seeding again adds nothing. Runs on SQLite too
(``make run``'s demo database; tests/conftest.py ``EMBEDDED_MODULES``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from core import demo as core_demo
from programmes.demo import PROGRAMME_CODE
from quality import demo
from quality.models import QualityReport, QualityReportFile, QualityReportStatus

pytestmark = pytest.mark.django_db


def test_demo_publishes_last_years_report_and_builds_this_years_once(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.QUALITY_DEMO_REPORT = True  # off in the test settings, for every other demo's sake
    assert "quality" in core_demo.APP_DEMOS  # seed_demo runs quality.demo.seed() after the other apps
    # The demo's programme and people (the rest of the demo is not needed for the report to build).
    core_demo.seed_foundation()
    core_demo.seed_programmes_and_students()

    demo.seed()

    this_year = timezone.localdate().year
    report = QualityReport.objects.get(programme__code=PROGRAMME_CODE, year=this_year - 1)
    assert (report.cohort, report.version) == (None, 1)
    assert report.status == QualityReportStatus.READY, report.error
    assert report.published_at is not None and report.published_by is not None
    assert report.public_figures is not None and len(report.public_figures["sections"]) == 10
    files = set(QualityReportFile.objects.filter(report=report).values_list("variant", "language"))
    assert files == {("full", "en"), ("full", "zh-hans"), ("public", "en"), ("public", "zh-hans")}
    # This year's, to date: built beside last year's, not published.
    current = QualityReport.objects.get(programme__code=PROGRAMME_CODE, year=this_year)
    assert current.status == QualityReportStatus.READY, current.error
    assert current.published_at is None and current.files.count() == 2

    demo.seed()
    assert QualityReport.objects.count() == 2 and QualityReportFile.objects.count() == 6
