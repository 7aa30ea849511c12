"""The API keeps its out-of-scope 404s as denials, as the pages do (permissions.md: every denial is kept)."""

from __future__ import annotations

import pytest

from accounts.models import User
from core.models import AccessDenial
from tests.conftest import World, api_client_for

pytestmark = pytest.mark.django_db


def test_out_of_scope_api_fetch_is_a_404_and_kept_as_a_denial(coordinator_b: User, world: World) -> None:
    before = AccessDenial.objects.count()

    response = api_client_for(coordinator_b).get(f"/api/v1/sites/{world.site_a.pk}/")

    assert response.status_code == 404
    assert AccessDenial.objects.count() == before + 1
    denial = AccessDenial.objects.latest("at")
    assert denial.user_id == coordinator_b.pk
    assert denial.action == "view"
    assert f"Site:{{'pk': '{world.site_a.pk}'}}" in denial.target


def test_in_scope_api_fetch_keeps_no_denial(coordinator_a: User, world: World) -> None:
    before = AccessDenial.objects.count()

    response = api_client_for(coordinator_a).get(f"/api/v1/sites/{world.site_a.pk}/")

    assert response.status_code == 200
    assert AccessDenial.objects.count() == before


def test_out_of_scope_api_action_is_kept_as_a_denial_too(coordinator_b: User, world: World) -> None:
    before = AccessDenial.objects.count()

    response = api_client_for(coordinator_b).post(f"/api/v1/placements/{world.placement_a.pk}/cancel/", {})

    assert response.status_code == 404
    assert AccessDenial.objects.count() == before + 1
