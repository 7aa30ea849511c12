"""The inspection list pages its keys before its rows (issue #19): the keys come in the list's order from
the inspection table alone, and a page's rows are fetched by key with their counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supervision import selectors
from supervision.models import Inspection, Severity
from tests.conftest import World
from tests.supervision import helpers

pytestmark = pytest.mark.django_db


def _some(world: World) -> list[Inspection]:
    """Five inspections planned today (the order's ties go by key): two started at A (one with a finding),
    one planned at A (the coordinator does not know of it), two started at B."""
    first = helpers.start(world)
    helpers.add_finding(world, first, Severity.MAJOR)
    made = [first, helpers.start(world), helpers.plan(world)]
    made += [helpers.start(world, partner=world.partner_b) for _ in range(2)]
    return made


@pytest.mark.parametrize("persona", ["office", "coordinator_a", "inspector", "coordinator_b"])
def test_inspection_keys_come_in_the_lists_order_and_scope(world: World, persona: str) -> None:
    _some(world)
    user = helpers.user(world, persona)

    keys = list(selectors.inspection_ids_for(user=user))
    listed = [i.pk for i in selectors.inspections_for(user=user)]

    assert keys == listed
    assert len(keys) == {"office": 5, "coordinator_a": 2, "inspector": 5, "coordinator_b": 2}[persona]


def test_inspection_keys_read_the_inspection_table_alone(world: World) -> None:
    _some(world)
    office = helpers.user(world, "office")

    sql = str(selectors.inspection_ids_for(user=office).query)

    assert "JOIN" not in sql and sql.count("SELECT") == 1


def test_inspections_by_ids_keep_the_keys_order_counts_and_scope(world: World) -> None:
    made = _some(world)
    coordinator = helpers.user(world, "coordinator_a")
    keys = [made[4].pk, made[1].pk, made[0].pk, made[2].pk]  # B's, two started at A, A's planned one

    with CaptureQueriesContext(connection) as captured:
        rows = selectors.inspections_by_ids(user=coordinator, ids=keys)
        inspectors = [[a.inspector_id for a in row.assignments.all()] for row in rows]

    assert [row.pk for row in rows] == [made[1].pk, made[0].pk]  # B's and the planned one are out of scope
    assert (rows[1].major_count, rows[0].major_count) == (1, 0)  # type: ignore[attr-defined]
    assert all(inspectors)
    assert len(captured.captured_queries) <= 3  # the rows, their inspectors (and the platform roles once)
