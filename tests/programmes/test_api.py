"""The programmes and agreements API: scoped reads, nested content, filters, errors, constant query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from programmes.models import (
    Agreement,
    AgreementStatus,
    CourseCategory,
    CreditRequirement,
    MilestoneKind,
    MilestoneTemplate,
    Programme,
)
from tests.conftest import World, api_client_for
from tests.factories.partners import PartnerFactory
from tests.factories.programmes import (
    ActivityCategoryFactory,
    AgreementFactory,
    AgreementPartyFactory,
    CohortFactory,
    ObjectiveFactory,
    ParticipationFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db

PROGRAMMES = "/api/v1/programmes/"
AGREEMENTS = "/api/v1/agreements/"


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
    fields: dict[str, Any] = body["error"]["fields"]
    return fields


@pytest.fixture
def programme_of_b_only(world: World) -> Programme:
    """A second programme that only partner B (and its university) takes part in."""
    programme = ProgrammeFactory.create(code="ent-only")
    ParticipationFactory.create(programme=programme, partner=world.partner_b)
    return programme


# --- Programmes -------------------------------------------------------------------------------------

PROGRAMME_REACH = {
    "office": {"mit", "ent-only"},
    "tutor": {"mit", "ent-only"},
    "coordinator_a": {"mit"},
    "supervisor_a": {"mit"},
    "coordinator_b": {"mit", "ent-only"},
    "supervisor_b": {"mit", "ent-only"},
    "student_a": {"mit"},
    "student_b": {"mit"},
    "inspector": set(),
    "counsellor": set(),
}


@pytest.mark.parametrize("persona", sorted(PROGRAMME_REACH))
def test_programme_list_contains_exactly_the_programmes_in_scope(
    persona: str, world: World, programme_of_b_only: Programme
) -> None:
    response = api_client_for(world.users[persona]).get(PROGRAMMES)

    codes = {row["code"] for row in response.json()["results"]}
    assert codes == PROGRAMME_REACH[persona]


def test_coordinator_of_other_partner_gets_404_for_programme(
    coordinator_a: User, world: World, programme_of_b_only: Programme
) -> None:
    client = api_client_for(coordinator_a)

    out_of_scope = _assert_error(client.get(f"{PROGRAMMES}{programme_of_b_only.pk}/"), 404, "not_found")
    missing = _assert_error(client.get(f"{PROGRAMMES}999999/"), 404, "not_found")

    assert out_of_scope == missing


def test_programme_detail_nests_objectives_partners_requirements_milestones_and_cohorts(
    student_a: User, world: World
) -> None:
    programme = world.programme
    objective = ObjectiveFactory.create(programme=programme, code="P1", description="Operate CT equipment.")
    category = ActivityCategoryFactory.create(programme=programme, code="ct", name="CT operation", required_hours=120)
    CreditRequirement.objects.create(programme=programme, category=CourseCategory.PROFESSIONAL_CORE, credits="12.5")
    MilestoneTemplate.objects.create(programme=programme, kind=MilestoneKind.PROPOSAL, offset_months=9)

    body = api_client_for(student_a).get(f"{PROGRAMMES}{programme.pk}/").json()

    assert body["code"] == "mit"
    assert body["lead_university_name"] == "Lead University"
    assert body["objectives"] == [
        {"id": objective.pk, "kind": "practical", "code": "P1", "description": "Operate CT equipment."}
    ]
    assert {p["partner_name"] for p in body["participations"]} == {"Lead University", "Hospital A", "Enterprise B"}
    assert body["activity_categories"] == [
        {"id": category.pk, "code": "ct", "name": "CT operation", "required_hours": 120}
    ]
    assert [(c["category"], Decimal(c["credits"])) for c in body["credit_requirements"]] == [
        ("professional_core", Decimal("12.5"))
    ]
    assert [(m["kind"], m["offset_months"]) for m in body["milestone_templates"]] == [("proposal", 9)]
    assert [c["intake_year"] for c in body["cohorts"]] == [2026]


def test_programmes_are_never_deleted_in_the_api(office: User, world: World) -> None:
    client = api_client_for(office)

    assert client.post(PROGRAMMES, {"name": "New"}, format="json").status_code == 400  # incomplete
    assert client.delete(f"{PROGRAMMES}{world.programme.pk}/").status_code == 405
    assert Programme.objects.filter(pk=world.programme.pk).exists()


def test_programme_search_and_filter(tutor: User, world: World, programme_of_b_only: Programme) -> None:
    client = api_client_for(tutor)

    assert _ids(client.get(PROGRAMMES, {"search": "ent-only"})) == {programme_of_b_only.pk}
    assert _ids(client.get(PROGRAMMES, {"lead_university": world.university.pk})) == {world.programme.pk}


def test_unauthenticated_programme_list_is_401(world: World) -> None:
    _assert_error(APIClient().get(PROGRAMMES), 401, "not_authenticated")


# --- Agreements -------------------------------------------------------------------------------------


@pytest.fixture
def agreement_with_b_only(world: World) -> Agreement:
    agreement = AgreementFactory.create(
        programme=world.programme, title="Enterprise annex", created_by=world.users["office"]
    )
    AgreementPartyFactory.create(agreement=agreement, partner=world.partner_b, obligations="Host two students.")
    return agreement


AGREEMENT_REACH = {
    "office": "both",
    "tutor": "both",
    "coordinator_a": "world",
    "supervisor_a": "world",
    "coordinator_b": "both",
    "supervisor_b": "both",
    "student_a": "none",
    "student_b": "none",
    "inspector": "none",
    "counsellor": "none",
}


@pytest.mark.parametrize("persona", sorted(AGREEMENT_REACH))
def test_agreement_list_contains_exactly_the_agreements_in_scope(
    persona: str, world: World, agreement_with_b_only: Agreement
) -> None:
    world_agreement = Agreement.objects.exclude(pk=agreement_with_b_only.pk).get(programme=world.programme)
    expected = {
        "both": {world_agreement.pk, agreement_with_b_only.pk},
        "world": {world_agreement.pk},
        "none": set(),
    }[AGREEMENT_REACH[persona]]

    assert _ids(api_client_for(world.users[persona]).get(AGREEMENTS)) == expected


def test_coordinator_of_other_partner_gets_404_for_agreement(
    coordinator_a: User, world: World, agreement_with_b_only: Agreement
) -> None:
    _assert_error(api_client_for(coordinator_a).get(f"{AGREEMENTS}{agreement_with_b_only.pk}/"), 404, "not_found")


def test_agreement_detail_nests_parties_and_says_whether_it_ends_soon(
    coordinator_b: User, world: World, agreement_with_b_only: Agreement
) -> None:
    today = timezone.localdate()
    Agreement.objects.filter(pk=agreement_with_b_only.pk).update(end_date=today + datetime.timedelta(days=30))

    body = api_client_for(coordinator_b).get(f"{AGREEMENTS}{agreement_with_b_only.pk}/").json()

    assert body["ends_soon"] is True
    assert body["has_document"] is False
    assert body["parties"] == [
        {
            "id": agreement_with_b_only.parties.get().pk,
            "partner": world.partner_b.pk,
            "partner_name": "Enterprise B",
            "responsibilities": "",
            "obligations": "Host two students.",
        }
    ]


def test_agreement_ending_soon_filter(office: User, world: World, agreement_with_b_only: Agreement) -> None:
    today = timezone.localdate()
    Agreement.objects.filter(pk=agreement_with_b_only.pk).update(end_date=today + datetime.timedelta(days=59))
    # Ending as soon, but never signed: nothing to renew.
    draft = AgreementFactory.create(
        programme=world.programme, status=AgreementStatus.DRAFT, end_date=today + datetime.timedelta(days=10)
    )
    client = api_client_for(office)

    soon = _ids(client.get(AGREEMENTS, {"ending_soon": "true"}))
    not_soon = _ids(client.get(AGREEMENTS, {"ending_soon": "false"}))

    assert soon == {agreement_with_b_only.pk}
    assert draft.pk in not_soon and agreement_with_b_only.pk not in not_soon


def test_agreement_programme_filter(office: User, world: World) -> None:
    other = ProgrammeFactory.create()
    elsewhere = AgreementFactory.create(programme=other)
    client = api_client_for(office)

    assert elsewhere.pk not in _ids(client.get(AGREEMENTS, {"programme": world.programme.pk}))
    assert _ids(client.get(AGREEMENTS, {"programme": other.pk})) == {elsewhere.pk}


def test_agreement_filter_with_bad_value_is_400_in_the_error_format(office: User, world: World) -> None:
    fields = _assert_error(api_client_for(office).get(AGREEMENTS, {"programme": "not-a-number"}), 400, "invalid")

    assert "programme" in fields


def _agreement_body(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "programme": world.programme.pk,
        "title": "Imaging annex 2027",
        "reference": "AX-27",
        "start_date": "2027-01-01",
        "end_date": "2029-12-31",
        "status": "signed",
        "parties": [{"partner": world.partner_a.pk, "obligations": "Host four students a year."}],
        **extra,
    }


def test_office_records_agreement_and_lead_university_joins_it(office: User, world: World) -> None:
    response = api_client_for(office).post(AGREEMENTS, _agreement_body(world), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["title"], body["status"], body["ends_soon"]) == ("Imaging annex 2027", "signed", False)
    assert {p["partner_name"]: p["obligations"] for p in body["parties"]} == {
        "Lead University": "",
        "Hospital A": "Host four students a year.",
    }
    assert Agreement.objects.get(pk=body["id"]).created_by == office


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"end_date": "2026-12-31"}, "end_date"),
        ({"status": "terminated"}, "status"),
        ({"title": ""}, "title"),
        ({"parties": []}, "parties"),
    ],
)
def test_bad_agreement_is_400_naming_the_field_and_creates_nothing(
    extra: dict[str, Any], field: str, office: User, world: World
) -> None:
    before = Agreement.objects.count()

    response = api_client_for(office).post(AGREEMENTS, _agreement_body(world, **extra), format="json")

    assert field in _assert_error(response, 400, "invalid")
    assert Agreement.objects.count() == before


def test_agreement_with_partner_outside_the_programme_is_400_naming_parties(office: User, world: World) -> None:
    outsider = PartnerFactory.create(name="Outsider Hospital")

    response = api_client_for(office).post(
        AGREEMENTS, _agreement_body(world, parties=[{"partner": outsider.pk}]), format="json"
    )

    fields = _assert_error(response, 400, "invalid")
    assert fields["parties"] == ["Outsider Hospital does not take part in this programme."]
    assert not Agreement.objects.filter(title="Imaging annex 2027").exists()


@pytest.mark.parametrize("persona", ["coordinator_a", "tutor", "student_a"])
def test_only_office_records_agreements(persona: str, world: World) -> None:
    before = Agreement.objects.count()

    response = api_client_for(world.users[persona]).post(AGREEMENTS, _agreement_body(world), format="json")

    _assert_error(response, 403, "permission_denied")
    assert Agreement.objects.count() == before


def test_office_edits_agreement_terms_and_replaces_parties(office: User, world: World) -> None:
    agreement = Agreement.objects.get(programme=world.programme)

    response = api_client_for(office).patch(
        f"{AGREEMENTS}{agreement.pk}/",
        {"reference": "AX-1", "parties": [{"partner": world.partner_b.pk, "responsibilities": "R&D projects."}]},
        format="json",
    )

    assert response.status_code == 200, response.content
    agreement.refresh_from_db()
    assert agreement.reference == "AX-1"
    assert agreement.programme == world.programme
    assert set(agreement.parties.values_list("partner__name", flat=True)) == {"Lead University", "Enterprise B"}


def test_patch_keeps_parties_when_left_out(office: User, world: World) -> None:
    agreement = Agreement.objects.get(programme=world.programme)

    api_client_for(office).patch(f"{AGREEMENTS}{agreement.pk}/", {"title": "Renamed"}, format="json")

    assert agreement.parties.count() == 3


def test_coordinator_patch_of_own_agreement_is_403_and_student_gets_404(
    coordinator_a: User, student_a: User, world: World
) -> None:
    agreement = Agreement.objects.get(programme=world.programme)
    url = f"{AGREEMENTS}{agreement.pk}/"

    _assert_error(api_client_for(coordinator_a).patch(url, {"title": "Ours"}, format="json"), 403, "permission_denied")
    _assert_error(api_client_for(student_a).patch(url, {"title": "Mine"}, format="json"), 404, "not_found")
    assert Agreement.objects.get(pk=agreement.pk).title != "Ours"


def test_other_partners_coordinator_gets_404_on_agreement_patch(
    coordinator_a: User, world: World, agreement_with_b_only: Agreement
) -> None:
    response = api_client_for(coordinator_a).patch(
        f"{AGREEMENTS}{agreement_with_b_only.pk}/", {"title": "Taken"}, format="json"
    )

    _assert_error(response, 404, "not_found")
    assert Agreement.objects.get(pk=agreement_with_b_only.pk).title == "Enterprise annex"


def test_terminated_agreement_cannot_be_edited(office: User, world: World) -> None:
    agreement = Agreement.objects.get(programme=world.programme)
    Agreement.objects.filter(pk=agreement.pk).update(status=AgreementStatus.TERMINATED)

    response = api_client_for(office).patch(f"{AGREEMENTS}{agreement.pk}/", {"title": "Revived"}, format="json")

    assert "non_field_errors" in _assert_error(response, 400, "invalid")


def test_agreements_are_never_deleted(office: User, world: World) -> None:
    agreement = Agreement.objects.get(programme=world.programme)

    assert api_client_for(office).delete(f"{AGREEMENTS}{agreement.pk}/").status_code == 405
    assert Agreement.objects.filter(pk=agreement.pk).exists()


# --- Query counts -----------------------------------------------------------------------------------


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _grow(world: World, size: int) -> None:
    for _ in range(size):
        programme = ProgrammeFactory.create(lead_university=world.university)
        ParticipationFactory.create(programme=programme, partner=world.partner_a)
        ObjectiveFactory.create(programme=programme)
        ActivityCategoryFactory.create(programme=programme)
        CohortFactory.create(programme=programme, intake_year=2025)
        MilestoneTemplate.objects.create(programme=programme, kind=MilestoneKind.DEFENCE, offset_months=36)
        CreditRequirement.objects.create(programme=programme, category=CourseCategory.PRACTICE, credits=4)
        agreement = AgreementFactory.create(programme=programme)
        AgreementPartyFactory.create(agreement=agreement, partner=world.partner_a)
        AgreementPartyFactory.create(agreement=agreement, partner=PartnerFactory.create())


@pytest.mark.parametrize("url", [PROGRAMMES, AGREEMENTS])
@pytest.mark.parametrize("persona", ["office", "coordinator_a"])
def test_list_query_count_does_not_grow(url: str, persona: str, world: World) -> None:
    client = api_client_for(world.users[persona])
    client.get(url)  # the user object caches its platform roles on the first request
    _grow(world, 2)
    small = _queries(client, url)

    _grow(world, 12)
    large = _queries(client, url)

    assert client.get(url).json()["count"] > 12
    assert small == large
