"""``make bench``'s draw scenario (issue #19, item 8): the weekly spot-inspection draw at 1,000 and 100,000
candidate partners, as the time per candidate at the large size against the small one.

Each size adds that many hospitals (``bulk_create``, 5,000 a statement) in a transaction that is rolled
back afterwards, and times ``supervision.services.draw.draw_run`` (risk factors, weights, the pick, the
candidates' COPY, planning the picks) in a savepoint, ``runs`` times. The queries counted and measured are
those Django logs: the COPY that writes the candidates is not one of them (ADR 0050). The goal: a candidate costs no
more at 100,000 than at 1,000 (ratio at most 1.0, rounded to one decimal place).
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass
from typing import TextIO

from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import Partner, PartnerKind
from supervision.services import draw as spot

GOAL = 1.0


class _Rollback(Exception):
    pass


@dataclass(frozen=True)
class DrawResult:
    candidates: int
    median: float
    queries: int
    longest_query: int
    longest_read: int

    @property
    def per_candidate(self) -> float:
        return self.median / max(self.candidates, 1)


def _measure(size: int, *, runs: int, today: datetime.date) -> DrawResult:
    timings: list[float] = []
    result = DrawResult(0, 0.0, 0, 0, 0)
    try:
        with transaction.atomic():
            Partner.objects.bulk_create(
                (
                    Partner(name=f"draw {size} {n}", short_name=f"D{size}-{n}", kind=PartnerKind.HOSPITAL)
                    for n in range(size)
                ),
                batch_size=5_000,
            )
            candidates = len(spot.draw_candidates())
            queries, longest, longest_read = 0, 0, 0
            for run in range(max(runs, 1)):
                try:
                    with transaction.atomic(), CaptureQueriesContext(transaction.get_connection()) as captured:
                        start = time.perf_counter()
                        spot.draw_run(today=today, period=f"2099-W{run + 1:02d}")
                        timings.append(time.perf_counter() - start)
                        queries = len(captured.captured_queries)
                        longest = max(len(q["sql"]) for q in captured.captured_queries)
                        longest_read = max(
                            len(q["sql"]) for q in captured.captured_queries if q["sql"].startswith("SELECT")
                        )
                        raise _Rollback
                except _Rollback:
                    pass
            timings.sort()
            result = DrawResult(candidates, timings[len(timings) // 2], queries, longest, longest_read)
            raise _Rollback
    except _Rollback:
        pass
    return result


def run_draw(*, sizes: tuple[int, int], runs: int, out: TextIO) -> tuple[DrawResult, DrawResult]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    today = timezone.localdate()
    small, large = (_measure(size, runs=runs, today=today) for size in sizes)
    ratio = large.per_candidate / small.per_candidate if small.per_candidate else float("inf")
    out.write("\nTandem draw bench\n")
    for r in (small, large):
        out.write(
            f"(j) draw of {r.candidates:>7,} candidates {r.median * 1000:>10.1f} ms "
            f"({r.per_candidate * 1e6:.1f} us a candidate; {r.queries} queries, longest {r.longest_query:,} chars, "
            f"longest SELECT {r.longest_read:,})\n"
        )
    out.write(f"    per candidate, large against small: {ratio:.2f}x (goal <= {GOAL}x), median of {runs} runs\n")
    return small, large
