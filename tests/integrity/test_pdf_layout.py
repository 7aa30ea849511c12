"""The frozen originality report's PDF: a long matched passage beside its source, laid out in columns as wide as
written (``templates/integrity/reports/pdf.html``).

As flex items, WeasyPrint measured each passage's narrowest width by breaking its text at every word: one
copied passage of 3,000 characters cost about 35,000 line breaks and 20 s of a worker's time, for a PDF that
every check renders. The layout's work is counted here in line breaks (the same for the same document on any
machine), not timed: timings belong to ``make bench``."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.storage import default_storage
from weasyprint.layout import inline, preferred
from weasyprint.text import line_break

from integrity import samples
from tests.conftest import World
from tests.factories.integrity import submit_and_check
from tests.pdfs import pdf_text

pytestmark = pytest.mark.django_db

#: What the fixed columns cost for the passage below: about 540 line breaks (flex: about 35,000).
LINE_BREAKS_AT_MOST = 5_000


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[None]:
    """Count WeasyPrint's line breaking from here on (each call lays out one line or measures one width)."""
    calls: list[None] = []
    real: Callable[..., Any] = line_break.split_first_line

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(None)
        return real(*args, **kwargs)

    for module in (line_break, inline, preferred):  # the name as each layout module imported it
        monkeypatch.setattr(module, "split_first_line", counted)
    return calls


def test_a_copied_passage_is_laid_out_beside_its_source_without_measuring_it_word_by_word(
    world: World, monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    text = samples.thesis(30, chars=3000)
    submit_and_check(world.student_a, text)
    calls = _counting(monkeypatch)

    copied = submit_and_check(world.student_b, text, title="Copied proposal")

    assert copied.similarity == Decimal("100.00")
    assert calls, "the count no longer sees WeasyPrint's line breaking (a layout module renamed it?)"
    assert len(calls) <= LINE_BREAKS_AT_MOST, f"{len(calls)} line breaks for one passage"
    assert copied.pdf.name
    with default_storage.open(copied.pdf.name, "rb") as pdf:
        read_back = "".join(pdf_text(pdf.read()).split())
    passage = "".join(copied.result["passages"][0]["query"]["match"].split())
    assert read_back.count(passage[:40]) == 2  # this submission's side and the source's
