"""Text in exported spreadsheet files that a spreadsheet program cannot run as a formula, and back.

A CSV cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be run as a formula
when the file is opened (CSV injection). Exports prefix such text with an apostrophe (the neutraliser),
which spreadsheets show as text; imports remove exactly that apostrophe, so an exported file imports back
unchanged (``students.services.imports``).

To make the two exact inverses, text that already starts with apostrophes followed by such a character
(``'=x``: a value someone typed with the apostrophe, or saved by an older import) gets one more apostrophe
too (``''=x``), and an import removes one leading apostrophe only when apostrophes and such a character
follow it. Any other text, an apostrophe at its start included (``'s-Hertogenbosch``), is left as it is.
XLSX files need none of this: their cells are written as text cells.

The templates an import offers to fill in are here too (``template_xlsx``): one builder for every import,
so each states only its columns and how each is typed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence

#: The characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"

# Text that the export neutralises: a formula start, after any apostrophes.
_NEEDS_NEUTRALISER = re.compile(r"'*[=+\-@\t\r]")
# Text that the export neutralised: one apostrophe added before the above.
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")


def neutralise(text: str) -> str:
    """Text for a CSV cell: an apostrophe before text a spreadsheet would run as a formula."""
    return NEUTRALISER + text if _NEEDS_NEUTRALISER.match(text) else text


def unneutralise(text: str) -> str:
    """A CSV cell read back: without the apostrophe :func:`neutralise` added, any other text as it is."""
    return text[1:] if _NEUTRALISED.match(text) else text


# --- Reading uploaded CSV text ------------------------------------------------------------------------

#: The first bytes of files people rename to .csv by mistake (PDF, old Excel, images, archives).
_NOT_A_TABLE = (b"%PDF-", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x1f\x8b")


class NotText(ValueError):
    """The upload is not CSV text (``kind``: ``"binary"``: another kind of file; ``"encoding"``: text in
    an encoding we do not read)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def decode_csv(data: bytes) -> str:
    """The text of an uploaded CSV file: UTF-8 (with or without the BOM Excel writes), or GB18030, the
    superset of GBK that Chinese Excel uses when it saves plain "CSV". Raises :class:`NotText` for another
    kind of file (a renamed PDF or workbook) or for text in neither encoding."""
    if data.startswith(_NOT_A_TABLE) or b"\x00" in data[:4096]:
        raise NotText("binary")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise NotText("encoding")


# --- Templates to fill in -----------------------------------------------------------------------------

#: Number formats for an XLSX template's columns. A column's format is the one a spreadsheet gives the cells
#: typed into it, so a date typed there is stored as a date cell, not as text in the user's locale's order.
XLSX_TEXT = "@"  # codes and numbers with leading zeros stay text (student numbers, references)
XLSX_DATE = "yyyy-mm-dd"
XLSX_TIME = "hh:mm"
XLSX_INTEGER = "0"
XLSX_DECIMAL = "0.00"


def template_xlsx(columns: Sequence[str], *, formats: Mapping[str, str], title: str) -> bytes:
    """An XLSX workbook to fill in: one sheet, the header row (bold, frozen) naming ``columns`` in order, and
    each column typed by ``formats`` (a column not named keeps "General"). The import's reader gets date
    cells as dates, time cells as times and numbers as numbers, which it reads back as the CSV's text
    (``students.services.imports._cell_text``); typing the columns is what makes a spreadsheet store them so."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = title[:31]  # the most a sheet's name may hold
    bold = Font(bold=True)
    for index, name in enumerate(columns, start=1):
        letter = get_column_letter(index)
        dimension = sheet.column_dimensions[letter]
        dimension.width = max(12, len(name) + 4)
        if name in formats:
            dimension.number_format = formats[name]
        header = sheet.cell(row=1, column=index, value=name)
        header.data_type = "s"
        header.number_format = XLSX_TEXT
        header.font = bold
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
