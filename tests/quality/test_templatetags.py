"""The figures' template helpers (quality/templatetags/quality_figures.py), shared by the report, the public
version and the dashboard: values by unit in both languages, the change on the previous year (percentage
points for shares; better or worse by the figure's direction), hidden values in words, and the charts'
geometry (bars scaled to the largest value or to 100%, stacked rows to the largest total, hidden parts
drawn as nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from quality.figures import Column, Figure, Row, Table
from quality.templatetags.quality_figures import figure_change, format_value, table_cells, table_chart


@pytest.mark.parametrize(
    ("value", "unit", "english", "chinese"),
    [
        (1234, "count", "1,234", "1,234"),
        (0, "count", "0", "0"),
        (0.4256, "share", "42.6%", "42.6%"),
        (1, "share", "100%", "100%"),
        (1, "days", "1 day", "1 天"),
        (3.25, "days", "3.2 days", "3.2 天"),  # one decimal place
        (1200, "hours", "1,200 h", "1,200 小时"),
        (35000.5, "money", "¥35,000.5", "¥35,000.5"),
        (12, "credits", "12 credits", "12 学分"),
        (4.25, "score", "4.25", "4.25"),
        (None, "share", "—", "—"),
    ],
)
def test_values_read_in_their_unit(value: Any, unit: str, english: str, chinese: str) -> None:
    with translation.override("en"):
        assert format_value(value, unit) == english
    with translation.override("zh-hans"):
        assert format_value(value, unit) == chinese


def test_the_change_on_the_previous_year() -> None:
    share = Figure("k", "On track", 0.9, unit="share", better="higher")
    with translation.override("en"):
        assert figure_change(share, {"value": 0.8, "people": 50}) == {
            "previous": "80%",
            "change": "+10 pp",
            "direction": "up",
            "good": True,
            "hidden": False,
        }
        lead = {"key": "d", "value": 14, "unit": "days", "better": "lower"}
        change = figure_change(lead, {"value": 10, "people": 50})
        assert change is not None and (change["change"], change["good"]) == ("+4 days", False)
        flat = figure_change({"key": "n", "value": 5, "unit": "count", "better": ""}, 5)
        assert flat is not None and (flat["change"], flat["direction"], flat["good"]) == ("±0", "same", None)
        hidden = figure_change(share, {"value": None, "people": 3, "hidden": True})
        assert hidden is not None and hidden["hidden"] and hidden["previous"] is None
        assert figure_change(share, None) is None and figure_change(share, {"value": None}) is None


def test_bar_chart_scales_to_the_largest_value_and_shares_to_the_whole() -> None:
    table = Table(
        "t",
        "Hours by partner",
        [Column("h", "Hours", "hours")],
        [Row("A", [300]), Row("B", [150]), Row("C", [None])],
        chart="bar",
    )
    chart = table_chart(table)
    assert chart is not None
    widths = [[s["w"] for s in row["segments"]] for row in chart["rows"]]
    assert widths == [[chart["bar_w"]], [chart["bar_w"] / 2], []]
    assert [row["text"] for row in chart["rows"]] == ["300 h", "150 h", "—"]
    shares = Table("s", "Share", [Column("s", "Share", "share")], [Row("A", [0.25])], chart="bar")
    chart = table_chart(shares)
    assert chart is not None and chart["rows"][0]["segments"][0]["w"] == chart["bar_w"] / 4
    assert table_chart(Table("n", "No chart", [Column("a", "A")], [Row("A", [1])])) is None


def test_stacked_chart_hides_hidden_parts_and_has_a_legend() -> None:
    frozen: dict[str, Any] = {
        "key": "t",
        "label": "Findings by severity",
        "chart": "stacked",
        "columns": [
            {"key": "minor", "label": "Minor", "unit": "count"},
            {"key": "major", "label": "Major", "unit": "count"},
        ],
        "rows": [
            {"label": "Safety", "values": [30, 10], "people": [], "hidden": [False, False]},
            {"label": "Teaching", "values": [20, None], "people": [], "hidden": [False, True]},
        ],
    }
    with translation.override("en"):
        chart = table_chart(frozen, minimum=10)
        cells = table_cells(frozen["rows"][1], frozen["columns"])
    assert chart is not None
    assert [len(row["segments"]) for row in chart["rows"]] == [2, 1]
    assert chart["rows"][0]["segments"][0]["w"] + chart["rows"][0]["segments"][1]["w"] == chart["bar_w"]
    assert [row["text"] for row in chart["rows"]] == ["40", "hidden (fewer than 10 people)"]
    assert [item["text"] for item in chart["legend"]] == ["Minor", "Major"]
    assert [c["hidden"] for c in cells] == [False, True] and cells[1]["text"] == ""
