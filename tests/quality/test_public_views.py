"""The public quality-report pages under /public/programmes/: anonymous, published reports only, under
their own programme's code, the public variant only (never the full report), in the reader's language.

All of them read ``quality.selectors.published_reports`` (NEEDS it implemented); reports are made with the
ORM (``tests/quality/helpers_pages.py``).
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.urls import reverse

from quality.models import QualityReport, QualityReportStatus
from tests.conftest import World, client_for
from tests.factories.programmes import ProgrammeFactory
from tests.quality.helpers_pages import FULL_MARKER, PUBLIC_MARKER, file_pdf, make_report

pytestmark = pytest.mark.django_db


def _published(world: World, **kwargs: Any) -> QualityReport:
    return make_report(world.programme, published_by=world.users["office"], **kwargs)


def test_anonymous_reads_the_programmes_published_reports_newest_first(world: World) -> None:
    older = _published(world, year=2024)
    newer = _published(world, year=2025)
    draft = make_report(world.programme, year=2025, version=2)  # ready, not published
    anonymous = client_for(None)
    index = anonymous.get(reverse("public-quality:programmes")).content.decode()
    assert reverse("public-quality:reports", args=[world.programme.code]) in index
    page = anonymous.get(reverse("public-quality:reports", args=[world.programme.code])).content.decode()
    assert page.index(f'data-report="{newer.pk}"') < page.index(f'data-report="{older.pk}"')
    assert f'data-report="{draft.pk}"' not in page
    assert reverse("public:inspection-list") in page  # beside the published inspection results
    for language in ("en", "zh-hans"):
        assert reverse("public-quality:report-pdf", args=[world.programme.code, newer.pk, language]) in page
    inspections = anonymous.get(reverse("public:inspection-list")).content.decode()
    assert reverse("public-quality:programmes") in inspections  # and back


def test_public_page_shows_the_public_version_in_the_readers_language(world: World) -> None:
    report = _published(world)
    url = reverse("public-quality:report", args=[world.programme.code, report.pk])
    english = client_for(None).get(url).content.decode()
    assert f"{PUBLIC_MARKER} en" in english and FULL_MARKER not in english
    chinese = client_for(None).get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"{PUBLIC_MARKER} zh-hans" in chinese and FULL_MARKER not in chinese
    assert '<html lang="zh-hans"' in chinese and "质量报告" in chinese
    for file in report.files.filter(variant="public"):
        assert file.sha256 in english
    for file in report.files.filter(variant="full"):
        assert file.sha256 not in english


def test_public_pdf_is_the_public_file_checked_against_its_hash(world: World) -> None:
    report = _published(world)
    url = reverse("public-quality:report-pdf", args=[world.programme.code, report.pk, "zh-hans"])
    response = client_for(None).get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body == file_pdf("public", "zh-hans")
    assert response["X-Content-SHA256"] == hashlib.sha256(body).hexdigest()
    assert response["Content-Disposition"] == 'attachment; filename="quality-mit-2025-v1-public-zh-hans.pdf"'
    file = report.files.get(variant="public", language="zh-hans")
    with file.pdf.open("wb") as stored:
        stored.write(body + b"tampered")
    assert client_for(None).get(url).status_code == 409


def test_unpublished_or_other_programmes_reports_are_404(world: World) -> None:
    published = _published(world)
    draft = make_report(world.programme, version=2)
    other = ProgrammeFactory.create(code="bme")
    elsewhere = make_report(other, published_by=world.users["office"])
    anonymous = client_for(None)
    code = world.programme.code
    for url in (
        reverse("public-quality:report", args=[code, draft.pk]),
        reverse("public-quality:report-pdf", args=[code, draft.pk, "en"]),
        reverse("public-quality:report", args=[code, elsewhere.pk]),
        reverse("public-quality:report-pdf", args=[code, elsewhere.pk, "en"]),
        reverse("public-quality:report", args=["bme", published.pk]),
        reverse("public-quality:report-pdf", args=[code, published.pk, "fr"]),
        reverse("public-quality:reports", args=["nope"]),
    ):
        assert anonymous.get(url).status_code == 404, url
    # The office reads drafts on its own pages, not here.
    assert (
        client_for(world.users["office"]).get(reverse("public-quality:report", args=[code, draft.pk])).status_code
        == 404
    )


def test_programme_without_a_published_report_has_no_public_page(world: World) -> None:
    make_report(world.programme)
    make_report(world.programme, version=2, status=QualityReportStatus.FAILED)
    anonymous = client_for(None)
    assert anonymous.get(reverse("public-quality:reports", args=[world.programme.code])).status_code == 404
    index = anonymous.get(reverse("public-quality:programmes")).content.decode()
    assert 'data-testid="empty"' in index and world.programme.name not in index


def test_nothing_of_the_full_report_is_reachable_publicly(world: World) -> None:
    report = _published(world)
    code, pk = world.programme.code, report.pk
    anonymous = client_for(None)
    full_hashes = set(report.files.filter(variant="full").values_list("sha256", flat=True))
    bodies = [
        anonymous.get(reverse("public-quality:programmes")).content,
        anonymous.get(reverse("public-quality:reports", args=[code])).content,
        anonymous.get(reverse("public-quality:report", args=[code, pk])).content,
        anonymous.get(reverse("api:public-quality-report-list")).content,
        anonymous.get(reverse("api:public-quality-report-detail", args=[pk])).content,
    ]
    for body in bodies:
        text = body.decode()
        assert FULL_MARKER not in text and "At risk" not in text  # the full page; the suppressed small cell
        assert not any(sha in text for sha in full_hashes)
    for language in ("en", "zh-hans"):
        for response in (
            anonymous.get(reverse("public-quality:report-pdf", args=[code, pk, language])),
            anonymous.get(reverse("api:public-quality-report-pdf", args=[pk]), {"lang": language}),
        ):
            assert response.status_code == 200
            assert response["X-Content-SHA256"] not in full_hashes
            assert b"".join(response.streaming_content) == file_pdf("public", language)  # type: ignore[attr-defined]
    # The office's routes stay closed to the public, whatever they are asked for.
    assert anonymous.get(reverse("quality:report-pdf", args=[pk, "full", "en"])).status_code == 302
    assert (
        client_for(world.users["student_a"]).get(reverse("quality:report-pdf", args=[pk, "full", "en"])).status_code
        == 404
    )
    assert anonymous.get(reverse("api:quality-report-pdf", args=[pk]), {"variant": "full"}).status_code == 401
