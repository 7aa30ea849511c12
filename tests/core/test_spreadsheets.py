"""core.spreadsheets: the CSV formula neutraliser and its removal are exact inverses."""

from __future__ import annotations

import pytest

from core.spreadsheets import FORMULA_START, neutralise, unneutralise

SAMPLES = [
    "",
    "Li Ming",
    "'s-Hertogenbosch",
    "'",
    "''",
    "don't",
    *(f"{start}1+1" for start in FORMULA_START),
    *(f"'{start}1+1" for start in FORMULA_START),
    *(f"''{start}x" for start in FORMULA_START),
]


@pytest.mark.parametrize("text", SAMPLES)
def test_what_the_export_writes_the_import_reads_back_exactly(text: str) -> None:
    assert unneutralise(neutralise(text)) == text


@pytest.mark.parametrize("start", FORMULA_START)
def test_text_a_spreadsheet_would_run_gets_one_apostrophe(start: str) -> None:
    assert neutralise(f"{start}SUM(A1)") == f"'{start}SUM(A1)"
    assert neutralise(f"'{start}SUM(A1)") == f"''{start}SUM(A1)"


@pytest.mark.parametrize("text", ["Li Ming", "'s-Hertogenbosch", "'plain", "2026", "a=b"])
def test_other_text_is_written_and_read_as_it_is(text: str) -> None:
    assert neutralise(text) == text
    assert unneutralise(text) == text
