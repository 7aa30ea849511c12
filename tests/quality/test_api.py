"""The quality API: ``/api/v1/quality-reports/`` (the office's: list with filters, figures, request a
build, PDFs, publish, retry; others an empty list, 404 on a report, 403 on a request) and
``/api/v1/public/quality-reports/`` (anonymous, published only, public figures and PDFs).

Reports are made with the ORM (``tests/quality/helpers_pages.py``). Tests marked ``NEEDS`` call the real
service or selector and fail with NotImplementedError until it exists.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quality.models import QualityReport, QualityReportStatus
from tests.conftest import World, api_client_for
from tests.factories.programmes import CohortFactory, ProgrammeFactory
from tests.quality.helpers_pages import file_pdf, make_report

pytestmark = pytest.mark.django_db
LIST = "api:quality-report-list"


def _office(world: World) -> Any:
    return api_client_for(world.users["office"])


def _queries(client: Any, url: str) -> int:
    client.get(url)  # the first request reads the user's roles, which the authenticated user then keeps
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries)


def test_office_lists_reports_with_files_and_filters(world: World) -> None:
    ready = make_report(world.programme, year=2025, published_by=world.users["office"])
    older = make_report(world.programme, year=2024, status=QualityReportStatus.FAILED)
    other = make_report(ProgrammeFactory.create(code="bme"), year=2025, files=False)
    client = _office(world)
    rows = client.get(reverse(LIST)).json()["results"]
    assert {row["id"] for row in rows} == {ready.pk, older.pk, other.pk}
    row = next(r for r in rows if r["id"] == ready.pk)
    assert row["programme_code"] == "mit" and row["published"] is True and row["status"] == "ready"
    assert {(f["variant"], f["language"]) for f in row["files"]} == {
        ("full", "en"),
        ("full", "zh-hans"),
        ("public", "en"),
        ("public", "zh-hans"),
    }
    assert "figures" not in row  # the list stays light; the figures are on the detail
    assert [r["id"] for r in client.get(reverse(LIST), {"year": 2024}).json()["results"]] == [older.pk]
    by_programme = client.get(reverse(LIST), {"programme": world.programme.pk}).json()["results"]
    assert {r["id"] for r in by_programme} == {ready.pk, older.pk}
    assert [r["id"] for r in client.get(reverse(LIST), {"status": "failed"}).json()["results"]] == [older.pk]
    assert [r["id"] for r in client.get(reverse(LIST), {"published": "true"}).json()["results"]] == [ready.pk]
    refused = client.get(reverse(LIST), {"status": "bogus"})
    assert refused.status_code == 400 and "status" in refused.json()["error"]["fields"]


def test_others_see_no_report_and_may_not_request_one(world: World) -> None:
    report = make_report(world.programme)
    failed = make_report(world.programme, version=2, status=QualityReportStatus.FAILED)
    body = {"programme": world.programme.pk, "year": 2025}
    for persona in ("coordinator_a", "supervisor_a", "tutor", "student_a", "inspector", "counsellor"):
        client = api_client_for(world.users[persona])
        assert client.get(reverse(LIST)).json()["results"] == [], persona
        for name in ("api:quality-report-detail", "api:quality-report-pdf"):
            assert client.get(reverse(name, args=[report.pk])).status_code == 404, (persona, name)
        assert client.post(reverse("api:quality-report-publish", args=[report.pk])).status_code == 404, persona
        assert client.post(reverse("api:quality-report-retry", args=[failed.pk])).status_code == 404, persona
        refused = client.post(reverse(LIST), body, format="json")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied", persona
    assert api_client_for(None).get(reverse(LIST)).status_code == 401
    assert QualityReport.objects.count() == 2


def test_detail_carries_the_frozen_figures(world: World) -> None:
    report = make_report(world.programme, requested_by=world.users["office"])
    data = _office(world).get(reverse("api:quality-report-detail", args=[report.pk])).json()
    assert data["figures"]["sections"][0]["figures"][0] == {
        **data["figures"]["sections"][0]["figures"][0],
        "key": "students.enrolled",
        "value": 42,
    }
    assert data["figures"]["previous"]["students.enrolled"]["value"] == 40
    assert data["public_figures"] is None and data["requested_by"] == "office"


def test_pdf_per_variant_and_language_checked_against_its_hash(world: World) -> None:
    report = make_report(world.programme, published_by=world.users["office"])
    client = _office(world)
    url = reverse("api:quality-report-pdf", args=[report.pk])
    for variant in ("full", "public"):
        for language in ("en", "zh-hans"):
            response = client.get(url, {"variant": variant, "lang": language}, HTTP_ACCEPT="application/pdf")
            assert response.status_code == 200, (variant, language)
            body = b"".join(response.streaming_content)
            assert body == file_pdf(variant, language)
            assert response["X-Content-SHA256"] == hashlib.sha256(body).hexdigest()
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert b"".join(chinese.streaming_content) == file_pdf("full", "zh-hans")
    for bad, field in (({"variant": "draft"}, "variant"), ({"lang": "fr"}, "lang")):
        refused = client.get(url, bad)
        assert refused.status_code == 400 and field in refused.json()["error"]["fields"], bad
    file = report.files.get(variant="full", language="en")
    with file.pdf.open("wb") as stored:
        stored.write(b"%PDF-1.4 changed")
    assert client.get(url, {"lang": "en"}).status_code == 409
    pending = make_report(world.programme, version=2, status=QualityReportStatus.PENDING, files=False)
    assert client.get(reverse("api:quality-report-pdf", args=[pending.pk])).status_code == 404


def test_list_costs_the_same_queries_for_few_or_many_reports(world: World) -> None:
    client = _office(world)
    url = reverse(LIST)
    make_report(world.programme, published_by=world.users["office"])
    small = _queries(client, url)
    for index in range(6):
        programme = ProgrammeFactory.create()
        cohort = CohortFactory.create(programme=programme, intake_year=2025)
        make_report(programme, cohort=cohort, published_by=world.users["office"] if index % 2 else None)
    assert _queries(client, url) == small


def test_request_refuses_another_programmes_cohort_naming_the_field(world: World) -> None:
    foreign = CohortFactory.create(programme=ProgrammeFactory.create(code="bme"), intake_year=2023)
    client = _office(world)
    refused = client.post(reverse(LIST), {"programme": world.programme.pk, "cohort": foreign.pk}, format="json")
    assert refused.status_code == 400 and list(refused.json()["error"]["fields"]) == ["cohort"]
    missing = client.post(reverse(LIST), {"year": 2025}, format="json")
    assert missing.status_code == 400 and "programme" in missing.json()["error"]["fields"]
    early = client.post(reverse(LIST), {"programme": world.programme.pk, "year": 1900}, format="json")
    assert early.status_code == 400 and "year" in early.json()["error"]["fields"]
    assert not QualityReport.objects.exists()


def test_request_answers_201_with_the_pending_report(world: World) -> None:
    """NEEDS quality.services.report_request."""
    response = _office(world).post(reverse(LIST), {"programme": world.programme.pk, "year": 2025}, format="json")
    assert response.status_code == 201
    data = response.json()
    report = QualityReport.objects.get()
    assert data["id"] == report.pk and data["year"] == 2025 and data["programme_code"] == "mit"
    assert data["status"] in ("pending", "building", "ready")


def test_publish_and_retry(world: World) -> None:
    """NEEDS quality.services.report_publish and report_retry."""
    report = make_report(world.programme)
    client = _office(world)
    published = client.post(reverse("api:quality-report-publish", args=[report.pk]))
    assert published.status_code == 200 and published.json()["published"] is True
    assert published.json()["public_figures"] is not None
    again = client.post(reverse("api:quality-report-publish", args=[report.pk]))
    assert again.status_code == 400 and again.json()["error"]["fields"]  # refused, naming a field
    failed = make_report(world.programme, version=2, status=QualityReportStatus.FAILED)
    retried = client.post(reverse("api:quality-report-retry", args=[failed.pk]))
    assert retried.status_code == 200 and retried.json()["status"] != "failed"


# --- The public API (NEEDS quality.selectors.published_reports) -------------------------------------------


def test_public_api_lists_published_reports_with_public_figures_only(world: World) -> None:
    published = make_report(world.programme, published_by=world.users["office"])
    make_report(world.programme, version=2)  # not published
    other = make_report(ProgrammeFactory.create(code="bme"), published_by=world.users["office"])
    anonymous = api_client_for(None)
    rows = anonymous.get(reverse("api:public-quality-report-list")).json()["results"]
    assert {row["id"] for row in rows} == {published.pk, other.pk}
    row = next(r for r in rows if r["id"] == published.pk)
    assert row["programme"] == {"code": "mit", "name": world.programme.name}
    assert [f["key"] for f in row["figures"]["sections"][0]["figures"]] == ["students.enrolled"]
    assert {r["language"] for r in row["reports"]} == {"en", "zh-hans"}
    public_hashes = set(published.files.filter(variant="public").values_list("sha256", flat=True))
    assert {r["sha256"] for r in row["reports"]} == public_hashes
    assert "status" not in row and "error" not in row
    mit = anonymous.get(reverse("api:public-quality-report-list"), {"programme": "mit"}).json()["results"]
    assert [r["id"] for r in mit] == [published.pk]
    pdf = anonymous.get(row["reports"][0]["pdf"])
    assert pdf.status_code == 200 and pdf["X-Content-SHA256"] == row["reports"][0]["sha256"]


def test_public_api_404s_what_is_not_published(world: World) -> None:
    draft = make_report(world.programme)
    anonymous = api_client_for(None)
    assert anonymous.get(reverse("api:public-quality-report-detail", args=[draft.pk])).status_code == 404
    assert anonymous.get(reverse("api:public-quality-report-pdf", args=[draft.pk])).status_code == 404


def test_public_api_list_costs_the_same_queries_for_few_or_many_reports(world: World) -> None:
    client = api_client_for(None)
    url = reverse("api:public-quality-report-list")
    make_report(world.programme, published_by=world.users["office"])
    small = _queries(client, url)
    for _index in range(5):
        programme = ProgrammeFactory.create()
        make_report(
            programme,
            cohort=CohortFactory.create(programme=programme, intake_year=2024),
            published_by=world.users["office"],
        )
    assert _queries(client, url) == small
