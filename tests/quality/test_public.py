"""The public version of a report's figures (``quality.public.public_figures``), on figures built by hand
with known answers (tests/quality/sample_figures.py): nothing personal, no small cell, no hidden cell that a
shown total gives back, zeros shown, no drill links; and the same checks over any shape by a generic auditor."""

from __future__ import annotations

from typing import Any

import pytest

from quality.public import ADDITIVE_UNITS, TOTAL_KEY, public_figures
from tests.quality import sample_figures

MIN = 10


def _section(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(s for s in data["sections"] if s["key"] == key)


def _figure(data: dict[str, Any], section: str, key: str) -> dict[str, Any]:
    return next(f for f in _section(data, section)["figures"] if f["key"] == key)


def _table(data: dict[str, Any], section: str, key: str) -> dict[str, Any]:
    return next(t for t in _section(data, section)["tables"] if t["key"] == key)


def _column(table: dict[str, Any], index: int) -> list[Any]:
    return [row["values"][index] for row in table["rows"]]


def audit(original: dict[str, Any], public: dict[str, Any], minimum: int) -> None:
    """What must hold of any public version: no personal figure or table, no drill link, no value about
    1 to minimum - 1 people, hidden means no value, and no additive column with exactly one hidden cell
    beside a shown total (a total row, or a shown figure equal to the column's full sum)."""
    for section, before in zip(public["sections"], original["sections"], strict=True):
        full_figures = {f["key"]: f["value"] for f in before["figures"]}
        for figure in section["figures"]:
            assert not figure.get("personal") and not figure["drill"]
            if figure.get("people") and 0 < figure["people"] < minimum:
                assert figure["hidden"] and figure["value"] is None, figure
            if figure["hidden"]:
                assert figure["value"] is None
        originals = {t["key"]: t for t in before["tables"]}
        for table in section["tables"]:
            assert not table.get("personal")
            for row in table["rows"]:
                for value, people, hidden in zip(
                    row["values"], row["people"] or [None] * 9, row["hidden"], strict=False
                ):
                    if people and 0 < people < minimum:
                        assert hidden and value is None, (table["key"], row["label"])
                    if hidden:
                        assert value is None
            full = originals[table["key"]]
            for index, column in enumerate(table["columns"]):
                if column["unit"] not in ADDITIVE_UNITS:
                    continue
                body = [r for r in table["rows"] if r.get("key") != TOTAL_KEY]
                full_sum = sum(r["values"][index] or 0 for r in full["rows"] if r.get("key") != TOTAL_KEY)
                totals_shown = [not r["hidden"][index] for r in table["rows"] if r.get("key") == TOTAL_KEY] + [
                    not f["hidden"]
                    for f in section["figures"]
                    if full_figures.get(f["key"]) is not None and abs(full_figures[f["key"]] - full_sum) < 1e-9
                ]
                hidden_cells = sum(1 for r in body if r["hidden"][index])
                assert not (any(totals_shown) and hidden_cells == 1), (table["key"], column["key"])
    for key, entry in public["previous"].items():
        if entry.get("people") and 0 < entry["people"] < minimum:
            assert entry["hidden"] and entry["value"] is None, key


@pytest.fixture(scope="module")
def result() -> tuple[dict[str, Any], dict[str, Any]]:
    original = sample_figures.figures()
    return original, public_figures(original, minimum=MIN)


def test_public_version_drops_personal_figures_tables_and_drill_links(result: Any) -> None:
    original, public = result
    students = _section(public, "students")
    assert "students.named" not in {f["key"] for f in students["figures"]}
    assert "students.named_list" not in {t["key"] for t in students["tables"]}
    assert "students.named" not in public["previous"]
    assert all(f["drill"] == "" for s in public["sections"] for f in s["figures"])
    # The original is left as it was (the report keeps its full figures).
    assert _figure(original, "students", "students.enrolled")["drill"] == "/students/?programme=1"
    assert original == sample_figures.figures()


def test_public_version_hides_small_figures_and_previous_values_and_shows_zeros(result: Any) -> None:
    _original, public = result
    suspended = _figure(public, "students", "students.suspended")
    assert (suspended["value"], suspended["hidden"], suspended["people"]) == (None, True, 3)
    assert _figure(public, "students", "students.withdrawn")["value"] == 0
    assert _figure(public, "students", "students.withdrawn")["hidden"] is False
    assert _figure(public, "students", "students.enrolled")["value"] == 120
    assert _figure(public, "students", "students.at_risk")["value"] == 35
    assert _figure(public, "funds", "funds.budget")["value"] == 350000  # about nobody in particular
    assert public["previous"]["students.at_risk"] == {"value": None, "people": 6, "hidden": True}
    assert public["previous"]["students.enrolled"] == {"value": 100, "people": 100, "hidden": False}
    assert public["public"] == {"minimum": MIN}


def test_a_hidden_cell_that_a_shown_figure_would_give_back_takes_another_with_it(result: Any) -> None:
    _original, public = result
    risk = _table(public, "students", "students.risk")
    # 35 at risk are shown; "Hours behind" (3) is small; "Milestones late" (12), the smallest other, goes too.
    assert _column(risk, 0) == [None, None, 20, 0]
    assert [row["hidden"] for row in risk["rows"]] == [[True], [True], [False], [False]]


def test_a_hidden_cell_beside_a_total_row_takes_another_with_it_and_the_rows_shares(result: Any) -> None:
    _original, public = result
    partners = _table(public, "process", "process.by_partner")
    assert [row["values"] for row in partners["rows"]] == [
        [30, 1200, 0.6],
        [None, None, None],  # 5 people: every cell hidden
        [None, None, None],  # complementary: the smallest other count and hours, then its share
        [47, 2000, 1.0],
    ]


def test_the_rule_holds_for_other_minimums(result: Any) -> None:
    original, _public = result
    for minimum in (2, 5, 13, 40):
        audit(original, public_figures(original, minimum=minimum), minimum)


def test_the_default_minimum_is_the_setting(settings: Any) -> None:
    settings.QUALITY_MIN_CELL = 4
    public = public_figures(sample_figures.figures())
    assert public["public"] == {"minimum": 4}
    assert _figure(public, "students", "students.suspended")["value"] is None
    assert _table(public, "process", "process.by_partner")["rows"][1]["values"][0] == 5
