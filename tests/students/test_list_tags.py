"""``{% student_row %}`` (students/templatetags/list_tags.py) writes its labels as ``{% translate %}`` writes
them: escaped, so a translation with ``&`` or a quote stays text inside the cells' ``data-label`` attributes.
The row's markup against the template it replaced is covered by the list pages' own tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from students.templatetags import list_tags


@pytest.fixture
def translated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every label translated to a text with markup characters; the labels' cache emptied before and after."""
    monkeypatch.setattr(list_tags, "gettext", lambda message: f'{message} & "co" <b>')
    monkeypatch.setattr(list_tags, "pgettext", lambda context, message: f"{message} & co")
    list_tags._labels.cache_clear()
    yield
    list_tags._labels.cache_clear()


def test_labels_are_escaped_as_the_translate_tag_escapes_them(translated: None) -> None:
    labels = list_tags._labels("xx")

    assert labels.programme == "Programme &amp; &quot;co&quot; &lt;b&gt;"
    assert labels.name == "Name &amp; co"
    assert labels.plans["draft"] == ("text-bg-secondary", "Draft &amp; &quot;co&quot; &lt;b&gt;")


def test_a_value_is_written_as_a_variable_is() -> None:
    assert list_tags._text('<a href="x">R&D</a>') == "&lt;a href=&quot;x&quot;&gt;R&amp;D&lt;/a&gt;"
    assert list_tags._text(2026) == "2026"
