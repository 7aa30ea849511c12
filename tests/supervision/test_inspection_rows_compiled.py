"""The inspection list's page of rows through its statement compiled once per shape of rules (ADR 0060)
answers exactly what the queryset built for each call answers (``_inspections_by_ids_reference``), for
every kind of reader: the office, the coordinators of either partner, a supervisor of an inspected
placement and one of nothing inspected, a student, a tutor, a counsellor and the assigned inspector (whose
rule held a queryset, and so had no shape, until session 12: tests/partners/test_rule_shapes.py).
Inspections of every kind: planned spot and scheduled, started on a partner, a site and a placement, closed
with findings and actions, overdue and answered. Run on PostgreSQL and on SQLite (``embedded``).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.roles import platform_roles
from partners import access
from supervision import list_queries, selectors
from supervision.models import ActionStatus, CorrectiveAction, Finding, Inspection, InspectionKind, Severity, TargetKind
from tests.conftest import World
from tests.supervision import helpers

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

COMPILED_READERS = [
    "office",
    "coordinator_a",
    "coordinator_b",
    "supervisor_a",
    "supervisor_b",
    "student_a",
    "tutor",
    "counsellor",
    "inspector",
]


@pytest.fixture
def made(world: World) -> list[Inspection]:
    """Eight inspections: a started spot one at A with findings of every severity (one action overdue, one
    answered), a planned spot one at A, a planned scheduled one at A, one started on student A's placement,
    one started on a site of B, a closed one at A, one at B with nothing, and one in the past."""
    today = timezone.localdate()
    busy = helpers.start(world, scope="Everything at once")
    helpers.rate_all(world, busy)
    critical = helpers.add_finding(world, busy, Severity.CRITICAL)
    helpers.add_finding(world, busy, Severity.MINOR)
    helpers.add_finding(world, busy, Severity.OBSERVATION)
    _change(critical, due_date=today - datetime.timedelta(days=3))
    major = helpers.add_finding(world, busy, Severity.MAJOR)
    _change(major, status=ActionStatus.ANSWERED, answer="Done.")
    planned_spot = helpers.plan(world)
    planned_scheduled = helpers.plan(world, kind=InspectionKind.SCHEDULED)
    on_placement = helpers.start(
        world, placement=world.placement_a, template=helpers.template_for(TargetKind.PLACEMENT)
    )
    on_site = helpers.start(
        world, partner=world.partner_b, site=world.site_b, template=helpers.template_for(TargetKind.SITE)
    )
    closed = helpers.closed(world)
    quiet_b = helpers.plan(world, partner=world.partner_b, kind=InspectionKind.SCHEDULED)
    past = helpers.start(world, planned_date=today - datetime.timedelta(days=40))
    return [busy, planned_spot, planned_scheduled, on_placement, on_site, closed, quiet_b, past]


def _change(finding: Finding, **values: Any) -> None:
    action = CorrectiveAction.objects.get(finding=finding)
    for name, value in values.items():
        setattr(action, name, value)
    action.save()


def _fields(obj: Any) -> tuple[Any, ...] | None:
    if obj is None:
        return None
    return tuple(getattr(obj, field.attname) for field in type(obj)._meta.concrete_fields)


def _row(inspection: Inspection) -> tuple[Any, ...]:
    """Everything the list reads of a row: its columns, its related rows (loaded, or None), its counts and
    its inspectors."""
    placement = inspection.target_placement
    return (
        _fields(inspection),
        _fields(inspection.target_partner),
        _fields(inspection.target_site),
        _fields(placement),
        _fields(placement.student) if placement is not None else None,
        _fields(placement.student.user) if placement is not None else None,
        _fields(inspection.template),
        tuple(getattr(inspection, name) for name in list_queries.COUNTS),
        tuple((a.pk, a.inspector_id, a.inspector.username) for a in inspection.assignments.all()),
    )


def _rows(rows: list[Inspection]) -> list[tuple[Any, ...]]:
    return sorted((_row(row) for row in rows), key=lambda row: row[0])


def _read(user: User, ids: list[int]) -> list[Inspection] | None:
    return list_queries.read(
        user=user,
        ids=ids,
        today=timezone.localdate(),
        with_counts=selectors._with_counts,
        inspectors=selectors._inspectors(),
        using=connection.alias,
    )


@pytest.mark.parametrize("persona", COMPILED_READERS)
def test_the_compiled_statement_answers_the_rows_of_the_queryset(
    world: World, made: list[Inspection], persona: str
) -> None:
    reader = helpers.user(world, persona)
    ids = [i.pk for i in made] + [made[0].pk, 10**9]  # a key twice, one that does not exist

    compiled = _read(reader, ids)
    reference = selectors._inspections_by_ids_reference(user=reader, ids=ids, today=timezone.localdate())

    assert compiled is not None  # the reader's rule has a template: the compiled path is the one taken
    assert list_queries.compiled_for(reader, len(made) + 1)
    assert _rows(compiled) == _rows(reference)


def test_the_compared_rows_are_the_right_ones(world: World, made: list[Inspection]) -> None:
    """Equal, and right: each reader's rows, and the busy inspection's counts, related rows and inspectors."""
    ids = [i.pk for i in made]
    busy, _planned_spot, planned_scheduled, on_placement, on_site, closed, quiet_b, past = made

    def seen(persona: str) -> set[int]:
        rows = _read(helpers.user(world, persona), ids)
        assert rows is not None
        return {row.pk for row in rows}

    assert seen("office") == set(ids)
    assert seen("coordinator_a") == {busy.pk, planned_scheduled.pk, on_placement.pk, closed.pk, past.pk}
    assert seen("coordinator_b") == {on_site.pk, quiet_b.pk}
    assert seen("supervisor_a") == {on_placement.pk}
    assert seen("supervisor_b") == seen("student_a") == seen("tutor") == seen("counsellor") == set()
    rows = {row.pk: row for row in _read(helpers.user(world, "office"), ids) or []}
    counts = tuple(getattr(rows[busy.pk], name) for name in list_queries.COUNTS)
    items = busy.template.items.count()
    # items, rated, observation, minor, major, critical, open actions, overdue, answered
    assert counts == (items, items, 1, 1, 1, 1, 2, 1, 1)
    assert rows[on_site.pk].target_site == world.site_b and rows[on_site.pk].target_placement is None
    assert rows[on_placement.pk].target_placement.student.user == world.student_a.user  # type: ignore[union-attr]
    assert rows[busy.pk].target_site is None and rows[busy.pk].target_placement is None
    assert [a.inspector for a in rows[busy.pk].assignments.all()] == [helpers.user(world, "inspector")]


def test_an_assigned_inspector_reads_the_compiled_rows(world: World, made: list[Inspection]) -> None:
    """An inspector's rule (their assignments, a compiled subquery) has a shape: the list reads their rows
    through the compiled statement, every inspection they are assigned to, in the order asked."""
    inspector = helpers.user(world, "inspector")
    ids = [i.pk for i in made]

    rows = _read(inspector, ids)
    assert rows is not None  # the compiled path (in no particular order)
    assert sorted(row.pk for row in rows) == sorted(ids)  # assigned to every inspection ``made`` plans
    assert [row.pk for row in selectors.inspections_by_ids(user=inspector, ids=ids)] == ids  # the keys' order


@pytest.mark.parametrize("persona", ["office", "coordinator_a", "inspector"])
def test_inspections_by_ids_is_what_the_reference_path_gives(
    world: World, made: list[Inspection], persona: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = helpers.user(world, persona)
    ids = [made[5].pk, made[0].pk, made[3].pk, made[1].pk]

    compiled = selectors.inspections_by_ids(user=reader, ids=ids)
    monkeypatch.setattr(list_queries, "read", lambda **kwargs: None)  # the queryset, built for the call
    reference = selectors.inspections_by_ids(user=reader, ids=ids)

    assert [_row(row) for row in compiled] == [_row(row) for row in reference]


def test_one_shape_of_rules_is_compiled_once_and_serves_every_reader_of_that_shape(
    world: World, made: list[Inspection]
) -> None:
    """Two coordinators: the second reuses the first's SQL text with their own values and gets their own
    rows; a page costs two statements (the rows, their inspectors)."""
    ids = [i.pk for i in made]
    texts = []
    for persona, partner in (("coordinator_a", world.partner_a), ("coordinator_b", world.partner_b)):
        reader = helpers.user(world, persona)
        platform_roles(reader)
        access.forget()
        with CaptureQueriesContext(connection) as captured:
            rows = selectors.inspections_by_ids(user=reader, ids=ids)
        assert len(captured.captured_queries) == 2
        texts.append(captured.captured_queries[0]["sql"])
        assert rows and {row.target_partner_id for row in rows} == {partner.pk}
    assert texts[0] != texts[1]  # the values differ (the captured SQL has them in place) ...
    rule = access.rule_template(helpers.user(world, "coordinator_a"), "view", Inspection)
    assert rule is not None
    compiled = list_queries._COMPILED[(rule.key, len(ids))][0]
    first = compiled.sql(connection.alias, **_values(world, "coordinator_a", ids))
    second = compiled.sql(connection.alias, **_values(world, "coordinator_b", ids))
    assert first[0] == second[0] and first[1] != second[1]  # ... in the same statement


def _values(world: World, persona: str, ids: list[int]) -> dict[str, Any]:
    rule = access.rule_template(helpers.user(world, persona), "view", Inspection)
    assert rule is not None
    values: dict[str, Any] = {"today": timezone.localdate()}
    values.update({f"key{index}": pk for index, pk in enumerate(ids)})
    values.update({f"rule{index}": value for index, value in enumerate(rule.values)})
    return values


def test_no_keys_no_statement(world: World) -> None:
    with CaptureQueriesContext(connection) as captured:
        assert selectors.inspections_by_ids(user=helpers.user(world, "office"), ids=[]) == []
    assert not captured.captured_queries


def test_the_list_page_shows_the_compiled_rows(world: World, made: list[Inspection]) -> None:
    """The office's page through the compiled statement: its rows in the list's order, the badges."""
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(helpers.user(world, "office"))
    html = client.get(reverse("supervision:list")).content.decode()

    assert list_queries.compiled_for(helpers.user(world, "office"), len(made))
    assert "1 critical" in html and 'data-testid="overdue-count">1 overdue' in html
    order = [i.pk for i in sorted(made, key=lambda i: (i.planned_date, i.pk), reverse=True)]
    positions = [html.index(f'data-inspection="{pk}"') for pk in order]
    assert positions == sorted(positions)
