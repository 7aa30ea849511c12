"""Integrity pages: submitting, the report page and PDF, the tutor's decision, the dashboard, the reference
corpus, the case pages; the other partner's people and other students get 404."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integrity import samples
from integrity.models import CaseStatus, CorpusText, Outcome, Submission, ThresholdPolicy
from tests.conftest import World, client_for
from tests.factories.integrity import decided, docx_upload, reference, student_case, submit, submit_and_check
from tests.pdfs import pdf_text


def _u(world: World, name: str):  # type: ignore[no-untyped-def]
    return world.users[name]


def test_student_submits_through_the_form_and_sees_the_check_pending(world: World) -> None:
    client = client_for(world.student_a.user)
    page = client.get(reverse("integrity:submission-create"))
    assert page.status_code == 200
    response = client.post(
        reverse("integrity:submission-create"),
        {"kind": "proposal", "title": "Low-dose CT", "file": docx_upload(samples.thesis(1))},
    )
    submission = Submission.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("integrity:submission", args=[submission.pk])
    page = client.get(response["Location"])
    assert "Low-dose CT" in page.content.decode() and 'data-testid="check"' in page.content.decode()


def test_refused_upload_keeps_the_title_and_says_why(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(world.student_a.user)
    response = client.post(
        reverse("integrity:submission-create"),
        {"kind": "thesis", "title": "Kept title", "file": SimpleUploadedFile("x.pdf", b"not a pdf at all")},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Kept title" in body and "neither a PDF nor a Word" in body
    assert not Submission.objects.exists()


def test_report_page_shows_passages_side_by_side_and_authors_only_to_the_office(world: World) -> None:
    source = reference(_u(world, "office"), 5, language="en", chars=3000, title="Earlier thesis on CT")
    report = submit_and_check(world.student_a, samples.thesis(6, language="en", chars=2000) + "\n\n" + source[:1500])
    url = reverse("integrity:report", args=[report.pk])
    student_page = client_for(world.student_a.user).get(url).content.decode()
    assert "Earlier thesis on CT" in student_page and "<mark>" in student_page
    assert "Author 5" not in student_page
    assert "Author 5" in client_for(_u(world, "office")).get(url).content.decode()
    assert client_for(_u(world, "tutor")).get(url).status_code == 200
    for outsider in ("student_b", "supervisor_a", "coordinator_a", "coordinator_b", "inspector"):
        assert client_for(_u(world, outsider)).get(url).status_code == 404, outsider


def test_report_pdf_is_the_frozen_file_with_its_hash(world: World) -> None:
    text = samples.thesis(7, language="mixed", chars=2000)
    report = submit_and_check(world.student_a, text)
    response = client_for(world.student_a.user).get(reverse("integrity:report-pdf", args=[report.pk]))
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(data).hexdigest() == report.sha256 == response["X-Content-SHA256"]
    body = pdf_text(data)
    assert "0.00" in body and "My proposal" in body
    assert client_for(world.student_b.user).get(reverse("integrity:report-pdf", args=[report.pk])).status_code == 404


def test_tutor_records_a_decision_through_the_form(world: World) -> None:
    ThresholdPolicy.objects.create(programme=world.programme, review_from=Decimal("5"), refer_above=Decimal("90"))
    source = reference(_u(world, "office"), 8, chars=3000)
    report = submit_and_check(world.student_a, samples.thesis(9, chars=2000) + "\n\n" + source[:1000])
    assert report.outcome == Outcome.REVIEW
    url = reverse("integrity:report-decide", args=[report.pk])
    tutor = client_for(_u(world, "tutor"))
    refused = tutor.post(url, {"outcome": "cleared", "reason": ""})
    assert refused.status_code == 200
    done = tutor.post(url, {"outcome": "cleared", "reason": "Standard method description."})
    assert done.status_code == 302
    report.refresh_from_db()
    assert report.outcome == Outcome.CLEARED
    assert client_for(world.student_a.user).get(url).status_code == 404


def test_submission_list_costs_the_same_for_more_rows(world: World) -> None:
    client = client_for(_u(world, "office"))
    submit(world.student_a, samples.thesis(10))

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("integrity:submissions")).status_code == 200
        return len(captured)

    few = count()
    for seed in range(11, 16):
        submit(world.student_b, samples.thesis(seed), kind="paper", title=f"Paper {seed}")
    assert count() == few


def test_case_register_costs_the_same_for_more_rows(world: World) -> None:
    office = _u(world, "office")
    client = client_for(office)
    student_case(office, world.student_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("integrity:cases")).status_code == 200
        return len(captured)

    few = count()
    for _ in range(5):
        student_case(office, world.student_b)
    assert count() == few


def test_coordinator_sees_a_case_about_their_staff_without_its_evidence(world: World) -> None:
    from integrity.services import cases

    case = cases.case_open(
        subject_kind="person",
        kind="authority",
        source="person",
        evidence="SECRET EVIDENCE",
        person=_u(world, "supervisor_a"),
        by=_u(world, "office"),
    )
    decided(case, _u(world, "office"), _u(world, "inspector"))
    url = reverse("integrity:case", args=[case.pk])
    page = client_for(_u(world, "coordinator_a")).get(url).content.decode()
    assert "Warning" in page and "SECRET EVIDENCE" not in page and 'data-testid="outcome-only"' in page
    assert "SECRET EVIDENCE" in client_for(_u(world, "supervisor_a")).get(url).content.decode()
    assert client_for(_u(world, "coordinator_b")).get(url).status_code == 404


def test_subject_answers_at_the_hearing_through_the_form(world: World) -> None:
    from tests.factories.integrity import to_hearing

    case = to_hearing(student_case(_u(world, "office"), world.student_a), _u(world, "office"), _u(world, "inspector"))
    url = reverse("integrity:case-answer", args=[case.pk])
    client = client_for(world.student_a.user)
    assert client.get(url).status_code == 200
    assert client.post(url, {"text": "I quoted it, the marks were lost in conversion."}).status_code == 302
    assert case.events.filter(step="statement").exists()
    assert client_for(world.student_b.user).post(url, {"text": "x"}).status_code == 404


def test_office_moves_a_case_and_decides_it_through_the_pages(world: World) -> None:
    office = client_for(_u(world, "office"))
    case = student_case(_u(world, "office"), world.student_a)
    step = reverse("integrity:case-step", args=[case.pk])
    assert office.post(step, {"step": "assign", "investigators": [_u(world, "inspector").pk]}).status_code == 302
    assert office.post(step, {"step": "investigating"}).status_code == 302
    refused = office.post(step, {"step": "hearing"})
    assert refused.status_code == 200 and "deadline" in refused.content.decode()
    import datetime

    from django.utils import timezone

    due = timezone.localdate() + datetime.timedelta(days=3)
    assert office.post(step, {"step": "hearing", "statement_due": due.isoformat()}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARING


def test_dashboard_and_references_are_the_offices(world: World) -> None:
    office = client_for(_u(world, "office"))
    submit_and_check(world.student_a, samples.thesis(20))
    page = office.get(reverse("integrity:dashboard")).content.decode()
    assert 'data-testid="distribution"' in page
    response = office.post(
        reverse("integrity:references"),
        {"title": "Old thesis", "author": "Li", "year": 2019, "file": docx_upload(samples.thesis(21))},
    )
    assert response.status_code == 302 and CorpusText.objects.filter(title="Old thesis").exists()
    for persona in ("tutor", "student_a", "coordinator_a"):
        assert client_for(_u(world, persona)).get(reverse("integrity:dashboard")).status_code == 404


def test_public_counts_page_needs_no_login(world: World) -> None:
    from django.test import Client

    page = Client().get(reverse("integrity:public-counts"))
    assert page.status_code == 200


def test_tutor_start_page_lists_reports_awaiting_a_decision(world: World) -> None:
    ThresholdPolicy.objects.create(programme=world.programme, review_from=Decimal("5"), refer_above=Decimal("90"))
    source = reference(_u(world, "office"), 30, chars=3000)
    submit_and_check(world.student_a, samples.thesis(31, chars=2000) + "\n\n" + source[:1000])
    page = client_for(_u(world, "tutor")).get("/").content.decode()
    assert "Originality reports awaiting a decision" in page
    assert (
        "Originality reports awaiting a decision" not in client_for(_u(world, "supervisor_a")).get("/").content.decode()
    )
