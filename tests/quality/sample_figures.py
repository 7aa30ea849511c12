"""A report's figures built by hand, in the frozen shape (``quality.indicators.figures_json``), with known
answers for the public version: a personal figure and table, small figures, cells and previous-year values,
a hidden cell that a shown figure (the column's sum) would give away, a total row, a zero, a drill link, a
figure about nobody in particular (money), charts of both kinds and an empty section."""

from __future__ import annotations

import copy
from typing import Any

from quality.figures import Column, Figure, Row, Section, Table, section_to_json


def sections() -> list[Section]:
    students = Section(
        key="students",
        title="Students",
        figures=[
            Figure("students.enrolled", "Enrolled", 120, people=120, drill="/students/?programme=1"),
            Figure("students.on_track", "On track", 0.875, unit="share", people=120, better="higher"),
            Figure("students.at_risk", "At risk", 35, people=35, better="lower"),
            Figure("students.suspended", "Suspended", 3, people=3),
            Figure("students.withdrawn", "Withdrawn", 0, people=0),
            Figure("students.named", "Student of the year", 1, people=1, personal=True),
            Figure("students.lead_time", "Plan approval lead time", 12.5, unit="days", people=40, better="lower"),
        ],
        tables=[
            # 35 at risk in all: the small "Hours behind" (3) would be 35 - 12 - 20 without a second hidden cell.
            Table(
                key="students.risk",
                label="At risk, by reason",
                columns=[Column("students", "Students")],
                rows=[
                    Row("Milestones late", [12], people=[12], key="late"),
                    Row("Hours behind", [3], people=[3], key="hours"),
                    Row("Plan not approved", [20], people=[20], key="plan"),
                    Row("Suspended supervisor", [0], people=[0], key="zero"),
                ],
                chart="bar",
            ),
            Table(
                key="students.named_list",
                label="Students at risk",
                columns=[Column("n", "Milestones late")],
                rows=[Row("Wang Fang", [2], people=[1])],
                personal=True,
            ),
        ],
        notes=["Counts are of students enrolled at any time in the year."],
    )
    process = Section(
        key="process",
        title="Training process",
        tables=[
            Table(
                key="process.by_partner",
                label="Practice hours by partner",
                columns=[
                    Column("placed", "Students placed"),
                    Column("hours", "Hours", unit="hours"),
                    Column("share", "Share of hours", unit="share"),
                ],
                rows=[
                    Row("Hospital A (附属医院)", [30, 1200, 0.6], people=[30, 30, 30]),
                    Row("Enterprise B", [5, 300, 0.15], people=[5, 5, 5]),
                    Row("Institute C", [12, 500, 0.25], people=[12, 12, 12]),
                    Row("Total", [47, 2000, 1.0], people=[47, 47, 47], translate=True, key="total"),
                ],
                chart="stacked",
            ),
            # Wide: seven columns and a name with no space to break at must still fit the paper.
            Table(
                key="process.milestones",
                label="Milestones by partner",
                columns=[Column(f"m{i}", f"Milestone {i} on time") for i in range(1, 8)],
                rows=[
                    Row(
                        "Biomedical-Engineering-Research-Institute-of-the-Provincial-Academy", [11] * 7, people=[11] * 7
                    ),
                    Row("Hospital A", [25] * 7, people=[25] * 7),
                ],
            ),
        ],
    )
    funds = Section(
        key="funds",
        title="Funds",
        figures=[
            Figure("funds.budget", "Budget", 350000, unit="money"),
            Figure("funds.spent", "Spent", 0.62, unit="share"),
        ],
        tables=[
            Table(
                key="funds.by_category",
                label="Spending by category",
                columns=[Column("spent", "Spent", unit="money")],
                rows=[Row("Equipment", [120000.5]), Row("Travel", [45000])],
                chart="bar",
            )
        ],
    )
    wellbeing = Section(key="wellbeing", title="Wellbeing service")
    return [students, process, funds, wellbeing]


def figures(year: int = 2025, programme: int = 1) -> dict[str, Any]:
    """The frozen figures: the sections above and the previous year's values."""
    return copy.deepcopy(
        {
            "frame": {"programme": programme, "cohort": None, "year": year, "as_of": f"{year}-12-31"},
            "sections": [section_to_json(s) for s in sections()],
            "previous": {
                "students.enrolled": {"value": 100, "people": 100},
                "students.on_track": {"value": 0.8, "people": 100},
                "students.at_risk": {"value": 6, "people": 6},
                "students.named": {"value": 1, "people": 1},
            },
        }
    )
