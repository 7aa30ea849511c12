"""URL arguments and request bodies for the inspection page routes of the matrix (docs/permissions.md,
"Inspection pages").

Object **A** is an inspection of partner A that ``inspector`` has STARTED (so coordinator A sees it),
or what hangs off one: an open corrective action (answer), an answered one (verify, reopen), a finding
with a PDF as evidence (evidence download). Starting needs a PLANNED one, which coordinator A cannot see
(404): planned inspections are 404 for the partner's people on every route, as tests/supervision/
test_pages*.py check page by page. Bodies are valid for the people allowed to act, so allowed means done.
``lead-from-concern``'s object A is a concern about partner A awaiting a reply; its body refers it to a
planned inspection of partner A.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from supervision import services
from supervision.models import CorrectiveAction, Severity, TargetKind
from tests.access.routes_reviews import concern_a
from tests.conftest import World
from tests.supervision import helpers

PDF = b"%PDF-1.4\n% matrix evidence\n"


def _started(world: World) -> dict[str, Any]:
    return {"pk": helpers.start(world).pk}


def _planned(world: World) -> dict[str, Any]:
    return {"pk": helpers.plan(world).pk}


def _open_action(world: World) -> CorrectiveAction:
    finding = helpers.add_finding(world, helpers.start(world), Severity.MAJOR)
    return CorrectiveAction.objects.get(finding=finding)


def _answered_action(world: World) -> dict[str, Any]:
    action = services.corrective_action_answer(
        action=_open_action(world), answer="New logbooks in use.", by=helpers.user(world, "coordinator_a")
    )
    return {"pk": action.pk}


def _evidence(world: World) -> dict[str, Any]:
    finding = services.finding_add(
        inspection=helpers.start(world),
        severity=Severity.OBSERVATION,
        description="Photo of the logbook shelf.",
        evidence=SimpleUploadedFile("shelf.pdf", PDF, content_type="application/pdf"),
        by=helpers.user(world, "inspector"),
    )
    return {"kind": "finding", "pk": finding.pk}


def _plan_body(world: World) -> dict[str, Any]:
    return {
        "kind": "scheduled",
        "partner": world.partner_a.pk,
        "template": helpers.template_for(TargetKind.PARTNER).pk,
        "planned_date": timezone.localdate().isoformat(),
        "inspectors": [helpers.user(world, "inspector").pk],
    }


def _checklist_body(world: World) -> dict[str, Any]:
    item = helpers.template_for(TargetKind.PARTNER).items.order_by("pk").first()
    assert item is not None
    return {"item": item.pk, f"i{item.pk}-rating": "conforming", f"i{item.pk}-note": ""}


ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "supervision:detail": _started,
    "supervision:start": _planned,
    "supervision:close": _started,
    "supervision:checklist": _started,
    "supervision:finding-add": _started,
    "supervision:action-answer": lambda world: {"pk": _open_action(world).pk},
    "supervision:action-verify": _answered_action,
    "supervision:action-reopen": _answered_action,
    "supervision:evidence": _evidence,
    "supervision:lead-from-concern": lambda world: {"pk": concern_a(world).pk},
}

BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "supervision:plan": _plan_body,
    "supervision:close": lambda world: {"confirm_unrated": "on"},
    "supervision:checklist": _checklist_body,
    "supervision:finding-add": lambda world: {"severity": Severity.MINOR, "description": "Logbooks unsigned."},
    "supervision:action-answer": lambda world: {"answer": "Every logbook is now signed weekly."},
    "supervision:action-reopen": lambda world: {"reason": "No evidence of the weekly signature."},
    "supervision:lead-from-concern": lambda world: {
        "inspection": helpers.plan(world).pk,
        "summary": "No lead aprons (the reviewer).",
        "note": "For the inspectors.",
    },
}
