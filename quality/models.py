"""A programme's quality report: figures frozen by a build, rendered pages and PDFs, and its publication.

A report is one version for a programme, optionally a cohort, and a calendar year. The build (the Celery
task ``quality.build_report``) computes every section's figures (``quality.indicators``) into
``figures``, then renders the page and the PDF in each offered language (``QualityReportFile``, each PDF
with its SHA-256). Nothing of a built report is changed afterwards: a new build is a new version, with new
files, so a downloaded PDF can always be checked against its hash. Publishing freezes the public version
(``public_figures``: no person, no small cell) and its files beside the full ones, and records who and when.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import Cohort, Programme


class QualityReportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be built")
    BUILDING = "building", _("Being built")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Build failed")


class QualityReportVariant(models.TextChoices):
    FULL = "full", _("Full report")
    PUBLIC = "public", _("Public version")


#: A build waiting (its message lost) or building (its worker killed) longer than this is stuck: the sweep
#: queues it again, and the office may retry it.
STUCK_AFTER = datetime.timedelta(minutes=10)


def stuck_q(now: datetime.datetime | None = None) -> Q:
    """The reports stuck at ``now`` (see ``STUCK_AFTER``), as a filter."""
    before = (now or timezone.now()) - STUCK_AFTER
    return Q(status=QualityReportStatus.PENDING, queued_at__lt=before) | Q(
        status=QualityReportStatus.BUILDING, claimed_at__lt=before
    )


class QualityReport(models.Model):
    """One built version of a programme's (or a cohort's) yearly quality report."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="quality_reports", verbose_name=_("programme")
    )
    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.PROTECT,
        related_name="quality_reports",
        null=True,
        blank=True,
        verbose_name=_("cohort"),
        help_text=_("Leave empty for every cohort of the programme."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=QualityReportStatus.choices, default=QualityReportStatus.PENDING
    )
    #: The frozen figures (``quality.indicators.figures_json``): sections, and the previous year's values.
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    #: The figures as published (``quality.public``), frozen at publication; null until published.
    public_figures = models.JSONField(_("public figures"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    #: When the build was last handed to the worker (requested, retried, or queued again by the sweep).
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    #: When a worker claimed the build (BUILDING); a claim older than the time limit is abandoned.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("quality report")
        verbose_name_plural = _("quality reports")
        ordering = ["-year", "programme", "cohort", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year", "version"],
                condition=Q(cohort__isnull=True),
                name="quality_report_programme_version",
            ),
            models.UniqueConstraint(
                fields=["programme", "cohort", "year", "version"],
                condition=Q(cohort__isnull=False),
                name="quality_report_cohort_version",
            ),
            models.CheckConstraint(condition=Q(status__in=QualityReportStatus.values), name="quality_report_status"),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status=QualityReportStatus.READY),
                name="quality_report_published_is_ready",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(public_figures__isnull=False),
                name="quality_report_published_has_figures",
            ),
        ]
        indexes = [
            # The sweep's "due" rows: only the few waiting or building ones are in the index.
            models.Index(
                fields=["status", "queued_at", "claimed_at"],
                name="quality_report_open_idx",
                condition=Q(status__in=["pending", "building"]),
            ),
            models.Index(fields=["programme", "year", "version"], name="quality_report_programme_idx"),
        ]

    def __str__(self) -> str:
        cohort = f" {self.cohort}" if self.cohort_id else ""
        return f"{self.programme}{cohort} {self.year} v{self.version}"

    def is_stuck(self, now: datetime.datetime | None = None) -> bool:
        """Waiting or building for longer than ``STUCK_AFTER`` (see ``stuck_q``)."""
        before = (now or timezone.now()) - STUCK_AFTER
        if self.status == QualityReportStatus.PENDING:
            return self.queued_at < before
        return self.status == QualityReportStatus.BUILDING and self.claimed_at is not None and self.claimed_at < before

    @property
    def stuck(self) -> bool:
        """``is_stuck()`` now, for templates (a "Retry" button shows for a stuck build too)."""
        return self.is_stuck()

    @property
    def published(self) -> bool:
        return self.published_at is not None


class QualityReportFile(models.Model):
    """One rendering of a report: its page (HTML) and PDF with the SHA-256, in one variant and language."""

    report = models.ForeignKey(QualityReport, on_delete=models.PROTECT, related_name="files")
    variant = models.CharField(_("variant"), max_length=8, choices=QualityReportVariant.choices)
    language = models.CharField(_("language"), max_length=10)
    html = models.TextField(_("page"))
    pdf = models.FileField(_("PDF"), upload_to="quality/reports/%Y/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rendered_at = models.DateTimeField(_("rendered at"), default=timezone.now)

    class Meta:
        verbose_name = _("quality report file")
        verbose_name_plural = _("quality report files")
        ordering = ["report", "variant", "language"]
        constraints = [
            models.UniqueConstraint(fields=["report", "variant", "language"], name="quality_report_file_once"),
            models.CheckConstraint(
                condition=Q(variant__in=QualityReportVariant.values), name="quality_report_file_variant"
            ),
            models.CheckConstraint(condition=~Q(sha256="") & ~Q(pdf=""), name="quality_report_file_has_pdf"),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.variant} {self.language}"
