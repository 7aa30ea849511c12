"""Builders for inspections in tests, through the real services (planning checks conflicts of interest,
starting grants access, closing ends it). Every area's tests and the access matrix use these, so an
inspection in a test is always one the product could have made."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.models import User
from supervision import services
from supervision.models import (
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionKind,
    Rating,
    Severity,
    TargetKind,
)
from tests.conftest import World
from tests.factories.supervision import ChecklistTemplateFactory


def user(world: World, persona: str) -> User:
    found = world.users[persona]
    assert found is not None, persona
    return found


def template_for(kind: str = TargetKind.PARTNER) -> ChecklistTemplate:
    """An active checklist for ``kind`` with one item per aspect (reused when one exists)."""
    existing = ChecklistTemplate.objects.filter(target_kind=kind, is_active=True).first()
    return existing or ChecklistTemplateFactory.create(target_kind=kind)


def plan(world: World, **overrides: Any) -> Inspection:
    """A planned spot inspection of partner A, assigned to ``inspector``, planned today."""
    values: dict[str, Any] = {
        "kind": InspectionKind.SPOT,
        "partner": world.partner_a,
        "template": template_for(TargetKind.PARTNER),
        "planned_date": timezone.localdate(),
        "inspectors": [user(world, "inspector")],
        "by": user(world, "office"),
    }
    values.update(overrides)
    return services.inspection_plan(**values)


def start(world: World, **overrides: Any) -> Inspection:
    """A spot inspection of partner A, started by ``inspector``."""
    return services.inspection_start(inspection=plan(world, **overrides), by=user(world, "inspector"))


def rate_all(world: World, inspection: Inspection, rating: str = Rating.CONFORMING, note: str = "") -> None:
    """Rate every item of the inspection's checklist (a gap needs a note, so one is given)."""
    for item in inspection.template.items.all():
        services.checklist_record(
            inspection=inspection,
            item=item,
            rating=rating,
            note=note or ("Gap noted." if rating in (Rating.MINOR_GAP, Rating.MAJOR_GAP) else ""),
            by=user(world, "inspector"),
        )


def add_finding(
    world: World, inspection: Inspection, severity: str = Severity.MAJOR, description: str = "", **extra: Any
) -> Finding:
    return services.finding_add(
        inspection=inspection,
        severity=severity,
        description=description or f"A {severity} finding.",
        by=user(world, "inspector"),
        **extra,
    )


def closed(world: World, **overrides: Any) -> Inspection:
    """An inspection of partner A, started, rated (one minor gap), with a major finding naming student
    A's placement, then closed by ``inspector``."""
    inspection = start(world, **overrides)
    rate_all(world, inspection)
    first = inspection.template.items.order_by("aspect", "order").first()
    assert first is not None
    services.checklist_record(
        inspection=inspection, item=first, rating=Rating.MINOR_GAP, note="Logbook gaps.", by=user(world, "inspector")
    )
    add_finding(world, inspection, Severity.MAJOR, "Supervision hours not met.", placement=world.placement_a)
    add_finding(world, inspection, Severity.OBSERVATION, "Good induction material.")
    return services.inspection_close(inspection=inspection, by=user(world, "inspector"))
