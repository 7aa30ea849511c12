"""Chinese PDFs come out in Chinese, or not at all: never silently in a font without Chinese glyphs.

The "missing font" cases point fontconfig at a configuration holding only DejaVu (``FONTCONFIG_FILE`` is
read whenever fontconfig loads a configuration), which is what a machine without ``fonts-noto-cjk`` has.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from core.pdf import CJK_FAMILY, PdfFontMissing, cjk_font_installed, render_pdf
from tests.pdfs import pdf_font_names, pdf_text

TEMPLATES = Path(__file__).resolve().parent / "templates_pdf"
DEJAVU_ONLY = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{cache}</cachedir></fontconfig>
"""


@pytest.fixture
def pdf_templates(settings: Any) -> None:
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [TEMPLATES, *settings.TEMPLATES[0]["DIRS"]]}]


@pytest.fixture
def without_cjk_font(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    conf = tmp_path / "fonts.conf"
    conf.write_text(DEJAVU_ONLY.format(cache=tmp_path / "cache"))
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    cjk_font_installed.cache_clear()
    yield
    monkeypatch.undo()
    cjk_font_installed.cache_clear()


def test_chinese_text_reads_back_in_chinese_set_in_the_cjk_font(pdf_templates: None) -> None:
    pdf = render_pdf("fonts_sample.html", {"name": "黄欣", "title": "联合培养计划"})

    text = pdf_text(pdf)
    assert "黄欣" in text
    assert "联合培养计划" in text
    assert "Noto-Sans-CJK-SC" in pdf_font_names(pdf)


def test_the_cjk_font_is_found_here() -> None:
    assert cjk_font_installed(), f"{CJK_FAMILY} is missing: run bin/system-deps.sh run"


def test_without_the_font_a_chinese_pdf_is_refused_not_printed_in_boxes(
    pdf_templates: None, without_cjk_font: None
) -> None:
    assert not cjk_font_installed()

    with pytest.raises(PdfFontMissing, match="fonts-noto-cjk"):
        render_pdf("fonts_sample.html", {"name": "黄欣", "title": "Training plan"})


def test_without_the_font_an_english_pdf_still_renders(pdf_templates: None, without_cjk_font: None) -> None:
    pdf = render_pdf("fonts_sample.html", {"name": "Huang Xin", "title": "Training plan"})

    assert "Huang Xin" in pdf_text(pdf)


@pytest.mark.django_db
def test_healthz_reports_the_missing_font(without_cjk_font: None) -> None:
    response = Client().get("/healthz")

    assert response.status_code == 503
    assert response.json()["pdf_fonts"] == "missing"


def test_startup_check_warns_of_the_missing_font(without_cjk_font: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("check")

    assert "tandem.W001" in capsys.readouterr().err
