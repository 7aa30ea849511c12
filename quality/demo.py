"""The quality report in the demo (``seed_demo`` runs ``seed()`` after the other apps' demos; idempotent).

Last year's report of the demo programme, built at once (not by the worker: the demo shows it at once; a
worker that later gets the message finds it READY and does nothing) and published, so the office's pages
show a READY, published version and the public pages its public version; and this year's report to date,
built but not published, so the office sees a full year's figures beside last year's.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from programmes.demo import PROGRAMME_CODE
from programmes.models import Programme
from quality.models import QualityReport, QualityReportStatus
from quality.services import report_build, report_publish, report_request


def seed() -> None:
    """Build and publish last year's report of the demo programme, and build this year's report to date
    (not published: the office sees a full year beside last year's), unless they exist already (or
    ``settings.QUALITY_DEMO_REPORT`` is off: the test settings, where every demo would pay for six PDFs)."""
    if not settings.QUALITY_DEMO_REPORT:
        return
    programme = Programme.objects.filter(code=PROGRAMME_CODE).first()
    office = User.objects.filter(username="office").first()
    if programme is None or office is None:
        return
    this_year = timezone.localdate().year
    for year in (this_year - 1, this_year):
        if programme.first_intake_year and year < programme.first_intake_year:
            continue
        if QualityReport.objects.filter(programme=programme, cohort__isnull=True, year=year).exists():
            continue
        report = report_request(programme=programme, year=year, by=office)
        report = report_build(report.pk)
        if report.status == QualityReportStatus.READY and year < this_year:
            report_publish(report=report, by=office)
