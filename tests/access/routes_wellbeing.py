"""URL arguments and request bodies for the wellbeing routes of the matrix (docs/permissions.md, "Wellbeing").

The service is built once per test through ``tests.wellbeing.helpers.build``: the university's service,
``counsellor`` on duty and assigned to student A's case (a note, a check-in with PHQ-9 and GAD-7, a booked
appointment, a sharing consent naming the tutor and a message shared with them), a free slot of the
counsellor, a hotline. Object **A** is student A's case (case pages), their appointment, check-in, the
sharing and its consent, the counsellor's free slot, the hotline; for withdrawing or taking, a second request
of student A nobody has taken yet. Bodies are valid for the people allowed to act, so allowed means done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import World
from tests.wellbeing.helpers import Wellbeing, build, in_days
from wellbeing.models import Case, CaseStatus, ConsentKind, Hotline
from wellbeing.services import cases


def wb(world: World) -> Wellbeing:
    """The service of this test's world, built on first use."""
    built: Wellbeing | None = getattr(world, "_wellbeing", None)
    if built is None:
        built = build(world)
        world._wellbeing = built  # type: ignore[attr-defined]
    return built


def _waiting(world: World) -> Case:
    service = wb(world)
    existing = Case.objects.filter(person=world.users["student_a"], status=CaseStatus.WAITING).first()
    if existing is not None:
        return existing
    return cases.case_request(by=world.users["student_a"], service=service.service, topic="second request")  # type: ignore[arg-type]


def _hotline(world: World) -> Hotline:
    wb(world)
    return Hotline.objects.get()


def _case(world: World) -> dict[str, Any]:
    return {"pk": wb(world).case.pk}


ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "wellbeing:request-withdraw": lambda w: {"pk": _waiting(w).pk},
    "wellbeing:request-take": lambda w: {"pk": _waiting(w).pk},
    "wellbeing:appointment-cancel": lambda w: {"pk": wb(w).appointment.pk},
    "wellbeing:shared": lambda w: {"pk": wb(w).sharing.pk},
    "wellbeing:consent-withdraw": lambda w: {"pk": wb(w).sharing.consent_id},
    "wellbeing:slot-withdraw": lambda w: {"pk": wb(w).free_slot.pk},
    "wellbeing:case": _case,
    "wellbeing:case-note": _case,
    "wellbeing:case-consent": _case,
    "wellbeing:case-share": _case,
    "wellbeing:case-refer": _case,
    "wellbeing:case-close": _case,
    "wellbeing:case-break-glass": _case,
    "wellbeing:hotline-remove": lambda w: {"pk": _hotline(w).pk},
    "api:wellbeing-check-in-detail": lambda w: {"pk": wb(w).check_in.pk},
    "api:wellbeing-request-detail": _case,
    "api:wellbeing-request-withdraw": lambda w: {"pk": _waiting(w).pk},
    "api:wellbeing-appointment-detail": lambda w: {"pk": wb(w).appointment.pk},
    "api:wellbeing-appointment-cancel": lambda w: {"pk": wb(w).appointment.pk},
}


def _request_body(world: World) -> dict[str, Any]:
    return {
        "topic": "I would like to talk",
        "urgency": "routine",
        "service": wb(world).service.pk,
        "language": "English",
        "preferred_times": "mornings",
        "mode": "online",
        "consent": "on",
    }


def _share_body(world: World) -> dict[str, Any]:
    consent = wb(world).case.consents.get(kind=ConsentKind.SHARING)
    return {"consent": consent.pk, "message": "Please allow a lighter schedule."}


BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "wellbeing:check-in": lambda w: {"mood": 3, "stress": 2},
    "wellbeing:request": _request_body,
    "wellbeing:book": lambda w: {"slot": wb(w).free_slot.pk, "consent": "on"},
    "wellbeing:calendar": lambda w: {
        "starts_at": in_days(9).strftime("%Y-%m-%dT%H:%M"),
        "minutes": 50,
        "mode": "online",
        "place": "",
    },
    "wellbeing:duty": lambda w: {"on_duty": "0"},
    "wellbeing:case-note": lambda w: {"body": "Second session."},
    "wellbeing:case-consent": lambda w: {"kind": "first_contact"},
    "wellbeing:case-share": _share_body,
    "wellbeing:case-refer": lambda w: {"to": "City hospital"},
    "wellbeing:case-close": lambda w: {"summary": "Better."},
    "wellbeing:case-break-glass": lambda w: {"reason": "The person called in crisis."},
    "wellbeing:hotlines": lambda w: {"name": "Night line", "number": "400-1", "hours": "22-6"},
    "api:wellbeing-check-in-list": lambda w: {"mood": 3, "stress": 2},
    "api:wellbeing-request-list": lambda w: {"service": wb(w).service.pk, "topic": "talk", "consent": True},
    "api:wellbeing-appointment-list": lambda w: {"slot": wb(w).free_slot.pk, "consent": True},
}


def _built(body: Callable[[World], dict[str, Any]]) -> Callable[[World], dict[str, Any]]:
    """Every wellbeing request runs against the built service (the matrix asks for a body on every route,
    GET included, so this is where the service is made for routes without an object)."""

    def make(world: World) -> dict[str, Any]:
        wb(world)
        return body(world)

    return make


_EVERY_ROUTE = [
    "wellbeing:home",
    "wellbeing:check-in",
    "wellbeing:help",
    "wellbeing:history",
    "wellbeing:access-log",
    "wellbeing:request",
    "wellbeing:request-withdraw",
    "wellbeing:request-take",
    "wellbeing:book",
    "wellbeing:appointment-cancel",
    "wellbeing:shared",
    "wellbeing:consent-withdraw",
    "wellbeing:dashboard",
    "wellbeing:calendar",
    "wellbeing:slot-withdraw",
    "wellbeing:duty",
    "wellbeing:case",
    "wellbeing:case-note",
    "wellbeing:case-consent",
    "wellbeing:case-share",
    "wellbeing:case-refer",
    "wellbeing:case-close",
    "wellbeing:case-break-glass",
    "wellbeing:statistics",
    "wellbeing:hotlines",
    "wellbeing:hotline-remove",
    "api:wellbeing-check-in-list",
    "api:wellbeing-check-in-detail",
    "api:wellbeing-request-list",
    "api:wellbeing-request-detail",
    "api:wellbeing-request-withdraw",
    "api:wellbeing-appointment-list",
    "api:wellbeing-appointment-detail",
    "api:wellbeing-appointment-cancel",
]
BODIES = {route: _built(BODIES.get(route, lambda w: {})) for route in _EVERY_ROUTE}
