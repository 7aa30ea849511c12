"""Students and their training plans: placements across partners, milestones, and plan versions.

The plan is the heart of Tandem: one student's route through the university, hospitals, enterprises and
institutes. Its content (placements, milestones, goals) lives in ordinary rows; every change to it
also writes a ``PlanVersion`` snapshot, so any two versions can be compared and an approved plan is
never lost when an amendment starts.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import EvidenceQuerySet
from partners.models import Partner, Site
from programmes.models import ActivityCategory, Cohort, MilestoneKind, Objective, Programme, RequirementsVersion


class StudentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    GRADUATED = "graduated", _("Graduated")


class CareerIntention(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    ENTERPRISE = "enterprise", _("Enterprise")
    RESEARCH = "research", _("Research")
    ENTREPRENEURSHIP = "entrepreneurship", _("Entrepreneurship")
    UNDECIDED = "undecided", _("Undecided")


class Student(models.Model):
    """A postgraduate: the student role is having this record."""

    access_student_path = ""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="student", verbose_name=_("user")
    )
    student_number = models.CharField(_("student number"), max_length=32, unique=True)
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="students", verbose_name=_("programme")
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="students", verbose_name=_("cohort"))
    status = models.CharField(
        _("status"), max_length=16, choices=StudentStatus.choices, default=StudentStatus.ENROLLED, db_index=True
    )
    enrolled_on = models.DateField(_("enrolled on"))
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="tutees",
        null=True,
        blank=True,
        verbose_name=_("academic tutor"),
    )
    practice_supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="practice_supervisees",
        null=True,
        blank=True,
        verbose_name=_("practice co-supervisor"),
    )
    research_direction = models.CharField(_("research direction"), max_length=200, blank=True)
    career_intention = models.CharField(
        _("career intention"), max_length=20, choices=CareerIntention.choices, default=CareerIntention.UNDECIDED
    )
    development_goals = models.TextField(_("personal development goals"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["student_number"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=StudentStatus.values), name="student_status_valid"),
            models.CheckConstraint(condition=~Q(student_number=""), name="student_number_not_blank"),
        ]
        indexes = [
            models.Index(fields=["programme", "cohort", "status"], name="student_programme_idx"),
            models.Index(fields=["tutor"], name="student_tutor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student_number} {self.user.display_name}"

    @property
    def programme_end(self) -> datetime.date:
        """The last day of the programme for this student: enrolment plus the programme's duration."""
        return add_months(self.enrolled_on, self.programme.duration_months) - datetime.timedelta(days=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by whole months, clamped to the end of shorter months (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    TUTOR_APPROVED = "tutor_approved", _("Approved by the tutor")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


EDITABLE_PLAN_STATUSES = (PlanStatus.DRAFT, PlanStatus.RETURNED)


class TrainingPlan(models.Model):
    """A student's personal training plan. Its content is edited only while it is a draft or returned."""

    access_student_path = "student"

    student = models.OneToOneField(Student, on_delete=models.PROTECT, related_name="plan")
    status = models.CharField(_("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    approved_version = models.PositiveIntegerField(_("approved version"), null=True, blank=True)
    is_amendment = models.BooleanField(_("amendment"), default=False)
    requirements_version = models.ForeignKey(
        RequirementsVersion,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("requirements version"),
        help_text=_("The programme's requirements this plan was approved under; it keeps them."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name="plan_status_valid"),
        ]
        indexes = [models.Index(fields=["status"], name="plan_status_idx")]

    def __str__(self) -> str:
        return f"{self.student} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_PLAN_STATUSES


class PlanVersion(models.Model):
    """A snapshot of a plan after one change: who changed what, when. Never edited."""

    access_student_path = "plan__student"

    plan = models.ForeignKey(TrainingPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("content"))
    summary = models.CharField(_("change"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")]

    def __str__(self) -> str:
        return f"v{self.number}"


class PlanAction(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    TUTOR_APPROVED = "tutor_approved", _("Approved by the tutor")
    APPROVED = "approved", _("Approved by the office")
    RETURNED = "returned", _("Returned")
    AMENDMENT_STARTED = "amendment_started", _("Amendment started")


class PlanEvent(models.Model):
    """One step of a plan's approval workflow, with its author and, for a return, the reason."""

    access_student_path = "plan__student"

    plan = models.ForeignKey(TrainingPlan, on_delete=models.PROTECT, related_name="events")
    version = models.PositiveIntegerField(_("version"))
    action = models.CharField(_("action"), max_length=20, choices=PlanAction.choices)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan event")
        verbose_name_plural = _("plan events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["plan", "-at"], name="plan_event_idx")]

    def __str__(self) -> str:
        return f"{self.plan} {self.action}"


class PlacementStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Placement(models.Model):
    """A period a student trains at a partner's site under a supervisor there."""

    access_partner_path = "partner"

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="placements")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="placements")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="placements")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervised_placements"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    objectives = models.ManyToManyField(Objective, blank=True, related_name="placements")
    status = models.CharField(
        _("status"), max_length=16, choices=PlacementStatus.choices, default=PlacementStatus.PLANNED
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["student", "start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="placement_dates_ordered"),
        ]
        indexes = [
            models.Index(fields=["partner", "start_date"], name="placement_partner_idx"),
            models.Index(fields=["supervisor", "start_date"], name="placement_supervisor_idx"),
            models.Index(fields=["student", "start_date"], name="placement_student_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student.student_number} @ {self.partner.short_name} {self.start_date} to {self.end_date}"

    def current_status(self, today: datetime.date | None = None) -> str:
        """The placement's status on a day (today by default), the one every page, PDF and API answer
        shows: ``placement_status_on`` decides it."""
        return placement_status_on(
            stored=self.status, start_date=self.start_date, end_date=self.end_date, day=today or timezone.localdate()
        )

    @property
    def current_status_label(self) -> str:
        return str(PlacementStatus(self.current_status()).label)


def placement_status_on(*, stored: str, start_date: datetime.date, end_date: datetime.date, day: datetime.date) -> str:
    """The one place a placement's status is worked out (docs/decisions/0013).

    The stored ``status`` says only whether the placement was cancelled (it stays "planned" otherwise);
    the rest follows from the dates: planned before the start, active while it runs, completed after
    the end. ``placement_status_q`` is the same rule in SQL, for filters.
    """
    if stored == PlacementStatus.CANCELLED:
        return PlacementStatus.CANCELLED
    if day < start_date:
        return PlacementStatus.PLANNED
    return PlacementStatus.ACTIVE if day <= end_date else PlacementStatus.COMPLETED


def placement_status_q(status: str, day: datetime.date, prefix: str = "") -> Q:
    """The placements whose status on ``day`` is ``status`` (``placement_status_on`` as a filter)."""
    cancelled = Q(**{f"{prefix}status": PlacementStatus.CANCELLED})
    if status == PlacementStatus.CANCELLED:
        return cancelled
    if status == PlacementStatus.PLANNED:
        return ~cancelled & Q(**{f"{prefix}start_date__gt": day})
    if status == PlacementStatus.ACTIVE:
        return ~cancelled & Q(**{f"{prefix}start_date__lte": day, f"{prefix}end_date__gte": day})
    if status == PlacementStatus.COMPLETED:
        return ~cancelled & Q(**{f"{prefix}end_date__lt": day})
    raise ValueError(status)


class PlacementOverrideKind(models.TextChoices):
    PROBATION = "probation", _("Partner on probation: placement confirmed")
    CAPACITY = "capacity", _("Site capacity exceeded: placement allowed")


class PlacementOverride(models.Model):
    """The office's explicit decision to let a placement through a partner rule: a partner on probation
    (confirmed with a reason), or a site already full over the placement's dates (allowed with a reason).

    Rows are only ever added, by ``placement_create`` / ``placement_update``.
    """

    access_partner_path = "placement__partner"

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="overrides")
    kind = models.CharField(_("rule"), max_length=16, choices=PlacementOverrideKind.choices)
    reason = models.TextField(_("reason"))
    detail = models.CharField(_("situation"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("placement override")
        verbose_name_plural = _("placement overrides")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="placement_override_reason_required"),
            models.CheckConstraint(
                condition=Q(kind__in=["probation", "capacity"]), name="placement_override_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.placement} {self.kind}"


class PlacementHours(models.Model):
    """Hours a placement requires in one activity category."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="required_hours")
    category = models.ForeignKey(ActivityCategory, on_delete=models.PROTECT, related_name="+")
    hours = models.PositiveIntegerField(_("hours"))

    class Meta:
        verbose_name = _("required hours")
        verbose_name_plural = _("required hours")
        constraints = [
            models.UniqueConstraint(fields=["placement", "category"], name="placement_hours_unique"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="placement_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.hours}"


class MilestoneStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    WAIVED = "waived", _("Waived")


class Milestone(models.Model):
    """A milestone on a student's way (proposal, mid-term review, thesis, defence). Late is derived:
    pending past its due date."""

    access_student_path = "student"

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="milestones")
    kind = models.CharField(_("milestone"), max_length=16, choices=MilestoneKind.choices)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=16, choices=MilestoneStatus.choices, default=MilestoneStatus.PENDING
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    waived_reason = models.TextField(_("reason for waiving"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to="milestones/%Y/", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["student", "due_date"]
        constraints = [
            models.UniqueConstraint(fields=["student", "kind"], name="milestone_unique_per_student"),
            models.CheckConstraint(
                condition=~Q(status=MilestoneStatus.WAIVED) | ~Q(waived_reason=""), name="milestone_waiver_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status=MilestoneStatus.DONE) | Q(completed_on__isnull=False),
                name="milestone_done_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="milestone_due_idx"),
            # A student's late milestones, read per row of the student lists (how many, the first due date,
            # whether any): one short index range per student instead of a hashed scan of every late
            # milestone of the programme (issue #19).
            models.Index(
                fields=["student", "due_date"],
                condition=Q(status=MilestoneStatus.PENDING),
                name="milestone_pending_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_date}"

    def is_late(self, today: datetime.date | None = None) -> bool:
        return self.status == MilestoneStatus.PENDING and self.due_date < (today or timezone.localdate())

    @property
    def display_status(self) -> str:
        """Pending, done, waived, or late (pending past the due date)."""
        return "late" if self.is_late() else self.status


class DestinationKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    ENTERPRISE = "enterprise", _("Enterprise")
    RESEARCH = "research", _("Research")
    FURTHER_STUDY = "further_study", _("Further study")
    OWN_VENTURE = "own_venture", _("Own venture")
    OTHER = "other", _("Other")


#: The destination that fulfils each career intention (an undecided intention has none).
INTENTION_FULFILLED_BY: dict[str, str] = {
    CareerIntention.HOSPITAL: DestinationKind.HOSPITAL,
    CareerIntention.ENTERPRISE: DestinationKind.ENTERPRISE,
    CareerIntention.RESEARCH: DestinationKind.RESEARCH,
    CareerIntention.ENTREPRENEURSHIP: DestinationKind.OWN_VENTURE,
}


class StudentDestination(models.Model):
    """Where a graduate went after the training, recorded by the office at graduation, beside the career
    intention the plan held then (kept here, since the plan may change no more but the record must not
    depend on it). Corrections keep their history."""

    access_student_path = "student"

    student = models.OneToOneField(Student, on_delete=models.PROTECT, related_name="destination")
    kind = models.CharField(_("destination"), max_length=16, choices=DestinationKind.choices)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    employer_partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("employer among the partners"),
    )
    career_intention = models.CharField(_("career intention"), max_length=20, choices=CareerIntention.choices)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("destination")
        verbose_name_plural = _("destinations")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["hospital", "enterprise", "research", "further_study", "own_venture", "other"]),
                name="destination_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student.student_number}: {self.kind}"

    @property
    def fulfils_intention(self) -> bool:
        return INTENTION_FULFILLED_BY.get(self.career_intention) == self.kind
