"""Evidence uploads for inspections: a PDF, or a photo (JPEG or PNG) taken on a tablet during the visit.

Checked by content, as ``core.uploads.validate_pdf`` does: the name and the browser's type header are not
trusted. The stored file gets a name of ours (a random one with the right extension), so an uploader's
file name, which may hold a person's name, never reaches the storage or a download.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.validation import refuse

#: At most 10 MB, as other evidence in Tandem; a tablet photo is 2 to 6 MB.
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024

#: What a file starts with, and the extension it is stored under.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)

#: Content types for downloads, by stored extension.
CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}


def evidence_kind(head: bytes) -> str | None:
    """The extension matching the file's first bytes, or None when it is none of PDF, JPEG or PNG."""
    for magic, extension in SIGNATURES:
        if head.startswith(magic) or (extension == "pdf" and head.lstrip().startswith(magic)):
            return extension
    return None


def validate_evidence(upload: Any, *, field: str, max_bytes: int = MAX_EVIDENCE_BYTES) -> str:
    """Refuse anything but a PDF, JPEG or PNG no larger than ``max_bytes``; returns the extension.

    Renames the upload to a random name with that extension (see the module's docstring).
    """
    if upload.size > max_bytes:
        message = _("The file is too large: at most %(limit)s.") % {"limit": filesizeformat(max_bytes)}
        raise refuse(field, "too_large", message)
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    extension = evidence_kind(head)
    if extension is None:
        message = _("Evidence must be a PDF or a photo (JPEG or PNG).")
        raise refuse(field, "file_type", message)
    upload.name = f"{uuid.uuid4().hex}.{extension}"
    return extension
