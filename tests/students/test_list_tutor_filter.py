"""The students list's tutor filter names only the tutors of students the reader may see (security issue 22:
it listed every tutor, with their user id, to anyone signed in, counsellors and students included)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from accounts.models import User
from students.models import Student
from tests.conftest import World, client_for
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tutor_b(world: World) -> User:
    """Student B's tutor (student A's is the ``tutor`` persona)."""
    user = UserFactory.create(username="tutor-b", full_name="Tutor of B")
    Student.objects.filter(pk=world.student_b.pk).update(tutor=user)
    return user


def _page(user: User | None, name: str = "students:list", **params: Any) -> Any:
    response = client_for(user).get(reverse(name), params)
    assert response.status_code == 200
    return response


def _offered(response: Any) -> list[User] | None:
    form = response.context["filter_form"]
    return list(form.fields["tutor"].queryset) if "tutor" in form.fields else None


@pytest.mark.parametrize("persona", ["counsellor", "inspector", "student_a", "student_b"])
def test_readers_without_other_students_get_no_tutor_filter(persona: str, world: World, tutor_b: User) -> None:
    response = _page(world.users[persona])

    assert _offered(response) is None
    html = response.content.decode()
    assert 'name="tutor"' not in html
    if persona != "student_b":  # student B's own row names their tutor
        assert tutor_b.display_name not in html


def test_a_coordinator_is_offered_the_tutors_of_the_students_placed_with_them_only(world: World, tutor_b: User) -> None:
    response = _page(world.users["coordinator_b"])

    assert _offered(response) == [tutor_b]
    html = response.content.decode()
    assert f'value="{world.users["tutor"].pk}"' not in html  # type: ignore[union-attr]
    assert world.users["tutor"].display_name not in html  # type: ignore[union-attr]


def test_the_office_is_offered_every_students_tutor(world: World, tutor_b: User) -> None:
    offered = _offered(_page(world.users["office"]))

    assert offered is not None
    assert set(offered) == {world.users["tutor"], tutor_b}


def test_the_at_risk_list_offers_the_same(world: World, tutor_b: User) -> None:
    assert _offered(_page(world.users["counsellor"], "students:at-risk")) is None
    assert _offered(_page(world.users["coordinator_b"], "students:at-risk")) == [tutor_b]


def test_a_tutor_filter_not_offered_matches_nobody(world: World) -> None:
    # A student who names their tutor in the address gets nothing, as with any tutor they may not choose.
    student = world.users["student_a"]

    assert [s.pk for s in _page(student).context["students"]] == [world.student_a.pk]
    assert list(_page(student, tutor=world.users["tutor"].pk).context["students"]) == []  # type: ignore[union-attr]


def test_a_tutor_out_of_scope_matches_nobody_like_an_unknown_one(world: World, tutor_b: User) -> None:
    coordinator = world.users["coordinator_b"]

    unknown = _page(coordinator, tutor=999_999).context["students"]
    out_of_scope = _page(coordinator, tutor=world.users["tutor"].pk).context["students"]  # type: ignore[union-attr]

    assert list(unknown) == list(out_of_scope) == []
    assert [s.pk for s in _page(coordinator, tutor=tutor_b.pk).context["students"]] == [world.student_b.pk]
