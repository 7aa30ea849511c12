"""Reads behind the office's live dashboard and comparison page (``quality.views.dashboard``).

Two sources, one shape (:class:`quality.figures.Section`):

* the **live** figures of the current year, computed by ``quality.indicators.sections`` for a programme (and
  cohort) as of today, and kept in Django's cache for ten minutes per programme, cohort and day (the
  indicators are aggregates, but ten sections of them are still the slowest thing a page could ask for);
  "Refresh" computes them again at once;
* the **frozen** figures of built reports (``QualityReport.figures``): last year's value beside each live
  figure, and the comparison across programmes (each one's latest READY report of a year) and across
  partners (the ``*_by_partner`` tables of one report).

What the pages show is prepared here as plain dataclasses (labels translated in the request's language,
values formatted by unit), so the templates only lay things out and the tests can check the numbers
without parsing HTML; figures and charts are drawn by the report's own partials
(``templates/quality/_figure.html``, ``_table.html``, ``_chart.html``), so a figure looks the same on the
dashboard as in the report. Every read is a fixed number of queries, whatever the number of programmes,
partners or figures.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from django.core.cache import cache
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from quality.figures import Better, Figure, Frame, Section, Table, Unit, Value, section_from_json, section_to_json
from quality.indicators import sections as compute_sections
from quality.models import QualityReport, QualityReportStatus
from quality.templatetags import quality_figures

#: How long live figures are kept (seconds): a clerk's morning look and a refresh later see the same numbers.
CACHE_SECONDS = 600
#: Bump when the cached payload's shape changes, so a deploy never reads an old one.
CACHE_VERSION = 1
#: The suffix of the tables whose rows are partners (``row.key == "partner:<id>"``), for the comparison.
BY_PARTNER = "_by_partner"

Mark = Literal["best", "worst", ""]


# --- Values ---------------------------------------------------------------------------------------------


def format_value(value: Value, unit: Unit) -> str:
    """``value`` as the pages show it in its unit (one formatting for the report, the dashboard and the
    comparison: ``quality.templatetags.quality_figures.format_value``)."""
    return quality_figures.format_value(value, unit)


def has_data(section: Section) -> bool:
    """Whether ``section`` holds anything worth a card: a figure or a table cell that is neither missing nor
    zero. A section of nothing but zeros (no students yet, no inspections yet) shows the empty state."""
    if any(f.value for f in section.figures):
        return True
    return any(value for table in section.tables for row in table.rows for value in row.values)


def safe_drill(path: str) -> str:
    """``path`` if it is a path on this site (``/students/at-risk/?programme=3``), else "": a drill link
    never leads elsewhere, whatever a frozen figure holds."""
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else ""


# --- Best and worst -------------------------------------------------------------------------------------


def best_and_worst(values: Sequence[Value], better: Better | str) -> list[Mark]:
    """Which of ``values`` is the best and which the worst, by ``better`` ("higher" or "lower").

    Every value equal to the best (or worst) is marked (ties: all). Nothing is marked when the indicator
    has no direction, when fewer than three values exist (two values are a difference, not a ranking), or
    when every value is the same."""
    present = [float(v) for v in values if v is not None]
    if better not in ("higher", "lower") or len(present) < 3:
        return ["" for _ in values]
    high, low = max(present), min(present)
    if high == low:
        return ["" for _ in values]
    best, worst = (high, low) if better == "higher" else (low, high)
    marks: list[Mark] = []
    for value in values:
        if value is None:
            marks.append("")
        elif float(value) == best:
            marks.append("best")
        elif float(value) == worst:
            marks.append("worst")
        else:
            marks.append("")
    return marks


# --- Live figures ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveFigures:
    """The current year's sections for a programme (and cohort), and when they were computed."""

    frame: Frame
    sections: list[Section]
    computed_at: datetime.datetime
    from_cache: bool


def cache_key(programme_id: int, cohort_id: int | None, day: datetime.date) -> str:
    """The cache key of a programme's (and cohort's) live figures on ``day``: a new day computes anew."""
    return f"quality:dashboard:v{CACHE_VERSION}:{programme_id}:{cohort_id or 'all'}:{day.isoformat()}"


def live_figures(
    *, programme_id: int, cohort_id: int | None = None, today: datetime.date | None = None, refresh: bool = False
) -> LiveFigures:
    """This year's figures for the programme (and cohort) as of ``today`` (default: the local date), from the
    cache unless ``refresh`` (or nothing is cached); a computation is cached for :data:`CACHE_SECONDS`.

    The cache keeps the JSON form (``section_to_json``), language-neutral and safe to read after a deploy."""
    day = today or timezone.localdate()
    frame = Frame(programme_id=programme_id, year=day.year, cohort_id=cohort_id, as_of=day)
    key = cache_key(programme_id, cohort_id, day)
    if not refresh:
        cached = cache.get(key)
        if isinstance(cached, dict):
            return LiveFigures(
                frame=frame,
                sections=[section_from_json(s) for s in cached["sections"]],
                computed_at=datetime.datetime.fromisoformat(cached["computed_at"]),
                from_cache=True,
            )
    computed = compute_sections(frame)
    now = timezone.now()
    payload = {"sections": [section_to_json(s) for s in computed], "computed_at": now.isoformat()}
    cache.set(key, payload, CACHE_SECONDS)
    return LiveFigures(frame=frame, sections=computed, computed_at=now, from_cache=False)


def latest_ready_report(*, programme_id: int, year: int, cohort_id: int | None = None) -> QualityReport | None:
    """The latest READY version of the programme's (or the cohort's) report of ``year``, or None. One query."""
    rows = QualityReport.objects.filter(programme_id=programme_id, year=year, status=QualityReportStatus.READY)
    rows = rows.filter(cohort_id=cohort_id) if cohort_id else rows.filter(cohort__isnull=True)
    return rows.defer("public_figures").order_by("-version").first()


def report_values(report: QualityReport | None) -> dict[str, Value]:
    """Each figure's frozen value in ``report`` by figure key (empty without a report)."""
    if report is None:
        return {}
    return {
        figure["key"]: figure.get("value")
        for section in (report.figures or {}).get("sections", [])
        for figure in section.get("figures", [])
    }


# --- Cards: what the dashboard shows --------------------------------------------------------------------


@dataclass
class FigureCard:
    """One headline figure (drawn by ``templates/quality/_figure.html``), last year's frozen value beside it,
    and the share it is, as a percentage for the progress bar (None when it is not a share)."""

    figure: Figure
    previous: Value
    percent: float | None


#: How many figures of a section a card shows at once (with every figure that drills down); the rest, and
#: every chart but the first, open on demand, so that ten sections stay a page a phone can scroll.
HEADLINE_FIGURES = 4


@dataclass
class SectionCard:
    """One section's card: its headline figures (the first few, and every one with a list behind it) and
    the others, its first chart and the others, and whether it has any data at all."""

    key: str
    title: str
    figures: list[FigureCard]
    more_figures: list[FigureCard]
    tables: list[Table]
    more_tables: list[Table]
    notes: list[str]
    empty: bool


def figure_card(figure: Figure, previous: Value) -> FigureCard:
    """One figure ready to show beside last year's frozen value (``previous``, None when none); its drill
    link kept only when it is a path on this site."""
    percent = None
    if figure.unit == "share" and figure.value is not None:
        percent = round(max(0.0, min(1.0, float(figure.value))) * 100, 1)
    return FigureCard(figure=replace(figure, drill=safe_drill(figure.drill)), previous=previous, percent=percent)


def section_card(section: Section, previous: Mapping[str, Value] | None = None) -> SectionCard:
    """What the dashboard shows of ``section``: its figures beside last year's value (``previous``, by
    figure key), the headline ones first; its tables that ask for a chart; empty when it has no data."""
    earlier = previous or {}
    figures = [figure_card(f, earlier.get(f.key)) for f in section.figures]
    headline = [i < HEADLINE_FIGURES or bool(card.figure.drill) for i, card in enumerate(figures)]
    charted = [t for t in section.tables if t.chart and t.rows]
    return SectionCard(
        key=section.key,
        title=gettext(section.title),
        figures=[card for card, first in zip(figures, headline, strict=True) if first],
        more_figures=[card for card, first in zip(figures, headline, strict=True) if not first],
        tables=charted[:1],
        more_tables=charted[1:],
        notes=[gettext(n) for n in section.notes],
        empty=not has_data(section),
    )


def section_cards(sections: Iterable[Section], previous: Mapping[str, Value] | None = None) -> list[SectionCard]:
    """One card per section (see :func:`section_card`), in the report's order."""
    return [section_card(section, previous) for section in sections]


# --- The comparison -------------------------------------------------------------------------------------


@dataclass
class Cell:
    value: Value
    text: str
    mark: Mark


@dataclass
class Header:
    """A column of a comparison: a programme (with the version its figures come from) or an indicator."""

    key: str
    label: str
    detail: str = ""
    unit: Unit = "count"
    better: Better = ""
    #: the page of the report a programme's column comes from ("" where there is none)
    url: str = ""


@dataclass
class GridRow:
    key: str
    label: str
    cells: list[Cell]
    group: str = ""
    unit: Unit = "count"
    better: Better = ""


@dataclass
class Grid:
    """A comparison table: ``columns`` across, ``rows`` down, each cell marked best or worst."""

    columns: list[Header]
    rows: list[GridRow]
    report: QualityReport | None = None
    groups: list[tuple[str, list[GridRow]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.rows or not self.columns


def comparison_years() -> list[int]:
    """The years with at least one READY programme-wide report, newest first (one query)."""
    rows = QualityReport.objects.filter(status=QualityReportStatus.READY, cohort__isnull=True)
    return list(rows.order_by("-year").values_list("year", flat=True).distinct())


def latest_reports(year: int) -> list[QualityReport]:
    """Each programme's latest READY programme-wide report of ``year``, by programme name (one query: the
    newest version per programme is a correlated subquery, which SQLite and PostgreSQL both run)."""
    ready: QuerySet[QualityReport] = QualityReport.objects.filter(
        year=year, status=QualityReportStatus.READY, cohort__isnull=True
    )
    newest = ready.filter(programme=OuterRef("programme")).order_by("-version").values("pk")[:1]
    return list(
        ready.filter(pk=Subquery(newest))
        .select_related("programme")
        .defer("public_figures")
        .order_by("programme__name", "programme_id")
    )


def _sections_of(report: QualityReport) -> list[Section]:
    return [section_from_json(s) for s in (report.figures or {}).get("sections", [])]


def version_detail(report: QualityReport) -> str:
    """Which frozen figures a column shows: "version 3, built 2026-01-05"."""
    built = timezone.localdate(report.built_at).isoformat() if report.built_at else "-"
    return gettext("version %(version)s, built %(date)s") % {"version": report.version, "date": built}


def compare_programmes(reports: Sequence[QualityReport]) -> Grid:
    """The reports' figures side by side: a row per figure (in the report's order, grouped by section), a
    column per programme; each row's best and worst marked by the figure's ``better``. No query."""
    columns = [
        Header(key=f"programme:{r.programme_id}", label=r.programme.name, detail=version_detail(r)) for r in reports
    ]
    values: dict[str, dict[int, Value]] = {}
    meta: dict[str, tuple[Figure, str]] = {}
    order: list[str] = []
    for index, report in enumerate(reports):
        for section in _sections_of(report):
            for figure in section.figures:
                if figure.key not in meta:
                    meta[figure.key] = (figure, gettext(section.title))
                    order.append(figure.key)
                values.setdefault(figure.key, {})[index] = figure.value
    rows = []
    for key in order:
        figure, group = meta[key]
        row_values = [values[key].get(i) for i in range(len(reports))]
        marks = best_and_worst(row_values, figure.better)
        rows.append(
            GridRow(
                key=key,
                label=gettext(figure.label),
                cells=[Cell(v, format_value(v, figure.unit), m) for v, m in zip(row_values, marks, strict=True)],
                group=group,
                unit=figure.unit,
                better=figure.better,
            )
        )
    return Grid(columns=columns, rows=rows, groups=_grouped(rows))


def _grouped(rows: list[GridRow]) -> list[tuple[str, list[GridRow]]]:
    groups: list[tuple[str, list[GridRow]]] = []
    for row in rows:
        if not groups or groups[-1][0] != row.group:
            groups.append((row.group, []))
        groups[-1][1].append(row)
    return groups


def has_partner_tables(report: QualityReport) -> bool:
    """Whether ``report`` holds a table by partner (``*_by_partner``) with rows: one the partners'
    comparison can show."""
    return any(
        table.get("key", "").endswith(BY_PARTNER) and table.get("rows")
        for section in (report.figures or {}).get("sections", [])
        for table in section.get("tables", [])
    )


def compare_partners(report: QualityReport | None) -> Grid:
    """The partners of one report side by side: a row per partner (found by ``row.key``, "partner:<id>", in
    every ``*_by_partner`` table), a column per column of those tables; each column's best and worst
    marked by its ``better``. No query."""
    if report is None:
        return Grid(columns=[], rows=[])
    columns: list[Header] = []
    cells: dict[str, dict[str, Value]] = {}
    labels: dict[str, str] = {}
    for section in _sections_of(report):
        for table in section.tables:
            if not table.key.endswith(BY_PARTNER):
                continue
            for position, column in enumerate(table.columns):
                key = f"{table.key}.{column.key}"
                columns.append(
                    Header(
                        key=key,
                        label=gettext(column.label),
                        detail=gettext(table.label),
                        unit=column.unit,
                        better=column.better,
                    )
                )
                for row in table.rows:
                    partner = row.key or f"label:{row.label}"
                    labels.setdefault(partner, gettext(row.label) if row.translate else row.label)
                    value = row.values[position] if position < len(row.values) else None
                    cells.setdefault(partner, {})[key] = value
    partners = sorted(labels, key=lambda p: labels[p].casefold())
    marks: dict[str, dict[str, Mark]] = {p: {} for p in partners}
    for header in columns:
        column_values = [cells[p].get(header.key) for p in partners]
        for partner, mark in zip(partners, best_and_worst(column_values, header.better), strict=True):
            marks[partner][header.key] = mark
    rows = [
        GridRow(
            key=partner,
            label=labels[partner],
            cells=[
                Cell(
                    cells[partner].get(c.key),
                    format_value(cells[partner].get(c.key), c.unit),
                    marks[partner][c.key],
                )
                for c in columns
            ],
        )
        for partner in partners
    ]
    return Grid(columns=columns, rows=rows, report=report)
