"""The integrity API: scoped lists and details, a student's upload, the frozen PDF, authors only to the office,
evidence only to those allowed it."""

from __future__ import annotations

import hashlib

from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrity import samples
from integrity.services import cases
from tests.conftest import World, api_client_for
from tests.factories.integrity import decided, docx_upload, reference, student_case, submit, submit_and_check


def _u(world: World, name: str):  # type: ignore[no-untyped-def]
    return world.users[name]


def test_student_uploads_through_the_api(world: World) -> None:
    client = api_client_for(world.student_a.user)
    response = client.post(
        "/api/v1/submissions/",
        {"kind": "paper", "title": "API paper", "file": docx_upload(samples.thesis(1))},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 1 and response.json()["report_status"] == "queued"
    refused = api_client_for(_u(world, "tutor")).post(
        "/api/v1/submissions/", {"kind": "paper", "title": "x", "file": docx_upload("x " * 50)}, format="multipart"
    )
    assert refused.status_code == 403


def test_scanned_or_wrong_file_is_a_400_naming_the_rule(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api_client_for(world.student_a.user).post(
        "/api/v1/submissions/",
        {"kind": "paper", "title": "x", "file": SimpleUploadedFile("a.pdf", b"plain text")},
        format="multipart",
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "not_pdf_or_docx"


def test_lists_are_scoped(world: World) -> None:
    submit(world.student_a, samples.thesis(2))
    submit(world.student_b, samples.thesis(3))
    counts = {
        name: api_client_for(_u(world, name)).get("/api/v1/submissions/").json()["count"]
        for name in ("office", "tutor", "student_a", "student_b", "coordinator_a", "supervisor_a")
    }
    assert counts == {"office": 2, "tutor": 1, "student_a": 1, "student_b": 1, "coordinator_a": 0, "supervisor_a": 0}


def test_report_names_authors_only_for_the_office_and_serves_the_frozen_pdf(world: World) -> None:
    source = reference(_u(world, "office"), 4, chars=3000)
    report = submit_and_check(world.student_a, samples.thesis(5, chars=2000) + "\n\n" + source[:1500])
    url = f"/api/v1/originality-reports/{report.pk}/"
    mine = api_client_for(world.student_a.user).get(url).json()
    assert mine["sources"][0]["author"] == "" and mine["sources"][0]["title"] == "Reference thesis 4"
    assert api_client_for(_u(world, "office")).get(url).json()["sources"][0]["author"] == "Author 4"
    pdf = api_client_for(world.student_a.user).get(url + "pdf/")
    assert hashlib.sha256(b"".join(pdf.streaming_content)).hexdigest() == report.sha256  # type: ignore[attr-defined]
    assert api_client_for(world.student_b.user).get(url).status_code == 404
    assert api_client_for(_u(world, "coordinator_a")).get(url + "pdf/").status_code == 404


def test_case_evidence_only_for_those_allowed_it(world: World) -> None:
    case = cases.case_open(
        subject_kind="person",
        kind="funds",
        source="fund_flag",
        evidence="Invoices for equipment never delivered.",
        person=_u(world, "supervisor_a"),
        by=_u(world, "office"),
    )
    decided(case, _u(world, "office"), _u(world, "inspector"))
    url = f"/api/v1/cases/{case.pk}/"
    assert api_client_for(_u(world, "coordinator_a")).get(url).json()["evidence"] is None
    assert api_client_for(_u(world, "coordinator_a")).get(url).json()["decision"] == "warning"
    assert api_client_for(_u(world, "supervisor_a")).get(url).json()["evidence"].startswith("Invoices")
    assert api_client_for(_u(world, "coordinator_b")).get(url).status_code == 404
    assert api_client_for(_u(world, "coordinator_b")).get("/api/v1/cases/").json()["count"] == 0


def test_lists_cost_the_same_for_more_rows(world: World) -> None:
    office = api_client_for(_u(world, "office"))
    submit(world.student_a, samples.thesis(6))
    student_case(_u(world, "office"), world.student_a)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert office.get(url).status_code == 200
        return len(captured)

    urls = ("/api/v1/submissions/", "/api/v1/originality-reports/", "/api/v1/cases/")
    few = [count(url) for url in urls]
    for seed in range(7, 11):
        submit(world.student_b, samples.thesis(seed), kind="paper", title=f"P{seed}")
        student_case(_u(world, "office"), world.student_b)
    assert [count(url) for url in urls] == few
