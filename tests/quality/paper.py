"""What every quality report PDF must be on paper: A4 pages, and no text under 8 pt."""

from __future__ import annotations

from pypdf import PdfReader

from tests.pdfs import _reader, pdf_text_sizes

A4 = (595.28, 841.89)


def check_paper(pdf: bytes) -> None:
    reader: PdfReader = _reader(pdf)
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width), 1), round(float(box.height), 1)) == (round(A4[0], 1), round(A4[1], 1))
    sizes = pdf_text_sizes(pdf)
    assert sizes, "no text read back"
    assert min(size for _piece, size in sizes) >= 8, [piece for piece in sizes if piece[1] < 8][:10]
