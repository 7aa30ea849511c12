"""Choice fields say what to choose ("Choose a partner…"), never Django's bare "---------"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import World, client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "route"),
    [
        ("office", "supervision:plan"),
        ("office", "practice:rules"),
        ("office", "practice:reopen"),
        ("student_a", "practice:log"),
    ],
)
def test_no_bare_dashes_in_the_choices(world: World, persona: str, route: str) -> None:
    response = client_for(world.users[persona]).get(reverse(route))
    assert response.status_code == 200
    assert "---------" not in response.content.decode()
