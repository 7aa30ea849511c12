"""The report's "wellbeing" section: the psychological service's anonymous statistics, and nothing else.

It reads one thing, ``wellbeing.selectors.statistics(user=None, ...)``, whose tables count people by month and
partner, role or mood with every cell of fewer than ``WELLBEING_MIN_CELL`` people already hidden (with
complementary suppression, ``wellbeing.selectors.suppress``). No check-in, case, note or appointment is read
here. A hidden cell stays hidden: its value is None and its people count is not kept, so neither the office's
report nor its public version can show it. The service is the university's and its statistics name no
programme, so the section is the same for every programme and cohort (a section note says so).
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext_noop

from quality.figures import Column, Figure, Frame, Row, Section, Table, Value
from wellbeing import selectors
from wellbeing.selectors import Cell, Statistics

TITLE = gettext_noop("Wellbeing service")
PEOPLE = gettext_noop("People (summed over the months)")
OTHER = "Other"

#: (key, label, what the columns of the statistics table are), in the order ``statistics`` gives its tables
TABLES: tuple[tuple[str, str, str], ...] = (
    ("wellbeing.requests_by_partner", gettext_noop("People asking for counselling, by partner"), "partner"),
    ("wellbeing.requests_by_role", gettext_noop("People asking for counselling, by role"), "role"),
    ("wellbeing.appointments_by_partner", gettext_noop("People with appointments, by partner"), "partner"),
    ("wellbeing.check_ins_by_partner", gettext_noop("People checking in, by partner"), "partner"),
    ("wellbeing.check_ins_by_role", gettext_noop("People checking in, by role"), "role"),
    ("wellbeing.check_ins_by_mood", gettext_noop("Check-ins by mood"), "mood"),
)


def hidden_note(minimum: int) -> str:
    """The note on every table: which cells are hidden (a message id for the usual minimum of 10)."""
    if minimum == 10:
        return gettext_noop(
            "Cells of fewer than 10 people are hidden, and other cells with them where a total would give a "
            "hidden one away."
        )
    return (
        f"Cells of fewer than {minimum} people are hidden, and other cells with them where a total would give a "
        "hidden one away."
    )


def _value(cell: Cell | None) -> Value:
    return None if cell is None else cell.shown


def _people(cell: Cell | None) -> int | None:
    """The people behind a shown cell (a hidden cell keeps none, so that nothing reveals it)."""
    if cell is None:
        return 0
    return None if cell.hidden else cell.people


def _category_row(column: str, cell: Cell | None, what: str, roles: dict[str, str]) -> Row:
    """A statistics column (a partner, a role, a mood band) as a row of the report's table."""
    if column == OTHER:  # a partner, role or mood the service did not record
        return Row(label=OTHER, values=[_value(cell)], people=[_people(cell)], translate=True, key="other")
    if what == "mood":
        band, _sep, label = column.partition(" ")
        return Row(label=label, values=[_value(cell)], people=[_people(cell)], translate=True, key=f"mood_{band}")
    if what == "role":
        return Row(
            label=column, values=[_value(cell)], people=[_people(cell)], translate=True, key=roles.get(column, "other")
        )
    return Row(label=column, values=[_value(cell)], people=[_people(cell)], key=column)


def _waiting_days(stats: Statistics) -> tuple[Value, int]:
    """The mean days from request to first appointment over the months shown (weighted by their people)."""
    shown = [cell for cell in stats.waiting.cells.values() if not cell.hidden and cell.value is not None]
    people = sum(cell.people for cell in shown)
    if not people:
        return None, 0
    return round(sum(float(cell.value or 0) * cell.people for cell in shown) / people, 1), people


def section(frame: Frame) -> Section:
    """The wellbeing figures for ``frame``: the service's statistics for the twelve months to ``frame.today``."""
    # English labels: the report keeps message ids and translates them when it is shown
    with translation.override("en"):
        stats = selectors.statistics(user=None, today=frame.today, months=12)
        roles = {str(label): key for key, label in selectors.ROLE_LABELS.items()}
    note = hidden_note(stats.minimum)
    tables = []
    for (key, label, what), table in zip(TABLES, stats.tables, strict=True):
        tables.append(
            Table(
                key,
                label,
                [Column("people", PEOPLE)],
                [_category_row(column, table.column_totals.get(column), what, roles) for column in table.columns],
                chart="bar",
                note=note,
            )
        )
    requests, appointments, check_ins = stats.tables[0], stats.tables[2], stats.tables[3]
    months = [month.strftime("%Y-%m") for month in stats.months]
    waiting_column = stats.waiting.columns[0]
    month_rows = []
    for month in months:
        cells = [
            requests.row_totals.get(month),
            appointments.row_totals.get(month),
            check_ins.row_totals.get(month),
            stats.waiting.cells.get((month, waiting_column)),
        ]
        waited = cells[3]
        month_rows.append(
            Row(
                label=month,
                values=[_value(c) for c in cells[:3]] + [None if waited is None else waited.shown],
                people=[_people(c) for c in cells[:3]] + [None if waited is None or waited.hidden else waited.people],
                key=month,
            )
        )
    tables.insert(
        0,
        Table(
            "wellbeing.by_month",
            gettext_noop("The service by month"),
            [
                Column("requests", gettext_noop("People asking for counselling")),
                Column("appointments", gettext_noop("People with appointments")),
                Column("check_ins", gettext_noop("People checking in")),
                Column("waiting_days", gettext_noop("Average days to first appointment"), unit="days", better="lower"),
            ],
            month_rows,
            chart="bar",
            note=note,
        ),
    )
    days, waited_people = _waiting_days(stats)

    def total(figure_key: str, figure_label: str, table: Any) -> Figure:
        return Figure(figure_key, figure_label, _value(table.total), people=_people(table.total))

    return Section(
        key="wellbeing",
        title=TITLE,
        figures=[
            total(
                "wellbeing.requests", gettext_noop("People asking for counselling (summed over the months)"), requests
            ),
            total(
                "wellbeing.appointments",
                gettext_noop("People with appointments (summed over the months)"),
                appointments,
            ),
            total("wellbeing.check_ins", gettext_noop("People checking in (summed over the months)"), check_ins),
            Figure(
                "wellbeing.waiting_days",
                gettext_noop("Average days from a request to the first appointment"),
                days,
                "days",
                people=waited_people or None,
                better="lower",
            ),
        ],
        tables=tables,
        notes=[
            gettext_noop(
                "The wellbeing service is the university's: its anonymous statistics cover everyone it serves, "
                "by partner and role, and cannot be narrowed to a programme or a cohort. They are the twelve "
                "months to the report's date; no individual record is read."
            ),
            note,
        ],
    )
