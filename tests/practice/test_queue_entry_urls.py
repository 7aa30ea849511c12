"""The sign-off queue's approve and reject addresses, reversed once and filled with each entry's id
(``practice_tags._entry_url``): the same as ``reverse`` for every entry, behind a script prefix too."""

from __future__ import annotations

import pytest
from django.urls import reverse, set_script_prefix

from practice.templatetags.practice_tags import _entry_url


@pytest.mark.parametrize("prefix", ["/", "/tandem/"])
@pytest.mark.parametrize("name", ["practice:approve", "practice:reject"])
def test_an_entry_address_is_what_reverse_answers(name: str, prefix: str) -> None:
    set_script_prefix(prefix)
    try:
        for pk in (1, 42, 987_654_321, 2_000_000_001):
            assert _entry_url(name, pk) == reverse(name, args=[pk])
    finally:
        set_script_prefix("/")
