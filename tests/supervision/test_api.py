"""The supervision API: inspections, findings, corrective actions and reports, all scoped.

Inspections are built through the real services (``helpers``); every request goes through the real
router, access layer and error handler.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AccessDenial
from supervision import services
from supervision.models import (
    ActionStatus,
    ChecklistResult,
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionKind,
    InspectionReport,
    InspectionStatus,
    Rating,
    ReportStatus,
    ReportVariant,
    Severity,
    TargetKind,
)
from tests.access.routes_supervision_api import PDF_BYTES, ready_report
from tests.conftest import World, api_client_for
from tests.supervision import helpers

pytestmark = pytest.mark.django_db

INSPECTIONS = reverse("api:inspection-list")
FINDINGS = reverse("api:finding-list")
ACTIONS = reverse("api:corrective-action-list")
REPORTS = reverse("api:inspection-report-list")


def _client(world: World, persona: str) -> Any:
    return api_client_for(helpers.user(world, persona))


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()["error"]
    assert set(body) >= {"code", "message", "fields"}
    return body


# --- Secrecy ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator_a", "supervisor_a", "coordinator_b", "tutor", "student_a"])
def test_planned_spot_inspection_is_in_no_answer_for_others(world: World, persona: str) -> None:
    started = helpers.start(world)
    planned = helpers.plan(world)
    client = _client(world, persona)
    listed = client.get(INSPECTIONS)
    assert planned.pk not in _ids(listed)
    assert listed.json()["count"] == (1 if persona == "coordinator_a" else 0)
    assert started.pk in _ids(listed) or persona != "coordinator_a"
    assert client.get(reverse("api:inspection-detail", args=[planned.pk])).status_code == 404
    assert client.get(reverse("api:inspection-checklist", args=[planned.pk])).status_code == 404
    assert client.post(reverse("api:inspection-start", args=[planned.pk])).status_code == 404
    assert client.get(INSPECTIONS, {"status": "planned"}).json()["count"] == 0


def test_coordinators_count_does_not_move_when_a_spot_inspection_is_planned(world: World) -> None:
    helpers.start(world)
    client = _client(world, "coordinator_a")
    before = client.get(INSPECTIONS).json()["count"]
    helpers.plan(world)
    helpers.plan(world, partner=world.partner_a, scope="Second unannounced visit")
    assert client.get(INSPECTIONS).json()["count"] == before == 1


def test_office_and_assigned_inspector_see_the_planned_inspection(world: World) -> None:
    planned = helpers.plan(world)
    for persona in ("office", "inspector"):
        response = _client(world, persona).get(reverse("api:inspection-detail", args=[planned.pk]))
        assert response.status_code == 200
        assert response.json()["status"] == "planned"
        assert response.json()["inspectors"] == [helpers.user(world, "inspector").pk]


# --- Inspections ----------------------------------------------------------------------------------------


def _plan_body(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "spot",
        "partner": world.partner_a.pk,
        "template": helpers.template_for(TargetKind.PARTNER).pk,
        "planned_date": timezone.localdate().isoformat(),
        "inspectors": [helpers.user(world, "inspector").pk],
        **extra,
    }


def test_office_plans_an_inspection(world: World) -> None:
    response = _client(world, "office").post(INSPECTIONS, _plan_body(world, scope="Logbooks"), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    inspection = Inspection.objects.get(pk=body["id"])
    assert (inspection.status, inspection.kind, inspection.scope) == ("planned", "spot", "Logbooks")
    assert body["partner"] == world.partner_a.pk and body["target_kind"] == "partner"


def test_planning_a_member_of_the_partner_is_a_conflict_of_interest(world: World) -> None:
    from accounts.roles import PlatformRole, grant_platform_role

    conflicted = helpers.user(world, "supervisor_a")
    grant_platform_role(conflicted, PlatformRole.INSPECTOR)
    response = _client(world, "office").post(INSPECTIONS, _plan_body(world, inspectors=[conflicted.pk]), format="json")
    error = _error(response, 400)
    assert error["code"] == "conflict_of_interest"
    assert list(error["fields"]) == ["inspectors"]
    assert not Inspection.objects.exists()


def test_planning_with_a_missing_field_names_it(world: World) -> None:
    body = _plan_body(world)
    del body["planned_date"]
    error = _error(_client(world, "office").post(INSPECTIONS, body, format="json"), 400)
    assert "planned_date" in error["fields"]
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("persona", ["coordinator_a", "inspector", "tutor"])
def test_only_the_office_plans(world: World, persona: str) -> None:
    response = _client(world, persona).post(INSPECTIONS, _plan_body(world), format="json")
    assert response.status_code == 403
    assert not Inspection.objects.exists()
    assert AccessDenial.objects.filter(action="plan").exists()


def test_inspection_filters(world: World) -> None:
    planned = helpers.plan(world, kind=InspectionKind.SCHEDULED)
    started = helpers.start(world)
    other = helpers.plan(world, partner=world.partner_b)
    client = _client(world, "office")
    assert _ids(client.get(INSPECTIONS, {"status": "planned"})) == {planned.pk, other.pk}
    assert _ids(client.get(INSPECTIONS, {"status": "in_progress"})) == {started.pk}
    assert _ids(client.get(INSPECTIONS, {"kind": "scheduled"})) == {planned.pk}
    assert _ids(client.get(INSPECTIONS, {"partner": world.partner_b.pk})) == {other.pk}
    assert client.get(INSPECTIONS, {"status": "nonsense"}).status_code == 400


def test_inspector_starts_and_closes(world: World) -> None:
    planned = helpers.plan(world)
    client = _client(world, "inspector")
    started = client.post(reverse("api:inspection-start", args=[planned.pk]))
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    again = _error(client.post(reverse("api:inspection-start", args=[planned.pk])), 400)
    assert again["code"] == "not_planned" and "status" in again["fields"]
    closed = client.post(reverse("api:inspection-close", args=[planned.pk]))
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_coordinator_sees_a_started_inspection_but_may_not_close_it(world: World) -> None:
    started = helpers.start(world)
    client = _client(world, "coordinator_a")
    assert client.get(reverse("api:inspection-detail", args=[started.pk])).status_code == 200
    assert client.post(reverse("api:inspection-close", args=[started.pk])).status_code == 403
    assert Inspection.objects.get(pk=started.pk).status == InspectionStatus.IN_PROGRESS
    assert _client(world, "coordinator_b").get(reverse("api:inspection-detail", args=[started.pk])).status_code == 404


def test_checklist_rows_and_a_rating_with_evidence(world: World) -> None:
    started = helpers.start(world)
    url = reverse("api:inspection-checklist", args=[started.pk])
    client = _client(world, "inspector")
    rows = client.get(url).json()
    assert len(rows) == started.template.items.count()
    assert all(row["rating"] is None for row in rows)
    item = rows[0]["item"]
    evidence = SimpleUploadedFile("logbook.jpg", b"\xff\xd8\xff photo", content_type="image/jpeg")
    response = client.post(
        url,
        {"item": item, "rating": "minor_gap", "note": "Two pages unsigned.", "evidence": evidence},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["rating"] == "minor_gap" and response.json()["has_evidence"] is True
    result = ChecklistResult.objects.get(inspection=started, item_id=item)
    assert result.note == "Two pages unsigned." and result.evidence
    rows = client.get(url).json()
    assert [row["rating"] for row in rows if row["item"] == item] == ["minor_gap"]
    detail = client.get(reverse("api:inspection-detail", args=[started.pk])).json()
    assert [(r["item"], r["rating"]) for r in detail["results"]] == [(item, "minor_gap")]


def test_a_gap_without_a_note_is_refused_on_the_note(world: World) -> None:
    started = helpers.start(world)
    item = started.template.items.first()
    assert item is not None
    response = _client(world, "inspector").post(
        reverse("api:inspection-checklist", args=[started.pk]), {"item": item.pk, "rating": "major_gap"}, format="json"
    )
    error = _error(response, 400)
    assert error["code"] == "required" and "note" in error["fields"]
    assert not ChecklistResult.objects.exists()


def test_coordinator_may_read_but_not_rate_the_checklist(world: World) -> None:
    started = helpers.start(world)
    item = started.template.items.first()
    assert item is not None
    client = _client(world, "coordinator_a")
    url = reverse("api:inspection-checklist", args=[started.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"item": item.pk, "rating": "conforming"}, format="json").status_code == 403
    assert not ChecklistResult.objects.exists()


# --- Findings -------------------------------------------------------------------------------------------


def test_inspector_records_a_finding_with_evidence_and_its_action_is_made(world: World) -> None:
    started = helpers.start(world)
    evidence = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    response = _client(world, "inspector").post(
        FINDINGS,
        {
            "inspection": started.pk,
            "severity": "major",
            "description": "Supervision hours not met.",
            "placement": world.placement_a.pk,
            "evidence": evidence,
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    action = CorrectiveAction.objects.get(finding_id=body["id"])
    assert body["corrective_action"] == action.pk and body["has_evidence"] is True
    assert action.owner == helpers.user(world, "coordinator_a")
    assert body["placement"] == world.placement_a.pk


def test_a_finding_naming_another_partners_placement_is_refused_on_that_field(world: World) -> None:
    started = helpers.start(world)
    response = _client(world, "inspector").post(
        FINDINGS,
        {"inspection": started.pk, "severity": "minor", "description": "x", "placement": world.placement_b.pk},
        format="json",
    )
    assert "placement" in _error(response, 400)["fields"]
    assert not Finding.objects.exists()


def test_a_finding_on_an_inspection_out_of_sight_is_as_if_it_did_not_exist(world: World) -> None:
    started = helpers.start(world)
    body = {"inspection": started.pk, "severity": "minor", "description": "x"}
    error = _error(_client(world, "coordinator_b").post(FINDINGS, body, format="json"), 400)
    missing = _error(
        _client(world, "coordinator_b").post(FINDINGS, {**body, "inspection": started.pk + 999}, format="json"), 400
    )
    assert error["fields"]["inspection"][0].replace(str(started.pk), "N") == missing["fields"]["inspection"][0].replace(
        str(started.pk + 999), "N"
    )
    assert not Finding.objects.exists()


def test_findings_list_is_scoped_and_filtered(world: World) -> None:
    started = helpers.start(world)
    major = helpers.add_finding(world, started, Severity.MAJOR)
    minor = helpers.add_finding(world, started, Severity.MINOR)
    other = helpers.start(world, partner=world.partner_b)
    helpers.add_finding(world, other, Severity.OBSERVATION)
    assert _ids(_client(world, "coordinator_a").get(FINDINGS)) == {major.pk, minor.pk}
    assert _ids(_client(world, "office").get(FINDINGS, {"severity": "major"})) == {major.pk}
    assert _ids(_client(world, "supervisor_a").get(FINDINGS)) == set()


# --- Corrective actions -----------------------------------------------------------------------------------


def _action(world: World, severity: str = Severity.MAJOR) -> CorrectiveAction:
    finding = helpers.add_finding(world, helpers.start(world), severity)
    return CorrectiveAction.objects.get(finding=finding)


def test_overdue_filter(world: World) -> None:
    late = _action(world)
    on_time = _action(world, Severity.MINOR)
    late.due_date = timezone.localdate() - datetime.timedelta(days=1)
    late.save()  # evidence refuses bulk updates; a save keeps the history
    client = _client(world, "coordinator_a")
    assert _ids(client.get(ACTIONS, {"overdue": "true"})) == {late.pk}
    assert _ids(client.get(ACTIONS, {"overdue": "false"})) == {on_time.pk}
    rows = {row["id"]: row for row in client.get(ACTIONS).json()["results"]}
    assert rows[late.pk]["overdue"] is True and rows[on_time.pk]["overdue"] is False


def test_answer_verify_and_reopen(world: World) -> None:
    action = _action(world)
    evidence = SimpleUploadedFile("rota.pdf", b"%PDF-1.4 rota", content_type="application/pdf")
    answered = _client(world, "coordinator_a").post(
        reverse("api:corrective-action-answer", args=[action.pk]),
        {"answer": "Weekly supervision rota.", "evidence": evidence},
        format="multipart",
    )
    assert answered.status_code == 200, answered.content
    assert answered.json()["status"] == "answered" and answered.json()["has_evidence"] is True
    inspector = _client(world, "inspector")
    refused = _error(inspector.post(reverse("api:corrective-action-reopen", args=[action.pk]), {}, format="json"), 400)
    assert "reason" in refused["fields"]
    reopened = inspector.post(
        reverse("api:corrective-action-reopen", args=[action.pk]), {"reason": "No signatures."}, format="json"
    )
    assert reopened.json()["status"] == "reopened" and reopened.json()["reopen_reason"] == "No signatures."
    services.corrective_action_answer(
        action=CorrectiveAction.objects.get(pk=action.pk), answer="Signed now.", by=helpers.user(world, "coordinator_a")
    )
    verified = inspector.post(reverse("api:corrective-action-verify", args=[action.pk]))
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    again = _error(inspector.post(reverse("api:corrective-action-verify", args=[action.pk])), 400)
    assert again["code"] == "not_answered"


def test_other_partner_cannot_see_or_answer_an_action(world: World) -> None:
    action = _action(world)
    client = _client(world, "coordinator_b")
    assert client.get(reverse("api:corrective-action-detail", args=[action.pk])).status_code == 404
    url = reverse("api:corrective-action-answer", args=[action.pk])
    assert client.post(url, {"answer": "x"}, format="json").status_code == 404
    assert CorrectiveAction.objects.get(pk=action.pk).status == ActionStatus.OPEN


# --- Reports --------------------------------------------------------------------------------------------


def test_pdf_download_is_the_frozen_file_with_its_etag(world: World) -> None:
    report = ready_report(helpers.closed(world))
    client = _client(world, "coordinator_a")
    response = client.get(reverse("api:inspection-report-pdf", args=[report.pk]), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith(PDF_BYTES)
    assert hashlib.sha256(content).hexdigest() == report.sha256
    assert response["ETag"] == f'"{report.sha256}"'
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    unchanged = client.get(reverse("api:inspection-report-pdf", args=[report.pk]), HTTP_IF_NONE_MATCH=response["ETag"])
    assert unchanged.status_code == 304


def test_report_not_ready_has_no_pdf(world: World) -> None:
    closed = helpers.closed(world)
    pending = InspectionReport.objects.create(
        inspection=closed, variant=ReportVariant.PUBLIC, version=99, status=ReportStatus.PENDING
    )
    client = _client(world, "office")
    row = client.get(reverse("api:inspection-report-detail", args=[pending.pk])).json()
    assert row["status"] == "pending" and row["pdf_url"] is None
    assert client.get(reverse("api:inspection-report-pdf", args=[pending.pk])).status_code == 404


def test_reports_are_scoped(world: World) -> None:
    report = ready_report(helpers.closed(world))
    assert report.pk in _ids(_client(world, "coordinator_a").get(REPORTS))
    row = _client(world, "coordinator_a").get(reverse("api:inspection-report-detail", args=[report.pk])).json()
    assert row["pdf_url"].endswith(reverse("api:inspection-report-pdf", args=[report.pk]))
    for persona in ("coordinator_b", "supervisor_a", "tutor"):
        client = _client(world, persona)
        assert report.pk not in _ids(client.get(REPORTS))
        assert client.get(reverse("api:inspection-report-pdf", args=[report.pk])).status_code == 404


# --- Query counts ---------------------------------------------------------------------------------------


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _inspections(world: World, n: int) -> None:
    for _ in range(n):
        inspection = helpers.start(world)
        helpers.rate_all(world, inspection)


def _findings(world: World, n: int) -> None:
    inspection = Inspection.objects.filter(status=InspectionStatus.IN_PROGRESS).first() or helpers.start(world)
    for _ in range(n):
        helpers.add_finding(world, inspection, Severity.MAJOR)


def _reports(world: World, n: int) -> None:
    inspection = Inspection.objects.filter(status=InspectionStatus.CLOSED).first() or helpers.closed(world)
    for _ in range(n):
        ready_report(inspection)


@pytest.mark.parametrize(
    ("url", "build", "persona"),
    [
        (INSPECTIONS, _inspections, "office"),
        (INSPECTIONS, _inspections, "coordinator_a"),
        (FINDINGS, _findings, "inspector"),
        (ACTIONS, _findings, "coordinator_a"),
        (REPORTS, _reports, "coordinator_a"),
    ],
)
def test_list_query_count_does_not_grow(
    world: World, url: str, build: Callable[[World, int], None], persona: str
) -> None:
    build(world, 1)
    client = _client(world, persona)
    client.get(url)  # warm: content types, the user's roles
    one = _queries(client, url)
    build(world, 4)
    assert len(client.get(url).json()["results"]) >= 5
    assert _queries(client, url) == one


def test_inspection_detail_query_count_does_not_grow_with_results(world: World) -> None:
    inspection = helpers.start(world)
    client = _client(world, "inspector")
    url = reverse("api:inspection-detail", args=[inspection.pk])
    client.get(url)
    none = _queries(client, url)
    helpers.rate_all(world, inspection, Rating.CONFORMING)
    assert len(client.get(url).json()["results"]) == inspection.template.items.count()
    assert _queries(client, url) == none
