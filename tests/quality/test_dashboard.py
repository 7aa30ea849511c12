"""The office's live dashboard (``quality:dashboard``): this year's sections as cards, from the cache (ten
minutes, per programme, cohort and day) or computed again by "Refresh"; last year's frozen value beside
each figure; drill links; the empty state; the office alone (404 for everyone else).

The page's figures are whatever ``quality.indicators.sections`` computes: the tests compare the page with
``sections()`` for the same frame, and feed the rendering a hand-made section list with known answers
(directly, and through the cache the page reads)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from quality.dashboard import (
    cache_key,
    has_data,
    live_figures,
    report_values,
    section_cards,
)
from quality.figures import Column, Figure, Frame, Row, Section, Table, section_to_json
from quality.indicators import SECTIONS, sections
from quality.models import QualityReport, QualityReportStatus
from tests.conftest import PERSONAS, World, client_for
from tests.factories.programmes import CohortFactory, ProgrammeFactory

URL = "/quality/dashboard/"
COMPARE = "/quality/compare/"


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Live figures are cached per programme and day: each test starts (and leaves) with none."""
    cache.clear()
    yield
    cache.clear()


def hand_made() -> list[Section]:
    """Two sections with known answers and one without data."""
    return [
        Section(
            key="students",
            title="Students",
            figures=[
                Figure(key="students.enrolled", label="Enrolled", value=1234),
                Figure(
                    key="students.on_track",
                    label="On track",
                    value=0.625,
                    unit="share",
                    better="higher",
                    drill="/students/?programme=1",
                ),
                Figure(
                    key="students.at_risk",
                    label="At risk",
                    value=3,
                    better="lower",
                    drill="/students/at-risk/?programme=1",
                ),
                Figure(key="students.elsewhere", label="Elsewhere", value=2, drill="//evil.example/list"),
            ],
            tables=[
                Table(
                    key="students.at_risk_by_reason",
                    label="At risk by reason",
                    columns=[Column(key="students", label="Students")],
                    rows=[
                        Row(label="Hours behind", values=[4], translate=True, key="reason:hours"),
                        Row(label="Plan not approved", values=[2], translate=True, key="reason:plan"),
                    ],
                    chart="bar",
                )
            ],
        ),
        Section(
            key="funds",
            title="Funds",
            figures=[Figure(key="funds.spent", label="Spent", value=1500.5, unit="money")],
            tables=[
                Table(
                    key="funds.spending_by_partner",
                    label="Budget and spending by partner",
                    columns=[
                        Column(key="budget", label="Budget", unit="money"),
                        Column(key="spent", label="Spent", unit="money"),
                    ],
                    rows=[Row(label="Hospital A", values=[300, 100], key="partner:1")],
                    chart="stacked",
                )
            ],
        ),
        Section(
            key="integrity",
            title="Academic integrity",
            figures=[
                Figure(key="integrity.checks", label="Checks", value=0),
                Figure(key="integrity.x", label="X", value=None),
            ],
        ),
    ]


def test_section_cards_from_hand_made_sections() -> None:
    with translation.override("en"):
        cards = section_cards(hand_made(), {"students.on_track": 0.5, "students.at_risk": 1, "students.enrolled": 1234})
    students, funds, integrity = cards
    assert [c.empty for c in cards] == [False, False, True]
    assert [c.title for c in cards] == ["Students", "Funds", "Academic integrity"]
    enrolled, on_track, at_risk, elsewhere = students.figures
    assert (enrolled.figure.value, enrolled.previous, enrolled.percent) == (1234, 1234, None)
    assert (on_track.figure.value, on_track.previous, on_track.percent) == (0.625, 0.5, 62.5)
    assert (at_risk.previous, elsewhere.previous) == (1, None)
    assert on_track.figure.drill == "/students/?programme=1"
    assert at_risk.figure.drill == "/students/at-risk/?programme=1"
    assert elsewhere.figure.drill == ""  # never a link off the site
    # The tables with a chart (and rows) are kept for the card; the figures' values are untouched.
    assert [t.key for t in students.tables] == ["students.at_risk_by_reason"]
    assert [t.key for t in funds.tables] == ["funds.spending_by_partner"]
    assert integrity.tables == [] and [f.figure.value for f in integrity.figures] == [0, None]


def test_a_card_heads_with_the_first_figures_and_those_with_a_list() -> None:
    figures = [Figure(key=f"s.f{i}", label=f"F{i}", value=i + 1) for i in range(7)]
    figures[5].drill = "/students/at-risk/"
    chart = Table(key="s.t", label="T", columns=[Column(key="c", label="C")], rows=[Row(label="r", values=[1])])
    charts = [replace(chart, key=f"s.t{i}", chart="bar") for i in range(3)]
    card = section_cards([Section(key="s", title="S", figures=figures, tables=[chart, *charts])])[0]
    assert [c.figure.key for c in card.figures] == ["s.f0", "s.f1", "s.f2", "s.f3", "s.f5"]
    assert [c.figure.key for c in card.more_figures] == ["s.f4", "s.f6"]
    assert [t.key for t in card.tables] == ["s.t0"] and [t.key for t in card.more_tables] == ["s.t1", "s.t2"]


def test_an_empty_section_is_one_of_nothing_but_zeros() -> None:
    assert not has_data(Section(key="a", title="A"))
    assert not has_data(Section(key="a", title="A", figures=[Figure(key="a.b", label="B", value=0)]))
    table = Table(key="a.t", label="T", columns=[Column(key="c", label="C")], rows=[Row(label="r", values=[1])])
    assert has_data(Section(key="a", title="A", tables=[table]))


def test_the_dashboard_shows_what_sections_computes(world: World, office: Any) -> None:
    today = timezone.localdate()
    expected = sections(Frame(programme_id=world.programme.pk, year=today.year, as_of=today))
    response = client_for(office).get(URL)
    assert response.status_code == 200
    assert response.context["programme"] == world.programme
    cards = response.context["cards"]
    assert [c.key for c in cards] == [key for key, _title in SECTIONS] == [s.key for s in expected]
    assert [c.empty for c in cards] == [not has_data(s) for s in expected]
    shown = [{f.figure.key: f.figure for f in [*c.figures, *c.more_figures]} for c in cards]
    assert shown == [{f.key: f for f in s.figures} for s in expected]
    html = response.content.decode()
    assert html.count('data-testid="section-empty"') == sum(not has_data(s) for s in expected)
    if all(not has_data(s) for s in expected):
        assert 'data-testid="all-empty"' in html
    assert 'data-testid="computed-at"' in html and 'data-testid="refresh"' in html


def _last_year_report(world: World, year: int) -> QualityReport:
    figures = {"sections": [section_to_json(Section(key="students", title="Students", figures=[
        Figure(key="students.on_track", label="On track", value=0.5, unit="share"),
        Figure(key="students.at_risk", label="At risk", value=1),
    ]))]}  # fmt: skip
    QualityReport.objects.create(
        programme=world.programme, year=year, version=1, status=QualityReportStatus.READY, figures=figures
    )
    newer = {"sections": [section_to_json(Section(key="students", title="Students", figures=[
        Figure(key="students.on_track", label="On track", value=0.4, unit="share"),
        Figure(key="students.at_risk", label="At risk", value=1),
    ]))]}  # fmt: skip
    # The latest READY version counts; a newer failed build does not.
    QualityReport.objects.create(
        programme=world.programme, year=year, version=2, status=QualityReportStatus.READY, figures=newer
    )
    return QualityReport.objects.create(
        programme=world.programme, year=year, version=3, status=QualityReportStatus.FAILED, figures=figures
    )


def test_cached_figures_are_shown_with_last_year_and_refresh_computes_them_again(world: World, office: Any) -> None:
    today = timezone.localdate()
    _last_year_report(world, today.year - 1)
    computed_at = timezone.make_aware(datetime.datetime(today.year, today.month, today.day, 1, 2))
    key = cache_key(world.programme.pk, None, today)
    cache.set(key, {"sections": [section_to_json(s) for s in hand_made()], "computed_at": computed_at.isoformat()})
    client = client_for(office)

    html = client.get(URL, {"programme": world.programme.pk}).content.decode()
    assert 'data-figure="students.enrolled"' in html and "1,234" in html
    assert html.count("See the list") == 2  # the off-site link is dropped
    assert 'href="/students/at-risk/?programme=1"' in html and "//evil.example" not in html
    assert 'data-testid="share-bar"' in html and 'width="62.5"' in html
    assert f"40% in {today.year - 1}" in html  # version 2 of last year's report, not the failed version 3
    assert "+22.5 pp" in html and "(better)" in html
    assert "+2 (worse)" in html  # at risk, 3 against 1: lower is better
    assert html.count("Year on year") == 2  # "enrolled" is not in last year's report: nothing beside it
    assert "version 2 of that year" in html
    assert f"Figures computed at {timezone.localtime(computed_at):%Y-%m-%d %H:%M}" in html
    assert 'data-table="students.at_risk_by_reason"' in html and 'data-table="funds.spending_by_partner"' in html
    assert html.count('class="q-chart"') == 2 and "Hours behind" in html
    assert html.count('data-testid="section-empty"') == 1

    response = client.post(URL, {"programme": world.programme.pk})
    assert response.status_code == 302 and response["Location"] == f"{URL}?programme={world.programme.pk}"
    recomputed = cache.get(key)
    assert recomputed["computed_at"] != computed_at.isoformat()
    assert [s["key"] for s in recomputed["sections"]] == [k for k, _title in SECTIONS]
    html = client.get(response["Location"]).content.decode()
    assert 'data-figure="students.elsewhere"' not in html
    assert "The figures have been computed again." in html


def test_live_figures_are_cached_per_programme_cohort_and_day(world: World) -> None:
    today = timezone.localdate()
    cohort = world.student_a.cohort
    first = live_figures(programme_id=world.programme.pk, today=today)
    again = live_figures(programme_id=world.programme.pk, today=today)
    assert (first.from_cache, again.from_cache) == (False, True)
    assert again.computed_at == first.computed_at and again.frame == first.frame
    assert [section_to_json(s) for s in again.sections] == [section_to_json(s) for s in first.sections]
    assert not live_figures(programme_id=world.programme.pk, today=today + datetime.timedelta(days=1)).from_cache
    by_cohort = live_figures(programme_id=world.programme.pk, cohort_id=cohort.pk, today=today)
    assert not by_cohort.from_cache and by_cohort.frame.cohort_id == cohort.pk
    refreshed = live_figures(programme_id=world.programme.pk, today=today, refresh=True)
    assert not refreshed.from_cache and refreshed.computed_at > first.computed_at


def test_report_values_are_each_figures_frozen_value() -> None:
    report = QualityReport(figures={"sections": [section_to_json(s) for s in hand_made()]})
    assert report_values(report)["students.on_track"] == 0.625
    assert report_values(None) == {}


def test_a_cohort_and_programme_not_offered_are_404(world: World, office: Any) -> None:
    other = ProgrammeFactory.create(name="Another")
    foreign_cohort = CohortFactory.create(programme=other, intake_year=2024)
    client = client_for(office)
    assert client.get(URL, {"programme": 999999}).status_code == 404
    assert client.get(URL, {"programme": "abc"}).status_code == 404
    assert client.get(URL, {"programme": world.programme.pk, "cohort": foreign_cohort.pk}).status_code == 404
    response = client.get(URL, {"programme": other.pk, "cohort": foreign_cohort.pk})
    assert response.status_code == 200 and response.context["cohort"] == foreign_cohort


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "office"])
def test_only_the_office_sees_the_dashboard_and_comparison(world: World, persona: str) -> None:
    client = client_for(world.users[persona])
    expected = 302 if persona == "anonymous" else 404
    assert client.get(URL).status_code == expected
    assert client.post(URL, {"programme": world.programme.pk}).status_code == expected
    assert client.get(COMPARE).status_code == expected
    assert not cache.get(cache_key(world.programme.pk, None, timezone.localdate()))


def test_dashboard_query_count_is_constant(world: World, office: Any) -> None:
    client = client_for(office)
    counts = []
    for extra in (0, 5):
        for index in range(extra):
            programme = ProgrammeFactory.create()
            for year in (2024, 2025, 2026):
                CohortFactory.create(programme=programme, intake_year=year)
            CohortFactory.create(programme=world.programme, intake_year=2010 + index)
        client.get(URL, {"programme": world.programme.pk})  # computes and caches the figures
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"programme": world.programme.pk})
        assert response.status_code == 200 and response.context["live"].from_cache
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_the_office_start_page_links_to_the_dashboard(office: Any) -> None:
    assert 'href="/quality/dashboard/"' in client_for(office).get("/").content.decode()


def test_refresh_of_a_cohort_returns_to_the_cohort(world: World, office: Any) -> None:
    cohort = world.student_a.cohort
    response = client_for(office).post(URL, {"programme": world.programme.pk, "cohort": cohort.pk})
    assert response["Location"] == f"{URL}?programme={world.programme.pk}&cohort={cohort.pk}"
    assert cache.get(cache_key(world.programme.pk, cohort.pk, timezone.localdate())) is not None
    assert cache.get(cache_key(world.programme.pk, None, timezone.localdate())) is None


def test_both_pages_read_in_chinese(world: World, office: Any) -> None:
    client = client_for(office)
    dashboard = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    compare = client.get(COMPARE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"{timezone.localdate().year} 年质量看板" in dashboard and "重新计算指标" in dashboard
    assert "比较质量报告" in compare and "须先生成报告" in compare
