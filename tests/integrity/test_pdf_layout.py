"""The frozen originality report's PDF: a long matched passage beside its source, laid out in columns as wide as
written (``templates/integrity/reports/pdf.html``).

As flex items, WeasyPrint measured each passage's narrowest width by breaking its text at every word: one
copied passage of 3,000 characters cost about 35,000 line breaks and 20 s of a worker's time, for a PDF that
every check renders. The layout's work is counted here in line breaks (the same for the same document on any
machine), not timed: timings belong to ``make bench``.

The "Matched passages" heading is read back page by page: it never ends a page while its first passage starts
on the next (the passage is kept whole where it fits, so a long one used to leave its heading behind), and a
passage longer than a page still flows over pages."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from weasyprint.layout import inline, preferred
from weasyprint.text import line_break

from integrity import samples
from integrity.models import CheckStatus, OriginalityReport, Outcome, Submission, SubmissionKind
from integrity.services.checks import render_report_pdf
from tests.conftest import World
from tests.factories.integrity import submit_and_check
from tests.pdfs import pdf_page_texts, pdf_text

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


def _padded_report(*, sources: int, words: int, passages_total: int) -> OriginalityReport:
    """A finished report (unsaved: the PDF is made from it alone) whose sources table pads the first page
    before the "Matched passages" heading, and whose first passage has ``words`` words: ``w000`` first."""
    submission = Submission(
        title="Padded proposal", version=1, kind=SubmissionKind.PROPOSAL, submitted_at=timezone.now()
    )
    padding = [
        {"number": n, "title": f"Padding source {n}", "kind": "reference", "author": "", "year": 2020, "share": "1.00"}
        for n in range(1, sources + 1)
    ]
    match = " ".join(f"w{n:03d}" for n in range(words))
    passage = {
        "source": 1,
        "query": {"before": "", "match": match, "after": ""},
        "found": {"before": "", "match": "the source's words", "after": ""},
    }
    return OriginalityReport(
        submission=submission,
        status=CheckStatus.DONE,
        outcome=Outcome.REVIEW,
        similarity=Decimal("40.00"),
        review_from=Decimal("15.00"),
        refer_above=Decimal("30.00"),
        finished_at=timezone.now(),
        result={
            "sources": padding,
            "passages": [passage],
            "passages_total": passages_total,
            "quoted_chars": 0,
            "reference_chars": 0,
            "counted_chars": 5000,
        },
    )


@pytest.mark.parametrize(
    ("sources", "words", "passages_total"),
    [
        # The heading and the note under it ("The 1 longest of 40 passages...") near the foot of page 1, a
        # passage of half a page after them: the passage went to page 2 and left both behind.
        (14, 120, 40),
        # A first passage longer than a page: it went to a fresh page (kept whole as far as it could be), and
        # the heading, moved along to page 2, stayed there alone.
        (6, 500, 1),
    ],
)
def test_the_matched_passages_heading_is_on_the_page_where_the_first_passage_starts(
    sources: int, words: int, passages_total: int
) -> None:
    pages = pdf_page_texts(
        render_report_pdf(_padded_report(sources=sources, words=words, passages_total=passages_total))
    )

    heading = next(number for number, text in enumerate(pages) if "Matched passages" in text)
    assert f"Padding source {sources}" in "".join(pages[: heading + 1])  # the padding came before it
    assert "w000" in pages[heading], f"the heading ends page {heading + 1}; the first passage starts on the next"


def test_a_first_passage_longer_than_a_page_still_flows_over_pages() -> None:
    pages = pdf_page_texts(render_report_pdf(_padded_report(sources=6, words=600, passages_total=1)))

    first = next(number for number, text in enumerate(pages) if "w000" in text)
    last = next(number for number, text in enumerate(pages) if "w599" in text)
    assert last > first
    assert all(f"w{n:03d}" in "".join(pages) for n in range(600))  # nothing of it cut off
