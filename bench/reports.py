"""``make bench``'s reports scenario: a 50-page inspection report PDF against a plain document of the same text.

Issue 19 (item 7) measured the full inspection report at 2.9-3.5 times a plain document holding the same text,
and set the goal at 2 times at most: what a report costs beyond setting its words on paper should be its
headings, a chart and a few tables, not the layout of narrow table cells and inline-block badges that WeasyPrint
(Pango) breaks into lines over and over.

Loads (``populate_report``, ``bulk_create``) one closed inspection of a partner with a long checklist whose every
item is rated with a note, and many findings each with a corrective action answered at length: about fifty A4
pages. Then measures, in the same run:

* (g) ``supervision.reports.render_report_bytes``: what the worker does for one version (the report's context,
  the page's HTML and the PDF), in English;
* its floor: the same words, block by block as the report shows them (``report_text_blocks``), as plain
  paragraphs under the same stylesheet and fonts (``core.pdf``), rendered to PDF.

Prints both medians, the pages and sizes of both PDFs, the ratio and the goal beside it. Ratios travel between
machines; the milliseconds are printed so that the ratio can be checked.
"""

from __future__ import annotations

import datetime
import io
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from typing import TextIO

from django.utils import timezone
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from accounts.models import User
from accounts.roles import PlatformRole, grant_platform_role
from core.pdf import ASSET_SCHEME, BASE_CSS, AssetOnlyFetcher
from partners.models import Partner, PartnerKind
from supervision.models import (
    ActionStatus,
    Aspect,
    ChecklistItem,
    ChecklistResult,
    ChecklistTemplate,
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionKind,
    InspectionReport,
    InspectionStatus,
    Rating,
    ReportVariant,
    Severity,
    TargetKind,
)
from supervision.reports import render_report_bytes

#: The issue's goal: the report costs at most twice the plain document of the same text.
GOAL = 2.0

TEXT = (
    "supervision logbook entries were checked against the rota and the signed attendance sheets of the "
    "department; the tutor confirmed that trainees rotate through ultrasound computed tomography and magnetic "
    "resonance imaging with a named supervisor for each session, and that cases are discussed at the weekly "
    "meeting; records of feedback were incomplete for two months, the induction pack is current, protective "
    "equipment was available and dose records were kept, although reporting templates differ between sites"
)
WORDS = tuple(TEXT.split())


@dataclass(frozen=True)
class ReportBenchConfig:
    """The report's size (the defaults make about 50 A4 pages) and how many timed runs."""

    items: int = 180
    findings: int = 75
    note_words: int = 70
    finding_words: int = 70
    answer_words: int = 45
    runs: int = 3
    warmup: int = 1


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[:1].upper() + text[1:] + "."


def populate_report(config: ReportBenchConfig, *, prefix: str = "bench-report", seed: int = 2026) -> Inspection:
    """One closed inspection with ``config.items`` rated items (each with a note) and ``config.findings``
    findings, each with an answered corrective action. Rows are made directly (``bulk_create``): the
    services' rules are not what is measured, and every row obeys the tables' constraints."""
    rng = random.Random(seed)  # noqa: S311 (made-up text, not a secret)
    now = timezone.now()
    office = User.objects.create(username=f"{prefix}-office", full_name="Bench Office", password="!")  # noqa: S106
    grant_platform_role(office, PlatformRole.OFFICE)
    inspector = User.objects.create(username=f"{prefix}-inspector", full_name="Bench Inspector", password="!")  # noqa: S106
    grant_platform_role(inspector, PlatformRole.INSPECTOR)
    owner = User.objects.create(username=f"{prefix}-coordinator", full_name="Bench Coordinator", password="!")  # noqa: S106
    partner = Partner.objects.create(
        name=f"{prefix} Teaching Hospital", short_name=f"{prefix}-h"[:40], kind=PartnerKind.HOSPITAL
    )
    template = ChecklistTemplate.objects.create(name=f"{prefix} checklist", target_kind=TargetKind.PARTNER)
    aspects = list(Aspect.values)
    items = ChecklistItem.objects.bulk_create(
        ChecklistItem(
            template=template,
            aspect=aspects[n % len(aspects)],
            code=f"Q{n + 1:03d}",
            text=_sentence(rng, 18),
            order=n,
        )
        for n in range(config.items)
    )
    inspection = Inspection.objects.create(
        kind=InspectionKind.SCHEDULED,
        target_partner=partner,
        template=template,
        scope=_sentence(rng, 40),
        planned_date=timezone.localdate() - datetime.timedelta(days=3),
        status=InspectionStatus.CLOSED,
        started_at=now - datetime.timedelta(days=3),
        closed_at=now - datetime.timedelta(days=1),
        created_by=office,
    )
    InspectionAssignment.objects.create(inspection=inspection, inspector=inspector)
    ratings = list(Rating.values)
    ChecklistResult.objects.bulk_create(
        ChecklistResult(
            inspection=inspection,
            item=item,
            rating=ratings[n % len(ratings)],
            note=_sentence(rng, config.note_words),
            recorded_by=inspector,
        )
        for n, item in enumerate(items)
    )
    severities = list(Severity.values)
    findings = Finding.objects.bulk_create(
        Finding(
            inspection=inspection,
            severity=severities[n % len(severities)],
            description=_sentence(rng, config.finding_words),
            created_by=inspector,
            created_at=now - datetime.timedelta(days=2, minutes=-n),
        )
        for n in range(config.findings)
    )
    CorrectiveAction.objects.bulk_create(
        CorrectiveAction(
            finding=finding,
            owner=owner,
            due_date=timezone.localdate() + datetime.timedelta(days=30),
            status=ActionStatus.ANSWERED,
            answer=_sentence(rng, config.answer_words),
            answered_at=now,
        )
        for finding in findings
    )
    return inspection


class _Blocks(HTMLParser):
    """The text of an HTML fragment, one string per block (heading, paragraph, list item, table row), with
    the chart's SVG left out (the plain document has no picture)."""

    BLOCKS = frozenset({"h1", "h2", "h3", "h4", "h5", "p", "li", "tr", "div", "header", "section", "table", "dt", "dd"})

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._svg = 0

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.blocks.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            self._svg += 1
        elif tag in self.BLOCKS:
            self._flush()
        elif tag in {"td", "th", "br"}:
            self._current.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg -= 1
        elif tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._svg:
            self._current.append(data)


def report_text_blocks(html: str) -> list[str]:
    """The report page's words, block by block, in order."""
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.blocks


def plain_document(blocks: list[str], *, language: str = "en") -> str:
    """The floor's document: every block as a paragraph, nothing else."""
    body = "\n".join(f"<p>{escape(block)}</p>" for block in blocks)
    head = '<head><meta charset="utf-8"><title>Plain</title></head>'
    return f'<!doctype html><html lang="{language}">{head}<body>{body}</body></html>'


def render_plain(html: str) -> bytes:
    """``html`` to PDF the way ``core.pdf.render_pdf`` does it (same fetcher, stylesheet and fonts)."""
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=ASSET_SCHEME, url_fetcher=AssetOnlyFetcher())
    pdf: bytes = document.write_pdf(stylesheets=[CSS(filename=str(BASE_CSS), font_config=fonts)], font_config=fonts)
    return pdf


def _pages(pdf: bytes) -> int:
    from pypdf import PdfReader  # a development dependency, as is the bench

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _median(fn: Callable[[], object], *, runs: int, warmup: int) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(max(runs, 1)):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@dataclass(frozen=True)
class ReportsResult:
    """The report's render and its floor, with what each PDF holds."""

    report_seconds: float
    plain_seconds: float
    report_pages: int
    plain_pages: int
    report_bytes: int
    plain_bytes: int
    characters: int
    runs: int

    @property
    def ratio(self) -> float:
        return self.report_seconds / self.plain_seconds if self.plain_seconds else float("inf")


def measure(inspection: Inspection, *, runs: int, warmup: int, language: str = "en") -> ReportsResult:
    """Time the report's render (g) and the plain document of its words; see the module's docstring."""
    report = InspectionReport(
        inspection=inspection, variant=ReportVariant.FULL, version=1, language=language, requested_at=timezone.now()
    )
    html, pdf = render_report_bytes(report)
    blocks = report_text_blocks(html)
    plain_html = plain_document(blocks, language=language)
    plain = render_plain(plain_html)
    return ReportsResult(
        report_seconds=_median(lambda: render_report_bytes(report), runs=runs, warmup=warmup),
        plain_seconds=_median(lambda: render_plain(plain_html), runs=runs, warmup=warmup),
        report_pages=_pages(pdf),
        plain_pages=_pages(plain),
        report_bytes=len(pdf),
        plain_bytes=len(plain),
        characters=sum(len(block) for block in blocks),
        runs=runs,
    )


def run(config: ReportBenchConfig, *, out: TextIO) -> ReportsResult:
    """Load the report, measure, print."""
    started = time.perf_counter()
    out.write("\nTandem reports bench: an inspection report PDF against a plain document of the same text\n")
    inspection = populate_report(config)
    result = measure(inspection, runs=config.runs, warmup=config.warmup)
    header = (
        f"{'measurement':<36} {'median':>9} {'pages':>5} {'KB':>6}   "
        f"{'floor':<30} {'median':>9} {'pages':>5} {'KB':>6} {'ratio':>6} {'goal':>6}"
    )
    out.write(header + "\n" + "-" * len(header) + "\n")
    out.write(
        f"{'(g) full report PDF (render)':<36} {result.report_seconds * 1000:>7.0f}ms {result.report_pages:>5} "
        f"{result.report_bytes / 1024:>6.0f}   {'plain paragraphs, same text':<30} "
        f"{result.plain_seconds * 1000:>7.0f}ms {result.plain_pages:>5} {result.plain_bytes / 1024:>6.0f} "
        f"{result.ratio:>5.2f}x {'<=' + format(GOAL, '.1f') + 'x':>6}\n"
    )
    verdict = "meets" if result.ratio <= GOAL else "misses"
    out.write(
        f"{result.characters:,} characters of text, {config.items} rated items, {config.findings} findings; "
        f"median of {result.runs} runs; {verdict} the goal\n"
    )
    out.write(f"reports scenario {time.perf_counter() - started:.1f} s\n")
    return result
