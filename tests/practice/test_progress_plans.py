"""``student_progress`` and the lists' progress column (``progress_for_students``) sum from the indexes alone
(issue #19): every sum over the entries can be an index-only scan, for every reader: of ``log_progress_idx``
(by student; it carries the hours and the placement) or ``log_placement_status_idx`` (by placement; it carries
the hours and the student, ADR 0066). Their figures are those of the entry scope they replaced (the selector
tests hold them)."""

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


def _entry_scans(queries: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The scans of the entries in the plans of ``queries``, with every other kind of scan off: a handful of
    fresh rows would otherwise be read from the table (no visibility map yet); what is left shows whether the
    index alone can answer (a table read if it cannot)."""
    scans = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_indexscan = off"
        )
        for query in queries:
            if "practice_practicelog" not in query["sql"]:
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + query["sql"])
            raw = cursor.fetchone()[0]
            scans += _scans((json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"])
    return scans


@pytest.mark.parametrize("persona", ["tutor", "office", "coordinator_a", "supervisor_a"])
def test_the_lists_progress_sums_are_index_only_scans_for_every_reader(world: World, persona: str) -> None:
    category: ActivityCategory = ActivityCategoryFactory.create(programme=world.programme, required_hours=100)
    for status in (EntryStatus.APPROVED, EntryStatus.PENDING):
        PracticeLogFactory.create(placement=world.placement_a, category=category, hours=3, status=status)
    reader = world.users[persona]
    assert reader is not None
    platform_roles(reader)
    with CaptureQueriesContext(connection) as captured:
        progress = selectors.progress_for_students(student_ids=[world.student_a.pk], user=reader)
    assert progress[world.student_a.pk].approved_total == 3

    scans = _entry_scans(captured.captured_queries)
    assert ("Index Only Scan", "log_placement_status_idx") in scans, scans
    assert {node for node, _index in scans} == {"Index Only Scan"}, scans


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

    scans = _entry_scans(captured.captured_queries)
    assert ("Index Only Scan", "log_progress_idx") in scans, scans
    assert {node for node, _index in scans} == {"Index Only Scan"}, scans
