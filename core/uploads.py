"""Checks for uploaded files, by content rather than by name, and the cap on how large a file may grow."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
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


class RefusedUpload(UploadedFile):
    """Stands for a file that ``LimitedUploadHandler`` stopped receiving: it has the size the upload reached
    and no content. Every upload in Tandem checks the size first, so the form or the API answers with its
    usual "The file is too large" on the field; anything that reads it anyway gets a 400."""

    def __init__(self, *, name: str, content_type: str, size: int, charset: str | None, extra: Any) -> None:
        super().__init__(io.BytesIO(), name, content_type, size, charset, extra)

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise RequestDataTooBig(f"Upload larger than {settings.UPLOAD_MAX_BYTES} bytes.")

    read = chunks = readline = readlines = _refuse  # type: ignore[assignment]

    def __iter__(self) -> Any:
        return self._refuse()


class LimitedUploadHandler(FileUploadHandler):
    """First of the upload handlers: passes each file on to Django's (memory, then a temporary file) until
    it reaches ``UPLOAD_MAX_BYTES``, then stops it, discards what they hold, reads the rest of it into
    nothing and hands the view a ``RefusedUpload`` instead. So no upload larger than the limit is ever
    written out in full, not even to a temporary file, and the view still learns how large it was."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.refused = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self.refused:
            return None
        if start + len(raw_data) > settings.UPLOAD_MAX_BYTES:
            self.refused = True
            self._discard_others()
            return None
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.refused:
            return None
        return RefusedUpload(
            name=self.file_name or "",
            content_type=self.content_type or "",
            size=file_size,
            charset=self.charset,
            extra=self.content_type_extra,
        )

    def _discard_others(self) -> None:
        for handler in getattr(self.request, "upload_handlers", []):
            held = getattr(handler, "file", None)
            if handler is not self and held is not None:
                held.close()  # a temporary file is deleted as it closes
                handler.file = io.BytesIO()
