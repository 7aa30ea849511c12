"""The permission policy itself: scope(), can(), require(), object grants and denials."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import User
from accounts.roles import AnyUser
from core.models import AccessDenial
from partners import access
from partners.models import Membership, Partner, PartnerStatusChange, PartnerUserObjectPermission, Site
from tests.conftest import PERSONAS, World

pytestmark = pytest.mark.django_db


def _who(world: World, persona: str) -> AnyUser:
    user = world.users[persona]
    return AnonymousUser() if user is None else user


def _site_names(user: AnyUser) -> set[str]:
    return set(access.scope(Site.objects.all(), user).values_list("name", flat=True))


def _membership_users(user: AnyUser) -> set[str]:
    return set(access.scope(Membership.objects.all(), user).values_list("user__username", flat=True))


# Which partners' internal rows (sites, memberships) each persona reaches.
REACH: dict[str, str] = {
    "office": "all",
    "coordinator_a": "A",
    "supervisor_a": "A",
    "coordinator_b": "B",
    "supervisor_b": "B",
    "tutor": "all",
    "student_a": "none",
    "student_b": "none",
    "inspector": "none",
    "counsellor": "none",
    "anonymous": "none",
}


def _expected_pks(model: type[Site] | type[Membership], world: World, reach: str) -> set[int]:
    rows = model.objects.all()
    if reach == "A":
        rows = rows.filter(partner=world.partner_a)
    elif reach == "B":
        rows = rows.filter(partner=world.partner_b)
    elif reach == "none":
        rows = rows.none()
    return set(rows.values_list("pk", flat=True))


def test_reach_names_every_persona() -> None:
    assert set(REACH) == set(PERSONAS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_site_scope_is_exactly_the_sites_in_reach(persona: str, world: World) -> None:
    in_scope = set(access.scope(Site.objects.all(), _who(world, persona)).values_list("pk", flat=True))

    assert in_scope == _expected_pks(Site, world, REACH[persona])
    assert (world.site_a.pk in in_scope) == (REACH[persona] in {"A", "all"})
    assert (world.site_b.pk in in_scope) == (REACH[persona] in {"B", "all"})


@pytest.mark.parametrize("persona", PERSONAS)
def test_membership_scope_is_exactly_the_members_in_reach(persona: str, world: World) -> None:
    in_scope = set(access.scope(Membership.objects.all(), _who(world, persona)).values_list("pk", flat=True))

    assert in_scope == _expected_pks(Membership, world, REACH[persona])
    if REACH[persona] == "A":
        assert _membership_users(_who(world, persona)) == {"coordinator_a", "supervisor_a"}


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_every_signed_in_persona_sees_the_whole_directory(persona: str, world: World) -> None:
    assert access.scope(Partner.objects.all(), _who(world, persona)).count() == Partner.objects.count() >= 3


def test_anonymous_scope_is_empty_everywhere(world: World) -> None:
    anonymous = AnonymousUser()
    for model in (Partner, Site, Membership, PartnerStatusChange):
        assert not access.scope(model._default_manager.all(), anonymous).exists(), model.__name__
    assert not access.can(anonymous, "view", world.partner_a)


def test_inactive_user_reaches_nothing(coordinator_a: User, world: World) -> None:
    coordinator_a.is_active = False
    coordinator_a.save()

    assert not access.scope(Site.objects.all(), coordinator_a).exists()
    assert not access.can(coordinator_a, "change", world.partner_a)


def test_coordinator_can_change_own_partner_only(coordinator_a: User, world: World) -> None:
    assert access.can(coordinator_a, "change", world.partner_a)
    assert not access.can(coordinator_a, "change", world.partner_b)
    assert list(access.scope(Partner.objects.all(), coordinator_a, "change")) == [world.partner_a]


def test_supervisor_reads_but_cannot_change_own_site(supervisor_a: User, world: World) -> None:
    assert access.can(supervisor_a, "view", world.site_a)
    assert not access.can(supervisor_a, "change", world.site_a)


def test_create_partner_is_office_only_on_the_model(office: User, coordinator_a: User) -> None:
    assert access.can(office, "create", Partner)
    assert not access.can(coordinator_a, "create", Partner)


# --- Object grants ----------------------------------------------------------------------------------


def test_grant_lets_inspector_see_partner_sites_and_members(inspector: User, world: World) -> None:
    assert _site_names(inspector) == set()

    access.grant_partner_view(
        user=inspector, partner=world.partner_a, until=timezone.now() + datetime.timedelta(hours=1)
    )

    assert _site_names(inspector) == {"Imaging A"}
    assert _membership_users(inspector) == {"coordinator_a", "supervisor_a"}
    assert access.can(inspector, "view_internal", world.partner_a)
    assert not access.can(inspector, "view_internal", world.partner_b)
    assert not access.can(inspector, "change", world.partner_a)


def test_expired_grant_shows_nothing(inspector: User, world: World) -> None:
    access.grant_partner_view(
        user=inspector, partner=world.partner_a, until=timezone.now() - datetime.timedelta(minutes=1)
    )

    assert PartnerUserObjectPermission.objects.filter(user=inspector).exists()
    assert _site_names(inspector) == set()
    assert not access.can(inspector, "view_internal", world.partner_a)


def test_end_partner_grants_removes_access(inspector: User, world: World) -> None:
    access.grant_partner_view(
        user=inspector, partner=world.partner_a, until=timezone.now() + datetime.timedelta(hours=1)
    )
    assert _site_names(inspector) == {"Imaging A"}

    ended = access.end_partner_grants(partner=world.partner_a)

    assert ended == 1
    assert _site_names(inspector) == set()
    assert access.end_partner_grants(partner=world.partner_a) == 0


def test_end_partner_grants_for_one_user_keeps_the_others(inspector: User, counsellor: User, world: World) -> None:
    until = timezone.now() + datetime.timedelta(hours=1)
    access.grant_partner_view(user=inspector, partner=world.partner_a, until=until)
    access.grant_partner_view(user=counsellor, partner=world.partner_a, until=until)

    assert access.end_partner_grants(partner=world.partner_a, user=inspector) == 1

    assert _site_names(inspector) == set()
    assert _site_names(counsellor) == {"Imaging A"}


def test_granting_again_extends_the_same_grant(inspector: User, world: World) -> None:
    access.grant_partner_view(
        user=inspector, partner=world.partner_a, until=timezone.now() - datetime.timedelta(days=1)
    )
    access.grant_partner_view(
        user=inspector, partner=world.partner_a, until=timezone.now() + datetime.timedelta(days=1)
    )

    assert PartnerUserObjectPermission.objects.filter(user=inspector).count() == 1
    assert _site_names(inspector) == {"Imaging A"}


# --- Denials and errors -----------------------------------------------------------------------------


def test_require_denial_writes_access_denial_row(coordinator_b: User, world: World) -> None:
    before = AccessDenial.objects.count()

    with pytest.raises(PermissionDenied):
        access.require(coordinator_b, "change", world.partner_a)

    assert AccessDenial.objects.count() == before + 1
    denial = AccessDenial.objects.latest("at")
    assert denial.user_id == coordinator_b.pk
    assert denial.action == "change"
    assert denial.target == f"Partner:{world.partner_a.pk}"


def test_require_allowed_writes_no_denial(coordinator_a: User, world: World) -> None:
    before = AccessDenial.objects.count()

    access.require(coordinator_a, "change", world.partner_a)

    assert AccessDenial.objects.count() == before


def test_unknown_action_raises_value_error(office: User, world: World) -> None:
    with pytest.raises(ValueError, match="teleport"):
        access.scope(Site.objects.all(), office, "teleport")
    with pytest.raises(ValueError, match="teleport"):
        access.can(office, "teleport", world.partner_a)


def test_model_without_policy_raises_value_error(office: User) -> None:
    with pytest.raises(ValueError, match="AccessDenial"):
        access.scope(AccessDenial.objects.all(), office)
