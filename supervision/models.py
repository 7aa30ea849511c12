"""External supervision: inspections of partners, their checklists, findings and corrective actions.

Who sees an inspection is decided in ``supervision.access`` (a planned spot inspection is invisible to the
target partner's people). Every write goes through ``supervision.services``. Checklist results, findings
and corrective actions are evidence: they keep their history and refuse bulk writes.

Scoped models name their path to the target partner in ``access_partner_path``; the inspection rules in
``supervision.access`` derive the path to the inspection from it (everything before ``target_partner``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import EvidenceQuerySet
from partners.models import Partner, Site
from practice.models import PracticeLog
from students.models import Placement


class TargetKind(models.TextChoices):
    PARTNER = "partner", _("Partner")
    SITE = "site", _("Site")
    PLACEMENT = "placement", _("Placement")


class Aspect(models.TextChoices):
    """The three aspects of the paper's quality assessment."""

    FEASIBILITY = "feasibility", _("Feasibility")
    QUALITY = "quality", _("Quality")
    RESULTS = "results", _("Results")


class ChecklistTemplate(models.Model):
    """A checklist for one kind of target; an inspection copies nothing, it points at the template."""

    name = models.CharField(_("name"), max_length=200)
    target_kind = models.CharField(_("target kind"), max_length=16, choices=TargetKind.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["target_kind", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(target_kind__in=TargetKind.values), name="checklist_target_kind_valid"),
            models.CheckConstraint(condition=~Q(name=""), name="checklist_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    """One question of a checklist, under one of the three aspects."""

    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("template")
    )
    aspect = models.CharField(_("aspect"), max_length=16, choices=Aspect.choices)
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("text"))
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "aspect", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="checklist_item_code_unique"),
            models.CheckConstraint(condition=Q(aspect__in=Aspect.values), name="checklist_item_aspect_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"


class InspectionKind(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SPOT = "spot", _("Spot (unannounced)")


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")
    PUBLISHED = "published", _("Published")


#: Statuses in which the target partner's people may know of the inspection.
STARTED_STATUSES = (InspectionStatus.IN_PROGRESS, InspectionStatus.CLOSED, InspectionStatus.PUBLISHED)


class Inspection(models.Model):
    """An inspection of a partner, or of one of its sites or placements.

    ``target_partner`` is always set (the access rules hang on it); ``target_site`` or
    ``target_placement`` narrows the target, and the target kind follows from which is set.
    """

    access_partner_path = "target_partner"

    kind = models.CharField(_("kind"), max_length=16, choices=InspectionKind.choices)
    target_partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("partner inspected")
    )
    target_site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="inspections", null=True, blank=True, verbose_name=_("site")
    )
    target_placement = models.ForeignKey(
        Placement,
        on_delete=models.PROTECT,
        related_name="inspections",
        null=True,
        blank=True,
        verbose_name=_("placement"),
    )
    scope = models.TextField(_("scope"), blank=True)
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("checklist")
    )
    planned_date = models.DateField(_("planned date"))
    status = models.CharField(
        _("status"), max_length=16, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("planned by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("published by"),
    )
    public_summary = models.TextField(
        _("public summary"), blank=True, help_text=_("Shown with the published results; no personal data.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-planned_date", "-pk"]
        indexes = [
            models.Index(fields=["target_partner", "status"], name="inspection_partner_status_idx"),
            models.Index(fields=["status", "planned_date"], name="inspection_status_date_idx"),
            # The list's order (-planned_date, -id): the top of a page read in order (issue #19).
            models.Index(fields=["planned_date", "id"], name="inspection_date_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=InspectionKind.values), name="inspection_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=InspectionStatus.values), name="inspection_status_valid"),
            models.CheckConstraint(
                condition=Q(target_site__isnull=True) | Q(target_placement__isnull=True),
                name="inspection_one_narrow_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target_partner.short_name} {self.planned_date}"

    @property
    def target_kind(self) -> str:
        if self.target_placement_id is not None:
            return TargetKind.PLACEMENT
        if self.target_site_id is not None:
            return TargetKind.SITE
        return TargetKind.PARTNER

    @property
    def is_started(self) -> bool:
        return self.status in STARTED_STATUSES

    @property
    def days_to_publication(self) -> int | None:
        """Whole days from closing to publication (the paper asks that results be published in good time)."""
        if self.closed_at is None or self.published_at is None:
            return None
        return (timezone.localdate(self.published_at) - timezone.localdate(self.closed_at)).days


class InspectionAssignment(models.Model):
    """An inspector assigned to an inspection (every inspection has at least one)."""

    access_partner_path = "inspection__target_partner"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="assignments")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="inspection_assignments",
        verbose_name=_("inspector"),
    )

    class Meta:
        verbose_name = _("inspection assignment")
        verbose_name_plural = _("inspection assignments")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "inspector"], name="inspection_assignment_unique"),
        ]
        indexes = [models.Index(fields=["inspector", "inspection"], name="inspection_assignment_idx")]

    def __str__(self) -> str:
        return f"{self.inspector} @ {self.inspection}"


class Rating(models.TextChoices):
    CONFORMING = "conforming", _("Conforming")
    MINOR_GAP = "minor_gap", _("Minor gap")
    MAJOR_GAP = "major_gap", _("Major gap")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class ChecklistResult(models.Model):
    """The rating of one checklist item in one inspection (evidence: history kept, no bulk writes)."""

    access_partner_path = "inspection__target_partner"

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="results", verbose_name=_("item"))
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices)
    note = models.TextField(_("note"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to="inspections/results/%Y/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist result")
        verbose_name_plural = _("checklist results")
        ordering = ["inspection", "item__aspect", "item__order"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="checklist_result_unique"),
            models.CheckConstraint(condition=Q(rating__in=Rating.values), name="checklist_result_rating_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.rating}"


class Severity(models.TextChoices):
    OBSERVATION = "observation", _("Observation")
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


#: Days a corrective action has by default, by its finding's severity (observations need none).
DUE_DAYS: dict[str, int] = {Severity.MINOR: 90, Severity.MAJOR: 30, Severity.CRITICAL: 7}


class Finding(models.Model):
    """Something an inspection found, with what it concerns (evidence: history kept, no bulk writes)."""

    access_partner_path = "inspection__target_partner"

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings")
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    description = models.TextField(_("description"))
    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name=_("placement")
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("supervisor"),
    )
    practice_logs = models.ManyToManyField(
        PracticeLog, blank=True, related_name="+", verbose_name=_("practice-hour entries")
    )
    evidence = models.FileField(_("evidence"), upload_to="inspections/findings/%Y/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["inspection", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="finding_severity_valid"),
            models.CheckConstraint(condition=~Q(description=""), name="finding_description_required"),
        ]

    def __str__(self) -> str:
        return f"{self.get_severity_display()}: {self.description[:60]}"


class InspectionLead(models.Model):
    """A point the office referred to an inspection-to-be from a student review's concern
    (``reviews.hooks.CONCERN_OUTCOMES`` "referred", ``supervision.services.leads``).

    ``summary`` is what the inspectors read: drafted from the concern's thread with whoever raised it called
    "the reviewer", and checked by the office, so it names no reviewer. ``finding`` is the finding the
    inspectors later recorded from it. Evidence: history kept, no bulk writes; only the office and the
    inspection's inspectors see it, never the partner's people."""

    access_partner_path = "inspection__target_partner"

    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="leads", verbose_name=_("inspection")
    )
    concern = models.OneToOneField(
        "reviews.Concern", on_delete=models.PROTECT, related_name="inspection_lead", verbose_name=_("concern")
    )
    summary = models.TextField(_("summary for the inspectors"))
    finding = models.OneToOneField(
        Finding,
        on_delete=models.PROTECT,
        related_name="lead",
        null=True,
        blank=True,
        verbose_name=_("finding recorded from it"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("referred at"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("point referred from a student review")
        verbose_name_plural = _("points referred from student reviews")
        ordering = ["inspection", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(summary=""), name="inspection_lead_summary_required"),
        ]

    def __str__(self) -> str:
        return self.summary[:60]


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("corrective action status", "Open")
    ANSWERED = "answered", _("Answered")
    VERIFIED = "verified", _("Verified")
    REOPENED = "reopened", _("Reopened")


#: Statuses in which the owner still has to act (and the action can be overdue).
AWAITING_ANSWER = (ActionStatus.OPEN, ActionStatus.REOPENED)


class CorrectiveActionQuerySet(EvidenceQuerySet):
    def overdue(self, today: datetime.date | None = None) -> CorrectiveActionQuerySet:
        """Actions still awaiting their owner's answer after their due date."""
        day = today or timezone.localdate()
        return self.filter(status__in=AWAITING_ANSWER, due_date__lt=day)  # type: ignore[no-any-return]


class CorrectiveAction(models.Model):
    """What the target partner must put right after a minor, major or critical finding."""

    access_partner_path = "finding__inspection__target_partner"

    finding = models.OneToOneField(Finding, on_delete=models.PROTECT, related_name="corrective_action")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="corrective_actions", verbose_name=_("owner")
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answer_evidence = models.FileField(_("evidence"), upload_to="inspections/actions/%Y/", blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    objects = CorrectiveActionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"], name="corrective_action_due_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="corrective_action_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.finding} ({self.get_status_display()}, {self.due_date})"

    def is_overdue_on(self, day: datetime.date | None = None) -> bool:
        return self.status in AWAITING_ANSWER and self.due_date < (day or timezone.localdate())

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_on()


# --- The spot-inspection draw ---------------------------------------------------------------------------


class SpotDraw(models.Model):
    """One run of the risk-weighted spot-inspection draw for one period (unique: a second run of the same
    period creates nothing). Seed, candidates with weights and picks are stored so that anyone can
    recompute the draw and check it."""

    period = models.CharField(_("period"), max_length=16, unique=True, help_text=_("For example 2026-W48."))
    seed = models.BigIntegerField(_("random seed"))
    picks_wanted = models.PositiveIntegerField(_("picks wanted"))
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)
    algorithm = models.CharField(_("algorithm"), max_length=40, default="weighted-without-replacement-v1")
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("spot-inspection draw")
        verbose_name_plural = _("spot-inspection draws")
        ordering = ["-drawn_at", "-pk"]

    def __str__(self) -> str:
        return self.period


class DrawCandidate(models.Model):
    """A partner that could be drawn, with its weight and the risk factors behind it."""

    draw = models.ForeignKey(SpotDraw, on_delete=models.CASCADE, related_name="candidates")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+", verbose_name=_("partner"))
    weight = models.DecimalField(_("weight"), max_digits=10, decimal_places=4)
    factors = models.JSONField(_("risk factors"), default=dict)
    position = models.PositiveIntegerField(_("position"), help_text=_("Order in which the draw considered it."))
    pick_order = models.PositiveIntegerField(_("pick order"), null=True, blank=True)
    inspection = models.OneToOneField(
        Inspection,
        on_delete=models.PROTECT,
        related_name="draw_candidate",
        null=True,
        blank=True,
        verbose_name=_("inspection"),
    )
    skipped_reason = models.CharField(_("why not inspected"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("draw candidate")
        verbose_name_plural = _("draw candidates")
        ordering = ["draw", "position"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "partner"], name="draw_candidate_unique"),
            models.UniqueConstraint(fields=["draw", "position"], name="draw_candidate_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.draw}: {self.partner} ({self.weight})"


# --- Reports ------------------------------------------------------------------------------------------


class ReportVariant(models.TextChoices):
    FULL = "full", _("Full report")
    PUBLIC = "public", _("Public (redacted) report")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be rendered")
    RENDERING = "rendering", _("Being rendered")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Rendering failed")


#: A report waiting (PENDING, since ``queued_at``) or rendering (RENDERING, since ``claimed_at``) longer than
#: this is stuck: its message was lost or its worker killed. The periodic sweep queues it again, and the
#: office may retry it at once. Longer than a render may run (the hard time limit, 300 s).
REPORT_STUCK_AFTER = datetime.timedelta(minutes=10)


def report_stuck_q(now: datetime.datetime | None = None) -> Q:
    """The reports stuck at ``now`` (see ``REPORT_STUCK_AFTER``), as a filter."""
    before = (now or timezone.now()) - REPORT_STUCK_AFTER
    return Q(status=ReportStatus.PENDING, queued_at__lt=before) | Q(
        status=ReportStatus.RENDERING, claimed_at__lt=before
    )


class InspectionReport(models.Model):
    """One frozen version of an inspection's report: the rendered page (HTML) and PDF with its SHA-256.

    A report is never re-rendered in place: a new version is a new row and a new file. The full report is
    made when an inspection closes; the public one, redacted, when the office publishes it. A worker claims
    the render (PENDING or FAILED to RENDERING, with ``claimed_at``) before the slow part, so a second
    delivery of the message renders nothing twice (``supervision.reports.report_render``).
    """

    access_partner_path = "inspection__target_partner"

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="reports")
    variant = models.CharField(_("variant"), max_length=8, choices=ReportVariant.choices)
    version = models.PositiveIntegerField(_("version"))
    language = models.CharField(_("language"), max_length=10, default="en")
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    html = models.TextField(_("page"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to="inspections/reports/%Y/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    #: When the render was last handed to the worker (requested, retried, or queued again by the sweep).
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    #: When a worker claimed the render (RENDERING); a claim older than the time limit is abandoned.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection report")
        verbose_name_plural = _("inspection reports")
        ordering = ["inspection", "variant", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "variant", "version"], name="inspection_report_version"),
            models.CheckConstraint(condition=Q(variant__in=ReportVariant.values), name="inspection_report_variant"),
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="inspection_report_status"),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.READY) | (~Q(sha256="") & ~Q(pdf="")),
                name="inspection_report_ready_has_pdf",
            ),
        ]
        indexes = [
            # The sweep's "due" rows: only the few waiting or rendering ones are in the index.
            models.Index(
                fields=["status", "queued_at", "claimed_at"],
                name="inspection_report_open_idx",
                condition=Q(status__in=["pending", "rendering"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspection} {self.variant} v{self.version}"

    def is_stuck(self, now: datetime.datetime | None = None) -> bool:
        """Waiting or rendering for longer than ``REPORT_STUCK_AFTER`` (see ``report_stuck_q``)."""
        before = (now or timezone.now()) - REPORT_STUCK_AFTER
        if self.status == ReportStatus.PENDING:
            return self.queued_at < before
        return self.status == ReportStatus.RENDERING and self.claimed_at is not None and self.claimed_at < before

    @property
    def stuck(self) -> bool:
        """``is_stuck()`` now, for templates."""
        return self.is_stuck()
