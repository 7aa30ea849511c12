"""Text out of an uploaded PDF or DOCX, checked by content (never by its name or declared type).

PDF: pypdf reads the text layer; a PDF whose pages carry (almost) no text is a scan, refused with a message
saying what to upload instead. DOCX: a ZIP holding ``word/document.xml``, read with the standard library
(paragraphs, tabs and line breaks kept), with the unpacked size capped so a ZIP bomb is refused, not
unpacked.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.validation import refuse

MAX_BYTES = 10 * 1024 * 1024
#: The most ``word/document.xml`` may unpack to (a thesis is a few MB of XML).
MAX_DOCX_XML = 50 * 1024 * 1024
#: A PDF with fewer text characters per page than this is taken for a scan.
MIN_CHARS_PER_PAGE = 40
PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass(frozen=True)
class Extracted:
    """A document's format and text."""

    file_format: str
    text: str
    pages: int


def _refuse(rule: str, message: str) -> ValidationError:
    return refuse("file", rule, message)


def extract(upload: Any, *, max_bytes: int = MAX_BYTES) -> Extracted:
    """The text of ``upload`` (a PDF or a DOCX no larger than ``max_bytes``), or a refusal on ``file``."""
    if upload is None:
        raise _refuse("required", _("Choose a PDF or Word (DOCX) file."))
    if upload.size > max_bytes:
        raise _refuse(
            "too_large", _("The file is too large: at most %(limit)s.") % {"limit": filesizeformat(max_bytes)}
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if data.lstrip()[:5] == PDF_MAGIC:
        return _pdf(data)
    if data[:4] == ZIP_MAGIC:
        return _docx(data)
    raise _refuse("not_pdf_or_docx", _("The file is neither a PDF nor a Word (DOCX) document."))


def _pdf(data: bytes) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise _refuse("encrypted", _("The PDF is password-protected: upload it without a password."))
        pages = [page.extract_text() or "" for page in reader.pages]
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise _refuse(
            "unreadable", _("The PDF cannot be read (%(error)s).") % {"error": type(error).__name__}
        ) from None
    text = "\n\n".join(pages)
    visible = sum(1 for char in text if not char.isspace())
    if not pages or visible < MIN_CHARS_PER_PAGE * len(pages):
        raise _refuse(
            "scanned_pdf",
            _(
                "This PDF has no text layer (it looks scanned), so its originality cannot be checked. Upload the "
                "PDF exported from your word processor, or the DOCX file."
            ),
        )
    return Extracted("pdf", text, len(pages))


def _docx(data: bytes) -> Extracted:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            try:
                info = archive.getinfo("word/document.xml")
            except KeyError:
                raise _refuse("not_pdf_or_docx", _("The file is neither a PDF nor a Word (DOCX) document.")) from None
            if info.file_size > MAX_DOCX_XML:
                raise _refuse("too_large", _("The document unpacks to more than a thesis can hold."))
            xml = archive.read(info)
        root = ElementTree.fromstring(xml)  # noqa: S314 (expat 2.4+ refuses entity expansion bombs)
    except ValidationError:
        raise
    except (zipfile.BadZipFile, ElementTree.ParseError, OSError):
        raise _refuse("unreadable", _("The Word document cannot be read.")) from None
    paragraphs = []
    for paragraph in root.iter(f"{_W}p"):
        parts = []
        for node in paragraph.iter():
            if node.tag == f"{_W}t" and node.text:
                parts.append(node.text)
            elif node.tag == f"{_W}tab":
                parts.append("\t")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
        paragraphs.append("".join(parts))
    text = "\n".join(paragraphs).strip()
    if not text:
        raise _refuse("empty", _("The document has no text."))
    return Extracted("docx", text, 0)


def docx_bytes(paragraphs: list[str]) -> bytes:
    """A minimal valid DOCX holding ``paragraphs`` (for tests, the demo and the bench)."""
    from xml.sax.saxutils import escape

    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>' for p in paragraphs)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()
