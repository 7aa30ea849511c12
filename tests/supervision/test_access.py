"""Who sees inspections and what hangs off them (permissions.md, issue #5 §2).

A planned spot inspection is invisible to everyone but the office and its assigned inspectors: no row in
any scope, ``can`` false, for every persona and every model below it. Once started, the target's
coordinators see it (and answer its corrective actions); a supervisor sees one that targets a placement
they supervise. While it is in progress, its inspectors read the target's placements and practice hours,
and only the target's; closing ends that.
"""

from __future__ import annotations

import pytest
from django.db import models
from django.utils import timezone

from accounts.models import User
from accounts.roles import PlatformRole, grant_platform_role, revoke_platform_role
from partners import access
from practice.models import PracticeLog
from programmes.models import Agreement
from students.models import Placement
from supervision import services
from supervision.models import (
    ChecklistResult,
    ChecklistTemplate,
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionKind,
    Rating,
    Severity,
    TargetKind,
)
from tests.conftest import PERSONAS, World
from tests.factories.accounts import UserFactory
from tests.factories.practice import PracticeLogFactory
from tests.factories.supervision import ChecklistTemplateFactory

pytestmark = pytest.mark.django_db

SIGNED_IN = tuple(p for p in PERSONAS if p != "anonymous")
#: Who sees a started inspection of partner A as a whole (not aimed at one placement).
SEES_STARTED = {"office", "inspector", "coordinator_a"}


def _u(world: World, persona: str) -> User:
    user = world.users[persona]
    assert user is not None
    return user


def _as(world: World, persona: str) -> object:
    from django.contrib.auth.models import AnonymousUser

    user = world.users[persona]
    return user if user is not None else AnonymousUser()


@pytest.fixture
def template(world: World) -> ChecklistTemplate:
    return ChecklistTemplateFactory.create(target_kind=TargetKind.PARTNER)


def _plan(world: World, template: ChecklistTemplate, **kwargs: object) -> Inspection:
    values: dict[str, object] = {
        "kind": InspectionKind.SPOT,
        "partner": world.partner_a,
        "template": template,
        "planned_date": timezone.localdate(),
        "inspectors": [_u(world, "inspector")],
        "by": _u(world, "office"),
    }
    values.update(kwargs)
    return services.inspection_plan(**values)  # type: ignore[arg-type]


def _visible(world: World, persona: str, model: type[models.Model]) -> set[int]:
    return set(access.scope(model._default_manager.all(), _as(world, persona), "view").values_list("pk", flat=True))  # type: ignore[arg-type]


@pytest.mark.parametrize("persona", PERSONAS)
def test_planned_spot_inspection_is_seen_only_by_office_and_assigned_inspector(
    world: World, template: ChecklistTemplate, persona: str
) -> None:
    inspection = _plan(world, template)
    expected = persona in {"office", "inspector"}
    user = _as(world, persona)
    assert (_visible(world, persona, Inspection) == {inspection.pk}) is expected
    assert access.can(user, "view", inspection) is expected  # type: ignore[arg-type]
    assert bool(_visible(world, persona, InspectionAssignment)) is expected


@pytest.mark.parametrize("persona", [p for p in SIGNED_IN if p not in {"office", "inspector"}])
def test_planned_spot_inspection_leaves_no_trace_for_others(
    world: World, template: ChecklistTemplate, persona: str
) -> None:
    """No count, no grant, no denial-free action: a planned inspection says nothing to anyone else."""
    inspection = _plan(world, template)
    user = _u(world, persona)
    assert access.scope(Inspection.objects.all(), user).count() == 0
    assert not access.scope(Inspection.objects.filter(target_partner=world.partner_a), user).exists()
    for action in ("start", "record", "close"):
        assert not access.can(user, action, inspection)
    # Planning grants nothing: the inspector reads nothing of the target yet.
    assert not access.scope(Placement.objects.all(), _u(world, "inspector")).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_started_inspection_is_seen_by_target_coordinator_but_not_other_partners(
    world: World, template: ChecklistTemplate, persona: str
) -> None:
    inspection = services.inspection_start(inspection=_plan(world, template), by=_u(world, "inspector"))
    expected = persona in SEES_STARTED
    assert (_visible(world, persona, Inspection) == {inspection.pk}) is expected
    assert access.can(_as(world, persona), "view", inspection) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize("persona", PERSONAS)
def test_closed_inspection_stays_visible_to_the_same_people(
    world: World, template: ChecklistTemplate, persona: str
) -> None:
    inspection = services.inspection_start(inspection=_plan(world, template), by=_u(world, "inspector"))
    services.inspection_close(inspection=inspection, by=_u(world, "inspector"))
    assert (_visible(world, persona, Inspection) == {inspection.pk}) is (persona in SEES_STARTED)


def test_supervisor_sees_started_inspection_of_a_placement_they_supervise_only(world: World) -> None:
    placement_template = ChecklistTemplateFactory.create(target_kind=TargetKind.PLACEMENT)
    inspection = _plan(world, placement_template, placement=world.placement_a)
    assert not access.can(_u(world, "supervisor_a"), "view", inspection)
    services.inspection_start(inspection=inspection, by=_u(world, "inspector"))
    assert access.can(_u(world, "supervisor_a"), "view", inspection)
    assert access.can(_u(world, "coordinator_a"), "view", inspection)
    for persona in ("supervisor_b", "coordinator_b", "student_a", "tutor"):
        assert not access.can(_u(world, persona), "view", inspection), persona


def test_unassigned_inspector_sees_nothing(world: World, template: ChecklistTemplate) -> None:
    other = UserFactory.create()
    grant_platform_role(other, PlatformRole.INSPECTOR)
    inspection = _plan(world, template)
    assert not access.scope(Inspection.objects.all(), other).exists()
    services.inspection_start(inspection=inspection, by=_u(world, "inspector"))
    assert not access.scope(Inspection.objects.all(), other).exists()
    assert not access.scope(Placement.objects.all(), other).exists()


def test_inspector_who_lost_the_role_loses_the_inspection(world: World, template: ChecklistTemplate) -> None:
    inspection = _plan(world, template)
    inspector = _u(world, "inspector")
    revoke_platform_role(inspector, PlatformRole.INSPECTOR)
    assert not access.can(inspector, "view", inspection)
    assert not access.can(inspector, "start", inspection)


@pytest.fixture
def evidence(world: World, template: ChecklistTemplate) -> tuple[Inspection, ChecklistResult, Finding]:
    """A started inspection of A with a result and a major finding (so a corrective action)."""
    inspector = _u(world, "inspector")
    inspection = services.inspection_start(inspection=_plan(world, template), by=inspector)
    item = template.items.first()
    assert item is not None
    result = services.checklist_record(inspection=inspection, item=item, rating=Rating.CONFORMING, by=inspector)
    finding = services.finding_add(inspection=inspection, severity=Severity.MAJOR, description="Gap.", by=inspector)
    return inspection, result, finding


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("model", [ChecklistResult, Finding, CorrectiveAction, InspectionAssignment])
def test_evidence_follows_its_inspection(
    world: World, evidence: tuple[Inspection, ChecklistResult, Finding], persona: str, model: type[models.Model]
) -> None:
    assert bool(_visible(world, persona, model)) is (persona in SEES_STARTED)


def test_evidence_of_an_inspection_of_b_is_not_seen_from_a(
    world: World, template: ChecklistTemplate, evidence: tuple[Inspection, ChecklistResult, Finding]
) -> None:
    inspector = _u(world, "inspector")
    at_b = services.inspection_start(inspection=_plan(world, template, partner=world.partner_b), by=inspector)
    finding_b = services.finding_add(inspection=at_b, severity=Severity.MINOR, description="B gap.", by=inspector)
    coordinator_a = _u(world, "coordinator_a")
    assert set(access.scope(Finding.objects.all(), coordinator_a)) == {evidence[2]}
    assert not access.can(coordinator_a, "view", finding_b)
    assert not access.can(coordinator_a, "answer", finding_b.corrective_action)
    assert access.can(_u(world, "coordinator_b"), "answer", finding_b.corrective_action)


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_answer_and_verify_rights_per_persona(
    world: World, evidence: tuple[Inspection, ChecklistResult, Finding], persona: str
) -> None:
    action = evidence[2].corrective_action
    user = _u(world, persona)
    assert access.can(user, "answer", action) is (persona == "coordinator_a")
    assert access.can(user, "verify", action) is (persona == "inspector")


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_only_office_plans_and_sees_all_checklists_with_inspectors(world: World, persona: str) -> None:
    ChecklistTemplateFactory.create()
    assert access.can(_u(world, persona), "plan", Inspection) is (persona == "office")
    assert access.scope(ChecklistTemplate.objects.all(), _u(world, persona)).exists() is (
        persona in {"office", "inspector"}
    )


def test_inspector_reads_target_placements_and_hours_only_while_in_progress(
    world: World, template: ChecklistTemplate
) -> None:
    inspector = _u(world, "inspector")
    log_a = PracticeLogFactory.create(placement=world.placement_a)
    PracticeLogFactory.create(placement=world.placement_b)
    inspection = _plan(world, template)
    assert not access.scope(Placement.objects.all(), inspector).exists()
    assert not access.scope(PracticeLog.objects.all(), inspector).exists()

    services.inspection_start(inspection=inspection, by=inspector)
    assert list(access.scope(Placement.objects.all(), inspector)) == [world.placement_a]
    assert list(access.scope(PracticeLog.objects.all(), inspector)) == [log_a]
    assert access.can(inspector, "view", world.placement_a)
    assert not access.can(inspector, "view", world.placement_b)
    # Reading is all it gives: no logging or deciding.
    assert not access.can(inspector, "log", world.placement_a)
    assert not access.can(inspector, "decide", log_a)

    services.inspection_close(inspection=inspection, by=inspector)
    assert not access.scope(Placement.objects.all(), inspector).exists()
    assert not access.scope(PracticeLog.objects.all(), inspector).exists()
    assert not access.can(inspector, "view", world.placement_a)
    # The inspection itself stays readable to its inspector after closing.
    assert access.can(inspector, "view", inspection)


def test_inspector_reads_target_agreements_only_while_in_progress(world: World, template: ChecklistTemplate) -> None:
    inspector = _u(world, "inspector")
    agreement = Agreement.objects.get()
    inspection = services.inspection_start(inspection=_plan(world, template), by=inspector)
    assert list(access.scope(Agreement.objects.all(), inspector)) == [agreement]
    assert not access.scope(Placement.objects.filter(partner=world.partner_b), inspector).exists()
    services.inspection_close(inspection=inspection, by=inspector)
    assert not access.scope(Agreement.objects.all(), inspector).exists()
