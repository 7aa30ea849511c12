"""The originality bench: one 60,000-character thesis checked against corpora of 1,000 and then 10,000
earlier documents, in the same run, and the ratio of the two.

Loads generated documents (``integrity.samples``, about ``doc_chars`` characters each, Chinese, English and
mixed) as reference texts, with their winnowed fingerprints streamed into the inverted index with
``COPY``; then measures ``integrity.services.checks.analyse`` (candidate lookup through the index, exact
alignment, scoring; the PDF is left out, its cost does not depend on the corpus) on a thesis with passages
planted from five corpus documents. The corpus grows tenfold between the two measurements; a check that
compared with every document would take about ten times as long, the index keeps it nearly flat.

Also printed: the floor, the same thesis prepared and fingerprinted without any database (the part of a
check no corpus size changes), and the share of similarity found (the planted passages must be found at
both sizes).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from django.db import connection
from django.utils import timezone

from integrity import originality, samples
from integrity.models import CorpusKind, CorpusText, Fingerprint
from integrity.services import checks

COPY_CHUNK = 50_000
#: The thesis is compared with every corpus text, though they are loaded after it.
_AFTER_EVERYTHING = 2**62


@dataclass(frozen=True)
class IntegrityBenchConfig:
    sizes: tuple[int, ...] = (1_000, 10_000)
    doc_chars: int = 1_500
    thesis_chars: int = 60_000
    runs: int = 5


def _language(index: int) -> str:
    return ("zh", "en", "mixed")[index % 3]


def _document(index: int, chars: int) -> str:
    return samples.thesis(50_000 + index, language=_language(index), chars=chars)


def _load(start: int, stop: int, chars: int) -> int:
    """Reference texts ``start``..``stop`` (bulk_create) and their fingerprints (COPY). Returns fingerprints."""
    now = timezone.now()
    texts = [_document(i, chars) for i in range(start, stop)]
    rows = CorpusText.objects.bulk_create(
        [
            CorpusText(
                kind=CorpusKind.REFERENCE,
                title=f"Bench document {i}",
                author=f"Author {i}",
                year=2010 + i % 15,
                work_key=f"bench:{i}",
                text=text,
                chars=len(text),
                created_at=now,
            )
            for i, text in zip(range(start, stop), texts, strict=True)
        ],
        batch_size=2_000,
    )
    if connection.vendor != "postgresql":
        prints = [
            Fingerprint(text_id=row.pk, hash=h)
            for row, text in zip(rows, texts, strict=True)
            for h in originality.fingerprint_hashes(originality.prepare(text))
        ]
        Fingerprint.objects.bulk_create(prints, batch_size=5_000)
        return len(prints)

    def pairs() -> Iterator[tuple[int, int]]:
        for row, text in zip(rows, texts, strict=True):
            for h in originality.fingerprint_hashes(originality.prepare(text)):
                yield (row.pk, h)

    quote = connection.ops.quote_name
    statement = f"COPY {quote(Fingerprint._meta.db_table)} (text_id, hash) FROM STDIN"
    total = 0
    iterator = pairs()
    while True:
        written = 0
        with connection.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[attr-defined]
            for pair in iterator:
                copy.write_row(pair)
                written += 1
                if written >= COPY_CHUNK:
                    break
        total += written
        if written < COPY_CHUNK:
            break
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {quote(Fingerprint._meta.db_table)}")
    return total


def thesis_text(config: IntegrityBenchConfig) -> str:
    """The checked thesis: generated text with a passage of ~1,000 characters from each of five documents
    of the smallest corpus (present at every size)."""
    own = samples.thesis(99_999, language="mixed", chars=config.thesis_chars)
    smallest = min(config.sizes)
    planted = [_document(k * smallest // 6 + 1, config.doc_chars)[:1_000] for k in range(5)]
    step = len(own) // (len(planted) + 1)
    parts = []
    for k, passage in enumerate(planted):
        parts.append(own[k * step : (k + 1) * step])
        parts.append("\n\n" + passage + "\n\n")
    parts.append(own[len(planted) * step :])
    return "".join(parts)


def _median(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs + 1):  # the first is the warm-up
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def run(config: IntegrityBenchConfig, *, out: TextIO) -> dict[int, float]:
    """Load the corpus size by size, measure a check at each, print the ratios. Returns seconds by size."""
    write = out.write
    Fingerprint.objects.all().delete()
    CorpusText.objects.filter(kind=CorpusKind.REFERENCE, work_key__startswith="bench:").delete()
    thesis = CorpusText.objects.create(
        kind=CorpusKind.SUBMISSION, title="Bench thesis", work_key="bench:thesis", text=thesis_text(config)
    )
    floor = _median(lambda: originality.fingerprint_hashes(originality.prepare(thesis.text)), config.runs)
    write(f"\nTandem originality bench: a {len(thesis.text):,}-character thesis ({connection.vendor})\n")
    write(f"floor (prepare and fingerprint, no database): {floor * 1000:.0f} ms\n")
    header = (
        f"{'corpus':>8} {'fingerprints':>13} {'load':>8} {'check':>9} {'vs floor':>9} {'similarity':>10} "
        f"{'candidates':>10}"
    )
    write(header + "\n" + "-" * len(header) + "\n")
    loaded = 0
    seconds: dict[int, float] = {}
    for size in config.sizes:
        t0 = time.perf_counter()
        _load(loaded, size, config.doc_chars)
        load = time.perf_counter() - t0
        loaded = size
        result: dict[str, object] = {}

        def check(result: dict[str, object] = result) -> None:
            result.update(checks.analyse(thesis, before=_AFTER_EVERYTHING))

        seconds[size] = _median(check, config.runs)
        write(
            f"{size:>8,} {Fingerprint.objects.count():>13,} {load:>7.1f}s {seconds[size] * 1000:>7.0f}ms "
            f"{seconds[size] / floor:>8.2f}x {result['similarity']:>9}% {result['candidates']:>10}\n"
        )
    sizes = list(seconds)
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        growth = seconds[large] / seconds[small]
        write(
            f"\ncorpus x{large / small:.0f}: check time x{growth:.2f} "
            f"({'sub-linear' if growth < (large / small) / 2 else 'NOT sub-linear'})\n"
        )
    return seconds
