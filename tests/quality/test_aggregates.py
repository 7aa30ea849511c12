"""The SQL pieces the sections share give the same answers on PostgreSQL and on ``make run``'s SQLite
(``percentile_cont`` and ``date_part`` are PostgreSQL's; SQLite gets a Python aggregate and julianday)."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Q
from django.utils import timezone

from quality.indicators._aggregates import Median, Percentile, days_between, whole_days_between
from quality.models import QualityReport
from tests.factories.programmes import ProgrammeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_percentiles_and_days_between_timestamps_on_either_database() -> None:
    programme = ProgrammeFactory.create()
    start = timezone.make_aware(datetime.datetime(2025, 3, 1, 9, 0))
    for version, days in enumerate((1, 2, 3, 10, 0.5), start=1):
        QualityReport.objects.create(
            programme=programme,
            year=2025,
            version=version,
            requested_at=start,
            built_at=start + datetime.timedelta(days=days, hours=12 if version == 5 else 0),
        )
    reports = QualityReport.objects.filter(programme=programme).annotate(
        took=days_between("requested_at", "built_at"), whole=whole_days_between("requested_at", "built_at")
    )
    figures = reports.aggregate(
        median=Median("took"),
        p90=Percentile("took", 0.9),
        median_short=Median("took", filter=Q(version__lte=3)),
        none=Median("took", filter=Q(version__gt=99)),
    )
    # 1, 1 (0.5 + 12 h), 2, 3, 10 days: the median is 2; the 90th percentile lies 0.6 of the way from 3 to 10.
    assert figures["median"] == pytest.approx(2.0)
    assert figures["p90"] == pytest.approx(7.2)
    assert figures["median_short"] == pytest.approx(2.0)
    assert figures["none"] is None
    assert sorted(reports.values_list("whole", flat=True)) == [1, 1, 2, 3, 10]
