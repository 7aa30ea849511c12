"""URL arguments and request bodies for the partner scorecard pages of the matrix (docs/permissions.md,
"Partner scorecards").

Object **A** is partner A. For the probation decision it is a partner A that the rule proposes for
probation: a closed inspection with a critical finding (built through the real services). The body
accepts the proposal with a reason, so the office's POST is done (302 back to the scorecards).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from supervision.models import Severity
from tests.conftest import World
from tests.supervision import helpers


def proposed_partner_a(world: World) -> dict[str, Any]:
    """Partner A with a critical finding this year: probation is proposed (made once per test)."""
    if not world.partner_a.inspections.exists():
        inspection = helpers.start(world)
        helpers.add_finding(world, inspection, Severity.CRITICAL, "Unsupervised procedures on patients.")
    return {"pk": world.partner_a.pk}


ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "supervision:scorecard": lambda w: {"pk": w.partner_a.pk},
    "supervision:probation-decide": proposed_partner_a,
}

BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "supervision:probation-decide": lambda w: {
        "decision": "accept",
        "reason": "A critical finding within 12 months.",
    },
}
