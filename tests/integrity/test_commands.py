"""``manage.py load_references``: folders of PDF, DOCX and text files into the reference corpus, once."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from integrity import samples
from integrity.extract import docx_bytes
from integrity.models import CorpusKind, CorpusText, Fingerprint
from tests.conftest import World


def test_load_references_adds_each_file_once_and_reports_refusals(world: World, tmp_path: Path) -> None:
    (tmp_path / "thesis-a.docx").write_bytes(docx_bytes([samples.thesis(1)]))
    (tmp_path / "thesis-b.txt").write_text(samples.thesis(2, language="en"), encoding="utf-8")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 nothing")
    out, err = StringIO(), StringIO()
    call_command("load_references", str(tmp_path), stdout=out, stderr=err)
    assert "added 2" in out.getvalue() and "refused 1" in out.getvalue()
    assert set(CorpusText.objects.filter(kind=CorpusKind.REFERENCE).values_list("title", flat=True)) == {
        "thesis-a",
        "thesis-b",
    }
    assert Fingerprint.objects.count() > 0
    call_command("load_references", str(tmp_path), stdout=(again := StringIO()), stderr=StringIO())
    assert "added 0, already there 2" in again.getvalue()
    with pytest.raises(CommandError):
        call_command("load_references", str(tmp_path / "missing"))
