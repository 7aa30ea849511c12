"""Ending a membership takes effect at once: the person loses access the moment it is ended, in pages and
the API alike, also for a membership that started today (which cannot be backdated)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from partners import access, services
from partners.models import Membership, MembershipRole
from tests.conftest import World, api_client_for, client_for
from tests.factories.accounts import UserFactory
from tests.factories.partners import MembershipFactory

pytestmark = pytest.mark.django_db

MEMBERSHIPS = "/api/v1/memberships/"


def _supervisor_membership(world: World) -> Membership:
    return Membership.objects.get(partner=world.partner_a, role=MembershipRole.SUPERVISOR)


def _sees_partner_a(user: User, world: World) -> bool:
    return access.can(user, "view", world.site_a)


@pytest.mark.parametrize("started_days_ago", [0, 30])
def test_ending_through_the_api_takes_effect_at_once(
    started_days_ago: int, coordinator_a: User, supervisor_a: User, world: World
) -> None:
    membership = _supervisor_membership(world)
    Membership.objects.filter(pk=membership.pk).update(
        start_date=timezone.localdate() - datetime.timedelta(days=started_days_ago)
    )
    assert _sees_partner_a(supervisor_a, world)

    response = api_client_for(coordinator_a).post(f"{MEMBERSHIPS}{membership.pk}/end/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["end_date"] == timezone.localdate().isoformat()
    assert response.json()["is_active"] is False
    assert not _sees_partner_a(supervisor_a, world)
    assert api_client_for(supervisor_a).get(f"/api/v1/sites/{world.site_a.pk}/").status_code == 404
    assert not Membership.objects.active().filter(pk=membership.pk).exists()
    listed = api_client_for(coordinator_a).get(MEMBERSHIPS, {"active": "true"}).json()["results"]
    assert membership.pk not in {row["id"] for row in listed}


def test_ending_on_the_page_takes_effect_at_once_and_the_row_shows_it_ended(
    coordinator_a: User, supervisor_a: User, world: World
) -> None:
    membership = _supervisor_membership(world)
    client = client_for(coordinator_a)

    response = client.post(
        reverse("partners:membership-end", args=[membership.pk]),
        {"end_date": timezone.localdate().isoformat(), "reason": "Left today"},
    )

    assert response.status_code == 302
    assert not _sees_partner_a(supervisor_a, world)
    assert client_for(supervisor_a).get(reverse("partners:site-edit", args=[world.site_a.pk])).status_code == 404
    detail = client.get(reverse("partners:detail", args=[world.partner_a.pk])).context
    assert membership.pk not in {m.pk for m in detail["memberships"]}
    with_ended = client.get(reverse("partners:detail", args=[world.partner_a.pk]), {"ended": "1"})
    html = with_ended.content.decode()
    assert reverse("partners:membership-end", args=[membership.pk]) not in html
    assert '<tr class="text-muted">' in html


def test_a_membership_started_today_can_be_ended_today_and_grants_nothing(coordinator_a: User, world: World) -> None:
    newcomer = UserFactory.create(username="mistaken")
    membership = services.membership_create(
        partner=world.partner_a, user=newcomer, role=MembershipRole.STAFF, by=coordinator_a
    )
    assert _sees_partner_a(newcomer, world)

    ended = services.membership_end(membership=membership, by=coordinator_a)

    assert ended.start_date == ended.end_date == timezone.localdate()
    assert ended.ended_at is not None
    assert not _sees_partner_a(newcomer, world)
    assert not ended.is_active_on()
    assert ended.has_ended


def test_it_was_in_force_on_the_days_before(coordinator_a: User, world: World) -> None:
    membership = _supervisor_membership(world)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Membership.objects.filter(pk=membership.pk).update(start_date=yesterday - datetime.timedelta(days=5))

    ended = services.membership_end(membership=membership, by=coordinator_a)

    assert Membership.objects.active(yesterday).filter(pk=ended.pk).exists()
    assert ended.is_active_on(yesterday)
    assert not Membership.objects.active().filter(pk=ended.pk).exists()


def test_ending_on_a_later_day_keeps_access_until_that_day(
    coordinator_a: User, supervisor_a: User, world: World
) -> None:
    membership = _supervisor_membership(world)
    last_day = timezone.localdate() + datetime.timedelta(days=7)

    ended = services.membership_end(membership=membership, by=coordinator_a, end_date=last_day)

    assert ended.ended_at is None
    assert _sees_partner_a(supervisor_a, world)
    assert Membership.objects.active(last_day).filter(pk=ended.pk).exists()
    assert not Membership.objects.active(last_day + datetime.timedelta(days=1)).filter(pk=ended.pk).exists()


def test_a_planned_end_can_be_brought_forward_to_now(coordinator_a: User, supervisor_a: User, world: World) -> None:
    membership = _supervisor_membership(world)
    services.membership_end(
        membership=membership, by=coordinator_a, end_date=timezone.localdate() + datetime.timedelta(days=7)
    )

    services.membership_end(membership=membership, by=coordinator_a)

    assert not _sees_partner_a(supervisor_a, world)


def test_a_membership_whose_last_day_is_today_can_be_ended_now(
    coordinator_a: User, supervisor_a: User, world: World
) -> None:
    membership = _supervisor_membership(world)
    Membership.objects.filter(pk=membership.pk).update(end_date=timezone.localdate())
    assert _sees_partner_a(supervisor_a, world)

    services.membership_end(membership=membership, by=coordinator_a)

    assert not _sees_partner_a(supervisor_a, world)


def test_an_ended_membership_cannot_be_ended_again_or_extended(coordinator_a: User, world: World) -> None:
    membership = _supervisor_membership(world)
    services.membership_end(membership=membership, by=coordinator_a)

    for end_date in (None, timezone.localdate() + datetime.timedelta(days=3)):
        with pytest.raises(ValidationError) as error:
            services.membership_end(membership=membership, by=coordinator_a, end_date=end_date)
        assert list(error.value.message_dict) == ["end_date"]


def test_a_person_ended_by_mistake_can_be_added_again_the_same_day(coordinator_a: User, world: World) -> None:
    person = UserFactory.create(username="ended-by-mistake")
    first = MembershipFactory.create(user=person, partner=world.partner_a, role=MembershipRole.STAFF)
    services.membership_end(membership=first, by=coordinator_a)
    assert not _sees_partner_a(person, world)

    again = services.membership_create(
        partner=world.partner_a, user=person, role=MembershipRole.STAFF, by=coordinator_a
    )

    assert again.pk != first.pk
    assert _sees_partner_a(person, world)


def test_a_planned_end_today_still_overlaps_a_new_membership_today(coordinator_a: User, world: World) -> None:
    person = UserFactory.create(username="last-day-today")
    MembershipFactory.create(
        user=person, partner=world.partner_a, role=MembershipRole.STAFF, end_date=timezone.localdate()
    )

    with pytest.raises(ValidationError):
        services.membership_create(partner=world.partner_a, user=person, role=MembershipRole.STAFF, by=coordinator_a)
