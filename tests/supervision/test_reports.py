"""Inspection reports: closing requests one, the task renders it once (page + frozen PDF with its SHA-256),
a failure is visible and can be retried, and the report pages and downloads follow the access rules.

Rendering is the real thing (WeasyPrint through ``core.pdf``); the task is called directly here (a real
worker runs it in test_reports_worker.py). PDFs are read back with pypdf (``tests/pdfs.py``).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import User
from accounts.roles import PlatformRole, grant_platform_role
from core import queueing
from core.models import Notification
from supervision import reports, services, tasks
from supervision.models import Inspection, InspectionReport, ReportStatus, ReportVariant, Severity
from supervision.reports import (
    REDACTED,
    AspectSummary,
    aspect_chart_svg,
    latest_ready,
    redact,
    render_report_bytes,
    report_render,
    report_request,
    report_retry,
)
from supervision.services import reports as render
from supervision.services.publication import inspection_publish
from tests.conftest import World, client_for
from tests.factories.accounts import UserFactory
from tests.pdfs import pdf_attachments, pdf_font_names, pdf_text
from tests.supervision import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Each test writes its PDFs in a folder of its own (parallel workers reuse the same ids)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _u(world: World, persona: str) -> User:
    return helpers.user(world, persona)


def _full(inspection: Inspection) -> InspectionReport:
    return InspectionReport.objects.get(inspection=inspection, variant=ReportVariant.FULL, language="en")


def _english_only(inspection: Inspection) -> Inspection:
    """Closing asks for the full report in every language; the chain tests follow its English version alone,
    so the versions in other languages (still pending, never rendered) are set aside."""
    InspectionReport.objects.filter(inspection=inspection).exclude(language="en").delete()
    return inspection


def _pdf_text(path: str | Path) -> str:
    return pdf_text(path)


def _squeezed(text: str) -> str:
    """Text without any whitespace: the PDF wraps lines wherever it must."""
    return "".join(text.split())


# --- The chain ------------------------------------------------------------------------------------------------


def test_closing_requests_a_pending_full_report_queued_after_commit(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    inspection = helpers.start(world)
    helpers.rate_all(world, inspection)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.inspection_close(inspection=inspection, by=_u(world, "inspector"))

    # One frozen version per language: English first (version 1), then Chinese.
    requested = InspectionReport.objects.filter(inspection=inspection).order_by("version")
    assert [(r.variant, r.version, r.language, r.status, r.attempts) for r in requested] == [
        (ReportVariant.FULL, 1, "en", ReportStatus.PENDING, 0),
        (ReportVariant.FULL, 2, "zh-hans", ReportStatus.PENDING, 0),
    ]
    assert {r.requested_by for r in requested} == {_u(world, "inspector")}
    assert len([c for c in callbacks if getattr(c, "__qualname__", "").startswith("_sender")]) == 2


def test_render_makes_the_report_ready_with_the_hash_of_the_stored_file(world: World, media: Path) -> None:
    inspection = helpers.closed(world)

    report = report_render(_full(inspection).pk)

    assert report.status == ReportStatus.READY
    assert report.attempts == 1 and report.error == "" and report.rendered_at is not None
    name = rf"inspections/reports/{timezone.localdate().year}/inspection-{inspection.pk}-full-v1-[0-9a-f]{{16}}\.pdf"
    assert re.fullmatch(name, str(report.pdf.name)), report.pdf.name
    stored = (media / str(report.pdf.name)).read_bytes()
    assert stored.startswith(b"%PDF-")
    assert hashlib.sha256(stored).hexdigest() == report.sha256
    assert "Supervision hours not met." in report.html
    assert latest_ready(inspection, ReportVariant.FULL) == report


def test_rendering_again_changes_nothing_same_row_same_file_no_new_version(world: World, media: Path) -> None:
    inspection = helpers.closed(world)
    first = report_render(_full(inspection).pk)
    path = media / str(first.pdf.name)
    mtime = path.stat().st_mtime_ns

    assert tasks.report_render.apply(args=[first.pk]).get() == ReportStatus.READY  # the task itself, run in process
    again = report_render(first.pk)

    assert InspectionReport.objects.filter(inspection=inspection, language="en").count() == 1
    assert (again.pk, again.version, again.sha256, again.pdf.name, again.attempts) == (
        first.pk,
        1,
        first.sha256,
        first.pdf.name,
        1,
    )
    assert path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_the_same_report_renders_to_the_same_bytes(world: World) -> None:
    report = report_render(_full(helpers.closed(world)).pk)

    _html, again = render_report_bytes(report)

    assert hashlib.sha256(again).hexdigest() == report.sha256


def test_task_answers_missing_for_a_report_that_does_not_exist(world: World) -> None:
    assert tasks.report_render.apply(args=[987654]).get() == "missing"


def test_a_new_version_is_a_new_row_and_a_new_file(world: World, media: Path) -> None:
    inspection = _english_only(helpers.closed(world))
    first = report_render(_full(inspection).pk)

    second = report_render(report_request(inspection=inspection, variant=ReportVariant.FULL).pk)

    assert (second.version, second.status) == (2, ReportStatus.READY)
    assert re.search(rf"/inspection-{inspection.pk}-full-v2-[0-9a-f]{{16}}\.pdf$", str(second.pdf.name))
    assert (media / str(first.pdf.name)).is_file() and (media / str(second.pdf.name)).is_file()
    assert latest_ready(inspection, ReportVariant.FULL) == second


# --- Failure and retry -------------------------------------------------------------------------------------------


def _boom(*args: Any, **kwargs: Any) -> bytes:
    raise RuntimeError("WeasyPrint ran out of paper")


def test_a_failed_render_is_visible_on_the_page_and_the_office_retries_it(
    world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    inspection = helpers.closed(world)
    report = _full(inspection)
    # The PDF engine is replaced only to make this one render fail; the retry below uses the real one.
    monkeypatch.setattr(render, "render_pdf", _boom)

    failed = report_render(report.pk)

    assert failed.status == ReportStatus.FAILED
    assert failed.error == "RuntimeError: WeasyPrint ran out of paper"
    assert (failed.attempts, failed.sha256, failed.pdf.name) == (1, "", "")
    page = client_for(_u(world, "office")).get(reverse("supervision:report", args=[inspection.pk]))
    assert page.status_code == 200
    assert "WeasyPrint ran out of paper" in page.content.decode()
    assert reverse("supervision:report-retry", args=[report.pk]) in page.content.decode()
    coordinator_page = client_for(_u(world, "coordinator_a")).get(reverse("supervision:report", args=[inspection.pk]))
    assert "WeasyPrint ran out of paper" not in coordinator_page.content.decode()  # the error text is the office's
    assert "Rendering failed; the graduate office has been told." in coordinator_page.content.decode()
    assert reverse("supervision:report-retry", args=[report.pk]) not in coordinator_page.content.decode()

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(_u(world, "office")).post(reverse("supervision:report-retry", args=[report.pk]))
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert InspectionReport.objects.get(pk=report.pk).status == ReportStatus.PENDING

    ready = report_render(report.pk)
    assert (ready.status, ready.attempts, ready.error, ready.version) == (ReportStatus.READY, 2, "", 1)


def test_a_database_error_is_raised_again_for_the_task_to_retry(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    report = _full(helpers.closed(world))

    def lost(*args: Any, **kwargs: Any) -> bytes:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(render, "render_pdf", lost)
    with pytest.raises(OperationalError):
        report_render(report.pk)

    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.error.startswith("OperationalError: server closed")


def test_retry_refuses_a_report_that_did_not_fail(world: World) -> None:
    report = _full(helpers.closed(world))

    with pytest.raises(ValidationError) as refused:
        report_retry(report=report, by=_u(world, "office"))

    assert refused.value.error_dict["status"][0].code == "not_failed"


def test_only_the_office_may_retry(world: World) -> None:
    report = _full(helpers.closed(world))
    InspectionReport.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, error="x")

    with pytest.raises(PermissionDenied):
        report_retry(report=report, by=_u(world, "inspector"))
    response = client_for(_u(world, "coordinator_a")).post(reverse("supervision:report-retry", args=[report.pk]))

    assert response.status_code == 404
    assert InspectionReport.objects.get(pk=report.pk).status == ReportStatus.FAILED


def test_a_broker_that_does_not_answer_leaves_the_report_pending_for_the_sweep(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = _full(_english_only(helpers.closed(world)))
    queueing.reset()

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(render.celery_app, "send_task", refuse)
    render._enqueue(report.pk)
    queueing.reset()

    report.refresh_from_db()
    assert (report.status, report.error) == (ReportStatus.PENDING, "")
    # Once stuck (ten minutes), the sweep queues it again, and the office may retry it at once.
    later = timezone.now() + datetime.timedelta(minutes=11)
    assert report.is_stuck(later)
    monkeypatch.undo()
    assert render.reports_sweep(now=later).requeued == 1


def test_a_failed_render_tells_the_office_once_per_report(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    inspection = helpers.closed(world)
    report = _full(inspection)
    monkeypatch.setattr(render, "render_pdf", _boom)

    report_render(report.pk)
    report_retry(report=report, by=_u(world, "office"))
    assert report_render(report.pk).status == ReportStatus.FAILED  # failed twice: told once

    told = Notification.objects.filter(kind="inspection_report_failed")
    assert list(told.values_list("user__username", flat=True)) == ["office"]
    assert told.get().link == reverse("supervision:report", args=[inspection.pk])
    assert "Hospital A" in told.get().text
    other = report_request(inspection=inspection, variant=ReportVariant.FULL)
    report_render(other.pk)
    assert told.count() == 2  # another version is another report


def test_stored_pdf_names_are_unguessable_and_downloads_keep_the_readable_name(world: World) -> None:
    inspection = _english_only(helpers.closed(world))
    first = report_render(_full(inspection).pk)
    second = report_render(report_request(inspection=inspection, variant=ReportVariant.FULL).pk)
    tokens = [re.search(r"-v[12]-([0-9a-f]{16})\.pdf$", str(r.pdf.name)) for r in (first, second)]
    assert all(tokens) and tokens[0].group(1) != tokens[1].group(1)  # type: ignore[union-attr]

    response = _get(world, "office", reverse("supervision:report-pdf", args=[second.pk]))

    assert f'filename="inspection-{inspection.pk}-full-v2-en.pdf"' in response["Content-Disposition"]
    assert tokens[1].group(1) not in response["Content-Disposition"]  # type: ignore[union-attr]


# --- What the PDF holds ----------------------------------------------------------------------------------------


def test_full_pdf_reads_back_with_facts_results_findings_and_actions(world: World) -> None:
    report = report_render(_full(helpers.closed(world)).pk)

    text = _pdf_text(report.pdf.path)

    for expected in (
        "Inspection report: Hospital A",
        "Spot (unannounced)",
        "Feasibility",
        "Quality",
        "Results",
        "Logbook gaps.",
        "Findings by severity",
        "Supervision hours not met.",
        "Good induction material.",
        "Corrective actions",
        world.student_a.student_number,
        _u(world, "inspector").display_name,
        _u(world, "coordinator_a").display_name,  # the action's owner, named in the full report
    ):
        assert _squeezed(expected) in _squeezed(text), expected


def test_items_and_actions_are_full_width_blocks_with_ratings_in_words(world: World) -> None:
    # Issue 19 item 7: notes in narrow table cells and ratings in inline-block badges made the 50-page PDF
    # cost about three plain documents of its text (bench/reports.py measures it).
    inspection = helpers.closed(world)

    report = report_render(_full(inspection).pk)

    article = report.html
    assert "<table" not in article.split('id="report-results"', 1)[1]  # only the facts are a table
    assert 'class="badge' not in article
    assert article.count('class="report-item ') == inspection.results.count()
    text = _squeezed(_pdf_text(report.pdf.path))
    for expected in ("Rating: Minor gap", "Logbook gaps.", "Rating: Conforming", "Answer: —", "Status: Open"):
        assert _squeezed(expected) in text, expected


def test_chinese_report_reads_back_with_the_chinese_finding(world: World) -> None:
    inspection = helpers.start(world, scope="检查范围:影像科带教")
    helpers.rate_all(world, inspection)
    helpers.add_finding(world, inspection, Severity.MINOR, "带教记录不完整,需要补充签名。")
    services.inspection_close(inspection=inspection, by=_u(world, "inspector"))

    report = report_render(report_request(inspection=inspection, variant=ReportVariant.FULL, language="zh-hans").pk)

    assert report.language == "zh-hans"
    text = _squeezed(_pdf_text(report.pdf.path))
    assert "带教记录不完整,需要补充签名。" in text
    assert "检查范围:影像科带教" in text
    # The chart's SVG names the Simplified Chinese face too: it fell back to the Japanese one (issue 18 §6).
    fonts = pdf_font_names(report.pdf.path)
    assert any(name.startswith("Noto-Sans-CJK-SC") for name in fonts), fonts
    assert not any("CJK-JP" in name for name in fonts), fonts
    # The metadata date is the request's, not the render's: the same report gives the same bytes.
    created = PdfReader(report.pdf.path).metadata.creation_date  # type: ignore[union-attr]
    assert created == report.requested_at.replace(microsecond=0)
    _html, again = render_report_bytes(report)
    assert hashlib.sha256(again).hexdigest() == report.sha256


HOSTILE = (
    "<script>alert('x')</script> "
    "<link rel=attachment href=file:///etc/passwd> "
    "<style>@import url(http://evil.example/x.css);</style> "
    "<img src=http://evil.example/pixel.png> "
    '<a href="file:///etc/shadow">file:///etc/shadow</a>'
)


def test_hostile_content_comes_out_as_text_and_nothing_is_fetched_or_attached(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    inspection = helpers.start(world, scope=f"Scope {HOSTILE}")
    helpers.rate_all(world, inspection)
    first = inspection.template.items.order_by("aspect", "order").first()
    assert first is not None
    services.checklist_record(
        inspection=inspection, item=first, rating="minor_gap", note=f"Note {HOSTILE}", by=_u(world, "inspector")
    )
    helpers.add_finding(world, inspection, Severity.MAJOR, f"Finding {HOSTILE}")
    services.inspection_close(inspection=inspection, by=_u(world, "inspector"))
    inspection_publish(inspection=inspection, by=_u(world, "office"), summary=f"Summary {HOSTILE}")
    # A spy on the PDF fetcher: it records every URL WeasyPrint asks for, then lets the real one answer.
    from core import pdf as core_pdf

    asked: list[str] = []
    real_fetch = core_pdf.AssetOnlyFetcher.fetch

    def spy(self: Any, url: str, headers: Any = None) -> Any:
        asked.append(url)
        return real_fetch(self, url, headers)

    monkeypatch.setattr(core_pdf.AssetOnlyFetcher, "fetch", spy)

    rendered = [report_render(r.pk) for r in InspectionReport.objects.filter(inspection=inspection)]

    assert {r.variant for r in rendered} == {ReportVariant.FULL, ReportVariant.PUBLIC}
    assert all(r.status == ReportStatus.READY for r in rendered), [r.error for r in rendered]
    assert asked and set(asked) == {"tandem-asset:report.css"}  # only our own stylesheet, nothing else
    for report in rendered:
        assert "<script>" not in report.html and "<link rel=attachment" not in report.html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in report.html
        text = _squeezed(_pdf_text(report.pdf.path))
        for piece in (
            "<script>alert('x')</script>",
            "<linkrel=attachmenthref=file:///etc/passwd>",
            "@importurl(http://evil.example/x.css)",
            "<imgsrc=http://evil.example/pixel.png>",
            '<ahref="file:///etc/shadow">',
        ):
            assert piece in text, (report.variant, piece)
        assert pdf_attachments(report.pdf.path) == []
        assert b"/EmbeddedFiles" not in Path(report.pdf.path).read_bytes()


# --- Redaction and the chart ------------------------------------------------------------------------------------


def test_redact_removes_names_numbers_emails_and_phones_and_keeps_dates(world: World) -> None:
    inspection = helpers.closed(world)
    student = world.student_a.user
    student.full_name = "Zhang Wei"
    student.save()
    supervisor = _u(world, "supervisor_a")
    supervisor.full_name = "黄欣"
    supervisor.phone = "0571-8888 1234"
    supervisor.save()
    text = (
        f"Zhang Wei ({world.student_a.student_number}) said Zhang was tired; 黄欣老师 agreed. "
        f"Write to {supervisor.email} or anyone@elsewhere.example, call 0571-8888 1234 or +86 138 1234 5678. "
        "Seen on 2026-05-01, 12 logbooks, zhang is lower case."
    )

    out = redact(text, inspection)

    assert "Zhang" not in out and "黄欣" not in out and world.student_a.student_number not in out
    assert supervisor.email not in out and "anyone@elsewhere.example" not in out
    assert "8888" not in out and "138 1234" not in out
    assert "2026-05-01" in out and "12 logbooks" in out and "zhang is lower case" in out
    assert out.count(REDACTED) >= 8


def test_redact_leaves_people_of_other_partners_alone(world: World) -> None:
    inspection = helpers.closed(world)
    # Fixed names for everyone else: a generated name with "Li" or "Na" in it (say a surname Li at A) would
    # be redacted rightly and fail the test by chance (seen in CI).
    for number, person in enumerate(u for u in world.users.values() if u is not None):
        person.full_name = f"Person Number{number}"
        person.save()
    other = world.student_b.user
    other.full_name = "Li Na"
    other.save()

    assert redact("Li Na studies at B.", inspection) == "Li Na studies at B."


def test_redact_matches_a_name_recorded_in_two_scripts_in_either_script(world: World) -> None:
    inspection = helpers.closed(world)
    supervisor = _u(world, "supervisor_a")
    supervisor.full_name = "Huang Xin 黄欣"
    supervisor.save()

    assert redact("Huang Xin logged late.", inspection) == f"{REDACTED} logged late."
    assert redact("黄欣的记录晚了。", inspection) == f"{REDACTED}的记录晚了。"
    assert redact("Huang Xin老师说。", inspection) == f"{REDACTED}老师说。"
    assert redact("Huang was late; ask Xin.", inspection) == f"{REDACTED} was late; ask {REDACTED}."
    assert redact("Huang Xin 黄欣 signed.", inspection) == f"{REDACTED} {REDACTED} signed."
    # Place names that merely contain the words stay.
    assert redact("Trips to Huangshan and Xinjiang.", inspection) == "Trips to Huangshan and Xinjiang."


def test_redact_matches_two_letter_name_words_written_capitalised(world: World) -> None:
    inspection = helpers.closed(world)
    student, coordinator = world.student_a.user, _u(world, "coordinator_a")
    student.full_name = "Li Na"
    student.save()
    coordinator.full_name = "xu wu"  # recorded in lower case: still looked for as names are written
    coordinator.save()

    out = redact("Li was late, Na too; Xu and Wu agreed. li, na and Lin stay.", inspection)

    assert out == f"{REDACTED} was late, {REDACTED} too; {REDACTED} and {REDACTED} agreed. li, na and Lin stay."


def test_name_terms_split_scripts_and_skip_initials_titles_and_single_cjk_characters() -> None:
    assert reports.name_terms("Huang Xin 黄欣") == reports.NameTerms(
        exact=("Huang Xin",), parts=("Huang", "Xin"), cjk=("黄欣",)
    )
    assert reports.name_terms("黄 欣") == reports.NameTerms(cjk=("黄欣",))
    assert reports.name_terms("Dr. J. Wu") == reports.NameTerms(exact=("Dr. J. Wu",), parts=("Wu",))
    assert reports.name_terms("黄") == reports.NameTerms()
    assert reports.name_terms("student_a") == reports.NameTerms(exact=("student_a",))


def test_public_report_names_inspectors_by_full_name_only_without_contacts(world: World) -> None:
    inspector = _u(world, "inspector")
    inspector.full_name = "Chen Jing (chen.jing@inspect.example, 0571-8888 1234)"
    inspector.save()
    nameless = UserFactory.create(username="second-inspector", full_name="", first_name="", last_name="")
    grant_platform_role(nameless, PlatformRole.INSPECTOR)
    inspection = helpers.closed(world, inspectors=[inspector, nameless])
    inspection_publish(inspection=inspection, by=_u(world, "office"))
    public = report_render(
        InspectionReport.objects.get(inspection=inspection, variant=ReportVariant.PUBLIC, language="en").pk
    )
    full = report_render(_full(inspection).pk)

    assert reports.report_context(inspection, ReportVariant.PUBLIC)["facts"]["inspectors"] == [
        f"Chen Jing ({REDACTED}, {REDACTED})",
        "an inspector",
    ]
    text = _squeezed(_pdf_text(public.pdf.path))
    for html_or_text in (public.html, text):
        assert _squeezed("Chen Jing") in _squeezed(html_or_text)
        assert "chen.jing@inspect.example" not in html_or_text and "8888" not in html_or_text
        assert "second-inspector" not in html_or_text
    assert "inspectors are named" in public.html and "supervisors are named by their role" in public.html
    assert "second-inspector" in full.html  # the full report still names everyone


def test_chart_svg_escapes_labels_and_has_no_script_or_reference() -> None:
    svg = aspect_chart_svg(
        [AspectSummary(aspect="x", label='<script>alert(1)</script>"', counts={"conforming": 2, "major_gap": 1})]
    )

    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "href" not in svg and "style" not in svg
    assert svg.count('class="chart-conforming"') == 2  # the bar and the legend
    assert "2 of 3 conforming" in svg


# --- Pages and downloads -----------------------------------------------------------------------------------------


def _get(world: World, persona: str, url: str, **headers: Any) -> Any:
    return client_for(world.users[persona]).get(url, **headers)


def test_report_page_shows_the_frozen_report_and_its_versions(world: World) -> None:
    inspection = helpers.closed(world)
    report = report_render(_full(inspection).pk)

    response = _get(world, "coordinator_a", reverse("supervision:report", args=[inspection.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Supervision hours not met." in body
    assert report.sha256 in body
    assert reverse("supervision:report-pdf", args=[report.pk]) in body
    assert "<style" not in body.split("<main", 1)[1]  # CSP: the chart is coloured by classes
    assert "(English)" in body and "(en)" not in body  # languages are named in words, not codes


def _download_link(body: str) -> str:
    found = re.search(r'href="([^"]+)" data-testid="download-shown"', body)
    assert found, "no Download PDF button"
    return found.group(1)


def test_office_and_inspectors_read_the_full_report_page_and_pdf_in_their_own_language(world: World) -> None:
    # Closing asks for the full report in English and in Chinese, each frozen with its own hash: the page
    # and its "Download PDF" follow the reader's language (issue 18: the Chinese interface showed version 1 in English).
    inspection = helpers.closed(world)
    full = {r.language: report_render(r.pk) for r in InspectionReport.objects.filter(inspection=inspection)}
    assert set(full) == {"en", "zh-hans"}

    for persona in ("office", "inspector"):
        chinese = _get(
            world, persona, reverse("supervision:report", args=[inspection.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        body = chinese.content.decode()
        assert "督导检查报告：Hospital A" in body and "按严重程度统计的检查发现" in body, persona  # noqa: RUF001
        assert "Findings by severity" not in body and "Version 1," not in body
        assert 'lang="zh-hans"' in body and full["zh-hans"].sha256 in body
        assert "report-other-language" not in body
        link = _download_link(body)
        assert link == reverse("supervision:report-pdf", args=[full["zh-hans"].pk])
        pdf = b"".join(_get(world, persona, link).streaming_content)
        assert hashlib.sha256(pdf).hexdigest() == full["zh-hans"].sha256
        text = _squeezed(pdf_text(pdf))
        assert "按严重程度统计的检查发现" in text and _squeezed("Supervision hours not met.") in text

        english = _get(world, persona, reverse("supervision:report", args=[inspection.pk]), HTTP_ACCEPT_LANGUAGE="en")
        body = english.content.decode()
        assert "Inspection report: Hospital A" in body and "Findings by severity" in body, persona
        assert _download_link(body) == reverse("supervision:report-pdf", args=[full["en"].pk])
        assert "Findings by severity" in pdf_text(
            b"".join(_get(world, persona, _download_link(body)).streaming_content)
        )


def test_a_report_without_a_version_in_the_readers_language_says_so(world: World) -> None:
    # An inspection closed before reports were rendered in every language has its English version only.
    inspection = helpers.closed(world)
    english = report_render(_full(inspection).pk)
    InspectionReport.objects.filter(inspection=inspection).exclude(pk=english.pk).delete()

    body = _get(
        world, "office", reverse("supervision:report", args=[inspection.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()

    assert _download_link(body) == reverse("supervision:report-pdf", args=[english.pk])
    assert 'data-testid="report-other-language"' in body and "简体中文" in body


def test_pending_report_says_it_is_being_rendered(world: World) -> None:
    inspection = helpers.closed(world)

    response = _get(world, "inspector", reverse("supervision:report", args=[inspection.pk]))

    assert response.status_code == 200
    assert "being rendered" in response.content.decode()


@pytest.mark.parametrize("persona", ["supervisor_a", "coordinator_b", "tutor", "student_a", "counsellor"])
def test_report_page_and_pdf_are_404_for_people_without_a_view(world: World, persona: str) -> None:
    inspection = helpers.closed(world)
    report = report_render(_full(inspection).pk)

    assert _get(world, persona, reverse("supervision:report", args=[inspection.pk])).status_code == 404
    assert _get(world, persona, reverse("supervision:report-pdf", args=[report.pk])).status_code == 404


def test_pdf_download_is_the_frozen_file_as_an_attachment_with_its_hash_as_etag(world: World) -> None:
    inspection = helpers.closed(world)
    report = report_render(_full(inspection).pk)
    url = reverse("supervision:report-pdf", args=[report.pk])

    response = _get(world, "inspector", url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"inspection-{inspection.pk}-full-v1-en.pdf" in response["Content-Disposition"]
    assert response["ETag"] == f'"{report.sha256}"'
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == report.sha256
    assert _get(world, "inspector", url, HTTP_IF_NONE_MATCH=f'"{report.sha256}"').status_code == 304


def test_inspectors_get_their_own_full_reports_and_every_published_public_one(world: World) -> None:
    inspection = helpers.closed(world)
    inspection_publish(inspection=inspection, by=_u(world, "office"))
    rendered = [report_render(r.pk) for r in InspectionReport.objects.filter(inspection=inspection)]
    full = next(r for r in rendered if r.variant == ReportVariant.FULL)
    public = [r for r in rendered if r.variant == ReportVariant.PUBLIC]
    other = UserFactory.create(username="other-inspector")
    grant_platform_role(other, PlatformRole.INSPECTOR)
    assigned, stranger = client_for(_u(world, "inspector")), client_for(other)

    assert assigned.get(reverse("supervision:report-pdf", args=[full.pk])).status_code == 200
    assert stranger.get(reverse("supervision:report-pdf", args=[full.pk])).status_code == 404
    for report in public:
        assert stranger.get(reverse("supervision:report-pdf", args=[report.pk])).status_code == 200
    page = stranger.get(reverse("supervision:report", args=[inspection.pk]))
    assert page.status_code == 200
    assert reverse("supervision:report-pdf", args=[full.pk]) not in page.content.decode()
    assert "Inspection results: Hospital A" in page.content.decode()


def test_stranger_inspector_sees_nothing_of_an_unpublished_inspection(world: World) -> None:
    inspection = helpers.closed(world)
    report = report_render(_full(inspection).pk)
    other = UserFactory.create(username="other-inspector")
    grant_platform_role(other, PlatformRole.INSPECTOR)

    assert client_for(other).get(reverse("supervision:report", args=[inspection.pk])).status_code == 404
    assert client_for(other).get(reverse("supervision:report-pdf", args=[report.pk])).status_code == 404
