"""The API docs page works under the content security policy: nothing inline, its init script a file."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import World, client_for

pytestmark = pytest.mark.django_db


def test_docs_page_has_no_inline_script_or_style(world: World) -> None:
    response = client_for(world.users["office"]).get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all("src=" in attributes for attributes in scripts), scripts
    assert "script=" in html  # the init script is loaded from the same URL
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_docs_init_script_is_javascript_pointing_at_the_schema(world: World) -> None:
    response = client_for(world.users["office"]).get(reverse("api-docs") + "?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert reverse("api-schema") in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "in_nav"),
    [("office", True), ("coordinator_a", True), ("inspector", True), ("student_a", False), ("counsellor", False)],
)
def test_api_link_in_the_navigation_only_for_roles_that_use_it(world: World, persona: str, in_nav: bool) -> None:
    html = client_for(world.users[persona]).get(reverse("core:start")).content.decode()
    nav = html.split("<nav", 1)[1].split("</nav>", 1)[0]
    footer = html.split("<footer", 1)[1]
    assert (reverse("api-docs") in nav) is in_nav
    assert reverse("api-docs") in footer  # everyone keeps the footer link
