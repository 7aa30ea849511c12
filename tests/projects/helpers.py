"""Projects made through the real services, for the projects tests and the access matrix."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from accounts.models import User
from projects import services
from projects.models import PointsScheme, Project, ProjectOutput
from tests.conftest import World
from tests.factories.projects import PointsSchemeFactory


def user(world: World, persona: str) -> User:
    found = world.users[persona]
    assert found is not None
    return found


def scheme(world: World, **overrides: Any) -> PointsScheme:
    existing = PointsScheme.objects.filter(programme=world.programme).first()
    if existing is not None and not overrides:
        return existing
    return PointsSchemeFactory.create(programme=world.programme, created_by=user(world, "office"), **overrides)


def project(
    world: World,
    *,
    lead: str = "a",
    leader: str = "supervisor_a",
    budget: str = "20000",
    months: int = 6,
    status: str = "running",
    **fields: Any,
) -> Project:
    """A project led by partner A (or B), through the services up to ``status``."""
    scheme(world)
    office = user(world, "office")
    partner = world.partner_a if lead == "a" else world.partner_b
    start = datetime.date(2025, 1, 1)
    made = services.project_create(
        by=office,
        programme=world.programme,
        title_en=fields.pop("title_en", f"Project {Project.objects.count() + 1}"),
        kind=fields.pop("kind", "venture"),
        lead_partner=partner,
        leader=user(world, leader),
        start_date=start,
        end_date=start + datetime.timedelta(days=round(months * 30.4375) - 1),
        budget=Decimal(budget),
        **fields,
    )
    if status in ("approved", "running", "concluded"):
        made = services.project_approve(project=made, by=office)
    if status in ("running", "concluded"):
        made = services.project_start(project=made, by=office)
    if status == "concluded":
        made = services.project_conclude(project=made, by=office, on=datetime.date(2026, 6, 30))
    return made


def output(world: World, on: Project, *, by: str = "office", output_type: str = "paper") -> ProjectOutput:
    return services.output_submit(
        project=on,
        output_type=output_type,
        title=f"Output of {on.title_en}",
        achieved_on=datetime.date(2026, 3, 1),
        reference="doi:10.1000/test",
        by=user(world, by),
    )
