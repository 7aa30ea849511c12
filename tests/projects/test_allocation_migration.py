"""The migration that turns ``Project.fund_allocation_id`` into a foreign key keeps every value valid: a
number naming an allocation becomes the key, one naming nothing becomes NULL with the number kept in the
project's funding text (ADR 0038)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from projects.models import Project
from tests.conftest import World
from tests.factories import funds as f
from tests.projects.helpers import project

BEFORE = [("projects", "0001_initial")]
AFTER = [("projects", "0002_allocation_fk")]


@pytest.mark.django_db(transaction=True)
def test_numbers_naming_an_allocation_become_keys_the_others_are_kept_in_words(world: World) -> None:
    allocation = f.allocation(world)
    paid, dangling = project(world, funding_reference="Grant 7"), project(world)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("projects", "Project")
    old.objects.filter(pk=paid.pk).update(fund_allocation_id=allocation.pk)
    old.objects.filter(pk=dangling.pk).update(fund_allocation_id=987654)
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    paid, dangling = Project.objects.get(pk=paid.pk), Project.objects.get(pk=dangling.pk)
    assert (paid.fund_allocation_id, paid.funding_reference) == (allocation.pk, "Grant 7")
    assert dangling.fund_allocation_id is None
    assert "987654" in dangling.funding_reference
