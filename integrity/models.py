"""Academic integrity: submissions, originality checks and the violations register.

- A student's ``Submission`` (PDF or DOCX) is one version of one *work* (a milestone's document, or a paper
  or project report by its title); its text goes into the corpus (``CorpusText``) and its fingerprints into
  the inverted index (``Fingerprint``), beside the reference corpus the office loads.
- Its ``OriginalityReport`` is the check: queued, run by a Celery task, then frozen (result, page data and
  a PDF with its SHA-256). Its outcome follows the programme's ``ThresholdPolicy``; a tutor's or the
  office's written decision is a ``ReportDecision`` row, never an edit.
- A ``Case`` of the violations register moves through steps, each a ``CaseEvent`` row with who and when;
  the case's own columns only say where it stands now. A case opened from a review concern names it
  (``source_concern``): integrity stands above reviews, so the link points down.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import EvidenceQuerySet
from partners.models import Partner
from programmes.models import Programme
from students.models import Milestone, Student

DEFAULT_REVIEW_FROM = Decimal("15")
DEFAULT_REFER_ABOVE = Decimal("30")


class ThresholdPolicy(models.Model):
    """A programme's similarity thresholds: below ``review_from`` passes, from it up to ``refer_above``
    needs the tutor's written decision, above ``refer_above`` goes to the office."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="integrity_thresholds", verbose_name=_("programme")
    )
    review_from = models.DecimalField(
        _("tutor review from (%)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_REVIEW_FROM,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    refer_above = models.DecimalField(
        _("referred to the office above (%)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_REFER_ABOVE,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("similarity thresholds")
        verbose_name_plural = _("similarity thresholds")
        constraints = [
            models.CheckConstraint(
                condition=Q(review_from__gte=0) & Q(review_from__lte=models.F("refer_above")) & Q(refer_above__lte=100),
                name="integrity_thresholds_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.review_from}% / {self.refer_above}%"


class CorpusKind(models.TextChoices):
    SUBMISSION = "submission", _("Submission")
    REFERENCE = "reference", _("Reference corpus")


class CorpusText(models.Model):
    """One text of the corpus every check compares with: a submission's text, or a reference document
    (an earlier thesis) the office loaded. ``work_key`` names the work: a student's own earlier versions of
    the same work are never compared with it. ``text`` is the extracted text as stored; the engine
    normalises it again when it aligns."""

    access_partner_path = ""

    kind = models.CharField(_("kind"), max_length=12, choices=CorpusKind.choices)
    title = models.CharField(_("title"), max_length=300)
    author = models.CharField(_("author"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    work_key = models.CharField(_("work"), max_length=200, db_index=True)
    text = models.TextField(_("text"))
    chars = models.PositiveIntegerField(_("characters"), default=0)
    fingerprints = models.PositiveIntegerField(_("fingerprints"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("corpus text")
        verbose_name_plural = _("corpus texts")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=CorpusKind.values), name="corpus_kind_valid")]
        indexes = [models.Index(fields=["kind", "-created_at"], name="corpus_kind_idx")]

    def __str__(self) -> str:
        return self.title


class Fingerprint(models.Model):
    """One winnowed fingerprint of a corpus text: the inverted index (hash → texts) that finds candidate
    sources without comparing with every document. The (hash, text) index answers lookups from the index
    alone on PostgreSQL."""

    text = models.ForeignKey(CorpusText, on_delete=models.CASCADE, related_name="+")
    hash = models.BigIntegerField(_("hash"))

    class Meta:
        verbose_name = _("fingerprint")
        verbose_name_plural = _("fingerprints")
        indexes = [models.Index(fields=["hash", "text"], name="fingerprint_hash_idx")]

    def __str__(self) -> str:
        return f"{self.hash}@{self.text_id}"


class SubmissionKind(models.TextChoices):
    PROPOSAL = "proposal", _("Thesis proposal")
    MIDTERM = "midterm", _("Mid-term report")
    THESIS = "thesis", _("Thesis")
    PAPER = "paper", _("Paper")
    PROJECT_REPORT = "project_report", _("Project report")


#: The milestone a submission of each kind belongs to (papers and project reports have none).
MILESTONE_OF_KIND = {"proposal": "proposal", "midterm": "midterm", "thesis": "thesis"}


class FileFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX"


class Submission(models.Model):
    """One version of a student's document for a milestone (or a paper, a project report). Never edited:
    a new version is a new row; every version is kept."""

    access_student_path = "student"

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="submissions")
    kind = models.CharField(_("kind"), max_length=16, choices=SubmissionKind.choices)
    milestone = models.ForeignKey(
        Milestone, on_delete=models.PROTECT, related_name="submissions", null=True, blank=True
    )
    title = models.CharField(_("title"), max_length=300)
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to="integrity/submissions/%Y/")
    file_format = models.CharField(_("format"), max_length=4, choices=FileFormat.choices)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    corpus_text = models.OneToOneField(CorpusText, on_delete=models.PROTECT, related_name="submission")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["corpus_text"], name="submission_text_unique"),
            models.CheckConstraint(condition=Q(kind__in=SubmissionKind.values), name="submission_kind_valid"),
            models.CheckConstraint(condition=Q(version__gte=1), name="submission_version_positive"),
        ]
        indexes = [
            models.Index(fields=["student", "kind", "-version"], name="submission_student_idx"),
            models.Index(fields=["milestone"], name="submission_milestone_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class CheckStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Outcome(models.TextChoices):
    PASSED = "passed", _("Passed")
    REVIEW = "review", _("Awaiting the tutor's review")
    REFERRED = "referred", _("Referred to the office")
    CLEARED = "cleared", _("Cleared after review")
    RESUBMIT = "resubmit", _("Resubmission required")


#: Outcomes that hold a milestone back (with a check not yet done).
BLOCKING_OUTCOMES = (Outcome.REVIEW, Outcome.REFERRED, Outcome.RESUBMIT)


class OriginalityReport(models.Model):
    """The originality check of one submission and its frozen report.

    Queued when the submission is made; the task claims it (QUEUED, or RUNNING under a stale claim, to
    RUNNING) before the slow part, so a redelivered message checks nothing twice. Once DONE its result (the
    similarity, the sources, the passages) and its PDF (with SHA-256) never change; decisions about it are
    ``ReportDecision`` rows, and ``outcome`` says where it stands."""

    access_student_path = "submission__student"

    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="report")
    status = models.CharField(_("status"), max_length=8, choices=CheckStatus.choices, default=CheckStatus.QUEUED)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, blank=True)
    similarity = models.DecimalField(_("similarity (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    review_from = models.DecimalField(_("tutor review from (%)"), max_digits=5, decimal_places=2)
    refer_above = models.DecimalField(_("referred above (%)"), max_digits=5, decimal_places=2)
    #: the frozen result: counts, sources and passages (see ``integrity.services.checks``)
    result = models.JSONField(_("result"), default=dict, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="integrity/reports/%Y/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)

    class Meta:
        verbose_name = _("originality report")
        verbose_name_plural = _("originality reports")
        ordering = ["-queued_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CheckStatus.values), name="originality_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=CheckStatus.DONE) | (Q(similarity__isnull=False) & ~Q(outcome="")),
                name="originality_done_has_result",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "queued_at"],
                name="originality_open_idx",
                condition=Q(status__in=["queued", "running"]),
            ),
            models.Index(fields=["outcome"], name="originality_outcome_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.submission} {self.get_status_display()}"

    @property
    def blocks_milestone(self) -> bool:
        """Whether this check holds the submission's milestone back (pending, failed, or not cleared)."""
        return self.status != CheckStatus.DONE or self.outcome in BLOCKING_OUTCOMES


class DecisionOutcome(models.TextChoices):
    CLEARED = "cleared", _("Clear: the matches are acceptable")
    RESUBMIT = "resubmit", _("Resubmission required")
    REFERRED = "referred", _("Refer to the office")


class ReportDecision(models.Model):
    """A written decision on a report: the tutor's on one that needs review, the office's on one referred."""

    access_student_path = "report__submission__student"

    report = models.ForeignKey(OriginalityReport, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(_("decision"), max_length=8, choices=DecisionOutcome.choices)
    reason = models.TextField(_("written decision"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("report decision")
        verbose_name_plural = _("report decisions")
        ordering = ["report", "at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="report_decision_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.outcome}"


# --- The violations register -------------------------------------------------------------------------


class SubjectKind(models.TextChoices):
    STUDENT = "student", _("Student")
    PERSON = "person", _("Supervisor or teacher")
    PARTNER = "partner", _("Partner")


class CaseKind(models.TextChoices):
    PLAGIARISM = "plagiarism", _("Plagiarism")
    FABRICATION = "fabrication", _("Fabrication")
    FUNDS = "funds", _("Misuse of funds")
    AUTHORITY = "authority", _("Acting beyond authority")
    BREACH = "breach", _("Breach of rules or agreement")
    UNQUALIFIED = "unqualified", _("Unqualified result")


class CaseSource(models.TextChoices):
    ORIGINALITY = "originality", _("Originality report")
    INSPECTION = "inspection", _("Inspection finding")
    FUND_FLAG = "fund_flag", _("Fund flag")
    REVIEW = "review", _("Review concern")
    PERSON = "person", _("Report by a person")


class CaseStatus(models.TextChoices):
    OPENED = "opened", _("Opened")
    INVESTIGATING = "investigating", _("Investigating")
    HEARING = "hearing", _("Hearing")
    DECIDED = "decided", _("Decided")
    APPEALED = "appealed", _("Appealed")
    CLOSED = "closed", _("Closed")


class CaseDecision(models.TextChoices):
    DISMISSED = "dismissed", _("Dismissed")
    WARNING = "warning", _("Warning")
    REMEDY = "remedy", _("Remedy")
    SANCTION = "sanction", _("Sanction")


class Remedy(models.TextChoices):
    RESUBMISSION = "resubmission", _("Resubmission")
    RETRAINING = "retraining", _("Retraining")
    REPAYMENT = "repayment", _("Repayment")


class Sanction(models.TextChoices):
    SUSPEND_SUPERVISION = "suspend_supervision", _("Suspension of eligibility to supervise")
    DELAY_DEFENCE = "delay_defence", _("Delay of the defence")


class Case(models.Model):
    """A case of the violations register. Its columns say where it stands (status, the decision in force);
    how it got there is its ``CaseEvent`` rows, one per step, never edited.

    ``subject_partner`` is the partner the case is about: the partner itself, or the partner a supervisor
    or teacher belonged to when the case was opened (its coordinator learns the case exists and its
    outcome), or none for a student."""

    access_partner_path = "subject_partner"

    number = models.CharField(_("number"), max_length=20, unique=True)
    subject_kind = models.CharField(_("subject"), max_length=8, choices=SubjectKind.choices)
    subject_student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="integrity_cases", null=True, blank=True
    )
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="integrity_cases", null=True, blank=True
    )
    subject_partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="integrity_cases", null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=12, choices=CaseKind.choices)
    source = models.CharField(_("source"), max_length=12, choices=CaseSource.choices)
    source_report = models.ForeignKey(
        OriginalityReport, on_delete=models.PROTECT, related_name="cases", null=True, blank=True
    )
    source_reference = models.CharField(_("source reference"), max_length=300, blank=True)
    #: the review concern the office opened the case from (``reviews.hooks.CONCERN_OUTCOMES``); one case each
    source_concern = models.ForeignKey(
        "reviews.Concern",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("review concern"),
    )
    evidence = models.TextField(_("evidence"))
    status = models.CharField(_("status"), max_length=14, choices=CaseStatus.choices, default=CaseStatus.OPENED)
    statement_due = models.DateField(_("statement due"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=CaseDecision.choices, blank=True)
    remedy = models.CharField(_("remedy"), max_length=14, choices=Remedy.choices, blank=True)
    sanction = models.CharField(_("sanction"), max_length=20, choices=Sanction.choices, blank=True)
    sanction_until = models.DateField(_("sanction until"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(subject_kind="student") & Q(subject_student__isnull=False))
                | (Q(subject_kind="person") & Q(subject_user__isnull=False))
                | (Q(subject_kind="partner") & Q(subject_partner__isnull=False)),
                name="case_subject_named",
            ),
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="case_status_valid"),
            models.CheckConstraint(condition=~Q(decision="remedy") | ~Q(remedy=""), name="case_remedy_named"),
            models.CheckConstraint(condition=~Q(decision="sanction") | ~Q(sanction=""), name="case_sanction_named"),
            models.UniqueConstraint(
                fields=["source_concern"], condition=Q(source_concern__isnull=False), name="case_concern_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-opened_at"], name="case_status_idx"),
            models.Index(fields=["subject_partner", "decision"], name="case_partner_idx"),
            models.Index(fields=["subject_user", "sanction"], name="case_user_sanction_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def upheld(self) -> bool:
        """Decided against the subject (anything but dismissed)."""
        return bool(self.decision) and self.decision != CaseDecision.DISMISSED

    def sanction_in_force(self, today: datetime.date | None = None) -> bool:
        day = today or timezone.localdate()
        return bool(self.sanction) and (self.sanction_until is None or self.sanction_until >= day)


class CaseInvestigator(models.Model):
    """An investigator assigned to a case (no conflict of interest with its subject)."""

    access_partner_path = "case__subject_partner"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="investigators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="integrity_assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)

    class Meta:
        verbose_name = _("investigator")
        verbose_name_plural = _("investigators")
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_investigator_unique")]

    def __str__(self) -> str:
        return f"{self.case} {self.user}"


class CaseStep(models.TextChoices):
    OPENED = "opened", _("Opened")
    ASSIGNED = "assigned", _("Investigators assigned")
    INVESTIGATING = "investigating", _("Investigation started")
    HEARING = "hearing", _("Hearing opened")
    STATEMENT = "statement", _("Statement by the subject")
    DECIDED = "decided", _("Decided")
    APPEALED = "appealed", _("Appealed")
    REDECIDED = "redecided", _("Decided on appeal")
    CLOSED = "closed", _("Closed")


class CaseEvent(models.Model):
    """One step of a case, with who and when: its note (a statement's text, a decision's reasons) and, for
    decisions, what was decided. Rows are only ever added."""

    access_partner_path = "case__subject_partner"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    step = models.CharField(_("step"), max_length=14, choices=CaseStep.choices)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["case", "at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_idx")]

    def __str__(self) -> str:
        return f"{self.case} {self.step}"
