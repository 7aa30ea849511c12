"""``make bench``'s reports scenario, smoke-tested on a report of a few items: the load makes a closed
inspection the report renders, the plain document holds the report's words, and the measurement runs. No
timing is asserted (timings belong to ``make bench``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.reports import ReportBenchConfig, measure, plain_document, populate_report, report_text_blocks
from supervision.models import Finding, InspectionStatus

pytestmark = pytest.mark.django_db


def test_reports_bench_loads_a_report_and_measures_it_against_its_plain_text(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    config = ReportBenchConfig(items=6, findings=3, note_words=12, finding_words=12, answer_words=8)

    inspection = populate_report(config, prefix="smoke")

    assert inspection.status == InspectionStatus.CLOSED
    assert inspection.results.count() == 6 and Finding.objects.filter(inspection=inspection).count() == 3
    result = measure(inspection, runs=1, warmup=0)
    assert result.report_seconds > 0 and result.plain_seconds > 0
    assert result.report_pages >= 1 and result.plain_pages >= 1
    assert result.characters > 500


def test_the_plain_document_keeps_every_block_of_text_and_drops_the_chart() -> None:
    html = (
        "<h3>Facts</h3><svg><text>chart label</text></svg>"
        "<table><tr><th>Kind</th><td>Spot</td></tr></table><p>A &amp; B</p>"
    )

    blocks = report_text_blocks(html)

    assert blocks == ["Facts", "Kind Spot", "A & B"]
    assert "<p>A &amp; B</p>" in plain_document(blocks)
