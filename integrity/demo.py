"""Demo integrity: a reference corpus, two checked proposals, and two cases.

* 32 short generated theses (Chinese, English and mixed) in the reference corpus.
* ``student``'s proposal, original: checked, passed.
* ``student2``'s proposal with a long passage copied from a reference thesis: referred to the office, and a
  plagiarism case opened from it, investigated by ``inspector``, now at its hearing (``student2`` can answer).
* A case against ``sup-enterprise`` (acting beyond authority), decided with a remedy (retraining): the
  enterprise's scorecard counts it.

Everything goes through the services, and the checks run in-process (as the worker would). Idempotent:
each piece is looked up first.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import User
from integrity import samples
from integrity.extract import docx_bytes
from integrity.models import Case, CaseDecision, CaseSource, CaseStep, CorpusKind, CorpusText, Submission
from integrity.services import cases, checks, submissions
from students.models import Student

_TOPICS_ZH = (
    "低剂量CT重建",
    "磁共振快速成像",
    "超声图像分割",
    "病灶检测",
    "医学图像配准",
    "放射组学分析",
    "PET图像去噪",
    "数字乳腺断层",
)
_TOPICS_EN = (
    "Low-dose CT reconstruction",
    "Fast MR imaging",
    "Ultrasound segmentation",
    "Lesion detection",
    "Image registration",
    "Radiomics",
    "PET denoising",
    "Breast tomosynthesis",
)
REFERENCE_COUNT = 32
#: The reference thesis ``student2`` copies from.
COPIED_FROM = 3


def _reference_title(index: int) -> str:
    if index % 2 == 0:
        return f"{_TOPICS_ZH[index % len(_TOPICS_ZH)]}方法研究 ({2015 + index % 9})"
    return f"{_TOPICS_EN[index % len(_TOPICS_EN)]}: a study ({2015 + index % 9})"


def _reference_text(index: int) -> str:
    language = ("zh", "en", "mixed")[index % 3]
    return samples.thesis(1000 + index, language=language, chars=2500)


def seed_references(office: User) -> None:
    existing = set(CorpusText.objects.filter(kind=CorpusKind.REFERENCE).values_list("title", flat=True))
    for index in range(REFERENCE_COUNT):
        title = _reference_title(index)
        if title in existing:
            continue
        submissions.reference_add(
            title=title,
            text=_reference_text(index),
            author=f"Graduate {index + 1:02d}",
            year=2015 + index % 9,
            by=office,
        )


def _submit_proposal(student: Student, title: str, text: str) -> Submission:
    existing = Submission.objects.filter(student=student, kind="proposal").first()
    if existing is not None:
        return existing
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("proposal.docx", docx_bytes(text.split("\n\n")))
    submission = submissions.submission_create(
        student=student, kind="proposal", title=title, upload=upload, by=student.user
    )
    checks.report_check(submission.report.pk)
    return submission


def seed() -> None:
    office = User.objects.get(username="office")
    inspector = User.objects.get(username="inspector")
    seed_references(office)
    student = Student.objects.get(user__username="student")
    student2 = Student.objects.get(user__username="student2")
    _submit_proposal(student, "低剂量CT迭代重建的开题报告", samples.thesis(2001, language="mixed", chars=4000))
    planted = samples.thesis(2002, language="zh", chars=2500) + "\n\n" + _reference_text(COPIED_FROM)[:1800]
    copied = _submit_proposal(student2, "Ultrasound segmentation: proposal", planted)
    report = copied.report
    if not Case.objects.filter(source_report=report).exists():
        case = cases.case_open(
            subject_kind="student",
            kind="plagiarism",
            source=CaseSource.ORIGINALITY,
            source_report=report,
            evidence=f"Originality report: {report.similarity} % similarity; one long passage from a 2018 thesis.",
            by=office,
        )
        cases.case_assign(case=case, investigators=[inspector], by=office)
        cases.case_advance(case=case, step=CaseStep.INVESTIGATING, by=inspector, note="Compared with the source.")
        cases.case_advance(
            case=case,
            step=CaseStep.HEARING,
            by=inspector,
            statement_due=timezone.localdate() + datetime.timedelta(days=10),
            note="The passage matches word for word; the student is invited to answer.",
        )
    supervisor = User.objects.get(username="sup-enterprise")
    if not Case.objects.filter(subject_user=supervisor).exists():
        case = cases.case_open(
            subject_kind="person",
            kind="authority",
            source=CaseSource.INSPECTION,
            source_reference="Spot inspection of the enterprise: hours signed for a student on leave",
            evidence="Practice hours signed off for three days the student was on leave.",
            person=supervisor,
            by=office,
        )
        cases.case_assign(case=case, investigators=[inspector], by=office)
        cases.case_advance(case=case, step=CaseStep.INVESTIGATING, by=inspector)
        cases.case_advance(case=case, step=CaseStep.HEARING, by=inspector, statement_due=timezone.localdate())
        cases.case_statement(case=case, text="I signed a batch without checking the dates.", by=supervisor)
        cases.case_decide(
            case=case,
            decision=CaseDecision.REMEDY,
            remedy="retraining",
            reasons="Careless sign-off, corrected at once; the supervisor retakes the sign-off training.",
            by=office,
        )
