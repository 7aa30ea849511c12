"""Request bodies the API refuses in its one error shape instead of failing: JSON nested too deeply (security
issue 22: ``[`` a hundred thousand times was a RecursionError, a 500) and bodies over the size limit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import User
from core.api.parsers import MAX_JSON_DEPTH
from partners.models import Partner
from tests.conftest import World, api_client_for
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_throttle() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert list(body) == ["error"]
    assert set(body["error"]) == {"code", "message", "fields"}
    error: dict[str, Any] = body["error"]
    return error


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("body", ["[" * 100_000, _nested(100_000), '{"username": ' + _nested(5_000) + "}"])
def test_deeply_nested_json_on_the_token_endpoint_is_a_400(body: str) -> None:
    response = APIClient().post(TOKEN, body, content_type="application/json")

    error = _error(response, 400)
    assert error["code"] == "parse_error"
    assert error["fields"] == {}


def test_json_just_deeper_than_the_limit_is_refused_and_at_the_limit_is_read(world: World) -> None:
    UserFactory.create(username="deep", password="correct-horse-battery")
    too_deep = {"username": "deep", "password": "correct-horse-battery", "x": json.loads(_nested(MAX_JSON_DEPTH))}
    at_limit = {"username": "deep", "password": "correct-horse-battery", "x": json.loads(_nested(MAX_JSON_DEPTH - 1))}

    refused = APIClient().post(TOKEN, json.dumps(too_deep), content_type="application/json")
    read = APIClient().post(TOKEN, json.dumps(at_limit), content_type="application/json")

    assert "nested too deeply" in _error(refused, 400)["message"]
    assert read.status_code == 200


def test_deep_json_is_refused_by_every_api_view(office: User, world: World) -> None:
    before = Partner.objects.count()

    response = api_client_for(office).post("/api/v1/partners/", _nested(50_000), content_type="application/json")

    assert _error(response, 400)["code"] == "parse_error"
    assert Partner.objects.count() == before


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", json.dumps({"name": "x" * 3000})),
        ("application/x-www-form-urlencoded", "name=" + "x" * 3000),
    ],
)
def test_a_body_over_the_limit_is_a_413(
    content_type: str, body: str, office: User, world: World, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    before = Partner.objects.count()

    response = api_client_for(office).post("/api/v1/partners/", body, content_type=content_type)

    error = _error(response, 413)
    assert error["code"] == "too_large"
    assert "KB" in error["message"]
    assert Partner.objects.count() == before


def test_bodies_are_capped_explicitly(settings: Any) -> None:
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2_621_440
