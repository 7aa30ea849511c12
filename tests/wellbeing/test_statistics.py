"""Anonymous statistics: cells of fewer than 10 people suppressed, with complementary suppression, so no total
minus the shown cells gives a hidden one away; the pages show no individual."""

from __future__ import annotations

import datetime
import random

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World, client_for
from tests.factories.accounts import UserFactory
from wellbeing.models import EventKind, WellbeingEvent
from wellbeing.selectors import Cell, statistics, suppress
from wellbeing.services.records import person_key

pytestmark = pytest.mark.django_db


def _recoverable(cells: dict[tuple[str, str], Cell], totals: dict[str, Cell], rows: list[str], cols: list[str]) -> bool:
    """Whether a shown row total minus its shown cells gives away a single hidden cell."""
    for r in rows:
        hidden = [cells[(r, c)] for c in cols if cells[(r, c)].hidden]
        if not totals[r].hidden and len(hidden) == 1:
            return True
    return False


def test_a_small_cell_is_hidden_and_a_second_cell_with_it() -> None:
    rows, cols = ["2026-01"], ["A", "B", "C"]
    cells, row_totals, _col_totals, _total = suppress(
        rows, cols, {("2026-01", "A"): 25, ("2026-01", "B"): 3, ("2026-01", "C"): 12}, minimum=10
    )
    assert cells[("2026-01", "B")].hidden  # 3 people
    assert cells[("2026-01", "C")].hidden  # complementary: else 40 - 25 - 12 = 3
    assert not cells[("2026-01", "A")].hidden and not row_totals["2026-01"].hidden
    assert not _recoverable(cells, row_totals, rows, cols)


def test_complementary_suppression_also_holds_down_the_columns() -> None:
    rows, cols = ["m1", "m2", "m3"], ["A", "B"]
    people = {("m1", "A"): 4, ("m1", "B"): 30, ("m2", "A"): 20, ("m2", "B"): 30, ("m3", "A"): 25, ("m3", "B"): 30}
    cells, _row_totals, col_totals, _total = suppress(rows, cols, people, minimum=10)
    hidden = {key for key, cell in cells.items() if cell.hidden}
    assert ("m1", "A") in hidden and ("m1", "B") in hidden  # the row
    column_a = [cells[(r, "A")] for r in rows]
    assert sum(1 for c in column_a if c.hidden) >= 2  # the column: m2/A hidden too
    for c in cols:
        shown = [cells[(r, c)] for r in rows]
        assert col_totals[c].hidden or sum(1 for x in shown if x.hidden) != 1


def test_a_line_of_one_small_cell_and_zeros_hides_its_total() -> None:
    cells, row_totals, _cols, total = suppress(["m"], ["A", "B"], {("m", "A"): 3}, minimum=10)
    assert cells[("m", "A")].hidden and row_totals["m"].hidden and total.hidden
    assert not cells[("m", "B")].hidden  # a zero is shown


def test_no_table_ever_gives_a_hidden_cell_away() -> None:
    generator = random.Random(16)
    for _round in range(300):
        rows = [f"r{i}" for i in range(generator.randint(1, 5))]
        cols = [f"c{i}" for i in range(generator.randint(1, 5))]
        people = {(r, c): generator.choice([0, 1, 2, 5, 9, 10, 11, 20, 40]) for r in rows for c in cols}
        cells, row_totals, col_totals, total = suppress(rows, cols, people, minimum=10)
        for (r, c), cell in cells.items():
            assert cell.hidden == (0 < people[(r, c)] < 10) or cell.hidden  # small ones always hidden
            if 0 < people[(r, c)] < 10:
                assert cell.hidden
        for r in rows:
            line = [cells[(r, c)] for c in cols]
            assert row_totals[r].hidden or sum(1 for x in line if x.hidden) != 1
        for c in cols:
            line = [cells[(r, c)] for r in rows]
            assert col_totals[c].hidden or sum(1 for x in line if x.hidden) != 1
        assert total.hidden or sum(1 for x in row_totals.values() if x.hidden) != 1
        assert total.hidden or sum(1 for x in col_totals.values() if x.hidden) != 1


def _events(world: World, partner_counts: dict[int, int], month: datetime.date, kind: str = EventKind.REQUEST) -> None:
    for partner_id, count in partner_counts.items():
        for _i in range(count):
            person = UserFactory.create()
            WellbeingEvent.objects.create(
                kind=kind,
                month=month,
                partner_id=partner_id,
                role="student",
                person_key=person_key(person.pk),
                wait_days=3,
            )


def test_statistics_count_people_and_suppress_small_partners(world: World) -> None:
    month = timezone.localdate().replace(day=1)
    _events(world, {world.partner_a.pk: 12, world.partner_b.pk: 3, world.university.pk: 15}, month)
    # one person asking twice counts once
    WellbeingEvent.objects.create(
        kind=EventKind.REQUEST,
        month=month,
        partner=world.university,
        role="student",
        person_key=WellbeingEvent.objects.filter(partner=world.university).first().person_key,  # type: ignore[union-attr]
    )  # type: ignore[union-attr]
    stats = statistics(user=None)
    table = stats.tables[0]
    key = month.strftime("%Y-%m")
    assert table.cells[(key, "ENT-B")].hidden
    assert table.cells[(key, "HOSP-A")].hidden  # complementary: the smallest other cell
    assert table.cells[(key, "UNI")].value == 15 and not table.cells[(key, "UNI")].hidden
    assert table.row_totals[key].value == 30 and not table.row_totals[key].hidden
    wait = stats.waiting.cells[(key, stats.waiting.columns[0])]
    assert wait.value == 3.0 and not wait.hidden and wait.people == 30


def test_the_office_page_shows_counts_and_no_individual(world: World) -> None:
    month = timezone.localdate().replace(day=1)
    _events(world, {world.partner_a.pk: 12, world.partner_b.pk: 3, world.university.pk: 15}, month)
    page = client_for(world.users["office"]).get(reverse("wellbeing:statistics")).content.decode()
    assert "UNI" in page and ">15<" in page and 'data-testid="wb-hidden"' in page
    assert ">3<" not in page and ">12<" not in page
    for user in world.users.values():
        if user is not None and user.username not in ("office",):
            assert f">{user.username}<" not in page


def test_a_coordinator_sees_their_own_partner_only(world: World) -> None:
    month = timezone.localdate().replace(day=1)
    _events(world, {world.partner_a.pk: 12, world.partner_b.pk: 11}, month)
    stats = statistics(user=world.users["coordinator_a"])
    assert stats.tables[0].columns == ["HOSP-A"]


@override_settings(WELLBEING_MIN_CELL=10)
def test_statistics_cost_the_same_at_two_sizes(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    month = timezone.localdate().replace(day=1)
    office = client_for(world.users["office"])
    _events(world, {world.partner_a.pk: 2}, month)
    with CaptureQueriesContext(connection) as small:
        office.get(reverse("wellbeing:statistics"))
    _events(world, {world.partner_a.pk: 20, world.partner_b.pk: 15}, month, kind=EventKind.CHECK_IN)
    with CaptureQueriesContext(connection) as large:
        office.get(reverse("wellbeing:statistics"))
    assert len(large.captured_queries) == len(small.captured_queries)
