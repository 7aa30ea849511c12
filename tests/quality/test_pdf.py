"""The quality report's PDF read back (pypdf, tests/pdfs.py), from figures built by hand
(tests/quality/sample_figures.py): the cover, the contents, each section's title, figures in their units with
the previous year's value, tables and their SVG charts, the empty-section message, in English and in Chinese
(set in the Simplified Chinese face only), on A4, nothing under 8 pt and nothing past the margin. The public
PDF is read back in test_services.py (publishing renders it)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from quality import services
from quality.models import QualityReport
from quality.public import public_figures
from tests.conftest import World
from tests.pdfs import pdf_font_names, pdf_text
from tests.quality import sample_figures
from tests.quality.paper import check_paper

pytestmark = pytest.mark.django_db


def _squeezed(pdf: bytes) -> str:
    """The text with every space and line break removed (lines break where the page does)."""
    return "".join(pdf_text(pdf).split())


@pytest.fixture
def report(world: World) -> QualityReport:
    """A READY version of 2025 as the build leaves it (figures frozen), rendered below without storing."""
    stamp = timezone.make_aware(datetime.datetime(2026, 1, 5, 9, 30))
    figures = sample_figures.figures(year=2025, programme=world.programme.pk)
    return QualityReport.objects.create(
        programme=world.programme,
        year=2025,
        version=3,
        status="ready",
        figures=figures,
        requested_at=stamp,
        queued_at=stamp,
        built_at=stamp,
        published_at=stamp,
        public_figures=public_figures(figures),
    )


def _laid_out(report: QualityReport, language: str) -> tuple[list[str], bytes]:
    """The full report laid out as ``core.pdf.render_pdf`` does: the boxes that reach past the page's right
    margin (a table too wide for paper), and the PDF's bytes."""
    from django.template.loader import render_to_string
    from django.utils import translation
    from django.utils.safestring import mark_safe
    from weasyprint import CSS, HTML

    from core.pdf import ASSET_SCHEME, BASE_CSS, AssetOnlyFetcher

    with translation.override(language):
        context = services.report_context(report, "full", report.figures)
        body = render_to_string(services.PAGE_TEMPLATE, context)
        html = render_to_string(services.PDF_TEMPLATE, {**context, "body": mark_safe(body)})  # noqa: S308
    document = HTML(string=html, base_url=ASSET_SCHEME, url_fetcher=AssetOnlyFetcher()).render(
        stylesheets=[CSS(filename=str(BASE_CSS))]
    )

    def walk(box: Any) -> Any:
        yield box
        for child in getattr(box, "children", None) or []:
            yield from walk(child)

    found = []
    for page in document.pages:
        page_box = page._page_box
        right = page_box.margin_width() - page_box.margin_right
        for box in walk(page_box):
            if box is page_box or getattr(box, "width", None) is None:
                continue
            end = box.position_x + box.margin_width()
            if end > right + 0.5:
                found.append(f"{type(box).__name__} {getattr(box, 'element_tag', '')} {getattr(box, 'text', '')[:30]}")
    return found, document.write_pdf()


def test_full_report_pdf_in_english_and_chinese(report: QualityReport) -> None:
    overflowing, english = _laid_out(report, "en")
    assert overflowing == []
    text = _squeezed(english)
    for expected in (
        "Qualityreport2025:MedicalImagingTechnology",
        "Version3",
        "2025-12-31",  # as of
        "Contents",
        "Students",
        "Trainingprocess",
        "Funds",
        "Wellbeingservice",
        "87.5%",  # a share
        "12.5days",
        "¥350,000",
        "¥120,000.5",
        "Yearonyear",
        "100in2024",  # the previous year's value
        "+20",  # and the change
        "+7.5pp",
        "HospitalA(附属医院)",
        "Nodataforthisyear",
        services.figures_digest(report.figures),
    ):
        assert expected in text, expected
    # The charts' labels are text too (the SVG is drawn, not an image): the partner's name is in the table
    # and in its chart.
    assert text.count("HospitalA(附属医院)") == 2
    check_paper(english)

    _html, chinese = services.render_report_bytes(report, variant="full", language="zh-hans")
    text = _squeezed(chinese)
    for expected in ("2025年度质量报告", "目录", "研究生", "经费", "同比", "本年度无数据", "87.5%", "12.5天", "学时"):
        assert expected in text, expected
    fonts = pdf_font_names(chinese)
    assert any(name.startswith("Noto-Sans-CJK-SC") for name in fonts), fonts
    assert not any("JP" in name or "KR" in name or "TC" in name or "HK" in name for name in fonts), fonts
    check_paper(chinese)


def test_the_figure_and_table_templates_read_frozen_json_and_live_sections_alike(report: QualityReport) -> None:
    from django.template.loader import render_to_string
    from django.utils import translation

    # Whatever an earlier test left active, the labels are read in English here.
    with translation.override("en"):
        live = sample_figures.sections()[0]
        frozen = report.figures["sections"][0]
        for figure, table in ((live.figures[1], live.tables[0]), (frozen["figures"][1], frozen["tables"][0])):
            html = render_to_string(
                "quality/_figure.html", {"figure": figure, "previous": {"value": 0.8, "people": 100}}
            )
            assert "87.5%" in html and "+7.5 pp" in html and "(better)" in html
            html = render_to_string("quality/_table.html", {"table": table})
            assert "Milestones late" in html and "<svg" in html and 'font-family="&#x27;Noto Sans CJK SC' in html
