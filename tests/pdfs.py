"""Reading Tandem's PDFs back in tests, with pypdf only: no test needs poppler's command-line tools.

pypdf reads WeasyPrint's output, Chinese included, as long as the PDF embeds a font with CJK glyphs and
their ToUnicode map; a PDF set in a font without them reads back as glyph codes, which ``pdf_text`` then
returns as they are, so a test asserting Chinese text fails, as it should.
"""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

PdfSource = bytes | str | Path


def _reader(source: PdfSource) -> PdfReader:
    if isinstance(source, bytes):
        return PdfReader(io.BytesIO(source))
    return PdfReader(str(source))


def pdf_text(source: PdfSource) -> str:
    """All pages' text, pages separated by a newline."""
    return "\n".join(page.extract_text() or "" for page in _reader(source).pages)


def pdf_attachments(source: PdfSource) -> list[str]:
    """Names of the files embedded in the PDF (there must be none in Tandem's)."""
    return sorted(_reader(source).attachments)


def pdf_font_names(source: PdfSource) -> set[str]:
    """The base names of every font the pages use, subset prefix removed (``NotoSansCJKsc-Regular``)."""
    names: set[str] = set()
    for page in _reader(source).pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources is not None else None
        if fonts is None:
            continue
        for font in fonts.get_object().values():
            base = str(font.get_object().get("/BaseFont", ""))
            names.add(base.lstrip("/").split("+", 1)[-1])
    return names


def pdf_text_sizes(source: PdfSource) -> list[tuple[str, float]]:
    """Every piece of text the pages show with the size it is set at on paper, in points: the font size
    scaled by the text and transformation matrices (WeasyPrint writes ``1 Tf`` and scales by the matrix)."""
    pieces: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        if text.strip():
            scale_tm = (tm[2] ** 2 + tm[3] ** 2) ** 0.5
            scale_cm = (cm[2] ** 2 + cm[3] ** 2) ** 0.5
            pieces.append((text, round(size * scale_tm * scale_cm, 2)))

    for page in _reader(source).pages:
        page.extract_text(visitor_text=visit)
    return pieces


def pdf_page_texts(source: PdfSource) -> list[str]:
    """Each page's text, in order: what a test about where something lands on paper reads."""
    return [page.extract_text() or "" for page in _reader(source).pages]
