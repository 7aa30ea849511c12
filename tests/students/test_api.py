"""The students, training plans, placements and milestones API: scoping, writes through the services,
refused rules and transitions in the error format, filters, and constant query counts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from core.models import Notification
from partners.models import MembershipRole
from programmes.models import MilestoneKind, MilestoneTemplate, ObjectiveKind
from students.models import (
    Milestone,
    MilestoneStatus,
    Placement,
    PlacementHours,
    PlacementStatus,
    PlanAction,
    PlanEvent,
    PlanStatus,
    PlanVersion,
    Student,
    StudentStatus,
    TrainingPlan,
)
from tests.conftest import PERSONAS, World, api_client_for
from tests.factories.accounts import UserFactory
from tests.factories.partners import MembershipFactory, PartnerFactory, SiteFactory
from tests.factories.programmes import (
    ActivityCategoryFactory,
    CohortFactory,
    ObjectiveFactory,
    ProgrammeFactory,
)
from tests.factories.students import MilestoneFactory, PlacementFactory, StudentFactory, TrainingPlanFactory

pytestmark = pytest.mark.django_db

STUDENTS = "/api/v1/students/"
PLANS = "/api/v1/training-plans/"
PLACEMENTS = "/api/v1/placements/"
MILESTONES = "/api/v1/milestones/"


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next"] is None, "the test expects one page"
    return {row["id"] for row in body["results"]}


def _assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    fields: dict[str, Any] = body["error"]["fields"]
    for messages in fields.values():
        assert isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages)
    return fields


def _plan(student: Student) -> TrainingPlan:
    return TrainingPlan.objects.get(student=student)


def _set_status(student: Student, status: str) -> TrainingPlan:
    plan = _plan(student)
    plan.status = status
    plan.save()
    return plan


# Who sees which of the two students (and so their plans and milestones).
STUDENT_REACH = {
    "office": {"a", "b"},
    "coordinator_a": {"a"},
    "supervisor_a": {"a"},
    "coordinator_b": {"b"},
    "supervisor_b": {"b"},
    "tutor": {"a"},
    "student_a": {"a"},
    "student_b": {"b"},
    "inspector": set(),
    "counsellor": set(),
}


def test_reach_table_names_every_signed_in_persona() -> None:
    assert set(STUDENT_REACH) == set(PERSONAS) - {"anonymous"}


def _students(world: World, reach: set[str]) -> list[Student]:
    return [{"a": world.student_a, "b": world.student_b}[key] for key in sorted(reach)]


@pytest.mark.parametrize("url", [STUDENTS, PLANS, MILESTONES, PLACEMENTS])
def test_unauthenticated_request_is_401(url: str, world: World) -> None:
    _assert_error(APIClient().get(url), 401, "not_authenticated")


# --- Students ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(STUDENT_REACH))
def test_student_list_contains_exactly_the_students_in_scope(persona: str, world: World) -> None:
    expected = {s.pk for s in _students(world, STUDENT_REACH[persona])}

    assert _ids(api_client_for(world.users[persona]).get(STUDENTS)) == expected


def test_student_of_other_partner_is_404_on_get_and_patch(coordinator_b: User, world: World) -> None:
    client = api_client_for(coordinator_b)
    url = f"{STUDENTS}{world.student_a.pk}/"

    out_of_scope = _assert_error(client.get(url), 404, "not_found")
    _assert_error(client.patch(url, {"research_direction": "Taken"}, format="json"), 404, "not_found")

    assert out_of_scope == _assert_error(client.get(f"{STUDENTS}999999/"), 404, "not_found")
    assert Student.objects.get(pk=world.student_a.pk).research_direction != "Taken"


def test_student_reads_own_record_with_plan_and_tutor(student_a: User, world: World) -> None:
    body = api_client_for(student_a).get(f"{STUDENTS}{world.student_a.pk}/").json()

    assert body["username"] == "student_a"
    assert body["tutor"] == world.users["tutor"].pk  # type: ignore[union-attr]
    assert body["tutor_name"] == world.users["tutor"].display_name  # type: ignore[union-attr]
    assert body["practice_supervisor_name"] is None
    assert body["plan"] == _plan(world.student_a).pk
    assert body["plan_status"] == PlanStatus.DRAFT


def _new_student_body(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "student_number": "S2026-900",
        "programme": world.programme.pk,
        "cohort": world.student_a.cohort_id,
        "enrolled_on": "2026-09-01",
        "tutor": world.users["tutor"].pk,  # type: ignore[union-attr]
        **extra,
    }


def test_office_enrols_student_with_a_new_account(office: User, world: World) -> None:
    MilestoneTemplate.objects.create(programme=world.programme, kind=MilestoneKind.PROPOSAL, offset_months=9)
    body = _new_student_body(world, username="li.na", full_name="Li Na", email="li.na@example.org")

    response = api_client_for(office).post(STUDENTS, body, format="json")

    assert response.status_code == 201, response.content
    student = Student.objects.select_related("user").get(pk=response.json()["id"])
    assert (student.user.username, student.user.full_name, student.user.email) == (
        "li.na",
        "Li Na",
        "li.na@example.org",
    )
    assert not student.user.has_usable_password()
    assert response.json()["name"] == "Li Na"
    assert _plan(student).status == PlanStatus.DRAFT
    assert PlanVersion.objects.filter(plan__student=student, number=1).exists()
    assert list(student.milestones.values_list("kind", "due_date")) == [("proposal", datetime.date(2027, 6, 1))]


def test_office_enrols_an_existing_account(office: User, world: World) -> None:
    account = UserFactory.create(username="existing")

    response = api_client_for(office).post(STUDENTS, _new_student_body(world, user=account.pk), format="json")

    assert response.status_code == 201, response.content
    assert Student.objects.get(pk=response.json()["id"]).user == account


def test_enrolling_a_taken_username_is_400_naming_username(office: User, world: World) -> None:
    before = (Student.objects.count(), User.objects.count())

    response = api_client_for(office).post(STUDENTS, _new_student_body(world, username="student_b"), format="json")

    assert list(_assert_error(response, 400, "invalid")) == ["username"]
    assert (Student.objects.count(), User.objects.count()) == before


def test_enrolling_a_taken_student_number_is_400_naming_it(office: User, world: World) -> None:
    body = _new_student_body(world, username="ghost", student_number=world.student_b.student_number)

    response = api_client_for(office).post(STUDENTS, body, format="json")

    assert list(_assert_error(response, 400, "invalid")) == ["student_number"]
    assert not User.objects.filter(username="ghost").exists()


def test_enrolling_needs_either_an_account_or_a_username(office: User, world: World) -> None:
    client = api_client_for(office)
    account = UserFactory.create(username="existing")

    neither = client.post(STUDENTS, _new_student_body(world), format="json")
    both = client.post(STUDENTS, _new_student_body(world, user=account.pk, username="fresh"), format="json")

    assert list(_assert_error(neither, 400, "invalid")) == ["username"]
    assert list(_assert_error(both, 400, "invalid")) == ["username"]
    assert not Student.objects.filter(student_number="S2026-900").exists()


def test_refused_enrolment_leaves_no_account_behind(office: User, world: World) -> None:
    other_cohort = CohortFactory.create(programme=ProgrammeFactory.create(), intake_year=2026)
    body = _new_student_body(world, username="ghost", cohort=other_cohort.pk)

    response = api_client_for(office).post(STUDENTS, body, format="json")

    assert list(_assert_error(response, 400, "invalid")) == ["cohort"]
    assert not User.objects.filter(username="ghost").exists()


def test_enrolling_with_a_tutor_who_is_not_a_tutor_is_400_naming_tutor(office: User, world: World) -> None:
    body = _new_student_body(world, username="ghost", tutor=world.users["supervisor_a"].pk)  # type: ignore[union-attr]

    response = api_client_for(office).post(STUDENTS, body, format="json")

    assert list(_assert_error(response, 400, "invalid")) == ["tutor"]
    assert not User.objects.filter(username="ghost").exists()


@pytest.mark.parametrize("persona", ["tutor", "coordinator_a", "student_a"])
def test_only_office_enrols_students(persona: str, world: World) -> None:
    response = api_client_for(world.users[persona]).post(
        STUDENTS, _new_student_body(world, username="ghost"), format="json"
    )

    _assert_error(response, 403, "permission_denied")
    assert not User.objects.filter(username="ghost").exists()


def test_office_patches_student_through_the_service(office: User, world: World) -> None:
    response = api_client_for(office).patch(
        f"{STUDENTS}{world.student_a.pk}/", {"status": "suspended", "research_direction": "MR physics"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "suspended"
    student = Student.objects.get(pk=world.student_a.pk)
    assert (student.status, student.research_direction) == (StudentStatus.SUSPENDED, "MR physics")
    assert student.history.first().history_user == office  # type: ignore[attr-defined]


@pytest.mark.parametrize("persona", ["tutor", "coordinator_a", "supervisor_a", "student_a"])
def test_people_who_see_a_student_but_are_not_office_get_403_on_patch(persona: str, world: World) -> None:
    response = api_client_for(world.users[persona]).patch(
        f"{STUDENTS}{world.student_a.pk}/", {"status": "withdrawn"}, format="json"
    )

    _assert_error(response, 403, "permission_denied")
    assert Student.objects.get(pk=world.student_a.pk).status == StudentStatus.ENROLLED


def test_student_filters_and_search(office: User, world: World) -> None:
    Student.objects.filter(pk=world.student_b.pk).update(status=StudentStatus.SUSPENDED)
    User.objects.filter(pk=world.users["student_b"].pk).update(full_name="Zhang Wei")  # type: ignore[union-attr]
    other = StudentFactory.create(student_number="X-77")
    client = api_client_for(office)
    a, b = world.student_a.pk, world.student_b.pk

    assert _ids(client.get(STUDENTS, {"programme": world.programme.pk})) == {a, b}
    assert _ids(client.get(STUDENTS, {"cohort": other.cohort_id})) == {other.pk}
    assert _ids(client.get(STUDENTS, {"status": "suspended"})) == {b}
    assert _ids(client.get(STUDENTS, {"tutor": world.users["tutor"].pk})) == {a}  # type: ignore[union-attr]
    assert _ids(client.get(STUDENTS, {"search": "X-77"})) == {other.pk}
    assert _ids(client.get(STUDENTS, {"search": "zhang"})) == {b}


# --- Training plans ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(STUDENT_REACH))
def test_plan_list_contains_exactly_the_plans_in_scope(persona: str, world: World) -> None:
    expected = {_plan(s).pk for s in _students(world, STUDENT_REACH[persona])}

    assert _ids(api_client_for(world.users[persona]).get(PLANS)) == expected


def test_other_students_plan_is_404(student_b: User, world: World) -> None:
    client = api_client_for(student_b)
    plan = _plan(world.student_a)

    _assert_error(client.get(f"{PLANS}{plan.pk}/"), 404, "not_found")
    _assert_error(client.post(f"{PLANS}{plan.pk}/submit/"), 404, "not_found")
    assert _plan(world.student_a).status == PlanStatus.DRAFT


def test_coordinator_reads_only_the_placements_at_their_partner_inside_a_plan(
    coordinator_a: User, world: World
) -> None:
    at_b = PlacementFactory.create(
        student=world.student_a,
        partner=world.partner_b,
        site=world.site_b,
        supervisor=world.users["supervisor_b"],
        start_date=datetime.date(2027, 2, 1),
        end_date=datetime.date(2027, 5, 31),
    )
    plan = _plan(world.student_a)

    mine = api_client_for(coordinator_a).get(f"{PLANS}{plan.pk}/").json()
    everything = api_client_for(world.users["tutor"]).get(f"{PLANS}{plan.pk}/").json()

    assert [p["id"] for p in mine["placements"]] == [world.placement_a.pk]
    assert [p["id"] for p in everything["placements"]] == [world.placement_a.pk, at_b.pk]
    assert everything["placements"][1]["partner_name"] == "Enterprise B"


def test_student_submits_plan_and_tutor_is_notified(student_a: User, tutor: User, world: World) -> None:
    plan = _plan(world.student_a)

    response = api_client_for(student_a).post(f"{PLANS}{plan.pk}/submit/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == PlanStatus.SUBMITTED
    assert body["latest_events"][0]["action"] == PlanAction.SUBMITTED
    assert body["latest_events"][0]["by"] == student_a.pk
    assert Notification.objects.filter(user=tutor, kind="plan_submitted").count() == 1


def test_submitting_a_plan_without_placements_is_400(student_a: User, world: World) -> None:
    Placement.objects.filter(pk=world.placement_a.pk).update(status=PlacementStatus.CANCELLED)
    plan = _plan(world.student_a)

    fields = _assert_error(api_client_for(student_a).post(f"{PLANS}{plan.pk}/submit/"), 400, "invalid")

    assert list(fields) == ["non_field_errors"]
    assert _plan(world.student_a).status == PlanStatus.DRAFT


@pytest.mark.parametrize("persona", ["office", "coordinator_a", "supervisor_a"])
def test_people_who_see_the_plan_but_may_not_submit_it_get_403(persona: str, world: World) -> None:
    plan = _plan(world.student_a)

    _assert_error(api_client_for(world.users[persona]).post(f"{PLANS}{plan.pk}/submit/"), 403, "permission_denied")
    assert _plan(world.student_a).status == PlanStatus.DRAFT


def test_plan_goes_through_tutor_and_office_approval(office: User, tutor: User, world: World) -> None:
    plan = _set_status(world.student_a, PlanStatus.SUBMITTED)

    by_tutor = api_client_for(tutor).post(f"{PLANS}{plan.pk}/approve/")
    assert by_tutor.status_code == 200, by_tutor.content
    assert by_tutor.json()["status"] == PlanStatus.TUTOR_APPROVED
    assert Notification.objects.filter(user=office, kind="plan_tutor_approved").exists()

    by_office = api_client_for(office).post(f"{PLANS}{plan.pk}/approve/")
    assert by_office.status_code == 200, by_office.content
    body = by_office.json()
    assert body["status"] == PlanStatus.APPROVED
    assert body["approved_version"] == body["version"]
    assert [e["action"] for e in body["latest_events"]] == [PlanAction.APPROVED, PlanAction.TUTOR_APPROVED]
    assert Notification.objects.filter(user=world.users["student_a"], kind="plan_approved").exists()


def test_office_approving_a_plan_the_tutor_has_not_approved_is_400(office: User, world: World) -> None:
    plan = _set_status(world.student_a, PlanStatus.SUBMITTED)

    fields = _assert_error(api_client_for(office).post(f"{PLANS}{plan.pk}/approve/"), 400, "invalid")

    assert fields["non_field_errors"] == ["Only a plan approved by the tutor can be approved by the office."]
    assert _plan(world.student_a).status == PlanStatus.SUBMITTED


def test_tutor_approving_a_draft_is_400(tutor: User, world: World) -> None:
    plan = _plan(world.student_a)

    _assert_error(api_client_for(tutor).post(f"{PLANS}{plan.pk}/approve/"), 400, "invalid")

    assert not PlanEvent.objects.filter(plan=plan).exists()


def test_student_cannot_approve_own_plan(student_a: User, world: World) -> None:
    plan = _set_status(world.student_a, PlanStatus.SUBMITTED)

    _assert_error(api_client_for(student_a).post(f"{PLANS}{plan.pk}/approve/"), 403, "permission_denied")

    assert _plan(world.student_a).status == PlanStatus.SUBMITTED


def test_tutor_of_other_student_gets_404_on_approve(world: World) -> None:
    other_tutor = UserFactory.create(username="other-tutor")
    MembershipFactory.create(user=other_tutor, partner=world.university, role=MembershipRole.TUTOR)
    plan = _set_status(world.student_a, PlanStatus.SUBMITTED)

    _assert_error(api_client_for(other_tutor).post(f"{PLANS}{plan.pk}/approve/"), 404, "not_found")

    assert _plan(world.student_a).status == PlanStatus.SUBMITTED


def test_tutor_returns_plan_with_reason_and_student_is_told(tutor: User, world: World) -> None:
    plan = _set_status(world.student_a, PlanStatus.SUBMITTED)

    response = api_client_for(tutor).post(f"{PLANS}{plan.pk}/return/", {"reason": "Add research."}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == PlanStatus.RETURNED
    assert body["latest_events"][0]["reason"] == "Add research."
    told = Notification.objects.get(user=world.users["student_a"], kind="plan_returned")
    assert told.body == "Add research."


def test_returning_without_reason_is_400_naming_reason(tutor: User, world: World) -> None:
    plan = _set_status(world.student_a, PlanStatus.SUBMITTED)
    client = api_client_for(tutor)

    assert list(_assert_error(client.post(f"{PLANS}{plan.pk}/return/", {}, format="json"), 400, "invalid")) == [
        "reason"
    ]
    blank = client.post(f"{PLANS}{plan.pk}/return/", {"reason": "   "}, format="json")
    assert list(_assert_error(blank, 400, "invalid")) == ["reason"]
    assert _plan(world.student_a).status == PlanStatus.SUBMITTED


def test_student_amends_approved_plan(student_a: User, world: World) -> None:
    plan = _set_status(world.student_a, PlanStatus.APPROVED)

    response = api_client_for(student_a).post(f"{PLANS}{plan.pk}/amend/", {"reason": "New site."}, format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["is_amendment"]) == (PlanStatus.DRAFT, True)


def test_amending_a_draft_is_400(student_a: User, world: World) -> None:
    plan = _plan(world.student_a)

    response = api_client_for(student_a).post(f"{PLANS}{plan.pk}/amend/", {"reason": "Why not."}, format="json")

    _assert_error(response, 400, "invalid")
    assert _plan(world.student_a).is_amendment is False


def test_plan_filters(office: User, world: World) -> None:
    _set_status(world.student_b, PlanStatus.SUBMITTED)
    client = api_client_for(office)

    assert _ids(client.get(PLANS, {"status": "submitted"})) == {_plan(world.student_b).pk}
    assert _ids(client.get(PLANS, {"student": world.student_a.pk})) == {_plan(world.student_a).pk}
    assert _ids(client.get(PLANS, {"is_amendment": "true"})) == set()


# --- Placements -------------------------------------------------------------------------------------

PLACEMENT_REACH = {
    "office": {"a", "b"},
    "coordinator_a": {"a"},
    "supervisor_a": {"a"},
    "coordinator_b": {"b"},
    "supervisor_b": {"b"},
    "tutor": {"a"},
    "student_a": {"a"},
    "student_b": {"b"},
    "inspector": set(),
    "counsellor": set(),
}


@pytest.mark.parametrize("persona", sorted(PLACEMENT_REACH))
def test_placement_list_contains_exactly_the_placements_in_scope(persona: str, world: World) -> None:
    placements = {"a": world.placement_a.pk, "b": world.placement_b.pk}

    expected = {placements[key] for key in PLACEMENT_REACH[persona]}
    assert _ids(api_client_for(world.users[persona]).get(PLACEMENTS)) == expected


def _placement_body(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "student": world.student_a.pk,
        "partner": world.partner_a.pk,
        "site": world.site_a.pk,
        "supervisor": world.users["supervisor_a"].pk,  # type: ignore[union-attr]
        "start_date": "2027-02-01",
        "end_date": "2027-05-31",
        **extra,
    }


def test_student_adds_placement_with_objectives_and_hours(student_a: User, world: World) -> None:
    objective = ObjectiveFactory.create(programme=world.programme, kind=ObjectiveKind.PRACTICAL)
    category = ActivityCategoryFactory.create(programme=world.programme)
    version = _plan(world.student_a).version

    response = api_client_for(student_a).post(
        PLACEMENTS,
        _placement_body(world, objectives=[objective.pk], required_hours={str(category.pk): 80}, notes="MR suite"),
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["objectives"] == [objective.pk]
    assert body["required_hours"] == {str(category.pk): 80}
    assert body["status"] == PlacementStatus.PLANNED
    placement = Placement.objects.get(pk=body["id"])
    assert PlacementHours.objects.get(placement=placement).hours == 80
    assert _plan(world.student_a).version == version + 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ("site_of_other_partner", "site"),
        ("supervisor_of_other_partner", "supervisor"),
        ("partner_without_agreement", "partner"),
        ("overlapping_dates", "start_date"),
        ("before_enrolment", "start_date"),
        ("objective_of_other_programme", "objectives"),
        ("unknown_category", "required_hours"),
    ],
)
def test_placement_breaking_a_rule_is_400_naming_the_field_and_creates_nothing(
    change: str, field: str, office: User, world: World
) -> None:
    stranger = PartnerFactory.create(name="No Agreement Hospital")
    all_edits: dict[str, dict[str, Any]] = {
        "site_of_other_partner": {"site": world.site_b.pk},
        "supervisor_of_other_partner": {"supervisor": world.users["supervisor_b"].pk},  # type: ignore[union-attr]
        "partner_without_agreement": {
            "partner": stranger.pk,
            "site": SiteFactory.create(partner=stranger).pk,
            "supervisor": MembershipFactory.create(partner=stranger, role=MembershipRole.SUPERVISOR).user.pk,
        },
        "overlapping_dates": {"start_date": "2027-01-15"},
        "before_enrolment": {"start_date": "2026-08-01", "end_date": "2026-08-31"},
        "objective_of_other_programme": {"objectives": [ObjectiveFactory.create().pk]},
        "unknown_category": {"required_hours": {"999999": 10}},
    }
    edits = all_edits[change]
    before = (Placement.objects.count(), PlanVersion.objects.count())

    response = api_client_for(office).post(PLACEMENTS, _placement_body(world, **edits), format="json")

    fields = _assert_error(response, 400, "invalid")
    assert field in fields
    assert (Placement.objects.count(), PlanVersion.objects.count()) == before


def test_site_of_other_partner_message_names_the_rule(office: User, world: World) -> None:
    response = api_client_for(office).post(PLACEMENTS, _placement_body(world, site=world.site_b.pk), format="json")

    assert _assert_error(response, 400, "invalid")["site"] == ["This site belongs to another partner."]


def test_placement_for_a_student_out_of_scope_reads_like_a_missing_student(coordinator_b: User, world: World) -> None:
    client = api_client_for(coordinator_b)
    before = Placement.objects.count()

    other = _assert_error(client.post(PLACEMENTS, _placement_body(world), format="json"), 400, "invalid")
    missing = _assert_error(
        client.post(PLACEMENTS, _placement_body(world, student=999_999), format="json"), 400, "invalid"
    )

    assert list(other) == ["student"]
    assert other["student"] == [m.replace("999999", str(world.student_a.pk)) for m in missing["student"]]
    assert Placement.objects.count() == before


@pytest.mark.parametrize("persona", ["supervisor_a", "coordinator_a"])
def test_people_who_see_the_student_but_may_not_edit_the_plan_get_403(persona: str, world: World) -> None:
    before = Placement.objects.count()

    response = api_client_for(world.users[persona]).post(PLACEMENTS, _placement_body(world), format="json")

    _assert_error(response, 403, "permission_denied")
    assert Placement.objects.count() == before


def test_adding_a_placement_to_a_submitted_plan_is_400(student_a: User, world: World) -> None:
    _set_status(world.student_a, PlanStatus.SUBMITTED)

    fields = _assert_error(
        api_client_for(student_a).post(PLACEMENTS, _placement_body(world), format="json"), 400, "invalid"
    )

    assert fields["non_field_errors"] == ["This plan is waiting for approval and cannot be changed now."]


def test_tutor_patches_placement_and_partner_stays(tutor: User, world: World) -> None:
    category = ActivityCategoryFactory.create(programme=world.programme)
    PlacementHours.objects.create(placement=world.placement_a, category=category, hours=40)

    response = api_client_for(tutor).patch(
        f"{PLACEMENTS}{world.placement_a.pk}/",
        {"notes": "Bring the dosimeter.", "partner": world.partner_b.pk, "end_date": "2027-01-15"},
        format="json",
    )

    assert response.status_code == 200, response.content
    placement = Placement.objects.get(pk=world.placement_a.pk)
    assert (placement.partner, placement.notes, placement.end_date) == (
        world.partner_a,
        "Bring the dosimeter.",
        datetime.date(2027, 1, 15),
    )
    # What the request left out is kept.
    assert response.json()["required_hours"] == {str(category.pk): 40}


def test_patch_moving_supervisor_to_other_partner_is_400(student_a: User, world: World) -> None:
    response = api_client_for(student_a).patch(
        f"{PLACEMENTS}{world.placement_a.pk}/",
        {"supervisor": world.users["supervisor_b"].pk},  # type: ignore[union-attr]
        format="json",
    )

    assert list(_assert_error(response, 400, "invalid")) == ["supervisor"]
    assert Placement.objects.get(pk=world.placement_a.pk).supervisor == world.users["supervisor_a"]


def test_other_partner_placement_is_404_on_get_patch_and_cancel(coordinator_b: User, world: World) -> None:
    client = api_client_for(coordinator_b)
    url = f"{PLACEMENTS}{world.placement_a.pk}/"

    _assert_error(client.get(url), 404, "not_found")
    _assert_error(client.patch(url, {"notes": "x"}, format="json"), 404, "not_found")
    _assert_error(client.post(f"{url}cancel/", {"reason": "x"}, format="json"), 404, "not_found")
    assert Placement.objects.get(pk=world.placement_a.pk).status == PlacementStatus.PLANNED


def test_supervisor_patch_of_own_placement_is_403(supervisor_a: User, world: World) -> None:
    response = api_client_for(supervisor_a).patch(
        f"{PLACEMENTS}{world.placement_a.pk}/", {"notes": "Mine now."}, format="json"
    )

    _assert_error(response, 403, "permission_denied")
    assert Placement.objects.get(pk=world.placement_a.pk).notes != "Mine now."


def test_student_cancels_placement_with_reason(student_a: User, world: World) -> None:
    url = f"{PLACEMENTS}{world.placement_a.pk}/cancel/"
    client = api_client_for(student_a)

    assert list(_assert_error(client.post(url, {}, format="json"), 400, "invalid")) == ["reason"]
    response = client.post(url, {"reason": "Ward closed."}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == PlacementStatus.CANCELLED
    assert "Ward closed." in Placement.objects.get(pk=world.placement_a.pk).notes


def test_placement_filters(office: User, world: World) -> None:
    later = PlacementFactory.create(
        student=world.student_a,
        partner=world.partner_a,
        site=world.site_a,
        supervisor=world.users["supervisor_a"],
        start_date=datetime.date(2027, 3, 1),
        end_date=datetime.date(2027, 4, 30),
    )
    client = api_client_for(office)
    a, b = world.placement_a.pk, world.placement_b.pk

    assert _ids(client.get(PLACEMENTS, {"student": world.student_a.pk})) == {a, later.pk}
    assert _ids(client.get(PLACEMENTS, {"partner": world.partner_b.pk})) == {b}
    assert _ids(client.get(PLACEMENTS, {"supervisor": world.users["supervisor_b"].pk})) == {b}  # type: ignore[union-attr]
    # The status as of today, from the dates: the filter answers what each placement says of itself.
    for status in ("planned", "active", "completed"):
        expected = {p.pk for p in Placement.objects.all() if p.current_status() == status}
        assert _ids(client.get(PLACEMENTS, {"status": status})) == expected
    assert _ids(client.get(PLACEMENTS, {"date_from": "2027-02-01"})) == {later.pk}
    assert _ids(client.get(PLACEMENTS, {"date_to": "2027-02-01"})) == {a, b}
    assert _ids(client.get(PLACEMENTS, {"date_from": "2027-01-31", "date_to": "2027-03-01"})) == {a, b, later.pk}


# --- Milestones -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(STUDENT_REACH))
def test_milestone_list_contains_exactly_the_milestones_in_scope(persona: str, world: World) -> None:
    students = _students(world, STUDENT_REACH[persona])
    expected = set(Milestone.objects.filter(student__in=students).values_list("pk", flat=True))

    assert _ids(api_client_for(world.users[persona]).get(MILESTONES)) == expected


def _milestone_a(world: World) -> Milestone:
    return Milestone.objects.get(student=world.student_a)


def test_tutor_marks_milestone_done(tutor: User, world: World) -> None:
    milestone = _milestone_a(world)
    day = timezone.localdate() - datetime.timedelta(days=2)

    response = api_client_for(tutor).post(
        f"{MILESTONES}{milestone.pk}/complete/", {"completed_on": day.isoformat()}, format="json"
    )

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["completed_on"]) == ("done", day.isoformat())
    assert _milestone_a(world).status == MilestoneStatus.DONE


def test_completing_in_the_future_is_400_naming_completed_on(tutor: User, world: World) -> None:
    milestone = _milestone_a(world)
    future = timezone.localdate() + datetime.timedelta(days=3)

    response = api_client_for(tutor).post(
        f"{MILESTONES}{milestone.pk}/complete/", {"completed_on": future.isoformat()}, format="json"
    )

    assert list(_assert_error(response, 400, "invalid")) == ["completed_on"]
    assert _milestone_a(world).status == MilestoneStatus.PENDING


def test_student_cannot_mark_own_milestone_done(student_a: User, world: World) -> None:
    milestone = _milestone_a(world)

    _assert_error(api_client_for(student_a).post(f"{MILESTONES}{milestone.pk}/complete/"), 403, "permission_denied")


def test_other_partner_milestone_is_404(coordinator_b: User, world: World) -> None:
    milestone = _milestone_a(world)
    client = api_client_for(coordinator_b)

    _assert_error(client.get(f"{MILESTONES}{milestone.pk}/"), 404, "not_found")
    _assert_error(client.post(f"{MILESTONES}{milestone.pk}/waive/", {"reason": "x"}, format="json"), 404, "not_found")
    assert _milestone_a(world).status == MilestoneStatus.PENDING


def test_office_waives_milestone_with_reason_and_tutor_may_not(office: User, tutor: User, world: World) -> None:
    url = f"{MILESTONES}{_milestone_a(world).pk}/waive/"

    _assert_error(api_client_for(tutor).post(url, {"reason": "Because."}, format="json"), 403, "permission_denied")
    assert list(_assert_error(api_client_for(office).post(url, {}, format="json"), 400, "invalid")) == ["reason"]
    response = api_client_for(office).post(url, {"reason": "Recognised prior work."}, format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["waived_reason"]) == ("waived", "Recognised prior work.")


def test_waiving_twice_is_400(office: User, world: World) -> None:
    url = f"{MILESTONES}{_milestone_a(world).pk}/waive/"
    client = api_client_for(office)
    client.post(url, {"reason": "Once."}, format="json")

    fields = _assert_error(client.post(url, {"reason": "Twice."}, format="json"), 400, "invalid")

    assert fields["non_field_errors"] == ["Only a pending milestone can be waived."]


def test_late_milestone_reads_as_late(tutor: User, world: World) -> None:
    Milestone.objects.filter(student=world.student_a).update(due_date=timezone.localdate() - datetime.timedelta(days=1))

    body = api_client_for(tutor).get(f"{MILESTONES}{_milestone_a(world).pk}/").json()

    assert (body["status"], body["display_status"]) == ("pending", "late")


def test_milestone_filters(office: User, world: World) -> None:
    defence = MilestoneFactory.create(
        student=world.student_a, kind=MilestoneKind.DEFENCE, due_date=datetime.date(2029, 6, 1)
    )
    client = api_client_for(office)

    assert _ids(client.get(MILESTONES, {"kind": "defence"})) == {defence.pk}
    assert _ids(client.get(MILESTONES, {"due_after": "2028-01-01"})) == {defence.pk}
    assert defence.pk not in _ids(client.get(MILESTONES, {"due_before": "2028-01-01"}))
    milestone_b = Milestone.objects.get(student=world.student_b)
    assert _ids(client.get(MILESTONES, {"student": world.student_b.pk})) == {milestone_b.pk}


# --- Query counts -----------------------------------------------------------------------------------


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _grow(world: World, size: int) -> None:
    """``size`` more students placed at A and B, tutored by the tutor, with full plans."""
    cohort = world.student_a.cohort
    objective = ObjectiveFactory.create(programme=world.programme)
    category = ActivityCategoryFactory.create(programme=world.programme)
    for _ in range(size):
        student = StudentFactory.create(programme=world.programme, cohort=cohort, tutor=world.users["tutor"])
        plan = TrainingPlanFactory.create(student=student)
        MilestoneFactory.create(student=student)
        MilestoneFactory.create(student=student, kind=MilestoneKind.DEFENCE, due_date=datetime.date(2029, 6, 1))
        for partner, site, supervisor, start in (
            (world.partner_a, world.site_a, world.users["supervisor_a"], datetime.date(2026, 10, 1)),
            (world.partner_b, world.site_b, world.users["supervisor_b"], datetime.date(2027, 3, 1)),
        ):
            placement = PlacementFactory.create(
                student=student,
                partner=partner,
                site=site,
                supervisor=supervisor,
                start_date=start,
                end_date=start + datetime.timedelta(days=90),
            )
            placement.objectives.add(objective)
            PlacementHours.objects.create(placement=placement, category=category, hours=20)
        for action in (PlanAction.SUBMITTED, PlanAction.RETURNED):
            PlanEvent.objects.create(plan=plan, version=1, action=action, by=world.users["tutor"])  # type: ignore[misc]


@pytest.mark.parametrize("url", [STUDENTS, PLANS, PLACEMENTS, MILESTONES])
@pytest.mark.parametrize("persona", ["office", "coordinator_a", "tutor"])
def test_list_query_count_does_not_grow(url: str, persona: str, world: World) -> None:
    client = api_client_for(world.users[persona])
    client.get(url)  # the user object caches its platform roles on the first request
    _grow(world, 2)
    small = _queries(client, url)

    _grow(world, 12)
    large = _queries(client, url)

    assert client.get(url).json()["count"] > 12
    assert small == large
