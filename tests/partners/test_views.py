"""Partner pages: directory, create and edit, status, memberships, and what each persona sees."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from partners.models import Membership, MembershipRole, Partner, PartnerKind, PartnerStatus, PartnerStatusChange
from partners.services import DEFAULT_RESPONSIBILITIES
from tests.conftest import World, client_for
from tests.factories.accounts import UserFactory
from tests.factories.partners import MembershipFactory, PartnerFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _listed(response: Any) -> set[str]:
    return {partner.name for partner in response.context["partners"]}


# --- Directory --------------------------------------------------------------------------------------


def test_directory_filters_by_kind(student_a: User, world: World) -> None:
    response = client_for(student_a).get(reverse("partners:list"), {"kind": PartnerKind.HOSPITAL})

    assert response.status_code == 200
    assert _listed(response) == set(Partner.objects.filter(kind=PartnerKind.HOSPITAL).values_list("name", flat=True))
    assert "Hospital A" in _listed(response)
    assert "Enterprise B" not in _listed(response)
    assert "Enterprise B" not in response.content.decode()


def test_directory_filters_by_status(office: User, world: World) -> None:
    Partner.objects.filter(pk=world.partner_b.pk).update(status=PartnerStatus.SUSPENDED)

    response = client_for(office).get(reverse("partners:list"), {"status": PartnerStatus.SUSPENDED})

    assert _listed(response) == {"Enterprise B"}


def test_directory_searches_name_and_short_name(tutor: User, world: World) -> None:
    client = client_for(tutor)

    assert _listed(client.get(reverse("partners:list"), {"q": "hospital"})) == {"Hospital A"}
    assert _listed(client.get(reverse("partners:list"), {"q": "ENT-B"})) == {"Enterprise B"}
    empty = client.get(reverse("partners:list"), {"q": "no such partner"})
    assert _listed(empty) == set()
    assert "No partner matches these filters." in empty.content.decode()


def test_directory_shows_new_partner_button_to_office_only(office: User, coordinator_a: User, world: World) -> None:
    create_url = reverse("partners:create")

    assert create_url in client_for(office).get(reverse("partners:list")).content.decode()
    assert create_url not in client_for(coordinator_a).get(reverse("partners:list")).content.decode()


# --- Create and edit --------------------------------------------------------------------------------


def test_office_creates_partner_through_the_form(office: User, world: World) -> None:
    response = client_for(office).post(
        reverse("partners:create"),
        {"name": "Huaxin Research Institute", "short_name": "HRI", "kind": PartnerKind.RESEARCH_INSTITUTE},
    )

    partner = Partner.objects.get(short_name="HRI")
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:detail", args=[partner.pk])
    assert partner.responsibilities == DEFAULT_RESPONSIBILITIES[PartnerKind.RESEARCH_INSTITUTE]
    assert PartnerStatusChange.objects.filter(partner=partner, changed_by=office).count() == 1


def test_invalid_create_keeps_typed_values_and_shows_field_error(office: User, world: World) -> None:
    response = client_for(office).post(
        reverse("partners:create"),
        {
            "name": "Typed Hospital Name",
            "short_name": "TYPED",
            "kind": PartnerKind.HOSPITAL,
            "contact_email": "not-an-email",
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Typed Hospital Name"' in html
    assert 'value="not-an-email"' in html
    assert "Enter a valid email address." in html
    assert response.context["form"].errors["contact_email"]
    assert not Partner.objects.filter(short_name="TYPED").exists()


def test_non_office_cannot_open_create_page(coordinator_a: User, world: World) -> None:
    client = client_for(coordinator_a)

    assert client.get(reverse("partners:create")).status_code == 404
    response = client.post(reverse("partners:create"), {"name": "Sneaky", "short_name": "SNK", "kind": "hospital"})
    assert response.status_code == 404
    assert not Partner.objects.filter(short_name="SNK").exists()


def test_coordinator_edits_own_partner(coordinator_a: User, world: World) -> None:
    url = reverse("partners:edit", args=[world.partner_a.pk])
    client = client_for(coordinator_a)
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {"name": "Hospital A", "short_name": "HOSP-A", "kind": PartnerKind.HOSPITAL, "contact_name": "Dr Li Na"},
    )

    assert response.status_code == 302
    assert Partner.objects.get(pk=world.partner_a.pk).contact_name == "Dr Li Na"


def test_coordinator_cannot_edit_other_partner(coordinator_b: User, world: World) -> None:
    url = reverse("partners:edit", args=[world.partner_a.pk])
    client = client_for(coordinator_b)

    assert client.get(url).status_code == 404
    response = client.post(url, {"name": "Taken Over", "short_name": "HOSP-A", "kind": PartnerKind.HOSPITAL})

    assert response.status_code == 404
    partner = Partner.objects.get(pk=world.partner_a.pk)
    assert partner.name == "Hospital A"


def test_invalid_edit_shows_error_and_changes_nothing(coordinator_a: User, world: World) -> None:
    response = client_for(coordinator_a).post(
        reverse("partners:edit", args=[world.partner_a.pk]),
        {"name": "Renamed A", "short_name": "HOSP-A", "kind": PartnerKind.HOSPITAL, "contact_email": "nope"},
    )

    assert response.status_code == 200
    assert 'value="Renamed A"' in response.content.decode()
    assert Partner.objects.get(pk=world.partner_a.pk).name == "Hospital A"


# --- Status -----------------------------------------------------------------------------------------


def test_status_change_page_requires_reason(office: User, world: World) -> None:
    response = client_for(office).post(
        reverse("partners:status", args=[world.partner_a.pk]), {"status": PartnerStatus.PROBATION, "reason": "  "}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert "This field is required." in response.content.decode()
    assert Partner.objects.get(pk=world.partner_a.pk).status == PartnerStatus.ACTIVE
    assert not PartnerStatusChange.objects.filter(partner=world.partner_a).exists()


def test_status_change_page_refuses_same_status_on_the_form(office: User, world: World) -> None:
    response = client_for(office).post(
        reverse("partners:status", args=[world.partner_a.pk]), {"status": PartnerStatus.ACTIVE, "reason": "Again."}
    )

    assert response.status_code == 200
    assert "The partner already has this status." in response.content.decode()
    assert not PartnerStatusChange.objects.filter(partner=world.partner_a).exists()


def test_office_changes_status_through_the_page(office: User, world: World) -> None:
    response = client_for(office).post(
        reverse("partners:status", args=[world.partner_a.pk]),
        {"status": PartnerStatus.SUSPENDED, "reason": "Licence withdrawn."},
    )

    assert response.status_code == 302
    assert Partner.objects.get(pk=world.partner_a.pk).status == PartnerStatus.SUSPENDED
    detail = client_for(office).get(reverse("partners:detail", args=[world.partner_a.pk])).content.decode()
    assert "Licence withdrawn." in detail


def test_coordinator_cannot_change_own_partner_status(coordinator_a: User, world: World) -> None:
    response = client_for(coordinator_a).post(
        reverse("partners:status", args=[world.partner_a.pk]), {"status": PartnerStatus.PROBATION, "reason": "x"}
    )

    assert response.status_code == 404
    assert Partner.objects.get(pk=world.partner_a.pk).status == PartnerStatus.ACTIVE


# --- Sites and memberships --------------------------------------------------------------------------


def test_coordinator_adds_site_through_the_page(coordinator_a: User, world: World) -> None:
    response = client_for(coordinator_a).post(
        reverse("partners:site-create", args=[world.partner_a.pk]), {"name": "MR Suite", "capacity": "3"}
    )

    assert response.status_code == 302
    assert world.partner_a.sites.filter(name="MR Suite", capacity=3).exists()


def test_site_capacity_zero_shows_error_on_the_capacity_field(coordinator_a: User, world: World) -> None:
    response = client_for(coordinator_a).post(
        reverse("partners:site-create", args=[world.partner_a.pk]), {"name": "Closet", "capacity": "0"}
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["capacity"]
    assert 'value="Closet"' in response.content.decode()
    assert not world.partner_a.sites.filter(name="Closet").exists()


def test_coordinator_cannot_add_site_to_other_partner_page(coordinator_b: User, world: World) -> None:
    response = client_for(coordinator_b).post(
        reverse("partners:site-create", args=[world.partner_a.pk]), {"name": "Annex", "capacity": "3"}
    )

    assert response.status_code == 404
    assert not world.partner_a.sites.filter(name="Annex").exists()


def test_coordinator_adds_and_ends_membership_through_the_pages(
    coordinator_a: User, counsellor: User, world: World
) -> None:
    client = client_for(coordinator_a)
    today = timezone.localdate()

    added = client.post(
        reverse("partners:membership-create", args=[world.partner_a.pk]),
        {"user": counsellor.pk, "role": MembershipRole.STAFF, "start_date": today.isoformat()},
    )

    assert added.status_code == 302
    membership = Membership.objects.get(user=counsellor, partner=world.partner_a)
    assert (membership.role, membership.start_date, membership.end_date) == (MembershipRole.STAFF, today, None)

    ended = client.post(
        reverse("partners:membership-end", args=[membership.pk]),
        {"end_date": today.isoformat(), "reason": "Project finished"},
    )

    assert ended.status_code == 302
    assert ended["Location"] == reverse("partners:detail", args=[world.partner_a.pk])
    membership.refresh_from_db()
    assert membership.end_date == today
    assert membership.ended_reason == "Project finished"


def test_adding_overlapping_membership_shows_error_on_the_form(
    coordinator_a: User, supervisor_a: User, world: World
) -> None:
    before = Membership.objects.count()

    response = client_for(coordinator_a).post(
        reverse("partners:membership-create", args=[world.partner_a.pk]),
        {"user": supervisor_a.pk, "role": MembershipRole.SUPERVISOR, "start_date": timezone.localdate().isoformat()},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["user"]
    assert Membership.objects.count() == before


def test_coordinator_cannot_end_membership_at_other_partner_page(coordinator_b: User, world: World) -> None:
    membership = Membership.objects.get(partner=world.partner_a, role=MembershipRole.SUPERVISOR)

    response = client_for(coordinator_b).post(
        reverse("partners:membership-end", args=[membership.pk]), {"end_date": timezone.localdate().isoformat()}
    )

    assert response.status_code == 404
    assert Membership.objects.get(pk=membership.pk).end_date is None


# --- Detail page ------------------------------------------------------------------------------------


def test_student_sees_partner_details_but_no_members(student_a: User, world: World) -> None:
    response = client_for(student_a).get(reverse("partners:detail", args=[world.partner_a.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Hospital A" in html
    assert 'data-testid="members"' not in html
    assert 'data-testid="sites"' not in html
    assert "memberships" not in response.context


def test_supervisor_sees_own_partner_members(supervisor_a: User, coordinator_a: User, world: World) -> None:
    response = client_for(supervisor_a).get(reverse("partners:detail", args=[world.partner_a.pk]))

    html = response.content.decode()
    assert 'data-testid="members"' in html
    assert coordinator_a.display_name in html
    assert 'data-testid="sites"' in html
    assert reverse("partners:membership-create", args=[world.partner_a.pk]) not in html


def test_supervisor_of_other_partner_sees_no_members(supervisor_b: User, world: World) -> None:
    html = client_for(supervisor_b).get(reverse("partners:detail", args=[world.partner_a.pk])).content.decode()

    assert 'data-testid="members"' not in html


# --- Query counts -----------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_partner_list_query_count_does_not_grow(coordinator_a: User, world: World) -> None:
    client = client_for(coordinator_a)
    url = reverse("partners:list")
    client.get(url)  # the first request sets the session's idle clock
    PartnerFactory.create_batch(3)
    small = _queries(client, url)

    for partner in PartnerFactory.create_batch(30):
        SiteFactory.create_batch(2, partner=partner)
    large = _queries(client, url)

    assert small == large


def test_partner_detail_query_count_does_not_grow(supervisor_a: User, world: World) -> None:
    client = client_for(supervisor_a)
    url = reverse("partners:detail", args=[world.partner_a.pk])
    client.get(url)
    MembershipFactory.create_batch(3, partner=world.partner_a, role=MembershipRole.STAFF)
    small = _queries(client, url)

    MembershipFactory.create_batch(27, partner=world.partner_a, role=MembershipRole.STAFF)
    SiteFactory.create_batch(10, partner=world.partner_a)
    large = _queries(client, url)

    assert Membership.objects.filter(partner=world.partner_a).count() >= 30
    assert small == large


def test_members_added_later_appear_on_the_detail_page(coordinator_a: User, world: World) -> None:
    newcomer = UserFactory.create(username="newcomer", full_name="Newcomer Person")
    MembershipFactory.create(user=newcomer, partner=world.partner_a, role=MembershipRole.STAFF)

    html = client_for(coordinator_a).get(reverse("partners:detail", args=[world.partner_a.pk])).content.decode()

    assert "Newcomer Person" in html
