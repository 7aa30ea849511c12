"""The quality report's services: requesting (validation naming the field, version numbers, queued after
commit), building (claim, frozen figures, page and PDF in every language with hashes that match the
files, nothing built twice, new versions as new files), failures (FAILED, the office told once), the
retry and the sweep, and publishing (public figures frozen, public files, once, the office only)."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import User
from core.models import Notification
from programmes.models import Cohort
from quality import services
from quality.figures import Frame
from quality.indicators import figures_json
from quality.models import STUCK_AFTER, QualityReport, QualityReportFile, QualityReportStatus
from quality.public import public_figures
from tests.conftest import World
from tests.factories.programmes import CohortFactory, ProgrammeFactory
from tests.pdfs import pdf_text
from tests.quality import sample_figures
from tests.quality.paper import check_paper

pytestmark = pytest.mark.django_db

LATER = STUCK_AFTER + datetime.timedelta(minutes=1)
YEAR = timezone.localdate().year - 1


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The builds handed to the worker, by report id (each test runs the build itself)."""
    queued: list[int] = []
    monkeypatch.setattr(services, "_sender", lambda pk: lambda: queued.append(pk))
    return queued


def _user(world: World, persona: str) -> User:
    user = world.users[persona]
    assert user is not None
    return user


def _office(world: World) -> User:
    return _user(world, "office")


def _request(world: World, django_capture_on_commit_callbacks: Any, **kwargs: Any) -> QualityReport:
    with django_capture_on_commit_callbacks(execute=True):
        return services.report_request(
            programme=world.programme, year=kwargs.pop("year", YEAR), by=_office(world), **kwargs
        )


def _refused_field(error: ValidationError) -> set[str]:
    return set(error.message_dict)


def test_request_is_refused_naming_the_field(world: World, sent: list[int]) -> None:
    office = _office(world)
    world.programme.first_intake_year = 2020
    world.programme.save(update_fields=["first_intake_year"])
    other = CohortFactory.create(programme=ProgrammeFactory.create(), intake_year=2021)
    later = CohortFactory.create(programme=world.programme, intake_year=2024)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"year": timezone.localdate().year + 1}, "year"),
        ({"year": 2019}, "year"),
        ({"year": 2023, "cohort": other}, "cohort"),
        ({"year": 2023, "cohort": later}, "year"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as refused:
            services.report_request(programme=world.programme, by=office, **kwargs)
        assert _refused_field(refused.value) == {field}, kwargs
    with pytest.raises(PermissionDenied):
        services.report_request(programme=world.programme, year=2023, by=_user(world, "coordinator_a"))
    assert not QualityReport.objects.exists() and sent == []


def test_requests_number_versions_per_programme_cohort_and_year_and_queue_after_commit(
    world: World, sent: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    cohort = Cohort.objects.get(programme=world.programme)
    first = _request(world, django_capture_on_commit_callbacks)
    second = _request(world, django_capture_on_commit_callbacks)
    of_cohort = _request(world, django_capture_on_commit_callbacks, year=cohort.intake_year, cohort=cohort)
    other_year = _request(world, django_capture_on_commit_callbacks, year=YEAR - 1)
    assert [r.version for r in (first, second, of_cohort, other_year)] == [1, 2, 1, 1]
    assert first.status == QualityReportStatus.PENDING and first.requested_by == _office(world)
    assert sent == [first.pk, second.pk, of_cohort.pk, other_year.pk]


def test_build_freezes_figures_renders_every_language_and_a_new_version_adds_files(
    world: World, sent: list[int], django_capture_on_commit_callbacks: Any, media: Path
) -> None:
    report = _request(world, django_capture_on_commit_callbacks)
    built = services.report_build(report.pk)

    assert built.status == QualityReportStatus.READY, built.error
    as_of = timezone.localdate(report.requested_at)
    assert built.figures == figures_json(Frame(world.programme.pk, YEAR, None, as_of=as_of))
    assert built.figures["frame"]["as_of"] == f"{YEAR}-12-31"  # a past year is judged at its end
    files = list(QualityReportFile.objects.filter(report=built).order_by("language"))
    assert [(f.variant, f.language) for f in files] == [("full", "en"), ("full", "zh-hans")]
    for file in files:
        assert hashlib.sha256(Path(file.pdf.path).read_bytes()).hexdigest() == file.sha256
        assert services.figures_digest(built.figures) in file.html
    assert "Quality report" in files[0].html and "质量报告" in files[1].html
    # Stable bytes: the same report renders to the same PDF.
    _html, again = services.render_report_bytes(built, variant="full", language="en")
    assert hashlib.sha256(again).hexdigest() == files[0].sha256

    # Run again (a redelivered message): nothing is built or rendered a second time.
    assert services.report_build(report.pk).status == QualityReportStatus.READY
    assert QualityReport.objects.get(pk=report.pk).attempts == 1
    assert QualityReportFile.objects.filter(report=report).count() == 2

    # A new version is a new row with new files; the old one keeps its own.
    newer = services.report_build(_request(world, django_capture_on_commit_callbacks).pk)
    assert newer.version == 2 and newer.status == QualityReportStatus.READY
    old_names = {f.pdf.name for f in files}
    new_names = set(QualityReportFile.objects.filter(report=newer).values_list("pdf", flat=True))
    assert len(new_names) == 2 and not old_names & new_names
    assert all(Path(media, str(name)).exists() for name in old_names | new_names)
    assert set(QualityReportFile.objects.filter(report=report).values_list("sha256", flat=True)) == {
        f.sha256 for f in files
    }


def test_a_failed_build_is_recorded_leaves_no_file_and_tells_the_office_once(
    world: World, sent: list[int], django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch, media: Path
) -> None:
    report = _request(world, django_capture_on_commit_callbacks)
    real_render = services.render_pdf

    def fail_in_chinese(template: str, context: dict[str, Any]) -> bytes:
        if context["language"] == "zh-hans":
            raise RuntimeError("the PDF engine fell over")
        return real_render(template, context)

    monkeypatch.setattr(services, "render_pdf", fail_in_chinese)
    failed = services.report_build(report.pk)
    assert failed.status == QualityReportStatus.FAILED
    assert failed.error == "RuntimeError: the PDF engine fell over"
    assert failed.figures == {} and not QualityReportFile.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))  # the English PDF rendered first is deleted
    told = Notification.objects.filter(kind="quality_report_failed")
    assert list(told.values_list("user__username", "dedup_key")) == [("office", f"quality-report-failed-{report.pk}")]

    # Retried and failing again: still one message.
    with django_capture_on_commit_callbacks(execute=True):
        retried = services.report_retry(report=failed, by=_office(world))
    assert retried.status == QualityReportStatus.PENDING and sent[-1] == report.pk
    monkeypatch.setattr(services, "figures_json", lambda frame: 1 / 0)
    assert services.report_build(report.pk).error.startswith("ZeroDivisionError")
    assert told.count() == 1


def test_retry_is_refused_while_a_build_runs_and_for_others_than_the_office(
    world: World, sent: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    report = _request(world, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as refused:
        services.report_retry(report=report, by=_office(world))
    assert _refused_field(refused.value) == {"status"}
    QualityReport.objects.filter(pk=report.pk).update(status=QualityReportStatus.FAILED)
    with pytest.raises(PermissionDenied):
        services.report_retry(report=report, by=_user(world, "coordinator_a"))
    # Stuck (waiting longer than STUCK_AFTER) may be retried too.
    QualityReport.objects.filter(pk=report.pk).update(
        status=QualityReportStatus.PENDING, queued_at=timezone.now() - LATER
    )
    assert services.report_retry(report=report, by=_office(world)).status == QualityReportStatus.PENDING


def test_the_sweep_queues_stuck_builds_again_and_gives_up_on_endless_ones(
    world: World, sent: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    waiting = _request(world, django_capture_on_commit_callbacks)
    killed = _request(world, django_capture_on_commit_callbacks)
    endless = _request(world, django_capture_on_commit_callbacks)
    fresh = _request(world, django_capture_on_commit_callbacks)
    sent.clear()
    past = timezone.now() - LATER
    QualityReport.objects.filter(pk=waiting.pk).update(queued_at=past)
    QualityReport.objects.filter(pk=killed.pk).update(status=QualityReportStatus.BUILDING, claimed_at=past, attempts=1)
    QualityReport.objects.filter(pk=endless.pk).update(
        status=QualityReportStatus.BUILDING, claimed_at=past, attempts=services.MAX_ATTEMPTS
    )
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.reports_sweep()
    assert counts == {"requeued": 2, "given_up": 1}
    assert sorted(sent) == sorted([waiting.pk, killed.pk])
    statuses = dict(QualityReport.objects.values_list("pk", "status"))
    assert statuses[killed.pk] == statuses[waiting.pk] == statuses[fresh.pk] == QualityReportStatus.PENDING
    assert statuses[endless.pk] == QualityReportStatus.FAILED
    assert Notification.objects.filter(dedup_key=f"quality-report-failed-{endless.pk}").count() == 1
    # Nothing is stuck any more: a second sweep queues nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reports_sweep() == {"requeued": 0, "given_up": 0}


def test_publish_freezes_the_public_figures_renders_public_files_and_is_refused_after(
    world: World, sent: list[int], django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "figures_json", lambda frame: sample_figures.figures(year=frame.year))
    report = _request(world, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as refused:
        services.report_publish(report=report, by=_office(world))  # not built yet
    assert _refused_field(refused.value) == {"status"}
    report = services.report_build(report.pk)
    with pytest.raises(PermissionDenied):
        services.report_publish(report=report, by=_user(world, "coordinator_a"))
    full_before = dict(QualityReportFile.objects.filter(report=report).values_list("language", "sha256"))

    published = services.report_publish(report=report, by=_office(world))

    assert published.public_figures == public_figures(report.figures)
    assert published.published_by == _office(world) and published.published_at is not None
    public = QualityReportFile.objects.filter(report=report, variant="public").order_by("language")
    assert [f.language for f in public] == ["en", "zh-hans"]
    for file in public:
        assert hashlib.sha256(Path(file.pdf.path).read_bytes()).hexdigest() == file.sha256
        assert "Student of the year" not in file.html and "Wang Fang" not in file.html
    assert "This is the public version" in public[0].html and "这是报告的公开版" in public[1].html
    # The public PDF read back: it says what it is and shows no person and no small cell.
    text = "".join(pdf_text(Path(public[0].pdf.path)).split())
    assert "Thisisthepublicversion" in text and "hidden(fewerthan10people)" in text
    for absent in ("Studentoftheyear", "WangFang", "/students/"):
        assert absent not in text, absent
    assert "Enrolled120" in text
    check_paper(Path(public[0].pdf.path).read_bytes())
    # The evidence is left as it was: the full figures and files.
    fresh = QualityReport.objects.get(pk=report.pk)
    assert fresh.figures == report.figures and fresh.built_at == report.built_at
    assert dict(QualityReportFile.objects.filter(report=report, variant="full").values_list("language", "sha256")) == (
        full_before
    )
    with pytest.raises(ValidationError) as again:
        services.report_publish(report=fresh, by=_office(world))
    assert _refused_field(again.value) == {"status"}
    assert QualityReportFile.objects.filter(report=report).count() == 4


def test_selectors_scope_filter_and_pick_the_newest_published_version_and_the_readers_language(world: World) -> None:
    from quality import selectors

    now = timezone.now()
    cohort = Cohort.objects.get(programme=world.programme)

    def made(year: int, version: int, published: bool, cohort: Cohort | None = None) -> QualityReport:
        return QualityReport.objects.create(
            programme=world.programme,
            cohort=cohort,
            year=year,
            version=version,
            status=QualityReportStatus.READY,
            figures={},
            public_figures={} if published else None,
            published_at=now if published else None,
        )

    old = made(YEAR, 1, True)
    new = made(YEAR, 2, True)
    unpublished = made(YEAR, 3, False)
    of_cohort = made(YEAR, 1, True, cohort)
    earlier = made(YEAR - 1, 1, True)
    office = _office(world)
    # Newest year first; the programme's own reports before its cohorts'; newest version first.
    assert list(selectors.report_list(user=office)) == [unpublished, new, old, of_cohort, earlier]
    assert not selectors.report_list(user=_user(world, "coordinator_a")).exists()
    assert set(selectors.report_list(user=office, filters={"year": YEAR, "cohort": "none"})) == {old, new, unpublished}
    assert set(selectors.report_list(user=office, filters={"published": "false"})) == {unpublished}
    assert set(selectors.report_list(user=office, filters={"cohort": cohort.pk})) == {of_cohort}
    assert set(selectors.published_reports()) == {old, new, of_cohort, earlier}
    assert set(selectors.published_reports(programme=world.programme, latest=True)) == {new, of_cohort, earlier}

    for language in ("en", "zh-hans"):
        QualityReportFile.objects.create(
            report=new, variant="public", language=language, html=language, pdf=f"{language}.pdf", sha256="0" * 64
        )
    found = selectors.report_file(report=new, variant="public", language="zh-hans")
    assert found is not None and found.language == "zh-hans"
    fallback = selectors.report_file(report=new, variant="public", language="fr")
    assert fallback is not None and fallback.language == "en"
    assert selectors.report_file(report=new, variant="full", language="en") is None
