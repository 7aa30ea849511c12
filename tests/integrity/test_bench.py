"""The originality bench runs (tiny sizes, SQLite or PostgreSQL) and finds the planted passages at each size;
timings are printed by ``make bench``, never asserted here."""

from __future__ import annotations

from io import StringIO

from bench.integrity import IntegrityBenchConfig, run
from tests.conftest import World


def test_bench_scenario_runs_and_finds_the_planted_passages(world: World) -> None:
    out = StringIO()
    seconds = run(IntegrityBenchConfig(sizes=(60, 120), doc_chars=300, thesis_chars=6_000, runs=1), out=out)
    assert set(seconds) == {60, 120}
    lines = [line for line in out.getvalue().splitlines() if line.strip().startswith(("60 ", "120 "))]
    assert len(lines) == 2
    assert all(float(line.split()[5].rstrip("%")) > 5 for line in lines), out.getvalue()
