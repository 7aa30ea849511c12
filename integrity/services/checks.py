"""The originality check: candidates from the inverted index, exact alignment, the frozen report, the sweep.

``report_check`` runs in the Celery task ``integrity.report_check`` (sent by name, ``CHECK_TASK``). It claims
the report with a conditional update before the slow part, compares the submission's text with every
earlier corpus text (submissions of all students and years, the reference corpus) except the same
student's versions of the same work, writes the frozen result and PDF, then adds the submission's own
fingerprints to the index so later checks find it. Candidates come from the index: the fingerprints of the
checked text are looked up by hash (``hash IN (...)`` over the (hash, text) index), counted per text, and
only the best ``MAX_CANDIDATES`` are aligned, so a check reads a few postings per fingerprint whatever the
corpus size, never every document.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
import time
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_noop

from accounts.roles import PlatformRole
from config.celery import app as celery_app
from core.claims import stale_before
from core.pdf import render_pdf
from core.services.notifications import notify
from integrity import originality
from integrity.models import (
    DEFAULT_REFER_ABOVE,
    DEFAULT_REVIEW_FROM,
    CheckStatus,
    CorpusText,
    Fingerprint,
    OriginalityReport,
    Outcome,
    ThresholdPolicy,
)
from partners import access
from programmes.models import Programme

logger = logging.getLogger("tandem.integrity")

#: The Celery task running a check (``integrity.tasks.report_check``), sent by name.
CHECK_TASK = "integrity.report_check"
#: Texts aligned exactly at most, best first by shared fingerprints.
MAX_CANDIDATES = 30
#: Fewest shared fingerprints that make a text a candidate.
MIN_SHARED = 2
#: Hashes per ``IN`` lookup (below SQLite's variable limit).
LOOKUP_CHUNK = 900
#: Passages kept in a frozen report (the largest first); the percentages count them all.
MAX_PASSAGES = 200
#: Characters of context shown around a passage.
CONTEXT = 60
#: A check waiting or running longer than this is queued again by the sweep.
STUCK_AFTER = datetime.timedelta(minutes=10)
ERROR_MAX = 500
PAGE_TEMPLATE = "integrity/reports/_body.html"
PDF_TEMPLATE = "integrity/reports/pdf.html"


def thresholds_for(programme: Programme) -> tuple[Decimal, Decimal]:
    """The programme's (review from, refer above) percentages, the defaults when it set none."""
    policy = ThresholdPolicy.objects.filter(programme=programme).first()
    if policy is None:
        return DEFAULT_REVIEW_FROM, DEFAULT_REFER_ABOVE
    return policy.review_from, policy.refer_above


def outcome_for(similarity: Decimal, review_from: Decimal, refer_above: Decimal) -> str:
    """Below ``review_from`` passes; up to ``refer_above`` needs the tutor's review; above is referred."""
    if similarity < review_from:
        return Outcome.PASSED
    if similarity <= refer_above:
        return Outcome.REVIEW
    return Outcome.REFERRED


# --- The index ------------------------------------------------------------------------------------------


def index_text(text: CorpusText, prepared: originality.Prepared | None = None) -> int:
    """Put ``text``'s fingerprints into the inverted index (again: its old ones go first). Returns how many."""
    prepared = prepared or originality.prepare(text.text)
    hashes = originality.fingerprint_hashes(prepared)
    Fingerprint.objects.filter(text=text).delete()
    Fingerprint.objects.bulk_create([Fingerprint(text=text, hash=h) for h in hashes], batch_size=2000)
    CorpusText.objects.filter(pk=text.pk).update(fingerprints=len(hashes), chars=prepared.counted_chars)
    return len(hashes)


def _chunks(values: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def candidates(hashes: Iterable[int], *, before: int, work_key: str) -> list[int]:
    """Ids of the corpus texts added before text ``before`` sharing the most fingerprints with ``hashes``
    (at least ``MIN_SHARED``), without the same work's texts, best first, at most ``MAX_CANDIDATES``."""
    shared: Counter[int] = Counter()
    for chunk in _chunks(sorted(hashes), LOOKUP_CHUNK):
        rows = (
            Fingerprint.objects.filter(hash__in=chunk, text_id__lt=before)
            .values("text_id")
            .annotate(n=Count("id"))
            .values_list("text_id", "n")
        )
        for text_id, n in rows:
            shared[text_id] += n
    ranked = [text_id for text_id, n in shared.most_common() if n >= MIN_SHARED]
    same_work = set(
        CorpusText.objects.filter(pk__in=ranked[: MAX_CANDIDATES * 2], work_key=work_key).values_list("pk", flat=True)
    )
    return [text_id for text_id in ranked if text_id not in same_work][:MAX_CANDIDATES]


# --- The check ------------------------------------------------------------------------------------------


def _snippet(prepared: originality.Prepared, first: int, last: int) -> dict[str, str]:
    start, end = originality.span_text(prepared, first, last)
    text = prepared.text
    return {
        "before": text[max(0, start - CONTEXT) : start],
        "match": text[start:end],
        "after": text[end : end + CONTEXT],
    }


def analyse(text: CorpusText, *, before: int | None = None) -> dict[str, Any]:
    """Compare ``text`` with the corpus texts added before it (before id ``before`` when given: the bench
    checks one text against a corpus loaded after it) and return the result as it is frozen in the report."""
    prepared = originality.prepare(text.text)
    hashes = originality.fingerprint_hashes(prepared)
    found = candidates(hashes, before=before or text.pk, work_key=text.work_key)
    rows = {row.pk: row for row in CorpusText.objects.filter(pk__in=found)}
    sources = {pk: originality.prepare(rows[pk].text) for pk in found if pk in rows}
    comparison = originality.compare(prepared, sources)
    source_rows = []
    passages: list[dict[str, Any]] = []
    for number, source in enumerate(comparison.sources, start=1):
        row = rows[source.key]
        source_rows.append(
            {
                "number": number,
                "text_id": row.pk,
                "kind": row.kind,
                "title": row.title,
                "author": row.author,
                "year": row.year,
                "share": source.share,
                "chars": source.chars,
            }
        )
        for passage in source.passages:
            chars = sum(len(prepared.tokens[t].text) for t in passage.covered)
            passages.append(
                {
                    "source": number,
                    "chars": chars,
                    "query": _snippet(prepared, passage.query_start, passage.query_end),
                    "found": _snippet(sources[source.key], passage.source_start, passage.source_end),
                }
            )
    passages.sort(key=lambda p: -int(p["chars"]))
    return {
        "similarity": comparison.similarity,
        "counted_chars": comparison.counted_chars,
        "matched_chars": comparison.matched_chars,
        "quoted_chars": comparison.quoted_chars,
        "reference_chars": comparison.reference_chars,
        "fingerprints": len(hashes),
        "candidates": len(found),
        "sources": source_rows,
        "passages": passages[:MAX_PASSAGES],
        "passages_total": len(passages),
    }


def _enqueue(report_id: int) -> None:
    """Hand the check to the worker; a broker that does not answer leaves it QUEUED for the sweep."""
    try:
        celery_app.send_task(CHECK_TASK, args=(report_id,))
    except Exception:
        logger.exception("could not queue originality check %s; the sweep will", report_id)


def check_enqueue_on_commit(report_id: int) -> None:
    """Queue the check once the transaction that made it commits."""
    transaction.on_commit(lambda: _enqueue(report_id))


def _claim(report_id: int) -> datetime.datetime | None:
    now = timezone.now()
    claimable = Q(status__in=[CheckStatus.QUEUED, CheckStatus.FAILED]) | Q(
        status=CheckStatus.RUNNING, claimed_at__lt=stale_before(now)
    )
    claimed = OriginalityReport.objects.filter(claimable, pk=report_id).update(
        status=CheckStatus.RUNNING, claimed_at=now, attempts=F("attempts") + 1
    )
    return now if claimed else None


def report_file_name(report: OriginalityReport) -> str:
    """Storage name of the frozen PDF: readable, with a random part so it cannot be guessed."""
    year = timezone.localtime(report.queued_at).year
    return f"integrity/reports/{year}/originality-{report.pk}-{secrets.token_hex(8)}.pdf"


def download_name(report: OriginalityReport) -> str:
    return f"originality-report-{report.pk}.pdf"


def render_report_pdf(report: OriginalityReport) -> bytes:
    """The frozen PDF of a finished report: sources named by title, never by author."""
    context = report_context(report, show_authors=False)
    context["stamp"] = (report.finished_at or report.queued_at).astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    html = render_to_string(PAGE_TEMPLATE, context)
    return render_pdf(PDF_TEMPLATE, {**context, "body": mark_safe(html)})  # noqa: S308 (our own template)


def report_context(report: OriginalityReport, *, show_authors: bool) -> dict[str, Any]:
    """What the report page and PDF show."""
    result = report.result or {}
    sources = [dict(source) for source in result.get("sources", [])]
    if not show_authors:
        for source in sources:
            source["author"] = ""
    return {
        "report": report,
        "submission": report.submission,
        "result": result,
        "sources": sources,
        "passages": result.get("passages", []),
        "show_authors": show_authors,
    }


def report_check(report_id: int) -> OriginalityReport:
    """Run one check, once: a DONE report is returned untouched; a report another worker holds is left to
    it. The result, outcome and PDF are written only while this worker's claim holds."""
    report = OriginalityReport.objects.select_related("submission__corpus_text", "submission__student").get(
        pk=report_id
    )
    if report.status == CheckStatus.DONE:
        return report
    claimed_at = _claim(report_id)
    if claimed_at is None:
        return OriginalityReport.objects.get(pk=report_id)
    started = time.perf_counter()
    stored = ""
    try:
        text = report.submission.corpus_text
        result = analyse(text)
        similarity = Decimal(str(result["similarity"])).quantize(Decimal("0.01"))
        outcome = outcome_for(similarity, report.review_from, report.refer_above)
        report.result, report.similarity, report.outcome = result, similarity, outcome
        report.finished_at = timezone.now()
        pdf = render_report_pdf(report)
        stored = default_storage.save(report_file_name(report), ContentFile(pdf))
        with transaction.atomic():
            kept = OriginalityReport.objects.filter(
                pk=report_id, status=CheckStatus.RUNNING, claimed_at=claimed_at
            ).update(
                status=CheckStatus.DONE,
                result=result,
                similarity=similarity,
                outcome=outcome,
                pdf=stored,
                sha256=hashlib.sha256(pdf).hexdigest(),
                error="",
                finished_at=report.finished_at,
                seconds=round(time.perf_counter() - started, 3),
            )
            if kept:
                index_text(text)
    except Exception as error:
        logger.exception("originality check %s failed", report_id)
        if stored:
            default_storage.delete(stored)
        OriginalityReport.objects.filter(pk=report_id, status=CheckStatus.RUNNING, claimed_at=claimed_at).update(
            status=CheckStatus.FAILED, error=f"{type(error).__name__}: {error}"[:ERROR_MAX]
        )
        if isinstance(error, OperationalError):
            raise
        return OriginalityReport.objects.get(pk=report_id)
    if not kept:
        default_storage.delete(stored)
        return OriginalityReport.objects.get(pk=report_id)
    _tell(OriginalityReport.objects.select_related("submission__student__user").get(pk=report_id))
    return OriginalityReport.objects.get(pk=report_id)


def _tell(report: OriginalityReport) -> None:
    """The student hears the check is done; the tutor when a decision is theirs; the office when referred."""
    student = report.submission.student
    link = reverse("integrity:report", args=[report.pk])
    params = {"title": report.submission.title}
    notify(
        users=[student.user],
        kind="originality_done",
        subject=gettext_noop("The originality check of %(title)s is done."),
        params=params,
        link=link,
        dedup_key=f"originality-{report.pk}-done",
    )
    if report.outcome == Outcome.REVIEW and student.tutor is not None:
        notify(
            users=[student.tutor],
            kind="originality_review",
            subject=gettext_noop("The originality report of %(title)s needs your decision."),
            params=params,
            link=link,
            dedup_key=f"originality-{report.pk}-review",
        )
    if report.outcome == Outcome.REFERRED:
        notify(
            users=access.users_with_platform_role(PlatformRole.OFFICE),
            kind="originality_referred",
            subject=gettext_noop("The originality report of %(title)s was referred to the office."),
            params=params,
            link=link,
            dedup_key=f"originality-{report.pk}-referred",
        )


def checks_sweep(*, now: datetime.datetime | None = None) -> int:
    """Queue again the checks waiting longer than ``STUCK_AFTER`` (a lost message) or running under a stale
    claim (a killed worker). Returns how many. The periodic task ``integrity.checks_sweep`` runs it."""
    now = now or timezone.now()
    stuck = OriginalityReport.objects.filter(
        Q(status=CheckStatus.QUEUED, queued_at__lt=now - STUCK_AFTER)
        | Q(status=CheckStatus.RUNNING, claimed_at__lt=stale_before(now))
    )
    ids = list(stuck.values_list("pk", flat=True)[:500])
    for report_id in ids:
        OriginalityReport.objects.filter(pk=report_id, status=CheckStatus.QUEUED).update(queued_at=now)
        _enqueue(report_id)
    return len(ids)
