"""The access matrix: every route, every persona, the status docs/permissions.md promises.

The expectations are read from the table in docs/permissions.md, so the document and the code cannot
drift apart. A URL pattern without a row fails ``test_every_route_has_a_row``.
"""

from __future__ import annotations

import copy
import importlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PERSONAS, World, api_client_for, build_world, client_for

MATRIX_DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"

# Routes that exist only as plumbing, named here with why they are not in the matrix.
NOT_ROUTES = {
    "api:api-root-format": "format suffix of the API root",
}
ADMIN_NAMESPACE = "admin"  # the admin is one row: admin:index (staff only; Django's own permissions)


def _matrix() -> list[dict[str, str]]:
    """Every row of every ``<!-- matrix:start -->`` ... ``<!-- matrix:end -->`` table in the document."""
    text = MATRIX_DOC.read_text()
    rows = []
    for chunk in text.split("<!-- matrix:start -->")[1:]:
        block = chunk.split("<!-- matrix:end -->")[0]
        lines = [line.strip() for line in block.strip().splitlines() if line.strip().startswith("|")]
        header = [cell.strip() for cell in lines[0].strip("|").split("|")]
        for line in lines[2:]:
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            rows.append(dict(zip(header, cells, strict=True)))
    return rows


def _registry(name: str) -> dict[str, Callable[[World], dict[str, Any]]]:
    """Merge ``ARGS`` or ``BODIES`` from every ``tests/access/routes_*.py`` (one module per area)."""
    merged: dict[str, Callable[[World], dict[str, Any]]] = {}
    for path in sorted(Path(__file__).parent.glob("routes_*.py")):
        module = importlib.import_module(f"tests.access.{path.stem}")
        merged.update(getattr(module, name, {}))
    return merged


ROUTE_ARGS = _registry("ARGS")
ROUTE_BODIES = _registry("BODIES")


MATRIX = _matrix()


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}" if namespace and entry.namespace else (entry.namespace or namespace)
            )
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}:{entry.name}" if namespace else entry.name


def test_every_route_has_a_row() -> None:
    named = {row["route"] for row in MATRIX}
    missing = []
    for name in set(_walk(get_resolver().url_patterns)):
        if name.startswith(f"{ADMIN_NAMESPACE}:") or name in NOT_ROUTES or name.endswith("-format"):
            continue
        if name not in named:
            missing.append(name)
    assert not missing, f"Routes without a row in docs/permissions.md: {sorted(missing)}"
    assert "admin:index" in named


def test_every_row_names_every_persona() -> None:
    for row in MATRIX:
        for persona in PERSONAS:
            assert re.fullmatch(r"\d{3}", row[persona]), f"{row['route']} {row['method']}: {persona}"


# --- Requests ------------------------------------------------------------------------------------------


def _args(route: str, world: World) -> dict[str, Any]:
    """URL kwargs for a route's object A (registered per route in tests/access/routes_*.py)."""
    if route in ROUTE_ARGS:
        return ROUTE_ARGS[route](world)
    return {"pk": world.partner_a.pk}


def _body(route: str, method: str, world: World) -> dict[str, Any]:
    """The request body for writes: valid when the persona is allowed, so allowed means done."""
    if route in ROUTE_BODIES:
        return ROUTE_BODIES[route](world)
    return {}


@dataclass(frozen=True)
class RouteRow:
    """One row of the matrix with its data: the ``world`` and the route's object A, built once for the row's
    eleven personas (see ``row``)."""

    spec: dict[str, str]
    world: World
    url: str


def _row_id(spec: dict[str, str]) -> str:
    return f"{spec['route']}-{spec['method']}"


@pytest.fixture(scope="module")
def matrix_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The ``world``, built once for the module's rows in a transaction rolled back after the last row."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def row(request: pytest.FixtureRequest, matrix_world: World, django_db_blocker: Any) -> Iterator[RouteRow]:
    """The row's object A, built once for all of its personas and rolled back after the last.

    Building the ``world`` and object A for each of the ~5,300 cases was most of the matrix's time. The row
    is parametrised at module scope, so pytest runs a row's personas one after another and builds the row
    once (again only where parallel workers split a row, or another module's tests come in between). The
    row runs in a savepoint inside ``matrix_world``'s transaction, rolled back when the row ends; each
    persona's case runs in the ``db`` fixture's savepoint inside the row's, rolled back after it. So every
    request meets the world and the row exactly as they were built, as when each case built its own, and a
    write one persona is allowed to make is never seen by the next persona or row. The row and each case
    work on their own copy of the world's Python objects, so a relation one of them cached on an instance
    never outlives its rollback. URL arguments come first and the body in the case, in the order the route
    modules expect (a body may carry a file, which is read once).
    """
    spec: dict[str, str] = request.param
    route = spec["route"]
    with django_db_blocker.unblock(), transaction.atomic():
        world = copy.deepcopy(matrix_world)
        in_url = spec["object"] == "A" and not route.endswith("-list")
        kwargs = _args(route, world) if in_url or route == "accounts:password_reset_confirm" else {}
        yield RouteRow(spec, world, reverse(route, kwargs=kwargs))
        transaction.set_rollback(True)


# Two parametrisations: the row at module scope (one set-up per row), the persona per case. The ids stay
# "<route>-<method>-<persona>", so ``-k "<route name>"`` picks a route's cases as before.
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("row", MATRIX, ids=[_row_id(spec) for spec in MATRIX], indirect=True, scope="module")
def test_route_answers_as_the_matrix_says(row: RouteRow, persona: str, db: Any) -> None:
    spec, url = row.spec, row.url
    world = copy.deepcopy(row.world)
    route, method = spec["route"], spec["method"]
    user = world.users[persona]
    is_api = route.startswith("api:")
    client: Any = api_client_for(user) if is_api else client_for(user)
    send: Callable[..., Any] = getattr(client, method.lower())
    body = _body(route, method, world)
    # A body carrying a file (an upload) goes as multipart, any other API body as JSON.
    api_format = "multipart" if any(hasattr(value, "read") for value in body.values()) else "json"
    response = (
        send(url, body, format=api_format)
        if is_api and method != "GET"
        else send(url, body)
        if method != "GET"
        else send(url)
    )
    assert response.status_code == int(spec[persona]), (
        f"{method} {url} as {persona}: got {response.status_code}, docs/permissions.md says {spec[persona]}"
    )
