"""The partners API: scoping, writes through services, the error format, tokens, filters, query counts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from partners.models import (
    Membership,
    MembershipRole,
    Partner,
    PartnerKind,
    PartnerStatus,
    PartnerStatusChange,
    Site,
)
from partners.services import DEFAULT_RESPONSIBILITIES
from tests.conftest import PERSONAS, World, api_client_for
from tests.factories.accounts import UserFactory
from tests.factories.partners import MembershipFactory, PartnerFactory, SiteFactory

pytestmark = pytest.mark.django_db

PARTNERS = "/api/v1/partners/"
SITES = "/api/v1/sites/"
MEMBERSHIPS = "/api/v1/memberships/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_throttle() -> Iterator[None]:
    # The token endpoint's throttle counts in the cache, which outlives a test's transaction.
    cache.clear()
    yield
    cache.clear()


def _ids(response: Any) -> set[int]:
    body = response.json()
    assert body["next"] is None, "the test expects one page"
    return {row["id"] for row in body["results"]}


def _assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    fields: dict[str, Any] = body["error"]["fields"]
    return fields


# --- List scoping -----------------------------------------------------------------------------------

SITE_REACH = {
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
}


def _expected(model: type[Site] | type[Membership], world: World, reach: str) -> set[int]:
    rows = model.objects.all()
    if reach == "A":
        rows = rows.filter(partner=world.partner_a)
    elif reach == "B":
        rows = rows.filter(partner=world.partner_b)
    elif reach == "none":
        rows = rows.none()
    return set(rows.values_list("pk", flat=True))


@pytest.mark.parametrize("persona", sorted(SITE_REACH))
def test_site_list_contains_exactly_the_sites_in_scope(persona: str, world: World) -> None:
    response = api_client_for(world.users[persona]).get(SITES)

    assert response.status_code == 200
    assert _ids(response) == _expected(Site, world, SITE_REACH[persona])


@pytest.mark.parametrize("persona", sorted(SITE_REACH))
def test_membership_list_contains_exactly_the_memberships_in_scope(persona: str, world: World) -> None:
    response = api_client_for(world.users[persona]).get(MEMBERSHIPS)

    assert response.status_code == 200
    assert _ids(response) == _expected(Membership, world, SITE_REACH[persona])


def test_reach_table_names_every_signed_in_persona() -> None:
    assert set(SITE_REACH) == set(PERSONAS) - {"anonymous"}


def test_partner_list_is_the_whole_directory(student_a: User, world: World) -> None:
    response = api_client_for(student_a).get(PARTNERS)

    assert _ids(response) == set(Partner.objects.values_list("pk", flat=True))


# --- Other partner's objects ------------------------------------------------------------------------


def test_other_partners_site_is_404_on_get_and_patch(coordinator_b: User, world: World) -> None:
    client = api_client_for(coordinator_b)
    url = f"{SITES}{world.site_a.pk}/"

    _assert_error(client.get(url), 404, "not_found")
    _assert_error(client.patch(url, {"name": "Taken"}, format="json"), 404, "not_found")

    assert Site.objects.get(pk=world.site_a.pk).name == "Imaging A"


def test_coordinator_patches_own_site(coordinator_a: User, world: World) -> None:
    response = api_client_for(coordinator_a).patch(f"{SITES}{world.site_a.pk}/", {"capacity": 9}, format="json")

    assert response.status_code == 200
    assert response.json()["capacity"] == 9
    assert Site.objects.get(pk=world.site_a.pk).capacity == 9


def test_site_patch_cannot_move_site_to_other_partner(coordinator_a: User, world: World) -> None:
    response = api_client_for(coordinator_a).patch(
        f"{SITES}{world.site_a.pk}/", {"partner": world.partner_b.pk, "name": "Moved"}, format="json"
    )

    assert response.status_code == 200
    site = Site.objects.get(pk=world.site_a.pk)
    assert site.partner_id == world.partner_a.pk
    assert site.name == "Moved"


def test_supervisor_patch_of_own_site_is_403(supervisor_a: User, world: World) -> None:
    response = api_client_for(supervisor_a).patch(f"{SITES}{world.site_a.pk}/", {"capacity": 1}, format="json")

    _assert_error(response, 403, "permission_denied")
    assert Site.objects.get(pk=world.site_a.pk).capacity != 1


def test_coordinator_cannot_create_site_at_other_partner(coordinator_b: User, world: World) -> None:
    before = Site.objects.count()

    response = api_client_for(coordinator_b).post(
        SITES, {"partner": world.partner_a.pk, "name": "Annex", "capacity": 3}, format="json"
    )

    fields = _assert_error(response, 400, "invalid")
    assert list(fields) == ["partner"]
    assert fields["partner"] and all(isinstance(message, str) for message in fields["partner"])
    assert Site.objects.count() == before
    assert not Site.objects.filter(name="Annex").exists()


def test_other_partner_error_reads_like_a_missing_partner(coordinator_b: User, world: World) -> None:
    client = api_client_for(coordinator_b)

    other = client.post(SITES, {"partner": world.partner_a.pk, "name": "Annex", "capacity": 3}, format="json")
    missing = client.post(SITES, {"partner": 999_999, "name": "Annex", "capacity": 3}, format="json")

    assert other.json()["error"]["fields"]["partner"] == [
        message.replace("999999", str(world.partner_a.pk)) for message in missing.json()["error"]["fields"]["partner"]
    ]


def test_coordinator_creates_site_at_own_partner(coordinator_a: User, world: World) -> None:
    response = api_client_for(coordinator_a).post(
        SITES, {"partner": world.partner_a.pk, "name": "MR Suite", "capacity": 2}, format="json"
    )

    assert response.status_code == 201
    assert Site.objects.get(pk=response.json()["id"]).partner == world.partner_a


def test_duplicate_site_name_is_400_with_error_format(coordinator_a: User, world: World) -> None:
    response = api_client_for(coordinator_a).post(
        SITES, {"partner": world.partner_a.pk, "name": "Imaging A", "capacity": 2}, format="json"
    )

    assert list(_assert_error(response, 400, "invalid")) == ["non_field_errors"]
    assert Site.objects.filter(partner=world.partner_a, name="Imaging A").count() == 1


def test_site_with_capacity_zero_is_400_naming_capacity(coordinator_a: User, world: World) -> None:
    response = api_client_for(coordinator_a).post(
        SITES, {"partner": world.partner_a.pk, "name": "Closet", "capacity": 0}, format="json"
    )

    assert list(_assert_error(response, 400, "invalid")) == ["capacity"]
    assert not Site.objects.filter(name="Closet").exists()


def test_coordinator_cannot_add_member_at_other_partner(coordinator_b: User, counsellor: User, world: World) -> None:
    response = api_client_for(coordinator_b).post(
        MEMBERSHIPS, {"partner": world.partner_a.pk, "user": counsellor.pk, "role": "staff"}, format="json"
    )

    assert list(_assert_error(response, 400, "invalid")) == ["partner"]
    assert not Membership.objects.filter(user=counsellor).exists()


def test_tutor_at_hospital_is_400_naming_role(office: User, counsellor: User, world: World) -> None:
    response = api_client_for(office).post(
        MEMBERSHIPS, {"partner": world.partner_a.pk, "user": counsellor.pk, "role": "tutor"}, format="json"
    )

    assert list(_assert_error(response, 400, "invalid")) == ["role"]
    assert not Membership.objects.filter(user=counsellor).exists()


# --- Partners ---------------------------------------------------------------------------------------


def test_office_creates_partner(office: User, world: World) -> None:
    response = api_client_for(office).post(
        PARTNERS, {"name": "City Bank", "short_name": "CB", "kind": PartnerKind.FINANCIAL_INSTITUTION}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == PartnerStatus.ACTIVE
    assert body["responsibilities"] == DEFAULT_RESPONSIBILITIES[PartnerKind.FINANCIAL_INSTITUTION]
    assert Partner.objects.filter(pk=body["id"], short_name="CB").exists()


def test_office_invalid_partner_post_is_400_naming_fields(office: User, world: World) -> None:
    before = Partner.objects.count()

    response = api_client_for(office).post(
        PARTNERS, {"name": "", "short_name": "X", "kind": "castle", "contact_email": "nope"}, format="json"
    )

    fields = _assert_error(response, 400, "invalid")
    assert set(fields) == {"name", "kind", "contact_email"}
    assert Partner.objects.count() == before


def test_partner_status_is_read_only_in_the_api(office: User, world: World) -> None:
    response = api_client_for(office).patch(
        f"{PARTNERS}{world.partner_a.pk}/", {"status": PartnerStatus.SUSPENDED, "contact_name": "Dr Wu"}, format="json"
    )

    assert response.status_code == 200
    partner = Partner.objects.get(pk=world.partner_a.pk)
    assert partner.status == PartnerStatus.ACTIVE
    assert partner.contact_name == "Dr Wu"


def test_coordinator_of_other_partner_patch_is_403(coordinator_b: User, world: World) -> None:
    response = api_client_for(coordinator_b).patch(f"{PARTNERS}{world.partner_a.pk}/", {"name": "B's"}, format="json")

    _assert_error(response, 403, "permission_denied")
    assert Partner.objects.get(pk=world.partner_a.pk).name == "Hospital A"


def test_office_changes_status_through_the_action(office: User, world: World) -> None:
    response = api_client_for(office).post(
        f"{PARTNERS}{world.partner_a.pk}/change-status/",
        {"status": PartnerStatus.PROBATION, "reason": "Two major findings."},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == PartnerStatus.PROBATION
    change = PartnerStatusChange.objects.get(partner=world.partner_a)
    assert (change.from_status, change.to_status, change.changed_by) == ("active", "probation", office)


def test_change_status_without_reason_is_400(office: User, world: World) -> None:
    response = api_client_for(office).post(
        f"{PARTNERS}{world.partner_a.pk}/change-status/", {"status": PartnerStatus.PROBATION}, format="json"
    )

    assert "reason" in _assert_error(response, 400, "invalid")
    assert Partner.objects.get(pk=world.partner_a.pk).status == PartnerStatus.ACTIVE


def test_change_status_to_same_status_is_400_naming_status(office: User, world: World) -> None:
    response = api_client_for(office).post(
        f"{PARTNERS}{world.partner_a.pk}/change-status/", {"status": "active", "reason": "Again."}, format="json"
    )

    assert list(_assert_error(response, 400, "invalid")) == ["status"]


def test_coordinator_change_status_is_403(coordinator_a: User, world: World) -> None:
    response = api_client_for(coordinator_a).post(
        f"{PARTNERS}{world.partner_a.pk}/change-status/", {"status": "suspended", "reason": "Self."}, format="json"
    )

    _assert_error(response, 403, "permission_denied")
    assert Partner.objects.get(pk=world.partner_a.pk).status == PartnerStatus.ACTIVE


# --- Memberships ------------------------------------------------------------------------------------


def test_coordinator_ends_membership_through_the_action(coordinator_a: User, world: World) -> None:
    membership = Membership.objects.get(partner=world.partner_a, role=MembershipRole.SUPERVISOR)

    response = api_client_for(coordinator_a).post(
        f"{MEMBERSHIPS}{membership.pk}/end/", {"reason": "Left."}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["end_date"] == timezone.localdate().isoformat()
    membership.refresh_from_db()
    assert membership.end_date == timezone.localdate()
    assert membership.ended_reason == "Left."


def test_ending_membership_twice_is_400(coordinator_a: User, world: World) -> None:
    membership = Membership.objects.get(partner=world.partner_a, role=MembershipRole.SUPERVISOR)
    client = api_client_for(coordinator_a)
    client.post(f"{MEMBERSHIPS}{membership.pk}/end/", {}, format="json")

    response = client.post(f"{MEMBERSHIPS}{membership.pk}/end/", {}, format="json")

    assert list(_assert_error(response, 400, "invalid")) == ["end_date"]


def test_coordinator_of_other_partner_cannot_end_membership(coordinator_b: User, world: World) -> None:
    membership = Membership.objects.get(partner=world.partner_a, role=MembershipRole.SUPERVISOR)

    response = api_client_for(coordinator_b).post(f"{MEMBERSHIPS}{membership.pk}/end/", {}, format="json")

    _assert_error(response, 404, "not_found")
    assert Membership.objects.get(pk=membership.pk).end_date is None


def test_membership_cannot_be_deleted_or_edited(office: User, world: World) -> None:
    membership = Membership.objects.get(partner=world.partner_a, role=MembershipRole.SUPERVISOR)
    client = api_client_for(office)

    assert client.delete(f"{MEMBERSHIPS}{membership.pk}/").status_code == 405
    assert client.patch(f"{MEMBERSHIPS}{membership.pk}/", {"role": "staff"}, format="json").status_code == 405
    assert Membership.objects.get(pk=membership.pk).role == MembershipRole.SUPERVISOR


def test_membership_active_filter(coordinator_a: User, world: World) -> None:
    membership = Membership.objects.get(partner=world.partner_a, role=MembershipRole.SUPERVISOR)
    membership.start_date = timezone.localdate().replace(year=2020)
    membership.end_date = timezone.localdate().replace(year=2021)
    membership.save()
    client = api_client_for(coordinator_a)

    assert membership.pk not in _ids(client.get(MEMBERSHIPS, {"active": "true"}))
    assert _ids(client.get(MEMBERSHIPS, {"active": "false"})) == {membership.pk}


# --- Tokens and authentication ----------------------------------------------------------------------


def test_token_from_password_authenticates_api_requests(world: World) -> None:
    user = UserFactory.create(username="token-user", password="tandem-demo")
    client = APIClient()

    response = client.post(TOKEN, {"username": "token-user", "password": "tandem-demo"}, format="json")

    assert response.status_code == 200
    token = response.json()["token"]
    assert set(response.json()) == {"token", "expires"}
    assert user.api_tokens.get().key_hash == ApiToken.hash_key(token)

    authed = APIClient()
    authed.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listed = authed.get(PARTNERS)
    assert listed.status_code == 200
    assert listed.json()["count"] == Partner.objects.count()


def test_wrong_password_gets_no_token(world: World) -> None:
    UserFactory.create(username="token-user", password="tandem-demo")

    response = APIClient().post(TOKEN, {"username": "token-user", "password": "wrong-password"}, format="json")

    assert "non_field_errors" in _assert_error(response, 400, "invalid")
    assert "token" not in response.json()


def test_bogus_token_is_401(world: World) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    _assert_error(client.get(PARTNERS), 401, "authentication_failed")


@pytest.mark.parametrize("url", [PARTNERS, SITES, MEMBERSHIPS])
def test_unauthenticated_request_is_401(url: str, world: World) -> None:
    response = APIClient().get(url)

    _assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Token")


# --- Filters ----------------------------------------------------------------------------------------


def test_partner_filters_by_kind_status_and_search(tutor: User, world: World) -> None:
    Partner.objects.filter(pk=world.partner_b.pk).update(status=PartnerStatus.PROBATION)
    client = api_client_for(tutor)

    hospitals = set(Partner.objects.filter(kind=PartnerKind.HOSPITAL).values_list("pk", flat=True))
    assert _ids(client.get(PARTNERS, {"kind": "hospital"})) == hospitals
    assert world.partner_a.pk in hospitals and world.partner_b.pk not in hospitals
    assert _ids(client.get(PARTNERS, {"status": "probation"})) == {world.partner_b.pk}
    assert _ids(client.get(PARTNERS, {"search": "Enterprise"})) == {world.partner_b.pk}
    assert _ids(client.get(PARTNERS, {"search": "HOSP-A"})) == {world.partner_a.pk}
    assert _ids(client.get(PARTNERS, {"kind": "hospital", "status": "probation"})) == set()


def test_site_filter_by_partner_stays_inside_scope(coordinator_a: User, world: World) -> None:
    client = api_client_for(coordinator_a)

    assert _ids(client.get(SITES, {"partner": world.partner_a.pk})) == {world.site_a.pk}
    assert _ids(client.get(SITES, {"partner": world.partner_b.pk})) == set()


# --- Query counts -----------------------------------------------------------------------------------


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _grow(world: World, size: int) -> None:
    for partner in PartnerFactory.create_batch(size):
        SiteFactory.create(partner=partner)
    SiteFactory.create_batch(size, partner=world.partner_a)
    MembershipFactory.create_batch(size, partner=world.partner_a, role=MembershipRole.STAFF)


@pytest.mark.parametrize("url", [PARTNERS, SITES, MEMBERSHIPS])
@pytest.mark.parametrize("persona", ["office", "coordinator_a"])
def test_list_query_count_does_not_grow(url: str, persona: str, world: World) -> None:
    client = api_client_for(world.users[persona])
    # force_authenticate reuses one user object, which caches its platform roles after the first request.
    client.get(url)
    _grow(world, 3)
    small = _queries(client, url)

    _grow(world, 30)
    large = _queries(client, url)

    assert client.get(url).json()["count"] > 30
    assert small == large
