"""Supervision services: planning refuses conflicts of interest and empty inspector lists; starting
grants the inspectors time-limited access that closing ends; checklist results and findings only while
in progress; corrective actions owned by the target's coordinator, due by severity, answered, verified
and reopened by the right people."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import User
from accounts.roles import PlatformRole, grant_platform_role
from partners.models import Membership, MembershipRole, PartnerUserObjectPermission
from supervision import services
from supervision.models import (
    ActionStatus,
    ChecklistResult,
    ChecklistTemplate,
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionKind,
    InspectionStatus,
    Rating,
    Severity,
    TargetKind,
)
from tests.conftest import World
from tests.factories.accounts import UserFactory
from tests.factories.practice import PracticeLogFactory
from tests.factories.supervision import ChecklistTemplateFactory

pytestmark = pytest.mark.django_db


def _u(world: World, persona: str) -> User:
    user = world.users[persona]
    assert user is not None
    return user


@pytest.fixture
def template(world: World) -> ChecklistTemplate:
    return ChecklistTemplateFactory.create(target_kind=TargetKind.PARTNER)


def _plan(world: World, template: ChecklistTemplate, **overrides: Any) -> Inspection:
    values: dict[str, Any] = {
        "kind": InspectionKind.SPOT,
        "partner": world.partner_a,
        "template": template,
        "planned_date": timezone.localdate(),
        "inspectors": [_u(world, "inspector")],
        "by": _u(world, "office"),
    }
    values.update(overrides)
    return services.inspection_plan(**values)


def _started(world: World, template: ChecklistTemplate) -> Inspection:
    return services.inspection_start(inspection=_plan(world, template), by=_u(world, "inspector"))


def _field_codes(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code or "" for e in errors] for field, errors in exc.error_dict.items()}


def test_office_plans_spot_inspection_with_assigned_inspector(world: World, template: ChecklistTemplate) -> None:
    inspection = _plan(world, template)
    assert inspection.status == InspectionStatus.PLANNED
    assert inspection.target_kind == TargetKind.PARTNER
    assert list(inspection.assignments.values_list("inspector__username", flat=True)) == ["inspector"]


def test_plan_refuses_an_empty_inspector_list(world: World, template: ChecklistTemplate) -> None:
    with pytest.raises(ValidationError) as exc:
        _plan(world, template, inspectors=[])
    assert _field_codes(exc.value) == {"inspectors": ["required"]}
    assert not Inspection.objects.exists()


def test_plan_refuses_inspector_with_membership_at_target_as_conflict_of_interest(
    world: World, template: ChecklistTemplate
) -> None:
    conflicted = _u(world, "supervisor_a")
    grant_platform_role(conflicted, PlatformRole.INSPECTOR)
    with pytest.raises(ValidationError) as exc:
        _plan(world, template, inspectors=[_u(world, "inspector"), conflicted])
    assert _field_codes(exc.value) == {"inspectors": ["conflict_of_interest"]}
    assert "Conflict of interest" in str(exc.value)
    assert not Inspection.objects.exists()


def test_plan_accepts_inspector_whose_membership_at_target_has_ended(world: World, template: ChecklistTemplate) -> None:
    former = UserFactory.create()
    grant_platform_role(former, PlatformRole.INSPECTOR)
    Membership.objects.create(
        user=former,
        partner=world.partner_a,
        role=MembershipRole.STAFF,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 1, 1),
    )
    assert _plan(world, template, inspectors=[former]).assignments.count() == 1


def test_plan_refuses_someone_without_the_inspector_role(world: World, template: ChecklistTemplate) -> None:
    with pytest.raises(ValidationError) as exc:
        _plan(world, template, inspectors=[_u(world, "tutor")])
    assert _field_codes(exc.value) == {"inspectors": ["not_inspector"]}


@pytest.mark.parametrize("persona", ["inspector", "coordinator_a", "tutor", "supervisor_b"])
def test_only_office_plans(world: World, template: ChecklistTemplate, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        _plan(world, template, by=_u(world, persona))


def test_plan_refuses_checklist_for_another_target_kind(world: World) -> None:
    placement_template = ChecklistTemplateFactory.create(target_kind=TargetKind.PLACEMENT)
    with pytest.raises(ValidationError) as exc:
        _plan(world, placement_template)
    assert "template" in exc.value.error_dict
    inspection = _plan(world, placement_template, placement=world.placement_a)
    assert inspection.target_kind == TargetKind.PLACEMENT


def test_plan_refuses_placement_at_another_partner(world: World) -> None:
    placement_template = ChecklistTemplateFactory.create(target_kind=TargetKind.PLACEMENT)
    with pytest.raises(ValidationError) as exc:
        _plan(world, placement_template, placement=world.placement_b)
    assert "placement" in exc.value.error_dict


def test_start_moves_to_in_progress_and_grants_inspector_until_after_planned_date(
    world: World, template: ChecklistTemplate
) -> None:
    inspection = _started(world, template)
    assert inspection.status == InspectionStatus.IN_PROGRESS
    assert inspection.started_at is not None
    grant = PartnerUserObjectPermission.objects.get(user=_u(world, "inspector"), content_object=world.partner_a)
    assert grant.valid_until.date() >= inspection.planned_date + datetime.timedelta(days=59)


def test_start_twice_is_refused(world: World, template: ChecklistTemplate) -> None:
    inspection = _started(world, template)
    with pytest.raises(ValidationError) as exc:
        services.inspection_start(inspection=inspection, by=_u(world, "office"))
    assert _field_codes(exc.value) == {"status": ["not_planned"]}


@pytest.mark.parametrize("persona", ["coordinator_a", "supervisor_a", "student_a"])
def test_people_of_the_target_cannot_start(world: World, template: ChecklistTemplate, persona: str) -> None:
    inspection = _plan(world, template)
    with pytest.raises(PermissionDenied):
        services.inspection_start(inspection=inspection, by=_u(world, persona))


def test_unassigned_inspector_cannot_start(world: World, template: ChecklistTemplate) -> None:
    other = UserFactory.create()
    grant_platform_role(other, PlatformRole.INSPECTOR)
    with pytest.raises(PermissionDenied):
        services.inspection_start(inspection=_plan(world, template), by=other)


def test_start_refuses_when_inspector_joined_target_since_planning(world: World, template: ChecklistTemplate) -> None:
    inspection = _plan(world, template)
    Membership.objects.create(user=_u(world, "inspector"), partner=world.partner_a, role=MembershipRole.STAFF)
    with pytest.raises(ValidationError) as exc:
        services.inspection_start(inspection=inspection, by=_u(world, "office"))
    assert _field_codes(exc.value) == {"inspectors": ["conflict_of_interest"]}
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PLANNED


def test_close_ends_grants_of_every_inspector(world: World, template: ChecklistTemplate) -> None:
    second = UserFactory.create()
    grant_platform_role(second, PlatformRole.INSPECTOR)
    inspection = services.inspection_start(
        inspection=_plan(world, template, inspectors=[_u(world, "inspector"), second]), by=_u(world, "office")
    )

    def live() -> int:
        return PartnerUserObjectPermission.objects.filter(
            content_object=world.partner_a, valid_until__gt=timezone.now()
        ).count()

    assert live() == 2
    closed = services.inspection_close(inspection=inspection, by=_u(world, "inspector"))
    assert closed.status == InspectionStatus.CLOSED
    assert closed.closed_at is not None
    assert live() == 0


def test_close_keeps_grant_needed_by_another_inspection_in_progress(world: World, template: ChecklistTemplate) -> None:
    first = _started(world, template)
    _started(world, template)
    services.inspection_close(inspection=first, by=_u(world, "inspector"))
    assert PartnerUserObjectPermission.objects.filter(
        user=_u(world, "inspector"), content_object=world.partner_a, valid_until__gt=timezone.now()
    ).exists()


def test_close_refuses_planned_inspection_and_people_of_the_target(world: World, template: ChecklistTemplate) -> None:
    inspection = _plan(world, template)
    with pytest.raises(ValidationError):
        services.inspection_close(inspection=inspection, by=_u(world, "office"))
    services.inspection_start(inspection=inspection, by=_u(world, "inspector"))
    with pytest.raises(PermissionDenied):
        services.inspection_close(inspection=inspection, by=_u(world, "coordinator_a"))


def test_checklist_record_only_while_in_progress(world: World, template: ChecklistTemplate) -> None:
    inspection = _plan(world, template)
    item = template.items.first()
    assert item is not None
    with pytest.raises(ValidationError) as exc:
        services.checklist_record(inspection=inspection, item=item, rating=Rating.CONFORMING, by=_u(world, "inspector"))
    assert _field_codes(exc.value) == {"inspection": ["not_in_progress"]}


def test_checklist_record_again_replaces_rating_and_keeps_history(world: World, template: ChecklistTemplate) -> None:
    inspection = _started(world, template)
    item = template.items.first()
    assert item is not None
    inspector = _u(world, "inspector")
    services.checklist_record(inspection=inspection, item=item, rating=Rating.CONFORMING, by=inspector)
    result = services.checklist_record(
        inspection=inspection, item=item, rating=Rating.MINOR_GAP, note="Logbook incomplete.", by=inspector
    )
    assert ChecklistResult.objects.filter(inspection=inspection).count() == 1
    assert result.rating == Rating.MINOR_GAP
    assert [h.rating for h in result.history.order_by("history_id")] == [Rating.CONFORMING, Rating.MINOR_GAP]


def test_checklist_record_refuses_gap_without_note_and_item_of_other_checklist(
    world: World, template: ChecklistTemplate
) -> None:
    inspection = _started(world, template)
    inspector = _u(world, "inspector")
    item = template.items.first()
    assert item is not None
    with pytest.raises(ValidationError) as exc:
        services.checklist_record(inspection=inspection, item=item, rating=Rating.MAJOR_GAP, by=inspector)
    assert _field_codes(exc.value) == {"note": ["required"]}
    foreign = ChecklistTemplateFactory.create().items.first()
    assert foreign is not None
    with pytest.raises(ValidationError) as exc:
        services.checklist_record(inspection=inspection, item=foreign, rating=Rating.CONFORMING, by=inspector)
    assert "item" in exc.value.error_dict


@pytest.mark.parametrize("persona", ["office", "coordinator_a", "supervisor_a"])
def test_only_assigned_inspector_records_checklist(world: World, template: ChecklistTemplate, persona: str) -> None:
    inspection = _started(world, template)
    item = template.items.first()
    assert item is not None
    with pytest.raises(PermissionDenied):
        services.checklist_record(inspection=inspection, item=item, rating=Rating.CONFORMING, by=_u(world, persona))


@pytest.mark.parametrize(("severity", "days"), [(Severity.MINOR, 90), (Severity.MAJOR, 30), (Severity.CRITICAL, 7)])
def test_finding_creates_corrective_action_owned_by_coordinator_due_by_severity(
    world: World, template: ChecklistTemplate, severity: str, days: int
) -> None:
    inspection = _started(world, template)
    finding = services.finding_add(
        inspection=inspection, severity=severity, description="Unsupervised scans.", by=_u(world, "inspector")
    )
    action = finding.corrective_action
    assert action.owner == _u(world, "coordinator_a")
    assert action.status == ActionStatus.OPEN
    assert action.due_date == timezone.localdate(finding.created_at) + datetime.timedelta(days=days)


def test_observation_has_no_corrective_action(world: World, template: ChecklistTemplate) -> None:
    finding = services.finding_add(
        inspection=_started(world, template),
        severity=Severity.OBSERVATION,
        description="Good teaching rounds.",
        by=_u(world, "inspector"),
    )
    assert not CorrectiveAction.objects.filter(finding=finding).exists()


def test_finding_refused_clearly_when_target_has_no_coordinator(world: World, template: ChecklistTemplate) -> None:
    inspection = _started(world, template)
    Membership.objects.filter(partner=world.partner_a, role=MembershipRole.COORDINATOR).update(
        end_date=timezone.localdate() - datetime.timedelta(days=1), start_date=datetime.date(2020, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        services.finding_add(
            inspection=inspection, severity=Severity.MAJOR, description="No rota.", by=_u(world, "inspector")
        )
    assert _field_codes(exc.value) == {"severity": ["no_coordinator"]}
    assert not Finding.objects.exists()


def test_finding_links_placement_supervisor_and_entries_of_the_target_only(
    world: World, template: ChecklistTemplate
) -> None:
    inspection = _started(world, template)
    inspector = _u(world, "inspector")
    log_a = PracticeLogFactory.create(placement=world.placement_a)
    log_b = PracticeLogFactory.create(placement=world.placement_b)
    finding = services.finding_add(
        inspection=inspection,
        severity=Severity.MINOR,
        description="Entries approved late.",
        placement=world.placement_a,
        supervisor=_u(world, "supervisor_a"),
        practice_logs=[log_a],
        by=inspector,
    )
    assert list(finding.practice_logs.all()) == [log_a]
    for kwargs, field in (
        ({"placement": world.placement_b}, "placement"),
        ({"supervisor": _u(world, "supervisor_b")}, "supervisor"),
        ({"practice_logs": [log_a, log_b]}, "practice_logs"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.finding_add(
                inspection=inspection, severity=Severity.MINOR, description="x", by=inspector, **kwargs
            )
        assert field in exc.value.error_dict


def test_finding_refused_after_close(world: World, template: ChecklistTemplate) -> None:
    inspection = services.inspection_close(inspection=_started(world, template), by=_u(world, "office"))
    with pytest.raises(ValidationError):
        services.finding_add(
            inspection=inspection, severity=Severity.MINOR, description="Late.", by=_u(world, "inspector")
        )


@pytest.fixture
def action(world: World, template: ChecklistTemplate) -> CorrectiveAction:
    finding = services.finding_add(
        inspection=_started(world, template),
        severity=Severity.MAJOR,
        description="Supervisor absent.",
        by=_u(world, "inspector"),
    )
    return finding.corrective_action


def test_coordinator_answers_inspector_verifies(world: World, action: CorrectiveAction) -> None:
    answered = services.corrective_action_answer(
        action=action, answer="A deputy supervisor is named.", by=_u(world, "coordinator_a")
    )
    assert answered.status == ActionStatus.ANSWERED
    assert answered.answered_at is not None
    verified = services.corrective_action_verify(action=answered, by=_u(world, "inspector"))
    assert verified.status == ActionStatus.VERIFIED
    assert verified.verified_by == _u(world, "inspector")


def test_answer_requires_text(world: World, action: CorrectiveAction) -> None:
    with pytest.raises(ValidationError) as exc:
        services.corrective_action_answer(action=action, answer="  ", by=_u(world, "coordinator_a"))
    assert _field_codes(exc.value) == {"answer": ["required"]}


@pytest.mark.parametrize("persona", ["coordinator_b", "supervisor_a", "inspector", "office", "student_a"])
def test_only_target_coordinator_answers(world: World, action: CorrectiveAction, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        services.corrective_action_answer(action=action, answer="Done.", by=_u(world, persona))


@pytest.mark.parametrize("persona", ["coordinator_a", "coordinator_b", "office"])
def test_only_assigned_inspector_verifies(world: World, action: CorrectiveAction, persona: str) -> None:
    services.corrective_action_answer(action=action, answer="Done.", by=_u(world, "coordinator_a"))
    with pytest.raises(PermissionDenied):
        services.corrective_action_verify(action=action, by=_u(world, persona))


def test_verify_refuses_unanswered_action(world: World, action: CorrectiveAction) -> None:
    with pytest.raises(ValidationError) as exc:
        services.corrective_action_verify(action=action, by=_u(world, "inspector"))
    assert _field_codes(exc.value) == {"status": ["not_answered"]}


def test_reopen_needs_reason_and_coordinator_answers_again(world: World, action: CorrectiveAction) -> None:
    services.corrective_action_answer(action=action, answer="Done.", by=_u(world, "coordinator_a"))
    with pytest.raises(ValidationError) as exc:
        services.corrective_action_reopen(action=action, reason="", by=_u(world, "inspector"))
    assert _field_codes(exc.value) == {"reason": ["required"]}
    reopened = services.corrective_action_reopen(action=action, reason="No evidence.", by=_u(world, "inspector"))
    assert reopened.status == ActionStatus.REOPENED
    again = services.corrective_action_answer(action=reopened, answer="Rota attached.", by=_u(world, "coordinator_a"))
    assert again.status == ActionStatus.ANSWERED
    statuses = [h.status for h in again.history.order_by("history_id")]
    assert statuses == [ActionStatus.OPEN, ActionStatus.ANSWERED, ActionStatus.REOPENED, ActionStatus.ANSWERED]


def test_overdue_is_derived_from_due_date_and_awaiting_status(world: World, action: CorrectiveAction) -> None:
    late = action.due_date + datetime.timedelta(days=1)
    assert not action.is_overdue
    assert action.is_overdue_on(late)
    assert list(CorrectiveAction.objects.overdue(late)) == [action]
    services.corrective_action_answer(action=action, answer="Done.", by=_u(world, "coordinator_a"))
    action.refresh_from_db()
    assert not action.is_overdue_on(late)
    assert not CorrectiveAction.objects.overdue(late).exists()


def test_evidence_tables_refuse_bulk_writes(world: World, action: CorrectiveAction) -> None:
    with pytest.raises(TypeError):
        CorrectiveAction.objects.update(status=ActionStatus.VERIFIED)
    with pytest.raises(TypeError):
        Finding.objects.all().delete()
    with pytest.raises(TypeError):
        ChecklistResult.objects.update(note="")
