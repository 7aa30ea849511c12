"""Uploads kept across a form's validation errors, so that a person does not choose the same file again.

A browser never re-sends a file input: after any error on a form (a missing title, an end date before
the start), the chosen file was lost and had to be chosen again, which people missed (issue 18). A form
that has already checked the file keeps it here and carries a signed token in a hidden field; the next
post uses the kept file unless another is chosen. The token names the stored file, the person who
uploaded it and the form's purpose, and expires after an hour: nobody else can reuse it, nor use a file
kept for one form in another. Leftovers (forms abandoned after an error) are deleted after a day.
"""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils import timezone

KEPT_DIR = "kept-uploads"
MAX_AGE = 60 * 60  # seconds a kept file stays usable
KEEP = datetime.timedelta(days=1)  # older leftovers are deleted
_SALT = "core.kept_uploads"
_NAME = re.compile(rf"^{KEPT_DIR}/[0-9a-f]{{32}}$")


@dataclass(frozen=True)
class KeptUpload:
    """A kept file: its token (for the hidden field), its storage name and the name the person chose."""

    token: str
    name: str
    filename: str


def keep(upload: UploadedFile, *, by_pk: int, purpose: str) -> KeptUpload:
    """Store ``upload`` and return the token that gives it back to ``by_pk`` on the form ``purpose``."""
    _purge_stale()
    upload.seek(0)
    name = default_storage.save(f"{KEPT_DIR}/{uuid.uuid4().hex}", ContentFile(upload.read()))
    upload.seek(0)
    filename = str(upload.name or "")[-200:]
    payload = {"name": name, "by": by_pk, "purpose": purpose, "filename": filename, "type": upload.content_type}
    return KeptUpload(signing.dumps(payload, salt=_SALT), name, filename)


def restore(token: str, *, by_pk: int, purpose: str) -> tuple[KeptUpload, UploadedFile] | None:
    """The kept file a token names, as an upload again; None when the token is expired, forged, another
    person's, for another form, or its file is gone (the form then simply has no file)."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    name = str(payload.get("name", ""))
    if payload.get("by") != by_pk or payload.get("purpose") != purpose or not _NAME.fullmatch(name):
        return None
    try:
        with default_storage.open(name, "rb") as stored:
            data = stored.read()
    except OSError:
        return None
    filename = str(payload.get("filename", "")) or "upload"
    upload = SimpleUploadedFile(filename, data, content_type=str(payload.get("type") or "application/octet-stream"))
    return KeptUpload(token, name, filename), upload


def discard(kept: KeptUpload) -> None:
    """Delete a kept file once the form it was kept for has been saved."""
    if _NAME.fullmatch(kept.name):
        default_storage.delete(kept.name)


def _purge_stale() -> None:
    try:
        _dirs, files = default_storage.listdir(KEPT_DIR)
    except OSError:
        return
    cutoff = timezone.now() - KEEP
    for filename in files:
        name = f"{KEPT_DIR}/{filename}"
        try:
            if _NAME.fullmatch(name) and default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)
        except OSError:
            continue
