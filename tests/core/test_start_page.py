"""The start page: one card per role the user holds, their partners, and the chosen language."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from partners.models import MembershipRole
from tests.conftest import World, client_for
from tests.factories.partners import MembershipFactory

pytestmark = pytest.mark.django_db

ROLE_OF = {
    "office": "office",
    "coordinator_a": "coordinator",
    "supervisor_a": "supervisor",
    "coordinator_b": "coordinator",
    "supervisor_b": "supervisor",
    "tutor": "tutor",
    "student_a": "student",
    "student_b": "student",
    "inspector": "inspector",
    "counsellor": "counsellor",
}


def _roles_shown(html: str) -> set[str]:
    return set(re.findall(r'data-role="([a-z_]+)"', html))


@pytest.mark.parametrize(("persona", "role"), sorted(ROLE_OF.items()))
def test_start_page_shows_the_persona_role_card_only(persona: str, role: str, world: World) -> None:
    response = client_for(world.users[persona]).get(reverse("core:start"))

    assert response.status_code == 200
    assert _roles_shown(response.content.decode()) == {role}


def test_coordinator_start_page_lists_own_partner(coordinator_a: User, world: World) -> None:
    html = client_for(coordinator_a).get(reverse("core:start")).content.decode()

    memberships = html.split('data-testid="my-memberships"', 1)[1]
    assert world.partner_a.name in memberships
    assert world.partner_b.name not in memberships
    assert reverse("partners:detail", args=[world.partner_a.pk]) in memberships
    assert "Coordinator" in memberships


def test_platform_role_start_page_says_no_partner(office: User, world: World) -> None:
    html = client_for(office).get(reverse("core:start")).content.decode()

    assert "You belong to no partner." in html
    assert "Your roles are platform-wide." in html


def test_person_with_two_roles_gets_both_cards(supervisor_a: User, world: World) -> None:
    MembershipFactory.create(user=supervisor_a, partner=world.university, role=MembershipRole.TUTOR)

    html = client_for(supervisor_a).get(reverse("core:start")).content.decode()

    assert _roles_shown(html) == {"supervisor", "tutor"}
    memberships = html.split('data-testid="my-memberships"', 1)[1]
    assert world.partner_a.name in memberships
    assert world.university.name in memberships


def test_ended_membership_is_not_on_the_start_page(coordinator_a: User, world: World) -> None:
    membership = coordinator_a.memberships.get()
    membership.start_date = membership.start_date.replace(year=2020)
    membership.end_date = membership.start_date.replace(year=2021)
    membership.save()

    html = client_for(coordinator_a).get(reverse("core:start")).content.decode()

    assert _roles_shown(html) == set()
    assert "You have no role in Tandem yet." in html


def test_anonymous_start_page_redirects_to_login(world: World) -> None:
    response = Client().get(reverse("core:start"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_start_page_is_english_by_default(tutor: User, world: World) -> None:
    html = client_for(tutor).get(reverse("core:start")).content.decode()

    assert '<html lang="en">' in html


def test_accept_language_chinese_renders_chinese_page(tutor: User, world: World) -> None:
    response = client_for(tutor).get(reverse("core:start"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert '<html lang="zh-hans">' in response.content.decode()
    assert response["Content-Language"] == "zh-hans"


def test_chosen_language_sticks_after_setlang(tutor: User, world: World) -> None:
    client = client_for(tutor)

    switched = client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("core:start")})

    assert switched.status_code == 302
    assert switched["Location"] == reverse("core:start")
    html = client.get(reverse("core:start")).content.decode()
    assert '<html lang="zh-hans">' in html
    back = client.post(reverse("set_language"), {"language": "en", "next": reverse("core:start")})
    assert back.status_code == 302
    assert '<html lang="en">' in client.get(reverse("core:start")).content.decode()
