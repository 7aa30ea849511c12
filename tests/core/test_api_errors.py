"""One error format for the whole API: ``{"error": {"code", "message", "fields"}}``."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import User
from partners.models import Partner
from tests.conftest import World, api_client_for

pytestmark = pytest.mark.django_db


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"]
    assert set(body["error"]) == {"code", "message", "fields"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    error: dict[str, Any] = body["error"]
    return error


def test_404_has_the_error_format(office: User, world: World) -> None:
    missing = Partner.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    error = _error(api_client_for(office).get(f"/api/v1/partners/{missing + 1000}/"), 404)

    assert error["code"] == "not_found"
    assert error["fields"] == {}


def test_out_of_scope_object_is_the_same_404_as_a_missing_one(student_a: User, world: World) -> None:
    client = api_client_for(student_a)

    out_of_scope = _error(client.get(f"/api/v1/sites/{world.site_a.pk}/"), 404)
    missing = _error(client.get("/api/v1/sites/999999/"), 404)

    assert out_of_scope == missing


def test_400_names_each_invalid_field(office: User, world: World) -> None:
    response = api_client_for(office).post(
        "/api/v1/partners/", {"short_name": "X", "kind": "castle", "website": "not a url"}, format="json"
    )

    error = _error(response, 400)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"name", "kind", "website"}
    for messages in error["fields"].values():
        assert isinstance(messages, list) and messages
        assert all(isinstance(message, str) for message in messages)


def test_400_from_a_service_names_the_field(office: User, world: World) -> None:
    response = api_client_for(office).post(
        f"/api/v1/partners/{world.partner_a.pk}/change-status/", {"status": "active", "reason": "x"}, format="json"
    )

    error = _error(response, 400)
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["status"]


def test_400_about_the_whole_request_uses_non_field_errors(world: World) -> None:
    cache.clear()  # the token endpoint's throttle counts in the cache, across tests
    response = APIClient().post("/api/v1/auth/token/", {"username": "nobody", "password": "x"}, format="json")

    error = _error(response, 400)
    assert list(error["fields"]) == ["non_field_errors"]


def test_whole_object_error_from_a_model_uses_non_field_errors(office: User, world: World) -> None:
    response = api_client_for(office).post(
        "/api/v1/sites/", {"partner": world.partner_a.pk, "name": world.site_a.name, "capacity": 2}, format="json"
    )

    error = _error(response, 400)
    assert list(error["fields"]) == ["non_field_errors"]
    assert "__all__" not in error["fields"]


def test_401_has_the_error_format(world: World) -> None:
    response = APIClient().get("/api/v1/partners/")

    error = _error(response, 401)
    assert error["code"] == "not_authenticated"
    assert error["fields"] == {}
    assert response["WWW-Authenticate"] == "Token"


def test_403_has_the_error_format(coordinator_a: User, world: World) -> None:
    response = api_client_for(coordinator_a).post(
        "/api/v1/partners/", {"name": "N", "short_name": "N", "kind": "hospital"}, format="json"
    )

    error = _error(response, 403)
    assert error["code"] == "permission_denied"
    assert error["fields"] == {}


def test_405_has_the_error_format(office: User, world: World) -> None:
    error = _error(api_client_for(office).delete(f"/api/v1/partners/{world.partner_a.pk}/"), 405)

    assert error["code"] == "method_not_allowed"
    assert Partner.objects.filter(pk=world.partner_a.pk).exists()
