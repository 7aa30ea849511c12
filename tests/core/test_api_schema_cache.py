"""The API schema is generated once per process and language (``core.api.schema_view``), the same for
every reader, host and scheme, and still in the reader's language."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

from core.api.schema_view import clear_schema_cache
from tests.conftest import World, api_client_for

pytestmark = pytest.mark.django_db

JSON = "application/vnd.oai.openapi+json"


class Counter:
    """Wraps a real method and counts its calls (the schema is really generated or rendered each time)."""

    def __init__(self, method: Callable[..., Any]) -> None:
        self.method = method
        self.calls = 0

    def __get__(self, instance: Any, owner: Any) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return self.method(instance, *args, **kwargs)

        return call


@pytest.fixture
def fresh() -> Iterator[None]:
    clear_schema_cache()
    yield
    clear_schema_cache()


@pytest.fixture
def generated(monkeypatch: pytest.MonkeyPatch, fresh: None) -> Counter:
    counter = Counter(SchemaGenerator.get_schema)
    monkeypatch.setattr(SchemaGenerator, "get_schema", counter)
    return counter


def _schema(user: Any = None, query: dict[str, str] | None = None, **headers: Any) -> tuple[int, bytes]:
    response = api_client_for(user).get(reverse("api-schema"), query, **headers)
    return response.status_code, response.content


def _status_filter(schema: str) -> str:
    """How the agreements list describes its status filter (the statuses' names are translated)."""
    parameters = json.loads(schema)["paths"]["/api/v1/agreements/"]["get"]["parameters"]
    return str(next(p["description"] for p in parameters if p["name"] == "status"))


def test_the_second_request_neither_generates_nor_renders_again(
    world: World, generated: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered = Counter(OpenApiYamlRenderer.render)
    monkeypatch.setattr(OpenApiYamlRenderer, "render", rendered)
    office = world.users["office"]

    first = _schema(office)
    assert (generated.calls, rendered.calls) == (1, 1)
    second = _schema(office)

    assert first == second and first[0] == 200 and b"openapi: 3" in first[1]
    assert (generated.calls, rendered.calls) == (1, 1)
    # JSON is rendered once from the same schema, not generated again.
    as_json = _schema(office, HTTP_ACCEPT=JSON)
    assert json.loads(as_json[1])["openapi"].startswith("3") and generated.calls == 1
    assert _schema(world.users["student_a"], HTTP_ACCEPT=JSON) == as_json and generated.calls == 1


def test_the_schema_does_not_depend_on_the_reader_the_host_or_the_scheme(world: World, generated: Counter) -> None:
    # What the cache relies on: generated anew each time, the schema is the same for the anonymous, a student
    # and the office (drf-spectacular's SERVE_PUBLIC lists every endpoint), on any host, over http or https.
    answers = []
    readers: list[tuple[Any, dict[str, Any]]] = [
        (None, {}),
        (world.users["student_a"], {}),
        (world.users["office"], {}),
        (world.users["office"], {"HTTP_HOST": "localhost", "secure": True}),
    ]
    for user, headers in readers:
        clear_schema_cache()
        answers.append(_schema(user, HTTP_ACCEPT=JSON, **headers))
    assert generated.calls == len(answers)
    assert answers[0][0] == 200 and all(answer == answers[0] for answer in answers)


def test_each_language_has_its_schema(world: World, generated: Counter) -> None:
    office = world.users["office"]
    english = _schema(office, HTTP_ACCEPT=JSON)[1].decode()
    chinese = _schema(office, HTTP_ACCEPT=JSON, HTTP_ACCEPT_LANGUAGE="zh-hans")[1].decode()
    by_parameter = _schema(office, {"lang": "zh-hans"}, HTTP_ACCEPT=JSON)[1].decode()
    assert generated.calls == 2
    assert by_parameter == chinese != english
    assert json.loads(chinese)["paths"].keys() == json.loads(english)["paths"].keys()
    # The agreements' status filter, described in the reader's language.
    assert "`draft` - Draft" in _status_filter(english)
    assert "`draft` - 草稿" in _status_filter(chinese)
    assert _schema(office, HTTP_ACCEPT=JSON)[1].decode() == english and generated.calls == 2


def test_a_language_that_is_not_offered_is_not_kept(world: World, generated: Counter) -> None:
    # ?lang= takes any value: only the languages of settings.LANGUAGES are kept, so requests cannot fill
    # the memory with schemas.
    for _ in range(2):
        status, _body = _schema(world.users["office"], {"lang": "fr"}, HTTP_ACCEPT=JSON)
        assert status == 200
    assert generated.calls == 2
