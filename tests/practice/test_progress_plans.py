"""``student_progress`` sums from the index alone (issue #19): every sum over the entries can be an
index-only scan of ``log_progress_idx`` (it carries the hours and the placement), for every reader, and
its figures are those of the entry scope it replaced (the selector tests hold them)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import platform_roles
from practice import selectors
from practice.models import EntryStatus
from programmes.models import ActivityCategory
from tests.conftest import World
from tests.factories.practice import PracticeLogFactory
from tests.factories.programmes import ActivityCategoryFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's (EXPLAIN)"),
]


def _scans(node: dict[str, Any]) -> list[tuple[str, str]]:
    found = (
        [(node["Node Type"], node.get("Index Name", ""))] if node.get("Relation Name") == "practice_practicelog" else []
    )
    for child in node.get("Plans", []):
        found += _scans(child)
    return found


@pytest.mark.parametrize("persona", ["student_a", "tutor", "office", "coordinator_a", "supervisor_a"])
def test_student_progress_sums_are_index_only_scans_for_every_reader(world: World, persona: str) -> None:
    category: ActivityCategory = ActivityCategoryFactory.create(programme=world.programme, required_hours=100)
    for status in (EntryStatus.APPROVED, EntryStatus.PENDING):
        PracticeLogFactory.create(placement=world.placement_a, category=category, hours=3, status=status)
    reader = world.users[persona]
    assert reader is not None
    platform_roles(reader)
    with CaptureQueriesContext(connection) as captured:
        progress = selectors.student_progress(student=world.student_a, user=reader)
    assert [(r.approved, r.pending) for r in progress.categories if r.category == category] == [(3, 3)]

    scans = []
    with connection.cursor() as cursor:
        # A handful of fresh rows: the planner would read the table (no visibility map yet); with the other
        # scans off, what is left shows whether the index alone can answer (a table read if it cannot).
        cursor.execute(
            "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_indexscan = off"
        )
        for query in captured.captured_queries:
            if "practice_practicelog" not in query["sql"]:
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + query["sql"])
            raw = cursor.fetchone()[0]
            scans += _scans((json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"])
    assert scans and set(scans) == {("Index Only Scan", "log_progress_idx")}, scans
