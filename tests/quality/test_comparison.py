"""The comparison page (``quality:compare``): built reports side by side across programmes (each one's latest
READY programme-wide report of the year) and across partners (the ``*_by_partner`` tables of one report),
with the best and worst value of each indicator marked by its ``better``.

The reports are READY rows with hand-made figures (the shape ``quality.indicators.figures_json`` freezes),
so every value, and so every mark, is known."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import Partner
from programmes.models import Programme
from quality.dashboard import best_and_worst, compare_partners
from quality.figures import Column, Figure, Row, Section, Table, Value, section_to_json
from quality.models import QualityReport, QualityReportStatus
from tests.conftest import World, client_for
from tests.factories.partners import PartnerFactory
from tests.factories.programmes import CohortFactory, ProgrammeFactory

YEAR = 2025
URL = "/quality/compare/"


def report(
    programme: Programme,
    sections: list[Section],
    *,
    year: int = YEAR,
    version: int = 1,
    status: str = QualityReportStatus.READY,
    cohort: Any = None,
) -> QualityReport:
    """A built report holding ``sections`` as its frozen figures."""
    return QualityReport.objects.create(
        programme=programme,
        cohort=cohort,
        year=year,
        version=version,
        status=status,
        built_at=timezone.make_aware(datetime.datetime(year + 1, 1, 10, 9, 0)),
        figures={
            "frame": {"programme": programme.pk, "cohort": None, "year": year, "as_of": f"{year}-12-31"},
            "sections": [section_to_json(s) for s in sections],
            "previous": {},
        },
    )


def students(enrolled: Value, on_track: Value, at_risk: Value) -> Section:
    return Section(
        key="students",
        title="Students",
        figures=[
            Figure(key="students.enrolled", label="Enrolled", value=enrolled),
            Figure(key="students.on_track", label="On track", value=on_track, unit="share", better="higher"),
            Figure(key="students.at_risk", label="At risk", value=at_risk, better="lower"),
        ],
    )


def by_partner(partners: list[Partner], hours: Sequence[Value], late: Sequence[Value]) -> Section:
    return Section(
        key="process",
        title="Training process",
        tables=[
            Table(
                key="process.hours_by_partner",
                label="Practice hours by partner",
                columns=[
                    Column(key="hours", label="Hours", unit="hours", better="higher"),
                    Column(key="late", label="Late sign-offs", better="lower"),
                ],
                rows=[
                    Row(label=p.name, values=[h, late_], key=f"partner:{p.pk}")
                    for p, h, late_ in zip(partners, hours, late, strict=True)
                ],
            ),
            # Not by partner: never a column of the partners' comparison.
            Table(
                key="process.hours_by_category",
                label="Hours by category",
                columns=[Column(key="hours", label="Hours", unit="hours")],
                rows=[Row(label="Clinical", values=[10], key="category:clinical")],
            ),
        ],
    )


# --- Best and worst ---------------------------------------------------------------------------------------


def test_best_and_worst_by_which_way_is_better() -> None:
    assert best_and_worst([3, 1, 2], "higher") == ["best", "worst", ""]
    assert best_and_worst([3, 1, 2], "lower") == ["worst", "best", ""]
    assert best_and_worst([0.5, 0.25, 0.75, None], "higher") == ["", "worst", "best", ""]


def test_best_and_worst_marks_every_tie() -> None:
    assert best_and_worst([3, 3, 1, 2], "higher") == ["best", "best", "worst", ""]
    assert best_and_worst([1, 3, 1, 3], "lower") == ["best", "worst", "best", "worst"]


def test_best_and_worst_needs_three_values_that_differ_and_a_direction() -> None:
    assert best_and_worst([1, 2], "higher") == ["", ""]
    assert best_and_worst([1, None, 2], "higher") == ["", "", ""]
    assert best_and_worst([2, 2, 2], "higher") == ["", "", ""]
    assert best_and_worst([3, 1, 2], "") == ["", "", ""]


# --- The page ---------------------------------------------------------------------------------------------


def _three_programmes(world: World) -> tuple[list[Programme], list[Partner]]:
    """Three programmes with reports of YEAR; the first also has an older version, a failed newer one, a
    cohort's report and a report of another year, none of which the comparison may use."""
    first = world.programme
    second = ProgrammeFactory.create(name="Biomedical Engineering")
    third = ProgrammeFactory.create(name="Clinical Physics")
    partners = [world.partner_a, world.partner_b, PartnerFactory.create(name="Clinic C")]
    report(first, [students(99, 0.1, 50)], version=1)
    report(first, [students(20, 0.9, 1), by_partner(partners, [300, 120, 200], [1, 4, 4])], version=2)
    report(first, [students(1, 0.0, 99)], version=3, status=QualityReportStatus.FAILED)
    report(first, [students(5, 0.0, 5)], version=1, cohort=CohortFactory.create(programme=first, intake_year=2025))
    report(first, [students(7, 0.0, 7)], year=YEAR - 1, version=4)
    report(second, [students(30, 0.6, 3)], version=1)
    report(third, [students(25, 0.9, 9)], version=5)
    return [first, second, third], partners


def _marks(row: Any) -> list[str]:
    return [cell.mark for cell in row.cells]


def test_programmes_side_by_side_from_their_latest_ready_reports(world: World, office: Any) -> None:
    (first, second, third), _partners = _three_programmes(world)
    response = client_for(office).get(URL, {"year": YEAR})
    assert response.status_code == 200
    grid = response.context["programmes_grid"]
    # Columns by programme name, each saying which version it shows.
    assert [c.label for c in grid.columns] == [second.name, third.name, first.name]
    assert [c.detail for c in grid.columns] == [
        "version 1, built 2026-01-10",
        "version 5, built 2026-01-10",
        "version 2, built 2026-01-10",
    ]
    rows = {row.key: row for row in grid.rows}
    assert [c.value for c in rows["students.enrolled"].cells] == [30, 25, 20]
    assert _marks(rows["students.enrolled"]) == ["", "", ""]  # no direction: no mark
    assert _marks(rows["students.on_track"]) == ["worst", "best", "best"]  # higher is better; a tie
    assert _marks(rows["students.at_risk"]) == ["", "worst", "best"]  # lower is better
    assert [c.text for c in rows["students.on_track"].cells] == ["60%", "90%", "90%"]
    # Without a choice, the partners shown are those of the first programme whose report has them.
    assert response.context["chosen"].programme == first
    html = response.content.decode()
    assert html.count('data-mark="best"') == 3 + 2 and html.count('data-mark="worst"') == 2 + 3
    assert 'data-testid="legend"' in html and "version 5, built 2026-01-10" in html


def test_partners_side_by_side_from_the_by_partner_tables(world: World, office: Any) -> None:
    (first, _second, _third), partners = _three_programmes(world)
    response = client_for(office).get(URL, {"year": YEAR, "programme": first.pk})
    grid = response.context["partners_grid"]
    assert grid.report.version == 2
    assert [c.key for c in grid.columns] == ["process.hours_by_partner.hours", "process.hours_by_partner.late"]
    assert [r.label for r in grid.rows] == ["Clinic C", "Enterprise B", "Hospital A"]
    assert [r.key for r in grid.rows] == [f"partner:{p.pk}" for p in (partners[2], partners[1], partners[0])]
    assert [[c.value for c in r.cells] for r in grid.rows] == [[200, 4], [120, 4], [300, 1]]
    # Hours: higher is better; late sign-offs: lower is better, two partners tie for the worst.
    assert [_marks(r) for r in grid.rows] == [["", "worst"], ["worst", "worst"], ["best", "best"]]
    html = response.content.decode()
    assert "From the report's version 2, built 2026-01-10." in html
    assert "Hours by category" not in html


def test_a_programme_without_partner_tables_says_so(world: World, office: Any) -> None:
    _three_programmes(world)
    second = Programme.objects.get(name="Biomedical Engineering")
    response = client_for(office).get(URL, {"year": YEAR, "programme": second.pk})
    assert response.context["partners_grid"].empty
    assert 'data-testid="partners-empty"' in response.content.decode()


def test_partners_found_by_key_across_tables_and_fewer_than_three_unmarked() -> None:
    partners = [Partner(pk=1, name="A"), Partner(pk=2, name="B")]
    built = QualityReport(figures={"sections": [section_to_json(by_partner(partners, [5, 9], [2, 1]))]})
    grid = compare_partners(built)
    assert [r.key for r in grid.rows] == ["partner:1", "partner:2"]
    assert all(cell.mark == "" for row in grid.rows for cell in row.cells)


def test_without_reports_the_page_says_to_build_them_first(world: World, office: Any) -> None:
    report(world.programme, [students(1, 1, 1)], status=QualityReportStatus.PENDING)
    response = client_for(office).get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="compare-empty"' in html
    assert 'href="/quality/reports/"' in html
    assert response.context["year"] == timezone.localdate().year - 1


def _build(count: int, partner_count: int) -> None:
    partners = [PartnerFactory.create() for _ in range(partner_count)]
    for index in range(count):
        programme = ProgrammeFactory.create()
        hours = [float(index + n) for n in range(partner_count)]
        report(programme, [students(index, 0.5, index)], version=1)
        report(programme, [students(index, 0.5, index), by_partner(partners, hours, hours)], version=2)


@pytest.mark.parametrize("sizes", [((2, 3), (6, 8))])
def test_comparison_query_count_is_constant(world: World, office: Any, sizes: Any) -> None:
    client = client_for(office)
    counts = []
    for programmes, partners in sizes:
        _build(programmes, partners)
        client.get(URL, {"year": YEAR})  # the session and the user are read once
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"year": YEAR})
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    # The page's own reads are two (the years, the reports); the rest are the navigation's, as on every page.
    assert sum("quality_qualityreport" in q["sql"] for q in captured.captured_queries) == 2
