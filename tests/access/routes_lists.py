"""URL arguments and request bodies for the student lists and programme pages of the matrix
(docs/permissions.md, "Students and programmes").

Object **A** there is a programme that partner A takes part in and partner B does not, or an agreement
between the university and partner A only (with a signed PDF), so the matrix shows B's people a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile

from programmes.models import Agreement, Programme
from tests.conftest import World
from tests.factories.programmes import AgreementFactory, AgreementPartyFactory, ParticipationFactory, ProgrammeFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def programme_a(world: World) -> Programme:
    """A programme of the university in which partner A takes part, and partner B does not."""
    programme = ProgrammeFactory.create(lead_university=world.university, code="mit-a-only")
    for partner in (world.university, world.partner_a):
        ParticipationFactory.create(programme=programme, partner=partner)
    return programme


def agreement_a(world: World) -> Agreement:
    """A signed agreement between the university and partner A only, with its signed PDF."""
    agreement = AgreementFactory.create(programme=world.programme, created_by=world.users["office"])
    for partner in (world.university, world.partner_a):
        AgreementPartyFactory.create(agreement=agreement, partner=partner)
    agreement.document.save("matrix.pdf", ContentFile(PDF_BYTES), save=True)
    return agreement


ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "programmes:detail": lambda w: {"pk": programme_a(w).pk},
    "programmes:agreement-create": lambda w: {"pk": programme_a(w).pk},
    "programmes:agreement-detail": lambda w: {"pk": agreement_a(w).pk},
    "programmes:agreement-document": lambda w: {"pk": agreement_a(w).pk},
    "programmes:agreement-terminate": lambda w: {"pk": agreement_a(w).pk},
    "students:filter-choices": lambda w: {"kind": "tutor"},
}


def _new_agreement(world: World) -> dict[str, Any]:
    return {
        "title": "Matrix agreement",
        "start_date": "2026-01-01",
        "end_date": "2028-12-31",
        "status": "signed",
        f"party_{world.partner_a.pk}": "on",
        f"responsibilities_{world.partner_a.pk}": "Clinical practice.",
    }


BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "programmes:agreement-create": _new_agreement,
    "programmes:agreement-terminate": lambda w: {"reason": "Partner A withdrew from the programme."},
}
