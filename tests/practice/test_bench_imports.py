"""``make bench``'s imports and draw scenarios, smoke test on a few rows (no timing asserted: the bench
prints its own ratios, docs/bench.md)."""

from __future__ import annotations

import io

import pytest
from django.db import connection

from bench.draw import run_draw
from bench.imports import run_imports
from practice.models import PracticeLog
from supervision.models import DrawCandidate

pytestmark = pytest.mark.django_db


def test_imports_scenario_imports_every_row_and_leaves_nothing(db: object) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the scenario COPYs (PostgreSQL)")
    out = io.StringIO()

    result = run_imports(rows=60, row_path_rows=5, runs=1, out=out)

    assert result.rows == 60 and result.row_path_rows == 5
    assert "(i) bulk import, set-based" in out.getvalue()
    assert not PracticeLog.objects.exists()  # each run was rolled back


def test_draw_scenario_runs_at_two_sizes_and_leaves_nothing(db: object) -> None:
    out = io.StringIO()

    small, large = run_draw(sizes=(3, 12), runs=1, out=out)

    assert large.candidates - small.candidates == 9
    assert "per candidate, large against small" in out.getvalue()
    assert not DrawCandidate.objects.exists()
