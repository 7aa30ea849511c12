"""The engine remembers a user object's rules and compiled scopes, and forgets them on any write.

``partners.access`` keeps what one user's rules came to on the user object (a request's) and compiles a
rule's UNION once per shape for everybody. Nothing remembered may outlive a change: a membership granted,
ended by ``save()`` or by ``update()``, a grant given, all seen at once through the same user object.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from partners import access
from partners.models import Membership, MembershipRole
from practice.models import PracticeLog
from students.models import Placement, Student
from tests.conftest import World
from tests.factories.partners import MembershipFactory
from tests.factories.practice import PracticeLogFactory

pytestmark = pytest.mark.django_db


def _u(world: World, persona: str) -> User:
    user = world.users[persona]
    assert user is not None
    return user


def test_a_rule_is_built_once_per_user_object_until_something_is_written(world: World) -> None:
    supervisor = _u(world, "supervisor_a")

    first = access._rule(supervisor, "view", Student)
    assert access._rule(supervisor, "view", Student) is first
    assert access._rule(_u(world, "supervisor_b"), "view", Student) is not first

    Membership.objects.filter(user=supervisor).update(role=MembershipRole.SUPERVISOR)  # a write, even a no-op
    assert access._rule(supervisor, "view", Student) is not first


def test_a_membership_granted_then_read_through_the_same_user_object(world: World) -> None:
    supervisor = _u(world, "supervisor_b")
    assert not access.scope(Student.objects.all(), supervisor).filter(pk=world.student_a.pk).exists()
    assert not access.can(supervisor, "view", world.site_a)

    MembershipFactory.create(user=supervisor, partner=world.partner_a, role=MembershipRole.COORDINATOR)

    assert access.scope(Student.objects.all(), supervisor).filter(pk=world.student_a.pk).exists()
    assert access.can(supervisor, "view", world.site_a)


def test_a_membership_ended_by_update_is_seen_at_once(world: World) -> None:
    coordinator = _u(world, "coordinator_a")
    log = PracticeLogFactory.create(placement=world.placement_a)
    assert list(access.scope(PracticeLog.objects.all(), coordinator)) == [log]

    Membership.objects.filter(user=coordinator).update(
        end_date=timezone.localdate(), ended_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    assert list(access.scope(PracticeLog.objects.all(), coordinator)) == []
    assert not access.can(coordinator, "view", log)


def test_a_grant_given_and_ended_is_seen_at_once(world: World) -> None:
    inspector = _u(world, "inspector")
    assert not access.scope(Placement.objects.all(), inspector).exists()

    access.grant_partner_view(
        user=inspector, partner=world.partner_b, until=timezone.now() + datetime.timedelta(days=1)
    )
    assert list(access.scope(Placement.objects.all(), inspector)) == [world.placement_b]

    access.end_partner_grants(partner=world.partner_b)
    assert not access.scope(Placement.objects.all(), inspector).exists()


def test_users_of_one_shape_share_the_sql_but_not_the_values(world: World) -> None:
    """Both coordinators' rules have the same shape: one compiled UNION, each with their own partner."""
    seen = {
        persona: set(access.scope(Placement.objects.all(), _u(world, persona)).values_list("pk", flat=True))
        for persona in ("coordinator_a", "coordinator_b", "student_a", "student_b", "tutor")
    }

    assert seen == {
        "coordinator_a": {world.placement_a.pk},
        "coordinator_b": {world.placement_b.pk},
        "student_a": {world.placement_a.pk},
        "student_b": {world.placement_b.pk},
        "tutor": {world.placement_a.pk},
    }
    shapes = len(access._SHAPES)
    access.scope(Placement.objects.all(), _u(world, "coordinator_b")).exists()  # (a new user object's memo)
    access.forget()
    access.scope(Placement.objects.all(), _u(world, "coordinator_a")).exists()
    assert len(access._SHAPES) == shapes


def test_a_remembered_rule_expires(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    student = _u(world, "student_a")
    first = access._rule(student, "view", Student)

    monkeypatch.setattr(access, "MEMO_SECONDS", -1.0)

    assert access._rule(student, "view", Student) is not first
