"""Programme set-up by the office: services (validation with clear messages, history, requirements
versions, copying for next year) and the pages (office only; everyone else 404)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import User
from partners.models import PartnerStatus
from programmes import services
from programmes.models import (
    ActivityCategory,
    Cohort,
    MilestoneTemplate,
    Objective,
    Participation,
    ParticipationRole,
    Programme,
    ProgrammeStatus,
    RequirementsVersion,
)
from programmes.services import Requirements
from students import services as student_services
from students.models import Placement, PlanStatus, TrainingPlan
from tests.conftest import World, client_for

pytestmark = pytest.mark.django_db


def _u(world: World, persona: str) -> User:
    user = world.users[persona]
    assert user is not None
    return user


def _code(error: pytest.ExceptionInfo[ValidationError], field: str) -> tuple[str | None, str]:
    first = error.value.error_dict[field][0]
    return first.code, first.messages[0]


def _new(world: World, **extra: Any) -> Programme:
    values: dict[str, Any] = {
        "name": "Medical Imaging 2028",
        "code": "mit-2028",
        "degree_type": "professional",
        "duration_months": 24,
        "lead_university": world.university,
        "status": ProgrammeStatus.DRAFT,
        "first_intake_year": 2028,
    }
    values.update(extra)
    return services.programme_create(by=_u(world, "office"), **values)


# --- Services ----------------------------------------------------------------------------------------------


def test_office_sets_up_a_programme_with_its_lead_taking_part_and_version_1(world: World) -> None:
    programme = _new(world)

    lead = Participation.objects.get(programme=programme)
    assert lead.partner == world.university and lead.role == ParticipationRole.LEAD
    assert RequirementsVersion.objects.get(programme=programme).number == 1
    assert programme.history.first().history_user == _u(world, "office")  # type: ignore[attr-defined]


def test_only_the_office_sets_up_programmes(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.programme_create(
            by=_u(world, "coordinator_a"),
            name="x",
            code="x",
            degree_type="academic",
            duration_months=24,
            lead_university=world.university,
        )


def test_lead_must_be_a_university(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        _new(world, lead_university=world.partner_a)
    assert "university" in " ".join(error.value.message_dict["lead_university"])


def test_requirement_for_a_category_the_programme_lacks_is_refused_by_name(world: World) -> None:
    programme = _new(world)
    with pytest.raises(ValidationError) as error:
        services.programme_requirements_set(
            programme=programme, by=_u(world, "office"), requirements=Requirements(hours={"ct": 100})
        )
    code, message = _code(error, "hours")
    assert code == "category_not_in_programme"
    assert "“ct”" in message


def test_milestone_after_the_programme_end_is_refused(world: World) -> None:
    programme = _new(world, duration_months=24)
    with pytest.raises(ValidationError) as error:
        services.programme_requirements_set(
            programme=programme, by=_u(world, "office"), requirements=Requirements(milestones={"defence": 30})
        )
    assert _code(error, "milestones")[0] == "milestone_outside_programme"


def test_requirements_change_makes_a_new_version_with_who_and_what(world: World) -> None:
    programme = _new(world)
    office = _u(world, "office")
    services.activity_category_create(programme=programme, by=office, code="ct", name="CT operation")

    version = services.programme_requirements_set(
        programme=programme,
        by=office,
        requirements=Requirements(
            credits={"professional_core": Decimal("12")},
            hours={"ct": 240},
            milestones={"proposal": 6},
            project_points=4,
        ),
        summary="First requirements.",
    )

    assert version.number == 2
    assert version.created_by == office
    assert version.snapshot == {
        "credits": {"professional_core": "12.0"},
        "hours": {"ct": 240},
        "milestones": {"proposal": 6},
        "project_points": 4,
    }
    assert ActivityCategory.objects.get(programme=programme, code="ct").required_hours == 240
    assert MilestoneTemplate.objects.get(programme=programme).offset_months == 6
    # The same requirements again: no new version.
    programme.refresh_from_db()
    same = services.programme_requirements_set(
        programme=programme, by=office, requirements=services.programme_requirements(programme)
    )
    assert same.number == 2


def test_approved_plan_keeps_the_requirements_it_was_approved_under(world: World) -> None:
    office = _u(world, "office")
    plan = TrainingPlan.objects.get(student=world.student_a)
    TrainingPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.TUTOR_APPROVED)
    approved = student_services.plan_approve(plan=TrainingPlan.objects.get(pk=plan.pk), by=office)
    kept = approved.requirements_version
    assert kept is not None

    services.programme_requirements_set(
        programme=world.programme, by=office, requirements=Requirements(project_points=9), summary="More points."
    )

    approved.refresh_from_db()
    assert approved.requirements_version == kept
    latest = RequirementsVersion.objects.filter(programme=world.programme).order_by("-number").first()
    assert latest is not None and latest.number == kept.number + 1
    page = client_for(office).get(reverse("students:plan", args=[world.student_a.pk])).content.decode()
    assert f"v{kept.number}" in page
    assert 'data-testid="plan-requirements-version"' in page


def test_duration_that_existing_plans_exceed_is_refused_with_the_count(world: World) -> None:
    # Student A enrolled 2026-09-01; placement A runs to the end of June 2027: 6 months is too short.
    Placement.objects.filter(pk=world.placement_a.pk).update(end_date=datetime.date(2027, 6, 30))
    with pytest.raises(ValidationError) as error:
        services.programme_update(programme=world.programme, by=_u(world, "office"), duration_months=6)
    code, message = _code(error, "duration_months")
    assert code == "duration_exceeded"
    assert "1 placements" in message
    services.programme_update(programme=world.programme, by=_u(world, "office"), duration_months=12)


def test_cohort_outside_the_programme_life_is_refused(world: World) -> None:
    programme = _new(world, first_intake_year=2028, last_intake_year=2030)
    office = _u(world, "office")
    with pytest.raises(ValidationError) as error:
        services.cohort_create(programme=programme, by=office, intake_year=2031)
    code, message = _code(error, "intake_year")
    assert code == "cohort_outside_programme"
    assert "2031" in message and "2028" in message
    cohort = services.cohort_create(programme=programme, by=office, intake_year=2028, name="First")
    assert cohort.history.first().history_user == office  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as duplicate:
        services.cohort_create(programme=programme, by=office, intake_year=2028)
    assert _code(duplicate, "intake_year")[0] == "duplicate"
    with pytest.raises(ValidationError) as narrowing:
        services.programme_update(programme=programme, by=office, first_intake_year=2029)
    assert _code(narrowing, "first_intake_year")[0] == "cohort_outside_programme"


def test_suspended_partner_joins_no_programme(world: World) -> None:
    programme = _new(world)
    type(world.partner_a).objects.filter(pk=world.partner_a.pk).update(status=PartnerStatus.SUSPENDED)
    world.partner_a.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.participation_create(
            programme=programme, by=_u(world, "office"), partner=world.partner_a, role=ParticipationRole.TRAINING
        )
    assert _code(error, "partner")[0] == "partner_suspended"


def test_copy_for_next_year_takes_the_set_up_and_no_cohorts(world: World) -> None:
    office = _u(world, "office")
    Objective.objects.create(programme=world.programme, kind="practical", code="P1", description="Operate CT")
    ActivityCategory.objects.create(programme=world.programme, code="ct", name="CT", required_hours=100)
    type(world.partner_b).objects.filter(pk=world.partner_b.pk).update(status=PartnerStatus.SUSPENDED)

    copy = services.programme_copy(programme=world.programme, by=office, name="MIT 2028", code="mit-2028")

    assert copy.status == ProgrammeStatus.DRAFT
    assert copy.duration_months == world.programme.duration_months
    assert list(copy.objectives.values_list("code", flat=True)) == ["P1"]
    assert copy.activity_categories.get().required_hours == 100
    partners = set(Participation.objects.filter(programme=copy).values_list("partner_id", flat=True))
    assert partners == {world.university.pk, world.partner_a.pk}  # the suspended partner B left out
    assert not Cohort.objects.filter(programme=copy).exists()


# --- Pages ------------------------------------------------------------------------------------------------


def test_office_creates_a_programme_in_the_browser_and_a_refusal_keeps_the_input(world: World) -> None:
    client = client_for(_u(world, "office"))
    url = reverse("programmes:create")
    body = {
        "name": "MIT 2029",
        "code": "mit-2029",
        "degree_type": "professional",
        "duration_months": "24",
        "lead_university": str(world.partner_a.pk),  # not a university: not even a choice
        "status": "draft",
    }
    refused = client.post(url, body)
    assert refused.status_code == 200
    assert 'value="MIT 2029"' in refused.content.decode()

    done = client.post(url, body | {"lead_university": str(world.university.pk)})

    programme = Programme.objects.get(code="mit-2029")
    assert done.status_code == 302 and done["Location"] == reverse("programmes:detail", args=[programme.pk])


def test_requirements_page_refuses_a_milestone_past_the_end_on_the_form(world: World) -> None:
    client = client_for(_u(world, "office"))
    url = reverse("programmes:requirements", args=[world.programme.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"project_points": "0", "milestone_defence": "99"})

    assert response.status_code == 200
    assert "months after enrolment" in response.content.decode()


@pytest.mark.parametrize("persona", ["coordinator_a", "supervisor_a", "tutor", "student_a", "inspector"])
def test_set_up_pages_are_404_for_everyone_but_the_office(persona: str, world: World) -> None:
    client = client_for(_u(world, persona))
    for name in ("programmes:edit", "programmes:requirements", "programmes:copy", "programmes:history"):
        assert client.get(reverse(name, args=[world.programme.pk])).status_code == 404
    assert client.get(reverse("programmes:create")).status_code == 404


def test_history_page_shows_who_changed_what(world: World) -> None:
    office = _u(world, "office")
    services.programme_update(programme=world.programme, by=office, description="Now with more MR.")
    services.objective_create(programme=world.programme, by=office, kind="research", code="R9", description="x")

    page = client_for(office).get(reverse("programmes:history", args=[world.programme.pk])).content.decode()

    assert "R9" in page
    assert office.display_name in page
    assert datetime.date.today().isoformat()[:4] in page
