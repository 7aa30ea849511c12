"""Signing off an entry holds the entry's row only (PostgreSQL): a FOR UPDATE of the joined placement and
student rows deadlocked with a student logging hours at the same moment under ``make load`` (docs/bench.md)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practice.services.logs import practice_log_approve
from tests.conftest import World
from tests.factories.practice import PracticeLogFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]


def test_approving_an_entry_holds_no_row_but_the_entry(world: World) -> None:
    log = PracticeLogFactory.create(placement=world.placement_a)
    supervisor = world.users["supervisor_a"]
    assert supervisor is not None

    with CaptureQueriesContext(connection) as queries:
        practice_log_approve(log=log, by=supervisor, today=log.date)

    held = [query["sql"] for query in queries.captured_queries if "FOR UPDATE" in query["sql"]]
    assert held, "the entry is held while it is decided"
    assert all('FOR UPDATE OF "practice_practicelog"' in sql for sql in held), held
