"""The office's quality-report pages: the list (filters, empty state, constant queries), the request form,
one version's frozen page in the reader's language with its PDFs and hashes, the checked download, retry
and publish; everybody else gets a 404.

Reports are made directly with the ORM (``tests/quality/helpers_pages.py``). The tests marked
``NEEDS quality.services.<name>`` call the real service (they fail with NotImplementedError until it
exists); ``NEEDS quality.selectors.report_list`` likewise for the list.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quality.models import QualityReport, QualityReportStatus
from tests.conftest import World, client_for
from tests.factories.programmes import CohortFactory, ProgrammeFactory
from tests.quality.helpers_pages import FULL_MARKER, make_report

pytestmark = pytest.mark.django_db
OUTSIDERS = ("coordinator_a", "supervisor_b", "tutor", "student_a", "inspector", "counsellor")


def _office(world: World) -> Any:
    return client_for(world.users["office"])


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries)


# --- Who sees the pages ----------------------------------------------------------------------------------


def test_only_the_office_reaches_the_pages_others_get_404_and_anonymous_the_login(world: World) -> None:
    report = make_report(world.programme)
    failed = make_report(world.programme, version=2, status=QualityReportStatus.FAILED)
    gets = [
        reverse("quality:report", args=[report.pk]),
        reverse("quality:report-pdf", args=[report.pk, "full", "en"]),
        reverse("quality:report-new"),
    ]
    posts = [reverse("quality:report-retry", args=[failed.pk]), reverse("quality:report-publish", args=[report.pk])]
    for persona in OUTSIDERS:
        client = client_for(world.users[persona])
        for url in [*gets, reverse("quality:reports")]:
            assert client.get(url).status_code == 404, (persona, url)
        for url in posts:
            assert client.post(url).status_code == 404, (persona, url)
    anonymous = client_for(None)
    for url in gets:
        response = anonymous.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    failed.refresh_from_db()
    report.refresh_from_db()
    assert failed.status == QualityReportStatus.FAILED and report.published_at is None  # nothing was done
    assert _office(world).get(reverse("quality:report", args=[report.pk])).status_code == 200


def test_office_navigation_links_the_reports_and_nobody_elses_does(world: World) -> None:
    url = reverse("quality:reports")
    assert f'href="{url}"' in _office(world).get(reverse("core:start")).content.decode()
    assert f'href="{url}"' not in client_for(world.users["coordinator_a"]).get(reverse("core:start")).content.decode()


# --- The list (NEEDS quality.selectors.report_list) -----------------------------------------------------------


def test_empty_list_says_how_to_build_the_first_report(world: World) -> None:
    page = _office(world).get(reverse("quality:reports")).content.decode()
    assert 'data-testid="empty"' in page
    assert "No quality report has been built yet." in page
    assert reverse("quality:report-new") in page


def test_list_shows_status_publication_and_filters_by_programme_and_year(world: World) -> None:
    other = ProgrammeFactory.create(code="bme", name="Biomedical Engineering")
    ready = make_report(world.programme, year=2025, published_by=world.users["office"])
    building = make_report(world.programme, year=2025, version=2, status=QualityReportStatus.BUILDING, files=False)
    older = make_report(world.programme, year=2024, files=False)
    elsewhere = make_report(other, year=2025, status=QualityReportStatus.FAILED)
    client = _office(world)
    page = client.get(reverse("quality:reports")).content.decode()
    for report in (ready, building, older, elsewhere):
        assert f'data-report="{report.pk}"' in page
    assert 'data-status="building"' in page and 'data-status="failed"' in page
    assert page.count('data-testid="published"') == 1
    by_programme = client.get(reverse("quality:reports"), {"programme": other.pk}).content.decode()
    assert f'data-report="{elsewhere.pk}"' in by_programme and f'data-report="{ready.pk}"' not in by_programme
    by_year = client.get(reverse("quality:reports"), {"year": 2024}).content.decode()
    assert f'data-report="{older.pk}"' in by_year and f'data-report="{ready.pk}"' not in by_year
    nothing = client.get(reverse("quality:reports"), {"year": 2011}).content.decode()
    assert "No report matches these filters." in nothing


def test_list_costs_the_same_queries_for_few_or_many_reports(world: World) -> None:
    client = _office(world)
    url = reverse("quality:reports")
    cohort = CohortFactory.create(programme=world.programme, intake_year=2024)
    make_report(world.programme, files=False)
    small = _queries(client, url)
    for index in range(8):
        programme = ProgrammeFactory.create()
        make_report(
            programme,
            cohort=CohortFactory.create(programme=programme, intake_year=2025),
            files=False,
            published_by=world.users["office"] if index % 2 else None,
        )
        make_report(world.programme, cohort=cohort, version=index + 1, status=QualityReportStatus.PENDING, files=False)
    assert _queries(client, url) == small


def test_list_is_paged(world: World) -> None:
    for version in range(1, 28):
        make_report(world.programme, version=version, status=QualityReportStatus.PENDING, files=False)
    client = _office(world)
    first = client.get(reverse("quality:reports")).content.decode()
    assert first.count("data-report=") == 25 and 'data-testid="report-pages"' in first
    assert client.get(reverse("quality:reports"), {"page": 2}).content.decode().count("data-report=") == 2


# --- One version -------------------------------------------------------------------------------------------


def test_ready_report_shows_its_frozen_page_hashes_downloads_and_versions(world: World) -> None:
    report = make_report(world.programme, requested_by=world.users["office"])
    newer = make_report(world.programme, version=2, status=QualityReportStatus.PENDING, files=False)
    page = _office(world).get(reverse("quality:report", args=[report.pk])).content.decode()
    assert f"{FULL_MARKER} en" in page  # the English page, the reader's language
    for file in report.files.all():
        assert file.sha256 in page
        assert reverse("quality:report-pdf", args=[report.pk, file.variant, file.language]) in page
    assert reverse("quality:report", args=[newer.pk]) in page  # the other version
    assert 'data-testid="publish"' in page and reverse("quality:report-publish", args=[report.pk]) in page
    assert 'data-testid="retry"' not in page


def test_chinese_reader_gets_the_chinese_page(world: World) -> None:
    report = make_report(world.programme)
    client = _office(world)
    page = client.get(reverse("quality:report", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"{FULL_MARKER} zh-hans" in page and f"{FULL_MARKER} en" not in page
    assert '<html lang="zh-hans"' in page
    assert "质量报告" in page
    assert "版本" in page  # the page's own words are translated too ("Versions")
    listing = client.get(reverse("quality:reports"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "质量报告" in listing


def test_english_page_stands_in_when_no_chinese_one_was_rendered(world: World) -> None:
    report = make_report(world.programme, files=False)
    from tests.quality.helpers_pages import add_files

    add_files(report, languages=("en",))
    page = _office(world).get(reverse("quality:report", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    content = page.content.decode()
    assert f"{FULL_MARKER} en" in content and 'data-testid="report-other-language"' in content


def test_published_report_names_who_published_it_and_links_the_public_page(world: World) -> None:
    report = make_report(world.programme, published_by=world.users["office"])
    page = _office(world).get(reverse("quality:report", args=[report.pk])).content.decode()
    assert 'data-testid="published-by"' in page and world.users["office"].display_name in page  # type: ignore[union-attr]
    assert reverse("public-quality:report", args=[world.programme.code, report.pk]) in page
    assert 'data-testid="publish"' not in page


def test_building_failed_and_stuck_reports_say_so_and_offer_retry_when_due(world: World) -> None:
    client = _office(world)
    building = make_report(world.programme, status=QualityReportStatus.BUILDING, files=False)
    QualityReport.objects.filter(pk=building.pk).update(claimed_at=timezone.now())
    page = client.get(reverse("quality:report", args=[building.pk])).content.decode()
    assert 'data-testid="report-building"' in page and 'data-testid="retry"' not in page
    QualityReport.objects.filter(pk=building.pk).update(claimed_at=timezone.now() - datetime.timedelta(hours=1))
    page = client.get(reverse("quality:report", args=[building.pk])).content.decode()
    assert 'data-testid="report-stuck"' in page and 'data-testid="retry"' in page
    failed = make_report(world.programme, version=2, status=QualityReportStatus.FAILED)
    page = client.get(reverse("quality:report", args=[failed.pk])).content.decode()
    assert 'data-testid="report-error"' in page and "the worker fell over" in page and 'data-testid="retry"' in page


# --- The download ------------------------------------------------------------------------------------------


def test_pdf_download_is_named_checked_and_refused_when_changed(world: World) -> None:
    cohort = CohortFactory.create(programme=world.programme, intake_year=2024)
    report = make_report(world.programme, cohort=cohort, version=3)
    file = report.files.get(variant="full", language="zh-hans")
    url = reverse("quality:report-pdf", args=[report.pk, "full", "zh-hans"])
    client = _office(world)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(body).hexdigest() == file.sha256 == response["X-Content-SHA256"]
    assert response["Content-Disposition"] == 'attachment; filename="quality-mit-c2024-2025-v3-zh-hans.pdf"'
    assert client.get(url, HTTP_IF_NONE_MATCH=f'"{file.sha256}"').status_code == 304
    for wrong in (("full", "fr"), ("draft", "en"), ("public", "en")):  # no public file before publication
        assert client.get(reverse("quality:report-pdf", args=[report.pk, *wrong])).status_code == 404, wrong
    with file.pdf.open("wb") as stored:  # changed behind the application's back
        stored.write(body + b"tampered")
    assert client.get(url).status_code == 409


def test_changed_pdf_is_logged_as_an_error(world: World, caplog: pytest.LogCaptureFixture) -> None:
    report = make_report(world.programme)
    file = report.files.get(variant="full", language="en")
    with file.pdf.open("wb") as stored:
        stored.write(b"%PDF-1.4 not the one")
    with caplog.at_level("ERROR", logger="tandem.quality.reports"):
        assert _office(world).get(reverse("quality:report-pdf", args=[report.pk, "full", "en"])).status_code == 409
    assert any("SHA-256 differs" in record.getMessage() for record in caplog.records)


# --- The request form -------------------------------------------------------------------------------------


def test_request_form_defaults_to_last_year_and_offers_only_the_programmes_cohorts(world: World) -> None:
    other = ProgrammeFactory.create(code="bme")
    foreign = CohortFactory.create(programme=other, intake_year=2023)
    own = world.student_a.cohort
    client = _office(world)
    response = client.get(reverse("quality:report-new"))
    assert f'value="{timezone.localdate().year - 1}"' in response.content.decode()
    assert {foreign, own} <= set(response.context["form"].fields["cohort"].queryset)
    narrowed = client.get(reverse("quality:report-new"), {"programme": world.programme.pk})
    assert list(narrowed.context["form"].fields["cohort"].queryset) == [own]


def test_request_refuses_another_programmes_cohort_and_keeps_what_was_typed(world: World) -> None:
    other = ProgrammeFactory.create(code="bme")
    foreign = CohortFactory.create(programme=other, intake_year=2023)
    response = _office(world).post(
        reverse("quality:report-new"), {"programme": world.programme.pk, "cohort": foreign.pk, "year": "2024"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "cohort" in form.errors and form["year"].value() == "2024"
    assert 'aria-invalid="true"' in response.content.decode()
    bad_year = _office(world).post(reverse("quality:report-new"), {"programme": world.programme.pk, "year": "1850"})
    assert "year" in bad_year.context["form"].errors
    assert not QualityReport.objects.exists()


def test_request_builds_and_redirects_to_the_new_version(world: World) -> None:
    """NEEDS quality.services.report_request. A refusal of the service (a year to come) lands on its field."""
    cohort = world.student_a.cohort
    client = _office(world)
    future = client.post(
        reverse("quality:report-new"), {"programme": world.programme.pk, "cohort": cohort.pk, "year": "2099"}
    )
    assert future.status_code == 200 and "year" in future.context["form"].errors
    assert future.context["form"]["cohort"].value() == str(cohort.pk)  # what was typed is kept
    assert not QualityReport.objects.exists()
    year = str(cohort.intake_year)
    response = client.post(
        reverse("quality:report-new"), {"programme": world.programme.pk, "cohort": cohort.pk, "year": year}
    )
    report = QualityReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("quality:report", args=[report.pk])
    assert (report.programme_id, report.cohort_id, report.year) == (world.programme.pk, cohort.pk, cohort.intake_year)
    assert report.status in (QualityReportStatus.PENDING, QualityReportStatus.BUILDING, QualityReportStatus.READY)


# --- Retry and publish (NEEDS quality.services.report_retry / report_publish) ------------------------------


def test_retry_queues_a_failed_build_again(world: World) -> None:
    """NEEDS quality.services.report_retry."""
    failed = make_report(world.programme, status=QualityReportStatus.FAILED)
    response = _office(world).post(reverse("quality:report-retry", args=[failed.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("quality:report", args=[failed.pk])
    failed.refresh_from_db()
    assert failed.status != QualityReportStatus.FAILED


def test_publish_freezes_the_public_version_and_records_who(world: World) -> None:
    """NEEDS quality.services.report_publish."""
    report = make_report(world.programme)
    response = _office(world).post(reverse("quality:report-publish", args=[report.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("quality:report", args=[report.pk])
    report.refresh_from_db()
    assert report.published_at is not None and report.published_by == world.users["office"]
    assert report.public_figures is not None
