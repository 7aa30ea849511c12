"""URL arguments for the spot-inspection draw routes of the matrix (docs/permissions.md, "Spot-inspection
draws"). Object **A** is this week's draw, run by the office over the world's partners A and B (no
checklist exists, so its picks are recorded without inspections). The run takes no body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from supervision.services.draw import draw_run
from tests.conftest import World


def _draw(world: World) -> dict[str, Any]:
    office = world.users["office"]
    assert office is not None
    return {"pk": draw_run(by=office).pk}


ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "supervision:draw-detail": _draw,
}

BODIES: dict[str, Callable[[World], dict[str, Any]]] = {}
