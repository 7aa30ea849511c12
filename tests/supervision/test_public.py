"""The public pages and API of published results: no login, only published inspections (anything else is a
404 for everybody, the office included), and no personal data anywhere: not in the list, the detail page,
the API's JSON, or the public PDFs."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from supervision import services
from supervision.models import Inspection, InspectionReport, Rating, ReportVariant, Severity, TargetKind
from supervision.reports import report_render
from supervision.services.publication import inspection_publish
from tests.conftest import World, api_client_for, client_for
from tests.pdfs import pdf_text
from tests.supervision import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _u(world: World, persona: str) -> User:
    return helpers.user(world, persona)


def _published(world: World, summary: str = "Well run.", render: bool = True, **overrides: Any) -> Inspection:
    closed = helpers.closed(world, **overrides)
    inspection = inspection_publish(inspection=closed, by=_u(world, "office"), summary=summary)
    if render:
        for report in InspectionReport.objects.filter(inspection=inspection, variant=ReportVariant.PUBLIC):
            assert report_render(report.pk).status == "ready"
    return inspection


def _pdf_text(path: str) -> str:
    return pdf_text(path)


# --- Only published ------------------------------------------------------------------------------------------


def test_list_shows_published_inspections_only(world: World) -> None:
    published = _published(world, render=False)
    helpers.plan(world, scope="planned")
    helpers.start(world, scope="started")
    closed = helpers.closed(world, scope="closed")

    response = client_for(None).get(reverse("public:inspection-list"))

    assert response.status_code == 200
    assert [row["inspection"].pk for row in response.context["rows"]] == [published.pk]
    body = response.content.decode()
    assert reverse("public:inspection-detail", args=[published.pk]) in body
    assert reverse("public:inspection-detail", args=[closed.pk]) not in body
    assert "Report in preparation" in body  # no public PDF rendered yet


def test_empty_list_says_so(world: World) -> None:
    response = client_for(None).get(reverse("public:inspection-list"))

    assert 'data-testid="empty"' in response.content.decode()


@pytest.mark.parametrize("persona", ["anonymous", "office", "inspector"])
def test_unpublished_inspections_are_404_everywhere_for_everybody(world: World, persona: str) -> None:
    closed = helpers.closed(world)
    planned = helpers.plan(world, scope="planned")
    client, api = client_for(world.users[persona]), api_client_for(world.users[persona])

    for inspection in (closed, planned):
        assert client.get(reverse("public:inspection-detail", args=[inspection.pk])).status_code == 404
        assert client.get(reverse("public:inspection-pdf", args=[inspection.pk])).status_code == 404
        assert api.get(reverse("api:public-inspection-detail", args=[inspection.pk])).status_code == 404
        assert api.get(reverse("api:public-inspection-pdf", args=[inspection.pk])).status_code == 404
    assert api.get(reverse("api:public-inspection-list")).json()["count"] == 0


def test_detail_shows_the_redacted_report_and_days_to_publication(world: World) -> None:
    inspection = _published(world)
    assert inspection.closed_at is not None
    Inspection.objects.filter(pk=inspection.pk).update(closed_at=inspection.closed_at - datetime.timedelta(days=9))

    response = client_for(None).get(reverse("public:inspection-detail", args=[inspection.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Inspection results: Hospital A" in body
    assert "9 days from closing to publication" in body
    assert "Supervision hours not met." in body
    assert "a placement at Imaging A" in body
    assert reverse("public:inspection-pdf", args=[inspection.pk]) in body


def test_pdf_comes_in_the_visitors_language_else_english(world: World) -> None:
    inspection = _published(world)
    reports = {r.language: r for r in InspectionReport.objects.filter(inspection=inspection, variant="public")}
    url = reverse("public:inspection-pdf", args=[inspection.pk])

    english = client_for(None).get(url)
    chinese = client_for(None).get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    asked = client_for(None).get(f"{url}?lang=zh-hans")
    unknown = client_for(None).get(f"{url}?lang=fr")

    assert english["ETag"] == f'"{reports["en"].sha256}"'
    assert chinese["ETag"] == f'"{reports["zh-hans"].sha256}"'
    assert asked["ETag"] == f'"{reports["zh-hans"].sha256}"'
    assert unknown["ETag"] == f'"{reports["en"].sha256}"'
    assert english["Content-Disposition"].startswith("attachment;")


def test_list_costs_the_same_queries_for_one_or_many_inspections(world: World) -> None:
    url = reverse("public:inspection-list")
    _published(world, render=False)
    client = client_for(None)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(3):
        _published(world, render=False, scope=f"more {n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(response.context["rows"]) == 4
    assert len(many) == len(one)


# --- The API ------------------------------------------------------------------------------------------------


def test_api_lists_published_results_without_login(world: World) -> None:
    inspection = _published(world)
    helpers.closed(world, scope="closed only")

    response = api_client_for(None).get(reverse("api:public-inspection-list"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == inspection.pk
    assert row["partner"] == {"name": "Hospital A", "short_name": "HOSP-A", "kind": "hospital"}
    assert (row["kind"], row["target_kind"], row["days_to_publication"]) == ("spot", "partner", 0)
    assert row["summary"] == "Well run."
    feasibility = next(a for a in row["results_by_aspect"] if a["aspect"] == "feasibility")
    assert (feasibility["minor_gap"], feasibility["conforming"], feasibility["total"]) == (1, 0, 1)
    assert sorted(r["language"] for r in row["reports"]) == ["en", "zh-hans"]


def test_api_pdf_is_the_frozen_public_file(world: World) -> None:
    inspection = _published(world)
    report = InspectionReport.objects.get(inspection=inspection, variant="public", language="zh-hans")

    response = api_client_for(None).get(
        reverse("api:public-inspection-pdf", args=[inspection.pk]) + "?lang=zh-hans", HTTP_ACCEPT="application/pdf"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["ETag"] == f'"{report.sha256}"'


def test_api_list_costs_the_same_queries_for_one_or_many(world: World) -> None:
    url = reverse("api:public-inspection-list")
    _published(world, render=False)
    api = api_client_for(None)
    with CaptureQueriesContext(connection) as one:
        api.get(url)
    for n in range(3):
        _published(world, render=False, scope=f"more {n}")
    with CaptureQueriesContext(connection) as many:
        response = api.get(url)

    assert response.json()["count"] == 4
    assert len(many) == len(one)


def test_public_api_is_in_the_openapi_schema_without_auth(world: World) -> None:
    schema = client_for(None).get(reverse("api-schema"), HTTP_ACCEPT="application/json").content.decode()

    assert "/api/v1/public/inspections/" in schema
    assert "/api/v1/public/inspections/{id}/pdf/" in schema


# --- Redaction end to end ---------------------------------------------------------------------------------------


def test_no_student_or_supervisor_name_number_or_email_reaches_anything_public(world: World) -> None:
    student, supervisor, coordinator = world.student_a, _u(world, "supervisor_a"), _u(world, "coordinator_a")
    student.user.full_name = "Zhang Wei"
    student.user.phone = "13812345678"
    student.user.save()
    supervisor.full_name = "黄欣"
    supervisor.save()
    secrets = [
        student.user.display_name,
        student.user.username,
        student.user.email,
        student.user.phone,
        student.student_number,
        supervisor.display_name,
        supervisor.email,
        coordinator.display_name,
        coordinator.email,
        "Zhang",
    ]
    inspection = helpers.start(world, scope=f"Placements of Zhang Wei ({student.student_number}) and 黄欣's team.")
    helpers.rate_all(world, inspection)
    item = inspection.template.items.order_by("aspect", "order").first()
    assert item is not None
    services.checklist_record(
        inspection=inspection,
        item=item,
        rating=Rating.MAJOR_GAP,
        note=f"Logbook of Zhang Wei unsigned; ask {supervisor.email}.",
        by=_u(world, "inspector"),
    )
    helpers.add_finding(
        world,
        inspection,
        Severity.MAJOR,
        f"黄欣 did not sign {student.student_number}'s hours; student Zhang Wei ({student.user.email}, "
        f"{student.user.phone}) says so. Coordinator {coordinator.display_name} agreed.",
        placement=world.placement_a,
        supervisor=supervisor,
    )
    services.inspection_close(inspection=inspection, by=_u(world, "inspector"))
    summary = f"Zhang Wei's supervisor 黄欣 must sign weekly; contact {coordinator.email}."
    inspection_publish(inspection=inspection, by=_u(world, "office"), summary=summary)
    public = [report_render(r.pk) for r in InspectionReport.objects.filter(inspection=inspection, variant="public")]
    assert len(public) == 2 and all(r.status == "ready" for r in public)
    # The full report does name them (so the redaction is what keeps them out of the public one).
    full = report_render(InspectionReport.objects.get(inspection=inspection, variant="full", language="en").pk)
    assert "Zhang Wei" in full.html and "黄欣" in full.html

    anonymous, api = client_for(None), api_client_for(None)
    outputs = {
        "list": anonymous.get(reverse("public:inspection-list")).content.decode(),
        "detail": anonymous.get(reverse("public:inspection-detail", args=[inspection.pk])).content.decode(),
        "detail zh": anonymous.get(
            reverse("public:inspection-detail", args=[inspection.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode(),
        "api list": json.dumps(api.get(reverse("api:public-inspection-list")).json(), ensure_ascii=False),
        "api detail": json.dumps(
            api.get(reverse("api:public-inspection-detail", args=[inspection.pk])).json(), ensure_ascii=False
        ),
    }
    for report in public:
        outputs[f"pdf {report.language}"] = _pdf_text(report.pdf.path)
        outputs[f"html {report.language}"] = report.html

    assert "[redacted]" in outputs["detail"] and "a supervisor" in outputs["detail"]
    assert "a placement at Imaging A" in outputs["pdf en"]
    for where, text in outputs.items():
        flat = "".join(text.split())
        for secret in secrets:
            assert "".join(secret.split()) not in flat, f"{secret!r} found in the public {where}"


def test_a_placement_level_inspection_is_shown_publicly_as_its_site(world: World) -> None:
    template = helpers.template_for(TargetKind.PLACEMENT)
    inspection = helpers.start(world, placement=world.placement_a, template=template)
    helpers.rate_all(world, inspection)
    services.inspection_close(inspection=inspection, by=_u(world, "inspector"))
    inspection_publish(inspection=inspection, by=_u(world, "office"), summary="Well run.")
    public = [report_render(r.pk) for r in InspectionReport.objects.filter(inspection=inspection, variant="public")]
    full = report_render(InspectionReport.objects.get(inspection=inspection, variant="full", language="en").pk)
    anonymous, api = client_for(None), api_client_for(None)

    listed = anonymous.get(reverse("public:inspection-list"))
    detail = anonymous.get(reverse("public:inspection-detail", args=[inspection.pk]))
    api_list = api.get(reverse("api:public-inspection-list")).json()["results"][0]
    api_detail = api.get(reverse("api:public-inspection-detail", args=[inspection.pk])).json()

    assert listed.context["rows"][0]["site"] == "Imaging A" and detail.context["site"] == "Imaging A"
    for row in (api_list, api_detail):
        assert (row["target_kind"], row["site"]) == ("site", "Imaging A")
    outputs = {"list": listed.content.decode(), "detail": detail.content.decode()}
    for report in public:
        outputs[f"html {report.language}"] = report.html
        outputs[f"pdf {report.language}"] = _pdf_text(report.pdf.path)
    for where, text in outputs.items():
        assert "placement" not in text.lower(), where
        assert "Imaging A" in text, where
    english = next(r for r in public if r.language == "en")
    assert '<th scope="row">Site</th><td>Imaging A</td>' in english.html
    assert "Placement" in full.html  # the full report says what was inspected


def test_api_detail_names_the_inspectors_by_full_name_like_the_report(world: World) -> None:
    inspector = _u(world, "inspector")
    inspector.full_name = "Chen Jing 陈静 (chen@inspect.example)"
    inspector.save()
    inspection = _published(world)

    row = api_client_for(None).get(reverse("api:public-inspection-detail", args=[inspection.pk])).json()
    page = client_for(None).get(reverse("public:inspection-detail", args=[inspection.pk])).content.decode()

    assert row["inspectors"] == ["Chen Jing 陈静 ([redacted])"]
    assert "Chen Jing 陈静 ([redacted])" in page
    assert "chen@inspect.example" not in json.dumps(row) and "chen@inspect.example" not in page
    assert "inspectors" not in api_client_for(None).get(reverse("api:public-inspection-list")).json()["results"][0]


@pytest.mark.parametrize(("days", "late"), [(13, False), (14, True)])
def test_public_list_marks_results_published_14_days_or_more_after_closing(world: World, days: int, late: bool) -> None:
    inspection = helpers.closed(world)
    Inspection.objects.filter(pk=inspection.pk).update(closed_at=timezone.now() - datetime.timedelta(days=days))
    inspection_publish(inspection=Inspection.objects.get(pk=inspection.pk), by=_u(world, "office"))

    response = client_for(None).get(reverse("public:inspection-list"))

    assert response.context["rows"][0]["late"] is late
    assert ("text-danger" in response.content.decode()) is late


def test_days_to_publication_counts_from_closing(world: World) -> None:
    inspection = helpers.closed(world)
    Inspection.objects.filter(pk=inspection.pk).update(closed_at=timezone.now() - datetime.timedelta(days=5))
    inspection.refresh_from_db()

    published = inspection_publish(inspection=inspection, by=_u(world, "office"))

    assert published.days_to_publication == 5
    row = api_client_for(None).get(reverse("api:public-inspection-detail", args=[inspection.pk])).json()
    assert row["days_to_publication"] == 5
