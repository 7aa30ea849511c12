"""Checks for uploaded files, by content rather than by name."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF_MAGIC = b"%PDF-"


def validate_pdf(upload: Any, *, field: str, max_bytes: int) -> None:
    """Refuse anything but a PDF no larger than ``max_bytes``; the file's name and type header are not trusted."""
    if upload is None:
        raise ValidationError({field: [_("Choose a PDF file.")]})
    if upload.size > max_bytes:
        raise ValidationError(
            {field: [_("The file is too large: at most %(limit)s.") % {"limit": filesizeformat(max_bytes)}]}
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    if not head.lstrip().startswith(PDF_MAGIC):
        raise ValidationError({field: [_("The file is not a PDF.")]})
