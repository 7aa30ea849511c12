"""Submissions, reference documents and written decisions on reports."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.services.notifications import notify
from core.validation import refuse
from integrity.extract import extract
from integrity.models import (
    MILESTONE_OF_KIND,
    CheckStatus,
    CorpusKind,
    CorpusText,
    DecisionOutcome,
    OriginalityReport,
    Outcome,
    ReportDecision,
    Submission,
    SubmissionKind,
)
from integrity.services.checks import check_enqueue_on_commit, index_text, thresholds_for
from partners import access
from students.models import Milestone, MilestoneStatus, Student


def work_key(student: Student, kind: str, title: str) -> str:
    """The work a submission is a version of: a milestone's document by kind; a paper or project report by
    its title (two papers are two works)."""
    if kind in MILESTONE_OF_KIND:
        return f"student:{student.pk}:{kind}"
    return f"student:{student.pk}:{kind}:{slugify(title, allow_unicode=True)[:100]}"


@transaction.atomic
def submission_create(*, student: Student, kind: str, title: str, upload: Any, by: User) -> Submission:
    """A new version of a student's work (the student themself), its text extracted and its originality
    check queued after commit. A milestone already done or waived takes no new version."""
    access.require(by, "submit_work", student)
    if kind not in SubmissionKind.values:
        raise refuse("kind", "invalid", _("Choose what you are submitting."))
    title = (title or "").strip()
    if not title:
        raise refuse("title", "required", _("Give the document's title."))
    extracted = extract(upload)
    student = Student.objects.select_for_update(of=("self",)).select_related("user", "programme").get(pk=student.pk)
    milestone = None
    if kind in MILESTONE_OF_KIND:
        milestone = Milestone.objects.filter(student=student, kind=MILESTONE_OF_KIND[kind]).first()
        if milestone is not None and milestone.status != MilestoneStatus.PENDING:
            raise refuse(
                "kind",
                "milestone_closed",
                _("The %(milestone)s milestone is already %(status)s: it takes no new version.")
                % {"milestone": milestone.get_kind_display(), "status": milestone.get_status_display().lower()},
            )
    key = work_key(student, kind, title)
    previous = Submission.objects.filter(corpus_text__work_key=key).aggregate(last=Max("version"))["last"]
    now = timezone.now()
    text = CorpusText.objects.create(
        kind=CorpusKind.SUBMISSION,
        title=title,
        author=student.user.display_name,
        year=now.year,
        work_key=key,
        text=extracted.text,
        chars=len(extracted.text),
        created_by=by,
        created_at=now,
    )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    submission = Submission(
        student=student,
        kind=kind,
        milestone=milestone,
        title=title,
        version=(previous or 0) + 1,
        file_format=extracted.file_format,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        corpus_text=text,
        submitted_by=by,
        submitted_at=now,
    )
    submission.file.save(f"{kind}-v{submission.version}.{extracted.file_format}", upload, save=False)
    submission.save()
    review_from, refer_above = thresholds_for(student.programme)
    report = OriginalityReport.objects.create(
        submission=submission, review_from=review_from, refer_above=refer_above, queued_at=now
    )
    check_enqueue_on_commit(report.pk)
    if student.tutor is not None:
        notify(
            users=[student.tutor],
            kind="submission_made",
            subject=gettext_noop("%(student)s submitted %(title)s."),
            params={"student": student.user.display_name, "title": title},
            link=reverse("integrity:submission", args=[submission.pk]),
        )
    return submission


@transaction.atomic
def reference_add(*, title: str, text: str, by: User, author: str = "", year: int | None = None) -> CorpusText:
    """Add a document to the reference corpus (the office) and index it at once."""
    access.require(by, "create", CorpusText)
    title, text = (title or "").strip(), (text or "").strip()
    if not title:
        raise refuse("title", "required", _("Give the document's title."))
    if not text:
        raise refuse("file", "empty", _("The document has no text."))
    row = CorpusText.objects.create(
        kind=CorpusKind.REFERENCE,
        title=title[:300],
        author=(author or "").strip()[:200],
        year=year,
        work_key=f"reference:{hashlib.sha256(text.encode()).hexdigest()[:32]}",
        text=text,
        chars=len(text),
        created_by=by,
    )
    index_text(row)
    return row


def reference_upload(*, title: str, upload: Any, by: User, author: str = "", year: int | None = None) -> CorpusText:
    """Add an uploaded PDF or DOCX to the reference corpus (the office)."""
    access.require(by, "create", CorpusText)
    return reference_add(title=title, text=extract(upload).text, by=by, author=author, year=year)


#: Which decisions each party may take on a report in which outcome.
_TUTOR_DECIDES = {Outcome.REVIEW: {DecisionOutcome.CLEARED, DecisionOutcome.RESUBMIT, DecisionOutcome.REFERRED}}
_OFFICE_DECIDES = {
    Outcome.REVIEW: {DecisionOutcome.CLEARED, DecisionOutcome.RESUBMIT, DecisionOutcome.REFERRED},
    Outcome.REFERRED: {DecisionOutcome.CLEARED, DecisionOutcome.RESUBMIT},
}


@transaction.atomic
def report_decide(*, report: OriginalityReport, outcome: str, reason: str, by: User) -> ReportDecision:
    """A written decision on a finished report: the tutor on one awaiting review (clear it, require a
    resubmission, or refer it to the office); the office on one awaiting review or referred."""
    access.require(by, "decide", report)
    report = (
        OriginalityReport.objects.select_for_update(of=("self",))
        .select_related("submission__student")
        .get(pk=report.pk)
    )
    if not (reason or "").strip():
        raise refuse("reason", "required", _("Write the decision's reasons."))
    if report.status != CheckStatus.DONE:
        raise refuse(NON_FIELD_ERRORS, "not_done", _("The check is not finished yet."))
    allowed = (_OFFICE_DECIDES if access.is_office(by) else _TUTOR_DECIDES).get(Outcome(report.outcome), set())
    if not allowed:
        raise refuse(NON_FIELD_ERRORS, "not_open", _("This report awaits no decision of yours."))
    if outcome not in allowed:
        raise refuse("outcome", "not_allowed", _("This decision is not open on this report."))
    decision = ReportDecision.objects.create(report=report, outcome=outcome, reason=reason.strip(), by=by)
    report.outcome = outcome
    report.save(update_fields=["outcome"])
    link = reverse("integrity:report", args=[report.pk])
    params = {"title": report.submission.title}
    notify(
        users=[report.submission.student.user],
        kind="originality_decided",
        subject=gettext_noop("A decision was recorded on the originality report of %(title)s."),
        params=params,
        link=link,
    )
    if outcome == DecisionOutcome.REFERRED:
        from accounts.roles import PlatformRole

        notify(
            users=access.users_with_platform_role(PlatformRole.OFFICE),
            kind="originality_referred",
            subject=gettext_noop("The originality report of %(title)s was referred to the office."),
            params=params,
            link=link,
            dedup_key=f"originality-{report.pk}-referred",
        )
    return decision


@transaction.atomic
def report_retry(*, report: OriginalityReport, by: User) -> OriginalityReport:
    """Run a failed check again (the office)."""
    access.require(by, "retry", report)
    report = OriginalityReport.objects.select_for_update().get(pk=report.pk)
    if report.status != CheckStatus.FAILED:
        raise refuse(NON_FIELD_ERRORS, "not_failed", _("Only a failed check can be run again."))
    report.status, report.error, report.queued_at = CheckStatus.QUEUED, "", timezone.now()
    report.save(update_fields=["status", "error", "queued_at"])
    check_enqueue_on_commit(report.pk)
    return report
