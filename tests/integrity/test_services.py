"""Submissions, the originality check and decisions on reports, through the services and the real database."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from core.validation import refused_rule
from integrity import samples
from integrity.models import CheckStatus, DecisionOutcome, Fingerprint, OriginalityReport, Outcome, ThresholdPolicy
from integrity.services import checks, submissions
from students.models import MilestoneStatus
from students.services import enrolment
from tests.conftest import World
from tests.factories.integrity import docx_upload, reference, submit, submit_and_check


def _u(world: World, name: str):  # type: ignore[no-untyped-def]
    return world.users[name]


def _rule(error: ValidationError) -> str:
    found = refused_rule(error)
    assert found is not None
    return found[0]


def test_student_submits_versions_of_a_work_and_each_is_kept(world: World) -> None:
    first = submit(world.student_a, samples.thesis(1))
    second = submit(world.student_a, samples.thesis(2))
    paper = submit(world.student_a, samples.thesis(3), kind="paper", title="A paper")
    assert (first.version, second.version, paper.version) == (1, 2, 1)
    assert first.milestone is not None and first.milestone.kind == "proposal"
    assert paper.milestone is None
    assert first.file_format == "docx" and len(first.sha256) == 64
    assert first.report.status == CheckStatus.QUEUED
    assert first.report.review_from == Decimal("15") and first.report.refer_above == Decimal("30")


def test_someone_else_cannot_submit_for_a_student(world: World) -> None:
    with pytest.raises(PermissionDenied):
        submissions.submission_create(
            student=world.student_a, kind="proposal", title="x", upload=docx_upload("text " * 50), by=_u(world, "tutor")
        )


def test_pdf_text_is_extracted(world: World) -> None:
    from weasyprint import HTML

    body = samples.thesis(4, language="en", chars=1500)
    pdf = HTML(string=f"<p>{body}</p>").write_pdf()
    upload = SimpleUploadedFile("t.pdf", pdf, content_type="application/pdf")
    submission = submissions.submission_create(
        student=world.student_a, kind="thesis", title="Thesis", upload=upload, by=world.student_a.user
    )
    assert submission.file_format == "pdf"
    assert "reconstruction" in submission.corpus_text.text or len(submission.corpus_text.text) > 1000


def test_scanned_pdf_is_refused_with_a_clear_message(world: World) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    upload = SimpleUploadedFile("scan.pdf", buffer.getvalue())
    with pytest.raises(ValidationError) as caught:
        submissions.submission_create(
            student=world.student_a, kind="thesis", title="Scan", upload=upload, by=world.student_a.user
        )
    assert _rule(caught.value) == "scanned_pdf"
    assert "no text layer" in str(caught.value)


def test_other_files_and_too_large_ones_are_refused(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        submit_upload = SimpleUploadedFile("thesis.pdf", b"MZ this is an executable")
        submissions.submission_create(
            student=world.student_a, kind="thesis", title="T", upload=submit_upload, by=world.student_a.user
        )
    assert _rule(caught.value) == "not_pdf_or_docx"
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError) as caught:
        submissions.submission_create(
            student=world.student_a, kind="thesis", title="T", upload=big, by=world.student_a.user
        )
    assert _rule(caught.value) == "too_large"


def test_original_text_passes_and_is_indexed(world: World) -> None:
    reference(_u(world, "office"), 10)
    report = submit_and_check(world.student_a, samples.thesis(11, chars=3000))
    assert report.status == CheckStatus.DONE
    assert report.outcome == Outcome.PASSED and report.similarity == Decimal("0.00")
    assert report.sha256 and report.pdf
    assert Fingerprint.objects.filter(text=report.submission.corpus_text).count() == report.result["fingerprints"]


def test_planted_copy_of_a_reference_is_referred_with_its_share(world: World) -> None:
    source = reference(_u(world, "office"), 20, chars=3000)
    own = samples.thesis(21, chars=2000)
    text = own + "\n\n" + source[:1500]
    report = submit_and_check(world.student_a, text)
    from integrity.originality import prepare

    expected = 100 * prepare(source[:1500]).counted_chars / prepare(text).counted_chars
    assert float(report.similarity or 0) == pytest.approx(expected, abs=1.0)
    assert report.outcome == Outcome.REFERRED
    assert report.result["sources"][0]["title"] == "Reference thesis 20"
    assert report.result["passages"][0]["found"]["match"]


def test_another_students_earlier_submission_is_a_source_but_own_earlier_versions_are_not(world: World) -> None:
    text = samples.thesis(30, chars=3000)
    first = submit_and_check(world.student_a, text)
    again = submit_and_check(world.student_a, text)  # version 2 of the same work: not compared with version 1
    copied = submit_and_check(world.student_b, text, title="Copied proposal")
    assert first.similarity == again.similarity == Decimal("0.00")
    assert copied.similarity == Decimal("100.00")
    assert copied.result["sources"][0]["kind"] == "submission"


def test_programme_thresholds_decide_the_outcome(world: World) -> None:
    ThresholdPolicy.objects.create(programme=world.programme, review_from=Decimal("5"), refer_above=Decimal("90"))
    source = reference(_u(world, "office"), 40, chars=3000)
    report = submit_and_check(world.student_a, samples.thesis(41, chars=2000) + "\n\n" + source[:1500])
    assert report.outcome == Outcome.REVIEW


def test_running_the_check_twice_changes_nothing(world: World) -> None:
    report = submit_and_check(world.student_a, samples.thesis(50))
    again = checks.report_check(report.pk)
    assert (again.sha256, again.finished_at, again.attempts) == (report.sha256, report.finished_at, 1)


def _review_report(world: World) -> OriginalityReport:
    ThresholdPolicy.objects.create(programme=world.programme, review_from=Decimal("5"), refer_above=Decimal("90"))
    source = reference(_u(world, "office"), 60, chars=3000)
    return submit_and_check(world.student_a, samples.thesis(61, chars=2000) + "\n\n" + source[:1000])


def test_milestone_cannot_be_done_while_its_check_is_pending_or_awaits_review(world: World) -> None:
    submission = submit(world.student_a, samples.thesis(70))
    milestone = submission.milestone
    assert milestone is not None
    with pytest.raises(ValidationError) as caught:
        enrolment.milestone_complete(milestone=milestone, by=_u(world, "tutor"))
    assert _rule(caught.value) == "originality_pending"
    assert "not finished" in str(caught.value)


def test_tutor_clears_a_report_in_review_and_the_milestone_can_be_done(world: World) -> None:
    report = _review_report(world)
    milestone = report.submission.milestone
    assert report.outcome == Outcome.REVIEW and milestone is not None
    with pytest.raises(ValidationError):
        enrolment.milestone_complete(milestone=milestone, by=_u(world, "tutor"))
    with pytest.raises(ValidationError) as caught:
        submissions.report_decide(report=report, outcome=DecisionOutcome.CLEARED, reason=" ", by=_u(world, "tutor"))
    assert _rule(caught.value) == "required"
    submissions.report_decide(
        report=report, outcome=DecisionOutcome.CLEARED, reason="Common method text, cited.", by=_u(world, "tutor")
    )
    assert OriginalityReport.objects.get(pk=report.pk).outcome == Outcome.CLEARED
    assert enrolment.milestone_complete(milestone=milestone, by=_u(world, "tutor")).status == MilestoneStatus.DONE


def test_tutor_refers_and_then_cannot_decide_a_referred_report_but_the_office_can(world: World) -> None:
    report = _review_report(world)
    submissions.report_decide(
        report=report, outcome=DecisionOutcome.REFERRED, reason="Too much.", by=_u(world, "tutor")
    )
    with pytest.raises(ValidationError) as caught:
        submissions.report_decide(report=report, outcome=DecisionOutcome.CLEARED, reason="ok", by=_u(world, "tutor"))
    assert _rule(caught.value) == "not_open"
    submissions.report_decide(
        report=report, outcome=DecisionOutcome.RESUBMIT, reason="Rewrite chapter 2.", by=_u(world, "office")
    )
    assert list(report.decisions.values_list("outcome", flat=True)) == ["referred", "resubmit"]


def test_other_tutor_cannot_decide(world: World) -> None:
    report = _review_report(world)
    with pytest.raises(PermissionDenied):
        submissions.report_decide(report=report, outcome="cleared", reason="ok", by=_u(world, "supervisor_a"))


def test_check_failure_is_kept_and_the_office_can_run_it_again(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    submission = submit(world.student_a, samples.thesis(80))

    def broken(report: OriginalityReport) -> bytes:
        raise RuntimeError("engine down")

    monkeypatch.setattr(checks, "render_report_pdf", broken)
    report = checks.report_check(submission.report.pk)
    assert report.status == CheckStatus.FAILED and "engine down" in report.error
    monkeypatch.undo()
    submissions.report_retry(report=report, by=_u(world, "office"))
    assert checks.report_check(report.pk).status == CheckStatus.DONE


def test_sweep_requeues_a_lost_check(world: World) -> None:
    import datetime

    from django.utils import timezone

    submission = submit(world.student_a, samples.thesis(90))
    OriginalityReport.objects.filter(pk=submission.report.pk).update(
        queued_at=timezone.now() - datetime.timedelta(minutes=30)
    )
    assert checks.checks_sweep() == 1
    assert checks.checks_sweep() == 0


def test_milestone_checks_hook_refuses_under_its_key(world: World) -> None:
    from core import hooks

    hooks.MILESTONE_CHECKS.register(hooks.MilestoneCheck(key="test_hold", check=lambda *, milestone: "Held."))
    try:
        milestone = world.student_a.milestones.first()
        assert milestone is not None
        with pytest.raises(ValidationError) as caught:
            enrolment.milestone_complete(milestone=milestone, by=_u(world, "tutor"))
        assert _rule(caught.value) == "test_hold"
    finally:
        hooks.MILESTONE_CHECKS.unregister("test_hold")
    assert enrolment.milestone_complete(milestone=milestone, by=_u(world, "tutor")).status == MilestoneStatus.DONE
