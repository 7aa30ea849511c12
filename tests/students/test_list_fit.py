"""The students list fits its reader (issue 18) and its large choices are searched, not listed (issue 19,
item 3): a supervisor with one student gets no filters and none of the office's buttons; a filter with
fewer than two choices is not shown; tutor, partner and supervisor are text fields that suggest at most 20
names among the reader's own choices (students:filter-choices) and filter by the typed name without
JavaScript; the page costs the same queries with 3 or 40 tutors and partners, and lists none of them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from programmes.models import Programme
from students.models import Student
from tests.conftest import World, client_for
from tests.factories.accounts import UserFactory
from tests.factories.partners import PartnerFactory
from tests.factories.programmes import ParticipationFactory, ProgrammeFactory
from tests.factories.students import StudentFactory

pytestmark = pytest.mark.django_db


def _html(user: User | None, name: str = "students:list", **params: Any) -> str:
    response = client_for(user).get(reverse(name), params)
    assert response.status_code == 200
    return str(response.content.decode())


def _filters(html: str) -> set[str]:
    """The names of the filter fields shown (hidden inputs excluded)."""
    if 'data-testid="student-filters"' not in html:
        return set()
    form = html.split('data-testid="student-filters"', 1)[1].split("</form>", 1)[0]
    shown = re.findall(r'<(?:select|input)(?![^>]*type="hidden")[^>]*name="([a-z_]+)"', form)
    return set(shown)


@pytest.fixture
def tutor_b(world: World) -> User:
    user = UserFactory.create(username="tutor-b", full_name="Zed Tutor of B")
    Student.objects.filter(pk=world.student_b.pk).update(tutor=user)
    return user


def test_a_supervisor_with_one_student_gets_no_filters_nor_the_offices_buttons(world: World) -> None:
    html = _html(world.users["supervisor_a"])

    assert world.student_a.student_number in html
    assert _filters(html) == set()
    assert reverse("students:approvals") not in html.split('id="main"', 1)[1]
    assert reverse("students:import") not in html


def test_the_office_gets_the_filters_with_two_choices_or_more(world: World, tutor_b: User) -> None:
    html = _html(world.users["office"])

    # Two tutors, two partners with students and two supervisors; one programme and one cohort only.
    assert _filters(html) == {"status", "plan_status", "at_risk", "tutor_name", "partner_name", "supervisor_name"}
    assert reverse("students:approvals") in html

    programme = ProgrammeFactory.create(lead_university=world.university)
    ParticipationFactory.create(programme=programme, partner=world.university)
    assert "programme" in _filters(_html(world.users["office"]))  # the new programme has no cohort yet


def test_a_filter_set_but_not_shown_is_kept_in_the_form(world: World) -> None:
    html = _html(world.users["office"], programme=world.programme.pk)

    assert "programme" not in _filters(html)
    assert f'<input type="hidden" name="programme" value="{world.programme.pk}">' in html


def test_large_choices_are_not_listed_and_cost_the_same_queries(world: World) -> None:
    client = client_for(world.users["office"])
    url = reverse("students:list")
    client.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    def more(count: int) -> None:
        for index in range(count):
            partner = PartnerFactory.create()
            ParticipationFactory.create(programme=world.programme, partner=partner)
            StudentFactory.create(programme=world.programme, cohort=world.student_a.cohort, tutor=UserFactory.create())
            assert index >= 0

    more(2)
    small = queries()
    more(38)
    large = queries()
    html = client.get(url).content.decode()

    assert large == small
    assert "<option" not in html.split('name="tutor_name"', 1)[1].split("</form>", 1)[0]
    assert Programme.objects.count() == 1


def test_suggestions_are_the_readers_own_choices_at_most_twenty(world: World, tutor_b: User) -> None:
    for index in range(25):
        UserFactory.create(full_name=f"Zed Many {index}", username=f"zed{index}")
        StudentFactory.create(programme=world.programme, tutor=User.objects.get(username=f"zed{index}"))
    office = client_for(world.users["office"])
    url = reverse("students:filter-choices", args=["tutor"])

    many = office.get(url, {"q": "zed"}).content.decode()
    assert many.count("data-pick-value=") == 20
    assert "type more of the name" in many
    one = office.get(url, {"tutor_name": "of B"}).content.decode()  # as htmx sends the field
    assert re.findall(r'data-pick-value="(\d+)"', one) == [str(tutor_b.pk)]

    coordinator_a = client_for(world.users["coordinator_a"])
    assert "Zed Tutor of B" not in coordinator_a.get(url, {"q": "zed"}).content.decode()
    assert 'data-testid="filter-choices-none"' in coordinator_a.get(url, {"q": "zed"}).content.decode()
    assert client_for(world.users["counsellor"]).get(url, {"q": "zed"}).status_code == 404
    assert office.get(reverse("students:filter-choices", args=["password"])).status_code == 404


def test_a_typed_name_filters_without_javascript_and_an_id_still_works(world: World, tutor_b: User) -> None:
    office = world.users["office"]

    by_name = _html(office, tutor_name="of b")
    assert world.student_b.student_number in by_name and world.student_a.student_number not in by_name
    by_id = _html(office, supervisor=world.users["supervisor_a"].pk)  # type: ignore[union-attr]
    assert world.student_a.student_number in by_id and world.student_b.student_number not in by_id
    assert 'value="' + world.users["supervisor_a"].display_name + '"' in by_id  # type: ignore[union-attr]
    by_partner = _html(office, partner_name=world.partner_b.name[:5])
    assert world.student_b.student_number in by_partner and world.student_a.student_number not in by_partner


def test_a_name_typed_for_a_filter_not_offered_matches_nobody(world: World) -> None:
    html = _html(world.users["student_a"], tutor_name="a")

    assert world.student_a.student_number not in html


def test_the_coordinators_card_links_to_their_own_partner(world: World) -> None:
    html = _html(world.users["coordinator_a"], "core:start")

    card = html.split('data-role="coordinator"', 1)[1].split("data-role=", 1)[0]
    assert f'href="{reverse("partners:detail", args=[world.partner_a.pk])}" data-testid="own-partner-link"' in card
    assert reverse("partners:detail", args=[world.partner_b.pk]) not in card


def test_one_word_for_the_administration(world: World) -> None:
    nav = _html(world.users["office"], "programmes:list").split('id="main-nav"', 1)[1].split("</ul>", 1)[0]

    assert ">Administration<" in nav and ">Admin<" not in nav
