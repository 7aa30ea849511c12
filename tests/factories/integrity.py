"""Integrity builders. Submissions, checks and cases in tests go through ``integrity.services`` (extraction,
access, steps), so there is no factory that would skip those rules: these helpers call the services."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from integrity import samples
from integrity.extract import docx_bytes
from integrity.models import Case, CaseDecision, CaseSource, CaseStep, OriginalityReport, SubjectKind, Submission
from integrity.services import cases, checks, submissions
from students.models import Student


def docx_upload(text: str, name: str = "thesis.docx") -> SimpleUploadedFile:
    """A DOCX upload holding ``text`` (one paragraph per blank-line-separated block)."""
    return SimpleUploadedFile(name, docx_bytes(text.split("\n\n")), content_type="application/octet-stream")


def submit(student: Student, text: str, *, kind: str = "proposal", title: str = "My proposal") -> Submission:
    """The student submits ``text`` as a DOCX."""
    return submissions.submission_create(
        student=student, kind=kind, title=title, upload=docx_upload(text), by=student.user
    )


def submit_and_check(student: Student, text: str, **kwargs: str) -> OriginalityReport:
    """Submit and run the check at once (as the worker would)."""
    submission = submit(student, text, **kwargs)
    return checks.report_check(submission.report.pk)


def reference(office: User, seed: int, *, language: str = "zh", chars: int = 2000, title: str = "") -> str:
    """Add a generated thesis to the reference corpus; returns its text."""
    text = samples.thesis(seed, language=language, chars=chars)
    submissions.reference_add(
        title=title or f"Reference thesis {seed}", text=text, by=office, author=f"Author {seed}", year=2020
    )
    return text


def student_case(office: User, student: Student, **kwargs: object) -> Case:
    """A plagiarism case about ``student``, reported by a person."""
    return cases.case_open(
        subject_kind=SubjectKind.STUDENT,
        kind="plagiarism",
        source=CaseSource.PERSON,
        evidence="Copied two pages from a 2019 thesis.",
        student=student,
        by=office,
        **kwargs,  # type: ignore[arg-type]
    )


def to_hearing(case: Case, office: User, investigator: User, *, due: datetime.date | None = None) -> Case:
    """Assign ``investigator``, start the investigation, open the hearing (deadline in a week by default)."""
    cases.case_assign(case=case, investigators=[investigator], by=office)
    cases.case_advance(case=case, step=CaseStep.INVESTIGATING, by=office)
    return cases.case_advance(
        case=case,
        step=CaseStep.HEARING,
        by=office,
        statement_due=due or timezone.localdate() + datetime.timedelta(days=7),
    )


def decided(case: Case, office: User, investigator: User, **decision: object) -> Case:
    """Take a case through its hearing (the subject answered) to a decision (a warning by default)."""
    to_hearing(case, office, investigator)
    subject = case.subject_student.user if case.subject_student else case.subject_user
    assert subject is not None
    cases.case_statement(case=case, text="I did not mean to.", by=subject)
    decision.setdefault("decision", CaseDecision.WARNING)
    return cases.case_decide(case=case, reasons="The evidence holds.", by=office, **decision)  # type: ignore[arg-type]
