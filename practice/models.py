"""Practice-hour entries and the rules they are checked against.

An entry is evidence: once approved it is never edited or deleted. A correction is a new entry that
points at the one it corrects and is approved like any other; bulk ``update()``/``delete()`` are refused
(``EvidenceQuerySet``) so that every change goes through ``save()`` and into the history.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import EvidenceQuerySet, VersionedPerOwner
from partners.models import Partner
from programmes.models import ActivityCategory, Programme
from students.models import Placement, Student

DEFAULT_DAILY_MAX_HOURS = Decimal("12")
DEFAULT_ENTRY_WINDOW_DAYS = 14
DEFAULT_LOCK_DAY = 5


class _EntryHistory(HistoricalRecords):
    """The entries' history without the indexes simple-history adds on the time and the user of a change.

    The history is read by entry only (the admin's history page: ``id``, its own index, then the few rows
    of one entry in order), and written on every change, in bulk too: an index on ``history_date`` or
    ``history_user`` serves no query and costs each of a bulk import's history rows one more index
    insertion (ADR 0058). ``SIMPLE_HISTORY_DATE_INDEX`` would drop the time's index from every app's
    history, and supervision's and reviews' are read in time order (their selectors), so it is decided here."""

    @property
    def _date_indexing(self) -> bool:
        return False

    def _get_history_user_fields(self) -> dict[str, object]:
        fields: dict[str, object] = super()._get_history_user_fields()
        user = fields.get("history_user")
        if isinstance(user, models.ForeignKey):
            user.db_index = False  # type: ignore[attr-defined]  # set by Field.__init__; not in the stubs
        return fields


class RuleSet(models.Model):
    """A version of the practice rules: a programme's defaults, or a partner's tightening of them.

    Rules are never edited in place: a change adds a new row, so each entry can name the rule version it
    was checked under. A partner's row can only tighten (services take the stricter of the two values).
    """

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="practice_rules")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="practice_rules", null=True, blank=True)
    daily_max_hours = models.DecimalField(
        _("daily maximum (hours)"),
        max_digits=4,
        decimal_places=2,
        default=DEFAULT_DAILY_MAX_HOURS,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("24"))],
    )
    entry_window_days = models.PositiveSmallIntegerField(
        _("entry window (days back)"), default=DEFAULT_ENTRY_WINDOW_DAYS, validators=[MaxValueValidator(366)]
    )
    lock_day = models.PositiveSmallIntegerField(
        _("month closes after day"),
        default=DEFAULT_LOCK_DAY,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("After this day of the next month, a month's entries are closed."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("practice rules")
        verbose_name_plural = _("practice rules")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["programme", "partner", "-created_at"], name="ruleset_lookup_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(daily_max_hours__gt=0) & Q(daily_max_hours__lte=24), name="ruleset_daily_max_range"
            ),
            models.CheckConstraint(condition=Q(lock_day__gte=1) & Q(lock_day__lte=28), name="ruleset_lock_day_range"),
        ]

    def __str__(self) -> str:
        return f"R{self.pk}"


class MonthReopening(models.Model):
    """The office reopening a closed month for a programme until a date, with a reason."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="reopened_months")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    until = models.DateField(_("open until"))
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("reopened month")
        verbose_name_plural = _("reopened months")
        ordering = ["-at"]
        indexes = [models.Index(fields=["programme", "month", "until"], name="reopening_lookup_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="reopening_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} until {self.until}"


class EntryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("practice entry status", "Withdrawn")


class PracticeLog(VersionedPerOwner):
    """Hours a student spent on one activity on one day at a placement. Versioned per student for the kept
    pages (ADR 0069): its ``save()`` names the student it writes."""

    access_partner_path = "placement__partner"
    versioned_owner = "student"

    # The student's entries are read through the indexes that begin with the student (``log_student_date_id_idx``,
    # ``log_progress_idx``), so the key has no index of its own: each index costs every entry written one more
    # insertion (ADR 0058). The placement's keeps its own: a supervisor's branch of the entries' scope reads
    # (date, id) by placement through it (tests/access/test_scope_plans.py), where the wider
    # ``log_placement_status_idx`` was planned as a scan of the table.
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="practice_logs", db_index=False)
    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="practice_logs")
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=2,
        help_text=_("Negative only in a correction that takes hours back."),
    )
    start_time = models.TimeField(_("start"), null=True, blank=True)
    end_time = models.TimeField(_("end"), null=True, blank=True)
    category = models.ForeignKey(
        ActivityCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("activity")
    )
    cases = models.PositiveIntegerField(_("cases or procedures"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.PENDING)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_by_supervisor = models.BooleanField(_("entered by the supervisor"), default=False)
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_in_bulk = models.BooleanField(_("decided in a bulk approval"), default=False)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    rule_version = models.CharField(_("rule version"), max_length=40)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="corrections",
        null=True,
        blank=True,
        verbose_name=_("corrects"),
        db_index=False,  # ``log_corrects_idx``: corrections only
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=80, null=True, blank=True)

    objects = EvidenceQuerySet.as_manager()
    # The history is read by entry (``id``, its own index) and written on every change, in bulk too: the
    # copies of the foreign keys' indexes would serve no query and cost a third of a bulk import's history
    # rows (ADR 0048); nor do the time's and the user's (``_EntryHistory``, ADR 0058).
    history = _EntryHistory(no_db_index=["student", "placement", "category", "entered_by", "decided_by", "corrects"])

    class Meta:
        verbose_name = _("practice-hour entry")
        verbose_name_plural = _("practice-hour entries")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["placement", "status", "date"], name="log_placement_status_idx"),
            # The lists' order (-date, -id), whole and per student: read in order, no sort (issue #19).
            models.Index(fields=["student", "date", "id"], name="log_student_date_id_idx"),
            # Progress sums read from the index alone (an index-only scan): hours ride along,
            # and the placement, which says whose hours an entry is (the progress sums' scope test, ADR 0046).
            models.Index(
                fields=["student", "status", "category"], include=["hours", "placement"], name="log_progress_idx"
            ),
            models.Index(fields=["status", "entered_at"], name="log_status_entered_idx"),
            models.Index(fields=["date", "id"], name="log_date_id_idx"),
            # An entry's corrections; the few corrections only, not a NULL for every other entry (ADR 0058).
            models.Index(fields=["corrects"], name="log_corrects_idx", condition=Q(corrects__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["entered_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="log_idempotency_unique",
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0) | Q(corrects__isnull=False), name="log_hours_positive_unless_correction"
            ),
            models.CheckConstraint(condition=Q(hours__lte=24) & Q(hours__gte=-24), name="log_hours_range"),
            models.CheckConstraint(
                condition=~Q(status=EntryStatus.REJECTED) | ~Q(rejection_reason=""), name="log_rejection_reason"
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | ~Q(correction_reason=""), name="log_correction_reason"
            ),
            models.CheckConstraint(
                condition=Q(start_time__isnull=True, end_time__isnull=True)
                | Q(start_time__isnull=False, end_time__isnull=False, end_time__gt=models.F("start_time")),
                name="log_time_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.hours}h {self.category_id}"
