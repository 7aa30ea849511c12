"""URL arguments and request bodies for the partner routes of the matrix (docs/permissions.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from partners.models import Membership, MembershipRole
from tests.conftest import World


def _membership_a(world: World) -> dict[str, Any]:
    return {"pk": Membership.objects.get(partner=world.partner_a, role=MembershipRole.SUPERVISOR).pk}


def _counsellor_joins_a(world: World) -> dict[str, Any]:
    newcomer = world.users["counsellor"]
    return {"partner": world.partner_a.pk, "user": newcomer.pk if newcomer else None, "role": "staff"}


ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "partners:site-edit": lambda w: {"pk": w.site_a.pk},
    "api:site-detail": lambda w: {"pk": w.site_a.pk},
    "partners:membership-end": _membership_a,
    "api:membership-detail": _membership_a,
    "api:membership-end": _membership_a,
    "accounts:password_reset_confirm": lambda w: {"uidb64": "invalid", "token": "invalid-token"},
}

BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "api:partner-list": lambda w: {"name": "Matrix Partner", "short_name": "MTX", "kind": "hospital"},
    "api:site-list": lambda w: {"partner": w.partner_a.pk, "name": "Matrix Site", "capacity": 3},
    "api:membership-list": _counsellor_joins_a,
    "api:partner-change-status": lambda w: {"status": "probation", "reason": "Two major findings."},
    "set_language": lambda w: {"language": "zh-hans", "next": "/"},
}
